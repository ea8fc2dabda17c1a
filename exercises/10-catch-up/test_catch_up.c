/*
 * test_catch_up.c - a catch-up runner that applies each event exactly
 * once.
 *
 * The projection (seats.c, provided) counts, and is not idempotent: an
 * event applied twice counts twice, an event skipped is missing for ever.
 * So every test here reads the rows and the checkpoint together. First
 * the checkpoint, then a run, its batches, a restart; then
 * (test_catch_up_failures.c) what must happen when something fails in
 * the middle.
 */
/* mkstemp, fork, _exit */
#define _POSIX_C_SOURCE 200809L

#include "test_catch_up.h"

#include <unistd.h>

/* --- A store and its commands -------------------------------------------- */

esk_store *suite_open_store(const char *path)
{
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, NULL);
    if (rc != ESK_OK)
        print_error("esk_store_open_sqlite said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The test opens a SQLite store.");
    exercise_watch_store(store);
    check_status(seats_setup(NULL, store), ESK_OK,
                 "The test creates the seats table (seats_setup(), "
                 "provided).");
    return store;
}

/* Handle a command with the workshop decider; the position of its last
 * event. */
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
                 "expects. Is a transaction of your runner still open?");
    return result.position;
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
    exercise_say("command: cancel %s on w-1", attendee_id);
    return send(store, c);
}

/* @1 w-1 scheduled with 2 seats, @2 ada and @3 bob take them, @4 cleo
 * waits. */
void suite_four_events(esk_store *store)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP,
                          .workshop_id = "w-1",
                          .title = "Event Sourcing 101",
                          .starts_on = "2026-12-01",
                          .capacity = 2};
    send(store, c);
    suite_enrol(store, "ada");
    suite_enrol(store, "bob");
    suite_enrol(store, "cleo");
}

/* --- The watched projection ---------------------------------------------- */

static esk_status recording_handle(void *ctx, esk_store *store,
                                   const esk_event *event)
{
    suite_recorder *r = ctx;
    if (r->count == sizeof(r->positions) / sizeof(r->positions[0]))
        return esk_error_set(ESK_EIO,
                             "the run has handed over 64 events, and the "
                             "store holds fewer than 10: it reads the same "
                             "events again and again");
    r->positions[r->count++] = event->position;
    if (esk_store_transaction_depth(store) == 0)
        r->outside_transaction++;
    esk_status rc = seats_handle(NULL, store, event);
    if (event->position == r->crash_at)
        _exit(SUITE_CRASHED); /* no rollback, no commit, no cleanup */
    if (rc == ESK_OK && event->position == r->fail_at)
        rc = esk_error_set(ESK_EIO, "the disk filled up at @%lld",
                           (long long)event->position);
    return rc;
}

esk_projection suite_recording(suite_recorder *recorder)
{
    esk_projection p = seats_projection;
    p.handle = recording_handle;
    p.ctx = recorder;
    return p;
}

/* --- What the test reads ------------------------------------------------- */

/* A run that hands over far more events than the store holds is going
 * round in circles: stop it with a message rather than hang. */
typedef struct guard {
    const esk_projection *inner;
    size_t calls;
} guard;

static esk_status guarded_handle(void *ctx, esk_store *store,
                                 const esk_event *event)
{
    guard *g = ctx;
    if (++g->calls > 100)
        return esk_error_set(ESK_EIO,
                             "the run has handed over more than 100 events, "
                             "and the store holds fewer than 10: it reads "
                             "the same events again and again (the event at "
                             "@%lld, now)",
                             (long long)event->position);
    return g->inner->handle(g->inner->ctx, store, event);
}

