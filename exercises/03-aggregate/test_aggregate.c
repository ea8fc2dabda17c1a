/*
 * test_aggregate.c - the Workshop aggregate's rules, as stories.
 *
 * Each spec reads: given these events (the workshop's past), when this
 * behaviour runs, then these events are raised, or the command is refused
 * with this error. Every spec also rebuilds the workshop from the given
 * and the raised events, and checks that it equals the workshop the
 * behaviour left behind: the state changes only through events.
 *
 * The last two tests save and load workshops in an event store, to show
 * what the boundary of an aggregate is for.
 */
#include <stdio.h>

#include <esk/testing.h>

#include "exercise.h"
#include "workshop.h"

/* --- The people, and the behaviours as the test kit calls them ----------- */

typedef struct person {
    const char *id;
    const char *name;
} person;

static const person ada = {"ada", "Ada Lovelace"};
static const person bob = {"bob", "Bob Kahn"};
static const person cleo = {"cleo", "Cleo Laine"};

typedef struct schedule_args {
    const char *title;
    const char *starts_on;
    int64_t capacity;
} schedule_args;

/* esk_spec_when_call runs a behaviour as f(aggregate, argument). */

static esk_status schedules(void *w, const void *arg)
{
    const schedule_args *a = arg;
    return workshop_schedule(w, a->title, a->starts_on, a->capacity);
}

static esk_status registers(void *w, const void *arg)
{
    const person *p = arg;
    return workshop_register(w, p->id, p->name);
}

static esk_status cancels(void *w, const void *arg)
{
    const person *p = arg;
    return workshop_cancel(w, p->id);
}

static esk_status closes(void *w, const void *arg)
{
    return workshop_close(w, arg);
}

/* The behaviours as the when of a spec, named in its report as the
 * command they stand for ("when    RegisterAttendee bob"). */

static void when_schedules(esk_spec *spec, const schedule_args *a)
{
    char label[96];
    snprintf(label, sizeof(label), "ScheduleWorkshop, capacity %lld",
             (long long)a->capacity);
    esk_spec_when_call(spec, schedules, a);
    esk_spec_label(spec, label);
}

static void when_registers(esk_spec *spec, const person *p)
{
    char label[96];
    snprintf(label, sizeof(label), "RegisterAttendee %s", p->id);
    esk_spec_when_call(spec, registers, p);
    esk_spec_label(spec, label);
}

static void when_cancels(esk_spec *spec, const person *p)
{
    char label[96];
    snprintf(label, sizeof(label), "CancelRegistration %s", p->id);
    esk_spec_when_call(spec, cancels, p);
    esk_spec_label(spec, label);
}

static void when_closes(esk_spec *spec, const char *reason)
{
    char label[96];
    snprintf(label, sizeof(label), "CloseRegistration (%s)", reason);
    esk_spec_when_call(spec, closes, reason);
    esk_spec_label(spec, label);
}

/* --- The past of workshop w-1 --------------------------------------------- */

static esk_spec *workshop_w1(void)
{
    return esk_spec_aggregate(&workshop_type, "w-1");
}

static void given_scheduled(esk_spec *spec, int64_t capacity)
{
    esk_spec_given(spec, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1",
                                         .title = "Event Sourcing 101",
                                         .starts_on = "2026-12-01",
                                         .capacity = capacity});
}

static void given_registered(esk_spec *spec, const person *p)
{
    attendee_registered e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    copy_text(e.name, sizeof(e.name), p->name);
    esk_spec_given(spec, &attendee_registered_type, &e);
}

static void given_waitlisted(esk_spec *spec, const person *p)
{
    attendee_waitlisted e = {.workshop_id = "w-1"};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    copy_text(e.name, sizeof(e.name), p->name);
    esk_spec_given(spec, &attendee_waitlisted_type, &e);
}

static void given_cancelled(esk_spec *spec, const person *p,
                            bool was_waitlisted)
{
    registration_cancelled e = {.workshop_id = "w-1",
                                .was_waitlisted = was_waitlisted};
    copy_text(e.attendee_id, sizeof(e.attendee_id), p->id);
    esk_spec_given(spec, &registration_cancelled_type, &e);
}

