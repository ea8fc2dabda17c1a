/*
 * src/read_model_postgres.c - the query side on PostgreSQL: queries that
 * may read one read model's schema and nothing else.
 *
 * Every guard asks the server rather than reading the SQL text, which
 * clever SQL can fool: the server parses the query (one statement, or it
 * refuses to prepare it), describes it (rows, or it is no query), plans it
 * (the plan names every relation read, views and SQL functions expanded,
 * and every table written), and runs it in a READ ONLY transaction (which
 * refuses writes where the plan cannot see them, in functions). Each
 * query has a transaction of its own, begun with its search_path and
 * rolled back once its rows are in: what a query may still do in a READ
 * ONLY transaction does not outlive it (the rollback undoes set_config;
 * a session advisory lock, which would stop the store's writers, is let
 * go after it).
 *
 * The handle has a connection of its own, so its queries see what is
 * committed and never run inside the store's transaction.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "esk/read_model_postgres.h"
#include "store_postgres_internal.h"

/* The one statement the handle prepares, deallocated after each query. */
#define QUERY_NAME "esk_read_model_query"

struct esk_read_model_postgres {
    PGconn *conn;
    /* Whether the session may hold something of the last query (its
     * cleanup failed): it is then dropped, and the next query connects
     * again. */
    bool tainted;
    /* Whether the last query's transaction is over and its session state
     * gone (the pipelined run cleans up behind the query itself). */
    bool done;
    char store_schema[PG_SCHEMA_NAME_MAX + 1];
    /* A query's transaction is begun by these three. */
    char set_path_sql[PG_SCHEMA_NAME_MAX + 64];
    char set_lock_timeout_sql[48];
};

static const char begin_read_only[] =
    "BEGIN ISOLATION LEVEL READ COMMITTED, READ ONLY";

/* What is wrong with schema as a read model's schema of s, or NULL. */
static const char *schema_problem(const pg_store *s, const char *schema)
{
    if (!esk__pg_schema_name_ok(schema))
        return "is not 1 to 63 of a-z, 0-9 and '_' (not starting with a "
               "digit)";
    if (strcmp(schema, s->schema) == 0)
        return "is the store's own schema: give the read model a schema of "
               "its own";
    return NULL;
}

esk_status esk_read_model_postgres_schema(esk_store *store, const char *schema,
                                          bool drop_first)
{
    if (store == NULL || schema == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_postgres_schema: %s is "
                         "NULL",
                         store == NULL ? "the store" : "schema");
    pg_store *s = esk__pg_store_of(store);
    if (s == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_postgres_schema: the store is "
                         "'%s', not PostgreSQL",
                         esk_store_backend_name(store));
    const char *problem = schema_problem(s, schema);
    if (problem != NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_postgres_schema: schema '%.80s' %s",
                         schema, problem);
    char sql[256];
    if (drop_first)
        snprintf(sql, sizeof sql,
                 "DROP SCHEMA IF EXISTS \"%s\" CASCADE; CREATE SCHEMA \"%s\"",
                 schema, schema);
    else
        snprintf(sql, sizeof sql, "CREATE SCHEMA IF NOT EXISTS \"%s\"", schema);
    PGresult *res = PQexec(s->conn, sql);
    esk_status status = ESK_OK;
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "%s the read model's schema '%s'",
                              drop_first ? "emptying" : "creating", schema);
    PQclear(res);
    return status == ESK_OK ? esk__ok() : status;
}

/* libpq would print the server's notices on the user's stderr. */
static void drop_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* libpq's words for the connection, without the final newline. */
static void conn_words(PGconn *conn, char *buf, size_t size)
{
    snprintf(buf, size, "%s",
             conn != NULL ? PQerrorMessage(conn) : "out of memory");
    size_t len = strlen(buf);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = '\0';
}

