/*
 * tests/test_testing.c - the given/when/then kit: it passes good models,
 * and it catches every kind of wrong one, with a report that says how.
 *
 * A small workshop is modelled three ways (decider, aggregate, read
 * model); the wrong models are variants with one mistake each, run with
 * esk_spec_run so that their failure can be inspected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/testing.h"

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block; fail_at makes one chosen allocation fail. */
static long allocations;
static long fail_at = -1;
static bool failed_one;

static bool should_fail(void)
{
    if (allocations++ != fail_at)
        return false;
    failed_one = true;
    return true;
}
static void *test_malloc_fn(size_t size)
{
    return should_fail() ? NULL : test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return should_fail() ? NULL : test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

/* --- The workshop's events ------------------------------------------------ */

typedef struct workshop_scheduled {
    char workshop_id[32];
    int64_t capacity;
} workshop_scheduled;

typedef struct attendee_event {
    char attendee[128];
} attendee_event;

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, workshop_id, "workshopId"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
static const esk_field attendee_fields[] = {
    ESK_FIELD_STRING(attendee_event, attendee, "attendee"),
};
static const esk_event_type scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);
static const esk_event_type registered_type =
    ESK_EVENT_TYPE(attendee_event, "AttendeeRegistered", 1, attendee_fields);
static const esk_event_type waitlisted_type =
    ESK_EVENT_TYPE(attendee_event, "AttendeeWaitlisted", 1, attendee_fields);
static const esk_event_type *const workshop_events[] = {
    &scheduled_type, &registered_type, &waitlisted_type};

enum { WORKSHOP_NOT_SCHEDULED = 1, WORKSHOP_ALREADY_SCHEDULED = 2 };

static const workshop_scheduled scheduled_w1 = {"w-1", 1};

/* --- The workshop as a decider -------------------------------------------- */

typedef struct workshop_state {
    bool scheduled;
    int64_t capacity;
    int64_t taken;
    char last_attendee[128];
} workshop_state;

typedef struct register_attendee {
    char attendee[128];
} register_attendee;

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    workshop_state *s = state;
    if (type == &scheduled_type) {
        const workshop_scheduled *e = event;
        s->scheduled = true;
        s->capacity = e->capacity;
    } else {
        const attendee_event *e = event;
        if (type == &registered_type)
            s->taken++;
        snprintf(s->last_attendee, sizeof(s->last_attendee), "%s", e->attendee);
    }
}

static esk_status workshop_decide(const void *state, const void *command,
                                  esk_decision *decision)
{
    const workshop_state *s = state;
    const register_attendee *c = command;
    attendee_event e;
    snprintf(e.attendee, sizeof(e.attendee), "%s", c->attendee);

    if (!s->scheduled)
        return esk_decision_reject(decision, WORKSHOP_NOT_SCHEDULED,
                                   "the workshop is not scheduled");
    if (strcmp(s->last_attendee, c->attendee) == 0)
        return ESK_OK;
    return esk_decision_emit(
        decision, s->taken < s->capacity ? &registered_type : &waitlisted_type,
        &e);
}

static const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop_state),
    .event_types = workshop_events,
    .event_type_count = 3,
    .evolve = workshop_evolve,
    .decide = workshop_decide,
};

/* The same decider with another decide(): a mutant with one mistake. */
static esk_decider mutant(esk_status (*decide)(const void *, const void *,
                                               esk_decision *))
{
    esk_decider d = workshop_decider;
    d.decide = decide;
    return d;
}

static esk_status waitlists_everyone(const void *state, const void *command,
                                     esk_decision *decision)
{
    (void)state;
    const register_attendee *c = command;
    attendee_event e;
    snprintf(e.attendee, sizeof(e.attendee), "%s", c->attendee);
    return esk_decision_emit(decision, &waitlisted_type, &e);
}

static esk_status decides_nothing(const void *state, const void *command,
                                  esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return ESK_OK;
}

