/*
 * test_explore_target.c - what ./kata explore hands to kata-explore: a
 * PostgreSQL connection string exactly as typed, a relative file read
 * from the folder ./kata was called from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "explore_target.h"

static void a_connection_string_is_handed_on_as_typed(void **state)
{
    (void)state;
    const char *conninfos[] = {
        "postgres://esk:secret@db.example/app?sslmode=require",
        "postgresql:///app?host=/run/postgresql",
        "host=/tmp/esk-pg.1 user=esk dbname=postgres",
        "dbname=app",
    };
    for (size_t i = 0; i < sizeof conninfos / sizeof conninfos[0]; i++) {
        assert_true(kata_explore_is_conninfo(conninfos[i]));
        char *target = kata_explore_target("/home/ada/kit", conninfos[i]);
        assert_string_equal(target, conninfos[i]);
        free(target);
    }
}

static void a_file_is_read_from_the_callers_folder(void **state)
{
    (void)state;
    char *target = kata_explore_target("/home/ada", "my.db");
    assert_string_equal(target, "/home/ada/my.db");
    free(target);
    target = kata_explore_target("/home/ada", "./a=b.db");
    assert_false(kata_explore_is_conninfo("./a=b.db"));
    assert_string_equal(target, "/home/ada/./a=b.db");
    free(target);
    target = kata_explore_target("/home/ada", "/srv/a=b.db");
    assert_string_equal(target, "/srv/a=b.db");
    free(target);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_connection_string_is_handed_on_as_typed),
        cmocka_unit_test(a_file_is_read_from_the_callers_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
