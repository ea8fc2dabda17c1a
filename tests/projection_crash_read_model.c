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
#include <sqlite3.h>

#include "esk/projection.h"
#include "esk/store.h"
#include "process_fixture.h"
#include "projection_crash_fixture.h"

static const char *const counted_types[] = {"Counted"};

/* ---- The read model ------------------------------------------------------ */

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
void append_history(const char *path, process_rng *rng, history *h)
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

int64_t raw_int(sqlite3 *db, const char *sql, int64_t if_none)
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
int64_t check_read_model(const char *path, const history *h, const char *name,
                         const char *table, const char *when)
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
