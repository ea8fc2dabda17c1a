/*
 * tests/test_repository.c - loading and saving aggregates, snapshots and
 * upcasting, on the memory store and on SQLite. Snapshots and upcasting
 * have their files (repository_snapshots.c, repository_upcasting.c); this
 * one has loading and saving, arguments, allocation failures and main().
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

/* --- load and save -------------------------------------------------------- */

static void
loading_a_missing_aggregate_is_not_found_and_gives_an_empty_one(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "404", &w), ESK_ENOTFOUND);
    assert_string_equal(esk_errmsg(), "Workshop '404' does not exist: stream "
                                      "'workshop-404' has no events");
    assert_string_equal(w.base.stream_id, "workshop-404");
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    esk_aggregate_release(&w);

    /* Once it has an event, it exists, even with an empty state. */
    save_workshop(&f, "404", 0, 1);
    load(&f, "404", &w);
    assert_int_equal(w.base.version, 1);
    assert_string_equal(esk_errmsg(), "");
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void a_saved_aggregate_loads_with_its_state_and_versions(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES in C", 10), ESK_OK);
    assert_int_equal(workshop_register(&w, "Ada", 3), ESK_OK);
    esk_append_result result = {-1, -1};
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, &result), ESK_OK);
    assert_int_equal(result.version, 2);
    assert_int_equal(result.position, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);

    load(&f, "1", &w);
    assert_string_equal(w.title, "ES in C");
    assert_int_equal(w.capacity, 10);
    assert_int_equal(w.seats_taken, 3);
    assert_int_equal(w.base.version, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void loading_gives_exactly_the_state_that_raising_produced(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop raised, loaded;
    memset(&raised, 0, sizeof(raised));
    assert_int_equal(esk_aggregate_init(&raised, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&raised, "Sagas", 7), ESK_OK);
    assert_int_equal(workshop_register(&raised, "Ada", 2), ESK_OK);
    assert_int_equal(workshop_register(&raised, "Bob", 4), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &raised, NULL, NULL), ESK_OK);
    load(&f, "1", &loaded);
    assert_same_state(&raised, &loaded);
    esk_aggregate_release(&raised);
    esk_aggregate_release(&loaded);
    close_fixture(&f);
}

static void
a_stale_copy_gets_a_concurrency_error_and_keeps_its_events(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop first, second;
    load(&f, "1", &first);
    load(&f, "1", &second);
    assert_int_equal(workshop_register(&first, "Ada", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &first, NULL, NULL), ESK_OK);

    assert_int_equal(workshop_register(&second, "Bob", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &second, NULL, NULL),
                     ESK_ECONCURRENCY);
    assert_contains(esk_errmsg(), "load it again and retry");
    assert_contains(esk_errmsg(), "is at version 2, "
                                  "expected 1");
    assert_int_equal(esk_aggregate_pending_count(&second), 1);
    assert_int_equal(second.base.version, 2);
    assert_int_equal(second.base.stored_version, 1);
    assert_int_equal(stream_version(&f, "workshop-1"), 2);
    esk_aggregate_release(&second);

    /* Load again and retry: it goes through. */
    load(&f, "1", &second);
    assert_int_equal(workshop_register(&second, "Bob", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &second, NULL, NULL), ESK_OK);
    assert_int_equal(second.base.stored_version, 3);
    esk_aggregate_release(&first);
    esk_aggregate_release(&second);
    close_fixture(&f);
}