size_t suite_run(esk_store *store, const esk_projection *projection,
                 size_t batch_size, const char *hint)
{
    size_t applied = 0;
    guard g = {projection, 0};
    esk_projection guarded = *projection;
    guarded.handle = guarded_handle;
    guarded.ctx = &g;
    esk_status rc = catch_up_run(store, &guarded, batch_size, &applied);
    if (rc != ESK_OK)
        print_error("catch_up_run said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    exercise_say("run: %zu event(s) applied", applied);
    return applied;
}

/* The checkpoint as the store keeps it, read without your code: its
 * position (0 when there is none) and its tag. */
int64_t suite_checkpoint(esk_store *store, int *tag)
{
    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(store, ESK_RECORD_CHECKPOINT, "seats",
                                         &record, &owned);
    if (rc == ESK_ENOTFOUND)
        return 0;
    check_status(rc, ESK_OK, "The test reads the checkpoint record.");
    if (tag != NULL)
        *tag = record.tag;
    esk_free(owned);
    return record.at;
}

/* Put the checkpoint where another runner would have left it. */
void suite_set_checkpoint(esk_store *store, int64_t at)
{
    const esk_record record = {"seats", at, 1, "{}"};
    check_status(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &record),
                 ESK_OK, "The test writes the checkpoint record.");
}

/* What a query answers about w-1 now; a zero row when there is none. */
seats_row suite_query(esk_store *store, bool *found)
{
    esk_read_model *read_model = NULL;
    seats_row row = {0};
    check_status(esk_read_model_open(&read_model, store), ESK_OK,
                 "The test opens the query side.");
    esk_status rc = seats_query(read_model, "w-1", &row);
    check_true(rc == ESK_OK || rc == ESK_ENOTFOUND,
               "The test reads the seats table.");
    esk_read_model_free(read_model);
    if (found != NULL)
        *found = rc == ESK_OK;
    exercise_say("query: w-1 has %lld taken, %lld waiting",
                 (long long)row.taken, (long long)row.waiting);
    return row;
}

void suite_sql(esk_store *store, const char *sql)
{
    int rc = sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, NULL);
    check_int(rc, SQLITE_OK, "The test changes the database by hand.");
}

/* --- The checkpoint ------------------------------------------------------ */

static void a_projection_that_never_ran_stands_at_0(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    int64_t at = 99;
    esk_status rc = checkpoint_read(store, "seats", &at);
    if (rc != ESK_OK)
        print_error("checkpoint_read said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "No checkpoint record yet is no failure: the projection "
                 "never ran. esk_store_get_record() says ESK_ENOTFOUND; "
                 "checkpoint_read() answers 0 and ESK_OK.");
    check_int(at, 0, "Never ran: it has applied nothing, so it stands at 0.");
    esk_store_free(store);
}

static void the_checkpoint_is_read_from_its_record(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    const esk_record other = {"agenda", 7, 1, "{}"};
    check_status(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &other),
                 ESK_OK, "The test writes another projection's checkpoint.");
    suite_set_checkpoint(store, 3);
    int64_t at = 0;
    check_status(checkpoint_read(store, "seats", &at), ESK_OK,
                 "checkpoint_read() reads the record of kind "
                 "ESK_RECORD_CHECKPOINT whose key is the projection's name.");
    check_int(at, 3,
              "The position is the record's `at`: \"seats\" stands at @3 "
              "(\"agenda\", at @7, is another projection's).");
    esk_store_free(store);
}

static void a_checkpoint_that_cannot_be_read_is_not_0(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_set_checkpoint(store, 3);
    suite_sql(store, "ALTER TABLE checkpoints RENAME TO checkpoints_away");
    int64_t at = 3;
    esk_status rc = checkpoint_read(store, "seats", &at);
    check_true(rc != ESK_OK && rc != ESK_ENOTIMPL,
               "The checkpoints cannot be read (their table is gone for "
               "the moment): return esk_store_get_record()'s failure. Only "
               "ESK_ENOTFOUND means 0; taking any failure for 0 makes the "
               "next run apply every event a second time.");
    suite_sql(store, "ALTER TABLE checkpoints_away RENAME TO checkpoints");
    esk_store_free(store);
}

/* --- A run --------------------------------------------------------------- */

