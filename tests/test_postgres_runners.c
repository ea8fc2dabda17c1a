/*
 * tests/test_postgres_runners.c - runners of one projection or process
 * manager, and writers beside a slow projection (runners.c), on one
 * PostgreSQL schema: each runner begins its batch (which takes the
 * schema's lock), reads the checkpoint again, and writes its effects with
 * the checkpoint in the same transaction.
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pg/pg_support.h"
#include "runners.h"
#include "store_under_test.h"

const store_under_test *under_test = &postgres_schema_under_test;

static const char *conninfo;

#define SCHEMA "esk_runners"

static int fresh_schema(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, SCHEMA);
    return 0;
}

static void
runners_of_one_projection_apply_each_event_exactly_once(void **state)
{
    (void)state;
    runners_of_one_projection_apply_each_event_once(SCHEMA);
}

static void
runners_of_one_process_manager_react_to_each_event_exactly_once(void **state)
{
    (void)state;
    runners_of_one_process_manager_react_to_each_event_once(SCHEMA);
}

static void a_slow_projection_never_keeps_a_writer_out(void **state)
{
    (void)state;
    a_slow_projection_lets_writers_in(SCHEMA);
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_runners");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            runners_of_one_projection_apply_each_event_exactly_once,
            fresh_schema, fresh_schema),
        cmocka_unit_test_setup_teardown(
            runners_of_one_process_manager_react_to_each_event_exactly_once,
            fresh_schema, fresh_schema),
        cmocka_unit_test_setup_teardown(
            a_slow_projection_never_keeps_a_writer_out, fresh_schema,
            fresh_schema),
    };
    return cmocka_run_group_tests_name("postgres runners", tests, NULL, NULL);
}
