/*
 * tests/projection_crash_fixture.h - what the catch-up projection killed
 * mid-batch shares: the counters read model, the history of events
 * appended, the runner in a child process, and the backend under test
 * (a SQLite file in test_projection_crash.c, a PostgreSQL schema in
 * test_postgres_projection_crash.c).
 */
#ifndef ESK_TESTS_PROJECTION_CRASH_FIXTURE_H
#define ESK_TESTS_PROJECTION_CRASH_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/projection.h"
#include "esk/store.h"
#include "process_fixture.h"
#include "store_under_test.h"

enum {
    EVENTS = 2000,
    STREAMS = 16,
    BATCH_SIZE = 7,
    KILLS = 16,
    KILLS_LONG = 80,
    /* The handler's pause, so that a random kill lands inside a batch
     * more often than between two. */
    HANDLER_DELAY_US = 50,
    CHILD_ALARM_SECONDS = 60,
};

typedef struct counter_model {
    /* The table: one row per stream (events, sum of n, last version and
     * position applied). */
    const char *table;
    /* In a child: where to report each event handled (-1: nowhere). */
    int progress_fd;
    /* Block in the handler of the event at this position, until killed
     * (0: never). */
    int64_t block_at;
    int64_t delay_us;
} counter_model;

/* What the parent appended, by position (index 0 unused). */
typedef struct history {
    int stream[EVENTS + 1];
    bool counted[EVENTS + 1]; /* "Counted", else "Noted" (not handled) */
    int n[EVENTS + 1];
    int64_t version[EVENTS + 1];
} history;

/* Reported on the progress pipe when the runner blocks after a commit. */
#define AFTER_COMMIT_MARK ((int64_t)-1)

typedef struct runner {
    const char *path; /* where the store is: a file or a schema */
    counter_model model;
    /* Block right after this many commits of the run (0: never). */
    int block_after_commit;
    int commits;
    int parent_fd; /* closed in the child */
} runner;

/*
 * What the read model needs of the store under test (store_under_test.h)
 * besides opening it and looking at it.
 */
typedef struct projection_crash_backend {
    /* SQL on the store's own connection, in its transaction. */
    esk_status (*exec)(esk_store *store, const char *sql);
    /* The counters' upsert of one event carrying n. */
    esk_status (*count)(esk_store *store, const char *table,
                        const esk_event *event, int n);
    /* After each commit, once it is durable and the lock let go, call
     * runner_after_commit(r); false where the backend cannot, and the
     * runner then steps the projection batch by batch. */
    bool (*hook_commits)(esk_store *store, runner *r);
} projection_crash_backend;

extern const projection_crash_backend *projection_crash_under_test;

/* projection_crash_tests.c: the test, on the backend under test; table
 * and clean_table are the read models of the killed and the clean run. */
void killed_projection_ends_as_if_it_had_run_once(const char *where,
                                                  const char *table,
                                                  const char *clean_table);

/* projection_crash_read_model.c */
esk_projection counters_projection(const char *name, counter_model *model);
void append_history(const char *where, process_rng *rng, history *h);
size_t handled_after(const history *h, int64_t after, int64_t *out);
int64_t check_read_model(const char *where, const history *h, const char *name,
                         const char *table, const char *when);

/* projection_crash_runner.c */
int runner_main(void *ctx);
/* Counts r's commits; blocks (until killed) after the chosen one. */
void runner_after_commit(runner *r);
void run_to_the_end(const char *path, const char *name, counter_model *model,
                    size_t batch_size);
void assert_tables_equal(const char *path, const char *a, const char *b);

#endif
