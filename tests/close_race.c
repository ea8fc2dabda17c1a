/*
 * tests/close_race.c - processes keep appending to the streams of one
 * store (a SQLite file in test_close_race.c, a PostgreSQL schema in
 * test_postgres_races.c) while another closes each of them
 * (esk_store_close_stream()) at a random moment. The closed check runs under
 * the write lock in the same transaction as the insert, so no append can land
 * after a close: once the closer has won, every appender is refused with
 * ESK_ECLOSED. Checked from what the processes were told and from the store:
 *   - in every stream the closing event has the last version, and the
 *     stream's closed mark names that version;
 *   - every append told ESK_OK is in the store before its stream's close;
 *   - some appends really were refused (the test raced at all);
 *   - no process saw a status other than ESK_OK, ESK_ECLOSED or ESK_EBUSY.
 * ESK_TEST_LONG=1 races on ten times as many streams.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/store.h"
#include "process_fixture.h"
#include "races.h"
#include "store_under_test.h"

enum {
    APPENDERS = 5,
    STREAMS = 30,
    STREAMS_LONG = 300,
    APPENDS_MAX = 6,
    ATTEMPTS_MAX = 100000,
    ALARM_SECONDS = 120,
    WINDOW_US = 1500,
};

typedef enum outcome { STORED = 1, REFUSED, FAILED } outcome;

/* One record per append or close, from each process to the parent. */
typedef struct report {
    int process;
    int stream;
    int outcome;
    int closing;
    int64_t position;
} report;

typedef struct racer {
    int index; /* APPENDERS is the closer */
    const char *path;
    int streams;
    uint64_t seed;
    int go_fd;
    int report_fd;
} racer;

/* One append (or the close), retried while the store is busy. */
static report attempt(const racer *r, esk_store *store, int stream)
{
    char id[32];
    snprintf(id, sizeof id, "period-%d", stream);
    bool closing = r->index == APPENDERS;
    const esk_new_event event = {NULL, closing ? "PeriodClosed" : "SeatBooked",
                                 1, "{}", NULL};
    report out = {r->index, stream, FAILED, closing, 0};
    for (int i = 0; i < ATTEMPTS_MAX; i++) {
        esk_append_result result = {0, 0};
        esk_status rc =
            closing
                ? esk_store_close_stream(store, id, ESK_ANY, &event, 1, &result)
                : esk_store_append(store, id, ESK_ANY, &event, 1, &result);
        if (rc == ESK_OK) {
            out.outcome = STORED;
            out.position = result.position;
            return out;
        }
        if (rc == ESK_ECLOSED) {
            out.outcome = REFUSED;
            return out;
        }
        if (rc != ESK_EBUSY) {
            fprintf(stderr, "process %d, stream %d: %s\n", r->index, stream,
                    esk_errmsg());
            return out;
        }
    }
    return out;
}

static int racer_main(void *ctx)
{
    const racer *r = ctx;
    process_rng rng;
    process_rng_init(&rng, r->seed);
    char go = 0;
    if (process_read_record(r->go_fd, &go, 1) != 1)
        return 2;
    esk_store *store = NULL;
    if (under_test->open(&store, r->path, NULL) != ESK_OK) {
        fprintf(stderr, "process %d: %s\n", r->index, esk_errmsg());
        return 3;
    }
    int tries = r->index == APPENDERS ? 1 : APPENDS_MAX;
    int status = 0;
    for (int stream = 0; stream < r->streams && status == 0; stream++) {
        for (int k = 0; k < tries && status == 0; k++) {
            /* The closer waits about as long as the appenders take over a
             * stream, so that it closes each while they are at it. */
            uint64_t window = tries == 1 ? WINDOW_US * APPENDS_MAX : WINDOW_US;
            process_sleep_us((int64_t)process_rng_below(&rng, window));
            report rep = attempt(r, store, stream);
            if (!process_write_all(r->report_fd, &rep, sizeof rep))
                status = 4;
            if (rep.outcome != STORED)
                break;
        }
    }
    esk_store_free(store);
    return status;
}

/* Each stream ends with its close, and each stored append precedes it. */
static void check_store(const char *where, const report *stored, size_t n,
                        int streams)
{
    void *conn = under_test->inspect(where, "after the race");
    char sql[256];
    assert_int_equal(
        under_test->number(conn, "SELECT count(*) FROM events", -1),
        (int64_t)n);
    for (int s = 0; s < streams; s++) {
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT max(version) FROM events WHERE stream_id = "
                 "'period-%d') - (SELECT version FROM events WHERE stream_id "
                 "= 'period-%d' AND type = 'PeriodClosed')",
                 s, s);
        int64_t after = under_test->number(conn, sql, -1);
        if (after != 0)
            fail_msg("stream period-%d took %" PRId64 " events after its close",
                     s, after);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM closed_streams c JOIN events e ON "
                 "e.stream_id = c.stream_id AND e.version = c.version AND "
                 "e.type = 'PeriodClosed' WHERE c.stream_id = 'period-%d'",
                 s);
        if (under_test->number(conn, sql, -1) != 1)
            fail_msg("stream period-%d is not marked closed at its close", s);
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM events WHERE position = %" PRId64
                 " AND stream_id = 'period-%d'",
                 stored[i].position, stored[i].stream);
        assert_int_equal(under_test->number(conn, sql, -1), 1);
    }
    under_test->close(conn);
}

/* Read every report; the stored ones into stored. Returns the refusals. */
static int read_reports(int fd, report *stored, size_t *n_stored)
{
    int refused = 0;
    report r;
    *n_stored = 0;
    while (process_read_record(fd, &r, sizeof r) == sizeof r) {
        if (r.outcome == FAILED)
            fail_msg("process %d failed on stream %d", r.process, r.stream);
        if (r.outcome == REFUSED && r.closing)
            fail_msg("the close of stream %d was refused", r.stream);
        if (r.outcome == REFUSED)
            refused++;
        else
            stored[(*n_stored)++] = r;
    }
    printf("stored %zu, refused %d\n", *n_stored, refused);
    return refused;
}

void appends_race_a_close(const char *where)
{
    esk_store_free(under_test_open(where, NULL));

    int streams = process_long_form() ? STREAMS_LONG : STREAMS;
    uint64_t seed = process_seed(__func__);
    int go[2], reports[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(reports), 0);
    racer racers[APPENDERS + 1];
    pid_t pids[APPENDERS + 1];
    for (int i = 0; i <= APPENDERS; i++) {
        racers[i] =
            (racer){i, where, streams, seed + (uint64_t)i, go[0], reports[1]};
        pids[i] = process_spawn(racer_main, &racers[i], ALARM_SECONDS);
    }
    close(go[0]);
    close(reports[1]);
    char start[APPENDERS + 1];
    memset(start, 'g', sizeof start);
    assert_true(process_write_all(go[1], start, sizeof start));
    close(go[1]);

    size_t cap = (size_t)streams * (APPENDERS * APPENDS_MAX + 1);
    report *stored = calloc(cap, sizeof *stored);
    assert_non_null(stored);
    size_t n_stored = 0;
    int refused = read_reports(reports[0], stored, &n_stored);
    close(reports[0]);
    for (int i = 0; i <= APPENDERS; i++) {
        char how[64];
        int status = process_wait(pids[i]);
        if (status != 0)
            fail_msg("process %d %s", i,
                     process_describe(status, how, sizeof how));
    }
    assert_true(refused > 0);
    check_store(where, stored, n_stored, streams);
    free(stored);
}
