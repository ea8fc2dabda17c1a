/*
 * tests/test_contention.c - eight processes append to the same four
 * streams of one SQLite file, as fast as they can, each append with the
 * exact version it has just read, retried on ESK_ECONCURRENCY and
 * ESK_EBUSY. Half the writers wait 1 ms for the lock, so that ESK_EBUSY
 * really happens; the others wait the default 5 s.
 *
 * Then exact accounting, from what the writers were told and what the
 * file holds:
 *   - the store holds exactly the acknowledged appends: none lost, none
 *     twice, nothing else; each where its writer was told;
 *   - positions run 1..N without a gap, each stream's versions 1..n;
 *   - each writer's appends are stored in the order it made them;
 *   - a writer never saw a status other than ESK_OK, ESK_ECONCURRENCY or
 *     ESK_EBUSY, and every ESK_EBUSY came with a message about the lock.
 *
 * To make sure both failures are met, a ninth process holds the write
 * lock while the writers start: every writer reads version 0 of the
 * first stream and tries to append, the 1 ms writers get ESK_EBUSY, and
 * when the lock is let go all of them race from the same version, so
 * all but one get ESK_ECONCURRENCY. (A process, not a connection of the
 * test's own: an SQLite connection must not be open across fork(), or
 * the children share its idea of which locks are held.)
 *
 * The default run makes 8 x 1000 appends, which takes about a second on
 * a 2-core machine; ESK_TEST_LONG=1 makes 8 x 10000.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
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

#include "esk/store.h"
#include "process_fixture.h"

enum {
    WRITERS = 8,
    STREAMS = 4,
    APPENDS = 1000,
    APPENDS_LONG = 10000,
    SHORT_TIMEOUT_MS = 1,
    /* A writer gives up on one append after this many tries. */
    ATTEMPTS_MAX = 100000,
    WRITER_ALARM_SECONDS = 120,
    /* How long the writers may take to start while the lock is held. */
    START_TIMEOUT_US = 30 * 1000000,
    READ_CHUNK = 4096,
};

typedef enum report_kind {
    /* Read version 0 of the first stream, about to append. */
    REPORT_READY = 1,
    /* Met ESK_EBUSY for the first time. */
    REPORT_FIRST_BUSY,
    /* An acknowledged append. */
    REPORT_ACK,
    /* The writer's counts, last. */
    REPORT_TOTALS,
} report_kind;

/* One record on the pipe: small enough for write() to be atomic. */
typedef struct report {
    int64_t kind;
    int64_t writer;
    /* REPORT_ACK */
    int64_t seq;
    int64_t stream;
    int64_t version;
    int64_t position;
    /* REPORT_TOTALS */
    int64_t acknowledged;
    int64_t conflicts;
    int64_t busy;
    int64_t busy_without_lock; /* ESK_EBUSY without a word of the lock */
    int64_t others;            /* any other failing status */
    int64_t first_other;       /* the first of those */
} report;

typedef struct writer {
    const char *path;
    int index;
    int appends;
    int busy_timeout_ms;
    uint64_t seed;
    int report_fd;
    int parent_fd; /* closed in the child */
} writer;

/* ---- A writer (a child process) ------------------------------------------ */

static bool report_send(const writer *w, report r)
{
    r.writer = w->index;
    return process_write_all(w->report_fd, &r, sizeof r);
}

/* Count one status; false when it is one a writer must never see. */
static bool tally(const writer *w, esk_status rc, report *totals)
{
    if (rc == ESK_OK)
        return true;
    if (rc == ESK_ECONCURRENCY) {
        totals->conflicts++;
        return true;
    }
    if (rc == ESK_EBUSY) {
        const char *message = esk_errmsg();
        if (totals->busy++ == 0)
            report_send(w, (report){.kind = REPORT_FIRST_BUSY});
        if (strstr(message, "lock") == NULL) {
            if (totals->busy_without_lock++ == 0)
                fprintf(stderr, "writer %d: ESK_EBUSY with the message '%s'\n",
                        w->index, message);
        }
        return true;
    }
    if (totals->others++ == 0) {
        totals->first_other = rc;
        fprintf(stderr, "writer %d: %s: %s\n", w->index, esk_status_str(rc),
                esk_errmsg());
    }
    return false;
}

/* One append, with the version read just before, tried until it is
 * acknowledged. */