static esk_status registers_twice(const void *state, const void *command,
                                  esk_decision *decision)
{
    esk_status rc = workshop_decide(state, command, decision);
    if (rc != ESK_OK)
        return rc;
    const register_attendee *c = command;
    attendee_event e;
    snprintf(e.attendee, sizeof(e.attendee), "%s", c->attendee);
    return esk_decision_emit(decision, &registered_type, &e);
}

static esk_status refuses_with_wrong_code(const void *state,
                                          const void *command,
                                          esk_decision *decision)
{
    const workshop_state *s = state;
    if (!s->scheduled)
        return esk_decision_reject(decision, WORKSHOP_ALREADY_SCHEDULED,
                                   "the workshop is already scheduled");
    return workshop_decide(state, command, decision);
}

static esk_status refuses_everything(const void *state, const void *command,
                                     esk_decision *decision)
{
    (void)state;
    (void)command;
    return esk_decision_reject(decision, WORKSHOP_NOT_SCHEDULED,
                               "the workshop is not scheduled");
}

static esk_status forgets_who_registered(const void *state, const void *command,
                                         esk_decision *decision)
{
    workshop_state copy = *(const workshop_state *)state;
    copy.last_attendee[0] = '\0';
    return workshop_decide(&copy, command, decision);
}

static esk_status writes_the_state(const void *state, const void *command,
                                   esk_decision *decision)
{
    (void)command;
    (void)decision;
    /* The mistake under test: casting const away to count in the state. */
    workshop_state *s = (workshop_state *)state;
    s->taken++;
    return ESK_OK;
}

static esk_status changes_its_mind(const void *state, const void *command,
                                   esk_decision *decision)
{
    static int calls;
    if (calls++ % 2 == 1)
        return waitlists_everyone(state, command, decision);
    return workshop_decide(state, command, decision);
}

static esk_status not_written_yet(const void *state, const void *command,
                                  esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return ESK_ENOTIMPL;
}

/* The story most tests tell: a workshop with one seat, ada registers. */
static esk_spec *ada_registers(void)
{
    static const register_attendee ada = {"ada"};
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &ada);
    esk_spec_then(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    return spec;
}

static esk_spec_report report;

static void run_with(esk_spec *spec, esk_decider d)
{
    esk_spec_run(spec, &d, &report);
    esk_spec_free(spec);
}

/* Whether the last report says this, with a look at it when not. */
static bool reported(const char *words)
{
    if (strstr(report.text, words) != NULL)
        return true;
    print_error("the report does not say\n%s\nit says\n%s", words, report.text);
    return false;
}
#define assert_reported(words) assert_true(reported(words))

/* The same decider, with the hooks that let a report speak the domain's
 * words: the command, the refusal's name, the state. */
static void describe_registration(const void *command, char *buf, size_t size)
{
    const register_attendee *c = command;
    snprintf(buf, size, "RegisterAttendee %s", c->attendee);
}

static const char *workshop_error_name(int code)
{
    switch (code) {
    case WORKSHOP_NOT_SCHEDULED:
        return "WORKSHOP_NOT_SCHEDULED";
    case WORKSHOP_ALREADY_SCHEDULED:
        return "WORKSHOP_ALREADY_SCHEDULED";
    default:
        return NULL;
    }
}

static void describe_workshop(const void *state, char *buf, size_t size)
{
    const workshop_state *s = state;
    snprintf(buf, size, "%s, %lld of %lld seats taken, last: %s",
             s->scheduled ? "scheduled" : "unscheduled", (long long)s->taken,
             (long long)s->capacity, s->last_attendee);
}

static esk_decider described(esk_status (*decide)(const void *, const void *,
                                                  esk_decision *))
{
    esk_decider d = mutant(decide);
    d.describe_command = describe_registration;
    d.error_name = workshop_error_name;
    d.describe_state = describe_workshop;
    return d;
}

/* --- Decider specs that pass ---------------------------------------------- */

static void a_free_seat_is_taken_by_whoever_registers(void **state)
{
    (void)state;
    ESK_SPEC_CHECK(ada_registers());
}

static void a_full_workshop_waitlists_the_next_attendee(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"bob"});
    esk_spec_then(spec, &waitlisted_type, &(attendee_event){"bob"});
    ESK_SPEC_CHECK(spec);
}

