/*
 * test_catch_up_redelivery.c - redelivered events, rebuilds after a new
 * version, and an event that cannot be read.
 */
#include "test_catch_up.h"

/* --- Redelivery, rebuilds, failures -------------------------------------- */

void redelivered_events_are_counted_once(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");
    suite_enrol(store, "bob");
    suite_enrol(store, "cleo");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);
    suite_run(catchup, "The run applies the four events.");

    /* What an operator does to replay a stretch of events, and what a
     * crash between the read model and its checkpoint would do on a
     * store without transactions: the checkpoint goes back to @1. */
    exercise_say("the checkpoint is put back to @1");
    const esk_record back = {"seats", 1, 1, "{}"};
    check_status(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &back),
                 ESK_OK, "The test puts the checkpoint back.");

    esk_catchup_status status =
        suite_run(catchup, "The run applies @2 to @4 again.");
    check_int(status.applied, 3, "Events @2, @3 and @4 came a second time.");
    seats_row row = suite_query(store);
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

void a_new_version_rebuilds_the_read_model_like_a_clean_build(void **state)
{
    (void)state;
    char rebuilt[512];
    char clean[512];
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 1);
    suite_enrol(store, "ada");
    suite_enrol(store, "bob");
    suite_cancel(store, "ada");
    suite_promote(store);
    /* An event after the promotion: version 1 moves w-1's last_position
     * past the promotion it ignored. */
    suite_enrol(store, "cleo");

    esk_projection buggy = seats_projection;
    buggy.handle = forgets_promotions;
    esk_catchup *v1 = suite_new_runner(store, &buggy);
    suite_run(v1, "Version 1 runs.");
    check_int(suite_query(store).waiting, 2,
              "Version 1 ignored promotions: bob waits for ever, in the read "
              "model, and cleo behind him.");
    esk_catchup_free(v1);

    exercise_say("version 2 fixes the bug: the read model is rebuilt");
    esk_projection fixed = seats_projection;
    fixed.version = 2;
    esk_catchup *v2 = suite_new_runner(store, &fixed);
    esk_catchup_status status = suite_run(
        v2, "A run that finds a checkpoint of version 1 calls "
            "seats_reset(), then applies every event: the table must be "
            "there again after the reset (seats_setup()).");
    check_true(status.rebuilt, "The run saw the new version and rebuilt.");
    check_int(status.applied, 6, "A rebuild applies every event, from @1.");
    suite_read_all(store, rebuilt, sizeof(rebuilt));
    esk_catchup_free(v2);
    esk_store_free(store);

    /* The same story, on a new store, applied once by version 2. */
    store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 1);
    suite_enrol(store, "ada");
    suite_enrol(store, "bob");
    suite_cancel(store, "ada");
    suite_promote(store);
    suite_enrol(store, "cleo");
    esk_catchup *once = suite_new_runner(store, &fixed);
    suite_run(once, "A clean build runs.");
    suite_read_all(store, clean, sizeof(clean));
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

void a_rebuild_gives_the_read_model_its_new_layout(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    suite_enrol(store, "ada");

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
    esk_catchup *catchup = suite_new_runner(store, &v2);
    esk_catchup_status status = suite_run(
        catchup, "Version 1's table has three columns; version 2 writes "
                 "six. seats_setup() keeps a table that is there (IF "
                 "NOT EXISTS), so only seats_reset() can change the "
                 "layout: DROP TABLE IF EXISTS seats, then "
                 "seats_setup(). Emptying the table (DELETE FROM) keeps "
                 "the old columns, and the first INSERT fails.");
    check_true(status.rebuilt, "The run saw the new version and rebuilt.");
    seats_row row = suite_query(store);
    check_int(row.capacity, 2, "The new layout has the capacity...");
    check_int(row.taken, 1, "...and ada's seat, counted from @1.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}

void an_event_that_cannot_be_read_stops_the_run_there(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_schedule(store, "w-1", 2);
    /* @2: a registration without its attendeeId, written by a buggy
     * service that did not go through the codec. */
    const esk_new_event broken = {
        .type = "AttendeeRegistered",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-2\",\"name\":\"Nobody\"}"};
    check_status(
        esk_store_append(store, "workshop-w-2", ESK_ANY, &broken, 1, NULL),
        ESK_OK, "The test appends an event with bad data.");
    suite_enrol(store, "bob");
    esk_catchup *catchup = suite_new_runner(store, &seats_projection);

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
    check_int(suite_query(store).taken, 0,
              "bob's registration (@3) is not applied: nothing is skipped, "
              "so nothing after @2 is either.");

    rc = esk_catchup_run(catchup, &status);
    check_status(rc, ESK_ECALLBACK,
                 "Running again stops at @2 again: it is not skipped. (To go "
                 "on, fix the cause: the handler, or the data with an "
                 "upcaster.)");
    check_int(suite_status_of(catchup).lag, 2,
              "The lag stays at 2 and grows with every command: the number "
              "to watch, and to alert on.");

    esk_catchup_free(catchup);
    esk_store_free(store);
}
