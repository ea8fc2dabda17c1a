/*
 * tests/test_postgres_faults.c - what the PostgreSQL server can answer
 * besides success, and what the store makes of it: every SQLSTATE the
 * store maps, a real deadlock, and the session settings a connection
 * string cannot override.
 *
 * The server's answers are made on demand by a trigger on the events
 * table that raises the SQLSTATE written in a one-row table: the store
 * then receives exactly what a full disk, a serialization failure or a
 * damaged page would send it, on its own INSERT.
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/error.h"
#include "esk/record.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

static void assert_message_contains(const char *part)
{
    if (strstr(esk_errmsg(), part) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", esk_errmsg(), part);
}

/* One row of the store's SQLSTATE table, as the user sees it. */
typedef struct mapped {
    const char *sqlstate;
    esk_status status;
    esk_ext ext;
    const char *advice; /* a part of the store's advice in the message */
} mapped;

static const mapped mappings[] = {
    {"40001", ESK_EBUSY, ESK_EXT_NONE, "redo the whole unit"},
    {"40P01", ESK_EBUSY, ESK_EXT_NONE, "deadlock"},
    {"55P03", ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT, "busy_timeout_ms"},
    {"57014", ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT, "cancelled"},
    {"53100", ESK_EIO, ESK_EXT_DISK_FULL, "disk is full"},
    {"53200", ESK_ENOMEM, ESK_EXT_NONE, "out of memory"},
    {"53300", ESK_EIO, ESK_EXT_NONE, "ran out of a resource"},
    {"25006", ESK_EREADONLY, ESK_EXT_NONE, "on the primary"},
    {"42501", ESK_EREADONLY, ESK_EXT_NONE, "grant"},
    {"42P01", ESK_ESCHEMA, ESK_EXT_NONE, "changed by hand"},
    {"22001", ESK_EINVAL, ESK_EXT_NONE, "refused a value"},
    {"XX001", ESK_ECORRUPT, ESK_EXT_NONE, "restore from a backup"},
    {"XX002", ESK_ECORRUPT, ESK_EXT_NONE, "REINDEX"},
    /* Not in the table: a plain I/O error with the server's words. */
    {"P0001", ESK_EIO, ESK_EXT_NONE, "PostgreSQL failed"},
};

/* A trigger that raises the SQLSTATE in esk_faults_code (none when it is
 * empty) before any insert into the store's events. */
static void install_fault_trigger(PGconn *admin, const char *schema)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SET search_path TO %s; "
             "CREATE TABLE fault_code (code text NOT NULL); "
             "INSERT INTO fault_code VALUES (''); "
             "CREATE FUNCTION raise_fault() RETURNS trigger "
             "LANGUAGE plpgsql AS $$ DECLARE c text; BEGIN "
             "SELECT code INTO c FROM fault_code; "
             "IF c <> '' THEN RAISE EXCEPTION 'injected failure %%', c "
             "USING ERRCODE = c; END IF; RETURN NEW; END $$; "
             "CREATE TRIGGER raise_fault BEFORE INSERT ON events "
             "FOR EACH ROW EXECUTE FUNCTION raise_fault(); "
             "RESET search_path",
             schema);
    pg_admin_exec(admin, sql);
}

static void set_fault(PGconn *admin, const char *schema, const char *code)
{
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE %s.fault_code SET code = '%s'", schema,
             code);
    pg_admin_exec(admin, sql);
}

/* Every mapped SQLSTATE gives its status, extended code and advice, with
 * the server's own words; the failed append leaves nothing behind, and
 * the next one goes on from where the store was, in a transaction too. */
