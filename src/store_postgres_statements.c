/*
 * src/store_postgres_statements.c - the SQL the backend runs, prepared once
 * per connection (by name, "esk0", "esk1"...), and the helpers that run it
 * and read its rows.
 *
 * Every parameter and column travels as text: esk's values are text
 * already (JSON, ids) or small integers, and text keeps the code the same
 * on every server version.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* esk_time (microseconds since 1970) as a timestamptz, exactly: interval
 * arithmetic multiplies by a double, so the seconds and the microseconds
 * go separately, each well within a double's 53 bits. */
#define PG_TIME(p)                                                             \
    "(timestamptz 'epoch' + (" p "::bigint / 1000000) * interval '1 second' "  \
    "+ (" p "::bigint % 1000000) * interval '1 microsecond')"

/* The recorded_at of a batch's event, read from its array. */
#define BATCH_RECORDED_AT PG_TIME("e.recorded_at")

static const char *const statement_sql[PG_STMT_COUNT] = {
    /* What an append checks, in one round trip: the stream's version, the
     * head, and the version that closed the stream (0: open). */
    [PG_STREAM_STATE] =
        "SELECT (SELECT coalesce(max(version), 0) FROM events WHERE "
        "stream_id = $1), (SELECT coalesce(max(position), 0) FROM events), "
        "(SELECT coalesce(max(version), 0) FROM closed_streams WHERE "
        "stream_id = $1)",
    [PG_STREAM_VERSION] =
        "SELECT max(version) FROM events WHERE stream_id = $1",
    [PG_HEAD] = "SELECT max(position) FROM events",
    /* A whole batch in one statement, whatever its size: the events from
     * arrays, one element per event ($4 to $10), their positions and
     * versions counted from $1 and $3; the tags from arrays, one element
     * per tag ($11 to $13), each with the number of its event in the
     * batch. The tags' INSERT runs after the events' (a data-modifying
     * WITH always runs to its end). */
    [PG_INSERT] =
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
    /* One event without tags, the command handler's append: a row of
     * VALUES costs the server less than unnest() and the tags' INSERT. */
    [PG_INSERT_ONE] =
        "INSERT INTO events(position, event_id, stream_id, version, type, "
        "schema_version, data, metadata, recorded_at, batch_start, tag_count) "
        "VALUES($1, $2, $3, $4, $5, $6, $7, $8, " PG_TIME("$9") ", $1, 0)",
    [PG_CLOSE] =
        "INSERT INTO closed_streams(stream_id, version) VALUES($1, $2)",
    [PG_CLOSED_AT] = "SELECT version FROM closed_streams WHERE stream_id = $1",
    /* Which ids of a batch ($1, an array) are stored: the first stored
     * two in the batch's order, with their number in it (1 for the
     * batch's first event). */
    [PG_STORED_IDS] =
        "SELECT events.stream_id, events.version, events.position, ids.n "
        "FROM unnest($1::text[]) WITH ORDINALITY AS ids(event_id, n) JOIN "
        "events ON events.event_id = ids.event_id ORDER BY ids.n LIMIT 2",
    /* A page of the replay rule's walk: events from position $1 on. */
    [PG_REPLAY_WALK] = "SELECT " PG_EVENT_SELECT ", batch_start FROM events "
                       "WHERE position >= $1 ORDER BY position LIMIT $2",
    /* LIMIT NULL is no limit. */
    [PG_READ_FORWARD] = "SELECT " PG_EVENT_SELECT " FROM events WHERE "
                        "stream_id = $1 AND version >= $2 ORDER BY version "
                        "LIMIT $3",
    [PG_READ_BACKWARD] = "SELECT " PG_EVENT_SELECT " FROM events WHERE "
                         "stream_id = $1 AND version <= $2 ORDER BY version "
                         "DESC LIMIT $3",
    [PG_READ_ALL] = "SELECT " PG_EVENT_SELECT " FROM events WHERE position > "
                    "$1 ORDER BY position LIMIT $2",
    /* Every stream of the category and perhaps a few more (a category
     * that holds a '-'): esk_stream_in_category() has the last word. */
    [PG_READ_CATEGORY] = "SELECT " PG_EVENT_SELECT " FROM events WHERE "
                         "position > $1 AND (stream_id = $3 OR "
                         "starts_with(stream_id, $3 || '-')) ORDER BY "
                         "position LIMIT $2",
    [PG_PUT_CHECKPOINT] =
        "INSERT INTO checkpoints(name, position, version, value, updated_at) "
        "VALUES($1, $2, $3, $4, " PG_TIME(
            "$5") ") ON CONFLICT (name) DO "
                  "UPDATE SET position = excluded.position, version = "
                  "excluded.version, value = excluded.value, updated_at = "
                  "excluded.updated_at",
    [PG_PUT_COMMAND] =
        "INSERT INTO commands(command_id, position, status, outcome, "
        "recorded_at) VALUES($1, $2, $3, $4, " PG_TIME(
            "$5") ") ON CONFLICT "
                  "(command_id) DO UPDATE SET position = excluded.position, "
                  "status = "
                  "excluded.status, outcome = excluded.outcome, recorded_at = "
                  "excluded.recorded_at",
    [PG_PUT_SNAPSHOT] =
        "INSERT INTO snapshots(stream_id, version, layout_version, state, "
        "recorded_at) VALUES($1, $2, $3, $4, " PG_TIME(
            "$5") ") ON CONFLICT "
                  "(stream_id) DO UPDATE SET version = excluded.version, "
                  "layout_version = excluded.layout_version, state = "
                  "excluded.state, "
                  "recorded_at = excluded.recorded_at",
    [PG_GET_CHECKPOINT] = "SELECT name, position, version, value FROM "
                          "checkpoints WHERE name = $1",
    [PG_GET_COMMAND] = "SELECT command_id, position, status, outcome FROM "
                       "commands WHERE command_id = $1",
    [PG_GET_SNAPSHOT] = "SELECT stream_id, version, layout_version, state "
                        "FROM snapshots WHERE stream_id = $1",
};

