/*
 * src/store_postgres_tx.c - transactions: the outermost takes the schema's
 * write lock, nested ones are savepoints, and a transaction the server
 * ended (a failed statement, a lost connection) is noticed.
 *
 * Why a lock for the whole outermost transaction: positions must be
 * gap-free and in commit order. The transaction that holds the lock reads
 * the head and the stream's version (READ COMMITTED: each statement sees
 * every commit made before it began), writes the next positions, and
 * commits; PostgreSQL makes a commit visible to other sessions before it
 * releases the transaction's locks, so the next writer starts from the
 * committed head and a reader can never see position n + 1 before n.
 * Taking it at BEGIN, as SQLite's BEGIN IMMEDIATE does, also keeps two
 * transactions from waiting on each other's rows in opposite orders.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* Run SQL that returns nothing of interest. */
static esk_status run(pg_store *s, const char *sql, const char *doing)
{
    PGresult *res = PQexec(s->conn, sql);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "%s", doing);
    PQclear(res);
    return status;
}

/* End the transaction whatever state it is in; a lost connection has
 * ended it already. */
static void end_transaction(pg_store *s)
{
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE &&
        PQstatus(s->conn) == CONNECTION_OK)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    s->depth = 0;
    s->appended = false;
}

esk_status esk__pg_begin(esk_store *store, void *impl, int depth)
{
    (void)store;
    pg_store *s = impl;
    if (depth > 0) {
        char sql[32];
        snprintf(sql, sizeof sql, "SAVEPOINT esk%d", depth);
        esk_status status = run(s, sql, "beginning a nested transaction");
        if (status == ESK_OK)
            s->depth = depth + 1;
        return status;
    }
    esk_status status = esk__pg_connected(s, "beginning a transaction");
    if (status != ESK_OK)
        return status;
    status = run(s, s->begin_sql, "beginning a transaction");
    if (status != ESK_OK) {
        end_transaction(s);
        return status;
    }
    s->depth = 1;
    return ESK_OK;
}

esk_status esk__pg_commit(esk_store *store, void *impl, int depth)
{
    (void)store;
    pg_store *s = impl;
    if (depth > 0) {
        char sql[40];
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT esk%d", depth);
        esk_status status = run(s, sql, "committing a nested transaction");
        if (status == ESK_OK)
            s->depth = depth;
        return status;
    }
    /* COMMIT of a transaction the server has ended answers "ROLLBACK"
     * and no error: ask first. A transaction that appended notifies the
     * waiters in the same round trip; PostgreSQL delivers a NOTIFY at the
     * commit of its transaction, and drops it with a rollback. */
    esk_status status = esk__pg_check_transaction(store, impl);
    if (status == ESK_OK) {
        PGresult *res =
            PQexec(s->conn, s->appended ? s->notify_commit_sql : "COMMIT");
        if (!esk__pg_ok(res))
            status = esk__pg_fail(s, res, "committing");
        else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
            status = esk__fail(ESK_EIO, "committing: the server rolled the "
                                        "transaction back instead: nothing "
                                        "of it is written; redo the unit");
        PQclear(res);
    }
    end_transaction(s);
    return status;
}

esk_status esk__pg_rollback(esk_store *store, void *impl, int depth)
{
    (void)store;
    pg_store *s = impl;
    if (depth == 0) {
        end_transaction(s);
        return ESK_OK;
    }
    char sql[80];
    snprintf(sql, sizeof sql,
             "ROLLBACK TO SAVEPOINT esk%d; RELEASE SAVEPOINT esk%d", depth,
             depth);
    esk_status status = run(s, sql, "rolling back a nested transaction");
    if (status == ESK_OK)
        s->depth = depth;
    return status;
}

esk_status esk__pg_check_transaction(esk_store *store, void *impl)
{
    (void)store;
    pg_store *s = impl;
    switch (PQtransactionStatus(s->conn)) {
    case PQTRANS_INTRANS:
    case PQTRANS_ACTIVE:
        return ESK_OK;
    case PQTRANS_INERROR:
        return esk__fail(ESK_EIO, "a statement failed inside the "
                                  "transaction, and PostgreSQL ended it");
    case PQTRANS_IDLE:
        return esk__fail(ESK_EIO, "the transaction was ended on the server");
    default:
        return esk__fail(ESK_EIO, "the connection to the server was lost (%s)",
                         PQstatus(s->conn) == CONNECTION_BAD
                             ? "the server closed it"
                             : "its state is unknown");
    }
}

/* After a statement of an append failed at this depth: undo the append
 * alone, so that the transaction around it goes on as it would on SQLite,
 * where a failed statement does not end the transaction. At depth 1 the
 * append is the whole transaction, which the front rolls back. */
void esk__pg_undo_failed_statement(pg_store *s)
{
    if (s->depth < 2 || PQtransactionStatus(s->conn) != PQTRANS_INERROR)
        return;
    char sql[48];
    snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT esk%d", s->depth - 1);
    PQclear(PQexec(s->conn, sql));
}
