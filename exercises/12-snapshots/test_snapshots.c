/*
 * test_snapshots.c - Event Sourcing Days: loading a conference from its
 * snapshot, and writing one every SNAPSHOT_EVERY events.
 *
 * The reference the tests compare with is a load that folds every event:
 * a repository of conference_type, which names no snapshot. Snapshots are
 * written by hand where a test needs one: a snapshot that says something
 * the events do not shows whether a load used it; one of another layout,
 * one that does not decode, one beyond the stream must be ignored. This
 * file holds the helpers (test_snapshots.h), the tests of saving and
 * main(); the tests of loading are in test_snapshots_load.c. The times of
 * the last test are printed, never checked.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <esk/store.h>
#include <sqlite3.h>

#include "test_snapshots.h"

/* --- The store and its events --------------------------------------------- */

esk_store *suite_open_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    return store;
}

/* The conference as every event folds it: esk's own load, no snapshot. */
void suite_full_fold(esk_store *store, conference *c)
{
    esk_repository *repo = NULL;
    check_status(esk_repository_new(&repo, store, &conference_type, NULL),
                 ESK_OK, "A repository of conferences opens.");
    check_status(esk_repository_load(repo, CONFERENCE_ID, c), ESK_OK,
                 "The stream loads, event by event.");
    esk_repository_free(repo);
}

/* Register a-00002, a-00003... until c reaches this version. */
void suite_register_until(conference *c, int64_t version)
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
void suite_grow(esk_store *store, int64_t version)
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
        suite_full_fold(store, &c);
    }
    suite_register_until(&c, version);
    check_status(conference_append(store, &c), ESK_OK,
                 "Appending the registrations works.");
    esk_aggregate_release(&c);
}

/* Append an event as it is stored, whatever its data. */
void suite_append_raw(esk_store *store, const char *type, int schema,
                      const char *json)
{
    esk_new_event event = {NULL, type, schema, json, NULL};
    check_status(esk_store_append(store, STREAM_ID, ESK_ANY, &event, 1, NULL),
                 ESK_OK, "Appending a raw event works.");
}

void suite_append_registration(esk_store *store, const char *attendee_id)
{
    attendee_registered e = {0};
    char *json = NULL;
    copy_text(e.workshop_id, sizeof(e.workshop_id), CONFERENCE_ID);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), "Attendee");
    check_status(esk_codec_encode(&attendee_registered_type, &e, &json), ESK_OK,
                 "A registration encodes.");
    suite_append_raw(store, attendee_registered_type.name,
                     attendee_registered_type.schema_version, json);
    esk_free(json);
}

/* --- Snapshots, by hand ----------------------------------------------------
 */

void suite_put_record(esk_store *store, int64_t at, int layout,
                      const char *json)
{
    esk_record record = {STREAM_ID, at, layout, json};
    check_status(esk_store_put_record(store, ESK_RECORD_SNAPSHOT, &record),
                 ESK_OK, "Writing a snapshot record works.");
}

/* Write c's state as the stream's snapshot at version `at`. */
void suite_put_snapshot(esk_store *store, const conference *c, int64_t at,
                        int layout)
{
    char *json = NULL;
    check_status(esk_codec_encode(&conference_snapshot_type, c, &json), ESK_OK,
                 "The state encodes.");
    suite_put_record(store, at, layout, json);
    esk_free(json);
}

/* The state the events give at `at` (the stream must end there now), with
 * MARKER seats more: a snapshot no fold of the events could produce. */
void suite_put_marked_snapshot(esk_store *store, int64_t at, int layout)
{
    conference c;
    suite_full_fold(store, &c);
    check_int(c.base.version, at, "The stream ends where the snapshot goes.");
    c.state.seats_taken += MARKER;
    suite_put_snapshot(store, &c, at, layout);
    esk_aggregate_release(&c);
}

/* The stream's snapshot, if it has one. */
bool suite_find_snapshot(esk_store *store, suite_snapshot *out)
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

