/*
 * tests/test_codec.c - typed events to and from JSON.
 *
 * esk allocates through cmocka's test_malloc here (jansson too, through
 * esk's allocator hook), so every test also checks that nothing leaks.
 * Decoding errors are in codec_decoding_errors.c; this file has round
 * trips, encoding errors, misuse and main().
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codec_fixture.h"
#include "esk/codec.h"

/* ---- Round trips -------------------------------------------------------- */

static void an_event_with_every_kind_of_field_round_trips(void **state)
{
    (void)state;
    every_kind event, decoded;
    char *json = NULL;

    /* Both structs start zeroed, so even padding compares equal. */
    memset(&event, 0, sizeof(event));
    strcpy(event.title, "Say \"hi\" \\ to Zoë – ☕ and 🎉");
    event.count = INT64_MIN;
    event.open = true;
    event.price = -19.99;
    strcpy(event.venue.city, "Zürich");
    event.venue.lat = 0.1;
    strcpy(event.tags[0], "ddd");
    strcpy(event.tags[1], "line\nbreak\ttab");
    event.tag_count = 2;
    strcpy(event.seats[0].name, "A1");
    event.seats[0].row = INT64_MAX;
    strcpy(event.seats[2].name, "C3");
    event.seats[2].row = -1;
    event.seat_count = 3;
    event.extra = 7;
    strcpy(event.note, "bring");
    strcpy(event.annex.city, "Bern");
    event.annex.lat = 1e-300;

    assert_int_equal(esk_codec_encode(&every_kind_type, &event, &json), ESK_OK);
    assert_int_equal(esk_codec_decode(&every_kind_type, json, &decoded),
                     ESK_OK);
    esk_free(json);
    assert_memory_equal(&decoded, &event, sizeof(event));
    assert_true(decoded.venue.lat == 0.1);
}

static void encoding_writes_compact_json_with_keys_in_table_order(void **state)
{
    (void)state;
    every_kind event;
    char *json = NULL;

    memset(&event, 0, sizeof(event));
    strcpy(event.title, "Event \"sourcing\" – Zürich");
    event.count = 42;
    event.open = true;
    event.price = 19.99;
    strcpy(event.venue.city, "Lyon");
    event.venue.lat = 100.0;
    strcpy(event.tags[0], "ddd");
    strcpy(event.tags[1], "cqrs");
    event.tag_count = 2;
    strcpy(event.seats[0].name, "A1");
    event.seats[0].row = 1;
    event.seat_count = 1;

    assert_int_equal(esk_codec_encode(&every_kind_type, &event, &json), ESK_OK);
    assert_string_equal(
        json, "{\"title\":\"Event \\\"sourcing\\\" – Zürich\",\"count\":42,"
              "\"open\":true,\"price\":19.99,\"venue\":{\"city\":\"Lyon\","
              "\"lat\":100.0},\"tags\":[\"ddd\",\"cqrs\"],\"seats\":[{\"name\":"
              "\"A1\",\"row\":1}],\"extra\":0,\"note\":\"\",\"annex\":{"
              "\"city\":\"\",\"lat\":0.0}}");
    esk_free(json);
}

static void
doubles_are_written_with_the_fewest_digits_that_read_back(void **state)
{
    (void)state;
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},     {-2.5, "-2.5"},     {1.0 / 3.0, "0.3333333333333333"},
        {1e300, "1e300"}, {5e-324, "5e-324"}, {123456.0, "123456.0"},
        {-0.0, "-0.0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        venue place = {"Oslo", cases[i].value};
        const esk_event_type type =
            ESK_EVENT_TYPE(venue, "VenueOpened", 1, venue_fields);
        char json[128], expected[128];
        venue decoded;

        assert_int_equal(
            esk_codec_encode_to(&type, &place, json, sizeof(json), NULL),
            ESK_OK);
        snprintf(expected, sizeof(expected), "{\"city\":\"Oslo\",\"lat\":%s}",
                 cases[i].text);
        assert_string_equal(json, expected);
        assert_int_equal(esk_codec_decode(&type, json, &decoded), ESK_OK);
        assert_memory_equal(&decoded.lat, &cases[i].value, sizeof(double));
    }
}

static void a_double_field_accepts_an_integer(void **state)
{
    (void)state;
    every_kind decoded;
    const char *json =
        EVERY_KIND("\"t\"", "1", "false", "20", VENUE, "[]", "[]");

    assert_int_equal(esk_codec_decode(&every_kind_type, json, &decoded),
                     ESK_OK);
    assert_true(decoded.price == 20.0);
}

