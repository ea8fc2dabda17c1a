/*
 * tests/test_postgres_read_only.c - a PostgreSQL store opened read-only (a
 * viewer's): it reads, refuses every write before and at the server,
 * creates nothing, takes no lock, and leaves every row as it was.
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
#include "esk/store.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

#define SCHEMA "esk_read_only"

static void assert_message_contains(const char *part)
{
    if (strstr(esk_errmsg(), part) == NULL)
        fail_msg("'%s' is not in the message: %s", part, esk_errmsg());
}

static esk_store *open_read_only(const char *schema, int busy_timeout_ms)
{
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = schema;
    options.store.read_only = true;
    options.store.busy_timeout_ms = busy_timeout_ms;
    esk_store *store = NULL;
    esk_status status = esk_store_open_postgres(&store, conninfo, &options);
    if (status != ESK_OK)
        fail_msg("opening read-only: %s", esk_errmsg());
    return store;
}

static esk_status append_one(esk_store *store, const char *stream,
                             int64_t expected)
{
    const esk_new_event event = {NULL, "T", 1, "{}", NULL};
    return esk_store_append(store, stream, expected, &event, 1, NULL);
}

/* A store with two events and one record of each kind, closed again. */
static void write_store(void)
{
    pg_drop_schema(conninfo, SCHEMA);
    esk_store *store = pg_open(conninfo, SCHEMA, 1000);
    assert_non_null(store);
    assert_int_equal(append_one(store, "s-1", ESK_NO_STREAM), ESK_OK);
    assert_int_equal(append_one(store, "s-1", 1), ESK_OK);
    esk_record r = {.key = "p", .at = 1, .tag = 1, .value = "{}"};
    for (int kind = 0; kind < 3; kind++)
        assert_int_equal(esk_store_put_record(store, (esk_record_kind)kind, &r),
                         ESK_OK);
    esk_store_free(store);
}

static void a_read_only_store_reads_events_and_records(void **state)
{
    (void)state;
    write_store();
    esk_store *store = open_read_only(SCHEMA, 1000);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_true(head == 2);
    /* Waiting LISTENs, which a read-only session may do. */
    assert_int_equal(esk_store_wait_for(store, 1, 1000, &head), ESK_OK);
    assert_true(head == 2);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "s-1", 1, 0, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    esk_record r;
    char *owned = NULL;
    assert_int_equal(
        esk_store_get_record(store, ESK_RECORD_CHECKPOINT, "p", &r, &owned),
        ESK_OK);
    assert_true(r.at == 1);

    esk_free(owned);
    esk_event_list_release(&list);
    esk_store_free(store);
    pg_drop_schema(conninfo, SCHEMA);
}

static void
a_read_only_store_refuses_every_write_and_leaves_the_rows(void **state)
{
    (void)state;
    write_store();
    PGconn *admin = pg_admin(conninfo);
    char *before = pg_schema_digest(admin, SCHEMA);

    esk_store *store = open_read_only(SCHEMA, 1000);
    assert_int_equal(append_one(store, "s-2", ESK_ANY), ESK_EREADONLY);
    /* Refused before the server is asked, in the store's terms. */
    assert_message_contains("read-only (esk_store_options.read_only)");
    assert_message_contains("s-2");
    const esk_new_event last = {NULL, "End", 1, "{}", NULL};
    assert_int_equal(esk_store_close_stream(store, "s-1", 2, &last, 1, NULL),
                     ESK_EREADONLY);
    esk_record r = {.key = "q", .at = 2, .tag = 1, .value = "{}"};
    for (int kind = 0; kind < 3; kind++) {
        assert_int_equal(esk_store_put_record(store, (esk_record_kind)kind, &r),
                         ESK_EREADONLY);
        assert_message_contains("read-only");
    }
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_one(store, "s-1", 2), ESK_EREADONLY);
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_true(head == 2);
    esk_store_free(store);

    char *after = pg_schema_digest(admin, SCHEMA);
    assert_string_equal(after, before);
    free(before);
    free(after);
    PQfinish(admin);
    pg_drop_schema(conninfo, SCHEMA);
}

