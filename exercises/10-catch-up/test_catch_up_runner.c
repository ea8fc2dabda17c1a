/*
 * test_catch_up_runner.c - the runner: catching up, resuming at its checkpoint,
 * and reading your own writes (eventual consistency).
 */
#include "test_catch_up.h"

/* --- The runner ---------------------------------------------------------- */

void running_catches_up_and_writes_the_checkpoint(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    suite_enrol(store, "bob");
    suite_enrol(store, "cleo");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);

    esk_catchup_status before = suite_status_of(catchup);
    check_int(before.lag, 4,
              "Four events, none applied yet: the read model is 4 behind.");
    check_int(suite_query(store).capacity, 0,
              "Before the first run the read model has no row for w-1: the "
              "events are in the store, the projection has not seen them.");

    esk_catchup_status after = suite_run(
        catchup, "The run applies the four events with seats_handle(), "
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

    seats_row row = suite_query(store);
    check_int(row.free, 0, "ada and bob have the two seats.");
    check_int(row.waiting, 1, "cleo waits.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void running_again_applies_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The first run applies the two events.");

    esk_catchup_status again =
        suite_run(catchup, "A run with nothing new is fine.");
    check_int(again.applied, 0,
              "Nothing was written since the last run: the checkpoint is at "
              "the head, and there is nothing to apply.");
    check_int(suite_query(store).taken, 1,
              "ada still has one seat, counted once.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void a_restarted_runner_resumes_at_its_checkpoint(void **state)
{
    (void)state;
    const char *path = "10-catch-up.db";
    remove(path);
    remove("10-catch-up.db-wal");
    remove("10-catch-up.db-shm");

    esk_store *store = suite_open_store(path);
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The first process applies the two events.");
    esk_catchup_free(catchup);
    esk_store_free(store);

    exercise_say("the process stops; another one starts on the same file");
    store = suite_open_store(path);
    suite_enrol(store, "bob");
    catchup = suite_new_runner(store, &seats_projection);
    esk_catchup_status status =
        suite_run(catchup, "The new runner goes on from the checkpoint.");
    check_int(status.applied, 1,
              "The checkpoint survived the restart, in the same file as the "
              "rows: only bob's registration is new.");
    check_int(suite_query(store).taken, 2,
              "ada and bob, each counted once: the rows and the checkpoint "
              "were committed together.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

/* --- Eventual consistency, and reading your own writes ------------------- */

void a_query_right_after_a_command_is_stale_until_the_run(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The run applies the two events.");

    suite_enrol(store, "bob");
    check_int(suite_query(store).free, 1,
              "bob is registered, yet the query still says 1 seat free: the "
              "read model is only as fresh as its last run.");
    check_int(suite_status_of(catchup).lag, 1,
              "The lag shows it: one event written, not applied.");

    suite_run(catchup, "The run applies bob's registration.");
    check_int(suite_query(store).free, 0, "After the run, the query sees bob.");
    check_int(suite_status_of(catchup).lag, 0, "Caught up again.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void waiting_for_the_commands_position_shows_its_effect(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The run applies the two events.");

    int64_t position = suite_enrol(store, "bob");
    exercise_say("bob waits for the read model to reach @%lld",
                 (long long)position);
    esk_status rc = wait_until_caught_up(catchup, position);
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("esk_errmsg(): %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The read model is behind bob's registration: run the "
                 "projection (esk_catchup_run) and return what it returns.");
    check_true(suite_status_of(catchup).checkpoint >= position,
               "After the wait the checkpoint is at or past the command's "
               "position.");
    check_int(suite_query(store).free, 0,
              "bob reads his own write: no seat left, and one of them his.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void waiting_for_a_position_already_reached_runs_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    int64_t ada = suite_enrol(store, "ada");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The run applies the two events.");
    suite_enrol(store, "bob");

    esk_status rc = wait_until_caught_up(catchup, ada);
    check_status(rc, ESK_OK,
                 "ada's registration is applied already: the read model is "
                 "fresh enough for her, ESK_OK.");
    check_int(suite_status_of(catchup).lag, 1,
              "...and nothing was run: bob's registration is still to "
              "apply. Ask esk_catchup_status_get() first, and run only when "
              "the checkpoint is before the position: catching up is the "
              "projection's job, the query only waits as long as it must.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void waiting_for_a_position_never_written_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);

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

void waiting_behind_an_event_that_cannot_be_read_says_so(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    /* @2: a registration without its attendeeId, in another workshop's
     * stream, written by a buggy service. */
    const esk_new_event broken = {
        .type = "AttendeeRegistered",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-2\",\"name\":\"Nobody\"}"};
    check_status(
        esk_store_append(store, "workshop-w-2", ESK_ANY, &broken, 1, NULL),
        ESK_OK, "The test appends an event with bad data.");
    int64_t position = suite_enrol(store, "bob");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);

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
    check_int(suite_status_of(catchup).checkpoint, 1,
              "The projection is stuck before @2.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}
