/*
 * tests/condition_race.c - six processes race for the same seats of one
 * store (a SQLite file in test_condition_race.c, a PostgreSQL schema in
 * test_postgres_races.c), each seat claimed with a conditional append: read the
 * events tagged "seat:<n>", and if there are none, append a SeatTaken
 * tagged "seat:<n>" and "writer:<w>" on the condition that no event
 * tagged "seat:<n>" came after the position read. Every writer uses a
 * stream of its own, so the expected version never decides: only the
 * condition does.
 *
 * Between its read and its append each writer waits a little, so that
 * several of them read the seat free and try to take it at once. The
 * condition is checked under the write lock in the same transaction as
 * the insert, so exactly one of each contended group wins; the others get
 * ESK_ECONCURRENCY. Checked from what the writers were told and from the
 * store:
 *   - each seat was won by exactly one writer, at the position it was
 *     told, and the store holds exactly one event tagged with the seat;
 *   - some appends really lost the race (the test raced at all);
 *   - no writer saw a status other than ESK_OK, ESK_ECONCURRENCY or
 *     ESK_EBUSY.
 * ESK_TEST_LONG=1 races for ten times as many seats.
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
    WRITERS = 6,
    SEATS = 60,
    SEATS_LONG = 600,
    ATTEMPTS_MAX = 100000,
    WRITER_ALARM_SECONDS = 120,
    /* The longest wait between a writer's read and its append. */
    WINDOW_US = 2000,
};

typedef enum outcome {
    WON = 1,
    LOST,       /* ESK_ECONCURRENCY from the condition */
    SEEN_TAKEN, /* the read already found the seat taken */
    FAILED,     /* anything else: the test fails */
} outcome;

/* One record per seat, from each writer to the parent. */
typedef struct report {
    int writer;
    int seat;
    int outcome;
    int64_t position;
} report;

typedef struct writer {
    int index;
    const char *path;
    int seats;
    uint64_t seed;
    int go_fd;     /* read: one byte means start */
    int report_fd; /* write: the reports */
} writer;

/* Read the seat, and claim it if it is free. */
static report claim(const writer *w, esk_store *store, esk_event_list *list,
                    process_rng *rng, int seat)
{
    char seat_tag[32], writer_tag[32], stream[48];
    snprintf(seat_tag, sizeof seat_tag, "seat:%d", seat);
    snprintf(writer_tag, sizeof writer_tag, "writer:%d", w->index);
    snprintf(stream, sizeof stream, "claims-%d-%d", w->index, seat);
    const char *const query_tags[] = {seat_tag};
    const esk_query_item item = {NULL, 0, query_tags, 1};
    const char *const tags[] = {seat_tag, writer_tag};
    const esk_tags event_tags = {tags, 2};
    const esk_new_event event = {NULL, "SeatTaken", 1, "{}", NULL};
    report r = {w->index, seat, FAILED, 0};

    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
        int64_t read_up_to = 0;
        esk_append_condition condition = {{&item, 1}, 0};
        esk_status rc = esk_store_read_query(store, &condition.query, 0, 0,
                                             list, &read_up_to);
        if (rc == ESK_OK && list->count > 0) {
            r.outcome = SEEN_TAKEN;
            return r;
        }
        if (rc == ESK_OK) {
            process_sleep_us((int64_t)process_rng_below(rng, WINDOW_US));
            condition.after = read_up_to;
            esk_append_result result = {0, 0};
            rc = esk_store_append_if(store, stream, ESK_ANY, &event,
                                     &event_tags, 1, &condition, &result);
            if (rc == ESK_OK) {
                r.outcome = WON;
                r.position = result.position;
                return r;
            }
            if (rc == ESK_ECONCURRENCY &&
                strstr(esk_errmsg(), "append condition") != NULL) {
                r.outcome = LOST;
                return r;
            }
        }
        if (rc != ESK_EBUSY) {
            fprintf(stderr, "writer %d, seat %d: %s\n", w->index, seat,
                    esk_errmsg());
            return r;
        }
    }
    return r;
}

