/*
 * src/store_postgres_schema.c - the store's tables, in a PostgreSQL schema
 * of their own, created on first open and stamped with their version.
 *
 * The schema says what it is with one table, esk_schema, holding one row:
 * the application ("esk") and the schema version. Opening refuses a schema
 * that holds other tables, and an esk store of another version; it
 * creates the tables in an absent or empty schema, under the schema's
 * write lock, so that processes opening a new store at once create it
 * once.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* The version of the tables below. A change to them is a new version,
 * and a migration from the last. */
#define PG_SCHEMA_VERSION 1

/* What the tables hold is what the SQLite backend's schema 5 holds:
 * events with where their append begins (batch_start) and their number of
 * tags, the tags in their order with the index a query by tag searches,
 * closed streams, and the three kinds of records. recorded_at is a
 * timestamptz so that a person reading the table sees a date. */
static const char tables_sql[] =
    "CREATE TABLE esk_schema(application text NOT NULL, "
    "version integer NOT NULL);"
    "CREATE TABLE events("
    "position bigint PRIMARY KEY, "
    "event_id text NOT NULL UNIQUE, "
    "stream_id text NOT NULL, "
    "version bigint NOT NULL, "
    "type text NOT NULL, "
    "schema_version integer NOT NULL, "
    "data text NOT NULL, "
    "metadata text NOT NULL, "
    "recorded_at timestamptz NOT NULL, "
    "batch_start bigint NOT NULL, "
    "tag_count integer NOT NULL, "
    "UNIQUE(stream_id, version));"
    "CREATE INDEX events_by_type ON events(type, position);"
    "CREATE TABLE event_tags("
    "position bigint NOT NULL, "
    "ord integer NOT NULL, "
    "tag text NOT NULL, "
    "PRIMARY KEY(position, ord));"
    "CREATE INDEX event_tags_by_tag ON event_tags(tag, position);"
    "CREATE TABLE closed_streams("
    "stream_id text PRIMARY KEY, "
    "version bigint NOT NULL);"
    "CREATE TABLE checkpoints("
    "name text PRIMARY KEY, position bigint NOT NULL, "
    "version integer NOT NULL, value text NOT NULL, "
    "updated_at timestamptz NOT NULL);"
    "CREATE TABLE commands("
    "command_id text PRIMARY KEY, position bigint NOT NULL, "
    "status integer NOT NULL, outcome text NOT NULL, "
    "recorded_at timestamptz NOT NULL);"
    "CREATE TABLE snapshots("
    "stream_id text PRIMARY KEY, version bigint NOT NULL, "
    "layout_version integer NOT NULL, state text NOT NULL, "
    "recorded_at timestamptz NOT NULL)";

/* Whether the schema exists, how many relations it holds, and the stamp
 * (application, version) when it has an esk_schema table. */
typedef struct schema_state {
    bool exists;
    int64_t relations;
    bool stamped;
    char application[32];
    int64_t version;
} schema_state;

static esk_status read_state(pg_store *s, schema_state *out)
{
    const char *params[1] = {s->schema};
    PGresult *res = esk__pg_exec_sql(
        s,
        "SELECT n.oid IS NOT NULL, (SELECT count(*) FROM pg_class c WHERE "
        "c.relnamespace = n.oid), EXISTS(SELECT 1 FROM pg_class c WHERE "
        "c.relnamespace = n.oid AND c.relname = 'esk_schema') FROM (SELECT "
        "1) AS one LEFT JOIN pg_namespace n ON n.nspname = $1",
        1, params);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res) || PQntuples(res) != 1) {
        status = esk__pg_fail(s, res, "opening schema '%s'", s->schema);
        PQclear(res);
        return status;
    }
    out->exists = PQgetvalue(res, 0, 0)[0] == 't';
    out->relations = esk__pg_int(res, 0, 1);
    out->stamped = PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    if (!out->stamped)
        return ESK_OK;

    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT application, version FROM \"%s\".esk_schema", s->schema);
    res = esk__pg_exec_sql(s, sql, 0, NULL);
    if (!esk__pg_ok(res)) {
        status = esk__pg_fail(s, res, "opening schema '%s'", s->schema);
    } else if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        status = esk__fail(ESK_ESCHEMA,
                           "opening schema '%s': its esk_schema table holds "
                           "%d rows instead of one: it was not written by "
                           "esk; esk leaves it as is",
                           s->schema, PQntuples(res));
    } else {
        snprintf(out->application, sizeof out->application, "%s",
                 PQgetvalue(res, 0, 0));
        out->version = esk__pg_int(res, 0, 1);
    }
    PQclear(res);
    return status;
}

