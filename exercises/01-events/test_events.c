/*
 * test_events.c - the events, as the rest of the system will read them.
 *
 * The JSON of an event is a contract: every projection, every other
 * service, and the you of next year reads the stored text. So these tests
 * check the text, key by key, in both directions.
 */
#include <stdio.h>
#include <string.h>

#include "events.h"
#include "exercise.h"

/* Room for any of the event structs, suitably aligned. */
typedef union event_buffer {
    max_align_t align;
    unsigned char bytes[1024];
} event_buffer;

/* The stub describes one field per event; say where the rest go. */
static void point_at_the_table(const esk_event_type *type)
{
    if (type->field_count <= 1)
        print_message("TODO: describe every field of %s in "
                      "exercises/01-events/events.c (and declare them in "
                      "events.h)\n",
                      type->name);
}

/* Decoding the agreed JSON and encoding it again gives the same text. */
static void expect_round_trip(const esk_event_type *type, const char *json,
                              const char *hint)
{
    event_buffer event;
    char written[1024] = "";

    esk_status rc = esk_codec_decode(type, json, &event);
    if (rc != ESK_OK)
        print_error("decoding said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    rc = esk_codec_encode_to(type, &event, written, sizeof(written), NULL);
    if (rc != ESK_OK)
        print_error("encoding said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    if (strcmp(written, json) != 0)
        point_at_the_table(type);
    check_string(written, json, hint);
}

/* Decoding bad JSON fails, and the message says which field and why. */
static void expect_refusal(const esk_event_type *type, const char *json,
                           const char *message_part, const char *hint)
{
    event_buffer event;
    esk_status rc = esk_codec_decode(type, json, &event);
    if (rc == ESK_OK)
        point_at_the_table(type);
    check_status(rc, ESK_EDECODE, hint);
    check_contains(esk_errmsg(), message_part, hint);
}

static void a_scheduled_workshop_has_its_title_date_and_capacity(void **state)
{
    (void)state;
    expect_round_trip(&workshop_scheduled_type,
                      "{\"workshopId\":\"w-1\",\"title\":\"Event Sourcing "
                      "101\",\"startsOn\":\"2026-12-01\",\"capacity\":12}",
                      "WorkshopScheduled carries workshopId, title, startsOn "
                      "(strings) and capacity (an int64), in that order.");
}

static void a_registration_names_the_attendee(void **state)
{
    (void)state;
    expect_round_trip(&attendee_registered_type,
                      "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\","
                      "\"name\":\"Ada Lovelace\"}",
                      "AttendeeRegistered says who took a seat: attendeeId "
                      "and name, after workshopId.");
}

static void a_waitlisting_names_who_waits(void **state)
{
    (void)state;
    expect_round_trip(&attendee_waitlisted_type,
                      "{\"workshopId\":\"w-1\",\"attendeeId\":\"bob\","
                      "\"name\":\"Bob\"}",
                      "AttendeeWaitlisted has the same fields as "
                      "AttendeeRegistered: it is a different fact about the "
                      "same person.");
}

static void a_cancellation_says_whether_the_attendee_was_waiting(void **state)
{
    (void)state;
    expect_round_trip(&registration_cancelled_type,
                      "{\"workshopId\":\"w-1\",\"attendeeId\":\"bob\","
                      "\"wasWaitlisted\":true}",
                      "RegistrationCancelled has wasWaitlisted, a bool: a "
                      "reader must know whether a seat was freed.");
}

static void a_promotion_names_who_got_the_seat(void **state)
{
    (void)state;
    expect_round_trip(&waitlisted_attendee_promoted_type,
                      "{\"workshopId\":\"w-1\",\"attendeeId\":\"cleo\"}",
                      "WaitlistedAttendeePromoted names the attendee who got "
                      "the seat.");
}

static void a_closing_gives_its_reason(void **state)
{
    (void)state;
    expect_round_trip(&registration_closed_type,
                      "{\"workshopId\":\"w-1\",\"reason\":\"deadline\"}",
                      "RegistrationClosed keeps why it closed: 'trainer' or "
                      "'deadline' read differently in an audit.");
}

static void a_capacity_that_is_not_a_number_is_refused_by_name(void **state)
{
    (void)state;
    expect_refusal(&workshop_scheduled_type,
                   "{\"workshopId\":\"w-1\",\"title\":\"ES\",\"startsOn\":"
                   "\"2026-12-01\",\"capacity\":\"twelve\"}",
                   "field 'capacity': expected an integer, got a string",
                   "Describe capacity as ESK_FIELD_INT64: then the codec "
                   "checks its kind for you.");
}

static void a_registration_without_an_attendee_is_refused(void **state)
{
    (void)state;
    expect_refusal(&attendee_registered_type,
                   "{\"workshopId\":\"w-1\",\"name\":\"Ada\"}",
                   "field 'attendeeId': missing",
                   "Fields are required unless marked _OPT: a registration "
                   "of nobody is not a fact.");
}

static void a_title_too_long_for_its_field_is_refused_not_cut(void **state)
{
    (void)state;
    char json[512];
    char title[201];
    memset(title, 'x', sizeof(title) - 1);
    title[sizeof(title) - 1] = '\0';
    snprintf(json, sizeof(json),
             "{\"workshopId\":\"w-1\",\"title\":\"%s\",\"startsOn\":"
             "\"2026-12-01\",\"capacity\":3}",
             title);
    expect_refusal(&workshop_scheduled_type, json,
                   "the field holds at most 127",
                   "title is a char[TITLE_SIZE]: the codec refuses what does "
                   "not fit rather than cutting a fact short.");
}

/* One event's agreed JSON, key by key: the tests below take keys out. */
typedef struct agreed_event {
    const esk_event_type *type;
    size_t key_count;
    const char *keys[4];
    const char *values[4];
} agreed_event;

/* The event's JSON without the key at index left_out (none when it is
 * key_count). */
static void write_without(const agreed_event *e, size_t left_out, char *json,
                          size_t size)
{
    size_t used = (size_t)snprintf(json, size, "{");
    const char *comma = "";
    for (size_t i = 0; i < e->key_count; i++) {
        if (i == left_out)
            continue;
        used += (size_t)snprintf(json + used, size - used, "%s\"%s\":%s", comma,
                                 e->keys[i], e->values[i]);
        comma = ",";
    }
    snprintf(json + used, size - used, "}");
}

static void every_field_of_every_event_is_required(void **state)
{
    (void)state;
    const agreed_event events[] = {
        {&workshop_scheduled_type,
         4,
         {"workshopId", "title", "startsOn", "capacity"},
         {"\"w-1\"", "\"ES\"", "\"2026-12-01\"", "12"}},
        {&attendee_registered_type,
         3,
         {"workshopId", "attendeeId", "name"},
         {"\"w-1\"", "\"ada\"", "\"Ada\""}},
        {&attendee_waitlisted_type,
         3,
         {"workshopId", "attendeeId", "name"},
         {"\"w-1\"", "\"bob\"", "\"Bob\""}},
        {&registration_cancelled_type,
         3,
         {"workshopId", "attendeeId", "wasWaitlisted"},
         {"\"w-1\"", "\"bob\"", "true"}},
        {&waitlisted_attendee_promoted_type,
         2,
         {"workshopId", "attendeeId"},
         {"\"w-1\"", "\"cleo\""}},
        {&registration_closed_type,
         2,
         {"workshopId", "reason"},
         {"\"w-1\"", "\"trainer\""}},
    };
    for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++) {
        for (size_t k = 0; k < events[e].key_count; k++) {
            char json[256];
            char missing[64];
            write_without(&events[e], k, json, sizeof(json));
            snprintf(missing, sizeof(missing), "field '%s': missing",
                     events[e].keys[k]);
            event_buffer decoded;
            if (esk_codec_decode(events[e].type, json, &decoded) == ESK_OK)
                print_error("%s without \"%s\" was accepted: %s\n",
                            events[e].type->name, events[e].keys[k], json);
            expect_refusal(events[e].type, json, missing,
                           "Every field in the README's table is required: "
                           "describe it with ESK_FIELD_STRING, _INT64 or "
                           "_BOOL, not the _OPT kind. A waitlisting of "
                           "nobody, a closing without its reason, is not "
                           "the fact a reader expects.");
        }
    }
}

/* A string of n letters, as a JSON string value, in out. */
static void quoted_letters(size_t n, char *out, size_t size)
{
    char letters[256];
    memset(letters, 'x', n);
    letters[n] = '\0';
    snprintf(out, size, "\"%s\"", letters);
}

static void the_longest_title_name_and_reason_are_kept_whole(void **state)
{
    (void)state;
    char longest_title[160];
    char longest_name[128];
    char json[512];
    quoted_letters(TITLE_SIZE - 1, longest_title, sizeof(longest_title));
    quoted_letters(NAME_SIZE - 1, longest_name, sizeof(longest_name));
    const char *hint = "Each string member is as long as the README's table "
                       "says: title[TITLE_SIZE], name[NAME_SIZE], "
                       "reason[NAME_SIZE]. A size copied from the line "
                       "above refuses a real name.";

    snprintf(json, sizeof(json),
             "{\"workshopId\":\"w-1\",\"title\":%s,\"startsOn\":"
             "\"2026-12-01\",\"capacity\":3}",
             longest_title);
    expect_round_trip(&workshop_scheduled_type, json, hint);
    snprintf(json, sizeof(json),
             "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\",\"name\":%s}",
             longest_name);
    expect_round_trip(&attendee_registered_type, json, hint);
    snprintf(json, sizeof(json),
             "{\"workshopId\":\"w-1\",\"attendeeId\":\"bob\",\"name\":%s}",
             longest_name);
    expect_round_trip(&attendee_waitlisted_type, json, hint);
    snprintf(json, sizeof(json), "{\"workshopId\":\"w-1\",\"reason\":%s}",
             longest_name);
    expect_round_trip(&registration_closed_type, json, hint);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_scheduled_workshop_has_its_title_date_and_capacity),
        cmocka_unit_test(a_registration_names_the_attendee),
        cmocka_unit_test(a_waitlisting_names_who_waits),
        cmocka_unit_test(a_cancellation_says_whether_the_attendee_was_waiting),
        cmocka_unit_test(a_promotion_names_who_got_the_seat),
        cmocka_unit_test(a_closing_gives_its_reason),
        cmocka_unit_test(a_capacity_that_is_not_a_number_is_refused_by_name),
        cmocka_unit_test(a_registration_without_an_attendee_is_refused),
        cmocka_unit_test(a_title_too_long_for_its_field_is_refused_not_cut),
        cmocka_unit_test(every_field_of_every_event_is_required),
        cmocka_unit_test(the_longest_title_name_and_reason_are_kept_whole),
    };
    return cmocka_run_group_tests_name("01-events", tests, NULL, NULL);
}
