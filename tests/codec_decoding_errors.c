/*
 * tests/codec_decoding_errors.c - JSON the codec refuses to decode,
 * and the message that says where and why.
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

/* ---- Decoding errors ---------------------------------------------------- */

void a_missing_required_field_is_named(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"attendee\":\"Ada\",\"paid\":true}",
        "AttendeeRegistered v1: field 'seats': missing");
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", "{\"lat\":1}", "[]", "[]"),
        "EveryKind v2: field 'venue.city': missing");
}

void a_value_of_the_wrong_kind_is_refused_for_every_kind(void **state)
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

void a_string_longer_than_its_field_is_refused_with_its_length(void **state)
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

void a_nul_character_in_a_string_or_key_is_refused(void **state)
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

void an_integer_beyond_64_bits_is_refused_with_its_position(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"attendee\":\"a\",\"seats\":"
        "9223372036854775808,\"paid\":true}",
        "AttendeeRegistered v1: number out of range at line 1, column 60: "
        "too big integer near '9223372036854775808'");
}

void a_real_number_is_refused_for_an_integer_field(void **state)
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

void an_array_longer_than_its_field_is_refused(void **state)
{
    (void)state;
    assert_every_kind_refused(
        EVERY_KIND("\"t\"", "1", "true", "1", VENUE,
                   "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "[]"),
        "EveryKind v2: field 'tags': 5 elements, the field holds at most 4");
}

void an_error_in_an_array_element_gives_its_path(void **state)
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

void invalid_json_is_refused_with_its_line_and_column(void **state)
{
    (void)state;
    assert_attendee_refused("{\"workshopId\": \"w\",\n \"seats\": }",
                            "AttendeeRegistered v1: invalid JSON at line 2, "
                            "column 11: unexpected token near '}'");
    assert_attendee_refused("", "AttendeeRegistered v1: invalid JSON at line "
                                "1, column 0: unexpected token near end of "
                                "file");
}

void a_top_level_value_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    assert_attendee_refused(
        "[1,2]", "AttendeeRegistered v1: expected a JSON object, got an array");
    assert_attendee_refused(
        "\"seats\"",
        "AttendeeRegistered v1: expected a JSON object, got a string");
}

void a_duplicate_key_is_refused(void **state)
{
    (void)state;
    assert_attendee_refused(
        "{\"workshopId\":\"w\",\"workshopId\":\"x\",\"attendee\":\"a\","
        "\"seats\":1,\"paid\":true}",
        "AttendeeRegistered v1: ambiguous JSON at line 1, column 30: "
        "duplicate object key near '\"workshopId\"'");
}

void decoding_a_recorded_event_checks_its_type_and_version(void **state)
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
