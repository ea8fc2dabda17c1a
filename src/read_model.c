/*
 * src/read_model.c - the query side: statements that may read the read
 * model and nothing else.
 *
 * SQLite's authorizer is asked about every table a statement reads and
 * every action it takes while the statement is compiled, views and
 * triggers included, so a check there cannot be fooled by clever SQL the
 * way a look at the text could.
 *
 * A statement is compiled again whenever the schema changes (a projection's
 * setup adds a table, say), and the authorizer must see that compilation
 * too, or a table swapped for a view of the events would let the query
 * read them. On a store in a file the read model has a read-only
 * connection of its own, which only ever compiles queries: the authorizer
 * stays on it for its whole life. That connection also keeps queries off
 * the store's: a query left open holds a snapshot of the database on its
 * connection, which on the store's would stop the store from writing as
 * soon as another connection commits (WAL lets one connection read an old
 * snapshot while another writes, not the same one).
 *
 * A store in memory cannot be opened twice, so its queries share the
 * store's connection. The authorizer stays installed there too, but lets
 * everything through outside esk_read_model_prepare(), since the store's
 * own statements read the events; and queries are compiled with the legacy
 * sqlite3_prepare(), which SQLite never compiles again: after a schema
 * change they fail with SQLITE_SCHEMA and are prepared again, under the
 * guard.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "esk/projection.h"
#include "esk/store_backend.h"
#include "internal.h"

struct esk_read_model {
    sqlite3 *db;
    /* Whether db is the read model's own connection (a store in a file)
     * rather than the store's (a store in memory). */
    bool own;
    /* Whether the authorizer refuses what queries may not do: always on
     * an own connection, only while preparing on the store's. */
    bool guarding;
    /* Whether the authorizer was asked anything during this prepare: on
     * the store's connection, another read model may have taken its one
     * authorizer slot. */
    bool consulted;
    /* Whether this handle ever installed itself on the store's
     * connection. */
    bool installed;
    /* Why the authorizer refused the statement being prepared. */
    char refusal[ESK_ERROR_MESSAGE_MAX];
};

/* The write side's tables (see the schema in store_sqlite.c). */
static const char *const store_tables[] = {"events",         "checkpoints",
                                           "commands",       "snapshots",
                                           "closed_streams", "event_tags"};

static bool same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static bool is_store_table(const char *table)
{
    if (table == NULL)
        return false;
    for (size_t i = 0; i < sizeof(store_tables) / sizeof(store_tables[0]); i++)
        if (same_name(table, store_tables[i]))
            return true;
    return false;
}

/* Record the first refusal only: it is the one the statement failed on.
 * table is NULL for refusals that name no table. */
static int refuse(esk_read_model *rm, const char *why, const char *table,
                  const char *then)
{
    if (rm->refusal[0] == '\0')
        snprintf(rm->refusal, sizeof(rm->refusal), "%s%s%s%s%s", why,
                 table != NULL ? " '" : "", table != NULL ? table : "",
                 table != NULL ? "'" : "", then);
    return SQLITE_DENY;
}

static int authorize(void *ctx, int action, const char *arg1, const char *arg2,
                     const char *db_name, const char *trigger)
{
    esk_read_model *rm = ctx;
    (void)arg2;
    (void)db_name;
    (void)trigger;

    rm->consulted = true;
    if (!rm->guarding)
        return SQLITE_OK;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ:
        if (is_store_table(arg1))
            return refuse(rm, "queries read the read model only: table", arg1,
                          " belongs to the write side");
        return SQLITE_OK;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        /* CREATE and DROP first show up as writes to the schema table. */
        if (arg1 != NULL && strncmp(arg1, "sqlite_", 7) == 0)
            return refuse(rm,
                          "queries only read: this statement changes "
                          "the database",
                          NULL, "; change the read model in a projection");
        return refuse(rm, "queries only read: this statement writes to table",
                      arg1,
                      "; change the read model in a projection's handler");
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        return refuse(rm, "queries do not begin or end transactions", NULL,
                      ": the store does");
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        return refuse(rm, "queries read this database only", NULL,
                      ": ATTACH and DETACH are refused");
    case SQLITE_PRAGMA:
        return refuse(rm, "queries only read tables: PRAGMA", arg1,
                      " is refused");
    default:
        /* CREATE, DROP, ALTER, ANALYZE, REINDEX, virtual tables... */
        return refuse(rm,
                      "queries only read: this statement changes the "
                      "database",
                      NULL, "; change the read model in a projection");
    }
}

/* The busy timeout of the store's connection, so that reads wait as long
 * as the store does (for a crashed writer's log to be recovered). */
static int busy_timeout_of(sqlite3 *db)
{
    sqlite3_stmt *stmt = NULL;
    int ms = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &stmt, NULL) ==
            SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        ms = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return ms;
}

