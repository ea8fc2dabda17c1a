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

#include "esk/projection.h"
#include "esk/store.h"
#include "process_fixture.h"
#include "projection_crash_fixture.h"

/* ---- The projection runner (a child process) ----------------------------- */

void runner_after_commit(runner *r)
{
    if (++r->commits == r->block_after_commit) {
        const int64_t mark = AFTER_COMMIT_MARK;
        process_write_all(r->model.progress_fd, &mark, sizeof mark);
        for (;;) /* until killed (or the alarm rings) */
            process_sleep_us(1000000);
    }
}

/* Without a commit hook: one batch (one commit) per step. */
static esk_status step_to_the_end(esk_catchup *catchup, runner *r)
{
    for (;;) {
        esk_catchup_status st;
        esk_status rc = esk_catchup_step(catchup, &st);
        if (rc != ESK_OK || st.lag == 0)
            return rc;
        runner_after_commit(r);
    }
}

int runner_main(void *ctx)
{
    runner *r = ctx;
    close(r->parent_fd);
    esk_store *store = NULL;
    esk_catchup *catchup = NULL;
    if (under_test->open(&store, r->path, NULL) != ESK_OK) {
        fprintf(stderr, "projection runner: %s\n", esk_errmsg());
        return 2;
    }
    bool hooked = r->block_after_commit > 0 &&
                  projection_crash_under_test->hook_commits(store, r);
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
    esk_status rc = r->block_after_commit > 0 && !hooked
                        ? step_to_the_end(catchup, r)
                        : esk_catchup_run(catchup, NULL);
    if (rc != ESK_OK) {
        fprintf(stderr, "projection runner: %s\n", esk_errmsg());
        return 4;
    }
    esk_catchup_free(catchup);
    esk_store_free(store);
    return 0;
}

/* Run the projection in the parent, to the end. */
void run_to_the_end(const char *where, const char *name, counter_model *model,
                    size_t batch_size)
{
    esk_store *store = under_test_open(where, NULL);
    esk_catchup *catchup = NULL;
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
void assert_tables_equal(const char *where, const char *a, const char *b)
{
    const store_under_test *backend = under_test;
    void *conn = backend->inspect(where, "comparing the read models");
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s) "
             "AS only_a",
             a, b);
    int64_t only_a = backend->number(conn, sql, -1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT * FROM %s EXCEPT SELECT * FROM %s) "
             "AS only_b",
             b, a);
    int64_t only_b = backend->number(conn, sql, -1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", a);
    int64_t rows_a = backend->number(conn, sql, -1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", b);
    int64_t rows_b = backend->number(conn, sql, -1);
    backend->close(conn);
    if (only_a != 0 || only_b != 0 || rows_a != rows_b)
        fail_msg("%s and %s differ: %" PRId64 " rows only in %s, %" PRId64
                 " only in %s (%" PRId64 " and %" PRId64 " rows)",
                 a, b, only_a, a, only_b, b, rows_a, rows_b);
}
