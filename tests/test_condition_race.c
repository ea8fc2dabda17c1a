/*
 * tests/test_condition_race.c - writers racing for seats with conditional
 * appends (condition_race.c), on a SQLite file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "process_fixture.h"
#include "races.h"
#include "store_under_test.h"

const store_under_test *under_test = &sqlite_file_under_test;

static void writers_racing_for_a_seat_leave_it_to_exactly_one(void **state)
{
    char path[128];
    process_path(*state, "seats.db", path, sizeof path);
    writers_race_for_seats(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            writers_racing_for_a_seat_leave_it_to_exactly_one, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
