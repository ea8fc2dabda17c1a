/*
 * src/store_sqlite_schema.c - the schema and its migrations.
 *
 * The file says what it is with two header fields: PRAGMA application_id
 * (ESK_APPLICATION_ID) and PRAGMA user_version (the schema version). Opening
 * refuses another application's database and a schema newer than this
 * build, and brings an older esk schema up to date with the migrations below.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* "ESK1": marks a SQLite file as an esk event store. */
#define ESK_APPLICATION_ID 0x45534B31

/*
 * The schema, as the steps that build it: migrations[i] takes a database
 * from schema version i to i + 1, so a new database runs them all and an
 * older one runs the ones it misses. To change the schema, append a step;
 * never edit one that has shipped. The schema version is the number of steps.
 */
static const char *const migrations[] = {
    /* 0 -> 1: the events table. */
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
    "UNIQUE(stream_id, version))",
    /* 1 -> 2: records kept beside the events, one table per kind. */
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
    "recorded_at TEXT NOT NULL)",
    /* 2 -> 3: where each append begins, so that a retry can be told from
     * a batch that spans two appends or covers part of one: the position
     * of the first event of the append that wrote the row. Rows written
     * before this step keep NULL: their appends' boundaries were never
     * recorded, and guessing them (from recorded_at, say) could merge two
     * appends or split one. Adding a column with no default rewrites no
     * row, so the upgrade is instant on any size of file. */
    "ALTER TABLE events ADD COLUMN batch_start INTEGER",
    /* 3 -> 4: tags, in a table of their own (an event has any number),
     * in the order given (ord), with the index a query by tag searches:
     * (tag, position) finds the events carrying a tag after a position in
     * order; each event's number of tags, so that a read looks for the
     * tags of tagged events only; and an index of types, for query items
     * with types alone. Events stored before carry no tags: their count
     * stays NULL, and nothing is rewritten. */
    "CREATE TABLE event_tags("
    "position INTEGER NOT NULL, "
    "ord INTEGER NOT NULL, "
    "tag TEXT NOT NULL, "
    "PRIMARY KEY(position, ord)) WITHOUT ROWID;"
    "CREATE INDEX event_tags_by_tag ON event_tags(tag, position);"
    "CREATE INDEX events_by_type ON events(type, position);"
    "ALTER TABLE events ADD COLUMN tag_count INTEGER",
    /* 4 -> 5: closed streams, one row each, with the version whose append
     * closed it. A table of its own rather than a column on events: the
     * close is a fact about the stream, and no stored event is rewritten.
     * A close inside a transaction that is rolled back goes with it. */
    "CREATE TABLE closed_streams("
    "stream_id TEXT PRIMARY KEY, "
    "version INTEGER NOT NULL) WITHOUT ROWID",
};

#define SCHEMA_VERSION ((int64_t)(sizeof migrations / sizeof migrations[0]))

/* Run one PRAGMA or statement that returns a single integer. */
static int pragma_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_step_int(stmt, out);
    /* Finalize returns the step's error again, so errmsg still fits. */
    sqlite3_finalize(stmt);
    return rc;
}

/* What the file holds, read in one transaction so the three agree. */
typedef struct schema_state {
    int64_t application_id;
    int64_t user_version;
    int64_t objects; /* tables, indexes, views, triggers */
} schema_state;

static int read_schema_state(sqlite3 *db, schema_state *out)
{
    int rc = pragma_int(db, "PRAGMA application_id", &out->application_id);
    if (rc == SQLITE_OK)
        rc = pragma_int(db, "PRAGMA user_version", &out->user_version);
    if (rc == SQLITE_OK)
        rc =
            pragma_int(db, "SELECT count(*) FROM sqlite_master", &out->objects);
    return rc;
}

typedef enum schema_verdict {
    SCHEMA_CURRENT,
    SCHEMA_OLDER, /* an older esk schema, or a new empty database */
    SCHEMA_NEWER,
    SCHEMA_FOREIGN,
} schema_verdict;

static schema_verdict judge_schema(const schema_state *state)
{
    /* Our id with a negative version was not written by any esk: leave it
     * alone like any foreign file. */
    if (state->application_id == ESK_APPLICATION_ID &&
        state->user_version >= 0) {
        if (state->user_version == SCHEMA_VERSION)
            return SCHEMA_CURRENT;
        return state->user_version > SCHEMA_VERSION ? SCHEMA_NEWER
                                                    : SCHEMA_OLDER;
    }
    /* A brand new file: nothing in it, nothing stamped. */
    if (state->application_id == 0 && state->user_version == 0 &&
        state->objects == 0)
        return SCHEMA_OLDER;
    return SCHEMA_FOREIGN;
}

