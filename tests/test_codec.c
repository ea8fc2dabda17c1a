/*
 * tests/test_codec.c - typed events to and from JSON.
 *
 * esk allocates through cmocka's test_malloc here (jansson too, through
 * esk's allocator hook), so every test also checks that nothing leaks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "esk/codec.h"

/* ---- Event types used by the tests -------------------------------------- */

typedef struct attendee_registered {
    char workshop_id[64];
    char attendee[128];
    int64_t seats;
    bool paid;
} attendee_registered;

static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_registered, attendee, "attendee"),
    ESK_FIELD_INT64(attendee_registered, seats, "seats"),
    ESK_FIELD_BOOL(attendee_registered, paid, "paid"),
};
static const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 1, attendee_registered_fields);

typedef struct venue {
    char city[32];
    double lat;
} venue;

typedef struct seat {
    char name[8];
    int64_t row;
} seat;

typedef struct every_kind {
    char title[64];
    int64_t count;
    bool open;
    double price;
    venue venue;
    char tags[4][16];
    size_t tag_count;
    seat seats[3];
    size_t seat_count;
    int64_t extra;
    char note[8];
    venue annex;
} every_kind;

static const esk_field venue_fields[] = {
    ESK_FIELD_STRING(venue, city, "city"),
    ESK_FIELD_DOUBLE(venue, lat, "lat"),
};
static const esk_field seat_fields[] = {
    ESK_FIELD_STRING(seat, name, "name"),
    ESK_FIELD_INT64(seat, row, "row"),
};
static const esk_field tag_element = ESK_ELEMENT_STRING(char[16]);
static const esk_field seat_element = ESK_ELEMENT_OBJECT(seat, seat_fields);

static const esk_field every_kind_fields[] = {
    ESK_FIELD_STRING(every_kind, title, "title"),
    ESK_FIELD_INT64(every_kind, count, "count"),
    ESK_FIELD_BOOL(every_kind, open, "open"),
    ESK_FIELD_DOUBLE(every_kind, price, "price"),
    ESK_FIELD_OBJECT(every_kind, venue, "venue", venue_fields),
    ESK_FIELD_ARRAY(every_kind, tags, tag_count, "tags", &tag_element),
    ESK_FIELD_ARRAY(every_kind, seats, seat_count, "seats", &seat_element),
    ESK_FIELD_INT64_OPT(every_kind, extra, "extra"),
    ESK_FIELD_STRING_OPT(every_kind, note, "note"),
    ESK_FIELD_OBJECT_OPT(every_kind, annex, "annex", venue_fields),
};
static const esk_event_type every_kind_type =
    ESK_EVENT_TYPE(every_kind, "EveryKind", 2, every_kind_fields);

/* The JSON of an every_kind with one field's text replaced. */
#define EVERY_KIND(title, count, open, price, venue, tags, seats)              \
    "{\"title\":" title ",\"count\":" count ",\"open\":" open                  \
    ",\"price\":" price ",\"venue\":" venue ",\"tags\":" tags                  \
    ",\"seats\":" seats "}"
#define VENUE "{\"city\":\"Lyon\",\"lat\":45.75}"

/* ---- Helpers ------------------------------------------------------------ */

/* esk's allocator in these tests: cmocka's, failing once `fail_in` more
 * allocations have succeeded (never while it is negative). */
static int fail_in = -1;

static bool allocation_fails(void)
{
    if (fail_in < 0)
        return false;
    return fail_in-- == 0;
}

static void *test_malloc_fn(size_t size)
{
    return allocation_fails() ? NULL : test_malloc(size);
}

static void *test_realloc_fn(void *ptr, size_t size)
{
    return allocation_fails() ? NULL : test_realloc(ptr, size);
}

static void test_free_fn(void *ptr)
{
    if (ptr != NULL)
        test_free(ptr);
}

static int use_test_allocator(void **state)
{
    (void)state;
    static const esk_allocator allocator = {test_malloc_fn, test_realloc_fn,
                                            test_free_fn};
    return esk_set_allocator(&allocator) == ESK_OK ? 0 : -1;
}

