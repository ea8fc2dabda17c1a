/*
 * test_snapshots.c - Event Sourcing Days: ten thousand registrations, and
 * the snapshots that spare a load from folding them all.
 *
 * How much a load costs is measured two ways. The time is printed (run
 * the program itself, or ./kata demo 12, to see it); it depends on the
 * machine, so no test asserts on it. What the tests assert on is the work
 * itself: how many events evolve folded, counted by a wrapper around it.
 * That number is the same on every machine.
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
/* Events in the stream: the scheduling, then 10,399 registrations (9,500
 * seated, the others waitlisted). */
#define HISTORY 10400

/* --- Counting the events folded ------------------------------------------ */

static int64_t events_folded;

static void count_and_evolve(void *aggregate, const esk_event_type *type,
                             const void *event)
{
    events_folded++;
    conference_type.evolve(aggregate, type, event);
}

/* The conference type with its evolve counted, and with the snapshot
 * given: yours, another layout's, or NULL for a type blind to snapshots. */
static esk_aggregate_type counted_type(const esk_event_type *snapshot)
{
    esk_aggregate_type type = conference_type;
    type.evolve = count_and_evolve;
    type.snapshot = snapshot;
    return type;
}

/* --- The store and its repositories --------------------------------------- */

static esk_store *open_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    return store;
}

static esk_repository *open_repository(esk_store *store,
                                       const esk_aggregate_type *type,
                                       const esk_repository_options *options)
{
    esk_repository *repo = NULL;
    esk_status rc = esk_repository_new(&repo, store, type, options);
    if (rc != ESK_OK)
        print_error("esk_repository_new said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The repository refuses these options or this type: its "
                 "message above says why. A snapshot table may only name "
                 "members of the state (state.something), and "
                 "snapshot_every may not be negative.");
    return repo;
}

/* The options of your policy, which must ask for snapshots. */
static esk_repository_options policy(void)
{
    esk_repository_options options = conference_repository_options();
    check_int(options.version, ESK_REPOSITORY_OPTIONS_VERSION,
              "Start from ESK_REPOSITORY_OPTIONS_INIT: `esk_repository_options "
              "options = ESK_REPOSITORY_OPTIONS_INIT;`, then set "
              "snapshot_every.");
    check_true(options.snapshot_every > 0,
               "conference_repository_options() must ask for snapshots: set "
               "options.snapshot_every to a number of events (the README "
               "says how to choose it).");
    return options;
}

static void saved(esk_repository *repo, conference *c)
{
    esk_status rc = esk_repository_save(repo, c, NULL, NULL);
    if (rc != ESK_OK)
        print_error("the repository said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "Saving a registration should work.");
    /* A save whose events are stored but whose snapshot could not be
     * written succeeds, and leaves a note. */
    check_string(
        esk_errmsg(), "",
        "The events are saved but the snapshot was not: the codec "
        "refused the snapshot table (the note says which field). "
        "Each ESK_FIELD_* macro must fit its member: INT64 for "
        "int64_t, ESK_FIELD_ARRAY with ESK_ELEMENT_STRING(char[ID_SIZE]) "
        "for recent.");
}

/* Schedule Event Sourcing Days: the stream's first event. */
static void schedule_es_days(esk_repository *repo, conference *c)
{
    check_status(esk_aggregate_init(c, &conference_type, CONFERENCE_ID), ESK_OK,
                 "A new conference starts empty.");
    check_status(
        conference_schedule(c, "Event Sourcing Days", "2026-10-05", CAPACITY),
        ESK_OK, "Scheduling a new conference works.");
    saved(repo, c);
}

/* Register attendees a-00002, a-00003... one command and one save each,
 * until the stream reaches this version. The conference stays in memory
 * between saves, as a registration desk would keep it: what is measured
 * here is loading, not the desk. */
static void register_until(esk_repository *repo, conference *c, int64_t version)
{
    while (c->base.version < version) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "a-%05lld", (long long)c->base.version + 1);
        check_status(conference_register(c, id, "Attendee"), ESK_OK,
                     "Registering a new attendee works.");
        saved(repo, c);
    }
}

/* A store holding Event Sourcing Days with `events` events, saved through
 * a repository with your policy (and so with its snapshots). Not watched:
 * thousands of events would drown the story. A test that wants the events
 * it appends afterwards narrated calls exercise_watch_store(). */
static esk_store *store_with_history(int64_t events)
{
    esk_repository_options options = policy();
    esk_store *store = open_store();
    esk_repository *repo = open_repository(store, &conference_type, &options);
    conference c;

    schedule_es_days(repo, &c);
    register_until(repo, &c, events);
    esk_aggregate_release(&c);
    esk_repository_free(repo);
    return store;
}