static void registering_for_an_unscheduled_workshop_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    ESK_SPEC_CHECK(spec);
}

static void registering_again_changes_nothing(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    ESK_SPEC_CHECK(spec);
}

static void a_passing_run_reports_nothing(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_true(report.passed);
    assert_string_equal(report.text, "");
}

/* --- Decider specs that catch a wrong decider ----------------------------- */

static void a_wrong_event_is_shown_beside_the_expected_one(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(waitlists_everyone));
    assert_false(report.passed);
    assert_reported("Spec failed: Workshop\n");
    assert_reported("  given   1. WorkshopScheduled "
                    "{\"workshopId\":\"w-1\",\"capacity\":1}\n");
    assert_reported("  when    the command\n");
    assert_reported("AttendeeRegistered {\"attendee\":\"ada\"} | "
                    "AttendeeWaitlisted {\"attendee\":\"ada\"}   <- first "
                    "difference\n");
    assert_reported("  HINT: A free seat is taken by whoever registers.\n");
}

static void a_missing_event_is_reported(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(decides_nothing));
    assert_false(report.passed);
    assert_reported("| (none)   <- first difference");
    assert_reported("1 expected event(s) did not happen");
}

static void an_extra_event_is_reported(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(registers_twice));
    assert_false(report.passed);
    assert_reported("    2.    (none)");
    assert_reported("1 event(s) happened that were not expected");
}

static esk_spec *unscheduled_registration(void)
{
    static const register_attendee ada = {"ada"};
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &ada);
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    return spec;
}

static void a_wrong_error_code_is_reported(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), mutant(refuses_with_wrong_code));
    assert_false(report.passed);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was refused with error 2: the workshop is already "
                    "scheduled");
}

static void a_report_names_the_command_and_the_refusal(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), described(refuses_with_wrong_code));
    assert_false(report.passed);
    assert_reported("  when    RegisterAttendee ada\n");
    assert_reported("expected the command to be refused with "
                    "WORKSHOP_NOT_SCHEDULED, but it was refused with "
                    "WORKSHOP_ALREADY_SCHEDULED: the workshop is already "
                    "scheduled");
}

static void a_refusal_without_a_name_is_reported_by_its_number(void **state)
{
    (void)state;
    esk_decider d = described(refuses_with_wrong_code);
    d.error_name = NULL;
    run_with(unscheduled_registration(), d);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was refused with error 2: the workshop is already "
                    "scheduled");
}

static void events_where_an_error_was_expected_are_reported(void **state)
{
    (void)state;
    run_with(unscheduled_registration(), mutant(waitlists_everyone));
    assert_false(report.passed);
    assert_reported("expected the command to be refused with error 1, but "
                    "it was accepted with these events:\n"
                    "          1. AttendeeWaitlisted {\"attendee\":\"ada\"}");
}

static void an_error_where_events_were_expected_shows_its_message(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(refuses_everything));
    assert_false(report.passed);
    assert_reported("expected 1 event(s), but the command was refused with "
                    "error 1: the workshop is not scheduled");
    assert_reported("1. AttendeeRegistered {\"attendee\":\"ada\"}");
}

static void events_where_nothing_was_expected_are_reported(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &(workshop_scheduled){"w-1", 5});
    esk_spec_given(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(forgets_who_registered));
    assert_false(report.passed);
    assert_reported("expected nothing to happen, but 1 event(s) happened:\n"
                    "          1. AttendeeRegistered {\"attendee\":\"ada\"}");
}

static void a_decide_that_writes_the_state_is_caught(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(writes_the_state));
    assert_false(report.passed);
    assert_reported("decide() changed the state it was given");
    assert_null(strstr(report.text, "different answer"));
}

static void a_state_written_by_decide_is_shown_before_and_after(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    run_with(spec, described(writes_the_state));
    assert_false(report.passed);
    assert_reported("  decide() changed the state it was given:\n"
                    "    before  scheduled, 0 of 1 seats taken, last: \n"
                    "    after   scheduled, 1 of 1 seats taken, last: \n");
    assert_null(strstr(report.text, "byte"));
}

