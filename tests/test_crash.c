/*
 * tests/test_crash.c - what survives a writer killed at a random moment.
 *
 * SIGKILL gives the writer no chance to close, flush or roll back
 * anything: what is in the file is what esk and SQLite had made durable
 * against a process crash. After every kill the file is opened again and
 * checked:
 *
 *   - every append the store acknowledged (esk_store_append returned
 *     ESK_OK) is stored, in full, where the store said it was;
 *   - no batch and no transaction is stored in part, and nothing is stored
 *     that was not committed: at most the one unit of work that the kill
 *     caught between its commit and its acknowledgement;
 *   - each stream holds versions 1..n, the store positions 1..N;
 *   - SQLite's own PRAGMA integrity_check says "ok".
 *
 * The rounds go on with the same file, so it grows across kills. Rounds
 * alternate the two durability settings: both promise to survive a
 * process crash (power loss is another matter, see docs/reliability.md).
 *
 * Kill times are random: the seed is printed, and ESK_TEST_SEED=<seed>
 * replays a run. ESK_TEST_LONG=1 runs 100 rounds instead of 20.
 *
 * The writer is in crash_writer.c, the checks in crash_checks.c, the
 * tests in crash_tests.c (test_postgres_crash.c runs them on PostgreSQL);
 * this file runs them on a SQLite file.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_fixture.h"
#include "esk/store.h"
#include "process_fixture.h"

const store_under_test *under_test = &sqlite_file_under_test;

/* ---- Tests --------------------------------------------------------------- */

static void acknowledged_appends_survive_kills_at_random_moments(void **state)
{
    char path[128];
    process_path(*state, "store.db", path, sizeof path);
    crash_kills_at_random_moments(path);
}

static void a_kill_inside_a_transaction_stores_none_of_it(void **state)
{
    char path[128];
    process_path(*state, "store.db", path, sizeof path);
    crash_kill_inside_a_transaction(path);
}

static void a_kill_after_a_commit_keeps_all_of_the_transaction(void **state)
{
    char path[128];
    process_path(*state, "store.db", path, sizeof path);
    crash_kill_after_a_commit(path);
}

/* Route esk's allocations in this process through cmocka's, so that the
 * checks also catch a leak. (Children use the standard allocator.) */
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
        cmocka_unit_test_setup_teardown(
            a_kill_inside_a_transaction_stores_none_of_it, process_setup,
            process_teardown),
        cmocka_unit_test_setup_teardown(
            a_kill_after_a_commit_keeps_all_of_the_transaction, process_setup,
            process_teardown),
        cmocka_unit_test_setup_teardown(
            acknowledged_appends_survive_kills_at_random_moments, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