static void
an_empty_array_and_missing_optional_fields_decode_as_zero(void **state)
{
    (void)state;
    every_kind decoded;
    const char *json = "{\"title\":\"t\",\"count\":1,\"open\":false,"
                       "\"price\":1.5,\"venue\":" VENUE ",\"tags\":[],"
                       "\"seats\":null,\"note\":null,\"unknown\":[1,2]}";

    memset(&decoded, 0x55, sizeof(decoded));
    assert_int_equal(esk_codec_decode(&every_kind_type, json, &decoded),
                     ESK_OK);
    assert_int_equal(decoded.tag_count, 0);
    assert_int_equal(decoded.seat_count, 0);
    assert_int_equal(decoded.extra, 0);
    assert_string_equal(decoded.note, "");
    assert_string_equal(decoded.annex.city, "");
    assert_string_equal(decoded.tags[0], "");
}

/* ---- Encoding errors ---------------------------------------------------- */

static void encoding_into_a_small_buffer_gives_the_size_needed(void **state)
{
    (void)state;
    attendee_registered event = {"w", "Ada", 2, true};
    const char *expected = "{\"workshopId\":\"w\",\"attendee\":\"Ada\","
                           "\"seats\":2,\"paid\":true}";
    char buf[64];
    size_t len = 0;

    memset(buf, 'x', sizeof(buf));
    assert_failure(
        esk_codec_encode_to(&attendee_registered_type, &event, buf, 10, &len),
        ESK_EINVAL,
        "AttendeeRegistered v1: the buffer holds 10 bytes, the "
        "JSON needs 58 with its NUL");
    assert_int_equal(len, strlen(expected));
    assert_int_equal(buf[0], 'x');

    len = 0;
    assert_int_equal(
        esk_codec_encode_to(&attendee_registered_type, &event, NULL, 0, &len),
        ESK_EINVAL);
    assert_int_equal(len, strlen(expected));

    assert_int_equal(esk_codec_encode_to(&attendee_registered_type, &event, buf,
                                         len + 1, &len),
                     ESK_OK);
    assert_string_equal(buf, expected);
}

static void a_string_member_without_a_nul_is_refused(void **state)
{
    (void)state;
    attendee_registered event = {"w", "Ada", 2, true};
    char *json = NULL;

    memset(event.workshop_id, 'w', sizeof(event.workshop_id));
    assert_failure(esk_codec_encode(&attendee_registered_type, &event, &json),
                   ESK_EINVAL,
                   "AttendeeRegistered v1: field 'workshopId': the string "
                   "has no NUL within its 64 bytes");
    assert_null(json);
}

static void a_string_member_that_is_not_utf8_is_refused(void **state)
{
    (void)state;
    attendee_registered event = {"w", "Ad\xe9le", 2, true};
    char *json = NULL;

    assert_failure(esk_codec_encode(&attendee_registered_type, &event, &json),
                   ESK_EINVAL,
                   "AttendeeRegistered v1: field 'attendee': the string is "
                   "not valid UTF-8");
}

static void an_array_count_beyond_its_capacity_is_refused(void **state)
{
    (void)state;
    every_kind event;
    char *json = NULL;

    memset(&event, 0, sizeof(event));
    event.seat_count = 4;
    assert_failure(esk_codec_encode(&every_kind_type, &event, &json),
                   ESK_EINVAL,
                   "EveryKind v2: field 'seats': the count is 4, the array "
                   "holds at most 3");
}

static void a_double_that_is_not_finite_is_refused(void **state)
{
    (void)state;
    every_kind event;
    char *json = NULL;

    memset(&event, 0, sizeof(event));
    event.venue.lat = INFINITY;
    assert_int_equal(esk_codec_encode(&every_kind_type, &event, &json),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "EveryKind v2: field 'venue.lat': ");
    assert_contains(esk_errmsg(),
                    "inf is not finite: JSON has no NaN or infinity");

    event.venue.lat = 0;
    event.price = NAN;
    assert_int_equal(esk_codec_encode(&every_kind_type, &event, &json),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "field 'price': ");
}

/* ---- Misuse ------------------------------------------------------------- */