static void
a_new_aggregate_with_the_id_of_a_stored_one_is_not_saved(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "Again", 3), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL),
                     ESK_ECONCURRENCY);
    assert_int_equal(stream_version(&f, "workshop-1"), 1);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void save_with_nothing_pending_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 2, 2);
    workshop w;
    load(&f, "1", &w);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(f.store, &head), ESK_OK);
    esk_append_result result = {-1, -1};
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, &result), ESK_OK);
    assert_int_equal(result.version, 3);
    assert_int_equal(result.position, 0);
    int64_t after = -1;
    assert_int_equal(esk_store_head_position(f.store, &after), ESK_OK);
    assert_int_equal(after, head);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void the_metadata_is_stored_on_every_event(void **state)
{
    (void)state;
    fixture f;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    assert_int_equal(workshop_register(&w, "Ada", 1), ESK_OK);
    const esk_metadata metadata = {"corr-1", "cmd-9", "{\"user\":\"ada\"}"};
    assert_int_equal(esk_repository_save(f.repo, &w, &metadata, NULL), ESK_OK);

    assert_int_equal(esk_store_read_stream(f.store, "workshop-1", 1, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 2);
    for (size_t i = 0; i < list.count; i++) {
        char value[32];
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "correlationId", value,
                                          sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "corr-1");
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "causationId", value, sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "cmd-9");
        assert_int_equal(esk_metadata_get(list.events[i].metadata, "user",
                                          value, sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "ada");
    }
    assert_string_equal(list.events[1].type, "AttendeeRegistered");
    assert_int_equal(list.events[1].schema_version, 2);
    esk_event_list_release(&list);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void a_stream_longer_than_one_page_loads_fully(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 1100, 1100);
    workshop w;
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 1101);
    assert_int_equal(w.base.version, 1101);
    assert_int_equal(w.attendees, 1100);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* --- arguments ------------------------------------------------------------ */

