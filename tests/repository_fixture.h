/*
 * tests/repository_fixture.h - what the repository tests share: a store
 * and a repository on it, and workshops saved and loaded.
 */
#ifndef ESK_TESTS_REPOSITORY_FIXTURE_H
#define ESK_TESTS_REPOSITORY_FIXTURE_H

#include <stdint.h>

#include "aggregate_fixture.h"
#include "esk/aggregate.h"
#include "esk/upcast.h"

/* How the store under test is opened: main runs every test once per
 * backend. */
typedef esk_status (*open_fn)(esk_store **out);
extern open_fn open_store;

typedef struct fixture {
    esk_store *store;
    esk_repository *repo;
} fixture;

/* snapshot_every 0: no snapshots. */
void open_fixture(fixture *f, int snapshot_every,
                  const esk_upcasters *upcasters);
void close_fixture(fixture *f);

void assert_contains(const char *text, const char *part);
/* The state's own bytes, after the esk_aggregate member. */
void assert_same_state(const workshop *a, const workshop *b);

/* Register n attendees of one seat each, saving every `per_save`. */
void register_and_save(fixture *f, workshop *w, int n, int per_save);
/* Stream workshop-<id>: scheduled with room for 5000, then n attendees,
 * saved in batches of per_save. */
void save_workshop(fixture *f, const char *id, int n, int per_save);
void load(fixture *f, const char *id, workshop *w);
int64_t stream_version(fixture *f, const char *stream);

/* --- The tests, by file --------------------------------------------------- */

/* repository_snapshots.c */
void snapshots_are_written_each_time_the_stream_crosses_a_multiple(
    void **state);
void loading_starts_from_the_snapshot(void **state);
void a_snapshot_of_another_layout_version_is_ignored(void **state);
void a_snapshot_that_does_not_decode_is_ignored(void **state);
void a_snapshot_beyond_the_end_of_its_stream_is_ignored(void **state);
void a_snapshot_that_cannot_be_written_does_not_fail_the_save(void **state);

/* repository_upcasting.c */
void old_events_are_upcast_when_loading(void **state);
void an_old_event_without_its_upcaster_fails_the_load_and_says_so(void **state);
void an_unknown_event_type_fails_the_load_naming_it(void **state);
void a_type_that_skips_unknown_types_loads_and_saves_past_them(void **state);
void an_event_that_does_not_decode_fails_the_load_naming_the_field(
    void **state);

#endif