/* Open rm's own read-only connection to the store's file. */
static esk_status open_own(esk_read_model *rm, sqlite3 *store_db,
                           const char *file)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(file, &db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (db == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory opening the read model");
    if (rc != SQLITE_OK) {
        esk_status status = (rc & 0xff) == SQLITE_NOMEM ? ESK_ENOMEM : ESK_EIO;
        esk__fail(status, "opening the read model of '%s' for reading: %s",
                  file, sqlite3_errmsg(db));
        sqlite3_close_v2(db);
        return status;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_of(store_db));
    rm->db = db;
    rm->own = true;
    rm->guarding = true;
    sqlite3_set_authorizer(db, authorize, rm);
    return ESK_OK;
}

esk_status esk_read_model_open(esk_read_model **out, esk_store *store)
{
    if (out == NULL || store == NULL)
        return esk__fail(ESK_EINVAL, "esk_read_model_open: %s is NULL",
                         out == NULL ? "out" : "the store");
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL)
        return esk__fail(ESK_EINVAL,
                         "the read model needs a SQLite store; this one is "
                         "'%s'",
                         esk_store_backend_name(store));
    esk_read_model *rm = esk__calloc(1, sizeof(*rm));
    if (rm == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory opening the read model");
    /* "" for a database in memory or a temporary one. */
    const char *file = sqlite3_db_filename(db, "main");
    if (file != NULL && file[0] != '\0') {
        esk_status status = open_own(rm, db, file);
        if (status != ESK_OK) {
            esk__free(rm);
            return status;
        }
    } else {
        rm->db = db;
    }
    *out = rm;
    return esk__ok();
}

void esk_read_model_free(esk_read_model *read_model)
{
    if (read_model == NULL)
        return;
    if (read_model->own) {
        /* A statement still open keeps the connection until it is
         * finalized. */
        sqlite3_close_v2(read_model->db);
    } else if (read_model->installed) {
        /* Leave no pointer to this handle on the store's connection. If
         * another read model had taken the slot, it takes it back at its
         * next prepare. */
        sqlite3_set_authorizer(read_model->db, NULL, NULL);
    }
    esk__free(read_model);
}

static esk_status prepare_error(esk_read_model *rm, int src, const char *sql)
{
    if (src == SQLITE_NOMEM)
        return esk__fail(ESK_ENOMEM, "out of memory preparing a query");
    if (src == SQLITE_AUTH && rm->refusal[0] != '\0')
        return esk__fail(ESK_EINVAL, "%s", rm->refusal);
    return esk__fail(ESK_EINVAL, "query \"%.80s\": %s", sql,
                     sqlite3_errmsg(rm->db));
}

/* Compile the first statement of sql under the guard. */
static int compile(esk_read_model *rm, const char *sql, sqlite3_stmt **stmt,
                   const char **rest)
{
    if (rm->own)
        return sqlite3_prepare_v2(rm->db, sql, -1, stmt, rest);

    rm->consulted = false;
    int src = sqlite3_prepare(rm->db, sql, -1, stmt, rest);
    if (src == SQLITE_OK && *stmt != NULL && !rm->consulted) {
        /* The slot holds another read model's authorizer, or none: take
         * it and compile again. Installing an authorizer expires the
         * connection's statements; the store's compile again when next
         * used. */
        sqlite3_finalize(*stmt);
        *stmt = NULL;
        sqlite3_set_authorizer(rm->db, authorize, rm);
        rm->installed = true;
        rm->refusal[0] = '\0';
        src = sqlite3_prepare(rm->db, sql, -1, stmt, rest);
    }
    return src;
}

/* Whether what follows the first statement holds another one. Spaces,
 * comments and semicolons compile to no statement; one the guard refuses
 * is a statement all the same. */
static int check_rest(esk_read_model *rm, const char *rest, bool *more)
{
    *more = false;
    while (*rest != '\0') {
        sqlite3_stmt *next = NULL;
        const char *after = NULL;
        int src = sqlite3_prepare_v2(rm->db, rest, -1, &next, &after);
        if (src == SQLITE_AUTH) {
            *more = true;
            return SQLITE_OK;
        }
        if (src != SQLITE_OK)
            return src;
        if (next != NULL) {
            sqlite3_finalize(next);
            *more = true;
            return SQLITE_OK;
        }
        if (after == NULL || after == rest)
            break;
        rest = after;
    }
    return SQLITE_OK;
}

esk_status esk_read_model_prepare(esk_read_model *read_model, const char *sql,
                                  sqlite3_stmt **out)
{
    esk_status rc = ESK_OK;
    sqlite3_stmt *stmt = NULL;
    const char *rest = NULL;
    bool more = false;

    if (read_model == NULL || sql == NULL || out == NULL)
        return esk__fail(ESK_EINVAL, "read model: %s is NULL",
                         read_model == NULL ? "read_model"
                         : sql == NULL      ? "sql"
                                            : "out");
    read_model->refusal[0] = '\0';
    read_model->guarding = true;
    int src = compile(read_model, sql, &stmt, &rest);
    if (src == SQLITE_OK && stmt != NULL && rest != NULL)
        src = check_rest(read_model, rest, &more);
    /* On the store's connection, the store's own statements pass. */
    read_model->guarding = read_model->own;

    if (src != SQLITE_OK) {
        rc = prepare_error(read_model, src, sql);
    } else if (stmt == NULL) {
        rc = esk__fail(ESK_EINVAL, "the query holds no SQL statement");
    } else if (more) {
        rc = esk__fail(ESK_EINVAL,
                       "prepare one query at a time: \"%.80s\" holds "
                       "more than one statement",
                       sql);
    } else if (!sqlite3_stmt_readonly(stmt)) {
        /* VACUUM (INTO a file, too) compiles without asking the
         * authorizer. */
        rc = esk__fail(ESK_EINVAL,
                       "queries only read: this statement changes the "
                       "database; change the read model in a "
                       "projection");
    }
    if (rc != ESK_OK) {
        sqlite3_finalize(stmt);
        return rc;
    }
    *out = stmt;
    return esk__ok();
}
