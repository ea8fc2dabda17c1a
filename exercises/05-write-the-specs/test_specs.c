/*
 * test_specs.c - your specs, graded by what they catch.
 *
 * A spec is worth the bugs it tells apart from the right answer. Each of
 * yours is run against the reference decider, where it must pass (the
 * reference is the rules), and against each mutant of mutants.c. A mutant
 * is caught when a spec that passes against the reference fails against
 * it, every time: each spec is run several times against each decider,
 * and one whose verdict changes between runs catches nothing. The last
 * lines of the output give the score.
 */
#include <stdio.h>
#include <string.h>

#include <esk/testing.h>

#include "exercise.h"
#include "mutants.h"
#include "story.h"

/* Six mutants, and a story has one command: no fewer than five stories
 * can catch them all. */
#define MIN_SPECS 5

/* How many times each spec is told and run against each decider: a
 * verdict counts only when every run gives it. */
#define RUNS 3

/* Tell spec i afresh and run it against decider (NULL: the reference).
 * Whether it passed; report says why not. */
static bool passes(size_t i, const esk_decider *decider,
                   esk_spec_report *report)
{
    story s = {.spec = esk_spec_decider(&workshop_decider)};
    your_specs[i].tell(&s);
    esk_spec_run(s.spec, decider, report);
    esk_spec_free(s.spec);
    return report->passed;
}

typedef enum verdict { PASSES, FAILS, WAVERS } verdict;

/* Spec i, run RUNS times against decider: PASSES or FAILS when every run
 * agrees, WAVERS when they do not. A spec that wavers (a static counter,
 * the clock) catches nothing: its failure against a mutant could be its
 * own mood. report keeps the last failing run's report. */
static verdict verdict_of(size_t i, const esk_decider *decider,
                          esk_spec_report *report)
{
    esk_spec_report run;
    size_t passed = 0;
    for (int n = 0; n < RUNS; n++) {
        if (passes(i, decider, &run))
            passed++;
        else
            *report = run;
    }
    if (passed == RUNS) {
        *report = run;
        return PASSES;
    }
    return passed == 0 ? FAILS : WAVERS;
}

static size_t specs_failing_on_the_reference(void)
{
    esk_spec_report report;
    size_t wrong = 0;
    for (size_t i = 0; i < your_spec_count; i++)
        if (verdict_of(i, NULL, &report) != PASSES)
            wrong++;
    return wrong;
}

/* The first spec that always passes against the reference and always
 * fails against the mutant, or NULL when the mutant survives all of
 * them. */
static const char *spec_that_catches(const mutant *m)
{
    esk_decider decider = mutant_decider(m);
    esk_spec_report report;
    for (size_t i = 0; i < your_spec_count; i++)
        if (verdict_of(i, NULL, &report) == PASSES &&
            verdict_of(i, &decider, &report) == FAILS)
            return your_specs[i].name;
    return NULL;
}

static const mutant *mutant_named(const char *name)
{
    for (size_t i = 0; i < mutant_count; i++)
        if (strcmp(mutants[i].name, name) == 0)
            return &mutants[i];
    return NULL;
}

static void expect_caught(const char *name)
{
    const mutant *m = mutant_named(name);
    check_true(m != NULL, "mutants.c lists every mutant this suite names.");

    const char *catcher = spec_that_catches(m);
    bool mutant_caught = catcher != NULL;
    if (mutant_caught) {
        exercise_say("mutant '%s' is caught by '%s'", m->name, catcher);
        return;
    }
    print_error("Mutant '%s' survived: none of your specs fails against "
                "it.\n  The rule it breaks: %s\n",
                m->name, m->rule);
    size_t wrong = specs_failing_on_the_reference();
    if (wrong > 0)
        print_error("  (%zu of your specs still fail against the reference: "
                    "a spec catches nothing until it passes there.)\n",
                    wrong);
    check_true(mutant_caught,
               "Write the smallest story in which this rule decides "
               "the outcome: the past it needs, the command it "
               "governs, what must happen. Then ask: would a "
               "decider with this bug answer differently?");
}

/* --- The tests ------------------------------------------------------------ */

static void you_wrote_at_least_five_specs(void **state)
{
    (void)state;
    if (your_spec_count < MIN_SPECS)
        print_error("specs.c lists %zu spec(s) in your_specs. Six mutants "
                    "break six rules; a spec tells one story, with one "
                    "command, so catching them all takes at least %d.\n",
                    your_spec_count, MIN_SPECS);
    check_true(your_spec_count >= MIN_SPECS,
               "Write one function per rule in the README's list, and add "
               "a line for each to your_specs at the end of specs.c.");
}