static void given_closed(esk_spec *spec)
{
    esk_spec_given(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
}

/* --- Scheduling ----------------------------------------------------------- */

static void scheduling_puts_the_workshop_on_the_calendar(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    when_schedules(spec,
                   &(schedule_args){"Event Sourcing 101", "2026-12-01", 12});
    esk_spec_then(spec, &workshop_scheduled_type,
                  &(workshop_scheduled){.workshop_id = "w-1",
                                        .title = "Event Sourcing 101",
                                        .starts_on = "2026-12-01",
                                        .capacity = 12});
    esk_spec_hint(spec, "Raise a WorkshopScheduled with the arguments, and "
                        "w->base.id as its workshopId: fill a "
                        "workshop_scheduled, then return "
                        "esk_aggregate_raise(w, &workshop_scheduled_type, "
                        "&e).");
    ESK_SPEC_CHECK(spec);
}

static void a_capacity_outside_1_to_64_is_refused(void **unused)
{
    (void)unused;
    const int64_t wrong[] = {0, -1, MAX_SEATS + 1};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
        esk_spec *spec = workshop_w1();
        when_schedules(spec, &(schedule_args){"Event Sourcing 101",
                                              "2026-12-01", wrong[i]});
        esk_spec_then_error(spec, INVALID_CAPACITY);
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "A workshop has 1 to MAX_SEATS (%d) seats: refuse a "
                 "capacity of %lld with esk_domain_error("
                 "INVALID_CAPACITY, ...), before raising anything.",
                 MAX_SEATS, (long long)wrong[i]);
        esk_spec_hint(spec, hint);
        ESK_SPEC_CHECK(spec);
    }
}

static void a_capacity_of_1_or_64_is_accepted(void **unused)
{
    (void)unused;
    const int64_t bounds[] = {1, MAX_SEATS};
    for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        esk_spec *spec = workshop_w1();
        esk_spec_when_call(
            spec, schedules,
            &(schedule_args){"Event Sourcing 101", "2026-12-01", bounds[i]});
        esk_spec_then(spec, &workshop_scheduled_type,
                      &(workshop_scheduled){.workshop_id = "w-1",
                                            .title = "Event Sourcing 101",
                                            .starts_on = "2026-12-01",
                                            .capacity = bounds[i]});
        char hint[256];
        snprintf(hint, sizeof(hint),
                 "1 and MAX_SEATS (%d) are both allowed: a capacity of "
                 "%lld is on the edge, not outside it. Refuse only below "
                 "1 or above MAX_SEATS (< and >, not <= or >=).",
                 MAX_SEATS, (long long)bounds[i]);
        esk_spec_hint(spec, hint);
        ESK_SPEC_CHECK(spec);
    }
}

static void scheduling_twice_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 12);
    when_schedules(spec,
                   &(schedule_args){"Event Sourcing 102", "2027-01-15", 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(spec, "The past says it is scheduled: w->state.status is "
                        "no longer WORKSHOP_UNSCHEDULED. Refuse with "
                        "WORKSHOP_ALREADY_SCHEDULED.");
    ESK_SPEC_CHECK(spec);
    spec = workshop_w1();
    given_scheduled(spec, 12);
    given_closed(spec);
    esk_spec_when_call(
        spec, schedules,
        &(schedule_args){"Event Sourcing 102", "2027-01-15", 20});
    esk_spec_then_error(spec, WORKSHOP_ALREADY_SCHEDULED);
    esk_spec_hint(spec, "Closed is still scheduled: a workshop is put on "
                        "the calendar once. Refuse whenever the status is "
                        "not WORKSHOP_UNSCHEDULED, closed included.");
    ESK_SPEC_CHECK(spec);
}

/* --- Registering ---------------------------------------------------------- */

static void registering_takes_a_free_seat(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 2);
    when_registers(spec, &ada);
    esk_spec_then(spec, &attendee_registered_type,
                  &(attendee_registered){.workshop_id = "w-1",
                                         .attendee_id = "ada",
                                         .name = "Ada Lovelace"});
    esk_spec_hint(spec, "A free seat (workshop_free_seats(&w->state) > 0) "
                        "goes to whoever registers: raise "
                        "AttendeeRegistered with workshopId, attendeeId and "
                        "name.");
    ESK_SPEC_CHECK(spec);
}

