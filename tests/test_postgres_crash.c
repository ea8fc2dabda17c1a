/*
 * tests/test_postgres_crash.c - writers killed at random moments, on a
 * PostgreSQL schema: the tests of crash_tests.c (test_crash.c says what is
 * checked after every kill).
 *
 * A killed client leaves its transaction open on the server until the
 * server notices the closed connection; it then rolls it back and frees
 * the schema's lock. So what a kill can cost is the same as on SQLite,
 * and a new writer gets in as soon as the server has noticed (it may
 * wait up to killed_lock_wait_ms for that moment).
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_fixture.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

const store_under_test *under_test = &postgres_schema_under_test;

/* Each test on a schema of its own, dropped before and after. */
static int fresh_schema(void **state)
{
    static int tests;
    static char name[32];
    snprintf(name, sizeof name, "esk_crash_%d", ++tests);
    pg_drop_schema(conninfo, name);
    *state = name;
    return 0;
}

static int drop_schema(void **state)
{
    pg_drop_schema(conninfo, *state);
    return 0;
}

static void acknowledged_appends_survive_kills_at_random_moments(void **state)
{
    crash_kills_at_random_moments(*state);
}

static void a_kill_inside_a_transaction_stores_none_of_it(void **state)
{
    crash_kill_inside_a_transaction(*state);
}

static void a_kill_after_a_commit_keeps_all_of_the_transaction(void **state)
{
    crash_kill_after_a_commit(*state);
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_crash");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_kill_inside_a_transaction_stores_none_of_it, fresh_schema,
            drop_schema),
        cmocka_unit_test_setup_teardown(
            a_kill_after_a_commit_keeps_all_of_the_transaction, fresh_schema,
            drop_schema),
        cmocka_unit_test_setup_teardown(
            acknowledged_appends_survive_kills_at_random_moments, fresh_schema,
            drop_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
