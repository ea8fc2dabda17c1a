/*
 * src/store_sqlite_tx.c - transactions: BEGIN IMMEDIATE for the outermost,
 * savepoints for the nested ones, and noticing when SQLite ended one by
 * itself.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* Savepoint names by depth: SQLite wants them in the SQL text. */
static const char *const savepoint_sql[][SAVEPOINT_ACTIONS] = {
#define ESK__SAVEPOINT(n)                                                      \
    {                                                                          \
        "SAVEPOINT esk" #n, "RELEASE esk" #n, "ROLLBACK TO esk" #n             \
    }
    ESK__SAVEPOINT(0),  ESK__SAVEPOINT(1),  ESK__SAVEPOINT(2),
    ESK__SAVEPOINT(3),  ESK__SAVEPOINT(4),  ESK__SAVEPOINT(5),
    ESK__SAVEPOINT(6),  ESK__SAVEPOINT(7),  ESK__SAVEPOINT(8),
    ESK__SAVEPOINT(9),  ESK__SAVEPOINT(10), ESK__SAVEPOINT(11),
    ESK__SAVEPOINT(12), ESK__SAVEPOINT(13), ESK__SAVEPOINT(14),
    ESK__SAVEPOINT(15), ESK__SAVEPOINT(16), ESK__SAVEPOINT(17),
    ESK__SAVEPOINT(18), ESK__SAVEPOINT(19), ESK__SAVEPOINT(20),
    ESK__SAVEPOINT(21), ESK__SAVEPOINT(22), ESK__SAVEPOINT(23),
    ESK__SAVEPOINT(24), ESK__SAVEPOINT(25), ESK__SAVEPOINT(26),
    ESK__SAVEPOINT(27), ESK__SAVEPOINT(28), ESK__SAVEPOINT(29),
    ESK__SAVEPOINT(30), ESK__SAVEPOINT(31),
#undef ESK__SAVEPOINT
};

_Static_assert(sizeof savepoint_sql / sizeof savepoint_sql[0] ==
                   SAVEPOINT_DEPTH_MAX,
               "one row of savepoint statements per depth");

/* What nested() is asked to do: SAVEPOINT_OPEN, SAVEPOINT_RELEASE, or
 * this, which is ROLLBACK TO followed by RELEASE. */
enum { SAVEPOINT_UNDO = SAVEPOINT_ACTIONS };

/* Run one savepoint statement. They are prepared once per depth and kept:
 * a catch-up projection opens and releases a savepoint for every event it
 * applies, and sqlite3_exec() would compile the SQL text each time, which
 * cost more than the read-model write itself. */
static int run_savepoint(sqlite_store *s, int depth, int action)
{
    sqlite3_stmt **stmt = &s->savepoint[depth][action];
    if (*stmt == NULL) {
        int rc = sqlite3_prepare_v3(s->db, savepoint_sql[depth][action], -1,
                                    SQLITE_PREPARE_PERSISTENT, stmt, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    return esk__sqlite_run(*stmt);
}

static esk_status nested(sqlite_store *s, int depth, int action,
                         const char *doing)
{
    if (depth < 1 || depth >= SAVEPOINT_DEPTH_MAX)
        return esk__fail(ESK_EINVAL, "%s: transactions nested too deep", doing);
    /* In autocommit mode SAVEPOINT would begin a new transaction, which
     * its RELEASE would commit: never run one once SQLite has ended the
     * transaction it belonged to (the front does not ask; this is the
     * backstop). */
    if (sqlite3_get_autocommit(s->db))
        return esk__fail(ESK_EIO,
                         "%s: SQLite has already rolled back the "
                         "transaction",
                         doing);
    int rc;
    if (action == SAVEPOINT_UNDO) {
        rc = run_savepoint(s, depth, SAVEPOINT_ROLLBACK_TO);
        if (rc == SQLITE_OK)
            rc = run_savepoint(s, depth, SAVEPOINT_RELEASE);
    } else {
        rc = run_savepoint(s, depth, action);
    }
    return rc == SQLITE_OK ? ESK_OK : esk__sqlite_fail(s, rc, "%s", doing);
}

/* The outermost transaction takes the write lock at once (IMMEDIATE):
 * what it reads then cannot change before it writes. */
esk_status esk__sqlite_begin(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_OPEN,
                      "beginning a nested transaction");
    int rc = esk__sqlite_run(s->stmt[STMT_BEGIN]);
    return rc == SQLITE_OK ? ESK_OK
                           : esk__sqlite_fail(s, rc, "beginning a transaction");
}

esk_status esk__sqlite_commit(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_RELEASE,
                      "committing a nested transaction");
    int rc = esk__sqlite_run(s->stmt[STMT_COMMIT]);
    if (rc == SQLITE_OK)
        return ESK_OK;
    esk_status status = esk__sqlite_fail(s, rc, "committing");
    esk__sqlite_end_transaction(
        s); /* a failed COMMIT may leave the transaction open */
    return status;
}

esk_status esk__sqlite_rollback(esk_store *store, void *impl, int depth)
{
    (void)store;
    sqlite_store *s = impl;
    if (depth > 0)
        return nested(s, depth, SAVEPOINT_UNDO,
                      "rolling back a nested transaction");
    /* SQLite may have rolled back already, after an I/O error or a full
     * disk: then there is nothing left to undo. */
    esk__sqlite_end_transaction(s);
    return ESK_OK;
}

/* SQLite ends the whole transaction by itself after some failures (a
 * full disk, an I/O error, an interrupt, ON CONFLICT ROLLBACK or
 * RAISE(ROLLBACK)), then stays in autocommit mode. The last error on the
 * connection is the best guess at why, when the front did not see it
 * happen (a handler's own SQL). */
esk_status esk__sqlite_check_transaction(esk_store *store, void *impl)
{
    (void)store;
    sqlite_store *s = impl;
    if (!sqlite3_get_autocommit(s->db))
        return ESK_OK;
    int rc = sqlite3_extended_errcode(s->db);
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
        return esk__fail(ESK_EIO, "an error in SQL run inside the "
                                  "transaction");
    return esk__sqlite_fail(s, rc, "a statement run inside the transaction");
}