static esk_status refuse_schema(const char *path, const schema_state *state,
                                schema_verdict verdict)
{
    if (verdict == SCHEMA_NEWER)
        return esk__fail(ESK_ESCHEMA,
                         "'%s' was written by a newer esk (schema %" PRId64
                         "; this build reads up to %" PRId64 ")",
                         path, state->user_version, SCHEMA_VERSION);
    return esk__fail(ESK_ESCHEMA,
                     "'%s' is not an esk event store: it holds another "
                     "application's database (application_id %" PRId64
                     ", %" PRId64 " schema objects); esk leaves it as is",
                     path, state->application_id, state->objects);
}

/* Bring a new or older database to SCHEMA_VERSION, under the write lock so
 * that two processes opening a new file at once create it once. */
static esk_status migrate(sqlite3 *db, const char *path)
{
    esk_status status = ESK_OK;
    schema_state state = {0, 0, 0};
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return esk__sqlite_open_fail(db, rc, path);

    /* Look again: another process may have done it while we waited. */
    rc = read_schema_state(db, &state);
    if (rc != SQLITE_OK) {
        status = esk__sqlite_open_fail(db, rc, path);
        goto done;
    }
    schema_verdict verdict = judge_schema(&state);
    if (verdict == SCHEMA_CURRENT)
        goto done;
    if (verdict != SCHEMA_OLDER) {
        status = refuse_schema(path, &state, verdict);
        goto done;
    }

    for (int64_t step = state.user_version; step < SCHEMA_VERSION; step++) {
        rc = sqlite3_exec(db, migrations[step], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            status = esk__fail(
                esk__sqlite_schema_status(rc),
                "opening '%s': upgrading the schema to version %" PRId64 ": %s",
                path, step + 1, sqlite3_errmsg(db));
            goto done;
        }
    }

    /* PRAGMA takes no parameters; both values are our own integers. */
    char stamp[96];
    snprintf(stamp, sizeof stamp,
             "PRAGMA application_id = %d; PRAGMA user_version = %" PRId64,
             ESK_APPLICATION_ID, SCHEMA_VERSION);
    rc = sqlite3_exec(db, stamp, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        status = esk__sqlite_open_fail(db, rc, path);

done:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* Accept the file as it is, upgrade it, or refuse it. Refusing writes
 * nothing: the schema is read before any PRAGMA that would write. */
/* A reader cannot upgrade: say what would make the file readable. */
static esk_status refuse_upgrade(const char *path, const schema_state *state)
{
    if (state->objects == 0 && state->application_id == 0)
        return esk__fail(ESK_ESCHEMA,
                         "'%s' is an empty database, not an esk event "
                         "store: give the file an esk program writes to",
                         path);
    return esk__fail(ESK_ESCHEMA,
                     "'%s' was written by an older esk (schema %" PRId64
                     "; this build reads %" PRId64
                     "): open it once for writing (any esk program "
                     "upgrades it), then read it again",
                     path, state->user_version, SCHEMA_VERSION);
}

esk_status esk__sqlite_check_schema(sqlite3 *db, const char *path,
                                    bool read_only)
{
    schema_state state = {0, 0, 0};
    int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = read_schema_state(db, &state);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        /* Reading two header fields and the schema fails with a plain
         * error only when the header is not one SQLite can read
         * ("unsupported file format"): damaged, or not a database. */
        esk_status status = (rc & 0xff) == SQLITE_ERROR
                                ? esk__fail(ESK_ECORRUPT, "opening '%s': %s",
                                            path, sqlite3_errmsg(db))
                                : esk__sqlite_open_fail(db, rc, path);
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return status;
    }

    schema_verdict verdict = judge_schema(&state);
    switch (verdict) {
    case SCHEMA_CURRENT:
        return ESK_OK;
    case SCHEMA_OLDER:
        return read_only ? refuse_upgrade(path, &state) : migrate(db, path);
    default:
        return refuse_schema(path, &state, verdict);
    }
}

esk_status esk__sqlite_prepare(sqlite_store *s, const char *path)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        int rc =
            sqlite3_prepare_v3(s->db, esk__sqlite_statement_sql(i), -1,
                               SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            /* The file says it is an esk store of our version, yet the
             * table does not fit the statements. */
            return esk__fail(
                esk__sqlite_schema_status(rc),
                "opening '%s': the events table does not match schema "
                "%" PRId64 ": %s",
                path, SCHEMA_VERSION, sqlite3_errmsg(s->db));
        }
    }
    return ESK_OK;
}
