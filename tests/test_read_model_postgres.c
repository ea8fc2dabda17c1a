/*
 * tests/test_read_model_postgres.c - the query side on PostgreSQL
 * (esk/read_model_postgres.h): a projection's schema, and a handle whose
 * queries read that schema only, see what is committed, and leave
 * nothing behind.
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/error.h"
#include "esk/projection.h"
#include "esk/read_model_postgres.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

#define STORE_SCHEMA "esk_rmq"
#define SEATS_SCHEMA "esk_rmq_seats"

static void assert_message_contains(const char *part)
{
    if (strstr(esk_errmsg(), part) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", esk_errmsg(), part);
}

/* ---- A projection with a schema of its own ------------------------------
 */

static esk_status run_sql(esk_store *store, const char *sql, int n,
                          const char *const *params)
{
    PGconn *conn = esk_store_postgres_conn(store);
    PGresult *res =
        n == 0 ? PQexec(conn, sql)
               : PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    esk_status rc =
        PQresultStatus(res) == PGRES_COMMAND_OK
            ? ESK_OK
            : esk_error_set(ESK_EIO, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

static esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = esk_read_model_postgres_schema(store, SEATS_SCHEMA, false);
    return rc != ESK_OK ? rc
                        : run_sql(store,
                                  "CREATE TABLE IF NOT EXISTS " SEATS_SCHEMA
                                  ".seats(position bigint PRIMARY KEY, "
                                  "stream_id text NOT NULL)",
                                  0, NULL);
}

static esk_status seats_reset(void *ctx, esk_store *store)
{
    esk_status rc = esk_read_model_postgres_schema(store, SEATS_SCHEMA, true);
    return rc != ESK_OK ? rc : seats_setup(ctx, store);
}

static esk_status seats_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    char position[24];
    snprintf(position, sizeof position, "%lld", (long long)event->position);
    const char *params[2] = {position, event->stream_id};
    return run_sql(store,
                   "INSERT INTO " SEATS_SCHEMA ".seats(position, stream_id) "
                   "VALUES($1, $2)",
                   2, params);
}

static const esk_projection seats = {
    "seats", 1, NULL, 0, seats_handle, seats_setup, seats_reset, NULL};

/* A store in STORE_SCHEMA with `events` events, the seats projection
 * caught up with them, and a query handle on its schema. */
static esk_store *open_store(const char *store_conninfo, int events,
                             int busy_timeout_ms, esk_read_model_postgres **rm)
{
    pg_drop_schema(conninfo, SEATS_SCHEMA);
    pg_drop_schema(conninfo, STORE_SCHEMA);
    esk_store *store = pg_open(store_conninfo, STORE_SCHEMA, busy_timeout_ms);
    assert_non_null(store);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    for (int i = 0; i < events; i++)
        assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                         ESK_OK);
    esk_catchup *catchup = NULL;
    assert_int_equal(esk_catchup_new(&catchup, store, &seats, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(catchup, &st), ESK_OK);
    esk_catchup_free(catchup);
    assert_int_equal(
        esk_read_model_open_postgres(rm, store, SEATS_SCHEMA, NULL), ESK_OK);
    return store;
}

static esk_store *open_caught_up(int events, esk_read_model_postgres **rm)
{
    return open_store(conninfo, events, 5000, rm);
}

static void close_caught_up(esk_store *store, esk_read_model_postgres *rm)
{
    esk_read_model_postgres_free(rm);
    esk_store_free(store);
    pg_drop_schema(conninfo, SEATS_SCHEMA);
    pg_drop_schema(conninfo, STORE_SCHEMA);
}

/* The one number a query gives, -1 when it fails. */
static long long query_number(esk_read_model_postgres *rm, const char *sql)
{
    PGresult *res = NULL;
    if (esk_read_model_postgres_query(rm, sql, 0, NULL, &res) != ESK_OK)
        return -1;
    long long n = PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

/* ---- What a query sees --------------------------------------------------
 */

static void a_query_reads_the_committed_rows_of_its_schema(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(3, &rm);
    PGresult *res = NULL;
    assert_int_equal(esk_read_model_postgres_query(
                         rm, "SELECT position, stream_id FROM seats ORDER BY 1",
                         0, NULL, &res),
                     ESK_OK);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 3);
    assert_string_equal(PQgetvalue(res, 2, 0), "3");
    assert_string_equal(PQgetvalue(res, 2, 1), "s");
    PQclear(res);
    close_caught_up(store, rm);
}