static void a_state_written_by_decide_is_named_by_its_field_offset(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    run_with(spec, mutant(writes_the_state));
    char where[160];
    snprintf(where, sizeof(where),
             "byte %zu of the %zu-byte state changed (give the decider a "
             "describe_state to see the state before and after)",
             offsetof(workshop_state, taken), sizeof(workshop_state));
    assert_reported(where);
}

static void only_a_written_state_gives_a_hint_about_mutation(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    run_with(spec, described(writes_the_state));
    /* The outcome was right: the story's hint is about another mistake. */
    assert_null(strstr(report.text, "A free seat"));
    assert_reported("  HINT: decide() only reads the state: never write "
                    "through the pointer (no cast that drops const), and "
                    "work on a local copy when you need one. The state "
                    "changes in evolve(), when the events are applied.\n");
}

static void a_decide_that_changes_its_mind_is_caught(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(changes_its_mind));
    assert_false(report.passed);
    assert_reported("decide() gave a different answer the second time: does "
                    "it read a clock, a global or random numbers?");
    assert_reported("first:  1 event(s)\n"
                    "          1. AttendeeRegistered");
    assert_reported("second: 1 event(s)\n"
                    "          1. AttendeeWaitlisted");
    /* The first answer was the expected one: the story's hint is not
     * about this mistake. */
    assert_null(strstr(report.text, "A free seat"));
    assert_reported("  HINT: decide() answers from the state and the command "
                    "alone");
}

static void a_decide_not_written_yet_is_reported_as_such(void **state)
{
    (void)state;
    run_with(ada_registers(), mutant(not_written_yet));
    assert_false(report.passed);
    assert_reported("decide() is not written yet: it returned ESK_ENOTIMPL");
}

/* Run a story whose expected and actual attendee names have `length`
 * characters and differ at `at`, and check that the caret of the report
 * stands under the first character that differs. */
static void check_caret(size_t length, size_t at)
{
    attendee_event expected = {{0}};
    register_attendee command = {{0}};
    memset(expected.attendee, 'a', length);
    memset(command.attendee, 'a', length);
    command.attendee[at] = 'b';

    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &(workshop_scheduled){"w-1", 5});
    esk_spec_when(spec, &command);
    esk_spec_then(spec, &registered_type, &expected);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);

    assert_false(report.passed);
    const char *e = strstr(report.text, "    1.    expected ");
    const char *a = strstr(report.text, "          actual   ");
    const char *caret = strstr(report.text, "^ first difference");
    assert_non_null(e);
    assert_non_null(a);
    assert_non_null(caret);
    const char *caret_line = caret;
    while (caret_line[-1] != '\n')
        caret_line--;
    size_t diff = strlen("          actual   ");
    while (e[diff] == a[diff])
        diff++;
    assert_int_equal((size_t)(caret - caret_line), diff);
    assert_int_equal(e[diff], 'a');
    assert_int_equal(a[diff], 'b');
}

/* Long events go one above the other, with a caret under the first
 * character that differs; very long ones show the part around it. */
static void long_events_are_compared_with_a_caret(void **state)
{
    (void)state;
    check_caret(60, 50);
    assert_null(strstr(report.text, "..."));
    check_caret(120, 110);
    assert_reported("    1.    expected ...aaa");
}

/* --- Mistakes in the spec itself ------------------------------------------ */

static void a_spec_without_when_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_then_nothing(spec);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has no when");
}

static void a_spec_without_then_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has no then");
}

static void expecting_events_and_an_error_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: the spec has both esk_spec_then "
                    "and esk_spec_then_error");
}