static void
save_refuses_null_other_types_and_events_cleared_unsaved(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_save(NULL, &w, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_save(f.repo, NULL, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "not an initialised");

    assert_int_equal(
        esk_aggregate_init(&w, &workshop_type_without_snapshot, "1"), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);

    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    const esk_metadata bad = {NULL, NULL, "[1]"};
    assert_int_equal(esk_repository_save(f.repo, &w, &bad, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "not a JSON object");
    assert_int_equal(esk_aggregate_pending_count(&w), 1);

    esk_aggregate_clear_pending(&w);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "load it again");
    assert_int_equal(stream_version(&f, "workshop-1"), 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void load_refuses_null_and_bad_ids(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_repository_load(NULL, "1", &w), ESK_EINVAL);
    assert_int_equal(esk_repository_load(f.repo, "1", NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_load(f.repo, "", &w), ESK_EINVAL);
    assert_contains(esk_errmsg(), "empty");
    /* Zeroed: releasing it is safe. */
    assert_int_equal(w.base.version, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void
a_repository_needs_a_store_a_valid_type_and_valid_options(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    assert_int_equal(open_store(&store), ESK_OK);
    assert_int_equal(esk_repository_new(NULL, store, &workshop_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_repository_new(&repo, NULL, &workshop_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_repository_new(&repo, store, NULL, NULL), ESK_EINVAL);

    options.snapshot_every = 10;
    assert_int_equal(esk_repository_new(&repo, store,
                                        &workshop_type_without_snapshot,
                                        &options),
                     ESK_EINVAL);
    assert_non_null(strstr(esk_errmsg(), "set its snapshot type"));
    options.snapshot_every = -1;
    assert_int_equal(esk_repository_new(&repo, store, &workshop_type, &options),
                     ESK_EINVAL);
    options.snapshot_every = 0;
    options.version = 99;
    assert_int_equal(esk_repository_new(&repo, store, &workshop_type, &options),
                     ESK_EINVAL);
    assert_non_null(strstr(esk_errmsg(), "ESK_REPOSITORY_OPTIONS_INIT"));

    /* A snapshot layout must cover the whole state, base excluded. */
    esk_aggregate_type bad = workshop_type;
    esk_event_type layout = workshop_snapshot_type;
    layout.struct_size = sizeof(workshop) - 8;
    bad.snapshot = &layout;
    assert_int_equal(esk_repository_new(&repo, store, &bad, NULL), ESK_EINVAL);
    static const esk_field into_base[] = {
        ESK_FIELD_INT64(esk_aggregate, version, "version"),
    };
    layout = workshop_snapshot_type;
    layout.fields = into_base;
    layout.field_count = 1;
    assert_int_equal(esk_repository_new(&repo, store, &bad, NULL), ESK_EINVAL);
    assert_null(repo);

    esk_repository_free(NULL);
    assert_string_not_equal(esk_errmsg(), "");
    esk_store_free(store);
}

/* --- running out of memory ------------------------------------------------ */

static void every_allocation_failure_in_save_and_load_is_reported(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 1, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop w;
    int failed = 0;

    /* Save: fail each allocation in turn until a save fully succeeds. */
    for (long k = 0;; k++) {
        load(&f, "1", &w);
        int64_t stored = w.base.stored_version;
        assert_int_equal(workshop_register(&w, "Ada", 1), ESK_OK);
        allocations_before_failure = k;
        esk_status rc = esk_repository_save(f.repo, &w, NULL, NULL);
        allocations_before_failure = -1;
        if (rc != ESK_OK) {
            failed++;
            assert_int_equal(rc, ESK_ENOMEM);
            assert_int_equal(esk_aggregate_pending_count(&w), 1);
            assert_int_equal(w.base.stored_version, stored);
            assert_int_equal(stream_version(&f, "workshop-1"), stored);
        } else {
            assert_int_equal(stream_version(&f, "workshop-1"), stored + 1);
        }
        esk_aggregate_release(&w);
        if (rc == ESK_OK && esk_errmsg()[0] == '\0')
            break;
    }

    /* Load, through the snapshot and the stream. */
    for (long k = 0;; k++) {
        memset(&w, 0, sizeof(w));
        allocations_before_failure = k;
        esk_status rc = esk_repository_load(f.repo, "1", &w);
        allocations_before_failure = -1;
        if (rc == ESK_OK) {
            assert_int_equal(w.base.version, stream_version(&f, "workshop-1"));
            esk_aggregate_release(&w);
            break;
        }
        failed++;
        assert_int_equal(rc, ESK_ENOMEM);
        assert_int_equal(w.base.version, 0);
        assert_int_equal(w.capacity, 0);
        esk_aggregate_release(&w);
    }
    assert_true(failed > 2);
    close_fixture(&f);
}

/* --- the backends --------------------------------------------------------- */

static esk_status open_memory(esk_store **out)
{
    return esk_store_open_memory(out, NULL);
}

static esk_status open_sqlite(esk_store **out)
{
    return esk_store_open_sqlite(out, ":memory:", NULL);
}

static int run(const char *name, open_fn open)
{
    open_store = open;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            loading_a_missing_aggregate_is_not_found_and_gives_an_empty_one),
        cmocka_unit_test(a_saved_aggregate_loads_with_its_state_and_versions),
        cmocka_unit_test(loading_gives_exactly_the_state_that_raising_produced),
        cmocka_unit_test(
            a_stale_copy_gets_a_concurrency_error_and_keeps_its_events),
        cmocka_unit_test(
            a_new_aggregate_with_the_id_of_a_stored_one_is_not_saved),
        cmocka_unit_test(save_with_nothing_pending_writes_nothing),
        cmocka_unit_test(the_metadata_is_stored_on_every_event),
        cmocka_unit_test(a_stream_longer_than_one_page_loads_fully),
        cmocka_unit_test(
            snapshots_are_written_each_time_the_stream_crosses_a_multiple),
        cmocka_unit_test(loading_starts_from_the_snapshot),
        cmocka_unit_test(a_snapshot_of_another_layout_version_is_ignored),
        cmocka_unit_test(a_snapshot_that_does_not_decode_is_ignored),
        cmocka_unit_test(a_snapshot_beyond_the_end_of_its_stream_is_ignored),
        cmocka_unit_test(
            a_snapshot_that_cannot_be_written_does_not_fail_the_save),
        cmocka_unit_test(old_events_are_upcast_when_loading),
        cmocka_unit_test(
            an_old_event_without_its_upcaster_fails_the_load_and_says_so),
        cmocka_unit_test(an_unknown_event_type_fails_the_load_naming_it),
        cmocka_unit_test(
            a_type_that_skips_unknown_types_loads_and_saves_past_them),
        cmocka_unit_test(
            an_event_that_does_not_decode_fails_the_load_naming_the_field),
        cmocka_unit_test(
            save_refuses_null_other_types_and_events_cleared_unsaved),
        cmocka_unit_test(load_refuses_null_and_bad_ids),
        cmocka_unit_test(
            a_repository_needs_a_store_a_valid_type_and_valid_options),
        cmocka_unit_test(every_allocation_failure_in_save_and_load_is_reported),
    };
    return _cmocka_run_group_tests(
        name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(void)
{
    use_checked_allocator();
    int failures = run("repository on the memory store", open_memory);
    failures += run("repository on SQLite", open_sqlite);
    return failures == 0 ? 0 : 1;
}