static void a_run_applies_every_event_and_saves_the_checkpoint(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    size_t applied = suite_run(store, &seats_projection, 100,
                               "catch_up_run() applies @1 to @4.");
    check_int(applied, 4, "Four events after checkpoint 0: all four applied.");
    seats_row row = suite_query(store, NULL);
    check_int(row.taken, 2, "ada and bob took the two seats, once each.");
    check_int(row.waiting, 1, "cleo waits.");
    int tag = 0;
    check_int(suite_checkpoint(store, &tag), 4,
              "The checkpoint record \"seats\" is at the position of the "
              "last event applied, @4 (esk_store_put_record, kind "
              "ESK_RECORD_CHECKPOINT, key projection->name, at = the last "
              "event's position).");
    check_int(tag, 1,
              "The checkpoint's tag is the projection's version (1), as "
              "esk_catchup writes it: the test at the end hands your "
              "checkpoint over to it.");
    check_int(esk_store_transaction_depth(store), 0,
              "Every transaction the run began is committed.");
    esk_store_free(store);
}

static void every_event_is_handled_inside_a_transaction(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_recorder recorder = {0};
    esk_projection watched = suite_recording(&recorder);
    suite_run(store, &watched, 100, "catch_up_run() applies @1 to @4.");
    check_int(recorder.count, 4, "The handler got each event once.");
    check_int(recorder.outside_transaction, 0,
              "esk_store_begin() before the first handle(): a row written "
              "outside the batch's transaction is kept even if the "
              "checkpoint never moves, and comes again at the next run.");
    esk_store_free(store);
}

static void a_batch_applies_at_most_batch_size_events(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    size_t applied = 99;
    esk_status rc = catch_up_batch(store, &seats_projection, 3, &applied);
    if (rc != ESK_OK)
        print_error("catch_up_batch said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "catch_up_batch() applies the next batch.");
    check_int(applied, 3,
              "A batch of 3: esk_store_read_all(store, checkpoint, "
              "batch_size, NULL, &events) reads @1 to @3.");
    check_int(suite_checkpoint(store, NULL), 3,
              "The checkpoint moves to the batch's last event, @3.");
    check_int(suite_query(store, NULL).taken, 2,
              "ada and bob are counted; cleo's event is for the next batch.");

    check_status(catch_up_batch(store, &seats_projection, 3, &applied), ESK_OK,
                 "The next batch.");
    check_int(applied, 1, "After @3 there is one event left, @4.");
    check_int(suite_checkpoint(store, NULL), 4, "The checkpoint is at @4.");

    check_status(catch_up_batch(store, &seats_projection, 3, &applied), ESK_OK,
                 "A batch with nothing to do is no failure.");
    check_int(applied, 0, "Nothing after @4.");
    check_int(suite_checkpoint(store, NULL), 4,
              "With no event, the checkpoint stays where it is.");
    check_int(suite_query(store, NULL).waiting, 1, "cleo waits, counted once.");
    esk_store_free(store);
}

static void running_again_applies_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_run(store, &seats_projection, 100, "The first run applies @1-@4.");
    size_t applied = suite_run(store, &seats_projection, 100,
                               "A second run, with nothing new, is no "
                               "failure.");
    check_int(applied, 0,
              "Nothing was written since: read the events AFTER the "
              "checkpoint (esk_store_read_all's after_position is the "
              "checkpoint itself), not from it.");
    seats_row row = suite_query(store, NULL);
    check_int(row.taken, 2, "ada and bob are still counted once.");
    check_int(row.waiting, 1, "cleo is still counted once.");
    esk_store_free(store);
}