static void a_query_does_not_see_the_stores_open_transaction(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(1, &rm);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(
        run_sql(store, "INSERT INTO " SEATS_SCHEMA ".seats VALUES (99, 'open')",
                0, NULL),
        ESK_OK);
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 1);
    assert_int_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

static void parameters_bind_as_text(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(3, &rm);
    const char *params[2] = {"2", "s"};
    PGresult *res = NULL;
    assert_int_equal(esk_read_model_postgres_query(
                         rm,
                         "SELECT position FROM seats WHERE position >= $1 "
                         "AND stream_id = $2 ORDER BY position",
                         2, params, &res),
                     ESK_OK);
    assert_int_equal(PQntuples(res), 2);
    assert_string_equal(PQgetvalue(res, 0, 0), "2");
    PQclear(res);

    /* A NULL parameter is SQL NULL; a quote in one is data. */
    const char *odd[1] = {NULL};
    res = NULL;
    assert_int_equal(esk_read_model_postgres_query(
                         rm, "SELECT $1::text IS NULL", 1, odd, &res),
                     ESK_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "t");
    PQclear(res);
    odd[0] = "it's";
    res = NULL;
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELECT $1::text", 1, odd, &res),
        ESK_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), "it's");
    PQclear(res);

    /* Too few is refused before anything runs. */
    res = NULL;
    assert_int_equal(esk_read_model_postgres_query(
                         rm, "SELECT $1::text, $2::text", 1, params, &res),
                     ESK_EINVAL);
    assert_null(res);
    assert_message_contains("takes 2 parameters, 1 given");
    close_caught_up(store, rm);
}

/* A query waits for a transaction that changes the read model's tables
 * as long as the store's writers wait, not for ever: one thread that
 * queries while its own store's transaction holds the lock would
 * otherwise wait for itself. */
static void a_query_waits_for_a_rebuild_no_longer_than_the_store(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_store(conninfo, 2, 100, &rm);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_read_model_postgres_schema(store, SEATS_SCHEMA, true),
                     ESK_OK);
    PGresult *res = NULL;
    assert_int_equal(esk_read_model_postgres_query(
                         rm, "SELECT count(*) FROM seats", 0, NULL, &res),
                     ESK_EBUSY);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    assert_message_contains("busy_timeout_ms");
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

/* ---- What a query may not do ---------------------------------------------
 */

static void assert_refused(esk_read_model_postgres *rm, const char *sql,
                           const char *why)
{
    PGresult *res = NULL;
    esk_status rc = esk_read_model_postgres_query(rm, sql, 0, NULL, &res);
    if (rc != ESK_EINVAL)
        fail_msg("\"%s\" gave %s, not ESK_EINVAL (%s)", sql, esk_status_str(rc),
                 esk_errmsg());
    assert_null(res);
    assert_message_contains(why);
}

