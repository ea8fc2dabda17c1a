/*
 * test_snapshots.c - Event Sourcing Days: loading a conference from its
 * snapshot, and writing one every SNAPSHOT_EVERY events.
 *
 * The reference the tests compare with is a load that folds every event:
 * a repository of conference_type, which names no snapshot. Snapshots are
 * written by hand where a test needs one: a snapshot that says something
 * the events do not shows whether a load used it; one of another layout,
 * one that does not decode, one beyond the stream must be ignored. The
 * times of the last test are printed, never checked.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <esk/store.h>

#include "conference.h"
#include "exercise.h"

#define CONFERENCE_ID "es-days"
#define STREAM_ID "conference-es-days"
#define CAPACITY 9500
/* Events in the long stream: the scheduling, then 10,399 registrations
 * (9,500 seated, the others waitlisted). */
#define HISTORY 10400
/* A snapshot that lies: this many seats more than the events say. Only a
 * load that starts from the snapshot finds them. */
#define MARKER 40

/* --- The store and its events --------------------------------------------- */

static esk_store *open_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    return store;
}

/* The conference as every event folds it: esk's own load, no snapshot. */
static void full_fold(esk_store *store, conference *c)
{
    esk_repository *repo = NULL;
    check_status(esk_repository_new(&repo, store, &conference_type, NULL),
                 ESK_OK, "A repository of conferences opens.");
    check_status(esk_repository_load(repo, CONFERENCE_ID, c), ESK_OK,
                 "The stream loads, event by event.");
    esk_repository_free(repo);
}

/* Register a-00002, a-00003... until c reaches this version. */
static void register_until(conference *c, int64_t version)
{
    while (c->base.version < version) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "a-%05lld", (long long)c->base.version + 1);
        check_status(conference_register(c, id, "Attendee"), ESK_OK,
                     "Registering a new attendee works.");
    }
}

/* Grow the stream to this version in one append, without snapshots: the
 * scheduling first when the stream is new. */
static void grow(esk_store *store, int64_t version)
{
    conference c;
    int64_t now = 0;
    check_status(esk_store_stream_version(store, STREAM_ID, &now), ESK_OK,
                 "The store says how long the stream is.");
    if (now == 0) {
        check_status(esk_aggregate_init(&c, &conference_type, CONFERENCE_ID),
                     ESK_OK, "A new conference starts empty.");
        check_status(conference_schedule(&c, "Event Sourcing Days",
                                         "2026-10-05", CAPACITY),
                     ESK_OK, "Scheduling a new conference works.");
    } else {
        full_fold(store, &c);
    }
    register_until(&c, version);
    check_status(conference_append(store, &c), ESK_OK,
                 "Appending the registrations works.");
    esk_aggregate_release(&c);
}

/* Append an event as it is stored, whatever its data. */
static void append_raw(esk_store *store, const char *type, int schema,
                       const char *json)
{
    esk_new_event event = {NULL, type, schema, json, NULL};
    check_status(esk_store_append(store, STREAM_ID, ESK_ANY, &event, 1, NULL),
                 ESK_OK, "Appending a raw event works.");
}

static void append_registration(esk_store *store, const char *attendee_id)
{
    attendee_registered e = {0};
    char *json = NULL;
    copy_text(e.workshop_id, sizeof(e.workshop_id), CONFERENCE_ID);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), "Attendee");
    check_status(esk_codec_encode(&attendee_registered_type, &e, &json), ESK_OK,
                 "A registration encodes.");
    append_raw(store, attendee_registered_type.name,
               attendee_registered_type.schema_version, json);
    esk_free(json);
}

/* --- Snapshots, by hand ----------------------------------------------------
 */

static void put_record(esk_store *store, int64_t at, int layout,
                       const char *json)
{
    esk_record record = {STREAM_ID, at, layout, json};
    check_status(esk_store_put_record(store, ESK_RECORD_SNAPSHOT, &record),
                 ESK_OK, "Writing a snapshot record works.");
}

