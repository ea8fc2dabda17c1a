/*
 * tests/projection_crash_read_model.c - the counters read model, the
 * events appended to feed it, and what it must hold at any checkpoint.
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

static const char *const counted_types[] = {"Counted"};

/* ---- The read model ------------------------------------------------------ */

static esk_status counters_setup(void *ctx, esk_store *store)
{
    const counter_model *m = ctx;
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s(stream_id TEXT PRIMARY KEY, "
             "events INTEGER NOT NULL, total INTEGER NOT NULL, "
             "last_version INTEGER NOT NULL, last_position INTEGER NOT NULL)",
             m->table);
    return projection_crash_under_test->exec(store, sql);
}

static esk_status counters_reset(void *ctx, esk_store *store)
{
    const counter_model *m = ctx;
    char sql[64];
    snprintf(sql, sizeof sql, "DELETE FROM %s", m->table);
    return projection_crash_under_test->exec(store, sql);
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
    esk_status rc =
        projection_crash_under_test->count(store, m->table, event, n);
    if (rc != ESK_OK)
        return rc;

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

esk_projection counters_projection(const char *name, counter_model *model)
{
    esk_projection p = {
        name,           1,    counted_types, 1, counters_handle, counters_setup,
        counters_reset, model};
    return p;
}

/* ---- The events, and what a read model must hold ------------------------- */

/* 2000 events in batches of 1 to 5 on 16 streams; one in ten is of a
 * type the projection does not handle, so the checkpoint must also move
 * past events it skips. */
void append_history(const char *where, process_rng *rng, history *h)
{
    esk_store *store = under_test_open(where, NULL);
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
size_t handled_after(const history *h, int64_t after, int64_t *out)
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

/*
 * Look at the store with a connection of the test's own (after the
 * backend's integrity check) and check that the read model in `table`
 * holds exactly the events up to the projection's checkpoint. Returns the
 * checkpoint.
 */
int64_t check_read_model(const char *where, const history *h, const char *name,
                         const char *table, const char *when)
{
    const store_under_test *b = under_test;
    void *conn = b->inspect(where, when);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT position FROM checkpoints WHERE name = '%s'", name);
    int64_t checkpoint = b->number(conn, sql, 0);
    row want[STREAMS], got[STREAMS];
    expected_rows(h, checkpoint, want);
    memset(got, 0, sizeof got);

    /* Before the first setup commits there is no table: nothing applied. */
    if (b->has_table(conn, table)) {
        int64_t streams_counted = 0;
        for (int s = 0; s < STREAMS; s++) {
            static const char *const columns[4] = {
                "events", "total", "last_version", "last_position"};
            int64_t values[4];
            for (int c = 0; c < 4; c++) {
                snprintf(sql, sizeof sql,
                         "SELECT %s FROM %s WHERE stream_id = 'counter-%d'",
                         columns[c], table, s);
                values[c] = b->number(conn, sql, 0);
            }
            got[s] = (row){values[0], values[1], values[2], values[3]};
            streams_counted += want[s].events > 0;
        }
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
        int64_t rows = b->number(conn, sql, 0);
        if (rows != streams_counted)
            fail_msg("%s: %s has %" PRId64 " rows, %" PRId64 " streams have "
                     "counted events up to checkpoint %" PRId64,
                     when, table, rows, streams_counted, checkpoint);
    }
    b->close(conn);

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
