/*
 * bench/store_pg.c - the store workloads on PostgreSQL: the schemas they
 * run in, and the limit: the statements esk's PostgreSQL store sends for
 * the same work, sent with libpq directly.
 *
 * The limit writes to the tables esk creates (a schema made by opening an
 * esk store, so that both sides have the same columns and indexes) and
 * sends what src/store_postgres_*.c sends for an append outside a
 * transaction: BEGIN with the schema's advisory lock in one round trip,
 * the stream-state query, the whole batch in one INSERT with the same
 * array parameters as text (one event: the same one-row INSERT), and
 * NOTIFY with the COMMIT. Its reads send esk's SELECT. What it leaves out
 * is what esk adds on top: argument and JSON checks, ids from esk's
 * generator, the store front, and taking every column of every row into
 * an esk_event (the limit parses the two the fold needs).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "esk/error.h"
#include "esk/read_model_postgres.h"
#include "esk/store_postgres.h"

#include "bench.h"

#define RAW_SCHEMA "bench_raw"

/* The columns esk's reads select (src/store_postgres_internal.h). */
#define EVENT_SELECT                                                           \
    "position, event_id, stream_id, version, type, schema_version, data, "     \
    "metadata, (extract(epoch FROM recorded_at) * 1000000)::bigint, "          \
    "CASE WHEN events.tag_count > 0 THEN (SELECT string_agg("                  \
    "octet_length(tag) || ':' || tag, '' ORDER BY ord) FROM event_tags "       \
    "WHERE event_tags.position = events.position) END"
enum { COL_VERSION = 3, COL_DATA = 6 };

#define PG_TIME(p)                                                             \
    "(timestamptz 'epoch' + (" p "::bigint / 1000000) * interval '1 second' "  \
    "+ (" p "::bigint % 1000000) * interval '1 microsecond')"

enum { S_STATE, S_INSERT, S_INSERT_ONE, S_READ_STREAM, S_READ_ALL, S_COUNT };

/* The recorded_at of a batch's event, read from its array. */
#define BATCH_RECORDED_AT PG_TIME("e.recorded_at")

static const char *const statement_sql[S_COUNT] = {
    [S_STATE] =
        "SELECT (SELECT coalesce(max(version), 0) FROM events WHERE "
        "stream_id = $1), (SELECT coalesce(max(position), 0) FROM events), "
        "(SELECT coalesce(max(version), 0) FROM closed_streams WHERE "
        "stream_id = $1)",
    /* esk's statement for a batch (src/store_postgres_statements.c):
     * events and tags from array parameters, in one round trip. */
    [S_INSERT] =
        "WITH batch AS (INSERT INTO events(position, event_id, stream_id, "
        "version, type, schema_version, data, metadata, recorded_at, "
        "batch_start, tag_count) SELECT $1::bigint + e.n - 1, e.event_id, $2, "
        "$3::bigint + e.n - 1, e.type, e.schema_version, e.data, "
        "e.metadata, " BATCH_RECORDED_AT
        ", $1::bigint, e.tag_count FROM unnest($4::text[], "
        "$5::text[], $6::integer[], $7::text[], $8::text[], $9::bigint[], "
        "$10::integer[]) WITH ORDINALITY AS e(event_id, type, schema_version, "
        "data, metadata, recorded_at, tag_count, n)) INSERT INTO "
        "event_tags(position, ord, tag) SELECT $1::bigint + t.n - 1, t.ord, "
        "t.tag FROM unnest($11::integer[], $12::integer[], $13::text[]) AS "
        "t(n, ord, tag)",
    /* esk's statement for one event without tags. */
    [S_INSERT_ONE] =
        "INSERT INTO events(position, event_id, stream_id, version, type, "
        "schema_version, data, metadata, recorded_at, batch_start, tag_count) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, " PG_TIME("$9") ", $1, 0)",
    [S_READ_STREAM] = "SELECT " EVENT_SELECT " FROM events WHERE "
                      "stream_id = $1 AND version >= $2 ORDER BY version "
                      "LIMIT $3",
    [S_READ_ALL] = "SELECT " EVENT_SELECT " FROM events WHERE position > "
                   "$1 ORDER BY position LIMIT $2",
};

