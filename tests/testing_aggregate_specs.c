/*
 * tests/testing_aggregate_specs.c - aggregate specs: the workshop as an
 * aggregate, with mutants that change state outside evolve or raise
 * then refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testing_fixture.h"

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

void an_aggregate_raises_the_expected_events(void **state)
{
    (void)state;
    ESK_SPEC_CHECK(ada_registers_at(register_at));
}

void an_aggregate_refusal_is_checked_by_its_code(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_aggregate(&workshop_type, "w-1");
    esk_spec_when_call(spec, register_at, "ada");
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    ESK_SPEC_CHECK(spec);
}

void an_aggregate_refusal_shows_its_message(void **state)
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

void state_changed_outside_evolve_is_caught(void **state)
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

void raising_then_refusing_is_caught(void **state)
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

void an_aggregate_spec_refuses_a_decider_and_a_command(void **state)
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

/* --- Out of memory -------------------------------------------------------- */

static void run_aggregate_story(void)
{
    esk_spec *spec = ada_registers_at(register_at);
    esk_spec_run(spec, NULL, &report);
    esk_spec_free(spec);
}

void out_of_memory_in_an_aggregate_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_aggregate_story);
}