/* The session's settings: the tables' schema first in the search path,
 * text in UTF-8, how long to wait for a lock, whether a commit waits
 * for the disk, and, for a store opened read_only, every transaction
 * read-only: the server itself then refuses a write that got past the
 * backend's own refusal (a statement run on esk_store_postgres_conn()).
 * A busy timeout of 0 means not waiting, as on SQLite;
 * PostgreSQL reads lock_timeout = 0 as waiting for ever, so it gets the
 * shortest wait there is, 1 ms. */
esk_status esk__pg_configure(pg_store *s)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SET search_path TO \"%s\", pg_catalog; "
             "SET client_encoding TO 'UTF8'; SET lock_timeout TO %d; "
             "SET synchronous_commit TO %s; "
             "SET default_transaction_isolation TO 'read committed'; "
             "SET default_transaction_read_only TO %s",
             s->schema, s->busy_timeout_ms > 0 ? s->busy_timeout_ms : 1,
             s->durability == ESK_DURABILITY_FULL ? "on" : "off",
             s->read_only ? "on" : "off");
    PGresult *res = PQexec(s->conn, sql);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "setting up the connection");
    PQclear(res);
    return status;
}

/* Statements are prepared on first use: a store that only appends and
 * reads a stream prepares those few, and opening costs no round trip per
 * statement. */
esk_status esk__pg_prepare(pg_store *s)
{
    memset(s->prepared, 0, sizeof s->prepared);
    s->ready = true;
    return ESK_OK;
}

PGresult *esk__pg_exec(pg_store *s, int which, int n, const char *const *p)
{
    char name[16];
    snprintf(name, sizeof name, "esk%d", which);
    if (!s->prepared[which]) {
        PGresult *res = PQprepare(s->conn, name, statement_sql[which], 0, NULL);
        if (!esk__pg_ok(res))
            return res; /* the caller reports it as the statement's failure */
        PQclear(res);
        s->prepared[which] = true;
    }
    return PQexecPrepared(s->conn, name, n, p, NULL, NULL, 0);
}

PGresult *esk__pg_exec_sql(pg_store *s, const char *sql, int n,
                           const char *const *p)
{
    return PQexecParams(s->conn, sql, n, NULL, p, NULL, NULL, 0);
}

bool esk__pg_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return res != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

/* A bigint column's text: an optional '-' and decimal digits, always
 * (the server writes it). strtoll, which also reads spaces, signs, bases
 * and the locale, was a quarter of a read's time on the client. */
static int64_t decimal(const char *p)
{
    bool negative = *p == '-';
    uint64_t value = 0;
    for (p += negative; *p >= '0' && *p <= '9'; p++)
        value = value * 10 + (uint64_t)(*p - '0');
    return negative ? (int64_t)(0 - value) : (int64_t)value;
}

int64_t esk__pg_int(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0;
    return decimal(PQgetvalue(res, row, col));
}

