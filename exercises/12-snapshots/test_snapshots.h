/*
 * test_snapshots.h - what the two files of exercise 12's suite share: the
 * store and its events, snapshots written by hand, and the checks
 * (test_snapshots.c), and the tests of loading (test_snapshots_load.c),
 * which main() in test_snapshots.c runs first.
 */
#ifndef TEST_SNAPSHOTS_H
#define TEST_SNAPSHOTS_H

#include <stdbool.h>
#include <stddef.h>

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

typedef struct suite_snapshot {
    int64_t version; /* the stream version it was taken at */
    int layout;      /* the layout version it was written with */
    conference c;    /* its state, decoded */
    size_t bytes;    /* the size of its JSON */
} suite_snapshot;

/* A SQLite store in memory. */
esk_store *suite_open_store(void);
/* The conference as every event folds it: esk's own load, no snapshot. */
void suite_full_fold(esk_store *store, conference *c);
/* Register a-00002, a-00003... until c reaches this version. */
void suite_register_until(conference *c, int64_t version);
/* Grow the stream to this version in one append, without snapshots. */
void suite_grow(esk_store *store, int64_t version);
/* Append an event as it is stored, whatever its data. */
void suite_append_raw(esk_store *store, const char *type, int schema,
                      const char *json);
void suite_append_registration(esk_store *store, const char *attendee_id);
/* Write a snapshot record by hand, or c's state as one. */
void suite_put_record(esk_store *store, int64_t at, int layout,
                      const char *json);
void suite_put_snapshot(esk_store *store, const conference *c, int64_t at,
                        int layout);
/* The state the events give at `at` (the stream must end there now), with
 * MARKER seats more: a snapshot no fold of the events could produce. */
void suite_put_marked_snapshot(esk_store *store, int64_t at, int layout);
/* The stream's snapshot, if it has one. */
bool suite_find_snapshot(esk_store *store, suite_snapshot *out);
/* snapshot_load() must succeed, with this hint if not. */
void suite_loaded(esk_store *store, conference *c, const char *hint);
/* A state from a snapshot must be the state the events rebuild. */
void suite_check_same_state(const conference *actual,
                            const conference *expected, const char *hint);

/* The tests of loading (test_snapshots_load.c). */
void a_conference_without_a_snapshot_is_folded_from_its_first_event(
    void **unused);
void the_load_starts_from_the_snapshot_and_folds_the_events_after_it(
    void **unused);
void a_conference_loaded_from_a_snapshot_takes_the_next_registration(
    void **unused);
void events_the_snapshot_covers_are_not_read_again(void **unused);
void a_snapshot_of_another_layout_is_ignored(void **unused);
void a_snapshot_that_does_not_decode_is_ignored(void **unused);
void a_snapshot_that_fails_halfway_leaves_nothing_behind(void **unused);
void a_snapshot_beyond_the_end_of_the_stream_is_ignored(void **unused);

#endif