static void every_server_failure_gives_its_status_and_advice(void **state)
{
    (void)state;
    const char *schema = "esk_faults_map";
    pg_drop_schema(conninfo, schema);
    esk_store *store = pg_open(conninfo, schema, 5000);
    assert_non_null(store);
    PGconn *admin = pg_admin(conninfo);
    install_fault_trigger(admin, schema);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    int64_t version = 0;

    for (size_t i = 0; i < sizeof mappings / sizeof mappings[0]; i++) {
        const mapped *m = &mappings[i];
        bool in_transaction = i % 2 == 1;
        if (in_transaction)
            assert_int_equal(esk_store_begin(store), ESK_OK);
        set_fault(admin, schema, m->sqlstate);
        esk_status rc = esk_store_append(store, "s", version, &e, 1, NULL);
        if (rc != m->status || esk_error_last()->ext != m->ext)
            fail_msg("SQLSTATE %s gave status %d ext %d (\"%s\"), expected "
                     "%d ext %d",
                     m->sqlstate, rc, esk_error_last()->ext, esk_errmsg(),
                     m->status, m->ext);
        assert_message_contains(m->advice);
        assert_message_contains("injected failure");
        set_fault(admin, schema, "");
        /* The append failed alone: the transaction around it goes on. */
        assert_int_equal(esk_store_append(store, "s", version, &e, 1, NULL),
                         ESK_OK);
        version++;
        if (in_transaction)
            assert_int_equal(esk_store_commit(store), ESK_OK);
    }
    char count[128];
    snprintf(count, sizeof count, "SELECT count(*) FROM %s.events", schema);
    assert_int_equal(pg_admin_number(admin, count), version);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_int_equal(head, version);
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, schema);
}

/* A real deadlock between the store's unit and another session: the
 * store holds the events (it appended), the other session holds the
 * checkpoints and asks for the events, the store then writes a
 * checkpoint. The server ends the store's transaction (the other
 * session waits far longer before it looks for deadlocks); the unit is
 * busy, nothing of it is kept, and done again it succeeds. */
static void a_deadlock_ends_the_unit_as_busy_and_it_can_be_redone(void **state)
{
    (void)state;
    const char *schema = "esk_faults_deadlock";
    pg_drop_schema(conninfo, schema);
    esk_store *store = pg_open(conninfo, schema, 30000);
    assert_non_null(store);
    PGconn *other = pg_admin(conninfo);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    const esk_record checkpoint = {"agenda", 1, 1, "{}"};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    pg_admin_exec(other, "BEGIN; SET LOCAL deadlock_timeout = '60s'; "
                         "LOCK TABLE esk_faults_deadlock.checkpoints "
                         "IN ACCESS EXCLUSIVE MODE");
    assert_int_equal(PQsendQuery(other, "LOCK TABLE esk_faults_deadlock.events "
                                        "IN ACCESS EXCLUSIVE MODE"),
                     1);
    esk_status rc =
        esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &checkpoint);
    if (rc != ESK_EBUSY)
        fail_msg("status %d: %s", rc, esk_errmsg());
    assert_message_contains("deadlock");
    /* The server ended the transaction: the unit is lost, and its commit
     * says so with the cause's status, busy, so that it is redone. */
    assert_int_equal(esk_store_commit(store), ESK_EBUSY);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_message_contains("nothing was committed");
    assert_int_equal(esk_store_transaction_depth(store), 0);

    /* The other session got its lock once the store's ended. */
    PGresult *res;
    while ((res = PQgetResult(other)) != NULL) {
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        PQclear(res);
    }
    pg_admin_exec(other, "COMMIT");

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_NO_STREAM, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &checkpoint),
        ESK_OK);
    assert_int_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(pg_admin_number(other, "SELECT max(position) FROM "
                                            "esk_faults_deadlock.events"),
                     1);
    PQfinish(other);
    esk_store_free(store);
    pg_drop_schema(conninfo, schema);
}

/* The store's session settings: what the store's guarantees rest on
 * cannot be changed by the connection string (a default isolation of
 * SERIALIZABLE, say, would make writers fail instead of taking turns). */