static int writer_main(void *ctx)
{
    const writer *w = ctx;
    process_rng rng;
    process_rng_init(&rng, w->seed);
    char go = 0;
    if (process_read_record(w->go_fd, &go, 1) != 1)
        return 2;
    esk_store *store = NULL;
    if (under_test->open(&store, w->path, NULL) != ESK_OK) {
        fprintf(stderr, "writer %d: %s\n", w->index, esk_errmsg());
        return 3;
    }
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int status = 0;
    for (int seat = 0; seat < w->seats && status == 0; seat++) {
        report r = claim(w, store, &list, &rng, seat);
        if (!process_write_all(w->report_fd, &r, sizeof r))
            status = 4;
    }
    esk_event_list_release(&list);
    esk_store_free(store);
    return status;
}

/* The store holds one event per seat, tagged with the seat and with its
 * winner, where the winner was told. */
static void check_store(const char *where, const report *winners, int seats)
{
    void *conn = under_test->inspect(where, "after the race");
    assert_int_equal(
        under_test->number(conn, "SELECT count(*) FROM events", -1), seats);
    for (int seat = 0; seat < seats; seat++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM event_tags WHERE tag = 'seat:%d'", seat);
        int64_t holders = under_test->number(conn, sql, -1);
        if (holders != 1)
            fail_msg("seat %d is held by %" PRId64 " events", seat, holders);
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM event_tags WHERE position = %" PRId64
                 " AND tag IN ('seat:%d', 'writer:%d')",
                 winners[seat].position, seat, winners[seat].writer);
        assert_int_equal(under_test->number(conn, sql, -1), 2);
    }
    under_test->close(conn);
}

/* Read every report; one winner per seat into winners. */
static int read_reports(int fd, int seats, report *winners)
{
    int lost = 0;
    int counts[5] = {0};
    report r;
    for (int i = 0; i < WRITERS * seats; i++) {
        assert_int_equal(process_read_record(fd, &r, sizeof r), sizeof r);
        assert_true(r.seat >= 0 && r.seat < seats);
        assert_true(r.outcome >= WON && r.outcome <= FAILED);
        if (r.outcome == FAILED)
            fail_msg("writer %d failed on seat %d", r.writer, r.seat);
        if (r.outcome == WON && winners[r.seat].outcome == WON)
            fail_msg("seat %d was won by writers %d and %d", r.seat,
                     winners[r.seat].writer, r.writer);
        if (r.outcome == WON)
            winners[r.seat] = r;
        lost += r.outcome == LOST;
        counts[r.outcome]++;
    }
    printf("seats won %d, races lost %d, seen taken %d\n", counts[WON],
           counts[LOST], counts[SEEN_TAKEN]);
    for (int seat = 0; seat < seats; seat++)
        if (winners[seat].outcome != WON)
            fail_msg("nobody won seat %d", seat);
    return lost;
}

void writers_race_for_seats(const char *where)
{
    /* Made before the fork, and closed: no connection crosses it. */
    esk_store_free(under_test_open(where, NULL));

    int seats = process_long_form() ? SEATS_LONG : SEATS;
    uint64_t seed = process_seed(__func__);
    int go[2], reports[2];
    assert_int_equal(pipe(go), 0);
    assert_int_equal(pipe(reports), 0);
    writer writers[WRITERS];
    pid_t pids[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        writers[i] =
            (writer){i, where, seats, seed + (uint64_t)i, go[0], reports[1]};
        pids[i] = process_spawn(writer_main, &writers[i], WRITER_ALARM_SECONDS);
    }
    close(go[0]);
    close(reports[1]);
    char start[WRITERS];
    memset(start, 'g', sizeof start);
    assert_true(process_write_all(go[1], start, sizeof start));
    close(go[1]);

    report *winners = calloc((size_t)seats, sizeof *winners);
    assert_non_null(winners);
    int lost = read_reports(reports[0], seats, winners);
    close(reports[0]);
    for (int i = 0; i < WRITERS; i++) {
        char how[64];
        int status = process_wait(pids[i]);
        if (status != 0)
            fail_msg("writer %d %s", i,
                     process_describe(status, how, sizeof how));
    }
    assert_true(lost > 0);
    check_store(where, winners, seats);
    free(winners);
}