/* Write c's state as the stream's snapshot at version `at`. */
static void put_snapshot(esk_store *store, const conference *c, int64_t at,
                         int layout)
{
    char *json = NULL;
    check_status(esk_codec_encode(&conference_snapshot_type, c, &json), ESK_OK,
                 "The state encodes.");
    put_record(store, at, layout, json);
    esk_free(json);
}

/* The state the events give at `at` (the stream must end there now), with
 * MARKER seats more: a snapshot no fold of the events could produce. */
static void put_marked_snapshot(esk_store *store, int64_t at, int layout)
{
    conference c;
    full_fold(store, &c);
    check_int(c.base.version, at, "The stream ends where the snapshot goes.");
    c.state.seats_taken += MARKER;
    put_snapshot(store, &c, at, layout);
    esk_aggregate_release(&c);
}

typedef struct snapshot_info {
    int64_t version; /* the stream version it was taken at */
    int layout;      /* the layout version it was written with */
    conference c;    /* its state, decoded */
    size_t bytes;    /* the size of its JSON */
} snapshot_info;

/* The stream's snapshot, if it has one. */
static bool find_snapshot(esk_store *store, snapshot_info *out)
{
    esk_record record;
    char *owned = NULL;
    memset(out, 0, sizeof(*out));
    if (esk_store_get_record(store, ESK_RECORD_SNAPSHOT, STREAM_ID, &record,
                             &owned) != ESK_OK)
        return false;
    out->version = record.at;
    out->layout = record.tag;
    out->bytes = strlen(record.value);
    check_status(
        esk_codec_decode(&conference_snapshot_type, record.value, &out->c),
        ESK_OK,
        "The snapshot written must decode with "
        "conference_snapshot_type: write it with "
        "esk_codec_encode(&conference_snapshot_type, c, &json).");
    esk_free(owned);
    return true;
}

/* --- Checks ------------------------------------------------------------------
 */

