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

static const char *const counted_types[] = {"Counted"};

/* ---- The read model ------------------------------------------------------ */

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

static esk_status exec_sql(esk_store *store, const char *sql)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return ESK_OK;
    esk_error_set(ESK_EIO, "%s", sqlite3_errmsg(db));
    return ESK_EIO;
}

static esk_status counters_setup(void *ctx, esk_store *store)
{
    const counter_model *m = ctx;
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s(stream_id TEXT PRIMARY KEY, "
             "events INTEGER NOT NULL, total INTEGER NOT NULL, "
             "last_version INTEGER NOT NULL, last_position INTEGER NOT NULL)",
             m->table);
    return exec_sql(store, sql);
}

static esk_status counters_reset(void *ctx, esk_store *store)
{
    const counter_model *m = ctx;
    char sql[64];
    snprintf(sql, sizeof sql, "DELETE FROM %s", m->table);
    return exec_sql(store, sql);
}

static esk_status counters_handle(void *ctx, esk_store *store,
                                  const esk_event *event)
{
    const counter_model *m = ctx;
    int n = 0, used = 0;
    if (sscanf(event->data, "{\"n\":%d}%n", &n, &used) != 1 ||
        event->data[used] != '\0') {
        esk_error_set(ESK_EDECODE, "unexpected data %s", event->data);
        return ESK_EDECODE;
    }
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO %s VALUES(?1, 1, ?2, ?3, ?4) "
             "ON CONFLICT(stream_id) DO UPDATE SET events = events + 1, "
             "total = total + excluded.total, "
             "last_version = excluded.last_version, "
             "last_position = excluded.last_position",
             m->table);
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
    if (rc != SQLITE_OK)
        return ESK_EIO;

    if (m->progress_fd >= 0 &&
        !process_write_all(m->progress_fd, &event->position,
                           sizeof event->position))
        return ESK_EIO;
    if (event->position == m->block_at)
        for (;;) /* until killed (or the alarm rings) */
            process_sleep_us(1000000);
    if (m->delay_us > 0)
        process_sleep_us(m->delay_us);
    return ESK_OK;
}

static esk_projection counters_projection(const char *name,
                                          counter_model *model)
{
    esk_projection p = {
        name,           1,    counted_types, 1, counters_handle, counters_setup,
        counters_reset, model};
    return p;
}

/* ---- The events, and what a read model must hold ------------------------- */

/* What the parent appended, by position (index 0 unused). */
typedef struct history {
    int stream[EVENTS + 1];
    bool counted[EVENTS + 1]; /* "Counted", else "Noted" (not handled) */
    int n[EVENTS + 1];
    int64_t version[EVENTS + 1];
} history;

/* 2000 events in batches of 1 to 5 on 16 streams; one in ten is of a
 * type the projection does not handle, so the checkpoint must also move
 * past events it skips. */
static void append_history(const char *path, process_rng *rng, history *h)
{
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("%s", esk_errmsg());
    int64_t versions[STREAMS] = {0};
    int position = 0;
    while (position < EVENTS) {
        int stream = (int)process_rng_below(rng, STREAMS);
        int size = 1 + (int)process_rng_below(rng, 5);
        if (size > EVENTS - position)
            size = EVENTS - position;
        char data[5][32];
        esk_new_event events[5];
        for (int i = 0; i < size; i++) {
            int p = position + 1 + i;
            h->stream[p] = stream;
            h->counted[p] = process_rng_below(rng, 10) != 0;
            h->n[p] = 1 + (int)process_rng_below(rng, 9);
            h->version[p] = versions[stream] + 1 + i;
            if (h->counted[p])
                snprintf(data[i], sizeof data[i], "{\"n\":%d}", h->n[p]);
            else
                snprintf(data[i], sizeof data[i], "{\"note\":%d}", p);
            events[i] = (esk_new_event){
                NULL, h->counted[p] ? "Counted" : "Noted", 1, data[i], NULL};
        }
        char stream_id[32];
        snprintf(stream_id, sizeof stream_id, "counter-%d", stream);
        esk_append_result result;
        assert_int_equal(esk_store_append(store, stream_id, versions[stream],
                                          events, (size_t)size, &result),
                         ESK_OK);
        assert_true(result.position == position + size);
        versions[stream] += size;
        position += size;
    }
    esk_store_free(store);
}

/* The positions the projection handles, after `after`, in order. */
static size_t handled_after(const history *h, int64_t after, int64_t *out)
{
    size_t count = 0;
    for (int64_t p = after + 1; p <= EVENTS; p++)
        if (h->counted[p])
            out[count++] = p;
    return count;
}