static void an_expected_event_the_codec_refuses_is_a_spec_error(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then(spec, &registered_type, &(attendee_event){"\xff"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in Workshop: then event 1 "
                    "(AttendeeRegistered) cannot be encoded: ");
}

static void a_mutant_with_another_state_is_a_spec_error(void **state)
{
    (void)state;
    esk_decider other = workshop_decider;
    other.state_size = 8;
    run_with(ada_registers(), other);
    assert_false(report.passed);
    assert_reported("the other decider's state is 8 bytes");
}

static void a_spec_that_could_not_be_created_is_reported(void **state)
{
    (void)state;
    esk_spec_given(NULL, &scheduled_type, &scheduled_w1);
    esk_spec_when(NULL, NULL);
    esk_spec_then_nothing(NULL);
    esk_spec_run(NULL, NULL, &report);
    assert_false(report.passed);
    assert_reported("the spec could not be created: out of memory");

    esk_projection_spec_given(NULL, "workshop-1", &scheduled_type,
                              &scheduled_w1);
    esk_projection_spec_run(NULL, &report);
    assert_false(report.passed);
    assert_reported("the spec could not be created: out of memory");
}

/* --- The workshop as an aggregate ----------------------------------------- */

typedef struct workshop {
    esk_aggregate base;
    bool scheduled;
    int64_t capacity;
    int64_t taken;
} workshop;

static void workshop_aggregate_evolve(void *state, const esk_event_type *type,
                                      const void *event)
{
    workshop *w = state;
    if (type == &scheduled_type) {
        const workshop_scheduled *e = event;
        w->scheduled = true;
        w->capacity = e->capacity;
    } else if (type == &registered_type) {
        w->taken++;
    }
}

static const esk_aggregate_type workshop_type = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop),
    .event_types = workshop_events,
    .event_type_count = 3,
    .evolve = workshop_aggregate_evolve,
};

static esk_status register_at(void *state, const void *arg)
{
    workshop *w = state;
    attendee_event e;
    snprintf(e.attendee, sizeof(e.attendee), "%s", (const char *)arg);
    if (!w->scheduled)
        return esk_domain_error(WORKSHOP_NOT_SCHEDULED,
                                "workshop '%s' is not scheduled", w->base.id);
    return esk_aggregate_raise(
        w, w->taken < w->capacity ? &registered_type : &waitlisted_type, &e);
}

static esk_status register_and_count_by_hand(void *state, const void *arg)
{
    esk_status rc = register_at(state, arg);
    ((workshop *)state)->taken++;
    return rc;
}

static esk_status register_then_refuse(void *state, const void *arg)
{
    register_at(state, arg);
    return esk_domain_error(WORKSHOP_NOT_SCHEDULED, "changed my mind");
}

static esk_spec *ada_registers_at(esk_spec_action action)
{
    esk_spec *spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when_call(spec, action, "ada");
    esk_spec_then(spec, &registered_type, &(attendee_event){"ada"});
    return spec;
}

static void an_aggregate_raises_the_expected_events(void **state)
{
    (void)state;
    ESK_SPEC_CHECK(ada_registers_at(register_at));
}

static void an_aggregate_refusal_is_checked_by_its_code(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_when_call(spec, register_at, "ada");
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    ESK_SPEC_CHECK(spec);
}

static void an_aggregate_refusal_shows_its_message(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_when_call(spec, register_at, "ada");
    esk_spec_then(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("  when    the behaviour, on Workshop 'w-1'\n");
    assert_reported("refused with error 1: workshop 'w-1' is not scheduled");
}

static void state_changed_outside_evolve_is_caught(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers_at(register_and_count_by_hand);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("the state after the command differs from the state "
                    "rebuilt from its events: change state only in evolve(), "
                    "through raised events");
    assert_reported("  HINT: a behaviour changes the state only by raising "
                    "events");
}

static void raising_then_refusing_is_caught(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when_call(spec, register_then_refuse, "ada");
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("raised 1 event(s) and then refused the command");
    assert_reported("  HINT: check every rule before raising the first "
                    "event");
}

static void an_aggregate_spec_refuses_a_decider_and_a_command(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers_at(register_at);
    esk_spec_run(spec, &workshop_decider, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("another decider was given for an aggregate spec");

    spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_when(spec, &(register_attendee){"ada"});
    esk_spec_then_nothing(spec);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
    assert_false(report.passed);
    assert_reported("use esk_spec_when_call");
}

/* --- The workshop's read model -------------------------------------------- */

static esk_status exec(esk_store *store, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message) ==
        SQLITE_OK)
        return ESK_OK;
    esk_error_set(ESK_ECALLBACK, "%s", message != NULL ? message : "");
    sqlite3_free(message);
    return ESK_ECALLBACK;
}

static esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return exec(store, "CREATE TABLE IF NOT EXISTS seats("
                       "workshop TEXT, attendee TEXT, PRIMARY KEY(workshop, "
                       "attendee))");
}

/* Idempotent: a registration is a row, inserted once. */
static esk_status seats_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    attendee_event e;
    char sql[512];
    if (esk_codec_decode_event(&registered_type, event, &e) != ESK_OK)
        return ESK_ECALLBACK;
    snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO seats VALUES('%s', '%s')",
             event->stream_id, e.attendee);
    return exec(store, sql);
}

static const char *const registrations_only[] = {"AttendeeRegistered"};

static const esk_projection seats_projection = {
    .name = "seats",
    .version = 1,
    .event_types = registrations_only,
    .event_type_count = 1,
    .handle = seats_handle,
    .setup = seats_setup,
};

static esk_status counter_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return exec(store, "CREATE TABLE IF NOT EXISTS taken("
                       "workshop TEXT PRIMARY KEY, count INTEGER)");
}

/* Not idempotent: an event applied twice counts twice. */
static esk_status counter_handle(void *ctx, esk_store *store,
                                 const esk_event *event)
{
    (void)ctx;
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO taken VALUES('%s', 1) ON CONFLICT(workshop) "
             "DO UPDATE SET count = count + 1",
             event->stream_id);
    return exec(store, sql);
}

static const esk_projection counter_projection = {
    .name = "taken",
    .version = 1,
    .event_types = registrations_only,
    .event_type_count = 1,
    .handle = counter_handle,
    .setup = counter_setup,
};

static const char seats_query[] =
    "SELECT workshop, count(*) FROM seats GROUP BY workshop ORDER BY 1";

static esk_projection_spec *two_registrations(const esk_projection *p)
{
    esk_projection_spec *spec = esk_projection_spec_new(p, true);
    esk_projection_spec_given(spec, "workshop-1", &scheduled_type,
                              &scheduled_w1);
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"ada"});
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"bob"});
    esk_projection_spec_given(spec, "workshop-2", &registered_type,
                              &(attendee_event){"cy"});
    esk_projection_spec_hint(spec, "Count the registrations per workshop.");
    return spec;
}

static void a_projection_builds_the_expected_rows(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query,
                                    "workshop-1|2\nworkshop-2|1");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void wrong_rows_are_shown_beside_the_expected_ones(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query,
                                    "workshop-1|3\nworkshop-2|1\n");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Projection spec failed: seats\n");
    assert_reported("  given   1. workshop-1: WorkshopScheduled ");
    assert_reported("  then    rows of SELECT workshop");
    assert_reported("    1.    workshop-1|3 | workshop-1|2   <- first "
                    "difference\n"
                    "    2.    workshop-2|1 | workshop-2|1\n");
    assert_reported("  HINT: Count the registrations per workshop.\n");
}

static void a_handler_that_counts_twice_is_not_idempotent(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&counter_projection);
    esk_projection_spec_expect_rows(
        spec, "SELECT workshop, count FROM taken ORDER BY 1",
        "workshop-1|2\nworkshop-2|1");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("applying each event twice changed the read model: make "
                    "the handler idempotent (e.g. INSERT OR REPLACE, or "
                    "check the event's position)");
    assert_reported("(each event applied twice)");
    assert_reported("workshop-1|2 | workshop-1|4   <- first difference");
}

static void rows_of_a_memory_store_are_a_spec_error(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&seats_projection, false);
    esk_projection_spec_expect_rows(spec, seats_query, "");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in seats: rows need a SQLite store");
}

static void a_failing_handler_is_reported_with_its_event(void **state)
{
    (void)state;
    esk_projection broken = seats_projection;
    broken.setup = NULL;
    esk_projection_spec *spec = two_registrations(&broken);
    esk_projection_spec_expect_rows(spec, seats_query, "");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("handle() failed on given event 2 (AttendeeRegistered "
                    "of 'workshop-1'): ");
    assert_reported("no such table: seats");
}