esk_status esk__pg_query_int(pg_store *s, int which, const char *param,
                             int64_t *out, const char *doing)
{
    const char *params[1] = {param};
    PGresult *res = esk__pg_exec(s, which, param != NULL ? 1 : 0, params);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "%s", doing);
    else
        *out = PQntuples(res) > 0 ? esk__pg_int(res, 0, 0) : 0;
    PQclear(res);
    return status;
}

/* Parse "<length>:<tag>..." into tags: false when it is not tags as esk
 * writes them. */
static bool parse_tags(const char *text, esk__pg_tags *buf, esk_event *e)
{
    char *out = buf->text;
    const char *end = buf->text + sizeof buf->text;
    const char *p = text;
    while (*p != '\0') {
        size_t len = 0;
        while (*p >= '0' && *p <= '9' && len <= ESK_TAG_MAX)
            len = len * 10 + (size_t)(*p++ - '0');
        if (e->tag_count == ESK_EVENT_TAGS_MAX || *p != ':' || len == 0 ||
            len > ESK_TAG_MAX || (size_t)(end - out) < len + 1 ||
            memchr(p + 1, '\0', len) != NULL)
            return false;
        memcpy(out, p + 1, len);
        out[len] = '\0';
        buf->tags[e->tag_count++] = out;
        out += len + 1;
        p += 1 + len;
    }
    e->tags = e->tag_count > 0 ? buf->tags : NULL;
    return true;
}

bool esk__pg_row_event(const PGresult *res, int row, esk_event *e,
                       esk__pg_tags *tags)
{
    for (int col = 0; col < PG_COL_TAGS; col++)
        if (PQgetisnull(res, row, col))
            return false;
    e->position = decimal(PQgetvalue(res, row, PG_COL_POSITION));
    e->event_id = PQgetvalue(res, row, PG_COL_EVENT_ID);
    e->stream_id = PQgetvalue(res, row, PG_COL_STREAM_ID);
    e->version = decimal(PQgetvalue(res, row, PG_COL_VERSION));
    e->type = PQgetvalue(res, row, PG_COL_TYPE);
    e->schema_version =
        (int)decimal(PQgetvalue(res, row, PG_COL_SCHEMA_VERSION));
    e->data = PQgetvalue(res, row, PG_COL_DATA);
    e->metadata = PQgetvalue(res, row, PG_COL_METADATA);
    e->recorded_at = decimal(PQgetvalue(res, row, PG_COL_RECORDED_AT));
    e->tags = NULL;
    e->tag_count = 0;
    if (PQgetisnull(res, row, PG_COL_TAGS))
        return true;
    return parse_tags(PQgetvalue(res, row, PG_COL_TAGS), tags, e);
}

esk_status esk__pg_refuse_write(const pg_store *s, const char *doing)
{
    if (!s->read_only)
        return ESK_OK;
    return esk__fail(ESK_EREADONLY,
                     "%s: the store was opened read-only "
                     "(esk_store_options.read_only): nothing is written; "
                     "open it without read_only to write",
                     doing);
}

PGconn *esk__pg_connect(const char *conninfo, const char *const *keys,
                        const char *const *values)
{
    /* Entries before the expanded dbname are defaults the conninfo
     * overrides; entries after it override the conninfo. */
    const char *all_keys[7] = {NULL};
    const char *all_values[7] = {NULL};
    int n = 0;
    const char *env = getenv("PGCONNECT_TIMEOUT");
    if (env == NULL || env[0] == '\0') {
        all_keys[n] = "connect_timeout";
        all_values[n++] = ESK__PG_CONNECT_TIMEOUT;
    }
    all_keys[n] = "dbname";
    all_values[n++] = conninfo;
    for (int i = 0; keys != NULL && keys[i] != NULL && n < 6; i++) {
        all_keys[n] = keys[i];
        all_values[n++] = values[i];
    }
    return PQconnectdbParams(all_keys, all_values, 1);
}

esk_status esk__pg_connected(pg_store *s, const char *doing)
{
    if (PQstatus(s->conn) == CONNECTION_OK && s->ready)
        return ESK_OK;
    if (s->depth > 0)
        return esk__fail(ESK_EIO,
                         "%s: the connection to the server was lost inside "
                         "the transaction: roll it back and redo the unit",
                         doing);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        PQreset(s->conn);
        if (PQstatus(s->conn) != CONNECTION_OK)
            return esk__fail(ESK_EIO,
                             "%s: the connection to the server was lost, "
                             "and connecting again failed: %s",
                             doing, PQerrorMessage(s->conn));
        s->ready = false;
        s->listening = false;
    }
    esk_status status = esk__pg_configure(s);
    return status == ESK_OK ? esk__pg_prepare(s) : status;
}