static int use_standard_allocator(void **state)
{
    (void)state;
    return esk_set_allocator(NULL) == ESK_OK ? 0 : -1;
}

static void assert_failure(esk_status rc, esk_status status,
                           const char *message)
{
    assert_int_equal(rc, status);
    assert_int_equal(esk_error_last()->status, status);
    assert_string_equal(esk_errmsg(), message);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* Decoding json as an every_kind (an attendee_registered) must fail with
 * this message. */
static void assert_every_kind_refused(const char *json, const char *message)
{
    every_kind decoded;
    esk_status rc = esk_codec_decode(&every_kind_type, json, &decoded);
    assert_failure(rc, ESK_EDECODE, message);
}

static void assert_attendee_refused(const char *json, const char *message)
{
    attendee_registered decoded;
    esk_status rc = esk_codec_decode(&attendee_registered_type, json, &decoded);
    assert_failure(rc, ESK_EDECODE, message);
}

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

/* ---- Decoding errors ---------------------------------------------------- */

static void a_missing_required_field_is_named(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"attendee\":\"Ada\",\"paid\":true}",
        "AttendeeRegistered v1: field 'seats': missing");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", "{\"lat\":1}", "[]", "[]"),
        "EveryKind v2: field 'venue.city': missing");
}

static void a_value_of_the_wrong_kind_is_refused_for_every_kind(void **state)
{
    (void)state;
    assert_attendee_refused("{\"workshopId\":\"w\",\"attendee\":\"Ada\","
                            "\"seats\":\"2\",\"paid\":true}",
                            "AttendeeRegistered v1: field 'seats': expected "
                            "an integer, got a string");
    assert_every_kind_refused(
        EVERY_KIND("12", "1", "true", "1", VENUE, "[]", "[]"),
        "EveryKind v2: field 'title': expected a string, got an integer");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "null", "true", "1", VENUE, "[]", "[]"),
        "EveryKind v2: field 'count': expected an integer, got null");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "1", "1", VENUE, "[]", "[]"),
        "EveryKind v2: field 'open': expected true or false, got an integer");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "\"1.5\"", VENUE, "[]", "[]"),
        "EveryKind v2: field 'price': expected a number, got a string");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "false", VENUE, "[]", "[]"),
        "EveryKind v2: field 'price': expected a number, got false");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", "[]", "[]", "[]"),
        "EveryKind v2: field 'venue': expected an object, got an array");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE, "{}", "[]"),
        "EveryKind v2: field 'tags': expected an array, got an object");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE, "[\"a\",true]", "[]"),
        "EveryKind v2: field 'tags[1]': expected a string, got true");
}

static void
a_string_longer_than_its_field_is_refused_with_its_length(void **state)
{
    (void)state;
    assert_every_kind_refused(
        "{\"title\":\"t\",\"count\":1,\"open\":true,\"price\":1,"
        "\"venue\":" VENUE ",\"note\":\"Bring a laptop\"}",
        "EveryKind v2: field 'note': 'Bring a laptop' is 14 bytes, the field "
        "holds at most 7");
    /* The quote stops before the 'é' that straddles its 24th byte. */
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1",
                   "{\"city\":\"Montigny-le-Bretonneux-Élancourt\",\"lat\":1}",
                   "[]", "[]"),
        "EveryKind v2: field 'venue.city': 'Montigny-le-Bretonneux-...' is 33 "
        "bytes, the field holds at most 31");
}

static void a_nul_character_in_a_string_or_key_is_refused(void **state)
{
    (void)state;
    assert_every_kind_refused(
        EVERY_KIND("\"a\\u0000b\"", "1", "true", "1", VENUE, "[]", "[]"),
        "EveryKind v2: field 'title': the string contains a NUL character "
        "(\\u0000)");
    assert_every_kind_refused("{\"a\\u0000b\":1}",
                              "EveryKind v2: invalid JSON at line 1, column "
                              "11: NUL byte in object key not supported near "
                              "'\"a\\u0000b\"'");
}

