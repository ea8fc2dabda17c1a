/*
 * test_catch_up.c - a read model that follows the events, behind them.
 *
 * First the projection alone, as specs: given these events, the seats
 * table holds these rows (each spec also applies every event twice, and
 * must get the same rows). Then the projection run by a catch-up runner
 * on a SQLite store, next to the commands that write the events: the
 * checkpoint, the lag, reading your own writes, redelivery, rebuilds,
 * and a run that stops at an event it cannot read.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/testing.h>

#include "exercise.h"
#include "read_model.h"
#include "seats.h"
#include "test_catch_up.h"
#include "wait.h"
#include "workshop.h"

#define ROWS_SQL                                                               \
    "SELECT workshop_id, title, capacity, taken, waiting FROM seats "          \
    "ORDER BY workshop_id"

/* --- Specs: given events, then rows -------------------------------------- */

static void given_scheduled(esk_projection_spec *spec, const char *workshop_id,
                            int64_t capacity)
{
    workshop_scheduled e = {.title = "Event Sourcing 101",
                            .starts_on = "2026-12-01",
                            .capacity = capacity};
    char stream_id[80];
    copy_text(e.workshop_id, sizeof(e.workshop_id), workshop_id);
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", workshop_id);
    esk_projection_spec_given(spec, stream_id, &workshop_scheduled_type, &e);
}

static void given_registered(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    attendee_registered e = {.name = "Someone"};
    char stream_id[80];
    copy_text(e.workshop_id, sizeof(e.workshop_id), workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", workshop_id);
    esk_projection_spec_given(spec, stream_id, &attendee_registered_type, &e);
}

static void given_waitlisted(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    attendee_waitlisted e = {.name = "Someone"};
    char stream_id[80];
    copy_text(e.workshop_id, sizeof(e.workshop_id), workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", workshop_id);
    esk_projection_spec_given(spec, stream_id, &attendee_waitlisted_type, &e);
}

static void given_cancelled(esk_projection_spec *spec, const char *attendee_id,
                            bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = "w-1",
                                .was_waitlisted = was_waitlisted};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_projection_spec_given(spec, "workshop-w-1",
                              &registration_cancelled_type, &e);
}

static void given_promoted(esk_projection_spec *spec, const char *attendee_id)
{
    waitlisted_attendee_promoted e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    esk_projection_spec_given(spec, "workshop-w-1",
                              &waitlisted_attendee_promoted_type, &e);
}

/* --- On a store: commands, runner, queries ------------------------------- */

esk_store *suite_open_store(const char *path)
{
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, NULL);
    if (rc != ESK_OK)
        print_error("esk_store_open_sqlite said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The test opens a SQLite store.");
    exercise_watch_store(store);
    return store;
}

/* Handle a command with the workshop decider; the position of its last
 * event, as a command handler returns it to its caller. */
static int64_t send(esk_store *store, workshop_command command)
{
    esk_handle_result result = {0};
    esk_status rc =
        esk_decider_handle(&workshop_decider, store, command.workshop_id,
                           &command, NULL, NULL, &result);
    if (rc != ESK_OK)
        print_error("the command failed: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The test's commands are accepted by the (provided) "
                 "decider: if this fails, the store is not as the test "
                 "expects.");
    return result.position;
}

int64_t suite_schedule(esk_store *store, const char *workshop_id,
                       int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP,
                          .title = "Event Sourcing 101",
                          .starts_on = "2026-12-01",
                          .capacity = capacity};
    copy_text(c.workshop_id, sizeof(c.workshop_id), workshop_id);
    return send(store, c);
}

int64_t suite_enrol(esk_store *store, const char *attendee_id)
{
    workshop_command c = {
        .kind = REGISTER_ATTENDEE, .workshop_id = "w-1", .name = "Someone"};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    exercise_say("command: register %s on w-1", attendee_id);
    return send(store, c);
}

int64_t suite_cancel(esk_store *store, const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION, .workshop_id = "w-1"};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    return send(store, c);
}

int64_t suite_promote(esk_store *store)
{
    return send(store, (workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                          .workshop_id = "w-1"});
}

esk_catchup *suite_new_runner(esk_store *store,
                              const esk_projection *projection)
{
    esk_catchup *catchup = NULL;
    esk_status rc = esk_catchup_new(&catchup, store, projection, NULL);
    if (rc != ESK_OK)
        print_error("esk_catchup_new said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "esk_catchup_new() calls seats_setup(), which creates the "
                 "seats table if it is not there (CREATE TABLE IF NOT "
                 "EXISTS) and returns ESK_OK.");
    return catchup;
}