static void null_arguments_are_refused(void **state)
{
    (void)state;
    attendee_registered event = {"w", "Ada", 2, true};
    const char *json = "{}";
    esk_event recorded = {.type = "AttendeeRegistered", .schema_version = 1};
    char *out = NULL;
    char buf[8];
    const esk_event_type *type = &attendee_registered_type;
    const esk_event_type unnamed = {NULL, 1, sizeof(event),
                                    attendee_registered_fields, 4};

    assert_failure(esk_codec_encode(NULL, &event, &out), ESK_EINVAL,
                   "esk_codec_encode: the event type or its name is NULL");
    assert_failure(esk_codec_encode(type, NULL, &out), ESK_EINVAL,
                   "esk_codec_encode: event is NULL");
    assert_failure(esk_codec_encode(type, &event, NULL), ESK_EINVAL,
                   "esk_codec_encode: out is NULL");
    assert_failure(esk_codec_encode(&unnamed, &event, &out), ESK_EINVAL,
                   "esk_codec_encode: the event type or its name is NULL");
    assert_failure(esk_codec_encode_to(type, &event, NULL, sizeof(buf), NULL),
                   ESK_EINVAL, "esk_codec_encode_to: buf is NULL");
    assert_failure(esk_codec_decode(type, NULL, &event), ESK_EINVAL,
                   "esk_codec_decode: json is NULL");
    assert_failure(esk_codec_decode(type, json, NULL), ESK_EINVAL,
                   "esk_codec_decode: out is NULL");
    assert_failure(esk_codec_decode_event(type, NULL, &event), ESK_EINVAL,
                   "esk_codec_decode_event: the event, its type or its data "
                   "is NULL");
    assert_failure(esk_codec_decode_event(type, &recorded, &event), ESK_EINVAL,
                   "esk_codec_decode_event: the event, its type or its data "
                   "is NULL");
    assert_failure(esk_codec_decode_event(NULL, &recorded, &event), ESK_EINVAL,
                   "esk_codec_decode_event: the event type or its name is "
                   "NULL");
    /* Without an esk_error, only the status tells. */
    assert_int_equal(esk_codec_decode(type, "nope", &event), ESK_EDECODE);
    assert_int_equal(esk_codec_encode(NULL, NULL, NULL), ESK_EINVAL);
    assert_null(out);
}