static esk_status connect_server(esk_read_model_postgres *rm,
                                 const char *conninfo)
{
    char *why = NULL;
    PQconninfoOption *parsed = PQconninfoParse(conninfo, &why);
    if (parsed == NULL) {
        esk_status status =
            why != NULL ? esk__fail(ESK_EINVAL,
                                    "esk_read_model_open_postgres: the "
                                    "connection string is not one libpq "
                                    "reads: %s",
                                    why)
                        : esk__fail(ESK_ENOMEM, "esk_read_model_open_postgres: "
                                                "out of memory");
        PQfreemem(why);
        return status;
    }
    PQconninfoFree(parsed);
    /* What the handle needs, on top of the conninfo. */
    const char *const keys[] = {"client_encoding", "fallback_application_name",
                                NULL};
    const char *const values[] = {"UTF8", "esk_read_model", NULL};
    rm->conn = esk__pg_connect(conninfo, keys, values);
    if (rm->conn == NULL)
        return esk__fail(ESK_ENOMEM, "connecting the read model to "
                                     "PostgreSQL: out of memory");
    PQsetNoticeProcessor(rm->conn, drop_notice, NULL);
    if (PQstatus(rm->conn) != CONNECTION_OK) {
        char words[ESK_ERROR_MESSAGE_MAX];
        conn_words(rm->conn, words, sizeof words);
        return esk__fail(ESK_EIO,
                         "connecting the read model to PostgreSQL failed: "
                         "check that the server runs and the connection "
                         "string is right: %s",
                         words);
    }
    return ESK_OK;
}

esk_status esk_read_model_open_postgres(esk_read_model_postgres **out,
                                        esk_store *store, const char *schema,
                                        const char *conninfo)
{
    if (out == NULL || store == NULL || schema == NULL)
        return esk__fail(ESK_EINVAL, "esk_read_model_open_postgres: %s is NULL",
                         out == NULL     ? "out"
                         : store == NULL ? "the store"
                                         : "schema");
    pg_store *s = esk__pg_store_of(store);
    if (s == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_open_postgres: the store is '%s', "
                         "not PostgreSQL (SQLite's read model is "
                         "esk_read_model_open)",
                         esk_store_backend_name(store));
    const char *problem = schema_problem(s, schema);
    if (problem != NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_open_postgres: schema '%.80s' %s",
                         schema, problem);
    esk_read_model_postgres *rm = esk__calloc(1, sizeof *rm);
    if (rm == NULL)
        return esk__fail(ESK_ENOMEM, "esk_read_model_open_postgres: out of "
                                     "memory");
    snprintf(rm->store_schema, sizeof rm->store_schema, "%s", s->schema);
    /* A query waits for a lock (a rebuild's DROP SCHEMA, say) as long as
     * the store's writers do; 0 is PostgreSQL's "for ever", hence 1 ms,
     * as on the store's connection. */
    snprintf(rm->set_path_sql, sizeof rm->set_path_sql,
             "SET LOCAL search_path TO \"%s\", pg_catalog", schema);
    snprintf(rm->set_lock_timeout_sql, sizeof rm->set_lock_timeout_sql,
             "SET LOCAL lock_timeout TO %d",
             s->busy_timeout_ms > 0 ? s->busy_timeout_ms : 1);
    esk_status status =
        connect_server(rm, conninfo != NULL ? conninfo : s->conninfo);
    if (status != ESK_OK) {
        esk_read_model_postgres_free(rm);
        return status;
    }
    *out = rm;
    return esk__ok();
}

void esk_read_model_postgres_free(esk_read_model_postgres *read_model)
{
    if (read_model == NULL)
        return;
    PQfinish(read_model->conn);
    esk__free(read_model);
}

/* --- one query ----------------------------------------------------------
 */

static bool connection_lost(const esk_read_model_postgres *rm,
                            const PGresult *res)
{
    const char *state =
        res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    /* 08P01, a protocol violation, leaves the connection good. */
    return PQstatus(rm->conn) != CONNECTION_OK ||
           (state != NULL &&
            ((strncmp(state, "08", 2) == 0 && strcmp(state, "08P01") != 0) ||
             strncmp(state, "57P", 3) == 0));
}

/* A failed step of a query in the user's terms, the server's words
 * last. */
