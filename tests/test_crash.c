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

#include "esk/store.h"
#include "process_fixture.h"

enum {
    STREAMS = 4,
    BATCH_MAX = 5,     /* events in one append */
    UNIT_MAX = 4,      /* appends in one transaction */
    ROUNDS = 20,       /* kills in the default run */
    ROUNDS_LONG = 100, /* with ESK_TEST_LONG=1 */
    /* Most kills land up to this long after the first acknowledged
     * append: long enough for a few hundred more. */
    KILL_WINDOW_US = 30000,
    /* A writer the parent forgot to kill stops by itself. */
    BATCHES_PER_WRITER_MAX = 1000000,
    WRITER_ALARM_SECONDS = 60,
    READ_CHUNK = 4096,
};

/*
 * What a writer reports after each acknowledged append, one write() of
 * whole records per unit of work (a pipe write this small is atomic, so
 * the parent reads all of a unit's records or none). A record with batch
 * -1 marks a moment the test waits for.
 */
typedef struct ack {
    int32_t round;
    int32_t batch;
    int32_t size;   /* events in the batch */
    int32_t stream; /* ledger-<stream> */
    int64_t version;
    int64_t position; /* of the batch's last event */
} ack;

typedef enum writer_plan {
    /* Single appends and transactions of 2 to UNIT_MAX appends, in a
     * loop, until killed. */
    PLAN_UNTIL_KILLED,
    /* One append, then a transaction of three appends left open. */
    PLAN_HOLD_OPEN_TRANSACTION,
    /* One append, then a transaction of three appends, committed. */
    PLAN_HOLD_AFTER_COMMIT,
} writer_plan;

typedef struct writer {
    const char *path;
    int round;
    uint64_t seed;
    esk_durability durability;
    writer_plan plan;
    int ack_fd;    /* the child's end of the pipe */
    int parent_fd; /* the parent's end, closed in the child */
} writer;

/* ---- The writer (a child process) ---------------------------------------- */

/*
 * Append batch `batch` of the round (1 to BATCH_MAX events) to a random
 * stream, expecting the version read just before. Each event's id and
 * data say which batch it belongs to, where it sits in it, and which unit
 * of work (transaction) the batch is part of, so that the parent can tell
 * whole batches and whole transactions from cut ones.
 */
static esk_status append_batch(esk_store *store, const writer *w,
                               process_rng *rng, int batch, int unit_first,
                               int unit_count, ack *out)
{
    int stream = (int)process_rng_below(rng, STREAMS);
    int size = 1 + (int)process_rng_below(rng, BATCH_MAX);
    char stream_id[32];
    char ids[BATCH_MAX][48];
    char data[BATCH_MAX][160];
    esk_new_event events[BATCH_MAX];

    snprintf(stream_id, sizeof stream_id, "ledger-%d", stream);
    for (int i = 0; i < size; i++) {
        snprintf(ids[i], sizeof ids[i], "r%d-b%d-e%d", w->round, batch, i);
        snprintf(data[i], sizeof data[i],
                 "{\"round\":%d,\"batch\":%d,\"index\":%d,\"size\":%d,"
                 "\"unit\":%d,\"unit_batches\":%d}",
                 w->round, batch, i, size, unit_first, unit_count);
        events[i] = (esk_new_event){ids[i], "Entered", 1, data[i], NULL};
    }
    int64_t version = 0;
    esk_status rc = esk_store_stream_version(store, stream_id, &version);
    if (rc != ESK_OK)
        return rc;
    esk_append_result result;
    rc = esk_store_append(store, stream_id, version, events, (size_t)size,
                          &result);
    if (rc == ESK_OK)
        *out = (ack){w->round, batch,          size,
                     stream,   result.version, result.position};
    return rc;
}

/* One unit of work: a single append, or count appends in one transaction
 * (committed unless leave_open). Acknowledged once committed. */
static esk_status write_unit(esk_store *store, const writer *w,
                             process_rng *rng, int first, int count,
                             bool leave_open)
{
    ack acks[UNIT_MAX];
    bool transaction = count > 1 || leave_open;
    esk_status rc = transaction ? esk_store_begin(store) : ESK_OK;
    for (int j = 0; j < count && rc == ESK_OK; j++)
        rc = append_batch(store, w, rng, first + j, first, count, &acks[j]);
    if (rc != ESK_OK || leave_open)
        return rc;
    if (transaction && (rc = esk_store_commit(store)) != ESK_OK)
        return rc;
    if (!process_write_all(w->ack_fd, acks, (size_t)count * sizeof acks[0]))
        return ESK_EIO;
    return ESK_OK;
}

