/*
 * tests/test_store_postgres.c - the PostgreSQL backend: the whole
 * conformance suite, then what only a server can do to a store (a wrong
 * conninfo, a schema of another version or another application, a
 * connection terminated mid-transaction, a lock held past the timeout).
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

#include "conformance/conformance.h"
#include "esk/error.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
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

/* ---- The conformance suite ---------------------------------------------- */

/* Each test gets empty tables: the schema is created once and emptied
 * before every later open (DELETE: the tables are tiny, and TRUNCATE
 * makes new files for each), much faster than creating it again. */
typedef struct pg_backend {
    PGconn *admin;
    bool created;
} pg_backend;

static esk_status open_postgres(esk_store **out, const esk_store_options *o,
                                void *ctx)
{
    pg_backend *b = ctx;
    if (b->created)
        pg_admin_exec(b->admin, "DELETE FROM esk_conformance.events; "
                                "DELETE FROM esk_conformance.event_tags; "
                                "DELETE FROM esk_conformance.closed_streams; "
                                "DELETE FROM esk_conformance.checkpoints; "
                                "DELETE FROM esk_conformance.commands; "
                                "DELETE FROM esk_conformance.snapshots");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    if (o != NULL)
        options.store = *o;
    options.schema = "esk_conformance";
    esk_status rc = esk_store_open_postgres(out, conninfo, &options);
    if (rc != ESK_OK)
        fprintf(stderr, "opening the store: %s\n", esk_errmsg());
    b->created = b->created || rc == ESK_OK;
    return rc;
}

/* ---- Bad input and failures -----------------------------------------------
 */

static void assert_message_contains(const char *part)
{
    if (strstr(esk_errmsg(), part) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", esk_errmsg(), part);
}

static void an_unreadable_conninfo_is_invalid(void **state)
{
    (void)state;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, "host=", NULL) == ESK_OK,
                     false);
    assert_int_equal(
        esk_store_open_postgres(&store, "this is = not = conninfo", NULL),
        ESK_EINVAL);
    assert_null(store);
    assert_message_contains("not one libpq reads");
}

static void a_server_that_is_not_there_is_an_io_error(void **state)
{
    (void)state;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(
                         &store, "host=/nonexistent-esk-folder user=esk", NULL),
                     ESK_EIO);
    assert_null(store);
    assert_message_contains("connecting to PostgreSQL failed");
}

static void bad_schema_names_are_refused(void **state)
{
    (void)state;
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    esk_store *store = NULL;
    const char *bad[] = {"", "Esk", "esk\"; DROP TABLE x; --", "1esk", "a-b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        options.schema = bad[i];
        assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                         ESK_EINVAL);
        assert_null(store);
    }
}

static void a_store_of_another_schema_version_is_refused(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_version");
    esk_store *store = pg_open(conninfo, "esk_version", 5000);
    assert_non_null(store);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    esk_store_free(store);
    store = NULL;

    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "UPDATE esk_version.esk_schema SET version = 99");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_version";
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_ESCHEMA);
    assert_null(store);
    assert_message_contains("schema version 99");
    /* Refusing wrote nothing: the event and the stamp are as they were. */
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_version.events"), 1);
    assert_int_equal(
        pg_admin_number(admin, "SELECT version FROM esk_version.esk_schema"),
        99);
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_version");
}

static void a_schema_of_another_application_is_left_alone(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_foreign");
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "CREATE SCHEMA esk_foreign; CREATE TABLE "
                         "esk_foreign.events(id int)");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_foreign";
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_ESCHEMA);
    assert_message_contains("is not an esk event store");
    assert_int_equal(pg_admin_number(admin,
                                     "SELECT count(*) FROM pg_tables WHERE "
                                     "schemaname = 'esk_foreign'"),
                     1);
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_foreign");
}

static void terminate_victim(PGconn *admin)
{
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(pg_terminate_backend(pid)) FROM "
                               "pg_stat_activity WHERE application_name = "
                               "'esk_victim'"),
        1);
}

static void a_connection_lost_mid_transaction_loses_only_that_unit(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_lost");
    char victim[512];
    snprintf(victim, sizeof victim, "%s application_name=esk_victim", conninfo);
    esk_store *store = pg_open(victim, "esk_lost", 5000);
    assert_non_null(store);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_append(store, "kept", ESK_ANY, &e, 1, NULL),
                     ESK_OK);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "lost", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    PGconn *admin = pg_admin(conninfo);
    terminate_victim(admin);

    /* The next call finds the connection gone: the unit is lost, and says
     * so until it is rolled back. */
    esk_status rc = esk_store_append(store, "lost", ESK_ANY, &e, 1, NULL);
    assert_int_equal(rc, ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_commit(store), ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    /* Then the store connects again and goes on; what was committed
     * before is all there, nothing of the lost unit is. */
    assert_int_equal(esk_store_append(store, "kept", 1, &e, 1, NULL), ESK_OK);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_int_equal(head, 2);
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_lost.events WHERE "
                               "stream_id = 'lost'"),
        0);

    /* Outside a transaction, the call that meets the loss fails alone. */
    terminate_victim(admin);
    assert_int_equal(esk_store_head_position(store, &head), ESK_EIO);
    assert_message_contains("connects again");
    assert_int_equal(esk_store_append(store, "kept", 2, &e, 1, NULL), ESK_OK);
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_lost");
}

