/*
 * test_projections.c - events in, rows out; questions in, rows out.
 *
 * The projection specs tell a story (given these events, in these
 * streams) and read the tables the projection made. Each spec runs twice:
 * once as told, and once with every event delivered twice, which must
 * leave the same rows (delivery is at least once).
 *
 * The query tests fill the tables themselves, so that your queries can be
 * tried before your projections work; the last two tests put everything
 * together, as an application would.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/codec.h>
#include <esk/projection.h>
#include <esk/store.h>
#include <esk/testing.h>

#include "exercise.h"
#include "read_models.h"
#include "test_projections.h"

#define CATALOGUE_ROWS                                                         \
    "SELECT workshop_id, title, starts_on, seats_left, waitlist_length "       \
    "FROM catalogue ORDER BY workshop_id"
#define AGENDA_ROWS                                                            \
    "SELECT attendee_id, workshop_id, title, starts_on, place "                \
    "FROM agenda ORDER BY attendee_id, workshop_id"

/* --- The story of a spec: one helper per event ---------------------------- */

/* "workshop-w-1" for "w-1". */
const char *suite_stream_of(const char *workshop_id, char *buf, size_t size)
{
    snprintf(buf, size, "workshop-%s", workshop_id);
    return buf;
}

static void given_scheduled(esk_projection_spec *spec, const char *workshop_id,
                            const char *title, const char *starts_on,
                            int64_t capacity)
{
    char stream[ID_SIZE + 16];
    workshop_scheduled e = {.capacity = capacity};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.title, sizeof(e.title), "%s", title);
    snprintf(e.starts_on, sizeof(e.starts_on), "%s", starts_on);
    esk_projection_spec_given(
        spec, suite_stream_of(workshop_id, stream, sizeof(stream)),
        &workshop_scheduled_type, &e);
}

static void given_registered(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    attendee_registered e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", attendee_id);
    esk_projection_spec_given(
        spec, suite_stream_of(workshop_id, stream, sizeof(stream)),
        &attendee_registered_type, &e);
}

static void given_waitlisted(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    attendee_waitlisted e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", attendee_id);
    esk_projection_spec_given(
        spec, suite_stream_of(workshop_id, stream, sizeof(stream)),
        &attendee_waitlisted_type, &e);
}

static void given_cancelled(esk_projection_spec *spec, const char *workshop_id,
                            const char *attendee_id, bool was_waitlisted)
{
    char stream[ID_SIZE + 16];
    registration_cancelled e = {.was_waitlisted = was_waitlisted};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_projection_spec_given(
        spec, suite_stream_of(workshop_id, stream, sizeof(stream)),
        &registration_cancelled_type, &e);
}

static void given_promoted(esk_projection_spec *spec, const char *workshop_id,
                           const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    waitlisted_attendee_promoted e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_projection_spec_given(
        spec, suite_stream_of(workshop_id, stream, sizeof(stream)),
        &waitlisted_attendee_promoted_type, &e);
}

/* --- The catalogue projection --------------------------------------------- */