static void registering_for_a_full_workshop_joins_the_waitlist(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 1);
    given_registered(spec, &ada);
    when_registers(spec, &bob);
    esk_spec_then(spec, &attendee_waitlisted_type,
                  &(attendee_waitlisted){.workshop_id = "w-1",
                                         .attendee_id = "bob",
                                         .name = "Bob Kahn"});
    esk_spec_hint(spec, "No free seat is not a refusal: it is another fact. "
                        "Raise AttendeeWaitlisted instead of "
                        "AttendeeRegistered.");
    ESK_SPEC_CHECK(spec);
}

static void registering_twice_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 1);
    given_registered(spec, &ada);
    when_registers(spec, &ada);
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec, "ada has a seat already "
                        "(workshop_is_seated(&w->state, attendee_id)): "
                        "refuse with ALREADY_REGISTERED.");
    ESK_SPEC_CHECK(spec);

    spec = workshop_w1();
    given_scheduled(spec, 1);
    given_registered(spec, &ada);
    given_waitlisted(spec, &bob);
    when_registers(spec, &bob);
    esk_spec_then_error(spec, ALREADY_REGISTERED);
    esk_spec_hint(spec, "bob is on the waitlist already "
                        "(workshop_is_waiting): waiting counts as "
                        "registered. Refuse with ALREADY_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

static void registering_before_scheduling_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    when_registers(spec, &ada);
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(spec, "No past, no workshop: with status "
                        "WORKSHOP_UNSCHEDULED, refuse with "
                        "WORKSHOP_NOT_SCHEDULED (and do not put ada on a "
                        "waitlist of a workshop with 0 seats).");
    ESK_SPEC_CHECK(spec);
}

static void registering_after_closing_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 12);
    given_closed(spec);
    when_registers(spec, &ada);
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "With status WORKSHOP_CLOSED, refuse with "
                        "REGISTRATION_IS_CLOSED, even though seats are "
                        "free.");
    ESK_SPEC_CHECK(spec);
}

/* --- Cancelling ----------------------------------------------------------- */

static void cancelling_a_seat_frees_it(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 2);
    given_registered(spec, &ada);
    when_cancels(spec, &ada);
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(spec, "Raise RegistrationCancelled; ada had a seat, so "
                        "wasWaitlisted is false.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_a_place_on_the_waitlist_says_so(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 1);
    given_registered(spec, &ada);
    given_waitlisted(spec, &bob);
    when_cancels(spec, &bob);
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .was_waitlisted = true});
    esk_spec_hint(spec, "bob was waiting (workshop_is_waiting), so "
                        "wasWaitlisted is true: whoever reads the event "
                        "learns that no seat was freed.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_someone_not_registered_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 2);
    given_registered(spec, &ada);
    when_cancels(spec, &cleo);
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec, "cleo neither sits nor waits: refuse with "
                        "NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);

    spec = workshop_w1();
    given_scheduled(spec, 2);
    given_registered(spec, &ada);
    given_cancelled(spec, &ada, false);
    when_cancels(spec, &ada);
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec, "ada registered, then cancelled: the state folded "
                        "from those events has no ada any more. Ask the "
                        "state, not the history: refuse with "
                        "NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

static void cancelling_after_closing_is_allowed(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 12);
    given_registered(spec, &ada);
    given_closed(spec);
    esk_spec_when_call(spec, cancels, &ada);
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(spec, "Closing stops new registrations, not cancellations: "
                        "ada can still say she will not come. Cancelling "
                        "checks only that she is registered, not that the "
                        "workshop is open.");
    ESK_SPEC_CHECK(spec);
}

/* --- Closing -------------------------------------------------------------- */

static void closing_stops_registration_and_says_why(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 12);
    given_registered(spec, &ada);
    when_closes(spec, "deadline");
    esk_spec_then(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "deadline"});
    esk_spec_hint(spec, "Raise RegistrationClosed with the reason given.");
    ESK_SPEC_CHECK(spec);
}