static int writer_main(void *ctx)
{
    const writer *w = ctx;
    close(w->parent_fd);
    process_rng rng;
    process_rng_init(&rng, w->seed);

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = w->durability;
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, w->path, &options) != ESK_OK) {
        fprintf(stderr, "writer of round %d: %s\n", w->round, esk_errmsg());
        return 2;
    }

    esk_status rc = ESK_OK;
    if (w->plan == PLAN_UNTIL_KILLED) {
        for (int batch = 0; batch < BATCHES_PER_WRITER_MAX && rc == ESK_OK;) {
            /* One unit in four is a transaction of 2 to UNIT_MAX appends. */
            int count = 1;
            if (process_rng_below(&rng, 4) == 0)
                count = 2 + (int)process_rng_below(&rng, UNIT_MAX - 1);
            rc = write_unit(store, w, &rng, batch, count, false);
            batch += count;
        }
    } else {
        rc = write_unit(store, w, &rng, 0, 1, false);
        if (rc == ESK_OK)
            rc = write_unit(store, w, &rng, 1, 3,
                            w->plan == PLAN_HOLD_OPEN_TRANSACTION);
        if (rc == ESK_OK) {
            const ack marker = {w->round, -1, 0, 0, 0, 0};
            if (!process_write_all(w->ack_fd, &marker, sizeof marker))
                return 4;
            for (;;) /* until killed (or the alarm rings) */
                process_sleep_us(1000000);
        }
    }
    if (rc != ESK_OK) {
        fprintf(stderr, "writer of round %d: %s: %s\n", w->round,
                esk_status_str(rc), esk_errmsg());
        return 3;
    }
    esk_store_free(store);
    return 0;
}

/* ---- What the parent knows and finds ------------------------------------- */

/* One batch as found in the store. */
typedef struct batch_seen {
    bool present;
    int size;
    int stream;
    int unit_first;
    int unit_count;
    int64_t version;  /* of its last event */
    int64_t position; /* of its last event */
} batch_seen;

/* One round: what its writer acknowledged, and what the store holds. */
typedef struct round_log {
    ack *acks;
    size_t ack_count;
    size_t ack_capacity;
    batch_seen *seen; /* indexed by batch number */
    size_t seen_capacity;
    size_t present; /* batches 0..present-1 are stored (after a check) */
} round_log;

static void log_ack(round_log *log, const ack *a)
{
    if (log->ack_count == log->ack_capacity) {
        log->ack_capacity = log->ack_capacity ? 2 * log->ack_capacity : 256;
        log->acks = realloc(log->acks, log->ack_capacity * sizeof *log->acks);
        assert_non_null(log->acks);
    }
    log->acks[log->ack_count++] = *a;
}

static batch_seen *seen_slot(round_log *log, int batch)
{
    size_t need = (size_t)batch + 1;
    if (need > log->seen_capacity) {
        size_t capacity = log->seen_capacity ? log->seen_capacity : 256;
        while (capacity < need)
            capacity *= 2;
        log->seen = realloc(log->seen, capacity * sizeof *log->seen);
        assert_non_null(log->seen);
        memset(log->seen + log->seen_capacity, 0,
               (capacity - log->seen_capacity) * sizeof *log->seen);
        log->seen_capacity = capacity;
    }
    return &log->seen[batch];
}

static void free_logs(round_log *logs, int count)
{
    for (int r = 0; r < count; r++) {
        free(logs[r].acks);
        free(logs[r].seen);
    }
    free(logs);
}

/*
 * Read acknowledgements into log until the deadline (monotonic µs), or
 * until end of file when deadline is 0. Returns false at end of file (or
 * at the marker record, when stop_at_marker).
 */
static bool collect_acks(int fd, round_log *log, int64_t deadline,
                         bool stop_at_marker)
{
    for (;;) {
        if (deadline != 0) {
            int64_t left = deadline - process_now_us();
            if (left <= 0)
                return true;
            if (!process_readable(fd, left))
                continue;
        }
        ack a;
        ssize_t n = process_read_record(fd, &a, sizeof a);
        if (n == 0)
            return false;
        if (n != (ssize_t)sizeof a)
            fail_msg("a torn acknowledgement record (%zd bytes)", n);
        if (a.batch == -1) {
            if (stop_at_marker)
                return false;
            continue;
        }
        log_ack(log, &a);
    }
}