/* What the store holds as the stream's snapshot. */
typedef struct snapshot_info {
    int64_t version; /* the stream version it was taken at */
    int layout;      /* the layout version it was written with */
    size_t bytes;    /* the size of its JSON */
} snapshot_info;

/* The stream's snapshot, if it has one. */
static bool find_snapshot(esk_store *store, snapshot_info *out)
{
    esk_record record;
    char *owned = NULL;
    if (esk_store_get_record(store, ESK_RECORD_SNAPSHOT, STREAM_ID, &record,
                             &owned) != ESK_OK)
        return false;
    *out = (snapshot_info){record.at, record.tag, strlen(record.value)};
    esk_free(owned);
    return true;
}

/* --- Loading, timed and counted ------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Load the conference; print how long it took and how much it folded.
 * Returns the number of events folded. */
static int64_t timed_load(esk_repository *repo, conference *c,
                          const char *label)
{
    events_folded = 0;
    double start = now_ms();
    esk_status rc = esk_repository_load(repo, CONFERENCE_ID, c);
    double took = now_ms() - start;
    if (rc != ESK_OK)
        print_error("the repository said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The conference's stream loads.");
    print_message("    %-34s v%-6lld %6lld events folded  %8.2f ms\n", label,
                  (long long)c->base.version, (long long)events_folded, took);
    return events_folded;
}

/* A state from a snapshot must be the state the events rebuild. */
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

/* --- The snapshot's JSON -------------------------------------------------- */

#define SAMPLE_JSON                                                            \
    "{\"status\":1,\"capacity\":9500,\"seatsTaken\":9500,\"waiting\":2,"       \
    "\"recent\":[\"a-09998\",\"a-09999\",\"bob\"]}"

/* The state after the last of the 9,999 registrations, and bob's. */
static conference sample_conference(void)
{
    conference c;
    memset(&c, 0, sizeof(c));
    c.state.status = CONFERENCE_OPEN;
    c.state.capacity = 9500;
    c.state.seats_taken = 9500;
    c.state.waiting = 2;
    copy_text(c.state.recent[0], ID_SIZE, "a-09998");
    copy_text(c.state.recent[1], ID_SIZE, "a-09999");
    copy_text(c.state.recent[2], ID_SIZE, "bob");
    c.state.recent_count = 3;
    return c;
}

/* The stub describes one member; say where the others go. */
static void point_at_the_table(void)
{
    if (conference_snapshot_type.field_count <= 1)
        print_message("TODO: describe every member of conference_state in "
                      "conference_snapshot_fields, in "
                      "exercises/12-snapshots/snapshot.c\n");
}

static void a_snapshot_writes_every_member_of_the_state(void **unused)
{
    (void)unused;
    conference c = sample_conference();
    char json[1024] = "";

    esk_status rc = esk_codec_encode_to(&conference_snapshot_type, &c, json,
                                        sizeof(json), NULL);
    if (rc != ESK_OK)
        print_error("encoding said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The codec refuses the snapshot table (see what it said): "
                 "each ESK_FIELD_* macro must fit its member, and the "
                 "element of recent is described by the type of one "
                 "element: ESK_ELEMENT_STRING(char[ID_SIZE]).");
    if (strcmp(json, SAMPLE_JSON) != 0)
        point_at_the_table();
    check_string(json, SAMPLE_JSON,
                 "The snapshot holds the whole state, keys in this order: "
                 "status, capacity, seatsTaken, waiting (ESK_FIELD_INT64), "
                 "then recent (ESK_FIELD_ARRAY of ESK_ELEMENT_STRING, with "
                 "its count recent_count).");
}

static void a_snapshot_reads_back_as_the_same_state(void **unused)
{
    (void)unused;
    conference expected = sample_conference();
    conference c;

    esk_status rc =
        esk_codec_decode(&conference_snapshot_type, SAMPLE_JSON, &c);
    if (rc != ESK_OK)
        print_error("decoding said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The codec cannot read the snapshot back (see what it "
                 "said).");
    point_at_the_table();
    check_same_state(&c, &expected,
                     "Read back, a snapshot must give the state it was "
                     "written from: a member the table leaves out reads as "
                     "zero. Describe all five, recent with its count "
                     "(ESK_FIELD_ARRAY(conference, state.recent, "
                     "state.recent_count, ...)).");
}

/* --- The policy ------------------------------------------------------------
 */

static void the_policy_snapshots_every_100_to_1000_events(void **unused)
{
    (void)unused;
    esk_repository_options options = policy();
    print_message("    snapshot_every = %d\n", options.snapshot_every);
    check_true(options.snapshot_every <= 1000,
               "A load may fold at most 1,000 events: with snapshot_every "
               "above 1,000, the events after the latest snapshot can be "
               "more.");
    check_true(options.snapshot_every >= 100,
               "A snapshot is a write of the whole state: at most one per "
               "100 events, or the snapshots cost more than they save.");
}

