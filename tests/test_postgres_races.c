/*
 * tests/test_postgres_races.c - processes racing on one PostgreSQL schema:
 * writers claiming seats with conditional appends (condition_race.c), and
 * appends racing a close (close_race.c). The same tests as on a SQLite
 * file: the condition and the closed check run under the schema's lock,
 * in the same transaction as the insert.
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
#include "races.h"
#include "store_under_test.h"

const store_under_test *under_test = &postgres_schema_under_test;

static const char *conninfo;
static char seats_schema[] = "esk_race_seats";
static char close_schema[] = "esk_race_close";

static int fresh_schema(void **state)
{
    pg_drop_schema(conninfo, *state);
    return 0;
}

static int drop_schema(void **state)
{
    pg_drop_schema(conninfo, *state);
    return 0;
}

static void writers_racing_for_a_seat_leave_it_to_exactly_one(void **state)
{
    writers_race_for_seats(*state);
}

static void appends_racing_a_close_never_land_after_it(void **state)
{
    appends_race_a_close(*state);
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_races");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate_setup_teardown(
            writers_racing_for_a_seat_leave_it_to_exactly_one, fresh_schema,
            drop_schema, seats_schema),
        cmocka_unit_test_prestate_setup_teardown(
            appends_racing_a_close_never_land_after_it, fresh_schema,
            drop_schema, close_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