static void statements_that_are_not_queries_are_refused(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    const char *const refused[] = {
        "INSERT INTO seats VALUES (7, 'x')",
        "UPDATE seats SET stream_id = 'x'",
        "DELETE FROM seats",
        /* (One string: the schema's name joined to the statement.) */
        ("SET search_path TO " STORE_SCHEMA),
        "CREATE TABLE more(x int)",
        "DROP TABLE seats",
        "BEGIN",
        "COMMIT",
        "SHOW search_path",
        "SELECT * INTO copy FROM seats",
        "DECLARE c CURSOR FOR SELECT * FROM seats",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_refused(rm, refused[i], "queries only read: ");
    assert_refused(rm, "SELECT 1; DELETE FROM seats", "multiple commands");
    /* An INSERT that returns rows is planned, and its plan writes. */
    assert_refused(rm, "INSERT INTO seats VALUES (8, 'x') RETURNING position",
                   "writes to table '" SEATS_SCHEMA ".seats'");
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

static void a_data_modifying_with_is_refused_before_it_runs(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    assert_refused(rm,
                   "WITH gone AS (DELETE FROM seats RETURNING position) "
                   "SELECT count(*) FROM gone",
                   "writes to table '" SEATS_SCHEMA ".seats'");
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

/* What no plan shows: a function of the read model's that writes. The
 * READ ONLY transaction refuses it. */
static void a_write_inside_a_function_is_refused_by_the_server(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    assert_int_equal(run_sql(store,
                             "CREATE FUNCTION " SEATS_SCHEMA
                             ".sneak() RETURNS int LANGUAGE plpgsql AS $$ "
                             "BEGIN INSERT INTO " SEATS_SCHEMA
                             ".seats VALUES (9, 'x'); RETURN 1; END $$",
                             0, NULL),
                     ESK_OK);
    assert_refused(rm, "SELECT sneak()", "queries only read: ");
    assert_message_contains("read-only transaction");
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

static void the_stores_tables_are_refused(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    /* Not on the search path: the server does not find it. */
    assert_refused(rm, "SELECT * FROM events", "does not exist");
    assert_refused(rm, "SELECT count(*) FROM " STORE_SCHEMA ".events",
                   "'" STORE_SCHEMA ".events', which belongs to the store");
    assert_refused(rm,
                   "SELECT position FROM seats WHERE position IN (SELECT "
                   "position FROM " STORE_SCHEMA ".checkpoints)",
                   "'" STORE_SCHEMA ".checkpoints', which belongs");
    /* A view a projection made over the events, and a SQL function the
     * server inlines, are expanded in the plan. */
    assert_int_equal(
        run_sql(store,
                "CREATE VIEW " SEATS_SCHEMA
                ".history AS SELECT * FROM " STORE_SCHEMA
                ".events; CREATE FUNCTION " SEATS_SCHEMA
                ".history_of(text) RETURNS SETOF " STORE_SCHEMA
                ".events LANGUAGE sql STABLE AS 'SELECT * FROM " STORE_SCHEMA
                ".events WHERE stream_id = $1'",
                0, NULL),
        ESK_OK);
    assert_refused(rm, "SELECT count(*) FROM history",
                   "'" STORE_SCHEMA ".events', which belongs to the store");
    assert_refused(rm, "SELECT count(*) FROM history_of('s')",
                   "'" STORE_SCHEMA ".events', which belongs to the store");
    close_caught_up(store, rm);
}

/* What a READ ONLY transaction still allows must not outlive the query. */
static void a_query_cannot_change_the_search_path_of_later_ones(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    assert_int_equal(
        query_number(rm,
                     "SELECT length(set_config('search_path', '" STORE_SCHEMA
                     "', false))"),
        (long long)strlen(STORE_SCHEMA));
    PGresult *res = NULL;
    assert_int_equal(
        esk_read_model_postgres_query(
            rm, "SELECT current_setting('search_path')", 0, NULL, &res),
        ESK_OK);
    assert_string_equal(PQgetvalue(res, 0, 0), SEATS_SCHEMA ", pg_catalog");
    PQclear(res);
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    close_caught_up(store, rm);
}

/* A session advisory lock on the store's key would stop every writer
 * until the handle is freed. */
static void a_lock_taken_by_a_query_is_released_with_it(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(1, &rm);
    assert_int_equal(query_number(rm, "SELECT 1 FROM pg_advisory_lock(1234)"),
                     1);
    PGconn *admin = pg_admin(conninfo);
    assert_int_equal(pg_admin_number(admin,
                                     "SELECT count(*) FROM pg_locks WHERE "
                                     "locktype = 'advisory' AND classid = 0 "
                                     "AND objid = 1234 AND objsubid = 1"),
                     0);
    PQfinish(admin);
    close_caught_up(store, rm);
}

static void
a_lost_connection_fails_one_query_and_the_next_connects(void **state)
{
    (void)state;
    /* The handle connects as the store does: with its application_name,
     * which no other test's connections have. */
    char victim[512];
    snprintf(victim, sizeof victim, "%s application_name=esk_rmq_victim",
             conninfo);
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_store(victim, 2, 5000, &rm);
    PGconn *admin = pg_admin(conninfo);
    assert_int_equal(pg_admin_number(admin,
                                     "SELECT count(pg_terminate_backend(pid)) "
                                     "FROM pg_stat_activity WHERE "
                                     "application_name = 'esk_rmq_victim'"),
                     2);
    PGresult *res = NULL;
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELECT 1", 0, NULL, &res), ESK_EIO);
    assert_null(res);
    assert_message_contains("connects again");
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 2);
    PQfinish(admin);
    close_caught_up(store, rm);
}

/* The server enforces what the plan cannot see when the handle's role has
 * no rights on the store's schema. */
static void a_role_of_its_own_keeps_functions_off_the_events(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(2, &rm);
    assert_int_equal(run_sql(store,
                             "CREATE FUNCTION " SEATS_SCHEMA
                             ".peek() RETURNS bigint LANGUAGE plpgsql AS $$ "
                             "BEGIN RETURN (SELECT count(*) FROM " STORE_SCHEMA
                             ".events); END $$",
                             0, NULL),
                     ESK_OK);
    /* As the store's role, the function reads what it likes. */
    assert_int_equal(query_number(rm, "SELECT peek()"), 2);
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin,
                  "DROP ROLE IF EXISTS esk_rmq_reader; CREATE ROLE "
                  "esk_rmq_reader LOGIN; GRANT USAGE ON SCHEMA " SEATS_SCHEMA
                  " TO esk_rmq_reader; GRANT SELECT ON ALL TABLES IN "
                  "SCHEMA " SEATS_SCHEMA " TO esk_rmq_reader");
    char as_reader[512];
    snprintf(as_reader, sizeof as_reader, "%s user=esk_rmq_reader", conninfo);
    esk_read_model_postgres *reader = NULL;
    assert_int_equal(
        esk_read_model_open_postgres(&reader, store, SEATS_SCHEMA, as_reader),
        ESK_OK);
    assert_int_equal(query_number(reader, "SELECT count(*) FROM seats"), 2);
    PGresult *res = NULL;
    assert_int_equal(
        esk_read_model_postgres_query(reader, "SELECT peek()", 0, NULL, &res),
        ESK_EREADONLY);
    assert_message_contains("permission denied");
    esk_read_model_postgres_free(reader);
    close_caught_up(store, rm);
    pg_admin_exec(admin, "DROP ROLE esk_rmq_reader");
    PQfinish(admin);
}

/* ---- What a query costs in round trips -----------------------------------
 */

/* A proxy on a loopback port in front of the server that holds each
 * message of the client's for DELAY_MS before passing it on: the server
 * as across a network, where a query costs its round trips times the
 * delay. It serves one connection. */
enum { DELAY_MS = 25, TIMED_QUERIES = 8 };

typedef struct proxy {
    int listen_fd;
    int port;
    PQconninfoOption *server; /* the server's host and port */
    pthread_t thread;
} proxy;

static const char *option(PQconninfoOption *options, const char *keyword,
                          const char *otherwise)
{
    for (PQconninfoOption *o = options; o->keyword != NULL; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val != NULL &&
            o->val[0] != '\0')
            return o->val;
    return otherwise;
}

static int connect_server_socket(PQconninfoOption *server)
{
    const char *host = option(server, "host", "/var/run/postgresql");
    const char *port = option(server, "port", "5432");
    if (host[0] == '/') {
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        snprintf(address.sun_path, sizeof address.sun_path, "%s/.s.PGSQL.%s",
                 host, port);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 &&
            connect(fd, (struct sockaddr *)&address, sizeof address) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *found = NULL;
    if (getaddrinfo(host, port, &hints, &found) != 0)
        return -1;
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

static bool write_all(int fd, const char *buf, ssize_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, buf, (size_t)n);
        if (done <= 0)
            return false;
        buf += done;
        n -= done;
    }
    return true;
}

static void *proxy_main(void *arg)
{
    proxy *p = arg;
    int client = accept(p->listen_fd, NULL, NULL);
    int server = client >= 0 ? connect_server_socket(p->server) : -1;
    struct pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    static char buf[1 << 16];
    while (client >= 0 && server >= 0 && poll(fds, 2, -1) > 0) {
        if (fds[0].revents != 0) {
            ssize_t n = read(client, buf, sizeof buf);
            struct timespec delay = {0, DELAY_MS * 1000000L};
            nanosleep(&delay, NULL);
            if (n <= 0 || !write_all(server, buf, n))
                break;
        }
        if (fds[1].revents != 0) {
            ssize_t n = read(server, buf, sizeof buf);
            if (n <= 0 || !write_all(client, buf, n))
                break;
        }
    }
    if (client >= 0)
        close(client);
    if (server >= 0)
        close(server);
    return NULL;
}

static void proxy_start(proxy *p)
{
    char *why = NULL;
    p->server = PQconninfoParse(conninfo, &why);
    assert_non_null(p->server);
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(
        bind(p->listen_fd, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(p->listen_fd, 1), 0);
    socklen_t size = sizeof address;
    assert_int_equal(
        getsockname(p->listen_fd, (struct sockaddr *)&address, &size), 0);
    p->port = ntohs(address.sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, proxy_main, p), 0);
}

static void proxy_stop(proxy *p)
{
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    PQconninfoFree(p->server);
}

static double ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Each check of a query (prepared, described, planned) and its run each
 * took a round trip of their own; now the checks go in one, the run and
 * the cleanup in another. */
static void a_query_costs_two_round_trips(void **state)
{
    (void)state;
#ifndef LIBPQ_HAS_PIPELINING
    skip(); /* before libpq 14, one round trip a step */
#else
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(3, &rm);
    proxy p;
    proxy_start(&p);
    char far[1024];
    snprintf(far, sizeof far, "%s host=127.0.0.1 port=%d", conninfo, p.port);
    esk_read_model_postgres *remote = NULL;
    assert_int_equal(
        esk_read_model_open_postgres(&remote, store, SEATS_SCHEMA, far),
        ESK_OK);
    const char *params[1] = {"2"};
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < TIMED_QUERIES; i++) {
        PGresult *res = NULL;
        assert_int_equal(
            esk_read_model_postgres_query(remote,
                                          "SELECT stream_id FROM seats WHERE "
                                          "position = $1",
                                          1, params, &res),
            ESK_OK);
        assert_int_equal(PQntuples(res), 1);
        PQclear(res);
    }
    double per_query = ms_since(&start) / TIMED_QUERIES;
    print_message("    %.1f ms a query, %d ms a round trip\n", per_query,
                  DELAY_MS);
    if (per_query >= 3.0 * DELAY_MS)
        fail_msg("a query took %.1f ms where a round trip costs %d ms: more "
                 "than two round trips",
                 per_query, DELAY_MS);
    esk_read_model_postgres_free(remote);
    proxy_stop(&p);
    close_caught_up(store, rm);
#endif
}

/* ---- The schema helper, and bad arguments --------------------------------
 */

static void a_rebuild_starts_from_an_empty_schema(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(3, &rm);
    assert_int_equal(run_sql(store,
                             "CREATE TABLE " SEATS_SCHEMA ".leftover(x int)", 0,
                             NULL),
                     ESK_OK);
    esk_catchup *catchup = NULL;
    assert_int_equal(esk_catchup_new(&catchup, store, &seats, NULL), ESK_OK);
    assert_int_equal(esk_catchup_rebuild(catchup, NULL), ESK_OK);
    esk_catchup_free(catchup);
    assert_int_equal(query_number(rm, "SELECT count(*) FROM seats"), 3);
    assert_refused(rm, "SELECT count(*) FROM leftover", "does not exist");
    close_caught_up(store, rm);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    esk_read_model_postgres *rm = NULL;
    esk_store *store = open_caught_up(1, &rm);
    esk_read_model_postgres *other = NULL;
    assert_int_equal(
        esk_read_model_open_postgres(NULL, store, SEATS_SCHEMA, NULL),
        ESK_EINVAL);
    assert_int_equal(
        esk_read_model_open_postgres(&other, NULL, SEATS_SCHEMA, NULL),
        ESK_EINVAL);
    assert_int_equal(esk_read_model_open_postgres(&other, store, NULL, NULL),
                     ESK_EINVAL);
    const char *bad[] = {"", "Seats", "a-b", "1x", STORE_SCHEMA};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(
            esk_read_model_open_postgres(&other, store, bad[i], NULL),
            ESK_EINVAL);
        assert_int_equal(esk_read_model_postgres_schema(store, bad[i], true),
                         ESK_EINVAL);
    }
    assert_message_contains("the store's own schema");
    assert_int_equal(esk_read_model_open_postgres(&other, store, SEATS_SCHEMA,
                                                  "this is = not = conninfo"),
                     ESK_EINVAL);
    assert_int_equal(
        esk_read_model_open_postgres(&other, store, SEATS_SCHEMA,
                                     "host=/nonexistent-esk-folder user=esk"),
        ESK_EIO);
    assert_null(other);

    esk_store *memory = NULL;
    assert_int_equal(esk_store_open_memory(&memory, NULL), ESK_OK);
    assert_int_equal(
        esk_read_model_open_postgres(&other, memory, SEATS_SCHEMA, NULL),
        ESK_EINVAL);
    assert_message_contains("not PostgreSQL");
    assert_int_equal(
        esk_read_model_postgres_schema(memory, SEATS_SCHEMA, false),
        ESK_EINVAL);
    assert_int_equal(esk_read_model_postgres_schema(NULL, SEATS_SCHEMA, false),
                     ESK_EINVAL);
    assert_int_equal(esk_read_model_postgres_schema(store, NULL, false),
                     ESK_EINVAL);
    esk_store_free(memory);

    PGresult *res = NULL;
    const char *one[1] = {"1"};
    assert_int_equal(
        esk_read_model_postgres_query(NULL, "SELECT 1", 0, NULL, &res),
        ESK_EINVAL);
    assert_int_equal(esk_read_model_postgres_query(rm, NULL, 0, NULL, &res),
                     ESK_EINVAL);
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELECT 1", 0, NULL, NULL),
        ESK_EINVAL);
    assert_int_equal(esk_read_model_postgres_query(rm, "", 0, NULL, &res),
                     ESK_EINVAL);
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELECT 1", -1, one, &res),
        ESK_EINVAL);
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELECT $1::int", 1, NULL, &res),
        ESK_EINVAL);
    assert_int_equal(
        esk_read_model_postgres_query(rm, "SELEC 1", 0, NULL, &res),
        ESK_EINVAL);
    assert_message_contains("syntax error");
    assert_null(res);
    esk_read_model_postgres_free(NULL);
    close_caught_up(store, rm);
}

