/*
 * test_snapshots_load.c - loading a conference: from its snapshot when it
 * can be trusted, from every event otherwise. Snapshots are written by
 * hand: one that says 40 seats more than the events shows whether the
 * load used it.
 */
#include <string.h>

#include "test_snapshots.h"

/* --- Loading ----------------------------------------------------------------
 */

void a_conference_without_a_snapshot_is_folded_from_its_first_event(
    void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    conference expected;

    check_status(snapshot_load(store, CONFERENCE_ID, &c), ESK_ENOTFOUND,
                 "A conference whose stream has no events does not exist: "
                 "snapshot_load() returns ESK_ENOTFOUND (esk_error_set()).");
    esk_aggregate_release(&c);

    suite_grow(store, 5);
    suite_full_fold(store, &expected);
    suite_loaded(store, &c,
                 "Without a snapshot, the load reads the stream from version 1 "
                 "(esk_store_read_stream()) and applies every event "
                 "(esk_aggregate_apply()).");
    check_int(c.base.version, 5,
              "Loaded, the conference is at its stream's "
              "last version.");
    suite_check_same_state(&c, &expected,
                           "Folded from its first event, the state is the one "
                           "esk's own load gives.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

void the_load_starts_from_the_snapshot_and_folds_the_events_after_it(
    void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;

    exercise_watch_store(store);
    suite_grow(store, 3);
    suite_put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    suite_grow(store, 5); /* a-00004 and a-00005 after the snapshot */
    exercise_say("a snapshot at v3 says %d seats more than the events", MARKER);

    suite_loaded(
        store, &c,
        "With a snapshot at v3 and a stream of 5 events, the load folds "
        "v4 and v5: read the stream from the snapshot's version + 1. "
        "From the snapshot's own version, v3 comes again, and "
        "esk_aggregate_apply() refuses an event that is not the next.");
    check_int(c.state.seats_taken, 4 + MARKER,
              "The snapshot at v3 holds the 2 seats of v2 and v3 and 40 "
              "more, and v4 and v5 add 2: a load from the snapshot gives "
              "44. 4 means the load "
              "ignored the snapshot and folded every event; 45, that v3 was "
              "folded again.");
    check_int(c.base.version, 5, "After the tail, the conference is at v5.");
    check_int(c.base.stored_version, 5,
              "stored_version too: a save expects the stream at the version "
              "loaded. After the snapshot, set both c->base.version and "
              "c->base.stored_version to its version.");
    esk_aggregate_release(&c);
    esk_store_free(store);
}

void a_conference_loaded_from_a_snapshot_takes_the_next_registration(
    void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    int64_t version = 0;

    suite_grow(store, 3);
    suite_put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    suite_loaded(store, &c,
                 "A snapshot at the stream's last event: nothing to fold.");
    check_status(conference_register(&c, "bob", "Bob Kahn"), ESK_OK,
                 "bob registers.");
    esk_status rc = conference_append(store, &c);
    if (rc != ESK_OK)
        print_error("the append said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Loaded from a snapshot at v3, the conference appends its "
                 "next event at v4: set c->base.stored_version (the version "
                 "the store has) as well as c->base.version.");
    check_status(esk_store_stream_version(store, STREAM_ID, &version), ESK_OK,
                 "The store says how long the stream is.");
    check_int(version, 4, "bob's registration is v4.");
    esk_aggregate_release(&c);
    esk_store_free(store);
}

void events_the_snapshot_covers_are_not_read_again(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;

    /* v2 is an event this release cannot read: only a load that starts
     * after it gets through. */
    suite_grow(store, 1);
    suite_append_raw(
        store, attendee_registered_type.name, 99,
        "{\"workshopId\":\"es-days\",\"from\":\"a newer release\"}");
    suite_append_registration(store, "a-00003");
    suite_append_registration(store, "a-00004");
    suite_append_registration(store, "a-00005");
    conference at5;
    memset(&at5, 0, sizeof(at5));
    at5.state.status = CONFERENCE_OPEN;
    at5.state.capacity = CAPACITY;
    at5.state.seats_taken = 4;
    suite_put_snapshot(store, &at5, 5, CONFERENCE_LAYOUT_VERSION);
    exercise_say("v2 cannot be read; a snapshot at v5, the last event");

    suite_loaded(
        store, &c,
        "v2 of this stream cannot be decoded (the test wrote it so, "
        "whatever the store's message about it suggests), and the "
        "snapshot at v5, its last event, covers it: the load must start "
        "from the snapshot and read nothing before. A snapshot at the "
        "stream's last version is inside the stream, not beyond it.");
    check_int(c.state.seats_taken, 4, "The state is the snapshot's.");
    check_int(c.base.version, 5, "The conference is at v5.");
    esk_aggregate_release(&c);

    suite_put_snapshot(store, &at5, 3, CONFERENCE_LAYOUT_VERSION);
    suite_loaded(store, &c,
                 "With the snapshot at v3, the load reads v4 and v5 only.");
    check_int(c.state.seats_taken, 6, "The snapshot's 4 seats, and 2 more.");
    esk_aggregate_release(&c);
    esk_store_free(store);
}

/* --- A snapshot is a cache
 * ---------------------------------------------------- */

void a_snapshot_of_another_layout_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    conference expected;
    const int layouts[] = {CONFERENCE_LAYOUT_VERSION + 1,
                           CONFERENCE_LAYOUT_VERSION - 1};

    suite_grow(store, 3);
    suite_put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    suite_grow(store, 5);
    suite_full_fold(store, &expected);
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        conference at3 = expected;
        at3.state.seats_taken = 2 + MARKER;
        suite_put_snapshot(store, &at3, 3, layouts[i]);
        exercise_say("a snapshot of layout %d", layouts[i]);
        suite_loaded(store, &c,
                     "A snapshot of another layout is ignored, not a "
                     "failure: the load folds every event.");
        suite_check_same_state(
            &c, &expected,
            "A snapshot written with another layout version "
            "(record.tag, not conference_snapshot_type's "
            "schema_version) may mean anything: ignore it and "
            "fold every event.");
        esk_aggregate_release(&c);
    }
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

void a_snapshot_that_does_not_decode_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    conference expected;

    suite_grow(store, 5);
    suite_full_fold(store, &expected);
    suite_put_record(store, 3, CONFERENCE_LAYOUT_VERSION,
                     "{\"status\":\"open\"}");
    exercise_say("the snapshot is damaged: its status is a string");
    suite_loaded(store, &c,
                 "A snapshot that does not decode is ignored: the events are "
                 "the truth. The load must not fail with the decode's status; "
                 "it folds every event instead.");
    suite_check_same_state(&c, &expected,
                           "Replayed, the state is the events'.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

void a_snapshot_that_fails_halfway_leaves_nothing_behind(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    conference expected;

    suite_grow(store, 5);
    suite_full_fold(store, &expected);
    /* seatsTaken is read before waiting fails. */
    suite_put_record(store, 3, CONFERENCE_LAYOUT_VERSION,
                     "{\"status\":1,\"capacity\":9500,\"seatsTaken\":40,"
                     "\"waiting\":\"many\",\"recent\":[]}");
    suite_loaded(store, &c, "A snapshot that does not decode is ignored.");
    suite_check_same_state(
        &c, &expected,
        "The codec had read seatsTaken when waiting failed: "
        "decode into a conference of your own, zeroed, and "
        "copy its state into c only when the decode succeeded; "
        "the fold then starts from the zero state.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

void a_snapshot_beyond_the_end_of_the_stream_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    conference c;
    conference expected;

    suite_grow(store, 5);
    suite_full_fold(store, &expected);
    conference ahead = expected;
    ahead.state.seats_taken = 49 + MARKER;
    suite_put_snapshot(store, &ahead, 50, CONFERENCE_LAYOUT_VERSION);
    exercise_say("restored from last week's backup: the stream ends at v5, "
                 "the snapshot is at v50");
    suite_loaded(store, &c,
                 "A snapshot beyond the end of the stream is ignored, not a "
                 "failure.");
    check_int(c.base.version, 5,
              "The stream ends at v5 (esk_store_stream_version()), and the "
              "snapshot says v50: it describes events the store does not "
              "have (a store restored from a backup, its snapshots not). "
              "Ignore it and fold every event.");
    suite_check_same_state(&c, &expected, "The state is the events'.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}