static void closing_twice_or_before_scheduling_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = workshop_w1();
    given_scheduled(spec, 12);
    given_closed(spec);
    when_closes(spec, "trainer");
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "It is closed already: refuse with "
                        "REGISTRATION_IS_CLOSED rather than record a second "
                        "closing.");
    ESK_SPEC_CHECK(spec);

    spec = workshop_w1();
    when_closes(spec, "trainer");
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(spec, "There is nothing to close before the workshop is "
                        "scheduled: refuse with WORKSHOP_NOT_SCHEDULED.");
    ESK_SPEC_CHECK(spec);
}

/* --- The limits of a fixed-size state ------------------------------------- */

/* A workshop of one seat, taken by ada, with waiters people waiting:
 * too long a story to print in a spec, so it is folded into the state
 * here, as a load would. */
static void fold_one_seat_and_waiters(workshop *w, int waiters)
{
    check_status(esk_aggregate_init(w, &workshop_type, "w-1"), ESK_OK,
                 "A new aggregate starts empty: esk_aggregate_init.");
    workshop_evolve(&w->state, &workshop_scheduled_type,
                    &(workshop_scheduled){.workshop_id = "w-1",
                                          .title = "Event Sourcing 101",
                                          .starts_on = "2026-12-01",
                                          .capacity = 1});
    workshop_evolve(&w->state, &attendee_registered_type,
                    &(attendee_registered){.workshop_id = "w-1",
                                           .attendee_id = "ada",
                                           .name = "Ada Lovelace"});
    for (int i = 0; i < waiters; i++) {
        attendee_waitlisted e = {.workshop_id = "w-1", .name = "Someone"};
        snprintf(e.attendee_id, sizeof(e.attendee_id), "waiter-%d", i + 1);
        workshop_evolve(&w->state, &attendee_waitlisted_type, &e);
    }
}

/* The name of the i-th event raised and not saved yet, or "(none)". */
static const char *pending_name(const workshop *w, size_t i)
{
    const esk_event_type *type = NULL;
    const char *json = NULL;
    if (esk_aggregate_pending(w, i, &type, &json) != ESK_OK)
        return "(none)";
    return type->name;
}

static void a_full_waitlist_takes_nobody_more(void **unused)
{
    (void)unused;
    workshop w;
    fold_one_seat_and_waiters(&w, MAX_WAITING);

    check_status(workshop_register(&w, "bob", "Bob Kahn"), ESK_EDOMAIN,
                 "MAX_WAITING people wait already, and the state has no "
                 "room for one more: refuse with esk_domain_error("
                 "WAITLIST_IS_FULL, ...) when waitlist_count is "
                 "MAX_WAITING.");
    check_error_code(esk_error_last()->code, WAITLIST_IS_FULL,
                     workshop_type.error_name,
                     "The workshop is full and so is its waitlist: the code "
                     "is WAITLIST_IS_FULL.");
    check_int(esk_aggregate_pending_count(&w), 0,
              "A refused command raises nothing.");
    esk_aggregate_release(&w);
}

static void the_last_place_on_the_waitlist_is_taken(void **unused)
{
    (void)unused;
    workshop w;
    fold_one_seat_and_waiters(&w, MAX_WAITING - 1);

    esk_status rc = workshop_register(&w, "bob", "Bob Kahn");
    if (rc != ESK_OK)
        print_error("the workshop said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "MAX_WAITING - 1 people wait: there is room for one more. "
                 "The waitlist is full when waitlist_count reaches "
                 "MAX_WAITING (>=), not one place before.");
    check_string(pending_name(&w, 0), "AttendeeWaitlisted",
                 "The seat is taken, the line has room: bob waits.");
    esk_aggregate_release(&w);
}

static void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **unused)
{
    (void)unused;
    workshop w;
    fold_one_seat_and_waiters(&w, MAX_WAITING);
    /* ada leaves: a seat is free until someone is promoted into it. */
    workshop_evolve(&w.state, &registration_cancelled_type,
                    &(registration_cancelled){.workshop_id = "w-1",
                                              .attendee_id = "ada",
                                              .was_waitlisted = false});

    esk_status rc = workshop_register(&w, "bob", "Bob Kahn");
    if (rc != ESK_OK)
        print_error("the workshop said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "A seat is free: WAITLIST_IS_FULL is only for a workshop "
                 "with no free seat. Ask for a free seat first; look at "
                 "the waitlist only when there is none.");
    check_string(pending_name(&w, 0), "AttendeeRegistered",
                 "A free seat goes to whoever registers.");
    esk_aggregate_release(&w);
}