typedef struct row {
    int64_t events, total, last_version, last_position;
} row;

/* What the read model must hold once it has gone past `checkpoint`. */
static void expected_rows(const history *h, int64_t checkpoint,
                          row rows[STREAMS])
{
    memset(rows, 0, STREAMS * sizeof rows[0]);
    for (int64_t p = 1; p <= checkpoint; p++) {
        if (!h->counted[p])
            continue;
        row *r = &rows[h->stream[p]];
        r->events++;
        r->total += h->n[p];
        r->last_version = h->version[p];
        r->last_position = p;
    }
}

static int64_t raw_int(sqlite3 *db, const char *sql, int64_t if_none)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : if_none;
    sqlite3_finalize(stmt);
    return value;
}

static bool table_exists(sqlite3 *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
             "name = '%s'",
             table);
    return raw_int(db, sql, 0) == 1;
}

/*
 * Open the file with plain sqlite3 and check that it is sound and that
 * the read model in `table` holds exactly the events up to the
 * projection's checkpoint. Returns the checkpoint.
 */
static int64_t check_read_model(const char *path, const history *h,
                                const char *name, const char *table,
                                const char *when)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
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

    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT position FROM checkpoints WHERE name = '%s'", name);
    int64_t checkpoint = raw_int(db, sql, 0);
    row want[STREAMS], got[STREAMS];
    expected_rows(h, checkpoint, want);
    memset(got, 0, sizeof got);

    /* Before the first setup commits there is no table: nothing applied. */
    if (table_exists(db, table)) {
        snprintf(sql, sizeof sql,
                 "SELECT stream_id, events, total, last_version, "
                 "last_position FROM %s",
                 table);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL),
                         SQLITE_OK);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *stream_id = (const char *)sqlite3_column_text(stmt, 0);
            int stream = -1, used = 0;
            if (stream_id == NULL ||
                sscanf(stream_id, "counter-%d%n", &stream, &used) != 1 ||
                stream_id[used] != '\0' || stream < 0 || stream >= STREAMS)
                fail_msg("%s: a row for an unknown stream '%s'", when,
                         stream_id ? stream_id : "(null)");
            got[stream] = (row){
                sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
                sqlite3_column_int64(stmt, 3), sqlite3_column_int64(stmt, 4)};
        }
        assert_int_equal(rc, SQLITE_DONE);
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);

    for (int s = 0; s < STREAMS; s++) {
        if (memcmp(&got[s], &want[s], sizeof got[s]) != 0)
            fail_msg("%s: at checkpoint %" PRId64 ", counter-%d holds %" PRId64
                     " events (sum %" PRId64 ", last version %" PRId64
                     ", last position %" PRId64 "); the events up to the "
                     "checkpoint make %" PRId64 " (sum %" PRId64
                     ", last version %" PRId64 ", last position %" PRId64 ")",
                     when, checkpoint, s, got[s].events, got[s].total,
                     got[s].last_version, got[s].last_position, want[s].events,
                     want[s].total, want[s].last_version,
                     want[s].last_position);
    }
    return checkpoint;
}

/* ---- The projection runner (a child process) ----------------------------- */

/* Reported on the progress pipe when the runner blocks after a commit. */
#define AFTER_COMMIT_MARK ((int64_t)-1)

typedef struct runner {
    const char *path;
    counter_model model;
    /* Block right after this many commits of the run (0: never). */
    int block_after_commit;
    int commits;
    int parent_fd; /* closed in the child */
} runner;

/* SQLite calls this after each commit that wrote something, once the
 * commit is in the log and the write lock is let go. */
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

static int runner_main(void *ctx)
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
static void run_to_the_end(const char *path, const char *name,
                           counter_model *model, size_t batch_size)
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
static void assert_tables_equal(const char *path, const char *a, const char *b)
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

/* ---- The test ------------------------------------------------------------ */

/* Where a kill lands, in turn. */
typedef enum kill_mode {
    /* While the handler of a chosen event is blocked: inside a batch, for
     * certain. */
    IN_A_HANDLER,
    /* Right after a chosen commit: where a read model committed apart
     * from its checkpoint would be caught ahead of it. */
    AFTER_A_COMMIT,
    /* After a random delay: wherever the runner is, even in the open or
     * in a commit. */
    AT_RANDOM,
} kill_mode;

static const char *const mode_names[] = {
    "blocked in a handler", "right after a commit", "at a random moment"};

