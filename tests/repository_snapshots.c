/*
 * tests/repository_snapshots.c - snapshots: written as the stream
 * crosses a multiple, loaded from, and ignored when they do not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"
#include "repository_fixture.h"

/* --- snapshots ------------------------------------------------------------ */

void snapshots_are_written_each_time_the_stream_crosses_a_multiple(void **state)
{
    (void)state;
    fixture f;
    esk_record record;
    char *owned = NULL;
    open_fixture(&f, 100, NULL);
    save_workshop(&f, "1", 98, 98); /* version 99 */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_ENOTFOUND);

    workshop w;
    load(&f, "1", &w);
    register_and_save(&f, &w, 2, 2); /* 99 -> 101 */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_OK);
    assert_int_equal(record.at, 101);
    assert_int_equal(record.tag, 1);
    assert_string_equal(record.value,
                        "{\"title\":\"ES in C\",\"capacity\":5000,"
                        "\"seatsTaken\":100,\"attendees\":100}");
    esk_free(owned);

    register_and_save(&f, &w, 1, 1); /* 102: no new snapshot */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_OK);
    assert_int_equal(record.at, 101);
    esk_free(owned);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* workshop-1 at version 105, with a snapshot at 100. The state loaded
 * without snapshots is in *replayed. */
static void save_105_events_with_a_snapshot_at_100(fixture *f,
                                                   workshop *replayed)
{
    esk_repository *plain = NULL;
    save_workshop(f, "1", 99, 99);
    workshop w;
    load(f, "1", &w);
    register_and_save(f, &w, 5, 1);
    esk_aggregate_release(&w);
    assert_int_equal(esk_repository_new(&plain, f->store,
                                        &workshop_type_without_snapshot, NULL),
                     ESK_OK);
    memset(replayed, 0, sizeof(*replayed));
    assert_int_equal(esk_repository_load(plain, "1", replayed), ESK_OK);
    assert_int_equal(replayed->base.version, 105);
    esk_aggregate_release(replayed);
    esk_repository_free(plain);
}

void loading_starts_from_the_snapshot(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 100, NULL);
    workshop replayed, w;
    save_105_events_with_a_snapshot_at_100(&f, &replayed);
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 5);
    assert_int_equal(w.base.version, 105);
    assert_int_equal(w.base.stored_version, 105);
    assert_same_state(&w, &replayed);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* Replace the snapshot of workshop-1, then check that loading ignores it. */
static void assert_snapshot_is_ignored(int64_t number, int layout,
                                       const char *value)
{
    fixture f;
    open_fixture(&f, 100, NULL);
    workshop replayed, w;
    save_105_events_with_a_snapshot_at_100(&f, &replayed);
    const esk_record record = {"workshop-1", number, layout, value};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_SNAPSHOT, &record), ESK_OK);
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 105);
    assert_int_equal(w.base.version, 105);
    assert_same_state(&w, &replayed);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

void a_snapshot_of_another_layout_version_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(100, 2,
                               "{\"title\":\"Old\",\"capacity\":1,"
                               "\"seatsTaken\":1,\"attendees\":1}");
}

void a_snapshot_that_does_not_decode_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(100, 1, "{\"title\":5}");
}

void a_snapshot_beyond_the_end_of_its_stream_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(500, 1,
                               "{\"title\":\"Future\",\"capacity\":1,"
                               "\"seatsTaken\":1,\"attendees\":1}");
}

void a_snapshot_that_cannot_be_written_does_not_fail_the_save(void **state)
{
    (void)state;
    fixture f;
    esk_record record;
    char *owned = NULL;
    open_fixture(&f, 1, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    /* A state the snapshot layout cannot encode: not UTF-8. */
    w.title[0] = (char)0xff;
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_OK);
    assert_contains(esk_errmsg(),
                    "the events of Workshop '1' are saved, but its snapshot "
                    "at version 1 was not written");
    assert_contains(esk_errmsg(), "field 'title'");
    assert_int_equal(esk_error_last()->status, ESK_OK);
    assert_int_equal(w.base.stored_version, 1);
    assert_int_equal(stream_version(&f, "workshop-1"), 1);
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_ENOTFOUND);
    esk_aggregate_release(&w);
    close_fixture(&f);
}
