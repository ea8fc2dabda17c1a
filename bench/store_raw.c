/*
 * bench/store_raw.c - the baseline: the same work written directly on
 * SQLite's C API, the fastest way we know to do it with the same table.
 *
 * It is what esk's SQLite store would cost if esk added nothing: the
 * events table and the records tables as src/store_sqlite.c creates them,
 * the same PRAGMAs (WAL, synchronous=NORMAL, the busy timeout, no
 * connection mutex), prepared statements, BEGIN IMMEDIATE for every write
 * transaction, the same stream-version and head queries inside it, and
 * the same values stored: an id per event in the UNIQUE index on event_id
 * and recorded_at as ISO 8601 text. The ids come in two kinds, for two
 * limits: increasing ones, as esk's UUID v7 ids are (the limit esk is
 * held to), and random UUID v4 ids from SQLite's own generator, as esk
 * made them before (which shows what random ids cost the index). What it leaves
 * out is exactly what esk adds on top: argument and JSON checks, the store
 * front, the backend interface, copying the events out of SQLite, parsing
 * recorded_at back into a number.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench.h"

/* The schema of src/store_sqlite_schema.c (schema version 5): its steps
 * run one after the other, as a new file gets them. Every index esk
 * writes on an append is here, events_by_type included. */
static const char schema_sql[] =
    "CREATE TABLE events("
    "position INTEGER PRIMARY KEY, "
    "event_id TEXT NOT NULL UNIQUE, "
    "stream_id TEXT NOT NULL, "
    "version INTEGER NOT NULL, "
    "type TEXT NOT NULL, "
    "schema_version INTEGER NOT NULL, "
    "data TEXT NOT NULL, "
    "metadata TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL, "
    "UNIQUE(stream_id, version));"
    "CREATE TABLE checkpoints("
    "name TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "version INTEGER NOT NULL, value TEXT NOT NULL, "
    "updated_at TEXT NOT NULL);"
    "CREATE TABLE commands("
    "command_id TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "status INTEGER NOT NULL, outcome TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL);"
    "CREATE TABLE snapshots("
    "stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL, "
    "layout_version INTEGER NOT NULL, state TEXT NOT NULL, "
    "recorded_at TEXT NOT NULL);"
    "ALTER TABLE events ADD COLUMN batch_start INTEGER;"
    "CREATE TABLE event_tags("
    "position INTEGER NOT NULL, ord INTEGER NOT NULL, tag TEXT NOT NULL, "
    "PRIMARY KEY(position, ord)) WITHOUT ROWID;"
    "CREATE INDEX event_tags_by_tag ON event_tags(tag, position);"
    "CREATE INDEX events_by_type ON events(type, position);"
    "ALTER TABLE events ADD COLUMN tag_count INTEGER;"
    "CREATE TABLE closed_streams("
    "stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;"
    "PRAGMA application_id = 1163086641; PRAGMA user_version = 5";

#define COLUMNS                                                                \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, recorded_at"

enum {
    S_BEGIN,
    S_COMMIT,
    S_VERSION,
    S_HEAD,
    S_CLOSED_AT,
    S_INSERT,
    S_READ_STREAM,
    S_READ_ALL,
    S_READ_PAGE,
    S_PUT_CHECKPOINT,
    S_COUNT
};

static const char *const statement_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_VERSION] = "SELECT max(version) FROM events WHERE stream_id = ?1",
    [S_HEAD] = "SELECT max(position) FROM events",
    [S_CLOSED_AT] = "SELECT version FROM closed_streams WHERE stream_id = ?1",
    [S_INSERT] = "INSERT INTO events(" COLUMNS ", batch_start, tag_count) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [S_READ_STREAM] = "SELECT " COLUMNS " FROM events WHERE stream_id = ?1 "
                      "AND version >= ?2 ORDER BY version LIMIT ?3",
    [S_READ_ALL] = "SELECT " COLUMNS " FROM events WHERE position > ?1 "
                   "ORDER BY position",
    [S_READ_PAGE] = "SELECT " COLUMNS " FROM events WHERE position > ?1 "
                    "ORDER BY position LIMIT ?2",
    [S_PUT_CHECKPOINT] = "INSERT OR REPLACE INTO checkpoints(name, "
                         "position, version, value, updated_at) "
                         "VALUES(?1, ?2, ?3, ?4, ?5)",
};