/* One event of a writer's, as its id, data and stream say. */
typedef struct entry {
    int round, batch, index, size, unit_first, unit_count, stream;
} entry;

static bool parse_entry(const esk_event *e, entry *out)
{
    int round, batch, index, n = 0;
    if (sscanf(e->event_id, "r%d-b%d-e%d%n", &out->round, &out->batch,
               &out->index, &n) != 3 ||
        e->event_id[n] != '\0')
        return false;
    n = 0;
    if (sscanf(e->data,
               "{\"round\":%d,\"batch\":%d,\"index\":%d,\"size\":%d,"
               "\"unit\":%d,\"unit_batches\":%d}%n",
               &round, &batch, &index, &out->size, &out->unit_first,
               &out->unit_count, &n) != 6 ||
        e->data[n] != '\0')
        return false;
    if (round != out->round || batch != out->batch || index != out->index)
        return false;
    n = 0;
    if (sscanf(e->stream_id, "ledger-%d%n", &out->stream, &n) != 1 ||
        e->stream_id[n] != '\0')
        return false;
    return out->round >= 0 && out->batch >= 0 && out->index >= 0 &&
           out->index < out->size && out->size <= BATCH_MAX &&
           out->stream >= 0 && out->stream < STREAMS &&
           out->unit_first <= out->batch &&
           out->batch < out->unit_first + out->unit_count;
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

/*
 * What the batches of one round must look like once the events are read:
 *   - stored batches are batches 0..P-1 (the writer committed them in
 *     that order, so a later one stored means every earlier one is);
 *   - every transaction is stored whole;
 *   - every acknowledged batch is stored where the writer was told;
 *   - beyond the acknowledged ones, at most one unit is stored: the one
 *     the kill caught after its commit and before its acknowledgement.
 */
static void check_round(round_log *log, int round)
{
    size_t present = 0;
    while (present < log->seen_capacity && log->seen[present].present)
        present++;
    for (size_t b = present; b < log->seen_capacity; b++)
        if (log->seen[b].present)
            fail_msg("round %d: batch %zu is stored but batch %zu, committed "
                     "before it, is not",
                     round, b, present);
    for (size_t b = 0; b < present; b++) {
        const batch_seen *s = &log->seen[b];
        if ((size_t)s->unit_first + (size_t)s->unit_count > present)
            fail_msg("round %d: the transaction of batches %d to %d is "
                     "stored in part: only up to batch %zu",
                     round, s->unit_first, s->unit_first + s->unit_count - 1,
                     present - 1);
    }
    for (size_t i = 0; i < log->ack_count; i++) {
        const ack *a = &log->acks[i];
        assert_int_equal(a->batch, i); /* acknowledged in order */
        if ((size_t)a->batch >= present)
            fail_msg("round %d: batch %d was acknowledged (ledger-%d, version "
                     "%" PRId64 ", position %" PRId64 ") but is not stored",
                     round, a->batch, a->stream, a->version, a->position);
        const batch_seen *s = &log->seen[a->batch];
        if (s->size != a->size || s->stream != a->stream ||
            s->version != a->version || s->position != a->position)
            fail_msg("round %d: batch %d was acknowledged as %d events up to "
                     "ledger-%d version %" PRId64 ", position %" PRId64
                     ", but is stored as %d events up to ledger-%d version "
                     "%" PRId64 ", position %" PRId64,
                     round, a->batch, a->size, a->stream, a->version,
                     a->position, s->size, s->stream, s->version, s->position);
    }
    size_t acked = log->ack_count;
    if (present > acked) {
        const batch_seen *s = &log->seen[acked];
        if ((size_t)s->unit_first != acked ||
            (size_t)(s->unit_first + s->unit_count) != present)
            fail_msg("round %d: batches %zu to %zu are stored but were never "
                     "acknowledged: more than the one unit a kill can catch",
                     round, acked, present - 1);
    }
    log->present = present;
}

/*
 * Open the store again and check everything listed at the top of the
 * file against the logs of rounds 0..rounds-1. Returns the number of
 * events.
 */
static int64_t check_store(const char *path, round_log *logs, int rounds,
                           const char *when)
{
    int64_t counted = check_file(path, when);

    for (int r = 0; r < rounds; r++)
        if (logs[r].seen != NULL)
            memset(logs[r].seen, 0,
                   logs[r].seen_capacity * sizeof *logs[r].seen);

    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("%s: reopening the store: %s", when, esk_errmsg());
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int64_t position = 0;
    int64_t versions[STREAMS] = {0};
    entry open = {0, 0, 0, 0, 0, 0, 0};
    int next_index = 0; /* of the open batch; 0 when none is open */

    for (;;) {
        if (esk_store_read_all(store, position, READ_CHUNK, NULL, &list) !=
            ESK_OK)
            fail_msg("%s: reading: %s", when, esk_errmsg());
        if (list.count == 0)
            break;
        for (size_t k = 0; k < list.count; k++) {
            const esk_event *e = &list.events[k];
            entry en;
            if (e->position != position + 1)
                fail_msg("%s: position %" PRId64 " follows %" PRId64, when,
                         e->position, position);
            position = e->position;
            if (!parse_entry(e, &en) || en.round >= rounds)
                fail_msg("%s: the event at position %" PRId64
                         " ('%s' in '%s') was never written by a writer",
                         when, position, e->event_id, e->stream_id);
            if (e->version != versions[en.stream] + 1)
                fail_msg("%s: in ledger-%d, version %" PRId64
                         " follows %" PRId64,
                         when, en.stream, e->version, versions[en.stream]);
            versions[en.stream] = e->version;

            if (next_index > 0 && en.index == 0)
                fail_msg("%s: batch r%d-b%d is cut: %d of its %d events "
                         "are stored",
                         when, open.round, open.batch, next_index, open.size);
            if (en.index == 0) {
                if (seen_slot(&logs[en.round], en.batch)->present)
                    fail_msg("%s: batch r%d-b%d is stored twice", when,
                             en.round, en.batch);
                open = en;
            } else if (en.round != open.round || en.batch != open.batch ||
                       en.index != next_index || en.stream != open.stream ||
                       en.size != open.size ||
                       en.unit_first != open.unit_first ||
                       en.unit_count != open.unit_count) {
                fail_msg("%s: event '%s' at position %" PRId64
                         " is out of its batch's place",
                         when, e->event_id, position);
            }
            next_index = en.index + 1;
            if (next_index == en.size) {
                *seen_slot(&logs[en.round], en.batch) = (batch_seen){
                    true,          en.size,    en.stream, en.unit_first,
                    en.unit_count, e->version, position};
                next_index = 0;
            }
        }
    }
    if (next_index > 0)
        fail_msg("%s: the last batch, r%d-b%d, is cut: %d of its %d events "
                 "are stored",
                 when, open.round, open.batch, next_index, open.size);
    if (position != counted)
        fail_msg("%s: SQL counts %" PRId64 " events, reading finds %" PRId64,
                 when, counted, position);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_true(head == position);
    esk_event_list_release(&list);
    esk_store_free(store);

    for (int r = 0; r < rounds; r++)
        check_round(&logs[r], r);
    return position;
}

/*
 * When to kill: one kill in four comes early, within 3 ms of the fork,
 * while the writer opens (or creates) the file or makes its first
 * appends. The others come while batches stream in: up to KILL_WINDOW_US
 * after the first acknowledgement, so that a busy machine, slow to start
 * the writer, does not turn them all into early kills.
 */
static void wait_for_the_kill(int fd, round_log *log, process_rng *rng)
{
    int64_t start = process_now_us();
    if (process_rng_below(rng, 4) == 0) {
        collect_acks(fd, log, start + (int64_t)process_rng_below(rng, 3000),
                     false);
        return;
    }
    int64_t delay = (int64_t)process_rng_below(rng, KILL_WINDOW_US);
    ack a;
    if (process_read_record(fd, &a, sizeof a) != (ssize_t)sizeof a)
        return; /* the writer died: the caller says how */
    log_ack(log, &a);
    collect_acks(fd, log, process_now_us() + delay, false);
}

static bool killed_by_sigkill(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* ---- Tests --------------------------------------------------------------- */

static void acknowledged_appends_survive_kills_at_random_moments(void **state)
{
    const process_scratch *scratch = *state;
    char path[128];
    process_path(scratch, "store.db", path, sizeof path);
    int rounds = process_long_form() ? ROUNDS_LONG : ROUNDS;
    process_rng rng;
    process_rng_init(&rng, process_seed(__func__));
    round_log *logs = calloc((size_t)rounds, sizeof *logs);
    assert_non_null(logs);
    size_t acknowledged = 0;
    int caught_after_commit = 0, before_any_ack = 0;
    int64_t events = 0;

    for (int round = 0; round < rounds; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        writer w = {path,
                    round,
                    process_rng_next(&rng),
                    round % 2 ? ESK_DURABILITY_FULL : ESK_DURABILITY_NORMAL,
                    PLAN_UNTIL_KILLED,
                    fds[1],
                    fds[0]};
        pid_t pid = process_spawn(writer_main, &w, WRITER_ALARM_SECONDS);
        close(fds[1]);

        wait_for_the_kill(fds[0], &logs[round], &rng);
        int status = process_kill(pid);
        collect_acks(fds[0], &logs[round], 0, false);
        close(fds[0]);
        if (!killed_by_sigkill(status)) {
            char why[64];
            fail_msg("round %d: the writer %s before it was killed", round,
                     process_describe(status, why, sizeof why));
        }

        char when[64];
        snprintf(when, sizeof when, "after the kill of round %d", round);
        events = check_store(path, logs, round + 1, when);
        acknowledged += logs[round].ack_count;
        caught_after_commit += logs[round].present > logs[round].ack_count;
        before_any_ack += logs[round].ack_count == 0;
    }
    printf("%d kills: %zu acknowledged appends, %" PRId64 " events stored; "
           "%d kills caught a commit before its acknowledgement, %d came "
           "before the first acknowledgement\n",
           rounds, acknowledged, events, caught_after_commit, before_any_ack);
    free_logs(logs, rounds);
}

/* Run a writer that stops at a known moment (plan), kill it there, and
 * log what it acknowledged. */
static void kill_at_marker(const char *path, writer_plan plan, round_log *log)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    writer w = {path, 0, 1, ESK_DURABILITY_NORMAL, plan, fds[1], fds[0]};
    pid_t pid = process_spawn(writer_main, &w, WRITER_ALARM_SECONDS);
    close(fds[1]);
    bool at_marker = !collect_acks(fds[0], log, 0, true);
    int status = process_kill(pid);
    collect_acks(fds[0], log, 0, false);
    close(fds[0]);
    char why[64];
    if (!at_marker || !killed_by_sigkill(status))
        fail_msg("the writer %s before it reached the moment to kill it",
                 process_describe(status, why, sizeof why));
}

/* The kill also proves that a dead writer's lock dies with it: another
 * writer, which will not wait at all, gets in at once. */
static void assert_a_new_writer_gets_in(const char *path)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 0;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, &options), ESK_OK);
    const esk_new_event event = {NULL, "Entered", 1, "{}", NULL};
    if (esk_store_append(store, "after-1", ESK_NO_STREAM, &event, 1, NULL) !=
        ESK_OK)
        fail_msg("appending after the kill: %s", esk_errmsg());
    esk_store_free(store);
}