/* --- In an event store: the aggregate as a consistency boundary ---------- */

/* A behaviour that must succeed; when it does not, what it said. */
static void expect_accepted(esk_status rc, const char *what, const char *hint,
                            const char *file, int line)
{
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the workshop said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

#define check_accepted(call, hint)                                             \
    expect_accepted((call), #call, (hint), __FILE__, __LINE__)

static void expect_stored(esk_status rc, const char *what, const char *hint,
                          const char *file, int line)
{
    if (rc != ESK_OK)
        print_error("the repository said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

#define check_stored(call, hint)                                               \
    expect_stored((call), #call, (hint), __FILE__, __LINE__)

static void a_workshop_is_saved_as_events_and_loaded_from_them(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    workshop w;

    /* Monday: the trainer schedules workshop w-1, with two seats. */
    exercise_say("Monday: schedule w-1, 2 seats");
    check_status(esk_aggregate_init(&w, &workshop_type, "w-1"), ESK_OK,
                 "A new aggregate starts empty: esk_aggregate_init.");
    check_accepted(workshop_schedule(&w, "Event Sourcing 101", "2026-12-01", 2),
                   "Scheduling a new workshop with 2 seats works.");
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store always opens.");
    exercise_watch_store(store);
    check_status(esk_repository_new(&repo, store, &workshop_type, NULL), ESK_OK,
                 "The repository accepts workshop_type.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Saving appends the raised events to stream workshop-w-1.");
    esk_aggregate_release(&w);

    /* Tuesday: three registrations, each on the workshop as loaded. */
    exercise_say("Tuesday: ada, bob and cleo register");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_register(&w, "ada", "Ada Lovelace"),
                   "ada takes the first of two seats.");
    check_accepted(workshop_register(&w, "bob", "Bob Kahn"),
                   "bob takes the second seat.");
    check_accepted(workshop_register(&w, "cleo", "Cleo Laine"),
                   "cleo registers for a full workshop: she waits.");
    check_string(pending_name(&w, 2), "AttendeeWaitlisted",
                 "Each behaviour sees the state its earlier events left: "
                 "after ada and bob, no seat is free for cleo.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Three events raised, three events saved.");
    esk_aggregate_release(&w);

    /* Wednesday: bob cancels, and cleo gets his seat. */
    exercise_say("Wednesday: bob cancels, cleo is promoted");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_cancel(&w, "bob"),
                   "bob has a seat: he may cancel it.");
    check_accepted(workshop_promote_from_waitlist(&w),
                   "bob's seat is free and cleo waits: the cancellation's "
                   "event must have freed the seat in the state.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Two more events saved.");
    esk_aggregate_release(&w);

    /* Thursday: the workshop is what its six events say. */
    exercise_say("Thursday: load w-1 again from its events");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_int(w.base.version, 6,
              "Scheduled, 3 registrations, a cancellation and a promotion: "
              "each behaviour raises exactly one event.");
    check_int(w.state.seated_count, 2,
              "ada and cleo have the two seats once the stream is folded.");
    check_string(w.state.seated[1], "cleo",
                 "cleo was promoted into the seat bob freed.");
    check_int(w.state.waitlist_count, 0, "Nobody waits any more.");
    esk_aggregate_release(&w);

    esk_repository_free(repo);
    esk_store_free(store);
}

static void two_registrations_for_the_last_seat_cannot_both_win(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    workshop w;
    workshop for_ada;
    workshop for_bob;

    /* The trainer schedules workshop w-1, with one seat. */
    exercise_say("schedule w-1, 1 seat");
    check_status(esk_aggregate_init(&w, &workshop_type, "w-1"), ESK_OK,
                 "A new aggregate starts empty: esk_aggregate_init.");
    check_accepted(workshop_schedule(&w, "Event Sourcing 101", "2026-12-01", 1),
                   "Scheduling a new workshop with 1 seat works.");
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store always opens.");
    exercise_watch_store(store);
    check_status(esk_repository_new(&repo, store, &workshop_type, NULL), ESK_OK,
                 "The repository accepts workshop_type.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Saving appends WorkshopScheduled to workshop-w-1.");
    esk_aggregate_release(&w);

    /* ada and bob open the page at the same moment: two copies of the
     * workshop at version 1, each with one free seat. */
    exercise_say("ada and bob both load w-1 at version 1, both register");
    check_stored(esk_repository_load(repo, "w-1", &for_ada),
                 "Loading folds the stream into a workshop.");
    check_stored(esk_repository_load(repo, "w-1", &for_bob),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_register(&for_ada, "ada", "Ada Lovelace"),
                   "ada's copy has a free seat.");
    check_accepted(workshop_register(&for_bob, "bob", "Bob Kahn"),
                   "bob's copy has a free seat too: it cannot know about "
                   "ada.");
    check_string(pending_name(&for_bob, 0), "AttendeeRegistered",
                 "bob's copy still shows the seat free.");

    check_stored(esk_repository_save(repo, &for_ada, NULL, NULL),
                 "The first save wins: the stream is at version 2 now.");
    esk_status rc = esk_repository_save(repo, &for_bob, NULL, NULL);
    exercise_say("ada saved first; bob's save: %s", esk_status_str(rc));
    check_status(rc, ESK_ECONCURRENCY,
                 "bob's copy was loaded at version 1; the stream moved on. "
                 "The store refuses the save, so the last seat cannot be "
                 "sold twice: one aggregate, one stream, one version.");

    /* bob tries again, on the workshop as it is now. */
    exercise_say("bob loads w-1 again and registers once more");
    esk_aggregate_release(&for_bob);
    check_stored(esk_repository_load(repo, "w-1", &for_bob),
                 "Loading again folds ada's registration in.");
    check_accepted(workshop_register(&for_bob, "bob", "Bob Kahn"),
                   "bob may register: he joins the waitlist.");
    check_string(pending_name(&for_bob, 0), "AttendeeWaitlisted",
                 "Loaded again, the workshop is full: the same command now "
                 "puts bob on the waitlist.");
    check_stored(esk_repository_save(repo, &for_bob, NULL, NULL),
                 "This time the save expects the right version.");

    esk_aggregate_release(&for_ada);
    esk_aggregate_release(&for_bob);
    esk_repository_free(repo);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scheduling_puts_the_workshop_on_the_calendar),
        cmocka_unit_test(a_capacity_outside_1_to_64_is_refused),
        cmocka_unit_test(a_capacity_of_1_or_64_is_accepted),
        cmocka_unit_test(scheduling_twice_is_refused),
        cmocka_unit_test(registering_takes_a_free_seat),
        cmocka_unit_test(registering_for_a_full_workshop_joins_the_waitlist),
        cmocka_unit_test(registering_twice_is_refused),
        cmocka_unit_test(registering_before_scheduling_is_refused),
        cmocka_unit_test(registering_after_closing_is_refused),
        cmocka_unit_test(cancelling_a_seat_frees_it),
        cmocka_unit_test(cancelling_a_place_on_the_waitlist_says_so),
        cmocka_unit_test(cancelling_someone_not_registered_is_refused),
        cmocka_unit_test(cancelling_after_closing_is_allowed),
        cmocka_unit_test(closing_stops_registration_and_says_why),
        cmocka_unit_test(closing_twice_or_before_scheduling_is_refused),
        cmocka_unit_test(a_full_waitlist_takes_nobody_more),
        cmocka_unit_test(the_last_place_on_the_waitlist_is_taken),
        cmocka_unit_test(a_free_seat_is_taken_even_when_the_waitlist_is_full),
        cmocka_unit_test(a_workshop_is_saved_as_events_and_loaded_from_them),
        cmocka_unit_test(two_registrations_for_the_last_seat_cannot_both_win),
    };
    return cmocka_run_group_tests_name("03-aggregate", tests, NULL, NULL);
}