static void an_invalid_field_table_is_refused_without_a_crash(void **state)
{
    (void)state;
    typedef struct pair {
        int64_t a;
        size_t n;
    } pair;
    static const esk_field no_name[] = {
        {NULL, ESK_KIND_INT64, 0, 8, false, NULL, 0, 0, 0}};
    static const esk_field unknown_kind[] = {
        {"a", (esk_field_kind)99, 0, 8, false, NULL, 0, 0, 0}};
    static const esk_field empty_object[] = {
        {"a", ESK_KIND_OBJECT, 0, 8, false, NULL, 0, 0, 0}};
    static const esk_field element = ESK_ELEMENT_INT64;
    static const esk_field count_outside[] = {
        {"a", ESK_KIND_ARRAY, 0, 8, true, &element, 1, 8, 12}};
    static const esk_field member_outside[] = {
        {"a", ESK_KIND_INT64, 12, 8, false, NULL, 0, 0, 0}};
    static const esk_field wrong_size[] = {
        {"a", ESK_KIND_INT64, 0, 4, false, NULL, 0, 0, 0}};
    static const esk_field zero_size[] = {
        {"a", ESK_KIND_STRING, 0, 0, false, NULL, 0, 0, 0}};
    static const esk_field empty_key[] = {
        {"", ESK_KIND_INT64, 0, 8, false, NULL, 0, 0, 0}};
    static const esk_field twice[] = {
        {"a", ESK_KIND_INT64, 0, 8, false, NULL, 0, 0, 0},
        {"a", ESK_KIND_INT64, 8, 8, false, NULL, 0, 0, 0}};
    static const esk_field loop[] = {
        {"self", ESK_KIND_OBJECT, 0, 8, false, loop, 1, 0, 0}};
    const struct {
        const esk_field *fields;
        size_t count;
        const char *message;
    } cases[] = {
        {no_name, 1, "field '?': invalid table: the key is NULL"},
        {unknown_kind, 1, "field 'a': invalid table: unknown kind 99"},
        {empty_object, 1, "field 'a': invalid table: an object without"},
        {count_outside, 1,
         "field 'a': invalid table: the count at offset "
         "12 does not fit in a 16-byte struct"},
        {member_outside, 1,
         "field 'a': invalid table: 8 bytes at offset 12 "
         "do not fit in a 16-byte struct"},
        {wrong_size, 1,
         "field 'a': invalid table: the member is 4 bytes, "
         "not 8"},
        {zero_size, 1, "field 'a': invalid table: a member of size 0"},
        {empty_key, 1,
         "field '': invalid table: the key is NULL, \"\" or "
         "not UTF-8"},
        {twice, 2, "field 'a': invalid table: the key appears twice"},
        {loop, 1, "invalid table: nested more than 64 deep"},
        {NULL, 3, "invalid table: NULL"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const esk_event_type type = {"Broken", 1, sizeof(pair), cases[i].fields,
                                     cases[i].count};
        pair event = {1, 0};
        char *json = NULL;

        assert_int_equal(esk_codec_encode(&type, &event, &json), ESK_EINVAL);
        assert_contains(esk_errmsg(), cases[i].message);
        assert_int_equal(esk_codec_decode(&type, "{}", &event), ESK_EINVAL);
        assert_contains(esk_errmsg(), cases[i].message);
    }
}

static void every_failed_allocation_is_reported_and_leaks_nothing(void **state)
{
    (void)state;
    every_kind event, decoded;
    char *json = NULL;
    esk_status rc;
    int failures = 0;

    memset(&event, 0, sizeof(event));
    strcpy(event.title, "t");
    strcpy(event.tags[0], "ddd");
    event.tag_count = 1;
    event.seat_count = 2;

    /* Fail the first allocation, then the second, ... until none fails.
     * Every token of this JSON is shorter than 16 bytes: jansson 2.14
     * silently drops a byte of a longer one when it cannot grow its token
     * buffer, and the decode then succeeds with the wrong text. */
    for (int n = 0;; n++, failures++) {
        fail_in = n;
        rc = esk_codec_encode(&every_kind_type, &event, &json);
        fail_in = -1;
        if (rc == ESK_OK)
            break;
        assert_failure(rc, ESK_ENOMEM, "EveryKind v2: out of memory");
    }
    assert_true(failures > 0);

    failures = 0;
    for (int n = 0;; n++, failures++) {
        fail_in = n;
        rc = esk_codec_decode(&every_kind_type, json, &decoded);
        fail_in = -1;
        if (rc == ESK_OK)
            break;
        assert_failure(rc, ESK_ENOMEM, "EveryKind v2: out of memory");
    }
    assert_true(failures > 0);
    esk_free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_event_with_every_kind_of_field_round_trips),
        cmocka_unit_test(encoding_writes_compact_json_with_keys_in_table_order),
        cmocka_unit_test(
            doubles_are_written_with_the_fewest_digits_that_read_back),
        cmocka_unit_test(a_double_field_accepts_an_integer),
        cmocka_unit_test(
            an_empty_array_and_missing_optional_fields_decode_as_zero),
        cmocka_unit_test(a_missing_required_field_is_named),
        cmocka_unit_test(a_value_of_the_wrong_kind_is_refused_for_every_kind),
        cmocka_unit_test(
            a_string_longer_than_its_field_is_refused_with_its_length),
        cmocka_unit_test(a_nul_character_in_a_string_or_key_is_refused),
        cmocka_unit_test(
            an_integer_beyond_64_bits_is_refused_with_its_position),
        cmocka_unit_test(a_real_number_is_refused_for_an_integer_field),
        cmocka_unit_test(an_array_longer_than_its_field_is_refused),
        cmocka_unit_test(an_error_in_an_array_element_gives_its_path),
        cmocka_unit_test(invalid_json_is_refused_with_its_line_and_column),
        cmocka_unit_test(a_top_level_value_that_is_not_an_object_is_refused),
        cmocka_unit_test(a_duplicate_key_is_refused),
        cmocka_unit_test(decoding_a_recorded_event_checks_its_type_and_version),
        cmocka_unit_test(encoding_into_a_small_buffer_gives_the_size_needed),
        cmocka_unit_test(a_string_member_without_a_nul_is_refused),
        cmocka_unit_test(a_string_member_that_is_not_utf8_is_refused),
        cmocka_unit_test(an_array_count_beyond_its_capacity_is_refused),
        cmocka_unit_test(a_double_that_is_not_finite_is_refused),
        cmocka_unit_test(null_arguments_are_refused),
        cmocka_unit_test(an_invalid_field_table_is_refused_without_a_crash),
        cmocka_unit_test(every_failed_allocation_is_reported_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, use_test_allocator,
                                  use_standard_allocator);
}