static void loaded(esk_store *store, conference *c, const char *hint)
{
    esk_status rc = snapshot_load(store, CONFERENCE_ID, c);
    if (rc != ESK_OK)
        print_error("snapshot_load() said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
}

static void check_same_state(const conference *actual,
                             const conference *expected, const char *hint)
{
    const conference_state *a = &actual->state;
    const conference_state *e = &expected->state;
    check_int(a->status, e->status, hint);
    check_int(a->capacity, e->capacity, hint);
    check_int(a->seats_taken, e->seats_taken, hint);
    check_int(a->waiting, e->waiting, hint);
    check_int(a->recent_count, e->recent_count, hint);
    for (size_t i = 0; i < e->recent_count && i < RECENT_MAX; i++)
        check_string(a->recent[i], e->recent[i], hint);
}

/* --- Loading ----------------------------------------------------------------
 */

static void
a_conference_without_a_snapshot_is_folded_from_its_first_event(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    conference expected;

    check_status(snapshot_load(store, CONFERENCE_ID, &c), ESK_ENOTFOUND,
                 "A conference whose stream has no events does not exist: "
                 "snapshot_load() returns ESK_ENOTFOUND (esk_error_set()).");
    esk_aggregate_release(&c);

    grow(store, 5);
    full_fold(store, &expected);
    loaded(store, &c,
           "Without a snapshot, the load reads the stream from version 1 "
           "(esk_store_read_stream()) and applies every event "
           "(esk_aggregate_apply()).");
    check_int(c.base.version, 5,
              "Loaded, the conference is at its stream's "
              "last version.");
    check_same_state(&c, &expected,
                     "Folded from its first event, the state is the one "
                     "esk's own load gives.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void
the_load_starts_from_the_snapshot_and_folds_the_events_after_it(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;

    exercise_watch_store(store);
    grow(store, 3);
    put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    grow(store, 5); /* a-00004 and a-00005 after the snapshot */
    exercise_say("a snapshot at v3 says %d seats more than the events", MARKER);

    loaded(store, &c,
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

static void
a_conference_loaded_from_a_snapshot_takes_the_next_registration(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    int64_t version = 0;

    grow(store, 3);
    put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    loaded(store, &c,
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

static void events_the_snapshot_covers_are_not_read_again(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;

    /* v2 is an event this release cannot read: only a load that starts
     * after it gets through. */
    grow(store, 1);
    append_raw(store, attendee_registered_type.name, 99,
               "{\"workshopId\":\"es-days\",\"from\":\"a newer release\"}");
    append_registration(store, "a-00003");
    append_registration(store, "a-00004");
    append_registration(store, "a-00005");
    conference at5;
    memset(&at5, 0, sizeof(at5));
    at5.state.status = CONFERENCE_OPEN;
    at5.state.capacity = CAPACITY;
    at5.state.seats_taken = 4;
    put_snapshot(store, &at5, 5, CONFERENCE_LAYOUT_VERSION);
    exercise_say("v2 cannot be read; a snapshot at v5, the last event");

    loaded(store, &c,
           "v2 of this stream cannot be decoded (the test wrote it so, "
           "whatever the store's message about it suggests), and the "
           "snapshot at v5, its last event, covers it: the load must start "
           "from the snapshot and read nothing before. A snapshot at the "
           "stream's last version is inside the stream, not beyond it.");
    check_int(c.state.seats_taken, 4, "The state is the snapshot's.");
    check_int(c.base.version, 5, "The conference is at v5.");
    esk_aggregate_release(&c);

    put_snapshot(store, &at5, 3, CONFERENCE_LAYOUT_VERSION);
    loaded(store, &c,
           "With the snapshot at v3, the load reads v4 and v5 only.");
    check_int(c.state.seats_taken, 6, "The snapshot's 4 seats, and 2 more.");
    esk_aggregate_release(&c);
    esk_store_free(store);
}

/* --- A snapshot is a cache
 * ---------------------------------------------------- */

static void a_snapshot_of_another_layout_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    conference expected;
    const int layouts[] = {CONFERENCE_LAYOUT_VERSION + 1,
                           CONFERENCE_LAYOUT_VERSION - 1};

    grow(store, 3);
    put_marked_snapshot(store, 3, CONFERENCE_LAYOUT_VERSION);
    grow(store, 5);
    full_fold(store, &expected);
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
        conference at3 = expected;
        at3.state.seats_taken = 2 + MARKER;
        put_snapshot(store, &at3, 3, layouts[i]);
        exercise_say("a snapshot of layout %d", layouts[i]);
        loaded(store, &c,
               "A snapshot of another layout is ignored, not a "
               "failure: the load folds every event.");
        check_same_state(&c, &expected,
                         "A snapshot written with another layout version "
                         "(record.tag, not conference_snapshot_type's "
                         "schema_version) may mean anything: ignore it and "
                         "fold every event.");
        esk_aggregate_release(&c);
    }
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void a_snapshot_that_does_not_decode_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    conference expected;

    grow(store, 5);
    full_fold(store, &expected);
    put_record(store, 3, CONFERENCE_LAYOUT_VERSION, "{\"status\":\"open\"}");
    exercise_say("the snapshot is damaged: its status is a string");
    loaded(store, &c,
           "A snapshot that does not decode is ignored: the events are "
           "the truth. The load must not fail with the decode's status; "
           "it folds every event instead.");
    check_same_state(&c, &expected, "Replayed, the state is the events'.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void a_snapshot_that_fails_halfway_leaves_nothing_behind(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    conference expected;

    grow(store, 5);
    full_fold(store, &expected);
    /* seatsTaken is read before waiting fails. */
    put_record(store, 3, CONFERENCE_LAYOUT_VERSION,
               "{\"status\":1,\"capacity\":9500,\"seatsTaken\":40,"
               "\"waiting\":\"many\",\"recent\":[]}");
    loaded(store, &c, "A snapshot that does not decode is ignored.");
    check_same_state(&c, &expected,
                     "The codec had read seatsTaken when waiting failed: "
                     "decode into a conference of your own, zeroed, and "
                     "copy its state into c only when the decode succeeded; "
                     "the fold then starts from the zero state.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void a_snapshot_beyond_the_end_of_the_stream_is_ignored(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    conference c;
    conference expected;

    grow(store, 5);
    full_fold(store, &expected);
    conference ahead = expected;
    ahead.state.seats_taken = 49 + MARKER;
    put_snapshot(store, &ahead, 50, CONFERENCE_LAYOUT_VERSION);
    exercise_say("restored from last week's backup: the stream ends at v5, "
                 "the snapshot is at v50");
    loaded(store, &c,
           "A snapshot beyond the end of the stream is ignored, not a "
           "failure.");
    check_int(c.base.version, 5,
              "The stream ends at v5 (esk_store_stream_version()), and the "
              "snapshot says v50: it describes events the store does not "
              "have (a store restored from a backup, its snapshots not). "
              "Ignore it and fold every event.");
    check_same_state(&c, &expected, "The state is the events'.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

/* --- Saving ------------------------------------------------------------------
 */

/* Save a registration at a time through snapshot_save_if_due(), from the
 * stream's end to this version. */
static void save_until(esk_store *store, int64_t version)
{
    conference c;
    full_fold(store, &c);
    while (c.base.version < version) {
        register_until(&c, c.base.version + 1);
        esk_status rc = snapshot_save_if_due(store, &c);
        if (rc != ESK_OK)
            print_error("snapshot_save_if_due() said: %s\n", esk_errmsg());
        check_status(rc, ESK_OK,
                     "Saving one registration works: conference_append(), "
                     "and a snapshot when due, in one transaction.");
    }
    esk_aggregate_release(&c);
}

static void saves_below_the_threshold_write_no_snapshot(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    snapshot_info snapshot;
    int64_t version = 0;

    grow(store, 1);
    save_until(store, SNAPSHOT_EVERY - 1);
    check_status(esk_store_stream_version(store, STREAM_ID, &version), ESK_OK,
                 "The store says how long the stream is.");
    check_int(version, SNAPSHOT_EVERY - 1,
              "snapshot_save_if_due() appends the events: "
              "conference_append(store, c).");
    check_true(!find_snapshot(store, &snapshot),
               "999 saves of one event each cross no multiple of "
               "SNAPSHOT_EVERY: no snapshot yet. A snapshot on every save "
               "is a write of the whole state per command.");
    esk_store_free(store);
}

static void the_save_that_reaches_the_threshold_writes_the_state_at_its_version(
    void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    snapshot_info snapshot;
    conference expected;

    grow(store, SNAPSHOT_EVERY - 1);
    save_until(store, SNAPSHOT_EVERY);
    full_fold(store, &expected);
    check_true(find_snapshot(store, &snapshot),
               "The save of v1000 crosses SNAPSHOT_EVERY: it writes the "
               "snapshot (esk_store_put_record(), ESK_RECORD_SNAPSHOT, key "
               "c->base.stream_id).");
    check_int(snapshot.version, SNAPSHOT_EVERY,
              "record.at is the version of the state it holds: the "
              "conference's version after the append, not before it.");
    check_int(snapshot.layout, CONFERENCE_LAYOUT_VERSION,
              "record.tag is the layout version: "
              "conference_snapshot_type.schema_version.");
    check_same_state(&snapshot.c, &expected,
                     "The snapshot holds the state at v1000, the append's "
                     "events included.");
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void
a_save_that_jumps_over_the_threshold_writes_a_snapshot(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    snapshot_info snapshot;
    conference c;

    grow(store, SNAPSHOT_EVERY - 2);
    full_fold(store, &c);
    register_until(&c, SNAPSHOT_EVERY + 1); /* three events in one save */
    exercise_say("one save of three events: v998 to v1001");
    check_status(snapshot_save_if_due(store, &c), ESK_OK,
                 "Saving three registrations at once works.");
    esk_aggregate_release(&c);
    check_true(find_snapshot(store, &snapshot),
               "A save from v998 to v1001 crosses 1000 without stopping on "
               "it: compare which multiple each side is past "
               "(before / SNAPSHOT_EVERY != after / SNAPSHOT_EVERY), not "
               "whether the new version is a multiple.");
    check_int(snapshot.version, SNAPSHOT_EVERY + 1,
              "The snapshot is at the version the save ended at.");
    esk_store_free(store);
}

static void a_refused_append_writes_no_snapshot(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    snapshot_info snapshot;
    conference desk;
    conference other;

    exercise_watch_store(store);
    grow(store, SNAPSHOT_EVERY - 1);
    full_fold(store, &desk);
    full_fold(store, &other);
    exercise_say("two desks at v999; the other one registers carol first");
    check_status(conference_register(&other, "carol", "Carol Shaw"), ESK_OK,
                 "carol registers.");
    check_status(conference_append(store, &other), ESK_OK,
                 "carol's registration is v1000.");
    check_status(conference_register(&desk, "bob", "Bob Kahn"), ESK_OK,
                 "bob registers, on a desk that has not seen carol.");
    check_status(snapshot_save_if_due(store, &desk), ESK_ECONCURRENCY,
                 "The stream moved since the desk loaded it: the append "
                 "fails with ESK_ECONCURRENCY, and the save returns it.");
    check_true(!find_snapshot(store, &snapshot),
               "The append was refused, so no snapshot: one written with "
               "bob's state at v1000 would claim carol's place. Write the "
               "snapshot only after the append succeeded, in its "
               "transaction.");
    esk_aggregate_release(&desk);
    esk_aggregate_release(&other);
    esk_store_free(store);
}

/* --- Ten thousand registrations --------------------------------------------
 */

static double now_ms(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void
ten_thousand_registrations_load_from_the_latest_snapshot(void **unused)
{
    (void)unused;
    esk_store *store = open_store();
    snapshot_info snapshot;
    conference replayed;
    conference c;

    grow(store, 1);
    save_until(store, HISTORY);
    check_true(find_snapshot(store, &snapshot),
               "10,400 events saved through snapshot_save_if_due(): the "
               "stream has a snapshot.");
    check_int(snapshot.version, HISTORY / SNAPSHOT_EVERY * SNAPSHOT_EVERY,
              "The latest snapshot is at the last multiple of "
              "SNAPSHOT_EVERY the stream crossed.");

    double start = now_ms();
    full_fold(store, &replayed);
    double took = now_ms() - start;
    print_message("    without a snapshot   v%d  %6d events folded  %8.2f ms\n",
                  HISTORY, HISTORY, took);
    print_message("    the latest snapshot: v%lld, %zu bytes of JSON\n",
                  (long long)snapshot.version, snapshot.bytes);
    start = now_ms();
    loaded(store, &c, "The long stream loads from its snapshot.");
    took = now_ms() - start;
    print_message("    from the snapshot    v%lld  %6lld events folded  %8.2f "
                  "ms\n",
                  (long long)c.base.version,
                  (long long)(c.base.version - snapshot.version), took);
    check_int(c.base.version, HISTORY, "The conference is at v10400.");
    check_same_state(&c, &replayed,
                     "A snapshot only saves time: the state loaded from it "
                     "is the state every event gives.");
    esk_aggregate_release(&c);
    esk_aggregate_release(&replayed);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_conference_without_a_snapshot_is_folded_from_its_first_event),
        cmocka_unit_test(
            the_load_starts_from_the_snapshot_and_folds_the_events_after_it),
        cmocka_unit_test(
            a_conference_loaded_from_a_snapshot_takes_the_next_registration),
        cmocka_unit_test(events_the_snapshot_covers_are_not_read_again),
        cmocka_unit_test(a_snapshot_of_another_layout_is_ignored),
        cmocka_unit_test(a_snapshot_that_does_not_decode_is_ignored),
        cmocka_unit_test(a_snapshot_that_fails_halfway_leaves_nothing_behind),
        cmocka_unit_test(a_snapshot_beyond_the_end_of_the_stream_is_ignored),
        cmocka_unit_test(saves_below_the_threshold_write_no_snapshot),
        cmocka_unit_test(
            the_save_that_reaches_the_threshold_writes_the_state_at_its_version),
        cmocka_unit_test(
            a_save_that_jumps_over_the_threshold_writes_a_snapshot),
        cmocka_unit_test(a_refused_append_writes_no_snapshot),
        cmocka_unit_test(
            ten_thousand_registrations_load_from_the_latest_snapshot),
    };
    return cmocka_run_group_tests_name("12-snapshots", tests, NULL, NULL);
}
