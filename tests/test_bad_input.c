/*
 * tests/test_bad_input.c - the catalogue of bad input: damaged and foreign
 * files, bad JSON, bad ids. Each case gets a clear status and a message
 * that names the problem in the user's terms, and loses nothing: what the
 * store held before is still there afterwards.
 *
 * Cases tested elsewhere, next to the code they exercise, and not repeated
 * here:
 *   tests/store_sqlite_foreign_files.c
 *     a database of another application, or stamped by one
 *         (a_database_of_another_application_is_refused_and_left_unchanged,
 *          an_empty_database_stamped_by_another_application_is_refused)
 *     a newer esk schema (a_store_of_a_newer_esk_is_refused_and_left_unchanged)
 *     a text file (a_text_file_is_refused_as_corrupt_and_left_unchanged)
 *     a directory, a path in a missing folder, a read-only file (dropping
 *         to uid 65534 in a child process)
 *   tests/store_sqlite_sharing.c
 *     a write lock held by another connection of the same process
 *   tests/store_sqlite_file.c
 *     an unreadable recorded_at (an_unreadable_recorded_at_fails_the_read_...)
 *   tests/conformance/conformance_appends.c, _reads.c and _records.c, on
 *   every backend
 *     empty, over-long and non-UTF-8 stream ids; invalid JSON data;
 *     data nested ESK_JSON_DEPTH_MAX + 1 deep; metadata that is not an
 *     object; quotes, '%' and unicode stored verbatim; malformed filters
 *     and records
 *   tests/test_codec.c
 *     invalid JSON, wrong kinds, "\u0000", over-long strings in the codec
 *
 * esk ids (stream ids, event ids, types, record keys, command types) are C
 * strings: they end at the first NUL byte, so "abc\0def" is the id "abc".
 *
 * The cases live in bad_input_<theme>.c; this file runs them in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
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

#include "bad_input_fixture.h"
#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/store.h"
#include "esk/store_backend.h"
#include "esk/upcast.h"

/* ---- Running ------------------------------------------------------------ */

static int make_temp_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof(temp_dir), "%s/esk-bad-input-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    return mkdtemp(temp_dir) == NULL ? -1 : 0;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    /* What a failed test may have left behind. */
    static const char *const names[] = {
        "damaged.db",  "header.db",   "truncated.db", "sweep.db",
        "pristine.db", "calendar.db", "locked.db",    "edited.db"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        path_in(path, sizeof(path), names[i]);
        remove_store_files(path);
    }
    return rmdir(temp_dir);
}

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
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
        cmocka_unit_test(a_damaged_page_is_reported_as_corrupt_not_read),
        cmocka_unit_test(a_damaged_header_is_refused_at_open_and_left_alone),
        cmocka_unit_test(a_truncated_file_is_reported_as_corrupt),
        cmocka_unit_test(damage_anywhere_is_corrupt_or_harmless_never_wrong),
        cmocka_unit_test(an_event_row_esk_cannot_have_written_is_corrupt),
        cmocka_unit_test(tags_esk_cannot_have_written_are_corrupt),
        cmocka_unit_test(
            a_backend_without_tags_refuses_tags_conditions_and_queries),
        cmocka_unit_test(
            a_backend_that_cannot_close_refuses_the_close_and_reads_open),
        cmocka_unit_test(
            a_database_with_an_events_table_of_its_own_is_not_taken_for_a_store),
        cmocka_unit_test(
            a_lock_held_by_another_process_is_busy_and_loses_nothing),
        cmocka_unit_test(invalid_json_is_refused_everywhere_with_its_place),
        cmocka_unit_test(
            json_nested_a_thousand_deep_is_refused_without_recursion),
        cmocka_unit_test(
            a_sixteen_mebibyte_event_is_stored_and_read_back_whole),
        cmocka_unit_test(
            data_beyond_the_sqlite_length_limit_is_refused_cleanly),
        cmocka_unit_test(invalid_metadata_is_refused_with_what_is_wrong),
        cmocka_unit_test(
            nasty_ids_are_stored_verbatim_and_read_back_identically),
        cmocka_unit_test(an_id_with_a_nul_byte_ends_there_consistently),
        cmocka_unit_test(
            text_that_is_not_utf8_is_refused_wherever_a_name_is_taken),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
