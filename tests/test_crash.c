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
 * this file holds the SQLite backend and main().
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
#include <sqlite3.h>

#include "crash_fixture.h"
#include "esk/store.h"
#include "process_fixture.h"

/* ---- The SQLite backend -------------------------------------------------- */

static esk_status open_file(esk_store **out, const char *path,
                            esk_durability durability, int busy_timeout_ms)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = durability;
    if (busy_timeout_ms >= 0)
        options.busy_timeout_ms = busy_timeout_ms;
    return esk_store_open_sqlite(out, path, &options);
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* SQLite's verdict on the file, from a connection of its own. Returns the
 * number of events, counted by SQL. */
static int64_t check_file(const char *path, const char *when)
{
    /* CREATE: the first writer may have died before it made the file. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     NULL),
                     SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const char *verdict = (const char *)sqlite3_column_text(stmt, 0);
    if (verdict == NULL || strcmp(verdict, "ok") != 0)
        fail_msg("%s: PRAGMA integrity_check says: %s", when,
                 verdict ? verdict : "(null)");
    sqlite3_finalize(stmt);
    /* A kill while the first writer was creating the file leaves it
     * without tables (the schema is made in one transaction). */
    int64_t count = 0;
    if (raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = "
                    "'table' AND name = 'events'") == 1)
        count = raw_int(db, "SELECT count(*) FROM events");
    sqlite3_close(db);
    return count;
}

static const crash_backend sqlite_file = {open_file, check_file, 0};
const crash_backend *crash_under_test = &sqlite_file;

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