int main(void)
{
    conninfo = pg_conninfo("test_read_model_postgres");
    if (conninfo == NULL)
        return PG_SKIP;
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_query_reads_the_committed_rows_of_its_schema),
        cmocka_unit_test(a_query_does_not_see_the_stores_open_transaction),
        cmocka_unit_test(parameters_bind_as_text),
        cmocka_unit_test(a_query_waits_for_a_rebuild_no_longer_than_the_store),
        cmocka_unit_test(statements_that_are_not_queries_are_refused),
        cmocka_unit_test(a_data_modifying_with_is_refused_before_it_runs),
        cmocka_unit_test(a_write_inside_a_function_is_refused_by_the_server),
        cmocka_unit_test(the_stores_tables_are_refused),
        cmocka_unit_test(a_query_cannot_change_the_search_path_of_later_ones),
        cmocka_unit_test(a_lock_taken_by_a_query_is_released_with_it),
        cmocka_unit_test(
            a_lost_connection_fails_one_query_and_the_next_connects),
        cmocka_unit_test(a_role_of_its_own_keeps_functions_off_the_events),
        cmocka_unit_test(a_rebuild_starts_from_an_empty_schema),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(a_query_costs_two_round_trips),
    };
    return cmocka_run_group_tests_name("postgres read model", tests, NULL,
                                       NULL);
}