static esk_status append_until_acknowledged(const writer *w, esk_store *store,
                                            process_rng *rng, int seq,
                                            bool *ready, report *totals)
{
    /* Everyone starts on the first stream, to meet there. */
    int stream = seq == 0 ? 0 : (int)process_rng_below(rng, STREAMS);
    char stream_id[32], id[32], data[64];
    snprintf(stream_id, sizeof stream_id, "tally-%d", stream);
    snprintf(id, sizeof id, "w%d-%d", w->index, seq);
    snprintf(data, sizeof data, "{\"writer\":%d,\"seq\":%d}", w->index, seq);
    const esk_new_event event = {id, "Tallied", 1, data, NULL};

    esk_status rc = ESK_EBUSY;
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
        int64_t version = 0;
        esk_append_result result;
        rc = esk_store_stream_version(store, stream_id, &version);
        if (rc == ESK_OK) {
            if (!*ready)
                *ready = report_send(w, (report){.kind = REPORT_READY});
            /* Now and then take a moment to decide, as a command handler
             * does between loading a stream and appending to it: others
             * get in between more often. */
            if (process_rng_below(rng, 4) == 0)
                process_sleep_us((int64_t)process_rng_below(rng, 100));
            rc =
                esk_store_append(store, stream_id, version, &event, 1, &result);
        }
        if (!tally(w, rc, totals))
            return rc;
        if (rc == ESK_OK) {
            totals->acknowledged++;
            if (!report_send(w, (report){.kind = REPORT_ACK,
                                         .seq = seq,
                                         .stream = stream,
                                         .version = result.version,
                                         .position = result.position}))
                return ESK_EIO;
            return ESK_OK;
        }
        /* Give the holder of the lock a moment, as a real client would. */
        if (rc == ESK_EBUSY)
            process_sleep_us(20 + (int64_t)process_rng_below(rng, 200));
    }
    fprintf(stderr, "writer %d: gave up on append %d after %d tries\n",
            w->index, seq, ATTEMPTS_MAX);
    return rc;
}

static int writer_main(void *ctx)
{
    const writer *w = ctx;
    close(w->parent_fd);
    process_rng rng;
    process_rng_init(&rng, w->seed);
    report totals = {.kind = REPORT_TOTALS};

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = w->busy_timeout_ms;
    esk_store *store = NULL;
    esk_status rc = ESK_EBUSY;
    /* Opening reads the schema, which another process's lock may hold
     * up for a moment too. */
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
        rc = esk_store_open_sqlite(&store, w->path, &options);
        if (rc != ESK_EBUSY)
            break;
        totals.busy++;
        if (strstr(esk_errmsg(), "lock") == NULL)
            totals.busy_without_lock++;
        process_sleep_us(20 + (int64_t)process_rng_below(&rng, 200));
    }
    if (rc != ESK_OK) {
        fprintf(stderr, "writer %d: %s\n", w->index, esk_errmsg());
        return 2;
    }
    bool ready = false;
    for (int seq = 0; seq < w->appends; seq++)
        if (append_until_acknowledged(w, store, &rng, seq, &ready, &totals) !=
            ESK_OK)
            break;
    esk_store_free(store);
    return report_send(w, totals) ? 0 : 3;
}

/* ---- The lock holder (a child process) ----------------------------------- */

typedef struct holder {
    const char *path;
    int locked_fd;  /* written once the lock is held */
    int release_fd; /* read: a byte means let go */
} holder;

static int holder_main(void *ctx)
{
    const holder *h = ctx;
    sqlite3 *db = NULL;
    char byte = 'L';
    if (sqlite3_open_v2(h->path, &db, SQLITE_OPEN_READWRITE, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "lock holder: %s\n", sqlite3_errmsg(db));
        return 2;
    }
    if (!process_write_all(h->locked_fd, &byte, 1) ||
        process_read_record(h->release_fd, &byte, 1) != 1)
        return 3;
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return 0;
}

/* ---- The parent ---------------------------------------------------------- */

/* What the writers reported. */
typedef struct reports {
    report *acks; /* [writer * appends + seq] */
    bool *acked;
    report totals[WRITERS];
    bool has_totals[WRITERS];
    int ready;
    int first_busy;
    int appends;
} reports;