/* A read model in memory: how many registrations it has seen. */
typedef struct tally {
    int64_t registered;
    int64_t last_position;
    bool checks_position;
} tally;

static esk_status tally_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)store;
    tally *t = ctx;
    if (t->checks_position && event->position <= t->last_position)
        return ESK_OK;
    t->last_position = event->position;
    t->registered++;
    return ESK_OK;
}

static esk_status tally_reset(void *ctx, esk_store *store)
{
    (void)store;
    tally *t = ctx;
    t->registered = 0;
    t->last_position = 0;
    return ESK_OK;
}

static void tally_render(void *ctx, char *buf, size_t size)
{
    const tally *t = ctx;
    snprintf(buf, size, "registered: %lld\n", (long long)t->registered);
}

static esk_projection_spec *tally_spec(const esk_projection *p, tally *t,
                                       bool on_sqlite)
{
    esk_projection_spec *spec = esk_projection_spec_new(p, on_sqlite);
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"ada"});
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"bob"});
    esk_projection_spec_expect_text(spec, tally_render, t, "registered: 2");
    return spec;
}

static void a_read_model_in_ctx_gives_the_expected_text(void **state)
{
    (void)state;
    tally t = {0, 0, true};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    ESK_PROJECTION_SPEC_CHECK(tally_spec(&p, &t, false));
    ESK_PROJECTION_SPEC_CHECK(tally_spec(&p, &t, true));
}

static void a_read_model_in_ctx_that_counts_twice_is_caught(void **state)
{
    (void)state;
    tally t = {0, 0, false};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    for (int on_sqlite = 0; on_sqlite <= 1; on_sqlite++) {
        esk_projection_spec *spec = tally_spec(&p, &t, on_sqlite);
        esk_projection_spec_run(spec, &report);
        esk_projection_spec_free(spec);
        assert_false(report.passed);
        assert_reported("applying each event twice changed the read model");
        assert_reported("registered: 2 | registered: 4   <- first difference");
    }
}

static void a_projection_spec_without_expectation_is_a_spec_error(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in seats: the spec expects nothing");
}

/* --- Out of memory -------------------------------------------------------- */

static void run_decider_story(void)
{
    esk_spec *spec = ada_registers();
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
}

static void run_aggregate_story(void)
{
    esk_spec *spec = ada_registers_at(register_at);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
}

static void run_projection_story(bool on_sqlite)
{
    tally t = {0, 0, true};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    esk_projection_spec *spec = tally_spec(&p, &t, on_sqlite);
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
}

static void run_projection_story_on_memory(void)
{
    run_projection_story(false);
}

static void run_projection_story_on_sqlite(void)
{
    run_projection_story(true);
}

/* Fail every allocation of a story in turn: each run must report it
 * (never crash or leak), until a run without a failure passes. */
static void fail_each_allocation_of(void (*run)(void))
{
    for (long n = 0;; n++) {
        allocations = 0;
        fail_at = n;
        failed_one = false;
        run();
        fail_at = -1;
        if (!failed_one) {
            assert_true(report.passed);
            return;
        }
        assert_false(report.passed);
        assert_reported("out of memory");
    }
}

static void out_of_memory_in_a_decider_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_decider_story);
}

static void out_of_memory_in_an_aggregate_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_aggregate_story);
}

static void out_of_memory_in_a_projection_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_projection_story_on_memory);
    fail_each_allocation_of(run_projection_story_on_sqlite);
}

/* --- Checks that must fail the test --------------------------------------- */

static void a_failing_spec_check_fails_the_test(void **state)
{
    (void)state;
    esk_spec *spec = ada_registers();
    esk_spec_then(spec, &registered_type, &(attendee_event){"bob"});
    ESK_SPEC_CHECK(spec);
}

static void a_failing_projection_check_fails_the_test(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query, "workshop-1|9");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