static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A connection to cfg->pg whose failures land in sample. */
static PGconn *raw_connect(const bench_config *cfg, bench_sample *sample)
{
    PGconn *conn = PQconnectdb(cfg->pg);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        bench_fail(sample, "connecting to PostgreSQL: %s",
                   conn != NULL ? PQerrorMessage(conn) : "out of memory");
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, drop_notice, NULL);
    return conn;
}

static bool raw_run(PGconn *conn, const char *sql, bench_sample *sample)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        bench_fail(sample, "%.60s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    return ok;
}

bool bench_pg_open(const bench_config *cfg, const char *schema, esk_store **out,
                   bench_sample *sample)
{
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = schema;
    options.store.busy_timeout_ms = 10000;
    if (esk_store_open_postgres(out, cfg->pg, &options) != ESK_OK)
        return bench_fail(sample, "opening schema %s: %s", schema,
                          esk_errmsg());
    return true;
}

bool bench_pg_open_fresh(const bench_config *cfg, const char *schema,
                         esk_store **out, bench_sample *sample)
{
    PGconn *conn = raw_connect(cfg, sample);
    if (conn == NULL)
        return false;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    bool ok = raw_run(conn, sql, sample);
    PQfinish(conn);
    return ok && bench_pg_open(cfg, schema, out, sample);
}

/* --- The limit --------------------------------------------------------- */

typedef struct raw_pg {
    PGconn *conn;
    char commit_sql[64];
    char begin_sql[160];
    /* The batch's array parameters, one after the other. */
    char *arrays;
    size_t arrays_len;
    size_t arrays_cap;
} raw_pg;

/* Add bytes to r->arrays; false when out of memory. */
static bool arrays_put(raw_pg *r, const char *bytes, size_t n)
{
    if (r->arrays_cap - r->arrays_len < n) {
        size_t cap = r->arrays_cap > 0 ? r->arrays_cap : 4096;
        while (cap - r->arrays_len < n)
            cap *= 2;
        char *grown = realloc(r->arrays, cap);
        if (grown == NULL)
            return false;
        r->arrays = grown;
        r->arrays_cap = cap;
    }
    memcpy(r->arrays + r->arrays_len, bytes, n);
    r->arrays_len += n;
    return true;
}

/* An element of a text array: quoted, '"' and '\' escaped. */
static bool arrays_put_text(raw_pg *r, const char *text, bool first)
{
    bool ok = arrays_put(r, first ? "\"" : ",\"", first ? 1 : 2);
    for (const char *p = text; ok && *p != '\0';) {
        size_t run = strcspn(p, "\"\\");
        ok = arrays_put(r, p, run);
        p += run;
        if (ok && *p != '\0') {
            char escaped[2] = {'\\', *p++};
            ok = arrays_put(r, escaped, 2);
        }
    }
    return ok && arrays_put(r, "\"", 1);
}

/* Connect to schema with esk's session settings and prepare the
 * statements. */
static bool raw_open(const bench_config *cfg, const char *schema, raw_pg *r,
                     bench_sample *sample)
{
    r->conn = raw_connect(cfg, sample);
    if (r->conn == NULL)
        return false;
    snprintf(r->begin_sql, sizeof r->begin_sql,
             "BEGIN; SELECT pg_advisory_xact_lock(%d, hashtext('%s'))",
             0x45534B31, schema);
    snprintf(r->commit_sql, sizeof r->commit_sql, "NOTIFY %s; COMMIT", schema);
    char sql[320];
    snprintf(sql, sizeof sql,
             "SET search_path TO \"%s\", pg_catalog; "
             "SET client_encoding TO 'UTF8'; SET lock_timeout TO 10000; "
             "SET synchronous_commit TO off; "
             "SET default_transaction_isolation TO 'read committed'",
             schema);
    if (!raw_run(r->conn, sql, sample))
        return false;
    for (int i = 0; i < S_COUNT; i++) {
        char name[16];
        snprintf(name, sizeof name, "raw%d", i);
        PGresult *res = PQprepare(r->conn, name, statement_sql[i], 0, NULL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok)
            return bench_fail(sample, "preparing: %s", PQerrorMessage(r->conn));
    }
    return true;
}

static PGresult *raw_exec(raw_pg *r, int which, int n, const char *const *p)
{
    char name[16];
    snprintf(name, sizeof name, "raw%d", which);
    return PQexecPrepared(r->conn, name, n, p, NULL, NULL, 0);
}

