/*
 * tests/test_close_race.c - appends racing a close (close_race.c), on a
 * SQLite file.
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

static void appends_racing_a_close_never_land_after_it(void **state)
{
    char path[128];
    process_path(*state, "periods.db", path, sizeof path);
    appends_race_a_close(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            appends_racing_a_close_never_land_after_it, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
