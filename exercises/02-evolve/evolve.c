/*
 * evolve.c - a workshop's state, rebuilt from its events. YOU EDIT THIS
 * FILE.
 *
 * evolve answers one question: given the state so far and one more event,
 * what is the state now? Folding a stream is calling it once per event,
 * in order, from the zero state (workshop_fold() in state.c does that).
 */
#include "exercise.h"
#include "state.h"

/*
 * Apply one event to a workshop's state.
 *
 * state points to a workshop_state (see state.h); type says which event
 * happened (compare it with the types of events.h: &workshop_scheduled_type
 * ...), and event points to its struct (a workshop_scheduled when type is
 * &workshop_scheduled_type, and so on).
 *
 *   WorkshopScheduled           status WORKSHOP_OPEN, capacity the event's
 *   AttendeeRegistered          the attendee takes the next seat
 *   AttendeeWaitlisted          the attendee joins the end of the waitlist
 *   RegistrationCancelled       the attendee leaves the waitlist if
 *                               wasWaitlisted, else their seat
 *   WaitlistedAttendeePromoted  the attendee leaves the waitlist and takes
 *                               the next seat
 *   RegistrationClosed          status WORKSHOP_CLOSED
 *   any other type              nothing changes
 *
 * The event has already happened: do not check it against the rules (a
 * registration takes a seat even if the workshop looks full), and never
 * refuse one. An event that finds nothing to change (a cancellation of
 * someone unknown) changes nothing. No clock, no I/O, no globals: the same
 * events must always give the same state.
 */
void workshop_evolve(void *state, const esk_event_type *type, const void *event)
{
    (void)state;
    (void)type;
    (void)event;
    EXERCISE_TODO("workshop_evolve");
}
