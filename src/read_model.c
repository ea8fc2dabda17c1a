/*
 * src/read_model.c - the query side: statements that may read the read
 * model and nothing else.
 *
 * SQLite's authorizer is asked about every table a statement reads and
 * every action it takes while the statement is compiled, views and
 * triggers included, so a check there cannot be fooled by clever SQL the
 * way a look at the text could. The authorizer is installed for the
 * prepare only: the store's own statements never see it.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "esk/projection.h"
#include "esk/store_backend.h"
#include "internal.h"

struct esk_read_model {
    sqlite3 *db;
    /* Why the authorizer refused the statement being prepared. */
    char refusal[ESK_ERROR_MESSAGE_MAX];
};

/* The write side's tables (see the schema in store_sqlite.c). */
static const char *const store_tables[] = {"events", "checkpoints", "commands",
                                           "snapshots"};

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

esk_status esk_read_model_open(esk_read_model **out, esk_store *store)
{
    if (out == NULL || store == NULL) {
        if (store != NULL)
            esk_store_set_error(store, ESK_EINVAL, "read model: out is NULL");
        return ESK_EINVAL;
    }
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL)
        return esk_store_set_error(store, ESK_EINVAL,
                                   "the read model needs a SQLite store; "
                                   "this one is '%s'",
                                   esk_store_backend_name(store));
    esk_read_model *rm = esk__calloc(1, sizeof(*rm));
    if (rm == NULL)
        return esk_store_set_error(store, ESK_ENOMEM,
                                   "out of memory opening the read model");
    rm->db = db;
    *out = rm;
    return ESK_OK;
}

void esk_read_model_free(esk_read_model *read_model)
{
    esk__free(read_model);
}

static esk_status prepare_error(esk_read_model *rm, int src, const char *sql,
                                esk_error *err)
{
    if (src == SQLITE_NOMEM)
        return esk__error_set(err, ESK_ENOMEM,
                              "out of memory preparing a query");
    if (src == SQLITE_AUTH && rm->refusal[0] != '\0')
        return esk__error_set(err, ESK_EINVAL, "%s", rm->refusal);
    return esk__error_set(err, ESK_EINVAL, "query \"%.80s\": %s", sql,
                          sqlite3_errmsg(rm->db));
}

/* Whether what follows the first statement holds another one. Spaces,
 * comments and semicolons compile to no statement. */
static int check_rest(esk_read_model *rm, const char *rest, bool *more)
{
    *more = false;
    while (*rest != '\0') {
        sqlite3_stmt *next = NULL;
        const char *after = NULL;
        int src = sqlite3_prepare_v2(rm->db, rest, -1, &next, &after);
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
                                  sqlite3_stmt **out, esk_error *err)
{
    esk_status rc = ESK_OK;
    sqlite3_stmt *stmt = NULL;
    const char *rest = NULL;
    bool more = false;

    if (read_model == NULL || sql == NULL || out == NULL)
        return esk__error_set(err, ESK_EINVAL, "read model: %s is NULL",
                              read_model == NULL ? "read_model"
                              : sql == NULL      ? "sql"
                                                 : "out");
    read_model->refusal[0] = '\0';
    /* Setting an authorizer expires the connection's statements: they
     * are compiled again, without it, when next used. A small cost paid
     * once per query prepared. */
    sqlite3_set_authorizer(read_model->db, authorize, read_model);
    int src = sqlite3_prepare_v2(read_model->db, sql, -1, &stmt, &rest);
    sqlite3_set_authorizer(read_model->db, NULL, NULL);
    /* The rest is compiled only to be thrown away, so it needs no guard,
     * and "more than one statement" is the clearer answer. */
    if (src == SQLITE_OK && stmt != NULL && rest != NULL)
        src = check_rest(read_model, rest, &more);

    if (src != SQLITE_OK) {
        rc = prepare_error(read_model, src, sql, err);
    } else if (stmt == NULL) {
        rc =
            esk__error_set(err, ESK_EINVAL, "the query holds no SQL statement");
    } else if (more) {
        rc = esk__error_set(err, ESK_EINVAL,
                            "prepare one query at a time: \"%.80s\" holds "
                            "more than one statement",
                            sql);
    } else if (!sqlite3_stmt_readonly(stmt)) {
        /* VACUUM (INTO a file, too) compiles without asking the
         * authorizer. */
        rc = esk__error_set(err, ESK_EINVAL,
                            "queries only read: this statement changes the "
                            "database; change the read model in a "
                            "projection");
    }
    if (rc != ESK_OK) {
        sqlite3_finalize(stmt);
        return rc;
    }
    *out = stmt;
    return ESK_OK;
}