/* The server refuses too: a write that does not go through the backend
 * (a statement on the store's connection) meets a read-only session. */
static void the_session_of_a_read_only_store_refuses_writes(void **state)
{
    (void)state;
    write_store();
    esk_store *store = open_read_only(SCHEMA, 1000);
    PGconn *conn = (PGconn *)esk_store_postgres_conn(store);
    PGresult *res = PQexec(conn, "DELETE FROM " SCHEMA ".checkpoints");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "25006");
    PQclear(res);
    esk_store_free(store);

    PGconn *admin = pg_admin(conninfo);
    assert_true(pg_admin_number(admin, "SELECT count(*) FROM " SCHEMA
                                       ".checkpoints") == 1);
    PQfinish(admin);
    pg_drop_schema(conninfo, SCHEMA);
}

/* A reader does not take turns with the writers: with the schema's write
 * lock held elsewhere, its transaction begins, reads and ends at once. */
static void a_read_only_transaction_takes_no_lock(void **state)
{
    (void)state;
    write_store();
    PGconn *writer = pg_admin(conninfo);
    pg_admin_exec(writer, "BEGIN; SELECT pg_advisory_xact_lock(1163086641, "
                          "hashtext('" SCHEMA "'))");

    esk_store *store = open_read_only(SCHEMA, 0);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_true(head == 2);
    assert_int_equal(esk_store_commit(store), ESK_OK);
    esk_store_free(store);

    pg_admin_exec(writer, "ROLLBACK");
    PQfinish(writer);
    pg_drop_schema(conninfo, SCHEMA);
}

static void a_read_only_open_of_a_missing_schema_creates_nothing(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, SCHEMA);
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = SCHEMA;
    options.store.read_only = true;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_EIO);
    assert_null(store);
    assert_message_contains("'" SCHEMA "'");
    assert_message_contains("no such schema");
    assert_message_contains("without read_only");

    PGconn *admin = pg_admin(conninfo);
    assert_true(pg_admin_number(admin, "SELECT count(*) FROM pg_namespace "
                                       "WHERE nspname = '" SCHEMA "'") == 0);
    /* An empty schema holds no store either, and stays empty. */
    pg_admin_exec(admin, "CREATE SCHEMA " SCHEMA);
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_EIO);
    assert_message_contains("holds no esk store");
    assert_true(pg_admin_number(admin, "SELECT count(*) FROM pg_class WHERE "
                                       "relnamespace = '" SCHEMA
                                       "'::regnamespace") == 0);
    PQfinish(admin);
    pg_drop_schema(conninfo, SCHEMA);
}

static void
a_read_only_open_of_another_version_is_refused_untouched(void **state)
{
    (void)state;
    write_store();
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "UPDATE " SCHEMA ".esk_schema SET version = 99");
    char *before = pg_schema_digest(admin, SCHEMA);
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = SCHEMA;
    options.store.read_only = true;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_ESCHEMA);
    assert_null(store);
    assert_message_contains("schema version 99");
    char *after = pg_schema_digest(admin, SCHEMA);
    assert_string_equal(after, before);
    free(before);
    free(after);
    PQfinish(admin);
    pg_drop_schema(conninfo, SCHEMA);
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_read_only");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_read_only_store_reads_events_and_records),
        cmocka_unit_test(
            a_read_only_store_refuses_every_write_and_leaves_the_rows),
        cmocka_unit_test(the_session_of_a_read_only_store_refuses_writes),
        cmocka_unit_test(a_read_only_transaction_takes_no_lock),
        cmocka_unit_test(a_read_only_open_of_a_missing_schema_creates_nothing),
        cmocka_unit_test(
            a_read_only_open_of_another_version_is_refused_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