static void a_run_resumes_right_after_its_checkpoint(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_set_checkpoint(store, 2);
    suite_recorder recorder = {0};
    esk_projection watched = suite_recording(&recorder);
    exercise_say("another runner left the checkpoint at @2");
    size_t applied =
        suite_run(store, &watched, 100, "The run goes on from @2.");
    check_int(applied, 2, "After @2 come @3 and @4.");
    check_int(recorder.count, 2, "The handler got two events.");
    check_int(recorder.positions[0], 3,
              "The first event handed over is the one right after the "
              "checkpoint: @3. @2 was applied already (applying it again "
              "counts it twice); starting at @4 loses @3 for ever.");
    esk_store_free(store);
}

static void a_restarted_run_counts_only_what_is_new(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_run(store, &seats_projection, 100, "The first run applies @1-@4.");
    suite_enrol(store, "dan");
    suite_cancel(store, "ada");
    suite_recorder recorder = {0};
    esk_projection watched = suite_recording(&recorder);
    size_t applied = suite_run(store, &watched, 100,
                               "The next run applies what came since.");
    check_int(applied, 2, "dan's registration @5 and ada's cancellation @6.");
    check_int(recorder.positions[0], 5, "It starts right after @4.");
    seats_row row = suite_query(store, NULL);
    check_int(row.taken, 1, "bob holds the one seat left taken (ada left).");
    check_int(row.waiting, 2, "cleo and dan wait.");
    check_int(suite_checkpoint(store, NULL), 6, "The checkpoint is at @6.");
    esk_store_free(store);
}

static void a_run_goes_batch_by_batch_to_the_head(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    size_t applied = suite_run(store, &seats_projection, 1,
                               "catch_up_run() with batches of one event.");
    check_int(applied, 4,
              "catch_up_run() calls catch_up_batch() until a batch applies "
              "nothing, and adds up what each applied.");
    check_int(suite_checkpoint(store, NULL), 4, "The checkpoint is at @4.");
    check_int(suite_query(store, NULL).waiting, 1, "cleo waits.");
    esk_store_free(store);
}

static void waiting_for_a_commands_position_shows_its_effect(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_recorder recorder = {0};
    esk_projection watched = suite_recording(&recorder);
    suite_run(store, &watched, 100, "The first run applies @1-@4.");
    int64_t at = suite_enrol(store, "dan");
    check_int(suite_query(store, NULL).waiting, 1,
              "Right after the command, the read model is behind: dan is "
              "not there yet.");
    esk_status rc = wait_until_caught_up(store, &watched, at);
    if (rc != ESK_OK)
        print_error("wait_until_caught_up said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "wait_until_caught_up() (provided) reads your checkpoint "
                 "and runs catch_up_run().");
    check_int(suite_query(store, NULL).waiting, 2,
              "Once caught up with the command's position, dan waits too.");
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_projection_that_never_ran_stands_at_0),
        cmocka_unit_test(the_checkpoint_is_read_from_its_record),
        cmocka_unit_test(a_checkpoint_that_cannot_be_read_is_not_0),
        cmocka_unit_test(a_run_applies_every_event_and_saves_the_checkpoint),
        cmocka_unit_test(every_event_is_handled_inside_a_transaction),
        cmocka_unit_test(a_batch_applies_at_most_batch_size_events),
        cmocka_unit_test(running_again_applies_nothing),
        cmocka_unit_test(a_run_resumes_right_after_its_checkpoint),
        cmocka_unit_test(a_restarted_run_counts_only_what_is_new),
        cmocka_unit_test(a_run_goes_batch_by_batch_to_the_head),
        cmocka_unit_test(waiting_for_a_commands_position_shows_its_effect),
        cmocka_unit_test(a_failing_handler_keeps_nothing_of_its_batch),
        cmocka_unit_test(
            a_failure_in_a_later_batch_keeps_the_batches_before_it),
        cmocka_unit_test(a_checkpoint_that_cannot_be_saved_keeps_no_rows),
        cmocka_unit_test(
            a_crash_in_the_middle_of_a_batch_applies_nothing_twice),
        cmocka_unit_test(esk_catchup_takes_over_from_your_checkpoint),
    };
    return cmocka_run_group_tests_name("10-catch-up", tests, NULL, NULL);
}