static int64_t wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Increasing ids, as esk's UUID v7 are. */
static void next_event_id(long *next_id, char id[48])
{
    unsigned long k = (unsigned long)(*next_id)++ & 0xffffffffffffUL;
    snprintf(id, 48, "00000000-0000-7000-8000-%012lx", k);
}

/* The arrays of n events: ids, types, schema versions, data, metadata,
 * recorded_at, tag counts, and three empty ones for the tags; false when
 * out of memory. */
static bool make_arrays(raw_pg *r, const char *data, const char *at, long n,
                        long *next_id, const char *array[10])
{
    size_t start[10];
    bool ok = true;
    r->arrays_len = 0;
    for (int a = 0; a < 10 && ok; a++) {
        start[a] = r->arrays_len;
        ok = arrays_put(r, "{", 1);
        for (long i = 0; i < n && ok && a < 7; i++) {
            char id[48];
            if (a == 0)
                next_event_id(next_id, id);
            const char *text[5] = {id, BENCH_EVENT_TYPE, NULL, data, "{}"};
            if (a == 2 || a >= 5) {
                const char *number = a == 2 ? "1" : a == 5 ? at : "0";
                ok = (i == 0 || arrays_put(r, ",", 1)) &&
                     arrays_put(r, number, strlen(number));
            } else {
                ok = arrays_put_text(r, text[a], i == 0);
            }
        }
        ok = ok && arrays_put(r, "}", 2);
    }
    for (int a = 0; a < 10 && ok; a++)
        array[a] = r->arrays + start[a];
    return ok;
}

/* One append of n events to stream, expecting its version, as esk's
 * store sends it. */
static bool raw_append(raw_pg *r, const char *stream, int64_t expected,
                       const char *data, long n, long *next_id,
                       int64_t *out_version, bench_sample *sample)
{
    if (!raw_run(r->conn, r->begin_sql, sample))
        return false;
    const char *state_params[1] = {stream};
    PGresult *res = raw_exec(r, S_STATE, 1, state_params);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        bench_fail(sample, "stream state: %s", PQerrorMessage(r->conn));
        PQclear(res);
        raw_run(r->conn, "ROLLBACK", sample);
        return false;
    }
    int64_t version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    int64_t head = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    int64_t closed = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    if (version != expected || closed != 0) {
        raw_run(r->conn, "ROLLBACK", sample);
        return bench_fail(sample,
                          "stream %s is at version %lld, expected "
                          "%lld",
                          stream, (long long)version, (long long)expected);
    }
    char first_pos[24], first_ver[24], at[24];
    snprintf(at, sizeof at, "%lld", (long long)wall_us());
    snprintf(first_pos, sizeof first_pos, "%lld", (long long)head + 1);
    snprintf(first_ver, sizeof first_ver, "%lld", (long long)version + 1);
    bool ok = true;
    if (n == 1) {
        char id[48];
        next_event_id(next_id, id);
        const char *p[9] = {
            first_pos, id,   stream, first_ver, BENCH_EVENT_TYPE,
            "1",       data, "{}",   at};
        res = raw_exec(r, S_INSERT_ONE, 9, p);
    } else {
        const char *p[13] = {first_pos, stream, first_ver};
        ok = make_arrays(r, data, at, n, next_id, p + 3);
        res = ok ? raw_exec(r, S_INSERT, 13, p) : NULL;
    }
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        bench_fail(sample, "insert: %s",
                   res != NULL ? PQerrorMessage(r->conn) : "out of memory");
        raw_run(r->conn, "ROLLBACK", sample);
        return false;
    }
    if (!raw_run(r->conn, r->commit_sql, sample))
        return false;
    *out_version = version + n;
    return true;
}