static esk_status query_fail(esk_read_model_postgres *rm, const PGresult *res,
                             const char *sql)
{
    char words[ESK_ERROR_MESSAGE_MAX];
    const char *primary =
        res != NULL ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary != NULL)
        snprintf(words, sizeof words, "%s", primary);
    else
        conn_words(rm->conn, words, sizeof words);
    if (res == NULL && PQstatus(rm->conn) == CONNECTION_OK)
        return esk__fail(ESK_ENOMEM, "query \"%.80s\": out of memory", sql);
    if (connection_lost(rm, res))
        return esk__fail(ESK_EIO,
                         "query \"%.80s\": the connection to the server was "
                         "lost; the read model connects again at the next "
                         "query (PostgreSQL: %s)",
                         sql, words);
    if (esk__pg_sqlstate_is(res, "25006"))
        return esk__fail(ESK_EINVAL,
                         "queries only read: \"%.80s\" tried to write "
                         "(PostgreSQL: %s); change the read model in a "
                         "projection",
                         sql, words);
    if (esk__pg_sqlstate_is(res, "55P03"))
        return esk__fail_ext(ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT,
                             "query \"%.80s\" waited past the store's "
                             "busy_timeout_ms for a lock on the read model "
                             "(a transaction changing its tables, such as "
                             "a rebuild, holds it): try again later "
                             "(PostgreSQL: %s)",
                             sql, words);
    if (esk__pg_sqlstate_is(res, "42501"))
        return esk__fail(ESK_EREADONLY,
                         "query \"%.80s\": the read model's role may not do "
                         "this (PostgreSQL: %s)",
                         sql, words);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    bool bad_sql = state != NULL && (strncmp(state, "42", 2) == 0 ||
                                     strncmp(state, "22", 2) == 0 ||
                                     strncmp(state, "08P01", 5) == 0);
    return esk__fail(bad_sql ? ESK_EINVAL : esk__pg_status(res),
                     "query \"%.80s\": PostgreSQL: %s", sql, words);
}

/* The connection, good again after a loss or a failed cleanup. */
static esk_status reconnect_if_needed(esk_read_model_postgres *rm,
                                      const char *sql)
{
    if (PQstatus(rm->conn) == CONNECTION_OK && !rm->tainted)
        return ESK_OK;
    PQreset(rm->conn);
    if (PQstatus(rm->conn) != CONNECTION_OK) {
        char words[ESK_ERROR_MESSAGE_MAX];
        conn_words(rm->conn, words, sizeof words);
        return esk__fail(ESK_EIO,
                         "query \"%.80s\": the read model's connection was "
                         "lost, and connecting again failed: %s",
                         sql, words);
    }
    rm->tainted = false;
    return ESK_OK;
}

/* End the query's transaction and forget what of it outlives a
 * rollback, in one round trip: the rollback undoes what it set
 * (set_config is transactional), and a session advisory lock, the one
 * thing a query in a READ ONLY transaction can keep, is let go. A cleanup
 * that fails leaves the session to be dropped before the next query. */
static void clean_up(esk_read_model_postgres *rm)
{
    PGresult *res = PQexec(rm->conn, "ROLLBACK; DEALLOCATE ALL; "
                                     "SELECT pg_advisory_unlock_all()");
    rm->tainted = !esk__pg_ok(res);
    PQclear(res);
}

/* Whether the described statement (res, the description) is a query: it
 * returns rows, and takes the parameters given. */
static esk_status check_description(esk_read_model_postgres *rm,
                                    const PGresult *res, const char *sql, int n)
{
    if (!esk__pg_ok(res))
        return query_fail(rm, res, sql);
    if (PQnfields(res) == 0)
        return esk__fail(ESK_EINVAL,
                         "queries only read: \"%.80s\" is no query (it "
                         "returns no rows); change the read model in a "
                         "projection",
                         sql);
    if (PQnparams(res) != n)
        return esk__fail(ESK_EINVAL,
                         "query \"%.80s\" takes %d parameters, %d given", sql,
                         PQnparams(res), n);
    return ESK_OK;
}

/* "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE <query>(<params as literals>)",
 * in memory the caller frees; NULL when out of memory. */
