/*
 * tests/test_projection_crash.c - a catch-up projection killed mid-batch,
 * again and again, ends with the read model of a clean run.
 *
 * The read model counts events per stream (and sums a number they carry):
 * an event applied twice, or skipped, changes a count. The projection
 * runs in a child process with a small batch (7 events) and is killed
 * with SIGKILL, sometimes while its handler is blocked at a chosen event
 * (certainly mid-batch), sometimes after a random delay (anywhere: in a
 * handler, a commit, the open). After every kill the read model must be
 * exactly the events up to the checkpoint, no more and no less. A last
 * run finishes the work, and the result must equal, row for row, the
 * read model of a second projection that ran once from position 0.
 *
 * That is the exactly-once effect of catch-up projections on SQLite: the
 * read model and the checkpoint commit in one transaction.
 *
 * The seed is printed; ESK_TEST_SEED=<seed> replays a run's choices.
 * ESK_TEST_LONG=1 kills 80 times instead of 16.
 *
 * The read model and its checks are in projection_crash_read_model.c,
 * the child that runs the projection in projection_crash_runner.c, the
 * test in projection_crash_tests.c (test_postgres_projection_crash.c runs
 * it on PostgreSQL); this file holds the SQLite backend and main().
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

#include "esk/projection.h"
#include "esk/store.h"
#include "process_fixture.h"
#include "projection_crash_fixture.h"

/* ---- The SQLite backend -------------------------------------------------- */

static esk_status exec_sql(esk_store *store, const char *sql)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return ESK_OK;
    esk_error_set(ESK_EIO, "%s", sqlite3_errmsg(db));
    return ESK_EIO;
}

static esk_status count_event(esk_store *store, const char *table,
                              const esk_event *event, int n)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s VALUES(?1, 1, ?2, ?3, ?4) "
             "ON CONFLICT(stream_id) DO UPDATE SET events = events + 1, "
             "total = total + excluded.total, "
             "last_version = excluded.last_version, "
             "last_position = excluded.last_position",
             table);
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 1, event->stream_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 2, n);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, event->version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 4, event->position);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    if (rc != SQLITE_OK)
        esk_error_set(ESK_EIO, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? ESK_OK : ESK_EIO;
}

/* SQLite calls this after each commit that wrote something, once the
 * commit is in the log and the write lock is let go. */
static int after_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    (void)pages;
    runner_after_commit(ctx);
    return SQLITE_OK;
}

/* (It replaces the automatic WAL checkpoints of this connection, which a
 * run this short does not need.) */
static bool hook_commits(esk_store *store, runner *r)
{
    sqlite3_wal_hook(esk_store_sqlite_db(store), after_commit, r);
    return true;
}

static const projection_crash_backend sqlite_read_model = {
    exec_sql, count_event, hook_commits};
const projection_crash_backend *projection_crash_under_test =
    &sqlite_read_model;
const store_under_test *under_test = &sqlite_file_under_test;

static void a_killed_projection_ends_as_if_it_had_run_once(void **state)
{
    char path[128];
    process_path(*state, "store.db", path, sizeof path);
    killed_projection_ends_as_if_it_had_run_once(path, "counters",
                                                 "counters_clean");
}

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
            a_killed_projection_ends_as_if_it_had_run_once, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
