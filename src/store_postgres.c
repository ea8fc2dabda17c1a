/*
 * src/store_postgres.c - the PostgreSQL backend of the event store:
 * connecting, the backend table, closing.
 *
 * Every event is one row of one table in the store's own schema,
 * readable with psql:
 *
 *   psql "$conninfo" -c 'select * from esk.events order by position'
 *
 * Writers take turns on the schema's advisory lock, held by each
 * outermost transaction (store_postgres_tx.c says why), so positions are
 * gap-free and in commit order across processes and machines. Readers
 * take no lock.
 *
 * The backend's work is spread by concern over store_postgres_*.c: see
 * store_postgres_internal.h for which file holds what.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_internal.h"
#include "store_postgres_internal.h"

static void pg_close(void *impl)
{
    pg_store *s = impl;
    if (s == NULL)
        return;
    PQfinish(s->conn);
    esk__pg_arrays_free(&s->arrays);
    esk__free(s->conninfo);
    esk__free(s);
}

static const esk_store_backend postgres_backend = {
    .name = "postgres",
    .append = esk__pg_append,
    .read_stream = esk__pg_read_stream,
    .read_all = esk__pg_read_all,
    .stream_version = esk__pg_stream_version,
    .head_position = esk__pg_head_position,
    .begin = esk__pg_begin,
    .commit = esk__pg_commit,
    .rollback = esk__pg_rollback,
    .put_record = esk__pg_put_record,
    .get_record = esk__pg_get_record,
    .check_transaction = esk__pg_check_transaction,
    .close = pg_close,
    .read_query = esk__pg_read_query,
    .stream_closed = esk__pg_stream_closed,
    .wait_for = esk__pg_wait_for,
};

pg_store *esk__pg_store_of(esk_store *store)
{
    if (store == NULL || esk__store_backend(store) != &postgres_backend)
        return NULL;
    return esk_store_impl(store);
}

struct pg_conn *esk_store_postgres_conn(esk_store *store)
{
    pg_store *s = esk__pg_store_of(store);
    return s != NULL ? s->conn : NULL;
}

bool esk__pg_schema_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > PG_SCHEMA_NAME_MAX || isdigit((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!(islower((unsigned char)name[i]) ||
              isdigit((unsigned char)name[i]) || name[i] == '_'))
            return false;
    return true;
}

static esk_status check_options(const esk_postgres_options *options,
                                const char *schema)
{
    const esk_store_options *o = &options->store;
    if (options->version != ESK_POSTGRES_OPTIONS_VERSION)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_postgres: options version %d is "
                         "not one this build knows (%d)",
                         options->version, ESK_POSTGRES_OPTIONS_VERSION);
    if (o->version < 1 || o->version > ESK_STORE_OPTIONS_VERSION)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_postgres: store options version %d "
                         "is not one this build knows (1 to %d)",
                         o->version, ESK_STORE_OPTIONS_VERSION);
    if (o->durability != ESK_DURABILITY_NORMAL &&
        o->durability != ESK_DURABILITY_FULL)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_postgres: durability %d is "
                         "neither NORMAL nor FULL",
                         (int)o->durability);
    if (o->busy_timeout_ms < 0)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_postgres: busy_timeout_ms %d is "
                         "negative",
                         o->busy_timeout_ms);
    if (!esk__pg_schema_name_ok(schema))
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_postgres: schema name '%.80s' is "
                         "not 1 to 63 of a-z, 0-9 and '_' (not starting "
                         "with a digit)",
                         schema);
    return ESK_OK;
}

/* libpq prints the server's notices and warnings on stderr by default; a
 * library must not write to its user's stderr, and esk reports what
 * matters through statuses. */
static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Connect, refusing a conninfo libpq cannot parse before trying. */
static esk_status connect_server(pg_store *s)
{
    char *why = NULL;
    PQconninfoOption *parsed = PQconninfoParse(s->conninfo, &why);
    if (parsed == NULL) {
        esk_status status =
            why != NULL
                ? esk__fail(ESK_EINVAL,
                            "esk_store_open_postgres: the connection "
                            "string is not one libpq reads: %s",
                            why)
                : esk__fail(ESK_ENOMEM, "esk_store_open_postgres: out of "
                                        "memory");
        PQfreemem(why);
        return status;
    }
    PQconninfoFree(parsed);
    s->conn = esk__pg_connect(s->conninfo, NULL, NULL);
    if (s->conn == NULL)
        return esk__fail(ESK_ENOMEM, "connecting to PostgreSQL: out of "
                                     "memory");
    /* Kept by PQreset() when the store connects again. */
    PQsetNoticeProcessor(s->conn, drop_notice, NULL);
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char words[ESK_ERROR_MESSAGE_MAX];
        snprintf(words, sizeof words, "%s", PQerrorMessage(s->conn));
        size_t len = strlen(words);
        while (len > 0 && (words[len - 1] == '\n' || words[len - 1] == ' '))
            words[--len] = '\0';
        return esk__fail(ESK_EIO,
                         "connecting to PostgreSQL failed: check that the "
                         "server runs and the connection string (host, "
                         "port, user, database) is right: %s",
                         words);
    }
    return ESK_OK;
}

esk_status esk_store_open_postgres(esk_store **out, const char *conninfo,
                                   const esk_postgres_options *options)
{
    static const esk_postgres_options defaults = ESK_POSTGRES_OPTIONS_INIT;
    if (out == NULL || conninfo == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_open_postgres: %s is NULL",
                         out == NULL ? "out" : "conninfo");
    if (options == NULL)
        options = &defaults;
    const char *schema = options->schema != NULL ? options->schema : "esk";
    esk_status status = check_options(options, schema);
    if (status != ESK_OK)
        return status;

    pg_store *s = esk__calloc(1, sizeof *s);
    size_t len = strlen(conninfo) + 1;
    char *copy = esk__malloc(len);
    if (s == NULL || copy == NULL) {
        esk__free(s);
        esk__free(copy);
        return esk__fail(ESK_ENOMEM, "esk_store_open_postgres: out of memory");
    }
    memcpy(copy, conninfo, len);
    s->conninfo = copy;
    snprintf(s->schema, sizeof s->schema, "%s", schema);
    s->busy_timeout_ms = options->store.busy_timeout_ms;
    s->durability = options->store.durability;
    s->read_only = options->store.read_only;
    /* A reader's transaction writes nothing, so it need not take turns
     * with the writers. */
    if (s->read_only)
        snprintf(s->begin_sql, sizeof s->begin_sql, "BEGIN");
    else
        snprintf(s->begin_sql, sizeof s->begin_sql,
                 "BEGIN; SELECT pg_advisory_xact_lock(%d, hashtext('%s'))",
                 ESK__PG_LOCK_CLASS, s->schema);
    snprintf(s->notify_commit_sql, sizeof s->notify_commit_sql,
             "NOTIFY %s; COMMIT", s->schema);

    status = connect_server(s);
    if (status == ESK_OK)
        status = esk__pg_configure(s);
    if (status == ESK_OK)
        status = esk__pg_check_schema(s);
    if (status == ESK_OK)
        status = esk__pg_prepare(s);
    if (status != ESK_OK) {
        pg_close(s);
        return status;
    }
    esk_store *store = NULL;
    status = esk_store_new(&store, &postgres_backend, s, &options->store);
    if (status != ESK_OK)
        return esk__fail_within(status, "opening schema '%s'", schema);
    *out = store;
    return esk__ok();
}