static char *explain_sql(PGconn *conn, int n, const char *const *params)
{
    static const char head[] =
        "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " QUERY_NAME;
    size_t size = sizeof head + 2;
    char **literals = esk__calloc((size_t)n + 1, sizeof *literals);
    bool ok = literals != NULL;
    for (int i = 0; ok && i < n; i++) {
        literals[i] = params[i] != NULL
                          ? PQescapeLiteral(conn, params[i], strlen(params[i]))
                          : NULL;
        ok = params[i] == NULL || literals[i] != NULL;
        size += (literals[i] != NULL ? strlen(literals[i]) : 4) + 2;
    }
    char *sql = ok ? esk__malloc(size) : NULL;
    if (sql != NULL) {
        size_t len = (size_t)snprintf(sql, size, "%s", head);
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(sql + len, size - len, "%s%s",
                                    i == 0 ? "(" : ", ",
                                    literals[i] != NULL ? literals[i] : "NULL");
        if (n > 0)
            snprintf(sql + len, size - len, ")");
    }
    for (int i = 0; literals != NULL && i < n; i++)
        PQfreemem(literals[i]);
    esk__free(literals);
    return sql;
}

static const char *field(const json_t *node, const char *key)
{
    const char *text = json_string_value(json_object_get(node, key));
    return text != NULL ? text : "?";
}

/* Refuse a plan node, or one below it, that writes or reads the store's
 * schema. */
static esk_status check_node(const esk_read_model_postgres *rm,
                             const json_t *node, const char *sql)
{
    const char *schema = json_string_value(json_object_get(node, "Schema"));
    const char *name = json_string_value(json_object_get(node, "Relation "
                                                               "Name"));
    if (name == NULL)
        name = field(node, "Function Name");
    if (strcmp(field(node, "Node Type"), "ModifyTable") == 0)
        return esk__fail(ESK_EINVAL,
                         "queries only read: \"%.80s\" writes to table "
                         "'%s.%s'; change the read model in a projection's "
                         "handler",
                         sql, schema != NULL ? schema : "?", name);
    if (schema != NULL && strcmp(schema, rm->store_schema) == 0)
        return esk__fail(ESK_EINVAL,
                         "queries read the read model only: \"%.80s\" reads "
                         "'%s.%s', which belongs to the store",
                         sql, schema, name);
    const json_t *plans = json_object_get(node, "Plans");
    for (size_t i = 0; i < json_array_size(plans); i++) {
        esk_status status = check_node(rm, json_array_get(plans, i), sql);
        if (status != ESK_OK)
            return status;
    }
    return ESK_OK;
}

/* The EXPLAIN of the prepared query, or the failure to make it. */
static esk_status plan_sql(esk_read_model_postgres *rm, const char *sql, int n,
                           const char *const *params, char **out)
{
    *out = explain_sql(rm->conn, n, params);
    if (*out != NULL)
        return ESK_OK;
    char words[ESK_ERROR_MESSAGE_MAX];
    conn_words(rm->conn, words, sizeof words);
    return esk__fail(ESK_EINVAL,
                     "query \"%.80s\": its parameters could not be "
                     "quoted for the plan: %s",
                     sql, words[0] != '\0' ? words : "out of memory");
}

/* Refuse what the server's plan (res, the EXPLAIN's answer) shows. */
static esk_status check_plan(esk_read_model_postgres *rm, const PGresult *res,
                             const char *sql)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return query_fail(rm, res, sql);
    json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    if (doc == NULL)
        return esk__fail(ESK_ENOMEM,
                         "query \"%.80s\": out of memory reading "
                         "its plan",
                         sql);
    /* A utility statement (SHOW, say) has no plan: it is no query. */
    const json_t *plan = json_object_get(json_array_get(doc, 0), "Plan");
    esk_status status =
        plan == NULL ? esk__fail(ESK_EINVAL,
                                 "queries only read: \"%.80s\" is no query "
                                 "the server plans; change the read model "
                                 "in a projection",
                                 sql)
                     : check_node(rm, plan, sql);
    json_decref(doc);
    return status;
}