/* notify false: COMMIT alone, to show what the NOTIFY costs. */
static bool raw_append_run(const bench_config *cfg, long batch, bool notify,
                           bench_sample *sample)
{
    esk_store *made = NULL;
    if (!bench_pg_open_fresh(cfg, RAW_SCHEMA, &made, sample))
        return false;
    esk_store_free(made);
    raw_pg r = {0};
    bench_streams streams = {0, NULL, NULL};
    int64_t *versions = calloc((size_t)cfg->streams, sizeof(*versions));
    bool ok = versions != NULL && raw_open(cfg, RAW_SCHEMA, &r, sample) &&
              bench_streams_make(&streams, cfg->streams, sample);
    if (!notify)
        snprintf(r.commit_sql, sizeof r.commit_sql, "COMMIT");
    long next_id = 1;
    if (ok) {
        bench_start(sample);
        long b = 0;
        for (long done = 0; done < cfg->events && ok; b++) {
            long n = cfg->events - done < batch ? cfg->events - done : batch;
            long s = b % cfg->streams;
            ok = raw_append(&r, streams.ids[s], versions[s], streams.data[s], n,
                            &next_id, &versions[s], sample);
            done += n;
        }
        bench_stop(sample, cfg->events);
    } else if (versions == NULL) {
        bench_fail(sample, "out of memory");
    }
    PQfinish(r.conn);
    free(r.arrays);
    free(versions);
    bench_streams_free(&streams);
    return ok;
}

bool pg_raw_append_one(const bench_config *cfg, const char *arg,
                       bench_sample *sample)
{
    return raw_append_run(cfg, 1, arg == NULL || strcmp(arg, "no-notify") != 0,
                          sample);
}

bool pg_raw_append_batch(const bench_config *cfg, const char *arg,
                         bench_sample *sample)
{
    return raw_append_run(cfg, cfg->batch,
                          arg == NULL || strcmp(arg, "no-notify") != 0, sample);
}

/* Fold every row of a read; false (and the sample failed) on an error. */
static bool fold_rows(PGresult *res, bench_fold *fold, PGconn *conn,
                      bench_sample *sample)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return bench_fail(sample, "read: %s", PQerrorMessage(conn));
    int rows = PQntuples(res);
    for (int i = 0; i < rows; i++)
        bench_fold_event(fold, PQgetvalue(res, i, COL_DATA),
                         strtoll(PQgetvalue(res, i, COL_VERSION), NULL, 10));
    return true;
}

bool pg_raw_read_streams(const bench_config *cfg, const char *arg,
                         bench_sample *sample)
{
    (void)arg;
    raw_pg r = {0};
    bench_streams streams = {0, NULL, NULL};
    bool ok = raw_open(cfg, BENCH_PG_FIXTURE, &r, sample) &&
              bench_streams_make(&streams, cfg->streams, sample);
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    if (ok) {
        bench_start(sample);
        for (long pass = 0; pass < cfg->passes && ok; pass++)
            for (long s = 0; s < cfg->streams && ok; s++) {
                /* LIMIT NULL: esk's read of a whole stream. */
                const char *p[3] = {streams.ids[s], "1", NULL};
                PGresult *res = raw_exec(&r, S_READ_STREAM, 3, p);
                ok = fold_rows(res, &fold, r.conn, sample);
                PQclear(res);
            }
        bench_stop(sample, cfg->events * cfg->passes);
    }
    PQfinish(r.conn);
    bench_streams_free(&streams);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}

bool pg_raw_read_all(const bench_config *cfg, const char *arg,
                     bench_sample *sample)
{
    (void)arg;
    raw_pg r = {0};
    bool ok = raw_open(cfg, BENCH_PG_FIXTURE, &r, sample);
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    char after[24], limit[24];
    snprintf(limit, sizeof limit, "%ld", cfg->page);
    if (ok) {
        bench_start(sample);
        for (long pass = 0; pass < cfg->passes && ok; pass++) {
            for (int64_t last = 0;;) {
                snprintf(after, sizeof after, "%lld", (long long)last);
                const char *p[2] = {after, limit};
                PGresult *res = raw_exec(&r, S_READ_ALL, 2, p);
                ok = fold_rows(res, &fold, r.conn, sample);
                int rows = ok ? PQntuples(res) : 0;
                if (rows > 0)
                    last = strtoll(PQgetvalue(res, rows - 1, 0), NULL, 10);
                PQclear(res);
                if (!ok || rows < cfg->page)
                    break;
            }
        }
        bench_stop(sample, cfg->events * cfg->passes);
    }
    PQfinish(r.conn);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}

/* --- A read model's query ------------------------------------------------ */

/* The read model both sides query: a schema of its own beside the
 * fixture, one row per stream. */
#define QUERY_SCHEMA "bench_query"
#define QUERY_SQL "SELECT events FROM counts WHERE stream_id = $1"

static long query_count(const bench_config *cfg)
{
    return cfg->events / 10 > 0 ? cfg->events / 10 : 1;
}