static void a_killed_projection_ends_as_if_it_had_run_once(void **state)
{
    const process_scratch *scratch = *state;
    char path[128];
    process_path(scratch, "store.db", path, sizeof path);
    process_rng rng;
    process_rng_init(&rng, process_seed(__func__));
    int kills = process_long_form() ? KILLS_LONG : KILLS;
    history *h = calloc(1, sizeof *h);
    int64_t *handled = calloc(EVENTS, sizeof *handled);
    assert_non_null(h);
    assert_non_null(handled);
    append_history(path, &rng, h);

    int64_t checkpoint = 0;
    int in_handler = 0, mid_batch = 0, finished_first = 0;
    /* Each kill lets the projection get about twice its share of the
     * events further, so that the kills spread over the whole run. */
    size_t span = 2 * (size_t)EVENTS / (size_t)kills;
    for (int k = 0; k < kills; k++) {
        size_t left = handled_after(h, checkpoint, handled);
        if (left == 0)
            break;
        kill_mode mode = (kill_mode)(k % 3);
        size_t target = (size_t)process_rng_below(
            &rng, left < span ? (uint64_t)left : (uint64_t)span);
        int commit = 1 + (int)process_rng_below(&rng, span / BATCH_SIZE + 2);
        int64_t delay =
            (int64_t)process_rng_below(&rng, span * 2 * HANDLER_DELAY_US);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        runner r = {path,
                    {"counters", fds[1],
                     mode == IN_A_HANDLER ? handled[target] : 0,
                     HANDLER_DELAY_US},
                    mode == AFTER_A_COMMIT ? commit : 0,
                    0,
                    fds[0]};
        pid_t pid = process_spawn(runner_main, &r, CHILD_ALARM_SECONDS);
        close(fds[1]);

        /* Follow the runner's progress until the moment to kill it. */
        int64_t last = 0, got;
        bool reached = false;
        int64_t deadline = process_now_us() + delay;
        for (;;) {
            if (mode == AT_RANDOM) {
                int64_t wait = deadline - process_now_us();
                if (wait <= 0 || !process_readable(fds[0], wait))
                    break;
            }
            if (process_read_record(fds[0], &got, sizeof got) !=
                (ssize_t)sizeof got)
                break; /* the runner ended */
            if (got == AFTER_COMMIT_MARK || got == r.model.block_at) {
                reached = true;
                if (got != AFTER_COMMIT_MARK)
                    last = got;
                break;
            }
            last = got;
        }
        int status = process_kill(pid);
        while (process_read_record(fds[0], &got, sizeof got) ==
               (ssize_t)sizeof got)
            last = got == AFTER_COMMIT_MARK ? last : got;
        close(fds[0]);

        char why[64], when[96];
        process_describe(status, why, sizeof why);
        bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!killed && !finished)
            fail_msg("kill %d: the projection runner %s", k + 1, why);
        if (mode == IN_A_HANDLER && !reached)
            fail_msg("kill %d: the runner %s before it reached position "
                     "%" PRId64,
                     k + 1, why, handled[target]);
        snprintf(when, sizeof when, "after kill %d (%s)", k + 1,
                 mode_names[mode]);
        int64_t before = checkpoint;
        checkpoint = check_read_model(path, h, "counters", "counters", when);
        if (mode == IN_A_HANDLER) {
            /* The batches before the blocked event committed, its own did
             * not: the checkpoint is the end of the last whole batch. */
            size_t whole = target / BATCH_SIZE * BATCH_SIZE;
            int64_t want = whole == 0 ? before : handled[whole - 1];
            if (checkpoint != want)
                fail_msg("%s: the checkpoint is %" PRId64 ", the last whole "
                         "batch ended at %" PRId64,
                         when, checkpoint, want);
            in_handler++;
        }
        mid_batch += killed && last > checkpoint;
        finished_first += finished;
    }

    /* A last run to the end, then a clean run of a second projection. */
    counter_model model = {"counters", -1, 0, 0};
    run_to_the_end(path, "counters", &model, BATCH_SIZE);
    check_read_model(path, h, "counters", "counters", "after the last run");
    counter_model clean = {"counters_clean", -1, 0, 0};
    run_to_the_end(path, "counters_clean", &clean, 500);
    check_read_model(path, h, "counters_clean", "counters_clean",
                     "after the clean run");
    assert_tables_equal(path, "counters", "counters_clean");

    printf("%d kills, %d of them in the middle of a batch, %d runs finished "
           "before their kill; the kills left the checkpoint at %" PRId64
           " of %d\n",
           kills, mid_batch, finished_first, checkpoint, EVENTS);
    /* Every kill in a handler is mid-batch; random ones may be too. */
    assert_true(mid_batch >= in_handler);
    free(handled);
    free(h);
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