/* The rows of the query's run (res), kept in *out, or its failure. */
static esk_status take_rows(esk_read_model_postgres *rm, PGresult *res,
                            const char *sql, PGresult **out)
{
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        *out = res;
        return ESK_OK;
    }
    /* A failure, or (never after the checks) no rows. */
    esk_status status = PQresultStatus(res) == PGRES_COMMAND_OK
                            ? esk__fail(ESK_EINVAL,
                                        "queries only read: \"%.80s\" is no "
                                        "query; change the read model in a "
                                        "projection",
                                        sql)
                            : query_fail(rm, res, sql);
    PQclear(res);
    return status;
}

#ifdef LIBPQ_HAS_PIPELINING
/*
 * Two round trips, with libpq's pipeline mode: the transaction, the
 * prepare, the description and the plan go together; the query runs, if
 * the checks let it, with the rollback and the cleanup behind it. A
 * failed command makes the server skip the rest up to the batch's end;
 * the sequential clean_up() then ends the transaction.
 */

/* The next command's result (NULL when the connection fails), and the
 * NULL that ends it. */
static PGresult *next_result(PGconn *conn)
{
    PGresult *res = PQgetResult(conn);
    if (res != NULL && PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
        PGresult *end;
        while ((end = PQgetResult(conn)) != NULL)
            PQclear(end);
    }
    return res;
}

/* Read up to the batch's end (its sync), and leave pipeline mode: false
 * when the connection failed on the way. Each command's results end with
 * a NULL; a connection that fails gives nothing more. */
static bool end_batch(PGconn *conn)
{
    for (;;) {
        PGresult *res = PQgetResult(conn);
        if (res == NULL) {
            if (PQstatus(conn) != CONNECTION_OK)
                break;
            continue;
        }
        bool synced = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (synced)
            break;
    }
    return PQstatus(conn) == CONNECTION_OK && PQexitPipelineMode(conn) == 1;
}

/* Whether the batch went out whole, its sync behind it. */
static bool sent(PGconn *conn, bool all_sent)
{
    return all_sent && PQpipelineSync(conn) == 1;
}

static esk_status run_query(esk_read_model_postgres *rm, const char *sql, int n,
                            const char *const *params, PGresult **out)
{
    char *explain = NULL;
    esk_status status = plan_sql(rm, sql, n, params, &explain);
    if (status != ESK_OK)
        return status;
    PGconn *conn = rm->conn;
    bool ok =
        PQenterPipelineMode(conn) == 1 &&
        PQsendQueryParams(conn, begin_read_only, 0, NULL, NULL, NULL, NULL,
                          0) == 1 &&
        PQsendQueryParams(conn, rm->set_path_sql, 0, NULL, NULL, NULL, NULL,
                          0) == 1 &&
        PQsendQueryParams(conn, rm->set_lock_timeout_sql, 0, NULL, NULL, NULL,
                          NULL, 0) == 1 &&
        PQsendPrepare(conn, QUERY_NAME, sql, 0, NULL) == 1 &&
        PQsendDescribePrepared(conn, QUERY_NAME) == 1 &&
        PQsendQueryParams(conn, explain, 0, NULL, NULL, NULL, NULL, 0) == 1;
    esk__free(explain);
    if (!sent(conn, ok)) {
        status = query_fail(rm, NULL, sql);
        end_batch(conn);
        return status;
    }
    /* The first failure is the answer: the server skipped the rest. */
    for (int step = 0; step < 6; step++) {
        PGresult *res = next_result(conn);
        if (status == ESK_OK) {
            if (step < 4)
                status = esk__pg_ok(res) ? ESK_OK : query_fail(rm, res, sql);
            else if (step == 4)
                status = check_description(rm, res, sql, n);
            else
                status = check_plan(rm, res, sql);
        }
        PQclear(res);
    }
    if (!end_batch(conn) && status == ESK_OK)
        status = query_fail(rm, NULL, sql);
    if (status != ESK_OK)
        return status;

    ok = PQenterPipelineMode(conn) == 1 &&
         PQsendQueryPrepared(conn, QUERY_NAME, n, params, NULL, NULL, 0) == 1 &&
         PQsendQueryParams(conn, "ROLLBACK", 0, NULL, NULL, NULL, NULL, 0) ==
             1 &&
         PQsendQueryParams(conn, "DEALLOCATE " QUERY_NAME, 0, NULL, NULL, NULL,
                           NULL, 0) == 1 &&
         PQsendQueryParams(conn, "SELECT pg_advisory_unlock_all()", 0, NULL,
                           NULL, NULL, NULL, 0) == 1;
    if (!sent(conn, ok)) {
        status = query_fail(rm, NULL, sql);
        end_batch(conn);
        return status;
    }
    status = take_rows(rm, next_result(conn), sql, out);
    bool cleaned = true;
    for (int step = 0; step < 3; step++) {
        PGresult *res = next_result(conn);
        cleaned = cleaned && esk__pg_ok(res);
        PQclear(res);
    }
    cleaned = end_batch(conn) && cleaned;
    rm->done = cleaned && status == ESK_OK;
    return status;
}
#else
/* Run a command of the handle's own; on failure, report it for sql. */
static esk_status run_own(esk_read_model_postgres *rm, const char *command,
                          const char *sql)
{
    PGresult *res = PQexec(rm->conn, command);
    esk_status status = esk__pg_ok(res) ? ESK_OK : query_fail(rm, res, sql);
    PQclear(res);
    return status;
}