static void show(esk_store *store, const char *setting, char *out, size_t size)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SHOW %s", setting);
    PGresult *res = PQexec(esk_store_postgres_conn(store), sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

static void
the_session_settings_are_the_stores_whatever_the_conninfo_asks(void **state)
{
    (void)state;
    const esk_durability levels[2] = {ESK_DURABILITY_FULL,
                                      ESK_DURABILITY_NORMAL};
    const char *expected[2] = {"on", "off"};
    for (int i = 0; i < 2; i++) {
        /* The connection string asks for the opposite. */
        char asking[1024];
        snprintf(asking, sizeof asking,
                 "%s options='-c synchronous_commit=%s -c "
                 "default_transaction_isolation=serializable'",
                 conninfo, expected[1 - i]);
        esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
        options.schema = "esk_faults_settings";
        options.store.durability = levels[i];
        esk_store *store = NULL;
        assert_int_equal(esk_store_open_postgres(&store, asking, &options),
                         ESK_OK);
        char value[64];
        show(store, "synchronous_commit", value, sizeof value);
        assert_string_equal(value, expected[i]);
        assert_int_equal(esk_store_begin(store), ESK_OK);
        show(store, "transaction_isolation", value, sizeof value);
        assert_string_equal(value, "read committed");
        assert_int_equal(esk_store_rollback(store), ESK_OK);
        esk_store_free(store);
    }
    pg_drop_schema(conninfo, "esk_faults_settings");
}

/* ---- A server that never answers ------------------------------------- */

/* A TCP port on the loopback that accepts connections (the kernel does,
 * into the backlog) and never says a word: what a hung server or a
 * firewall that swallows packets looks like to libpq. */
static int silent_server(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(listen(fd, 8), 0);
    socklen_t size = sizeof address;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&address, &size), 0);
    *port = ntohs(address.sin_port);
    return fd;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) +
           (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void a_server_that_never_answers_is_an_io_error_in_time(void **state)
{
    (void)state;
    int port = 0;
    int fd = silent_server(&port);
    char silent[256];
    snprintf(silent, sizeof silent,
             "host=127.0.0.1 port=%d user=esk dbname=esk connect_timeout=2",
             port);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, silent, NULL), ESK_EIO);
    assert_null(store);
    assert_true(seconds_since(&start) < 8.0);
    assert_message_contains("check that the server runs");
    assert_message_contains("timeout");
    close(fd);
}

static const char *connect_timeout_of(esk_store *store)
{
    static char value[16];
    value[0] = '\0';
    PQconninfoOption *options = PQconninfo(esk_store_postgres_conn(store));
    assert_non_null(options);
    for (PQconninfoOption *o = options; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "connect_timeout") == 0 && o->val != NULL)
            snprintf(value, sizeof value, "%s", o->val);
    PQconninfoFree(options);
    return value;
}

/* libpq waits for ever by default; the store gives a connection attempt
 * ten seconds unless the conninfo or PGCONNECT_TIMEOUT says otherwise. */
static void a_connection_attempt_is_bounded_unless_told_otherwise(void **state)
{
    (void)state;
    const char *saved = getenv("PGCONNECT_TIMEOUT");
    char keep[32] = "";
    if (saved != NULL)
        snprintf(keep, sizeof keep, "%s", saved);
    unsetenv("PGCONNECT_TIMEOUT");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_faults_timeout";

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_OK);
    assert_string_equal(connect_timeout_of(store), "10");
    esk_store_free(store);

    char told[1024];
    snprintf(told, sizeof told, "%s connect_timeout=3", conninfo);
    assert_int_equal(esk_store_open_postgres(&store, told, &options), ESK_OK);
    assert_string_equal(connect_timeout_of(store), "3");
    esk_store_free(store);

    setenv("PGCONNECT_TIMEOUT", "4", 1);
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_OK);
    assert_string_equal(connect_timeout_of(store), "4");
    esk_store_free(store);

    if (saved != NULL)
        setenv("PGCONNECT_TIMEOUT", keep, 1);
    else
        unsetenv("PGCONNECT_TIMEOUT");
    pg_drop_schema(conninfo, "esk_faults_timeout");
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_faults");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_server_failure_gives_its_status_and_advice),
        cmocka_unit_test(a_deadlock_ends_the_unit_as_busy_and_it_can_be_redone),
        cmocka_unit_test(
            the_session_settings_are_the_stores_whatever_the_conninfo_asks),
        cmocka_unit_test(a_server_that_never_answers_is_an_io_error_in_time),
        cmocka_unit_test(a_connection_attempt_is_bounded_unless_told_otherwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
