/*
 * tests/test_runners.c - runners of one projection or process manager,
 * and writers beside a slow projection (runners.c), on a SQLite file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "process_fixture.h"
#include "runners.h"
#include "store_under_test.h"

const store_under_test *under_test = &sqlite_file_under_test;

static void in_a_file(void **state, void (*test)(const char *where))
{
    char path[128];
    process_path(*state, "store.db", path, sizeof path);
    test(path);
}

static void
runners_of_one_projection_apply_each_event_exactly_once(void **state)
{
    in_a_file(state, runners_of_one_projection_apply_each_event_once);
}

static void
runners_of_one_process_manager_react_to_each_event_exactly_once(void **state)
{
    in_a_file(state, runners_of_one_process_manager_react_to_each_event_once);
}

static void a_slow_projection_never_keeps_a_writer_out(void **state)
{
    in_a_file(state, a_slow_projection_lets_writers_in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            runners_of_one_projection_apply_each_event_exactly_once,
            process_setup, process_teardown),
        cmocka_unit_test_setup_teardown(
            runners_of_one_process_manager_react_to_each_event_exactly_once,
            process_setup, process_teardown),
        cmocka_unit_test_setup_teardown(
            a_slow_projection_never_keeps_a_writer_out, process_setup,
            process_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
