/*
 * decide.c - the workshop's rules, as pure functions. YOU EDIT THIS FILE.
 *
 * decide() reads the state and the command and says what happens: events
 * to append, or a refusal with the domain's reason. It changes nothing,
 * so the same question always gets the same answer, and a test needs no
 * store: given events, when a command, then events.
 *
 * Write one static function per command (schedule, register_attendee...)
 * and let workshop_decide() choose by c->kind. Each in two halves, as in
 * exercise 03: check everything, refusing at the first rule broken; then
 * emit.
 */
#include "exercise.h"
#include "workshop.h"

/*
 * Decide what a command makes happen.
 *
 * state is a workshop_state (state.h), command a workshop_command
 * (workshop.h): start with
 *
 *   const workshop_state *s = state;
 *   const workshop_command *c = command;
 *
 * Read them, never write them. The rules, checked in the order given:
 *
 *   SCHEDULE_WORKSHOP
 *     refuse WORKSHOP_ALREADY_SCHEDULED  status is not WORKSHOP_UNSCHEDULED
 *     refuse INVALID_CAPACITY            capacity is not 1 to MAX_SEATS
 *     emit   WorkshopScheduled           id, title, date, capacity
 *   REGISTER_ATTENDEE
 *     refuse WORKSHOP_NOT_SCHEDULED      status is WORKSHOP_UNSCHEDULED
 *     refuse REGISTRATION_IS_CLOSED      status is WORKSHOP_CLOSED
 *     refuse ALREADY_REGISTERED          the attendee is seated or waiting
 *     emit   AttendeeRegistered          when a seat is free
 *     refuse WAITLIST_IS_FULL            else, when MAX_WAITING people wait
 *     emit   AttendeeWaitlisted          else
 *   CANCEL_REGISTRATION (allowed after closing)
 *     refuse NOT_REGISTERED              neither seated nor waiting
 *     emit   RegistrationCancelled       wasWaitlisted: was waiting
 *   PROMOTE_FROM_WAITLIST (allowed after closing)
 *     refuse NOBODY_WAITING              the waitlist is empty
 *     refuse NO_FREE_SEAT                no seat is free
 *     emit   WaitlistedAttendeePromoted  for s->waitlist[0]
 *   CLOSE_REGISTRATION
 *     refuse WORKSHOP_NOT_SCHEDULED, REGISTRATION_IS_CLOSED (as above)
 *     emit   RegistrationClosed          with the command's reason
 *
 * Every event's workshopId is the command's workshop_id.
 *   - to emit: fill the event struct, copy_text() for its strings, then
 *     return esk_decision_emit(decision, &attendee_registered_type, &e);
 *   - to refuse: return esk_decision_reject(decision, ALREADY_REGISTERED,
 *     "'%s' is already registered", c->attendee_id);
 * A command of no known kind is a bug of the caller, not a refusal:
 *     return esk_error_set(ESK_EINVAL, "unknown kind %d", (int)c->kind);
 */
esk_status workshop_decide(const void *state, const void *command,
                           esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return EXERCISE_TODO("workshop_decide");
}

/*
 * Whether the workshop's story is over: no command can change its stream
 * any more. esk_decider_handle() reports it (result.terminal), so that an
 * application may archive the stream.
 *
 * Careful: after closing, attendees may still cancel, and a freed seat may
 * still go to someone waiting. Which states does no command change?
 */
bool workshop_is_terminal(const void *state)
{
    (void)state;
    (void)EXERCISE_TODO("workshop_is_terminal");
    return false;
}
