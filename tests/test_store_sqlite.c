/*
 * tests/test_store_sqlite.c - what only the SQLite store does: the file
 * format, refusing files that are not ours, durability options, locking
 * and several processes writing to one file.
 *
 * The rules every backend obeys are in the conformance suite; these tests
 * look at the file itself, often through a plain sqlite3 connection.
 * They live in store_sqlite_<theme>.c; this file runs them in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/store.h"
#include "store_sqlite_fixture.h"

/* Route esk's allocations through cmocka's, so that every test also fails
 * if the store leaks a block. */
static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

int main(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_data_is_readable_json_text),
        cmocka_unit_test(reopening_a_file_keeps_every_event),
        cmocka_unit_test(a_batch_sent_again_after_reopening_writes_nothing),
        cmocka_unit_test(an_unreadable_recorded_at_fails_the_read_as_corrupt),
        cmocka_unit_test(
            a_database_of_another_application_is_refused_and_left_unchanged),
        cmocka_unit_test(
            an_empty_database_stamped_by_another_application_is_refused),
        cmocka_unit_test(a_store_of_a_newer_esk_is_refused_and_left_unchanged),
        cmocka_unit_test(a_store_of_an_older_esk_is_upgraded_on_open),
        cmocka_unit_test(
            a_first_schema_store_gains_the_record_tables_and_keeps_its_events),
        cmocka_unit_test(
            a_schema_2_store_keeps_append_boundaries_from_its_upgrade_on),
        cmocka_unit_test(a_schema_3_store_gains_tags_and_keeps_its_events),
        cmocka_unit_test(
            a_schema_4_store_gains_closed_streams_and_keeps_its_events),
        cmocka_unit_test(a_query_read_searches_the_tag_and_type_indexes),
        cmocka_unit_test(a_text_file_is_refused_as_corrupt_and_left_unchanged),
        cmocka_unit_test(a_directory_is_refused_with_its_path_in_the_message),
        cmocka_unit_test(a_missing_folder_is_refused_and_not_created),
        cmocka_unit_test(a_read_only_file_is_refused),
        cmocka_unit_test(a_read_only_store_reads_events_and_records),
        cmocka_unit_test(
            a_read_only_store_refuses_every_write_and_leaves_the_file),
        cmocka_unit_test(a_read_only_open_of_a_missing_file_creates_nothing),
        cmocka_unit_test(
            a_read_only_open_of_an_older_schema_says_to_upgrade_it),
        cmocka_unit_test(full_durability_opens_and_appends),
        cmocka_unit_test(a_file_store_runs_in_wal_mode),
        cmocka_unit_test(memory_databases_are_private_to_their_handle),
        cmocka_unit_test(a_sqlite_uri_is_refused_and_opens_nothing),
        cmocka_unit_test(
            a_file_named_like_a_uri_opens_through_a_dot_slash_path),
        cmocka_unit_test(a_category_is_the_part_before_the_first_dash),
        cmocka_unit_test(two_handles_on_one_file_see_each_others_appends),
        cmocka_unit_test(
            a_waiting_reader_wakes_soon_after_another_process_commits),
        cmocka_unit_test(closing_with_a_statement_open_leaks_no_file),
        cmocka_unit_test(a_full_disk_is_named_as_such),
        cmocka_unit_test(
            an_open_query_on_the_stores_connection_is_named_when_append_is_busy),
        cmocka_unit_test(a_connection_made_read_only_is_named),
        cmocka_unit_test(a_trigger_that_refuses_an_event_is_named),
        cmocka_unit_test(an_interrupted_operation_is_named),
        cmocka_unit_test_setup_teardown(a_failed_write_or_flush_says_which,
                                        faulty_disk_install,
                                        faulty_disk_remove),
        cmocka_unit_test(
            a_held_write_lock_makes_append_busy_and_writes_nothing),
        cmocka_unit_test(
            concurrent_writer_processes_lose_and_duplicate_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
