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

static esk_store *open_store(const char *path)
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

static int64_t schedule(esk_store *store, const char *workshop_id,
                        int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP,
                          .title = "Event Sourcing 101",
                          .starts_on = "2026-12-01",
                          .capacity = capacity};
    copy_text(c.workshop_id, sizeof(c.workshop_id), workshop_id);
    return send(store, c);
}

static int64_t enrol(esk_store *store, const char *attendee_id)
{
    workshop_command c = {
        .kind = REGISTER_ATTENDEE, .workshop_id = "w-1", .name = "Someone"};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    exercise_say("command: register %s on w-1", attendee_id);
    return send(store, c);
}

static int64_t cancel(esk_store *store, const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION, .workshop_id = "w-1"};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    return send(store, c);
}

static int64_t promote(esk_store *store)
{
    return send(store, (workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                          .workshop_id = "w-1"});
}

static esk_catchup *new_runner(esk_store *store,
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

static esk_catchup_status run(esk_catchup *catchup, const char *hint)
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

static esk_catchup_status status_of(esk_catchup *catchup)
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
static seats_row query(esk_store *store)
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
static void read_all(esk_store *store, char *buf, size_t size)
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
    esk_store *store = open_store(":memory:");
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
    esk_store *store = open_store(":memory:");
    esk_catchup *first = new_runner(store, &seats_projection);

    /* A row, as a run of the first runner would have written it. */
    int rc = sqlite3_exec(esk_store_sqlite_db(store),
                          "INSERT INTO seats VALUES('w-1', 'Event Sourcing "
                          "101', 3, 1, 0, 2)",
                          NULL, NULL, NULL);
    check_int(rc, SQLITE_OK,
              "seats_setup() creates the table of read_model.h, with its six "
              "columns in that order.");

    esk_catchup *second = new_runner(store, &seats_projection);
    check_int(query(store).taken, 1,
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

/* --- The runner ---------------------------------------------------------- */

static void running_catches_up_and_writes_the_checkpoint(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    enrol(store, "bob");
    enrol(store, "cleo");
    esk_catchup *catchup = new_runner(store, &seats_projection);

    esk_catchup_status before = status_of(catchup);
    check_int(before.lag, 4,
              "Four events, none applied yet: the read model is 4 behind.");
    check_int(query(store).capacity, 0,
              "Before the first run the read model has no row for w-1: the "
              "events are in the store, the projection has not seen them.");

    esk_catchup_status after =
        run(catchup, "The run applies the four events with seats_handle(), "
                     "which returns ESK_OK for each.");
    check_int(after.applied, 4,
              "The run applies every event after the "
              "checkpoint: four.");
    check_int(after.checkpoint, 4,
              "The checkpoint is the position of the last event applied.");
    check_int(after.lag, 0, "Caught up: the lag is 0.");

    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(store, ESK_RECORD_CHECKPOINT, "seats",
                                         &record, &owned);
    check_status(rc, ESK_OK,
                 "The checkpoint is a record of the store, under the "
                 "projection's name, written in the batch's transaction.");
    check_int(record.at, 4, "The record holds the position: 4.");
    check_int(record.tag, 1, "...and the projection's version: 1.");
    esk_free(owned);

    seats_row row = query(store);
    check_int(row.free, 0, "ada and bob have the two seats.");
    check_int(row.waiting, 1, "cleo waits.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void running_again_applies_nothing(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The first run applies the two events.");

    esk_catchup_status again = run(catchup, "A run with nothing new is fine.");
    check_int(again.applied, 0,
              "Nothing was written since the last run: the checkpoint is at "
              "the head, and there is nothing to apply.");
    check_int(query(store).taken, 1, "ada still has one seat, counted once.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void a_restarted_runner_resumes_at_its_checkpoint(void **state)
{
    (void)state;
    const char *path = "10-catch-up.db";
    remove(path);
    remove("10-catch-up.db-wal");
    remove("10-catch-up.db-shm");

    esk_store *store = open_store(path);
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The first process applies the two events.");
    esk_catchup_free(catchup);
    esk_store_free(store);

    exercise_say("the process stops; another one starts on the same file");
    store = open_store(path);
    enrol(store, "bob");
    catchup = new_runner(store, &seats_projection);
    esk_catchup_status status =
        run(catchup, "The new runner goes on from the checkpoint.");
    check_int(status.applied, 1,
              "The checkpoint survived the restart, in the same file as the "
              "rows: only bob's registration is new.");
    check_int(query(store).taken, 2,
              "ada and bob, each counted once: the rows and the checkpoint "
              "were committed together.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

/* --- Eventual consistency, and reading your own writes ------------------- */

static void a_query_right_after_a_command_is_stale_until_the_run(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The run applies the two events.");

    enrol(store, "bob");
    check_int(query(store).free, 1,
              "bob is registered, yet the query still says 1 seat free: the "
              "read model is only as fresh as its last run.");
    check_int(status_of(catchup).lag, 1,
              "The lag shows it: one event written, not applied.");

    run(catchup, "The run applies bob's registration.");
    check_int(query(store).free, 0, "After the run, the query sees bob.");
    check_int(status_of(catchup).lag, 0, "Caught up again.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void waiting_for_the_commands_position_shows_its_effect(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The run applies the two events.");

    int64_t position = enrol(store, "bob");
    exercise_say("bob waits for the read model to reach @%lld",
                 (long long)position);
    esk_status rc = wait_until_caught_up(catchup, position);
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("esk_errmsg(): %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The read model is behind bob's registration: run the "
                 "projection (esk_catchup_run) and return what it returns.");
    check_true(status_of(catchup).checkpoint >= position,
               "After the wait the checkpoint is at or past the command's "
               "position.");
    check_int(query(store).free, 0,
              "bob reads his own write: no seat left, and one of them his.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void waiting_for_a_position_already_reached_runs_nothing(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    int64_t ada = enrol(store, "ada");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The run applies the two events.");
    enrol(store, "bob");

    esk_status rc = wait_until_caught_up(catchup, ada);
    check_status(rc, ESK_OK,
                 "ada's registration is applied already: the read model is "
                 "fresh enough for her, ESK_OK.");
    check_int(status_of(catchup).lag, 1,
              "...and nothing was run: bob's registration is still to "
              "apply. Ask esk_catchup_status_get() first, and run only when "
              "the checkpoint is before the position: catching up is the "
              "projection's job, the query only waits as long as it must.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void waiting_for_a_position_never_written_is_refused(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    esk_catchup *catchup = new_runner(store, &seats_projection);

    esk_status rc = wait_until_caught_up(catchup, 99);
    check_status(rc, ESK_EINVAL,
                 "Position 99 is past the store's head (status.head): nothing "
                 "was written there, and a wait for it would never end. "
                 "Refuse it with ESK_EINVAL.");
    check_true(esk_errmsg()[0] != '\0',
               "Say why in the last error, with esk_error_set(): the "
               "caller sees only ESK_EINVAL otherwise, and cannot tell "
               "which position was wrong.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void waiting_behind_an_event_that_cannot_be_read_says_so(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    /* @2: a registration without its attendeeId, in another workshop's
     * stream, written by a buggy service. */
    const esk_new_event broken = {
        .type = "AttendeeRegistered",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-2\",\"name\":\"Nobody\"}"};
    check_status(
        esk_store_append(store, "workshop-w-2", ESK_ANY, &broken, 1, NULL),
        ESK_OK, "The test appends an event with bad data.");
    int64_t position = enrol(store, "bob");
    esk_catchup *catchup = new_runner(store, &seats_projection);

    exercise_say("bob waits for the read model to reach @%lld",
                 (long long)position);
    esk_status rc = wait_until_caught_up(catchup, position);
    exercise_say("wait: %s", esk_errmsg());
    check_status(rc, ESK_ECALLBACK,
                 "The run stopped at @2, before bob's registration: the read "
                 "model does not show it, and will not until someone fixes "
                 "the cause. Return what esk_catchup_run() returns: an "
                 "ESK_OK here would tell bob that the query shows his "
                 "write.");
    check_int(status_of(catchup).checkpoint, 1,
              "The projection is stuck before @2.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

/* --- Redelivery, rebuilds, failures -------------------------------------- */

static void redelivered_events_are_counted_once(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");
    enrol(store, "bob");
    enrol(store, "cleo");
    esk_catchup *catchup = new_runner(store, &seats_projection);
    run(catchup, "The run applies the four events.");

    /* What an operator does to replay a stretch of events, and what a
     * crash between the read model and its checkpoint would do on a
     * store without transactions: the checkpoint goes back to @1. */
    exercise_say("the checkpoint is put back to @1");
    const esk_record back = {"seats", 1, 1, "{}"};
    check_status(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &back),
                 ESK_OK, "The test puts the checkpoint back.");

    esk_catchup_status status = run(catchup, "The run applies @2 to @4 again.");
    check_int(status.applied, 3, "Events @2, @3 and @4 came a second time.");
    seats_row row = query(store);
    check_int(row.taken, 2,
              "ada and bob are counted once, though their events came twice: "
              "each UPDATE only touches a row whose last_position is before "
              "the event's position, and sets it to that position.");
    check_int(row.waiting, 1, "cleo waits, counted once.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

/* Version 1 of the projection had a bug: it ignored promotions. */
static esk_status forgets_promotions(void *ctx, esk_store *store,
                                     const esk_event *event)
{
    if (strcmp(event->type, "WaitlistedAttendeePromoted") == 0)
        return ESK_OK;
    return seats_handle(ctx, store, event);
}

static void
a_new_version_rebuilds_the_read_model_like_a_clean_build(void **state)
{
    (void)state;
    char rebuilt[512];
    char clean[512];
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 1);
    enrol(store, "ada");
    enrol(store, "bob");
    cancel(store, "ada");
    promote(store);
    /* An event after the promotion: version 1 moves w-1's last_position
     * past the promotion it ignored. */
    enrol(store, "cleo");

    esk_projection buggy = seats_projection;
    buggy.handle = forgets_promotions;
    esk_catchup *v1 = new_runner(store, &buggy);
    run(v1, "Version 1 runs.");
    check_int(query(store).waiting, 2,
              "Version 1 ignored promotions: bob waits for ever, in the read "
              "model, and cleo behind him.");
    esk_catchup_free(v1);

    exercise_say("version 2 fixes the bug: the read model is rebuilt");
    esk_projection fixed = seats_projection;
    fixed.version = 2;
    esk_catchup *v2 = new_runner(store, &fixed);
    esk_catchup_status status =
        run(v2, "A run that finds a checkpoint of version 1 calls "
                "seats_reset(), then applies every event: the table must be "
                "there again after the reset (seats_setup()).");
    check_true(status.rebuilt, "The run saw the new version and rebuilt.");
    check_int(status.applied, 6, "A rebuild applies every event, from @1.");
    read_all(store, rebuilt, sizeof(rebuilt));
    esk_catchup_free(v2);
    esk_store_free(store);

    /* The same story, on a new store, applied once by version 2. */
    store = open_store(":memory:");
    schedule(store, "w-1", 1);
    enrol(store, "ada");
    enrol(store, "bob");
    cancel(store, "ada");
    promote(store);
    enrol(store, "cleo");
    esk_catchup *once = new_runner(store, &fixed);
    run(once, "A clean build runs.");
    read_all(store, clean, sizeof(clean));
    esk_catchup_free(once);
    esk_store_free(store);

    check_string(rebuilt, clean,
                 "The rebuilt read model is the one a clean build makes: "
                 "seats_reset() must leave nothing of version 1 behind (DROP "
                 "TABLE IF EXISTS seats, then seats_setup()). A row kept "
                 "from version 1 has seen cleo's registration, so its guard "
                 "turns every event of the rebuild away, and version 1's "
                 "wrong counts stay.");
    check_string(clean, "w-1|Event Sourcing 101|1|1|1\n",
                 "bob has the seat; cleo waits.");
}

static void a_rebuild_gives_the_read_model_its_new_layout(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    enrol(store, "ada");

    /* What version 1 of the projection left: another layout, and its
     * checkpoint at @2. */
    int rc = sqlite3_exec(esk_store_sqlite_db(store),
                          "CREATE TABLE seats(workshop_id TEXT PRIMARY KEY, "
                          "free INTEGER NOT NULL, "
                          "last_position INTEGER NOT NULL);"
                          "INSERT INTO seats VALUES('w-1', 1, 2);",
                          NULL, NULL, NULL);
    check_int(rc, SQLITE_OK, "The test writes version 1's table.");
    const esk_record v1 = {"seats", 2, 1, "{}"};
    check_status(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &v1),
                 ESK_OK, "The test writes version 1's checkpoint.");

    exercise_say("version 2 has the six columns of read_model.h: rebuilt");
    esk_projection v2 = seats_projection;
    v2.version = 2;
    esk_catchup *catchup = new_runner(store, &v2);
    esk_catchup_status status =
        run(catchup, "Version 1's table has three columns; version 2 writes "
                     "six. seats_setup() keeps a table that is there (IF "
                     "NOT EXISTS), so only seats_reset() can change the "
                     "layout: DROP TABLE IF EXISTS seats, then "
                     "seats_setup(). Emptying the table (DELETE FROM) keeps "
                     "the old columns, and the first INSERT fails.");
    check_true(status.rebuilt, "The run saw the new version and rebuilt.");
    seats_row row = query(store);
    check_int(row.capacity, 2, "The new layout has the capacity...");
    check_int(row.taken, 1, "...and ada's seat, counted from @1.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

static void an_event_that_cannot_be_read_stops_the_run_there(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:");
    schedule(store, "w-1", 2);
    /* @2: a registration without its attendeeId, written by a buggy
     * service that did not go through the codec. */
    const esk_new_event broken = {
        .type = "AttendeeRegistered",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-2\",\"name\":\"Nobody\"}"};
    check_status(
        esk_store_append(store, "workshop-w-2", ESK_ANY, &broken, 1, NULL),
        ESK_OK, "The test appends an event with bad data.");
    enrol(store, "bob");
    esk_catchup *catchup = new_runner(store, &seats_projection);

    esk_catchup_status status = {0};
    esk_status rc = esk_catchup_run(catchup, &status);
    exercise_say("run: %s", esk_errmsg());
    check_status(rc, ESK_ECALLBACK,
                 "seats_handle() cannot decode @2: return the failure of "
                 "esk_codec_decode_event(). A handler that says ESK_OK for an "
                 "event it could not read skips it for ever, and nobody "
                 "knows the read model is wrong.");
    check_int(status.failed_position, 2, "The run stopped at @2.");
    check_int(status.checkpoint, 1,
              "The checkpoint is just before the event that failed: @1 is "
              "kept, @2 will come again.");
    check_contains(esk_errmsg(), "attendeeId",
                   "Return esk_codec_decode_event()'s failure as it came: its "
                   "message names the field, and the runner's message quotes "
                   "it for whoever has to fix it.");
    check_int(query(store).taken, 0,
              "bob's registration (@3) is not applied: nothing is skipped, "
              "so nothing after @2 is either.");

    rc = esk_catchup_run(catchup, &status);
    check_status(rc, ESK_ECALLBACK,
                 "Running again stops at @2 again: it is not skipped. (To go "
                 "on, fix the cause: the handler, or the data with an "
                 "upcaster.)");
    check_int(status_of(catchup).lag, 2,
              "The lag stays at 2 and grows with every command: the number "
              "to watch, and to alert on.");

    esk_catchup_free(catchup);
    esk_store_free(store);
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