void suite_loaded(esk_store *store, conference *c, const char *hint)
{
    esk_status rc = snapshot_load(store, CONFERENCE_ID, c);
    if (rc != ESK_OK)
        print_error("snapshot_load() said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
}

void suite_check_same_state(const conference *actual,
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

/* --- Saving ------------------------------------------------------------------
 */

/* Save a registration at a time through snapshot_save_if_due(), from the
 * stream's end to this version. */
static void save_until(esk_store *store, int64_t version)
{
    conference c;
    suite_full_fold(store, &c);
    while (c.base.version < version) {
        suite_register_until(&c, c.base.version + 1);
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
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    int64_t version = 0;

    suite_grow(store, 1);
    save_until(store, SNAPSHOT_EVERY - 1);
    check_status(esk_store_stream_version(store, STREAM_ID, &version), ESK_OK,
                 "The store says how long the stream is.");
    check_int(version, SNAPSHOT_EVERY - 1,
              "snapshot_save_if_due() appends the events: "
              "conference_append(store, c).");
    check_true(!suite_find_snapshot(store, &snapshot),
               "999 saves of one event each cross no multiple of "
               "SNAPSHOT_EVERY: no snapshot yet. A snapshot on every save "
               "is a write of the whole state per command.");
    esk_store_free(store);
}

static void the_save_that_reaches_the_threshold_writes_the_state_at_its_version(
    void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    conference expected;

    suite_grow(store, SNAPSHOT_EVERY - 1);
    save_until(store, SNAPSHOT_EVERY);
    suite_full_fold(store, &expected);
    check_true(suite_find_snapshot(store, &snapshot),
               "The save of v1000 crosses SNAPSHOT_EVERY: it writes the "
               "snapshot (esk_store_put_record(), ESK_RECORD_SNAPSHOT, key "
               "c->base.stream_id).");
    check_int(snapshot.version, SNAPSHOT_EVERY,
              "record.at is the version of the state it holds: the "
              "conference's version after the append, not before it.");
    check_int(snapshot.layout, CONFERENCE_LAYOUT_VERSION,
              "record.tag is the layout version: "
              "conference_snapshot_type.schema_version.");
    suite_check_same_state(
        &snapshot.c, &expected,
        "The snapshot holds the state at v1000, the append's "
        "events included.");
    esk_aggregate_release(&expected);
    esk_store_free(store);
}

static void
a_save_that_jumps_over_the_threshold_writes_a_snapshot(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    conference c;

    suite_grow(store, SNAPSHOT_EVERY - 2);
    suite_full_fold(store, &c);
    suite_register_until(&c, SNAPSHOT_EVERY + 1); /* three events in one save */
    exercise_say("one save of three events: v998 to v1001");
    check_status(snapshot_save_if_due(store, &c), ESK_OK,
                 "Saving three registrations at once works.");
    esk_aggregate_release(&c);
    check_true(suite_find_snapshot(store, &snapshot),
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
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    conference desk;
    conference other;

    exercise_watch_store(store);
    suite_grow(store, SNAPSHOT_EVERY - 1);
    suite_full_fold(store, &desk);
    suite_full_fold(store, &other);
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
    check_true(!suite_find_snapshot(store, &snapshot),
               "The append was refused, so no snapshot: one written with "
               "bob's state at v1000 would claim carol's place. Write the "
               "snapshot only after the append succeeded, in its "
               "transaction.");
    esk_aggregate_release(&desk);
    esk_aggregate_release(&other);
    esk_store_free(store);
}

/* Run SQL on the store's own SQLite connection. */
static void on_the_file(esk_store *store, const char *sql)
{
    char *error = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &error) !=
        SQLITE_OK)
        print_error("%s: %s\n", sql, error != NULL ? error : "?");
    sqlite3_free(error);
}

static void a_snapshot_that_cannot_be_written_fails_the_save(void **unused)
{
    (void)unused;
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    conference desk;
    conference reloaded;
    int64_t version = 0;

    suite_grow(store, SNAPSHOT_EVERY - 1);
    suite_full_fold(store, &desk);
    check_status(conference_register(&desk, "bob", "Bob Kahn"), ESK_OK,
                 "bob registers: the save of v1000 is due a snapshot.");
    /* The disk fills up as the snapshot is written: SQLite refuses it (a
     * trigger plays the full disk). */
    on_the_file(store, "CREATE TEMP TRIGGER full_disk BEFORE INSERT ON "
                       "snapshots BEGIN SELECT RAISE(ABORT, 'database or "
                       "disk is full'); END");
    esk_status rc = snapshot_save_if_due(store, &desk);
    on_the_file(store, "DROP TRIGGER full_disk");

    check_true(rc != ESK_OK,
               "The snapshot could not be written: snapshot_save_if_due() "
               "returns the failure of esk_store_put_record().");
    check_int(esk_store_transaction_depth(store), 0,
              "The failure ended the transaction: roll it back.");
    check_true(!suite_find_snapshot(store, &snapshot), "No snapshot.");
    check_status(esk_store_stream_version(store, STREAM_ID, &version), ESK_OK,
                 "The store says how long the stream is.");
    check_int(version, SNAPSHOT_EVERY - 1,
              "Neither the events nor the snapshot: bob's registration was "
              "rolled back with the snapshot in its transaction (this "
              "design's choice; esk's repository keeps the events and drops "
              "the snapshot). Committing after the failure keeps half the "
              "unit.");
    esk_aggregate_release(&desk);

    /* After a failed save, the conference is loaded again. */
    suite_loaded(store, &reloaded, "The conference loads as the store has it.");
    check_int(reloaded.base.version, SNAPSHOT_EVERY - 1,
              "Loaded again, the conference is at v999, without bob.");
    esk_aggregate_release(&reloaded);
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
    esk_store *store = suite_open_store();
    suite_snapshot snapshot;
    conference replayed;
    conference c;

    suite_grow(store, 1);
    save_until(store, HISTORY);
    check_true(suite_find_snapshot(store, &snapshot),
               "10,400 events saved through snapshot_save_if_due(): the "
               "stream has a snapshot.");
    check_int(snapshot.version, HISTORY / SNAPSHOT_EVERY * SNAPSHOT_EVERY,
              "The latest snapshot is at the last multiple of "
              "SNAPSHOT_EVERY the stream crossed.");

    double start = now_ms();
    suite_full_fold(store, &replayed);
    double took = now_ms() - start;
    print_message("    without a snapshot   v%d  %6d events folded  %8.2f ms\n",
                  HISTORY, HISTORY, took);
    print_message("    the latest snapshot: v%lld, %zu bytes of JSON\n",
                  (long long)snapshot.version, snapshot.bytes);
    start = now_ms();
    suite_loaded(store, &c, "The long stream loads from its snapshot.");
    took = now_ms() - start;
    print_message("    from the snapshot    v%lld  %6lld events folded  %8.2f "
                  "ms\n",
                  (long long)c.base.version,
                  (long long)(c.base.version - snapshot.version), took);
    check_int(c.base.version, HISTORY, "The conference is at v10400.");
    suite_check_same_state(
        &c, &replayed,
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
        cmocka_unit_test(a_snapshot_that_cannot_be_written_fails_the_save),
        cmocka_unit_test(
            ten_thousand_registrations_load_from_the_latest_snapshot),
    };
    return cmocka_run_group_tests_name("12-snapshots", tests, NULL, NULL);
}