static void a_kill_inside_a_transaction_stores_none_of_it(void **state)
{
    const process_scratch *scratch = *state;
    char path[128];
    process_path(scratch, "store.db", path, sizeof path);
    round_log log = {NULL, 0, 0, NULL, 0, 0};

    /* Killed with three appends made in a transaction not yet committed. */
    kill_at_marker(path, PLAN_HOLD_OPEN_TRANSACTION, &log);
    check_store(path, &log, 1, "after a kill inside a transaction");
    assert_int_equal(log.ack_count, 1);
    assert_int_equal(log.present, 1); /* the append before it, only */
    assert_a_new_writer_gets_in(path);
    free(log.acks);
    free(log.seen);
}

static void a_kill_after_a_commit_keeps_all_of_the_transaction(void **state)
{
    const process_scratch *scratch = *state;
    char path[128];
    process_path(scratch, "store.db", path, sizeof path);
    round_log log = {NULL, 0, 0, NULL, 0, 0};

    kill_at_marker(path, PLAN_HOLD_AFTER_COMMIT, &log);
    check_store(path, &log, 1, "after a kill after a commit");
    assert_int_equal(log.ack_count, 4);
    assert_int_equal(log.present, 4);
    assert_a_new_writer_gets_in(path);
    free(log.acks);
    free(log.seen);
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
