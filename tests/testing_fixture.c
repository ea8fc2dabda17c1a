/*
 * tests/testing_fixture.c - what the given/when/then kit's tests share:
 * a checked allocator that can fail, the workshop as a decider with its
 * mutants, and a look at the last report.
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
void *test_malloc_fn(size_t size)
{
    return should_fail() ? NULL : test_malloc(size);
}
void *test_realloc_fn(void *ptr, size_t size)
{
    return should_fail() ? NULL : test_realloc(ptr, size);
}
void test_free_fn(void *ptr)
{
    test_free(ptr);
}

/* --- The workshop's events ------------------------------------------------ */

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, workshop_id, "workshopId"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
static const esk_field attendee_fields[] = {
    ESK_FIELD_STRING(attendee_event, attendee, "attendee"),
};
const esk_event_type scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);
const esk_event_type registered_type =
    ESK_EVENT_TYPE(attendee_event, "AttendeeRegistered", 1, attendee_fields);
const esk_event_type waitlisted_type =
    ESK_EVENT_TYPE(attendee_event, "AttendeeWaitlisted", 1, attendee_fields);
const esk_event_type *const workshop_events[] = {
    &scheduled_type, &registered_type, &waitlisted_type};

const workshop_scheduled scheduled_w1 = {"w-1", 1};

/* --- The workshop as a decider -------------------------------------------- */

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

const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop_state),
    .event_types = workshop_events,
    .event_type_count = 3,
    .evolve = workshop_evolve,
    .decide = workshop_decide,
};

/* The same decider with another decide(): a mutant with one mistake. */
esk_decider mutant(esk_status (*decide)(const void *, const void *,
                                        esk_decision *))
{
    esk_decider d = workshop_decider;
    d.decide = decide;
    return d;
}

esk_status waitlists_everyone(const void *state, const void *command,
                              esk_decision *decision)
{
    (void)state;
    const register_attendee *c = command;
    attendee_event e;
    snprintf(e.attendee, sizeof(e.attendee), "%s", c->attendee);
    return esk_decision_emit(decision, &waitlisted_type, &e);
}

esk_status decides_nothing(const void *state, const void *command,
                           esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return ESK_OK;
}

esk_status registers_twice(const void *state, const void *command,
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

esk_status refuses_with_wrong_code(const void *state, const void *command,
                                   esk_decision *decision)
{
    const workshop_state *s = state;
    if (!s->scheduled)
        return esk_decision_reject(decision, WORKSHOP_ALREADY_SCHEDULED,
                                   "the workshop is already scheduled");
    return workshop_decide(state, command, decision);
}

esk_status refuses_everything(const void *state, const void *command,
                              esk_decision *decision)
{
    (void)state;
    (void)command;
    return esk_decision_reject(decision, WORKSHOP_NOT_SCHEDULED,
                               "the workshop is not scheduled");
}

esk_status forgets_who_registered(const void *state, const void *command,
                                  esk_decision *decision)
{
    workshop_state copy = *(const workshop_state *)state;
    copy.last_attendee[0] = '\0';
    return workshop_decide(&copy, command, decision);
}

esk_status writes_the_state(const void *state, const void *command,
                            esk_decision *decision)
{
    (void)command;
    (void)decision;
    /* The mistake under test: casting const away to count in the state. */
    workshop_state *s = (workshop_state *)state;
    s->taken++;
    return ESK_OK;
}

esk_status changes_its_mind(const void *state, const void *command,
                            esk_decision *decision)
{
    static int calls;
    if (calls++ % 2 == 1)
        return waitlists_everyone(state, command, decision);
    return workshop_decide(state, command, decision);
}

esk_status not_written_yet(const void *state, const void *command,
                           esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return ESK_ENOTIMPL;
}

/* The story most tests tell: a workshop with one seat, ada registers. */
esk_spec *ada_registers(void)
{
    static const register_attendee ada = {"ada"};
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_given(spec, &scheduled_type, &scheduled_w1);
    esk_spec_when(spec, &ada);
    esk_spec_then(spec, &registered_type, &(attendee_event){"ada"});
    esk_spec_hint(spec, "A free seat is taken by whoever registers.");
    return spec;
}

esk_spec_report report;

void run_with(esk_spec *spec, esk_decider d)
{
    esk_spec_run(spec, &d, &report);
    esk_spec_free(spec);
}

/* Whether the last report says this, with a look at it when not. */
bool reported(const char *words)
{
    if (strstr(report.text, words) != NULL)
        return true;
    print_error("the report does not say\n%s\nit says\n%s", words, report.text);
    return false;
}

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

esk_decider described(esk_status (*decide)(const void *, const void *,
                                           esk_decision *))
{
    esk_decider d = mutant(decide);
    d.describe_command = describe_registration;
    d.error_name = workshop_error_name;
    d.describe_state = describe_workshop;
    return d;
}

/* Fail every allocation of a story in turn: each run must report it
 * (never crash or leak), until a run without a failure passes. */
void fail_each_allocation_of(void (*run)(void))
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
