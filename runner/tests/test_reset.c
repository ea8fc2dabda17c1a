/*
 * test_reset.c - `reset N` puts the stub back from the copy saved in
 * .kata/pristine/ or from git's HEAD (only when HEAD holds the stub),
 * asks first, and changes nothing when it cannot restore every file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fs.h"
#include "../proc.h"
#include "../text.h"
#include "harness.h"

#define GREET "exercises/01-greet/greet.c"
#define PRISTINE ".kata/pristine/01-greet/greet.c"

static kit the_kit;
static char *stub;

static int make_kit(void **state)
{
    (void)state;
    if (kit_create(&the_kit) != 0)
        return -1;
    stub = kit_read(&the_kit, GREET);
    return 0;
}

static int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    free(stub);
    return 0;
}

static int restore_stub(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, stub);
    return 0;
}

static void expect_greet(const char *text)
{
    char *now = kit_read(&the_kit, GREET);
    assert_string_equal(now, text);
    free(now);
}

static void remove_pristine(void)
{
    char *dir = kata_path(the_kit.root, ".kata/pristine");
    const char *rm[] = {"rm", "-rf", dir, NULL};
    assert_int_equal(harness_system(rm, NULL), 0);
    free(dir);
}

static void git(const char *a, const char *b, const char *c)
{
    const char *argv[] = {"git",
                          "-C",
                          the_kit.root,
                          "-c",
                          "user.name=kata",
                          "-c",
                          "user.email=kata@example.invalid",
                          "-c",
                          "commit.gpgsign=false",
                          a,
                          b,
                          c,
                          NULL};
    assert_int_equal(harness_system(argv, NULL), 0);
}

static void the_first_command_keeps_a_pristine_copy_of_the_stub(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "hint", "1", NULL);
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    char *copy = kit_read(&the_kit, PRISTINE);
    assert_string_equal(copy, stub);
    free(copy);

    /* A copy of another stub (the kit was updated since) is replaced. */
    kit_write(&the_kit, PRISTINE, "an older stub\n");
    o = kit_run(&the_kit, NULL, NULL, "hint", "1", NULL);
    outcome_free(&o);
    copy = kit_read(&the_kit, PRISTINE);
    assert_string_equal(copy, stub);
    free(copy);
}

static void reset_puts_the_stub_back_from_the_pristine_copy(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, "my attempt\n");
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "exercises/01-greet/greet.c"));
    assert_true(contains(&o, "back to its stub"));
    outcome_free(&o);
    expect_greet(stub);
}

static void reset_asks_first_and_only_a_yes_resets(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, "my attempt\n");
    const char *answers[] = {"n\n", "", "whatever\n"};
    for (size_t i = 0; i < 3; i++) {
        outcome o = kit_run(&the_kit, answers[i], NULL, "reset", "1", NULL);
        assert_int_equal(o.code, 1);
        assert_true(contains(&o, "Reset it? [y/N]"));
        assert_true(contains(&o, "Nothing was changed."));
        outcome_free(&o);
        expect_greet("my attempt\n");
    }
    outcome o = kit_run(&the_kit, "y\n", NULL, "reset", "01-greet", NULL);
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    expect_greet(stub);
}

static void reset_of_an_untouched_exercise_has_nothing_to_do(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "nothing to reset"));
    outcome_free(&o);
}

static void without_git_or_copy_reset_says_so_and_changes_nothing(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, "my attempt\n");
    remove_pristine();
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "neither in git (HEAD) nor in .kata/pristine/"));
    assert_true(contains(&o, "Nothing was changed."));
    outcome_free(&o);
    expect_greet("my attempt\n");
}

static void reset_takes_the_stub_from_git_when_head_holds_it(void **state)
{
    (void)state;
    if (!kata_have_program("git"))
        skip();
    kit_write(&the_kit, ".gitignore", "/build/\n/.kata/\n");
    git("init", "-q", NULL);
    git("add", "-A", NULL);
    git("commit", "-qm", "the kit as shipped");
    remove_pristine();
    kit_write(&the_kit, GREET, "my attempt\n");
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    expect_greet(stub);
    /* No copy was there to use (nor made: the file was not the stub when
     * the runner started): git gave it back. */
    assert_false(kit_exists(&the_kit, PRISTINE));
}

static void a_head_that_is_not_the_stub_is_not_used(void **state)
{
    (void)state;
    if (!kata_have_program("git"))
        skip();
    /* The learner committed an attempt: HEAD is no stub any more. */
    kit_write(&the_kit, GREET, "committed attempt\n");
    git("commit", "-qam", "my work");
    remove_pristine();
    kit_write(&the_kit, GREET, "my attempt\n");
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "neither in git (HEAD) nor in .kata/pristine/"));
    outcome_free(&o);
    expect_greet("my attempt\n");

    /* With the copy back, the copy is used. */
    kit_write(&the_kit, PRISTINE, stub);
    o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    expect_greet(stub);
}

static void reset_keeps_a_backup_that_undo_brings_back(void **state)
{
    (void)state;
    const char *mine = "const char *greet(void) { return \"mine\"; }\n";
    kit_write(&the_kit, GREET, mine);
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--yes", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, ".kata/backup/01-greet/"));
    assert_true(contains(&o, "./kata reset 1 --undo"));
    outcome_free(&o);
    expect_greet(stub);
    assert_true(kit_exists(&the_kit, ".kata/backup/01-greet/greet.c"));

    o = kit_run(&the_kit, NULL, NULL, "reset", "1", "--undo", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "exercises/01-greet/greet.c"));
    outcome_free(&o);
    expect_greet(mine);
}

static void undo_without_a_backup_changes_nothing(void **state)
{
    (void)state;
    outcome o = kit_run(&the_kit, NULL, NULL, "reset", "2", "--undo", NULL);
    assert_int_equal(o.code, 1);
    assert_true(contains(&o, "no backup of exercise 2"));
    outcome_free(&o);
}

int main(int argc, char **argv)
{
    harness_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_first_command_keeps_a_pristine_copy_of_the_stub),
        cmocka_unit_test_teardown(
            reset_puts_the_stub_back_from_the_pristine_copy, restore_stub),
        cmocka_unit_test_teardown(reset_asks_first_and_only_a_yes_resets,
                                  restore_stub),
        cmocka_unit_test_teardown(
            reset_of_an_untouched_exercise_has_nothing_to_do, restore_stub),
        cmocka_unit_test_teardown(
            without_git_or_copy_reset_says_so_and_changes_nothing,
            restore_stub),
        cmocka_unit_test_teardown(
            reset_takes_the_stub_from_git_when_head_holds_it, restore_stub),
        cmocka_unit_test_teardown(reset_keeps_a_backup_that_undo_brings_back,
                                  restore_stub),
        cmocka_unit_test(undo_without_a_backup_changes_nothing),
        cmocka_unit_test_teardown(a_head_that_is_not_the_stub_is_not_used,
                                  restore_stub),
    };
    return cmocka_run_group_tests(tests, make_kit, remove_kit);
}
