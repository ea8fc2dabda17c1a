/*
 * test_decider_waitlist.c - cancelling, and the waitlist moving up: the specs
 * of CancelRegistration and PromoteFromWaitlist.
 */
#include "test_decider.h"

/* --- CancelRegistration --------------------------------------------------- */

void cancelling_a_seat_says_it_was_not_waitlisted(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "ada"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "ada",
                                            .was_waitlisted = false});
    esk_spec_hint(
        spec,
        "CancelRegistration ada, who has a seat: RegistrationCancelled with "
        "wasWaitlisted false tells every reader that a seat is free again.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_from_the_waitlist_says_so(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_waitlisted(spec, "bob", "Bob");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "bob"});
    esk_spec_then(spec, &registration_cancelled_type,
                  &(registration_cancelled){.workshop_id = "w-1",
                                            .attendee_id = "bob",
                                            .was_waitlisted = true});
    esk_spec_hint(spec, "CancelRegistration bob, who waits: wasWaitlisted is "
                        "true, and no seat is freed.");
    ESK_SPEC_CHECK(spec);
}

void cancelling_someone_not_registered_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = CANCEL_REGISTRATION,
                                            .workshop_id = "w-1",
                                            .attendee_id = "eve"});
    esk_spec_then_error(spec, NOT_REGISTERED);
    esk_spec_hint(spec,
                  "CancelRegistration eve, neither seated nor waiting: there "
                  "is nothing to cancel, so refuse with NOT_REGISTERED.");
    ESK_SPEC_CHECK(spec);
}

/* --- PromoteFromWaitlist -------------------------------------------------- */

void promotion_gives_the_free_seat_to_the_first_in_line(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_waitlisted(spec, "bob", "Bob");
    suite_given_waitlisted(spec, "cleo", "Cleo");
    suite_given_cancelled(spec, "ada", false);
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then(spec, &waitlisted_attendee_promoted_type,
                  &(waitlisted_attendee_promoted){.workshop_id = "w-1",
                                                  .attendee_id = "bob"});
    esk_spec_hint(spec, "PromoteFromWaitlist, ada's seat free, bob then cleo "
                        "waiting: the command names nobody, the state does "
                        "(s->waitlist[0] has waited longest).");
    ESK_SPEC_CHECK(spec);
}

void promoting_with_nobody_waiting_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 2);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NOBODY_WAITING);
    esk_spec_hint(spec, "PromoteFromWaitlist, a seat free but nobody waiting: "
                        "refuse with NOBODY_WAITING.");
    ESK_SPEC_CHECK(spec);
}

void promoting_in_a_full_workshop_with_nobody_waiting_says_so(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NOBODY_WAITING);
    esk_spec_hint(spec, "PromoteFromWaitlist, ada on the only seat and "
                        "nobody waiting: both rules are broken, and the "
                        "first one checked answers. Check for waiters "
                        "first (NOBODY_WAITING), then for a seat.");
    ESK_SPEC_CHECK(spec);
}

void promoting_without_a_free_seat_is_refused(void **state)
{
    (void)state;
    esk_spec *spec = esk_spec_decider(&workshop_decider);
    suite_given_scheduled(spec, 1);
    suite_given_registered(spec, "ada", "Ada Lovelace");
    suite_given_waitlisted(spec, "bob", "Bob");
    esk_spec_when(spec, &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                            .workshop_id = "w-1"});
    esk_spec_then_error(spec, NO_FREE_SEAT);
    esk_spec_hint(
        spec,
        "PromoteFromWaitlist, bob waiting but ada on the only seat: refuse "
        "with NO_FREE_SEAT (check for waiters first, then for a seat).");
    ESK_SPEC_CHECK(spec);
}