esk_catchup_status suite_run(esk_catchup *catchup, const char *hint)
{
    esk_catchup_status status = {0};
    esk_status rc = esk_catchup_run(catchup, &status);
    if (rc != ESK_OK)
        print_error("esk_catchup_run said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    exercise_say("run: %zu event(s) applied, checkpoint @%lld", status.applied,
                 (long long)status.checkpoint);
    return status;
}

esk_catchup_status suite_status_of(esk_catchup *catchup)
{
    esk_catchup_status status = {0};
    esk_status rc = esk_catchup_status_get(catchup, &status);
    check_status(rc, ESK_OK, "esk_catchup_status_get() reads the checkpoint.");
    exercise_say("status: checkpoint @%lld, head @%lld: lag %lld",
                 (long long)status.checkpoint, (long long)status.head,
                 (long long)status.lag);
    return status;
}

/* What a query answers about w-1 now; a zero row when there is none. */
seats_row suite_query(esk_store *store)
{
    esk_read_model *read_model = NULL;
    seats_row row = {0};
    esk_status rc = esk_read_model_open(&read_model, store);
    check_status(rc, ESK_OK, "The test opens the query side.");
    rc = seats_query(read_model, "w-1", &row);
    if (rc != ESK_OK && rc != ESK_ENOTFOUND)
        print_error("seats_query said: %s\n", esk_errmsg());
    check_true(rc == ESK_OK || rc == ESK_ENOTFOUND,
               "seats_query() reads the seats table that seats_setup() "
               "creates.");
    esk_read_model_free(read_model);
    exercise_say("query: w-1 has %lld seat(s) free, %lld waiting",
                 (long long)row.free, (long long)row.waiting);
    return row;
}

/* The whole read model as text, one "id|title|capacity|taken|waiting"
 * line per workshop. */
void suite_read_all(esk_store *store, char *buf, size_t size)
{
    esk_read_model *read_model = NULL;
    sqlite3_stmt *stmt = NULL;
    size_t used = 0;
    buf[0] = '\0';
    check_status(esk_read_model_open(&read_model, store), ESK_OK,
                 "The test opens the query side.");
    check_status(esk_read_model_prepare(read_model, ROWS_SQL, &stmt), ESK_OK,
                 "The seats table has the columns of read_model.h.");
    while (sqlite3_step(stmt) == SQLITE_ROW && used < size) {
        int n = snprintf(buf + used, size - used, "%s|%s|%lld|%lld|%lld\n",
                         (const char *)sqlite3_column_text(stmt, 0),
                         (const char *)sqlite3_column_text(stmt, 1),
                         (long long)sqlite3_column_int64(stmt, 2),
                         (long long)sqlite3_column_int64(stmt, 3),
                         (long long)sqlite3_column_int64(stmt, 4));
        used += n > 0 ? (size_t)n : 0;
    }
    sqlite3_finalize(stmt);
    esk_read_model_free(read_model);
}

/* A spec of the seats projection on SQLite. Each run of a spec calls
 * seats_reset() on a new store, which has no seats table yet, then
 * seats_setup(): check that first, for a message about reset itself. */
static esk_projection_spec *new_spec(void)
{
    esk_store *store = suite_open_store(":memory:");
    esk_status rc = seats_reset(NULL, store);
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("seats_reset said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Each spec starts with seats_reset() on a new store, which "
                 "has no seats table yet: DROP TABLE IF EXISTS seats, then "
                 "return seats_setup(ctx, store).");
    esk_store_free(store);
    return esk_projection_spec_new(&seats_projection, true);
}

/* --- setup --------------------------------------------------------------- */

static void
setup_creates_the_table_and_keeps_it_for_the_next_runner(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    esk_catchup *first = suite_new_runner(store, &seats_projection);

    /* A row, as a run of the first runner would have written it. */
    int rc = sqlite3_exec(esk_store_sqlite_db(store),
                          "INSERT INTO seats VALUES('w-1', 'Event Sourcing "
                          "101', 3, 1, 0, 2)",
                          NULL, NULL, NULL);
    check_int(rc, SQLITE_OK,
              "seats_setup() creates the table of read_model.h, with its six "
              "columns in that order.");

    esk_catchup *second = suite_new_runner(store, &seats_projection);
    check_int(suite_query(store).taken, 1,
              "A second runner calls seats_setup() again: CREATE TABLE IF "
              "NOT EXISTS keeps the table and its rows (a DROP here would "
              "lose the read model at every start).");

    esk_catchup_free(second);
    esk_catchup_free(first);
    esk_store_free(store);
}

/* --- The projection, as specs -------------------------------------------- */

