/*
 * test_decider_closing.c - closing registration, the limits of the waitlist,
 * and when a workshop is over (is_terminal).
 */
#include "test_decider.h"

/* --- CloseRegistration ---------------------------------------------------- */

void closing_stops_registration(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 12);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "trainer"});
    esk_spec_then(
        spec, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    esk_spec_hint(spec, "CloseRegistration: emit RegistrationClosed with the "
                        "command's reason.");
    ESK_SPEC_CHECK(spec);
}

void closing_twice_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 12);
    suite_given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "deadline"});
    esk_spec_then_error(spec, REGISTRATION_IS_CLOSED);
    esk_spec_hint(spec, "CloseRegistration of a closed workshop: refuse with "
                        "REGISTRATION_IS_CLOSED, the rule RegisterAttendee "
                        "checks too.");
    ESK_SPEC_CHECK(spec);
}

void closing_an_unscheduled_workshop_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    esk_spec_when(spec, &(workshop_command){.kind = CLOSE_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .reason = "trainer"});
    esk_spec_then_error(spec, WORKSHOP_NOT_SCHEDULED);
    esk_spec_hint(spec, "CloseRegistration with no past: there is no "
                        "workshop to close. Refuse with "
                        "WORKSHOP_NOT_SCHEDULED, as RegisterAttendee does: "
                        "the two commands share that rule.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_after_closing_is_still_allowed(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_closed(spec);
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(spec, "CancelRegistration ada after closing: closing stops "
                        "new registrations, not the lives of those registered. "
                        "Of the commands, only RegisterAttendee and "
                        "CloseRegistration care that it is closed.");
    ESK_SPEC_CHECK(spec);
}

void a_seat_freed_after_closing_still_goes_to_the_waitlist(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_waitlisted(spec, "bob", "Bob");
    suite_given_closed(spec);
    suite_given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then(spec, &waitlisted_attendee_promoted_type,
                  &(waitlisted_attendee_promoted){.workshop_id = "w-1",
                                                  .attendee_id = "bob"});
    esk_spec_hint(spec,
                  "PromoteFromWaitlist after closing, ada's seat free: bob was "
                  "promised the next free seat when he joined the waitlist, "
                  "and closing does not break the promise.");
    ESK_SPEC_CHECK(spec);
}

void a_full_waitlist_takes_nobody_else(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        suite_given_waitlisted(spec, id, "A. Waiter");
    }
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then_error(spec, WAITLIST_IS_FULL);
    esk_spec_hint(spec,
                  "RegisterAttendee late, MAX_WAITING people waiting: the "
                  "state holds no more, so refuse with WAITLIST_IS_FULL, or "
                  "evolve() would drop a fact that decide() let happen.");
    ESK_SPEC_CHECK(spec);
}

void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        suite_given_waitlisted(spec, id, "A. Waiter");
    }
    suite_given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then(spec, &attendee_registered_type,
                  &(attendee_registered){.workshop_id = "w-1",
                                         .attendee_id = "late",
                                         .name = "Late Comer"});
    esk_spec_hint(spec, "RegisterAttendee late, ada's seat free, MAX_WAITING "
                        "people waiting: a free seat goes to whoever "
                        "registers. WAITLIST_IS_FULL is only for a workshop "
                        "with no free seat: ask for a seat first.");
    ESK_SPEC_CHECK(spec);
}

void the_last_place_on_the_waitlist_is_taken(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    for (int i = 0; i < MAX_WAITING - 1; i++) {
        char id[ID_SIZE];
        snprintf(id, sizeof(id), "waiter-%d", i + 1);
        suite_given_waitlisted(spec, id, "A. Waiter");
    }
    esk_spec_when(spec, &(workshop_command){.kind = REGISTER_ATTENDEE,
                                            .workshop_id = "w-1",
                                            .attendee_id = "late",
                                            .name = "Late Comer"});
    esk_spec_then(spec, &attendee_waitlisted_type,
                  &(attendee_waitlisted){.workshop_id = "w-1",
                                         .attendee_id = "late",
                                         .name = "Late Comer"});
    esk_spec_hint(spec, "RegisterAttendee late, MAX_WAITING - 1 people "
                        "waiting: one place is left, and late takes it. The "
                        "waitlist is full when waitlist_count reaches "
                        "MAX_WAITING, not one place before.");
    ESK_SPEC_CHECK(spec);
}

/* --- is_terminal ---------------------------------------------------------- */

/* Apply one event to a state, as esk does when it loads a stream. */
void suite_happened(workshop_state *w, const esk_event_type *type,
                    const void *event)
{
    workshop_decider.evolve(w, type, event);
}

void only_a_closed_workshop_with_nobody_left_is_terminal(void **state)
{
    (void)state;
    workshop_state w = {0}; /* nothing has happened yet */
    const char *workshop_is_terminal_says = NULL;

    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "An unscheduled workshop can still be scheduled: not "
                 "terminal.");

    suite_happened(&w, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1", .capacity = 1});
    suite_happened(
        &w, &attendee_registered_type,
        &(attendee_registered){.workshop_id = "w-1", .attendee_id = "ada"});
    suite_happened(
        &w, &attendee_waitlisted_type,
        &(attendee_waitlisted){.workshop_id = "w-1", .attendee_id = "bob"});
    suite_happened(
        &w, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, but ada is seated and bob waits: either may still "
                 "cancel, and that changes the stream. Closed alone is not "
                 "terminal.");

    suite_happened(
        &w, &registration_cancelled_type,
        &(registration_cancelled){.workshop_id = "w-1", .attendee_id = "ada"});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, nobody seated, but bob still waits: ada's seat is "
                 "free, so bob may be promoted, or cancel. A waiter keeps "
                 "the story going as much as a seated attendee.");

    suite_happened(&w, &registration_cancelled_type,
                   &(registration_cancelled){.workshop_id = "w-1",
                                             .attendee_id = "bob",
                                             .was_waitlisted = true});
    workshop_is_terminal_says = workshop_decider.is_terminal(&w) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "yes",
                 "Closed, nobody seated, nobody waiting: every command is now "
                 "refused, so the story is over. Return true for exactly "
                 "that state.");

    workshop_state seated_only = {0};
    suite_happened(&seated_only, &workshop_scheduled_type,
                   &(workshop_scheduled){.workshop_id = "w-1", .capacity = 2});
    suite_happened(
        &seated_only, &attendee_registered_type,
        &(attendee_registered){.workshop_id = "w-1", .attendee_id = "ada"});
    suite_happened(
        &seated_only, &registration_closed_type,
        &(registration_closed){.workshop_id = "w-1", .reason = "trainer"});
    workshop_is_terminal_says =
        workshop_decider.is_terminal(&seated_only) ? "yes" : "no";
    check_string(workshop_is_terminal_says, "no",
                 "Closed, nobody waiting, but ada is seated: she may still "
                 "cancel, and that changes the stream. Terminal needs "
                 "nobody seated and nobody waiting.");
}