int main(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_free_seat_is_taken_by_whoever_registers),
        cmocka_unit_test(a_full_workshop_waitlists_the_next_attendee),
        cmocka_unit_test(registering_for_an_unscheduled_workshop_is_refused),
        cmocka_unit_test(registering_again_changes_nothing),
        cmocka_unit_test(a_passing_run_reports_nothing),
        cmocka_unit_test(a_wrong_event_is_shown_beside_the_expected_one),
        cmocka_unit_test(a_missing_event_is_reported),
        cmocka_unit_test(an_extra_event_is_reported),
        cmocka_unit_test(a_wrong_error_code_is_reported),
        cmocka_unit_test(a_report_names_the_command_and_the_refusal),
        cmocka_unit_test(a_refusal_without_a_name_is_reported_by_its_number),
        cmocka_unit_test(events_where_an_error_was_expected_are_reported),
        cmocka_unit_test(an_error_where_events_were_expected_shows_its_message),
        cmocka_unit_test(events_where_nothing_was_expected_are_reported),
        cmocka_unit_test(a_decide_that_writes_the_state_is_caught),
        cmocka_unit_test(a_state_written_by_decide_is_shown_before_and_after),
        cmocka_unit_test(
            a_state_written_by_decide_is_named_by_its_field_offset),
        cmocka_unit_test(only_a_written_state_gives_a_hint_about_mutation),
        cmocka_unit_test(a_decide_that_changes_its_mind_is_caught),
        cmocka_unit_test(a_decide_not_written_yet_is_reported_as_such),
        cmocka_unit_test(long_events_are_compared_with_a_caret),
        cmocka_unit_test(a_spec_without_when_is_a_spec_error),
        cmocka_unit_test(a_spec_without_then_is_a_spec_error),
        cmocka_unit_test(expecting_events_and_an_error_is_a_spec_error),
        cmocka_unit_test(an_expected_event_the_codec_refuses_is_a_spec_error),
        cmocka_unit_test(a_mutant_with_another_state_is_a_spec_error),
        cmocka_unit_test(a_spec_that_could_not_be_created_is_reported),
        cmocka_unit_test(an_aggregate_raises_the_expected_events),
        cmocka_unit_test(an_aggregate_refusal_is_checked_by_its_code),
        cmocka_unit_test(an_aggregate_refusal_shows_its_message),
        cmocka_unit_test(state_changed_outside_evolve_is_caught),
        cmocka_unit_test(raising_then_refusing_is_caught),
        cmocka_unit_test(an_aggregate_spec_refuses_a_decider_and_a_command),
        cmocka_unit_test(a_projection_builds_the_expected_rows),
        cmocka_unit_test(wrong_rows_are_shown_beside_the_expected_ones),
        cmocka_unit_test(a_handler_that_counts_twice_is_not_idempotent),
        cmocka_unit_test(rows_of_a_memory_store_are_a_spec_error),
        cmocka_unit_test(a_failing_handler_is_reported_with_its_event),
        cmocka_unit_test(a_read_model_in_ctx_gives_the_expected_text),
        cmocka_unit_test(a_read_model_in_ctx_that_counts_twice_is_caught),
        cmocka_unit_test(a_projection_spec_without_expectation_is_a_spec_error),
        cmocka_unit_test(out_of_memory_in_a_decider_spec_is_reported),
        cmocka_unit_test(out_of_memory_in_an_aggregate_spec_is_reported),
        cmocka_unit_test(out_of_memory_in_a_projection_spec_is_reported),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    /* These must fail: the report they print below is expected. */
    const struct CMUnitTest must_fail[] = {
        cmocka_unit_test(a_failing_spec_check_fails_the_test),
        cmocka_unit_test(a_failing_projection_check_fails_the_test),
    };
    fprintf(stderr, "\nThe next 2 tests must fail, printing their report:\n");
    int expected_failures = cmocka_run_group_tests_name("checks_that_must_fail",
                                                        must_fail, NULL, NULL);
    if (expected_failures != 2) {
        fprintf(stderr, "%d of the 2 checks that must fail did fail\n",
                expected_failures);
        failed++;
    }
    return failed;
}