static esk_status judge(const pg_store *s, const schema_state *state)
{
    if (state->stamped && strcmp(state->application, "esk") == 0 &&
        state->version == PG_SCHEMA_VERSION)
        return ESK_OK;
    if (state->stamped && strcmp(state->application, "esk") == 0)
        return esk__fail(ESK_ESCHEMA,
                         "schema '%s' holds an esk store of schema version "
                         "%" PRId64 "; this build reads version %d only: "
                         "open it with the esk that wrote it, or choose "
                         "another schema (esk_postgres_options.schema)",
                         s->schema, state->version, PG_SCHEMA_VERSION);
    return esk__fail(ESK_ESCHEMA,
                     "schema '%s' is not an esk event store: it holds "
                     "%" PRId64 " other tables, indexes or sequences; esk "
                     "leaves it as is: choose another schema "
                     "(esk_postgres_options.schema)",
                     s->schema, state->relations);
}

static esk_status create_tables(pg_store *s, bool create_schema)
{
    char head[200];
    if (create_schema)
        snprintf(head, sizeof head,
                 "CREATE SCHEMA \"%s\"; SET LOCAL search_path TO \"%s\";",
                 s->schema, s->schema);
    else
        snprintf(head, sizeof head, "SET LOCAL search_path TO \"%s\";",
                 s->schema);
    char stamp[96];
    snprintf(stamp, sizeof stamp,
             ";INSERT INTO esk_schema(application, version) "
             "VALUES('esk', %d)",
             PG_SCHEMA_VERSION);
    size_t size = strlen(head) + sizeof tables_sql + strlen(stamp);
    char *sql = esk__malloc(size);
    if (sql == NULL)
        return esk__fail(ESK_ENOMEM, "creating schema '%s': out of memory",
                         s->schema);
    snprintf(sql, size, "%s%s%s", head, tables_sql, stamp);
    PGresult *res = PQexec(s->conn, sql);
    esk__free(sql);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "creating the tables in schema '%s'",
                              s->schema);
    PQclear(res);
    return status;
}

/* Create the tables under the schema's lock, looking again once it is
 * held: another process may have created them while this one waited. */
static esk_status create_locked(pg_store *s)
{
    PGresult *res = PQexec(s->conn, s->begin_sql);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "opening schema '%s'", s->schema);
    PQclear(res);

    schema_state state = {false, 0, false, "", 0};
    if (status == ESK_OK)
        status = read_state(s, &state);
    if (status == ESK_OK) {
        if (!state.exists || (!state.stamped && state.relations == 0))
            status = create_tables(s, !state.exists);
        else
            status = judge(s, &state);
    }
    res = PQexec(s->conn, status == ESK_OK ? "COMMIT" : "ROLLBACK");
    if (status == ESK_OK && !esk__pg_ok(res))
        status = esk__pg_fail(s, res, "creating schema '%s'", s->schema);
    PQclear(res);
    return status;
}

/* A store opened read_only creates nothing: an absent or empty schema is
 * refused with the status a read-only SQLite store gives a missing file. */
static esk_status refuse_missing(const pg_store *s, const schema_state *state)
{
    return esk__fail(ESK_EIO,
                     "opening schema '%s' read-only: %s, and a read-only "
                     "store creates nothing: check the schema name "
                     "(esk_postgres_options.schema) and the database, or "
                     "open the store once without read_only to create it",
                     s->schema,
                     state->exists ? "the schema holds no esk store"
                                   : "there is no such schema");
}

/* Accept a current schema without taking any lock (writers at work do
 * not hold up a process that opens the store), refuse a foreign one, and
 * create an absent or empty one. */
esk_status esk__pg_check_schema(pg_store *s)
{
    schema_state state = {false, 0, false, "", 0};
    esk_status status = read_state(s, &state);
    if (status != ESK_OK)
        return status;
    if (!state.exists || (!state.stamped && state.relations == 0))
        return s->read_only ? refuse_missing(s, &state) : create_locked(s);
    return judge(s, &state);
}
