/*
 * tests/projection_crash_runner.c - the projection runner, a child
 * process that may block after a commit until it is killed.
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

/* ---- The projection runner (a child process) ----------------------------- */

static int after_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
    runner *r = ctx;
    (void)db;
    (void)name;
    (void)pages;
    if (++r->commits == r->block_after_commit) {
        const int64_t mark = AFTER_COMMIT_MARK;
        process_write_all(r->model.progress_fd, &mark, sizeof mark);
        for (;;) /* until killed (or the alarm rings) */
            process_sleep_us(1000000);
    }
    return SQLITE_OK;
}

int runner_main(void *ctx)
{
    runner *r = ctx;
    close(r->parent_fd);
    esk_store *store = NULL;
    esk_catchup *catchup = NULL;
    if (esk_store_open_sqlite(&store, r->path, NULL) != ESK_OK) {
        fprintf(stderr, "projection runner: %s\n", esk_errmsg());
        return 2;
    }
    /* (It replaces the automatic WAL checkpoints of this connection,
     * which a run this short does not need.) */
    if (r->block_after_commit > 0)
        sqlite3_wal_hook(esk_store_sqlite_db(store), after_commit, r);
    esk_projection p = counters_projection("counters", &r->model);
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = BATCH_SIZE;
    /* The checks below know where each batch ends: by its size alone,
     * never cut short by time on a slow or busy machine. */
    options.max_batch_ms = 600000;
    if (esk_catchup_new(&catchup, store, &p, &options) != ESK_OK) {
        fprintf(stderr, "projection runner: %s\n", esk_errmsg());
        return 3;
    }
    esk_status rc = esk_catchup_run(catchup, NULL);
    if (rc != ESK_OK) {
        fprintf(stderr, "projection runner: %s\n", esk_errmsg());
        return 4;
    }
    esk_catchup_free(catchup);
    esk_store_free(store);
    return 0;
}

/* Run the projection in the parent, to the end. */
void run_to_the_end(const char *path, const char *name, counter_model *model,
                    size_t batch_size)
{
    esk_store *store = NULL;
    esk_catchup *catchup = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("%s", esk_errmsg());
    esk_projection p = counters_projection(name, model);
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = batch_size;
    if (esk_catchup_new(&catchup, store, &p, &options) != ESK_OK)
        fail_msg("%s", esk_errmsg());
    esk_catchup_status st;
    if (esk_catchup_run(catchup, &st) != ESK_OK)
        fail_msg("%s", esk_errmsg());
    assert_true(st.checkpoint == EVENTS);
    assert_true(st.lag == 0);
    esk_catchup_free(catchup);
    esk_store_free(store);
}

/* The two read models, compared by SQL, row for row. */
void assert_tables_equal(const char *path, const char *a, const char *b)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s)",
             a, b);
    int64_t only_a = raw_int(db, sql, -1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s)",
             b, a);
    int64_t only_b = raw_int(db, sql, -1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", a);
    int64_t rows_a = raw_int(db, sql, -1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", b);
    int64_t rows_b = raw_int(db, sql, -1);
    sqlite3_close(db);
    if (only_a != 0 || only_b != 0 || rows_a != rows_b)
        fail_msg("%s and %s differ: %" PRId64 " rows only in %s, %" PRId64
                 " only in %s (%" PRId64 " and %" PRId64 " rows)",
                 a, b, only_a, a, only_b, b, rows_a, rows_b);
}
