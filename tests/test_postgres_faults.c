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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