/* A role without rights on the database or the schema: nothing it can
 * open, and the reason is the role's rights. */
static void a_role_without_rights_is_read_only(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_rights");
    esk_store *store = pg_open(conninfo, "esk_rights", 5000);
    assert_non_null(store);
    esk_store_free(store);
    store = NULL;
    PGconn *admin = pg_admin(conninfo);
    /* A new role may not create schemas in the database (PostgreSQL's
     * default) nor read the store's tables (esk grants nothing). */
    pg_admin_exec(admin, "DROP ROLE IF EXISTS esk_nobody; CREATE ROLE "
                         "esk_nobody LOGIN");
    char as_nobody[512];
    snprintf(as_nobody, sizeof as_nobody, "%s user=esk_nobody", conninfo);
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_rights"; /* exists: its tables may not be read */
    assert_int_equal(esk_store_open_postgres(&store, as_nobody, &options),
                     ESK_EREADONLY);
    assert_message_contains("grant");
    options.schema = "esk_rights_new"; /* absent: may not be created */
    assert_int_equal(esk_store_open_postgres(&store, as_nobody, &options),
                     ESK_EREADONLY);
    assert_null(store);
    pg_admin_exec(admin, "DROP ROLE esk_nobody");
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_rights");
}

/* PostgreSQL ends the whole transaction when a statement fails; SQLite
 * does not. The store undoes the failed append alone, so the transaction
 * around it goes on as on SQLite. A CHECK added by hand makes the server
 * refuse one insert. */
static void a_statement_the_server_refuses_fails_only_its_append(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_refused");
    esk_store *store = pg_open(conninfo, "esk_refused", 5000);
    assert_non_null(store);
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "ALTER TABLE esk_refused.events ADD CONSTRAINT "
                         "no_forbidden CHECK (type <> 'Forbidden')");
    const esk_new_event ok = {NULL, "T", 1, "{}", NULL};
    const esk_new_event refused = {NULL, "Forbidden", 1, "{}", NULL};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &ok, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &refused, 1, NULL),
                     ESK_EIO);
    assert_message_contains("no_forbidden");
    assert_int_equal(esk_store_append(store, "s", 1, &ok, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_refused.events"), 2);

    /* Outside a transaction the append is the whole unit. */
    assert_int_equal(esk_store_append(store, "s", 2, &refused, 1, NULL),
                     ESK_EIO);
    assert_int_equal(esk_store_append(store, "s", 2, &ok, 1, NULL), ESK_OK);
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_refused");
}

static void a_writer_waiting_past_its_timeout_is_busy(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_busy");
    esk_store *holder = pg_open(conninfo, "esk_busy", 5000);
    esk_store *waiter = pg_open(conninfo, "esk_busy", 50);
    assert_non_null(holder);
    assert_non_null(waiter);
    assert_string_equal(esk_store_backend_name(holder), "postgres");
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_begin(holder), ESK_OK);
    assert_int_equal(esk_store_append(holder, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(waiter, "s", ESK_ANY, &e, 1, NULL),
                     ESK_EBUSY);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    assert_message_contains("busy_timeout_ms");
    /* Readers do not wait. */
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(waiter, &head), ESK_OK);
    assert_int_equal(head, 0);
    /* A timeout of 0 means not waiting at all, as on SQLite (PostgreSQL's
     * own lock_timeout = 0 would mean waiting for ever). */
    esk_store *impatient = pg_open(conninfo, "esk_busy", 0);
    assert_non_null(impatient);
    assert_int_equal(esk_store_append(impatient, "s", ESK_ANY, &e, 1, NULL),
                     ESK_EBUSY);
    esk_store_free(impatient);
    assert_int_equal(esk_store_commit(holder), ESK_OK);
    assert_int_equal(esk_store_append(waiter, "s", 1, &e, 1, NULL), ESK_OK);
    esk_store_free(waiter);
    esk_store_free(holder);
    pg_drop_schema(conninfo, "esk_busy");
}

int main(void)
{
    conninfo = pg_conninfo("test_store_postgres");
    if (conninfo == NULL)
        return PG_SKIP;
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    pg_drop_schema(conninfo, "esk_conformance");
    pg_backend b = {pg_admin(conninfo), false};
    const esk_conformance_backend backend = {"postgres", open_postgres, &b};
    int failures = esk_conformance_run(&backend) +
                   esk_conformance_run_tags(&backend) +
                   esk_conformance_run_closed(&backend);
    PQfinish(b.admin);
    pg_drop_schema(conninfo, "esk_conformance");

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unreadable_conninfo_is_invalid),
        cmocka_unit_test(a_server_that_is_not_there_is_an_io_error),
        cmocka_unit_test(bad_schema_names_are_refused),
        cmocka_unit_test(a_store_of_another_schema_version_is_refused),
        cmocka_unit_test(a_schema_of_another_application_is_left_alone),
        cmocka_unit_test(
            a_connection_lost_mid_transaction_loses_only_that_unit),
        cmocka_unit_test(a_role_without_rights_is_read_only),
        cmocka_unit_test(a_statement_the_server_refuses_fails_only_its_append),
        cmocka_unit_test(a_writer_waiting_past_its_timeout_is_busy),
    };
    failures +=
        cmocka_run_group_tests_name("postgres failures", tests, NULL, NULL);
    return failures == 0 ? 0 : 1;
}
