/*
 * test_aggregate_cancelling.c - cancelling a registration: a seat freed, a
 * place on the waitlist given up.
 */
#include "test_aggregate.h"

/* --- Cancelling ----------------------------------------------------------- */

void cancelling_a_seat_frees_it(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, &ada);
    suite_when_cancels(spec, &ada);
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(spec, "Raise RegistrationCancelled; ada had a seat, so "
                        "wasWaitlisted is false.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_a_place_on_the_waitlist_says_so(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, &ada);
    suite_given_waitlisted(spec, &bob);
    suite_when_cancels(spec, &bob);
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .was_waitlisted = true});
    esk_spec_hint(spec, "bob was waiting (workshop_is_waiting), so "
                        "wasWaitlisted is true: whoever reads the event "
                        "learns that no seat was freed.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_someone_not_registered_is_refused(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, &ada);
    suite_when_cancels(spec, &cleo);
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec, "cleo neither sits nor waits: refuse with "
                        "NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);

    spec = suite_workshop_w1();
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, &ada);
    suite_given_cancelled(spec, &ada, false);
    suite_when_cancels(spec, &ada);
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec, "ada registered, then cancelled: the state folded "
                        "from those events has no ada any more. Ask the "
                        "state, not the history: refuse with "
                        "NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_after_closing_is_allowed(void **unused)
{
    (void)unused;
    esk_spec *spec = suite_workshop_w1();
    suite_given_scheduled(spec, 12);
    suite_given_registered(spec, &ada);
    suite_given_closed(spec);
    esk_spec_when_call(spec, suite_cancels, &ada);
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