typedef struct raw_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
} raw_store;

static void raw_close(raw_store *r)
{
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(r->stmt[i]);
    sqlite3_close(r->db);
    memset(r, 0, sizeof(*r));
}

static bool raw_open(raw_store *r, const char *path, bool create,
                     bench_sample *sample)
{
    memset(r, 0, sizeof(*r));
    int rc = sqlite3_open_v2(
        path, &r->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(r->db, 5000);
    if (rc == SQLITE_OK && create) {
        rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(r->db, schema_sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(r->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(r->db, "PRAGMA synchronous = NORMAL", NULL, NULL,
                          NULL);
    for (int i = 0; i < S_COUNT && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3(r->db, statement_sql[i], -1,
                                SQLITE_PREPARE_PERSISTENT, &r->stmt[i], NULL);
    if (rc != SQLITE_OK) {
        bench_fail(sample, "raw SQLite, %s: %s", path,
                   r->db ? sqlite3_errmsg(r->db) : "out of memory");
        raw_close(r);
        return false;
    }
    return true;
}

static bool raw_fail(raw_store *r, bench_sample *sample, const char *doing)
{
    bench_fail(sample, "raw SQLite, %s: %s", doing, sqlite3_errmsg(r->db));
    if (!sqlite3_get_autocommit(r->db))
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
    return false;
}

/* Run a statement that returns nothing or one integer (NULL reads 0). */
static int step_int(sqlite3_stmt *stmt, int64_t *out)
{
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        if (out != NULL)
            *out = sqlite3_column_int64(stmt, 0);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        if (out != NULL)
            *out = 0;
        rc = SQLITE_OK;
    }
    sqlite3_reset(stmt);
    return rc;
}

/* recorded_at as esk writes it: "2026-11-27T12:49:00.123456Z". The text
 * of the second is kept, since a second holds many transactions. */
static void now_text(char buf[32])
{
    static time_t cached_second = -1;
    static char cached[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_second) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
        cached_second = ts.tv_sec;
    }
    memcpy(buf, cached, 19);
    buf[19] = '.';
    long usec = ts.tv_nsec / 1000;
    for (int i = 25; i >= 20; i--) {
        buf[i] = (char)('0' + usec % 10);
        usec /= 10;
    }
    buf[26] = 'Z';
    buf[27] = '\0';
}

/* n random UUID v4 texts, from SQLite's generator in one call per 64 ids,
 * formatted as esk formatted them. */
static void make_random_ids(char (*ids)[40], long n)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[16 * 64];
    for (long done = 0; done < n;) {
        long chunk = n - done < 64 ? n - done : 64;
        sqlite3_randomness((int)(16 * chunk), bytes);
        for (long k = 0; k < chunk; k++) {
            unsigned char *b = bytes + 16 * k;
            char *p = ids[done + k];
            b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
            b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                    *p++ = '-';
                *p++ = hex[b[i] >> 4];
                *p++ = hex[b[i] & 0x0F];
            }
            *p = '\0';
        }
        done += chunk;
    }
}

/* n increasing ids of the same length and form: the process's start time
 * in milliseconds, then a counter, as UUID v7 text. The cheapest id that
 * lands where esk's do, at the end of the index: the prefix is made once,
 * the counter's 12 digits by hand. */
static void make_sequential_ids(char (*ids)[40], long n)
{
    static const char hex[] = "0123456789abcdef";
    static char prefix[25];
    static uint64_t counter;
    if (prefix[0] == '\0') {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t ms =
            (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
        snprintf(prefix, sizeof(prefix), "%08llx-%04llx-7000-8000-",
                 (unsigned long long)((ms >> 16) & 0xFFFFFFFF),
                 (unsigned long long)(ms & 0xFFFF));
    }
    for (long i = 0; i < n; i++) {
        uint64_t c = counter++;
        memcpy(ids[i], prefix, 24);
        for (int d = 35; d >= 24; d--, c >>= 4)
            ids[i][d] = hex[c & 0x0F];
        ids[i][36] = '\0';
    }
}

/*
 * One append of n events with the same data to one stream, expecting it
 * at version `expected`: the transaction esk's SQLite store runs for
 * esk_store_append(). ids has room for n ids.
 */
static bool raw_append(raw_store *r, const char *stream_id, int64_t expected,
                       const char *data, long n, char (*ids)[40],
                       bool sequential, bench_sample *sample)
{
    sqlite3_stmt *insert = r->stmt[S_INSERT];
    sqlite3_stmt *version_stmt = r->stmt[S_VERSION];
    int64_t version = 0;
    int64_t head = 0;
    char recorded_at[32];

    if (sequential)
        make_sequential_ids(ids, n);
    else
        make_random_ids(ids, n);
    now_text(recorded_at);
    if (step_int(r->stmt[S_BEGIN], NULL) != SQLITE_OK)
        return raw_fail(r, sample, "begin");
    int64_t closed_at = 0;
    sqlite3_bind_text(version_stmt, 1, stream_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(r->stmt[S_CLOSED_AT], 1, stream_id, -1, SQLITE_STATIC);
    if (step_int(version_stmt, &version) != SQLITE_OK ||
        step_int(r->stmt[S_HEAD], &head) != SQLITE_OK ||
        step_int(r->stmt[S_CLOSED_AT], &closed_at) != SQLITE_OK)
        return raw_fail(r, sample, "reading the versions");
    if (version != expected || closed_at != 0) {
        bench_fail(sample,
                   "raw SQLite: stream '%s' is at version %lld, "
                   "expected %lld",
                   stream_id, (long long)version, (long long)expected);
        sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        return false;
    }
    /* What is the same for the whole batch is bound once. */
    sqlite3_bind_text(insert, 3, stream_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 9, recorded_at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(insert, 10, head + 1);
    for (long i = 0; i < n; i++) {
        sqlite3_bind_int64(insert, 1, head + 1 + i);
        sqlite3_bind_text(insert, 2, ids[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 4, version + 1 + i);
        sqlite3_bind_text(insert, 5, BENCH_EVENT_TYPE, -1, SQLITE_STATIC);
        sqlite3_bind_int(insert, 6, 1);
        sqlite3_bind_text(insert, 7, data, -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 8, "{}", -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 11, 0);
        if (sqlite3_step(insert) != SQLITE_DONE) {
            bench_fail(sample, "raw SQLite, insert: %s", sqlite3_errmsg(r->db));
            sqlite3_reset(insert);
            sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
            return false;
        }
        sqlite3_reset(insert);
    }
    if (step_int(r->stmt[S_COMMIT], NULL) != SQLITE_OK)
        return raw_fail(r, sample, "commit");
    return true;
}

/* A new store file of this measurement's own. */
static bool raw_create(const bench_config *cfg, const char *name, raw_store *r,
                       char *path, bench_sample *sample)
{
    char file[64];
    snprintf(file, sizeof(file), "%s-%ld.db", name, (long)getpid());
    bench_path(cfg, path, BENCH_PATH_MAX, file);
    bench_remove_db(path);
    return raw_open(r, path, true, sample);
}

/* The batched append, or with batch 1 the one-event append. */
static bool raw_append_run(const bench_config *cfg, long batch,
                           const char *name, const char *ids_kind,
                           bench_sample *sample)
{
    bool sequential = ids_kind == NULL || strcmp(ids_kind, "random") != 0;
    raw_store r;
    char path[BENCH_PATH_MAX];
    bench_streams streams = {0, NULL, NULL};
    int64_t *versions = calloc((size_t)cfg->streams, sizeof(*versions));
    char(*ids)[40] = calloc((size_t)batch, sizeof(*ids));
    if (versions == NULL || ids == NULL) {
        free(versions);
        free(ids);
        return bench_fail(sample, "out of memory");
    }
    bool ok = bench_streams_make(&streams, cfg->streams, sample) &&
              raw_create(cfg, name, &r, path, sample);
    if (!ok) {
        free(versions);
        free(ids);
        bench_streams_free(&streams);
        return false;
    }

    bench_start(sample);
    long b = 0;
    for (long done = 0; done < cfg->events && ok; b++) {
        long n = cfg->events - done < batch ? cfg->events - done : batch;
        long s = b % cfg->streams;
        ok = raw_append(&r, streams.ids[s], versions[s], streams.data[s], n,
                        ids, sequential, sample);
        versions[s] += n;
        done += n;
    }
    bench_stop(sample, cfg->events);

    raw_close(&r);
    bench_remove_db(path);
    free(versions);
    free(ids);
    bench_streams_free(&streams);
    return ok;
}

bool raw_append_one(const bench_config *cfg, const char *arg,
                    bench_sample *sample)
{
    return raw_append_run(cfg, 1, "raw-append-one", arg, sample);
}

bool raw_append_batch(const bench_config *cfg, const char *arg,
                      bench_sample *sample)
{
    return raw_append_run(cfg, cfg->batch, "raw-append-batch", arg, sample);
}

/* Every column of the row, as esk's reads fetch them, then the fold. */
static void fold_row(sqlite3_stmt *stmt, bench_fold *fold)
{
    const char *columns[6];
    (void)sqlite3_column_int64(stmt, 0);
    columns[0] = (const char *)sqlite3_column_text(stmt, 1);
    columns[1] = (const char *)sqlite3_column_text(stmt, 2);
    int64_t version = sqlite3_column_int64(stmt, 3);
    columns[2] = (const char *)sqlite3_column_text(stmt, 4);
    (void)sqlite3_column_int(stmt, 5);
    columns[3] = (const char *)sqlite3_column_text(stmt, 6);
    columns[4] = (const char *)sqlite3_column_text(stmt, 7);
    columns[5] = (const char *)sqlite3_column_text(stmt, 8);
    for (int i = 0; i < 6; i++)
        if (columns[i] == NULL)
            fold->errors++;
    bench_fold_event(fold, columns[3] != NULL ? columns[3] : "", version);
}

bool raw_read_streams(const bench_config *cfg, const char *arg,
                      bench_sample *sample)
{
    (void)arg;
    raw_store r;
    bench_streams streams = {0, NULL, NULL};
    if (!bench_streams_make(&streams, cfg->streams, sample))
        return false;
    if (!raw_open(&r, cfg->fixture, false, sample)) {
        bench_streams_free(&streams);
        return false;
    }

    sqlite3_stmt *stmt = r.stmt[S_READ_STREAM];
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    bool ok = true;
    bench_start(sample);
    for (long pass = 0; pass < cfg->passes && ok; pass++) {
        for (long s = 0; s < cfg->streams && ok; s++) {
            sqlite3_bind_text(stmt, 1, streams.ids[s], -1, SQLITE_STATIC);
            sqlite3_bind_int64(stmt, 2, 1);
            sqlite3_bind_int64(stmt, 3, -1);
            int rc;
            while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
                fold_row(stmt, &fold);
            if (rc != SQLITE_DONE)
                ok = raw_fail(&r, sample, "reading a stream");
            sqlite3_reset(stmt);
        }
    }
    bench_stop(sample, cfg->events * cfg->passes);

    raw_close(&r);
    bench_streams_free(&streams);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}

bool raw_read_all(const bench_config *cfg, const char *arg,
                  bench_sample *sample)
{
    (void)arg;
    raw_store r;
    if (!raw_open(&r, cfg->fixture, false, sample))
        return false;

    /* One scan of the whole table: the lower bound of any paging. */
    sqlite3_stmt *stmt = r.stmt[S_READ_ALL];
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    bool ok = true;
    bench_start(sample);
    for (long pass = 0; pass < cfg->passes && ok; pass++) {
        sqlite3_bind_int64(stmt, 1, 0);
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
            fold_row(stmt, &fold);
        if (rc != SQLITE_DONE)
            ok = raw_fail(&r, sample, "reading all events");
        sqlite3_reset(stmt);
    }
    bench_stop(sample, cfg->events * cfg->passes);

    raw_close(&r);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}

static bool put_checkpoint(raw_store *r, int64_t position)
{
    sqlite3_stmt *stmt = r->stmt[S_PUT_CHECKPOINT];
    char now[32];
    now_text(now);
    sqlite3_bind_text(stmt, 1, BENCH_PROJECTION_NAME, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, position);
    sqlite3_bind_int(stmt, 3, 1);
    sqlite3_bind_text(stmt, 4, "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
    return step_int(stmt, NULL) == SQLITE_OK;
}

/* One row of the read model, kept from a page for a multi-row insert. */
typedef struct seat_row {
    char workshop[64]; /* the bench's stream ids are shorter */
    int64_t events;
    int64_t position;
} seat_row;

/* An INSERT OR REPLACE of n rows in one statement (the rows of a page, in
 * order: a later row of one workshop replaces an earlier one, as one
 * statement per row would). */
static sqlite3_stmt *prepare_multirow(sqlite3 *db, long n)
{
    size_t size = sizeof(BENCH_READ_MODEL_UPSERT) + (size_t)n * 16;
    char *sql = malloc(size);
    if (sql == NULL)
        return NULL;
    size_t at = (size_t)snprintf(sql, size, "%s",
                                 "INSERT OR REPLACE INTO workshop_seats("
                                 "workshop, events, last_position) VALUES");
    for (long i = 0; i < n; i++)
        at += (size_t)snprintf(sql + at, size - at, "%s(?,?,?)",
                               i > 0 ? "," : "");
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                           NULL) != SQLITE_OK)
        stmt = NULL;
    free(sql);
    return stmt;
}

/* Write the n rows kept from a page with one statement, prepared for n
 * rows (prepared again when the page is shorter). */
static bool write_multirow(sqlite3 *db, sqlite3_stmt **stmt, long *prepared,
                           const seat_row *rows, long n)
{
    if (n == 0)
        return true;
    if (*prepared != n) {
        sqlite3_finalize(*stmt);
        *stmt = prepare_multirow(db, n);
        *prepared = *stmt != NULL ? n : 0;
        if (*stmt == NULL)
            return false;
    }
    for (long i = 0; i < n; i++) {
        int at = (int)(3 * i);
        sqlite3_bind_text(*stmt, at + 1, rows[i].workshop, -1, SQLITE_STATIC);
        sqlite3_bind_int64(*stmt, at + 2, rows[i].events);
        sqlite3_bind_int64(*stmt, at + 3, rows[i].position);
    }
    return step_int(*stmt, NULL) == SQLITE_OK;
}

/*
 * The rebuild of the catch-up workload: empty the read model and reset
 * the checkpoint in one transaction, then in batches of cfg->page events,
 * one transaction each: read the batch, one INSERT OR REPLACE per event,
 * move the checkpoint. With arg "multirow", the batch's rows go into the
 * read model with one INSERT OR REPLACE of many rows instead: what a
 * read model that writes a batch at once could reach.
 */
bool raw_catchup_rebuild(const bench_config *cfg, const char *arg,
                         bench_sample *sample)
{
    raw_store r;
    char path[BENCH_PATH_MAX];
    char file[64];
    sqlite3_stmt *upsert = NULL;
    sqlite3_stmt *multirow = NULL;
    long multirow_rows = 0;
    bool by_batch = arg != NULL && strcmp(arg, "multirow") == 0;
    /* Three variables a row, and SQLite takes at most 32766. */
    if (by_batch && cfg->page > 32766 / 3)
        return bench_fail(sample, "--page %ld is too large for one statement",
                          cfg->page);
    seat_row *rows = by_batch ? calloc((size_t)cfg->page, sizeof(*rows)) : NULL;
    snprintf(file, sizeof(file), "raw-catchup-%ld.db", (long)getpid());
    bench_path(cfg, path, sizeof(path), file);
    if ((by_batch && rows == NULL) ||
        !bench_copy_file(cfg->fixture, path, sample) ||
        !raw_open(&r, path, false, sample)) {
        free(rows);
        bench_remove_db(path);
        return by_batch && rows == NULL ? bench_fail(sample, "out of memory")
                                        : false;
    }
    bool ok = sqlite3_exec(r.db, BENCH_READ_MODEL_SQL, NULL, NULL, NULL) ==
                  SQLITE_OK &&
              sqlite3_prepare_v3(r.db, BENCH_READ_MODEL_UPSERT, -1,
                                 SQLITE_PREPARE_PERSISTENT, &upsert,
                                 NULL) == SQLITE_OK;
    if (!ok)
        raw_fail(&r, sample, "creating the read model");

    sqlite3_stmt *page = r.stmt[S_READ_PAGE];
    long applied = 0;
    int64_t head = 0;
    bench_start(sample);
    if (ok && (step_int(r.stmt[S_BEGIN], NULL) != SQLITE_OK ||
               sqlite3_exec(r.db, "DELETE FROM workshop_seats", NULL, NULL,
                            NULL) != SQLITE_OK ||
               !put_checkpoint(&r, 0) ||
               step_int(r.stmt[S_COMMIT], NULL) != SQLITE_OK ||
               step_int(r.stmt[S_HEAD], &head) != SQLITE_OK))
        ok = raw_fail(&r, sample, "resetting the read model");
    for (int64_t after = 0; ok && after < head;) {
        if (step_int(r.stmt[S_BEGIN], NULL) != SQLITE_OK) {
            ok = raw_fail(&r, sample, "begin");
            break;
        }
        sqlite3_bind_int64(page, 1, after);
        sqlite3_bind_int64(page, 2, cfg->page);
        long kept = 0;
        int rc;
        while (ok && (rc = sqlite3_step(page)) == SQLITE_ROW) {
            int64_t position = sqlite3_column_int64(page, 0);
            /* The text stays valid until the page statement steps on. */
            const char *workshop = (const char *)sqlite3_column_text(page, 2);
            int64_t version = sqlite3_column_int64(page, 3);
            if (by_batch) {
                seat_row *row = &rows[kept++];
                if (workshop == NULL ||
                    strlen(workshop) >= sizeof(row->workshop)) {
                    ok = raw_fail(&r, sample, "keeping a row");
                    break;
                }
                strcpy(row->workshop, workshop);
                row->events = version;
                row->position = position;
            } else {
                sqlite3_bind_text(upsert, 1, workshop, -1, SQLITE_STATIC);
                sqlite3_bind_int64(upsert, 2, version);
                sqlite3_bind_int64(upsert, 3, position);
                if (step_int(upsert, NULL) != SQLITE_OK)
                    ok = raw_fail(&r, sample, "writing the read model");
            }
            after = position;
            applied++;
        }
        sqlite3_reset(page);
        if (ok && by_batch &&
            !write_multirow(r.db, &multirow, &multirow_rows, rows, kept))
            ok = raw_fail(&r, sample, "writing the read model");
        if (ok && (!put_checkpoint(&r, after) ||
                   step_int(r.stmt[S_COMMIT], NULL) != SQLITE_OK))
            ok = raw_fail(&r, sample, "commit");
    }
    bench_stop(sample, applied);

    sqlite3_finalize(upsert);
    sqlite3_finalize(multirow);
    free(rows);
    raw_close(&r);
    bench_remove_db(path);
    if (ok && applied != cfg->events)
        return bench_fail(sample, "applied %ld events, expected %ld", applied,
                          cfg->events);
    return ok;
}