/* --- Loading -------------------------------------------------------------- */

static void
loading_from_a_snapshot_folds_only_the_events_after_it(void **unused)
{
    (void)unused;
    esk_repository_options options = policy();
    esk_store *store = store_with_history(HISTORY);
    exercise_watch_store(store);
    esk_aggregate_type blind = counted_type(NULL);
    esk_aggregate_type yours = counted_type(&conference_snapshot_type);
    esk_repository *replaying = open_repository(store, &blind, NULL);
    esk_repository *snapshotting = open_repository(store, &yours, &options);
    conference replayed;
    conference loaded;
    snapshot_info snapshot;

    exercise_say("Event Sourcing Days: %d events, snapshot every %d", HISTORY,
                 options.snapshot_every);
    check_int(timed_load(replaying, &replayed, "without a snapshot"), HISTORY,
              "Without a snapshot, a load folds every event of the stream.");

    check_true(find_snapshot(store, &snapshot),
               "After 10,400 events saved with your policy, the store holds "
               "no snapshot of conference-es-days: a save writes one when "
               "the stream crosses a multiple of snapshot_every.");
    print_message("    the latest snapshot: v%lld, %zu bytes of JSON\n",
                  (long long)snapshot.version, snapshot.bytes);
    int64_t folded = timed_load(snapshotting, &loaded, "from the snapshot");
    check_int(folded, HISTORY - snapshot.version,
              "A load starts from the latest snapshot and folds only the "
              "events after it. If it folded them all, it could not use the "
              "snapshot: does its table read back what it wrote?");
    check_true(folded < options.snapshot_every,
               "The latest snapshot is less than snapshot_every events "
               "behind the end of the stream.");
    check_int(loaded.base.version, HISTORY,
              "Loaded from a snapshot, the conference is still at the "
              "stream's last version.");
    check_same_state(&loaded, &replayed,
                     "A snapshot only saves time: the state loaded from it "
                     "must be the state the events rebuild. A member left "
                     "out of the snapshot table reads as zero.");

    esk_aggregate_release(&replayed);
    esk_aggregate_release(&loaded);
    esk_repository_free(replaying);
    esk_repository_free(snapshotting);
    esk_store_free(store);
}

static void
a_double_submit_is_refused_after_loading_from_a_snapshot(void **unused)
{
    (void)unused;
    esk_repository_options options = policy();
    int64_t every = options.snapshot_every > 0 ? options.snapshot_every : 1;
    esk_store *store = store_with_history(2 * every - 1);
    exercise_watch_store(store);
    esk_repository *repo = open_repository(store, &conference_type, &options);
    esk_aggregate_type yours = counted_type(&conference_snapshot_type);
    esk_repository *counting = open_repository(store, &yours, &options);
    conference c;

    /* bob registers, and his registration is the one that crosses the
     * threshold: the snapshot is taken right after it. */
    exercise_say("bob registers: the event at v%lld, a snapshot after it",
                 (long long)(2 * every));
    check_status(esk_repository_load(repo, CONFERENCE_ID, &c), ESK_OK,
                 "The conference loads.");
    check_status(conference_register(&c, "bob", "Bob Kahn"), ESK_OK,
                 "bob registers for the first time.");
    saved(repo, &c);
    esk_aggregate_release(&c);

    /* bob's browser sends the form again. */
    exercise_say("bob's browser sends the form again");
    check_int(timed_load(counting, &c, "from the snapshot at bob's"), 0,
              "The snapshot was taken at bob's registration, the stream's "
              "last event: a load from it folds nothing.");
    esk_status rc = conference_register(&c, "bob", "Bob Kahn");
    check_status(rc, ESK_EDOMAIN,
                 "bob is among the latest registrations, yet the conference "
                 "loaded from the snapshot let him register again: the "
                 "snapshot forgot state.recent. Describe it, with its count "
                 "state.recent_count, in the snapshot table.");
    check_int(esk_error_last()->code, ALREADY_REGISTERED,
              "A double submit is refused with ALREADY_REGISTERED.");

    esk_aggregate_release(&c);
    esk_repository_free(counting);
    esk_repository_free(repo);
    esk_store_free(store);
}

/* --- A snapshot is a cache ------------------------------------------------ */