static void say_it_wavers(size_t i, const char *against, const char *name)
{
    print_error("\nYour spec '%s' is not deterministic: run %d times against "
                "%s%s, it passed on some runs and failed on others. Its "
                "verdict says nothing about the decider, so it catches no "
                "mutant.\n",
                your_specs[i].name, RUNS, against, name);
}

/* Whether spec i wavers against the reference or a mutant; says so. */
static bool wavers(size_t i)
{
    esk_spec_report report;
    if (verdict_of(i, NULL, &report) == WAVERS) {
        say_it_wavers(i, "the reference decider", "");
        return true;
    }
    for (size_t m = 0; m < mutant_count; m++) {
        esk_decider decider = mutant_decider(&mutants[m]);
        if (verdict_of(i, &decider, &report) == WAVERS) {
            say_it_wavers(i, "the mutant that ", mutants[m].name);
            return true;
        }
    }
    return false;
}

static void every_spec_passes_against_the_reference_every_time(void **state)
{
    (void)state;
    esk_spec_report report;
    size_t specs_failing_against_the_reference = 0;
    size_t specs_that_waver = 0;
    for (size_t i = 0; i < your_spec_count; i++) {
        if (verdict_of(i, NULL, &report) != FAILS) {
            if (wavers(i))
                specs_that_waver++;
            continue;
        }
        specs_failing_against_the_reference++;
        print_error("\nYour spec '%s' fails against the reference decider. "
                    "The reference is the rules, so the spec is what is "
                    "wrong. The test kit says:\n%s",
                    your_specs[i].name, report.text);
    }
    check_int(specs_that_waver, 0,
              "A spec tells the same story every time it is told: the "
              "same past, the same command, the same outcome. Take out "
              "what changes between calls (a static variable or counter, "
              "the clock, a random number) and let the past decide.");
    check_int(specs_failing_against_the_reference, 0,
              "In each report above, 'expected' is what your spec says and "
              "'actual' what the rules do. Fix the story (its past, its "
              "command or its outcome), not the decider.");
}

static void the_mutant_that_seats_one_attendee_too_many_is_caught(void **state)
{
    (void)state;
    expect_caught("seats one attendee too many");
}

static void the_mutant_that_promotes_the_last_in_line_is_caught(void **state)
{
    (void)state;
    expect_caught("promotes the last in line");
}

static void the_mutant_that_says_a_waiter_had_a_seat_is_caught(void **state)
{
    (void)state;
    expect_caught("says a waiter had a seat");
}

static void
the_mutant_that_frees_a_seat_when_a_waiter_cancels_is_caught(void **state)
{
    (void)state;
    expect_caught("frees a seat when a waiter cancels");
}

static void the_mutant_that_lets_a_waiter_register_again_is_caught(void **state)
{
    (void)state;
    expect_caught("lets a waiter register again");
}

static void the_mutant_that_promotes_without_a_free_seat_is_caught(void **state)
{
    (void)state;
    expect_caught("promotes without a free seat");
}

/* After the tests: the score, and what each survivor gets away with. */
static int print_score(void **state)
{
    (void)state;
    size_t survivors = 0;
    for (size_t i = 0; i < mutant_count; i++)
        if (spec_that_catches(&mutants[i]) == NULL)
            survivors++;
    print_message("\nMutation score: %zu of %zu mutants caught.\n",
                  mutant_count - survivors, mutant_count);
    if (survivors > 0)
        print_message("%zu survived; the rules they break, which no spec of "
                      "yours pins down yet:\n",
                      survivors);
    for (size_t i = 0; i < mutant_count; i++)
        if (spec_that_catches(&mutants[i]) == NULL)
            print_message("  - %s: %s\n", mutants[i].name, mutants[i].rule);
    return 0;
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(you_wrote_at_least_five_specs),
        cmocka_unit_test(every_spec_passes_against_the_reference_every_time),
        cmocka_unit_test(the_mutant_that_seats_one_attendee_too_many_is_caught),
        cmocka_unit_test(the_mutant_that_promotes_the_last_in_line_is_caught),
        cmocka_unit_test(the_mutant_that_says_a_waiter_had_a_seat_is_caught),
        cmocka_unit_test(
            the_mutant_that_frees_a_seat_when_a_waiter_cancels_is_caught),
        cmocka_unit_test(
            the_mutant_that_lets_a_waiter_register_again_is_caught),
        cmocka_unit_test(
            the_mutant_that_promotes_without_a_free_seat_is_caught),
    };
    return cmocka_run_group_tests_name("05-write-the-specs", tests, NULL,
                                       print_score);
}