static void an_integer_beyond_64_bits_is_refused_with_its_position(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"attendee\":\"a\",\"seats\":"
        "9223372036854775808,\"paid\":true}",
        "AttendeeRegistered v1: number out of range at line 1, column 60: "
        "too big integer near '9223372036854775808'");
}

static void a_real_number_is_refused_for_an_integer_field(void **state)
{
    (void)state;
    assert_attendee_refused("{\"workshopId\":\"w\",\"attendee\":\"a\","
                            "\"seats\":1.5,\"paid\":true}",
                            "AttendeeRegistered v1: field 'seats': expected "
                            "an integer, got a real number (1.5)");
    assert_attendee_refused("{\"workshopId\":\"w\",\"attendee\":\"a\","
                            "\"seats\":2.0,\"paid\":true}",
                            "AttendeeRegistered v1: field 'seats': expected "
                            "an integer, got a real number: write 2 without "
                            "a decimal point or exponent");
}

static void an_array_longer_than_its_field_is_refused(void **state)
{
    (void)state;
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE,
                   "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "[]"),
        "EveryKind v2: field 'tags': 5 elements, the field holds at most 4");
}

static void an_error_in_an_array_element_gives_its_path(void **state)
{
    (void)state;
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE, "[]",
                   "[{\"name\":\"A1\",\"row\":1},{\"name\":\"A2\"}]"),
        "EveryKind v2: field 'seats[1].row': missing");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE, "[]", "[7]"),
        "EveryKind v2: field 'seats[0]': expected an object, got an integer");
}

static void invalid_json_is_refused_with_its_line_and_column(void **state)
{
    (void)state;
    assert_attendee_refused("{\"workshopId\": \"w\",\n \"seats\": }",
                            "AttendeeRegistered v1: invalid JSON at line 2, "
                            "column 11: unexpected token near '}'");
    assert_attendee_refused("", "AttendeeRegistered v1: invalid JSON at line "
                                "1, column 0: unexpected token near end of "
                                "file");
}

static void a_top_level_value_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    assert_attendee_refused(
        "[1,2]", "AttendeeRegistered v1: expected a JSON object, got an array");
    assert_attendee_refused(
        "\"seats\"",
        "AttendeeRegistered v1: expected a JSON object, got a string");
}

static void a_duplicate_key_is_refused(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"workshopId\":\"x\",\"attendee\":\"a\","
        "\"seats\":1,\"paid\":true}",
        "AttendeeRegistered v1: ambiguous JSON at line 1, column 30: "
        "duplicate object key near '\"workshopId\"'");
}

static void decoding_a_recorded_event_checks_its_type_and_version(void **state)
{
    (void)state;
    attendee_registered decoded;
    esk_event event = {
        .event_id = "1b4e28ba-2fa1-4d2b-883f-0016d3cca427",
        .stream_id = "workshop-1",
        .version = 3,
        .type = "WorkshopClosed",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w\",\"attendee\":\"Ada\",\"seats\":2,"
                "\"paid\":false}",
        .metadata = "{}",
    };

    assert_failure(
        esk_codec_decode_event(&attendee_registered_type, &event, &decoded),
        ESK_EDECODE,
        "event 3 of stream 'workshop-1' is WorkshopClosed v1, not "
        "AttendeeRegistered v1");
    event.type = "AttendeeRegistered";
    event.schema_version = 2;
    assert_failure(
        esk_codec_decode_event(&attendee_registered_type, &event, &decoded),
        ESK_EDECODE,
        "event 3 of stream 'workshop-1' is AttendeeRegistered v2, "
        "not AttendeeRegistered v1");
    event.schema_version = 1;
    assert_int_equal(
        esk_codec_decode_event(&attendee_registered_type, &event, &decoded),
        ESK_OK);
    assert_string_equal(decoded.attendee, "Ada");
    assert_int_equal(decoded.seats, 2);
    assert_false(decoded.paid);
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