static void a_damaged_snapshot_is_ignored_and_the_events_replayed(void **unused)
{
    (void)unused;
    esk_repository_options options = policy();
    int64_t every = options.snapshot_every > 0 ? options.snapshot_every : 1;
    esk_store *store = store_with_history(2 * every + 10);
    exercise_watch_store(store);
    esk_aggregate_type yours = counted_type(&conference_snapshot_type);
    esk_repository *repo = open_repository(store, &yours, &options);
    conference before;
    conference after;
    snapshot_info snapshot;

    check_true(find_snapshot(store, &snapshot),
               "Saved with your policy, the stream should have a snapshot: "
               "set snapshot_every in conference_repository_options().");
    int64_t folded = timed_load(repo, &before, "from the snapshot");
    check_true(folded < 2 * every + 10,
               "With a snapshot, a load folds only the events after it.");

    /* Someone, or some bug, spoils the snapshot: a status as text. */
    exercise_say("the snapshot is damaged: its status is now a string");
    esk_record damaged = {STREAM_ID, snapshot.version, snapshot.layout,
                          "{\"status\":\"open\"}"};
    check_status(esk_store_put_record(store, ESK_RECORD_SNAPSHOT, &damaged),
                 ESK_OK, "Overwriting the snapshot record works.");
    check_int(timed_load(repo, &after, "with the damaged snapshot"),
              2 * every + 10,
              "A snapshot that does not decode is ignored: the events are "
              "the truth, and the load replays them all.");
    check_same_state(&after, &before,
                     "Replayed or from a snapshot, the state is the same.");

    esk_aggregate_release(&before);
    esk_aggregate_release(&after);
    esk_repository_free(repo);
    esk_store_free(store);
}

/* --- A new layout ----------------------------------------------------------
 */

static void
a_new_state_layout_ignores_old_snapshots_until_the_next(void **unused)
{
    (void)unused;
    esk_repository_options options = policy();
    int64_t every = options.snapshot_every > 0 ? options.snapshot_every : 1;
    /* Not watched: the registrations up to the next threshold, hundreds of
     * them, would drown the story; the loads tell it. */
    esk_store *store = store_with_history(HISTORY);
    snapshot_info snapshot;

    /* The next release changes conference_state, so it bumps the layout
     * version: the same table, one version up, stands for it here. */
    esk_event_type next_layout = conference_snapshot_type;
    next_layout.schema_version = conference_snapshot_type.schema_version + 1;
    esk_aggregate_type this_release = counted_type(&conference_snapshot_type);
    esk_aggregate_type next_release = counted_type(&next_layout);
    esk_repository *old_repo = open_repository(store, &this_release, &options);
    esk_repository *new_repo = open_repository(store, &next_release, &options);
    conference old_c;
    conference new_c;

    check_true(find_snapshot(store, &snapshot),
               "Saved with your policy, the stream should have a snapshot.");
    check_int(snapshot.layout, conference_snapshot_type.schema_version,
              "A snapshot records the layout version it was written with: "
              "the schema_version of conference_snapshot_type.");
    timed_load(old_repo, &old_c, "this release, from its snapshot");

    exercise_say("the next release: layout v%d", next_layout.schema_version);
    check_int(timed_load(new_repo, &new_c, "next release, old snapshot"),
              HISTORY,
              "A snapshot of another layout version is ignored: the next "
              "release replays every event.");
    check_same_state(&new_c, &old_c,
                     "Replayed by the next release, the state is the same.");

    /* Registrations go on; the next threshold writes a new snapshot. */
    int64_t next = (HISTORY / every + 1) * every;
    exercise_say("registrations go on, up to v%lld", (long long)next);
    register_until(new_repo, &new_c, next);
    esk_aggregate_release(&new_c);
    check_true(find_snapshot(store, &snapshot),
               "The stream still has a snapshot.");
    print_message("    a new snapshot at v%lld, layout %d\n",
                  (long long)snapshot.version, snapshot.layout);
    check_int(snapshot.version, next,
              "Crossing the next multiple of snapshot_every, the next "
              "release writes its own snapshot.");
    check_int(snapshot.layout, next_layout.schema_version,
              "The new snapshot is of the new layout.");
    check_int(timed_load(new_repo, &new_c, "next release, new snapshot"), 0,
              "From its own snapshot, the next release folds only what came "
              "after it: nothing.");
    esk_aggregate_release(&old_c);
    check_int(timed_load(old_repo, &old_c, "this release, new snapshot"), next,
              "This release cannot read the next release's layout: it "
              "ignores that snapshot and replays the stream.");

    esk_aggregate_release(&old_c);
    esk_aggregate_release(&new_c);
    esk_repository_free(old_repo);
    esk_repository_free(new_repo);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_snapshot_writes_every_member_of_the_state),
        cmocka_unit_test(a_snapshot_reads_back_as_the_same_state),
        cmocka_unit_test(the_policy_snapshots_every_100_to_1000_events),
        cmocka_unit_test(
            loading_from_a_snapshot_folds_only_the_events_after_it),
        cmocka_unit_test(
            a_double_submit_is_refused_after_loading_from_a_snapshot),
        cmocka_unit_test(a_damaged_snapshot_is_ignored_and_the_events_replayed),
        cmocka_unit_test(
            a_new_state_layout_ignores_old_snapshots_until_the_next),
    };
    return cmocka_run_group_tests_name("12-snapshots", tests, NULL, NULL);
}