/* Make the read model, with the store's own connection. */
static bool make_query_model(esk_store *store, const bench_config *cfg,
                             bench_sample *sample)
{
    if (esk_read_model_postgres_schema(store, QUERY_SCHEMA, true) != ESK_OK)
        return bench_fail(sample, "%s", esk_errmsg());
    char sql[256];
    snprintf(sql, sizeof sql,
             "CREATE TABLE " QUERY_SCHEMA ".counts(stream_id text PRIMARY "
             "KEY, events bigint NOT NULL); INSERT INTO " QUERY_SCHEMA
             ".counts SELECT 'workshop-' || g, g FROM generate_series(0, "
             "%ld) g",
             cfg->streams);
    return raw_run(esk_store_postgres_conn(store), sql, sample);
}

/* The answer both sides must give for stream i. */
static bool check_answer(PGresult *res, long i, bench_sample *sample)
{
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
              strtol(PQgetvalue(res, 0, 0), NULL, 10) == i;
    if (!ok)
        bench_fail(sample, "query of stream %ld: no or a wrong answer", i);
    return ok;
}

/* One query of the stream's row, its result (NULL and sample failed
 * when it fails). */
typedef PGresult *query_fn(void *ctx, const char *stream_id,
                           bench_sample *sample);

/* The timed part of both sides: query_count(cfg) queries, by key, each
 * answer checked. */
static bool time_queries(const bench_config *cfg, query_fn *query, void *ctx,
                         bench_sample *sample)
{
    long n = query_count(cfg);
    bool ok = true;
    bench_start(sample);
    for (long q = 0; q < n && ok; q++) {
        long i = q % (cfg->streams + 1);
        char id[32];
        snprintf(id, sizeof id, "workshop-%ld", i);
        PGresult *res = query(ctx, id, sample);
        ok = res != NULL && check_answer(res, i, sample);
        PQclear(res);
    }
    bench_stop(sample, n);
    return ok;
}

static PGresult *query_handle(void *ctx, const char *stream_id,
                              bench_sample *sample)
{
    const char *params[1] = {stream_id};
    PGresult *res = NULL;
    if (esk_read_model_postgres_query(ctx, QUERY_SQL, 1, params, &res) !=
        ESK_OK)
        bench_fail(sample, "%s", esk_errmsg());
    return res;
}

static PGresult *query_prepared(void *ctx, const char *stream_id,
                                bench_sample *sample)
{
    (void)sample;
    const char *params[1] = {stream_id};
    return PQexecPrepared(ctx, "q", 1, params, NULL, NULL, 0);
}

bool esk_pg_query(const bench_config *cfg, const char *arg,
                  bench_sample *sample)
{
    (void)arg;
    esk_store *store = NULL;
    esk_read_model_postgres *rm = NULL;
    bool ok = bench_pg_open(cfg, BENCH_PG_FIXTURE, &store, sample) &&
              make_query_model(store, cfg, sample);
    if (ok &&
        esk_read_model_open_postgres(&rm, store, QUERY_SCHEMA, NULL) != ESK_OK)
        ok = bench_fail(sample, "%s", esk_errmsg());
    if (ok)
        ok = time_queries(cfg, query_handle, rm, sample);
    esk_read_model_postgres_free(rm);
    esk_store_free(store);
    return ok;
}

/* The same query prepared once on a connection whose search path is the
 * read model's: what a program that trusts its SQL sends. */
bool pg_raw_query(const bench_config *cfg, const char *arg,
                  bench_sample *sample)
{
    (void)arg;
    esk_store *store = NULL;
    bool ok = bench_pg_open(cfg, BENCH_PG_FIXTURE, &store, sample) &&
              make_query_model(store, cfg, sample);
    esk_store_free(store);
    PGconn *conn = ok ? raw_connect(cfg, sample) : NULL;
    ok = conn != NULL &&
         raw_run(conn, "SET search_path TO " QUERY_SCHEMA ", pg_catalog",
                 sample);
    if (ok) {
        PGresult *res = PQprepare(conn, "q", QUERY_SQL, 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            ok = bench_fail(sample, "preparing: %s", PQerrorMessage(conn));
        PQclear(res);
    }
    if (ok)
        ok = time_queries(cfg, query_prepared, conn, sample);
    PQfinish(conn);
    return ok;
}
