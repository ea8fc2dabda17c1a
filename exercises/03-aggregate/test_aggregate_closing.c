/*
 * test_aggregate_closing.c - closing registration, and the limits of a
 * fixed-size state.
 */
#include "test_aggregate.h"

/* --- Closing -------------------------------------------------------------- */

void closing_stops_registration_and_says_why(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    suite_given_registered(spec, &ada);
    suite_when_closes(spec, "deadline");
    esk_spec_then(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "deadline"});
    esk_spec_hint(spec, "Raise RegistrationClosed with the reason given.");
    ESK_SPEC_CHECK(spec);
}

void closing_twice_or_before_scheduling_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
    suite_when_closes(spec, "trainer");
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "It is closed already: refuse with "
                        "REGISTRATION_IS_CLOSED rather than record a second "
                        "closing.");
    ESK_SPEC_CHECK(spec);

    spec = suite_workshop_w1();
    suite_when_closes(spec, "trainer");
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
const char *suite_pending_name(const workshop *w, size_t i)
{
    const esk_event_type *type = NULL;
    const char *json = NULL;
    if (esk_aggregate_pending(w, i, &type, &json) != ESK_OK)
        return "(none)";
    return type->name;
}

void a_full_waitlist_takes_nobody_more(void **unused)
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

void the_last_place_on_the_waitlist_is_taken(void **unused)
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
    check_string(suite_pending_name(&w, 0), "AttendeeWaitlisted",
                 "The seat is taken, the line has room: bob waits.");
    esk_aggregate_release(&w);
}

void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **unused)
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
    check_string(suite_pending_name(&w, 0), "AttendeeRegistered",
                 "A free seat goes to whoever registers.");
    esk_aggregate_release(&w);
}
