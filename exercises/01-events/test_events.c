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
    esk_error err = {0};

    esk_status rc = esk_codec_decode(type, json, &event, &err);
    if (rc != ESK_OK)
        print_error("decoding said: %s\n", err.message);
    check_status(rc, ESK_OK, hint);
    rc =
        esk_codec_encode_to(type, &event, written, sizeof(written), NULL, &err);
    if (rc != ESK_OK)
        print_error("encoding said: %s\n", err.message);
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
    esk_error err = {0};
    esk_status rc = esk_codec_decode(type, json, &event, &err);
    if (rc == ESK_OK)
        point_at_the_table(type);
    check_status(rc, ESK_EDECODE, hint);
    check_contains(err.message, message_part, hint);
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
    };
    return cmocka_run_group_tests_name("01-events", tests, NULL, NULL);
}
