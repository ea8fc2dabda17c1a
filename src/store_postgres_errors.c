/*
 * src/store_postgres_errors.c - a PostgreSQL failure in the user's terms:
 * the status and extended code its SQLSTATE gives, and a message that says
 * what happened and what to do, followed by the server's own words.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* What a class of failure means, looked up by SQLSTATE: a full code
 * first, then its two-character class. */
typedef struct failure_text {
    const char *sqlstate;
    esk_status status;
    esk_ext ext;
    const char *text;
} failure_text;

static const failure_text failure_texts[] = {
    {"55P03", ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT,
     "another connection held the lock past busy_timeout_ms: try again "
     "later, or raise the timeout"},
    {"40001", ESK_EBUSY, ESK_EXT_NONE,
     "the server could not serialize this transaction with a concurrent "
     "one: redo the whole unit"},
    {"40P01", ESK_EBUSY, ESK_EXT_NONE,
     "the server broke a deadlock by ending this transaction: redo the "
     "whole unit"},
    {"57014", ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT,
     "the statement was cancelled (a statement timeout, or a cancel "
     "request): try again later"},
    {"53100", ESK_EIO, ESK_EXT_DISK_FULL,
     "the server's disk is full: free some space, then try again"},
    {"53200", ESK_ENOMEM, ESK_EXT_NONE, "the server is out of memory"},
    {"23505", ESK_EDUPLICATE, ESK_EXT_NONE, "a unique key is already stored"},
    {"25006", ESK_EREADONLY, ESK_EXT_NONE,
     "the session is read-only (a store opened read_only, a standby, or "
     "a read-only transaction): open the store without read_only, on the "
     "primary, to write"},
    {"42501", ESK_EREADONLY, ESK_EXT_NONE,
     "the role may not do this: grant it the rights on the store's schema"},
    {"25P02", ESK_EIO, ESK_EXT_NONE,
     "an earlier statement failed and the server ended the transaction: "
     "roll back and redo the whole unit"},
    {"XX001", ESK_ECORRUPT, ESK_EXT_NONE,
     "the server found damaged data: restore from a backup"},
    {"XX002", ESK_ECORRUPT, ESK_EXT_NONE,
     "the server found a damaged index: REINDEX it"},
    /* Classes. */
    {"08", ESK_EIO, ESK_EXT_NONE,
     "the connection to the server was lost: the store connects again at "
     "the next call"},
    {"57", ESK_EIO, ESK_EXT_NONE,
     "the server ended the session (it is shutting down, or an "
     "administrator terminated it): the store connects again at the next "
     "call"},
    {"42", ESK_ESCHEMA, ESK_EXT_NONE,
     "the tables do not match what this esk expects: was the schema "
     "changed by hand?"},
    {"22", ESK_EINVAL, ESK_EXT_NONE, "the server refused a value"},
    {"53", ESK_EIO, ESK_EXT_NONE, "the server ran out of a resource"},
};

static const failure_text *lookup(const char *sqlstate)
{
    if (sqlstate == NULL)
        return NULL;
    size_t n = sizeof failure_texts / sizeof failure_texts[0];
    for (size_t i = 0; i < n; i++)
        if (strcmp(failure_texts[i].sqlstate, sqlstate) == 0)
            return &failure_texts[i];
    for (size_t i = 0; i < n; i++)
        if (strlen(failure_texts[i].sqlstate) == 2 &&
            strncmp(failure_texts[i].sqlstate, sqlstate, 2) == 0)
            return &failure_texts[i];
    return NULL;
}

static const char *sqlstate_of(const PGresult *res)
{
    return res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
}

esk_status esk__pg_status(const PGresult *res)
{
    const failure_text *t = lookup(sqlstate_of(res));
    return t != NULL ? t->status : ESK_EIO;
}

bool esk__pg_sqlstate_is(const PGresult *res, const char *sqlstate)
{
    const char *state = sqlstate_of(res);
    return state != NULL && strcmp(state, sqlstate) == 0;
}

/* libpq's words without their final newline, into buf. */
static void server_words(const pg_store *s, const PGresult *res, char *buf,
                         size_t size)
{
    const char *words = NULL;
    if (res != NULL)
        words = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (words == NULL && res != NULL)
        words = PQresultErrorMessage(res);
    if ((words == NULL || words[0] == '\0') && s->conn != NULL)
        words = PQerrorMessage(s->conn);
    if (words == NULL || words[0] == '\0')
        words = res == NULL ? "out of memory" : "no message";
    snprintf(buf, size, "%s", words);
    size_t len = strlen(buf);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = '\0';
}

esk_status esk__pg_fail(const pg_store *s, const PGresult *res,
                        const char *doing_format, ...)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, doing_format);
    vsnprintf(doing, sizeof doing, doing_format, args);
    va_end(args);

    char words[ESK_ERROR_MESSAGE_MAX];
    server_words(s, res, words, sizeof words);
    const failure_text *t = lookup(sqlstate_of(res));
    if (t == NULL && s->conn != NULL && PQstatus(s->conn) == CONNECTION_BAD)
        t = lookup("08");
    if (t == NULL && res == NULL)
        return esk__fail(ESK_ENOMEM, "%s: out of memory", doing);
    if (t == NULL)
        return esk__fail(ESK_EIO, "%s: PostgreSQL failed: %s", doing, words);
    return esk__fail_ext(t->status, t->ext, "%s: %s (PostgreSQL: %s)", doing,
                         t->text, words);
}