static void take(reports *all, const report *r, bool lock_held)
{
    if (r->writer < 0 || r->writer >= WRITERS)
        fail_msg("a report from writer %" PRId64, r->writer);
    int w = (int)r->writer;
    switch ((report_kind)r->kind) {
    case REPORT_READY:
        all->ready++;
        return;
    case REPORT_FIRST_BUSY:
        all->first_busy++;
        return;
    case REPORT_ACK: {
        if (lock_held)
            fail_msg("writer %d was told its append %" PRId64 " is stored "
                     "while the test held the write lock",
                     w, r->seq);
        if (r->seq < 0 || r->seq >= all->appends)
            fail_msg("writer %d acknowledged append %" PRId64, w, r->seq);
        size_t i = (size_t)w * (size_t)all->appends + (size_t)r->seq;
        if (all->acked[i])
            fail_msg("writer %d's append %" PRId64 " was acknowledged twice", w,
                     r->seq);
        all->acked[i] = true;
        all->acks[i] = *r;
        return;
    }
    case REPORT_TOTALS:
        all->totals[w] = *r;
        all->has_totals[w] = true;
        return;
    }
    fail_msg("a report of kind %" PRId64, r->kind);
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

/*
 * Read the whole store and check it against the acknowledgements: every
 * event is an acknowledged append, stored where its writer was told, once;
 * positions and versions have no gaps. Returns the number of events.
 */
static int64_t check_store(const char *path, const reports *all)
{
    size_t slots = (size_t)WRITERS * (size_t)all->appends;
    bool *found = calloc(slots, sizeof *found);
    assert_non_null(found);
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int64_t position = 0;
    int64_t versions[STREAMS] = {0};

    for (;;) {
        assert_int_equal(
            esk_store_read_all(store, position, READ_CHUNK, NULL, &list),
            ESK_OK);
        if (list.count == 0)
            break;
        for (size_t k = 0; k < list.count; k++) {
            const esk_event *e = &list.events[k];
            int w = -1, seq = -1, dw = -1, dseq = -1, stream = -1;
            int n1 = 0, n2 = 0, n3 = 0;
            if (e->position != position + 1)
                fail_msg("position %" PRId64 " follows %" PRId64, e->position,
                         position);
            position = e->position;
            if (sscanf(e->event_id, "w%d-%d%n", &w, &seq, &n1) != 2 ||
                e->event_id[n1] != '\0' ||
                sscanf(e->data, "{\"writer\":%d,\"seq\":%d}%n", &dw, &dseq,
                       &n2) != 2 ||
                e->data[n2] != '\0' ||
                sscanf(e->stream_id, "tally-%d%n", &stream, &n3) != 1 ||
                e->stream_id[n3] != '\0' || w != dw || seq != dseq || w < 0 ||
                w >= WRITERS || seq < 0 || seq >= all->appends || stream < 0 ||
                stream >= STREAMS)
                fail_msg("the event at position %" PRId64 " ('%s' in '%s', "
                         "%s) was not written by a writer",
                         position, e->event_id, e->stream_id, e->data);
            if (e->version != versions[stream] + 1)
                fail_msg("in tally-%d, version %" PRId64 " follows %" PRId64,
                         stream, e->version, versions[stream]);
            versions[stream] = e->version;

            size_t i = (size_t)w * (size_t)all->appends + (size_t)seq;
            if (found[i])
                fail_msg("writer %d's append %d is stored twice", w, seq);
            found[i] = true;
            if (!all->acked[i])
                fail_msg("writer %d's append %d is stored (position %" PRId64
                         ") but was never acknowledged",
                         w, seq, position);
            const report *a = &all->acks[i];
            if (a->stream != stream || a->version != e->version ||
                a->position != position)
                fail_msg(
                    "writer %d's append %d was acknowledged at tally-%" PRId64
                    " version %" PRId64 ", position %" PRId64
                    ", and is stored at tally-%d version %" PRId64
                    ", position %" PRId64,
                    w, seq, a->stream, a->version, a->position, stream,
                    e->version, position);
        }
    }
    for (size_t i = 0; i < slots; i++)
        if (all->acked[i] && !found[i])
            fail_msg("writer %zu's append %zu was acknowledged but is not "
                     "stored",
                     i / (size_t)all->appends, i % (size_t)all->appends);
    esk_event_list_release(&list);
    esk_store_free(store);
    free(found);

    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    assert_true(raw_int(db, "SELECT count(*) FROM events") == position);
    assert_true(raw_int(db, "SELECT count(DISTINCT event_id) FROM events") ==
                position);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return position;
}

static void racing_writers_lose_invent_and_reorder_nothing(void **state)
{
    const process_scratch *scratch = *state;
    char path[128];
    process_path(scratch, "store.db", path, sizeof path);
    process_rng rng;
    process_rng_init(&rng, process_seed(__func__));
    int appends = process_long_form() ? APPENDS_LONG : APPENDS;
    reports all = {NULL, NULL, {{0}}, {false}, 0, 0, appends};
    size_t slots = (size_t)WRITERS * (size_t)appends;
    all.acks = calloc(slots, sizeof *all.acks);
    all.acked = calloc(slots, sizeof *all.acked);
    assert_non_null(all.acks);
    assert_non_null(all.acked);

    /* The file exists before the race, and a process holds its lock. */
    esk_store *created = NULL;
    assert_int_equal(esk_store_open_sqlite(&created, path, NULL), ESK_OK);
    esk_store_free(created);
    int locked[2], release[2];
    assert_int_equal(pipe(locked), 0);
    assert_int_equal(pipe(release), 0);
    holder h = {path, locked[1], release[0]};
    pid_t holder_pid = process_spawn(holder_main, &h, WRITER_ALARM_SECONDS);
    char byte = 0;
    close(locked[1]);
    close(release[0]);
    if (process_read_record(locked[0], &byte, 1) != 1)
        fail_msg("the lock holder did not take the lock");
    close(locked[0]);

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    writer writers[WRITERS];
    pid_t pids[WRITERS];
    int64_t started = process_now_us();
    for (int i = 0; i < WRITERS; i++) {
        writers[i] = (writer){path,
                              i,
                              appends,
                              i % 2 ? SHORT_TIMEOUT_MS : 5000,
                              process_rng_next(&rng),
                              fds[1],
                              fds[0]};
        pids[i] = process_spawn(writer_main, &writers[i], WRITER_ALARM_SECONDS);
    }
    close(fds[1]);

    /* Every writer at the start line, and one turned away by the lock. */
    report r;
    while (all.ready < WRITERS || all.first_busy == 0) {
        int64_t left = started + START_TIMEOUT_US - process_now_us();
        if (left <= 0 || !process_readable(fds[0], left) ||
            process_read_record(fds[0], &r, sizeof r) != (ssize_t)sizeof r)
            fail_msg("only %d writers got ready and %d met the lock", all.ready,
                     all.first_busy);
        take(&all, &r, true);
    }
    assert_true(process_write_all(release[1], &byte, 1));
    close(release[1]);
    int held = process_wait(holder_pid);
    assert_true(WIFEXITED(held) && WEXITSTATUS(held) == 0);

    ssize_t n;
    while ((n = process_read_record(fds[0], &r, sizeof r)) == (ssize_t)sizeof r)
        take(&all, &r, false);
    close(fds[0]);
    assert_int_equal(n, 0);
    for (int i = 0; i < WRITERS; i++) {
        int status = process_wait(pids[i]);
        char why[64];
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("writer %d %s", i,
                     process_describe(status, why, sizeof why));
    }
    double seconds = (double)(process_now_us() - started) / 1e6;

    int64_t conflicts = 0, busy = 0, acknowledged = 0;
    for (int i = 0; i < WRITERS; i++) {
        const report *t = &all.totals[i];
        assert_true(all.has_totals[i]);
        if (t->others != 0)
            fail_msg("writer %d was answered %" PRId64 " times with a status "
                     "other than ESK_OK, ESK_ECONCURRENCY or ESK_EBUSY, "
                     "first %s",
                     i, t->others, esk_status_str((esk_status)t->first_other));
        if (t->busy_without_lock != 0)
            fail_msg("writer %d got ESK_EBUSY %" PRId64 " times without a "
                     "message about the lock",
                     i, t->busy_without_lock);
        assert_int_equal(t->acknowledged, appends);
        /* Its own appends, acknowledged in its own order. */
        for (int seq = 0; seq < appends; seq++) {
            size_t k = (size_t)i * (size_t)appends + (size_t)seq;
            assert_true(all.acked[k]);
            if (seq > 0 && all.acks[k].position <= all.acks[k - 1].position)
                fail_msg("writer %d's append %d is stored at position %" PRId64
                         ", before its append %d at %" PRId64,
                         i, seq, all.acks[k].position, seq - 1,
                         all.acks[k - 1].position);
        }
        conflicts += t->conflicts;
        busy += t->busy;
        acknowledged += t->acknowledged;
    }
    int64_t events = check_store(path, &all);
    assert_true(events == acknowledged);
    printf("%d writers x %d appends in %.1f s: %" PRId64 " events, %" PRId64
           " ESK_ECONCURRENCY and %" PRId64 " ESK_EBUSY answers, retried\n",
           WRITERS, appends, seconds, events, conflicts, busy);
    assert_true(conflicts > 0);
    assert_true(busy > 0);

    free(all.acks);
    free(all.acked);
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
            racing_writers_lose_invent_and_reorder_nothing, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