static void a_scheduled_workshop_has_all_its_seats_free(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "w-1", 3);
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "w-1|Event Sourcing 101|3|0|0");
    esk_projection_spec_hint(
        spec, "WorkshopScheduled makes its workshop's row: INSERT OR IGNORE "
              "INTO seats VALUES(:workshop, :title, :capacity, 0, 0, "
              ":position), with the decoded event's fields and "
              "event->position.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void registrations_take_seats_and_the_others_wait(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "w-1", 2);
    given_registered(spec, "w-1", "ada");
    given_registered(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "w-1|Event Sourcing 101|2|2|1");
    esk_projection_spec_hint(
        spec,
        "AttendeeRegistered is taken + 1, AttendeeWaitlisted is waiting + "
        "1, on the row of the event's workshopId. Applied twice, an "
        "event must count once: UPDATE seats SET taken = taken + 1, "
        "last_position = :position WHERE workshop_id = :workshop AND "
        "last_position < :position");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_cancellation_frees_a_seat_or_a_place_in_line(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "w-1", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    given_cancelled(spec, "ada", false);
    given_cancelled(spec, "cleo", true);
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "w-1|Event Sourcing 101|1|0|1");
    esk_projection_spec_hint(
        spec, "RegistrationCancelled: wasWaitlisted says which count goes "
              "down. ada's seat is free (taken - 1), cleo leaves the line "
              "(waiting - 1).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_promotion_moves_someone_from_the_line_to_a_seat(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "w-1", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_cancelled(spec, "ada", false);
    given_promoted(spec, "bob");
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "w-1|Event Sourcing 101|1|1|0");
    esk_projection_spec_hint(
        spec, "WaitlistedAttendeePromoted is one change to the row: waiting "
              "- 1 and taken + 1 in the same UPDATE.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void each_workshop_counts_its_own_events(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "w-1", 2);
    given_scheduled(spec, "w-2", 5);
    given_registered(spec, "w-2", "ada");
    given_registered(spec, "w-1", "bob");
    given_registered(spec, "w-2", "cleo");
    esk_projection_spec_given(
        spec, "workshop-w-1", &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "w-1|Event Sourcing 101|2|1|0\n"
                                    "w-2|Event Sourcing 101|5|2|0");
    esk_projection_spec_hint(
        spec, "One row per workshop: each UPDATE touches the row WHERE "
              "workshop_id = :workshop, with .workshop = e.workshop_id of the "
              "decoded event.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_workshop_id_with_a_quote_is_data_not_sql(void **state)
{
    (void)state;
    esk_projection_spec *spec = new_spec();
    given_scheduled(spec, "o'neil-1", 2);
    given_registered(spec, "o'neil-1", "ada");
    given_waitlisted(spec, "o'neil-1", "bob");
    esk_projection_spec_expect_rows(spec, ROWS_SQL,
                                    "o'neil-1|Event Sourcing 101|2|1|1");
    esk_projection_spec_hint(
        spec, "The workshop id comes from an event, and may hold a quote. "
              "snprintf() builds the SET part, which is the code's own "
              "text; the id is data: leave it as :workshop in the SQL and "
              "give it in the sql_values. Pasted into the text, a quote "
              "breaks the statement (or, chosen by someone, changes it).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            setup_creates_the_table_and_keeps_it_for_the_next_runner),
        cmocka_unit_test(a_scheduled_workshop_has_all_its_seats_free),
        cmocka_unit_test(registrations_take_seats_and_the_others_wait),
        cmocka_unit_test(a_cancellation_frees_a_seat_or_a_place_in_line),
        cmocka_unit_test(a_promotion_moves_someone_from_the_line_to_a_seat),
        cmocka_unit_test(each_workshop_counts_its_own_events),
        cmocka_unit_test(a_workshop_id_with_a_quote_is_data_not_sql),
        cmocka_unit_test(running_catches_up_and_writes_the_checkpoint),
        cmocka_unit_test(running_again_applies_nothing),
        cmocka_unit_test(a_restarted_runner_resumes_at_its_checkpoint),
        cmocka_unit_test(a_query_right_after_a_command_is_stale_until_the_run),
        cmocka_unit_test(waiting_for_the_commands_position_shows_its_effect),
        cmocka_unit_test(waiting_for_a_position_already_reached_runs_nothing),
        cmocka_unit_test(waiting_for_a_position_never_written_is_refused),
        cmocka_unit_test(waiting_behind_an_event_that_cannot_be_read_says_so),
        cmocka_unit_test(redelivered_events_are_counted_once),
        cmocka_unit_test(
            a_new_version_rebuilds_the_read_model_like_a_clean_build),
        cmocka_unit_test(a_rebuild_gives_the_read_model_its_new_layout),
        cmocka_unit_test(an_event_that_cannot_be_read_stops_the_run_there),
    };
    return cmocka_run_group_tests_name("10-catch-up", tests, NULL, NULL);
}