static void
a_scheduled_workshop_enters_the_catalogue_with_every_seat_free(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 12);
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|12|0");
    esk_projection_spec_hint(
        spec, "On WorkshopScheduled, insert the workshop's row: its id, "
              "title and date, all its capacity as seats_left, nobody "
              "waiting, and the event's position as last_position. "
              "decode_workshop_event() gives you the event as a struct. "
              "Delivered twice, the same event must not fail: INSERT OR "
              "IGNORE leaves a row that is already there as it is.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void each_registration_takes_a_seat_then_a_place_in_line(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 2);
    given_registered(spec, "w-1", "ada");
    given_registered(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|0|1");
    esk_projection_spec_hint(
        spec, "AttendeeRegistered: one seat less; AttendeeWaitlisted: one "
              "more waiting. If only the run with every event applied twice "
              "fails, counting counted twice: guard each UPDATE with "
              "\"AND last_position < ?\" (the event's position) and set "
              "last_position to it, so that an event seen before finds "
              "nothing to change.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_cancellation_gives_back_a_seat_or_a_place_in_line(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    given_cancelled(spec, "w-1", "bob", true);
    given_cancelled(spec, "w-1", "ada", false);
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|1|1");
    esk_projection_spec_hint(
        spec, "RegistrationCancelled says which: wasWaitlisted true gives "
              "back a place in line (waitlist_length - 1), false gives back "
              "a seat (seats_left + 1).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_promotion_turns_a_place_in_line_into_a_seat(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_cancelled(spec, "w-1", "ada", false);
    given_promoted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|0|0");
    esk_projection_spec_hint(
        spec, "WaitlistedAttendeePromoted: one waiting less and one seat "
              "less, in one UPDATE (both changes, one guard).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void every_workshop_has_a_row_of_its_own(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 2);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_registered(spec, "w-2", "ada");
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-2", "bob");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|1|0\n"
                                    "w-2|DDD Distilled|2026-11-15|0|1");
    esk_projection_spec_hint(
        spec, "Each event changes the row of its own workshop: WHERE "
              "workshop_id = the event's workshopId. The guard compares "
              "positions row by row: a row's last_position is the last event "
              "of that workshop it applied.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_workshop_id_with_a_quote_is_data_not_sql(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "o'neil-1", "Event Sourcing 101", "2026-12-01", 2);
    given_registered(spec, "o'neil-1", "ada");
    given_waitlisted(spec, "o'neil-1", "bob");
    esk_projection_spec_expect_rows(
        spec, CATALOGUE_ROWS, "o'neil-1|Event Sourcing 101|2026-12-01|1|1");
    esk_projection_spec_hint(
        spec, "The workshop id comes from an event, and may hold a quote. "
              "snprintf() may build the SET part, which is the code's own "
              "text; the id is data: leave it as ?1 in the SQL and give it "
              "with SQL_TEXT(). Pasted into the text, a quote breaks the "
              "statement (or, chosen by someone, changes it).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

/* --- The agenda projection ------------------------------------------------ */

static void
a_registration_puts_the_workshop_on_the_attendees_agenda(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "bob|w-1|Event Sourcing 101|2026-12-01|waitlist");
    esk_projection_spec_hint(
        spec, "A registration carries no title: note each workshop's title "
              "and date in agenda_workshops on WorkshopScheduled, and copy "
              "them into the agenda row: INSERT OR REPLACE INTO agenda "
              "SELECT ?1, workshop_id, title, starts_on, 'seat' FROM "
              "agenda_workshops WHERE workshop_id = ?2.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
an_agenda_gathers_rows_from_the_streams_of_many_workshops(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_registered(spec, "w-1", "ada");
    given_registered(spec, "w-2", "bob");
    given_waitlisted(spec, "w-2", "ada");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "ada|w-2|DDD Distilled|2026-11-15|waitlist\n"
        "bob|w-2|DDD Distilled|2026-11-15|seat");
    esk_projection_spec_hint(
        spec, "Ada's rows come from two streams, workshop-w-1 and "
              "workshop-w-2: the agenda is keyed by attendee AND workshop, "
              "so that each registration has its own row.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
a_promotion_gives_a_seat_and_a_cancellation_removes_the_row(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_cancelled(spec, "w-1", "ada", false);
    given_promoted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS, "bob|w-1|Event Sourcing 101|2026-12-01|seat");
    esk_projection_spec_hint(
        spec, "WaitlistedAttendeePromoted: UPDATE agenda SET place = 'seat' "
              "for that attendee and workshop. RegistrationCancelled: DELETE "
              "that row. Both are idempotent as they are: they set, they do "
              "not count.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
a_promotion_or_a_cancellation_changes_one_row_of_the_agenda(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_scheduled(spec, "w-3", "CQRS in Practice", "2027-01-20", 1);
    given_registered(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "ada");
    given_registered(spec, "w-2", "cleo");
    given_waitlisted(spec, "w-2", "ada");
    given_registered(spec, "w-3", "ada");
    given_cancelled(spec, "w-1", "bob", false);
    given_promoted(spec, "w-1", "ada");
    given_cancelled(spec, "w-3", "ada", false);
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "ada|w-2|DDD Distilled|2026-11-15|waitlist\n"
        "cleo|w-2|DDD Distilled|2026-11-15|seat");
    esk_projection_spec_hint(
        spec, "Ada was promoted at w-1 and still waits at w-2; she cancelled "
              "w-3 and keeps the other two. An event of one workshop changes "
              "that workshop's row only: the promotion's UPDATE and the "
              "cancellation's DELETE need WHERE attendee_id = ? AND "
              "workshop_id = ?.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_scheduled_workshop_enters_the_catalogue_with_every_seat_free),
        cmocka_unit_test(each_registration_takes_a_seat_then_a_place_in_line),
        cmocka_unit_test(a_cancellation_gives_back_a_seat_or_a_place_in_line),
        cmocka_unit_test(a_promotion_turns_a_place_in_line_into_a_seat),
        cmocka_unit_test(every_workshop_has_a_row_of_its_own),
        cmocka_unit_test(a_workshop_id_with_a_quote_is_data_not_sql),
        cmocka_unit_test(
            a_registration_puts_the_workshop_on_the_attendees_agenda),
        cmocka_unit_test(
            an_agenda_gathers_rows_from_the_streams_of_many_workshops),
        cmocka_unit_test(
            a_promotion_gives_a_seat_and_a_cancellation_removes_the_row),
        cmocka_unit_test(
            a_promotion_or_a_cancellation_changes_one_row_of_the_agenda),
        cmocka_unit_test(the_catalogue_lists_workshops_soonest_first),
        cmocka_unit_test(
            the_catalogue_fills_no_more_entries_than_there_is_room_for),
        cmocka_unit_test(an_agenda_lists_one_attendees_workshops_soonest_first),
        cmocka_unit_test(an_attendee_with_no_registration_has_an_empty_agenda),
        cmocka_unit_test(
            an_agenda_fills_no_more_entries_than_there_is_room_for),
        cmocka_unit_test(workshops_on_the_same_day_are_listed_by_id),
        cmocka_unit_test(an_empty_catalogue_lists_nothing),
        cmocka_unit_test(a_query_that_fails_midway_says_so),
        cmocka_unit_test(
            inline_projections_keep_the_read_model_in_step_with_the_events),
        cmocka_unit_test(an_event_a_projection_cannot_read_fails_the_append),
        cmocka_unit_test(queries_read_the_read_model_and_nothing_else),
    };
    return cmocka_run_group_tests_name("09-projections", tests, NULL, NULL);
}