/* One round trip a step, where libpq has no pipeline mode (before 14). */
static esk_status run_query(esk_read_model_postgres *rm, const char *sql, int n,
                            const char *const *params, PGresult **out)
{
    char begin[sizeof begin_read_only + sizeof rm->set_path_sql +
               sizeof rm->set_lock_timeout_sql + 4];
    snprintf(begin, sizeof begin, "%s; %s; %s", begin_read_only,
             rm->set_path_sql, rm->set_lock_timeout_sql);
    esk_status status = run_own(rm, begin, sql);
    PGresult *res = NULL;
    if (status == ESK_OK) {
        res = PQprepare(rm->conn, QUERY_NAME, sql, 0, NULL);
        status = esk__pg_ok(res) ? ESK_OK : query_fail(rm, res, sql);
        PQclear(res);
    }
    if (status == ESK_OK) {
        res = PQdescribePrepared(rm->conn, QUERY_NAME);
        status = check_description(rm, res, sql, n);
        PQclear(res);
    }
    char *explain = NULL;
    if (status == ESK_OK)
        status = plan_sql(rm, sql, n, params, &explain);
    if (status == ESK_OK) {
        res = PQexec(rm->conn, explain);
        status = check_plan(rm, res, sql);
        PQclear(res);
    }
    esk__free(explain);
    if (status == ESK_OK)
        status = take_rows(
            rm, PQexecPrepared(rm->conn, QUERY_NAME, n, params, NULL, NULL, 0),
            sql, out);
    return status;
}
#endif

esk_status esk_read_model_postgres_query(esk_read_model_postgres *read_model,
                                         const char *sql, int n,
                                         const char *const *params,
                                         struct pg_result **out)
{
    if (read_model == NULL || sql == NULL || out == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_postgres_query: %s is "
                         "NULL",
                         read_model == NULL ? "read_model"
                         : sql == NULL      ? "sql"
                                            : "out");
    if (sql[0] == '\0')
        return esk__fail(ESK_EINVAL, "esk_read_model_postgres_query: the "
                                     "query is empty");
    if (n < 0 || (n > 0 && params == NULL))
        return esk__fail(ESK_EINVAL,
                         "esk_read_model_postgres_query: %d parameters, "
                         "params %s",
                         n, params == NULL ? "NULL" : "given");
    esk_status status = reconnect_if_needed(read_model, sql);
    if (status != ESK_OK)
        return status;
    PGresult *res = NULL;
    read_model->done = false;
    status = run_query(read_model, sql, n, params, &res);
    /* The query's own batch ended the transaction when all went well. */
    if (!read_model->done)
        clean_up(read_model);
    if (status != ESK_OK)
        return status;
    *out = res;
    return esk__ok();
}
