/*
 * processes.h - two process managers: events in, commands out.
 *
 *   waitlist   a seat is freed              ──► PromoteFromWaitlist
 *              (RegistrationCancelled of a seat, RegistrationLapsed)
 *
 *   payments   a seat is given              ──► remember it, unpaid, due
 *              (AttendeeRegistered,             PAYMENT_PERIOD later
 *               WaitlistedAttendeePromoted)     (unpaid.h)
 *              paid, cancelled or lapsed    ──► forget it
 *              tick(now): past due, unpaid  ──► LapseRegistration
 *
 * Each runs in its own esk_process_runner (esk/process.h), which follows
 * the events from the process's checkpoint and calls react() once per
 * event of its types, in one transaction with the checkpoint's move;
 * esk_process_tick() calls tick() with the store's clock's now. The
 * commands go through esk_process_send(), which gives each an id made
 * from the process's name and what caused it, and dispatches it on the
 * application's bus (app.c), whose idempotency middleware answers a
 * command id it has seen with the first outcome, writing nothing.
 *
 * You write the three functions in waitlist.c and payments.c.
 */
#ifndef PROCESSES_H
#define PROCESSES_H

#include <esk/process.h>

/* How long an attendee has to pay for a seat: 7 days, in microseconds
 * (esk_time). */
#define PAYMENT_PERIOD ((esk_time)7 * 24 * 60 * 60 * 1000000)

/* --- waitlist.c ---------------------------------------------------------- */

/*
 * React to an event that may free a seat: RegistrationCancelled or
 * RegistrationLapsed (waitlist_process.event_types).
 *
 * A cancellation from the waitlist (wasWaitlisted) frees no seat: send
 * nothing, return ESK_OK. Any other such event freed a seat in its
 * workshop (registration_of() reads its workshopId, whatever its type):
 * send PromoteFromWaitlist for that workshop, with
 *
 *   esk_process_send(pc, &command, NULL, NULL)
 *
 * The key NULL gives the command the id "waitlist/<event id>/1": the same
 * id each time this event is delivered, so that the bus can tell a
 * redelivery from a new command.
 *
 * @return what esk_process_send() returns: ESK_OK, or ESK_EDOMAIN when
 *         the workshop refuses (NOBODY_WAITING, NO_FREE_SEAT), which is an
 *         answer, not a failure: the runner counts the event as done. An
 *         event that cannot be decoded: the codec's status, whose message
 *         (which field, and why) is in the last error; the runner quotes
 *         it when it stops at the event.
 */
esk_status waitlist_react(void *ctx, esk_process_context *pc,
                          const esk_event *event);

/* The process: name "waitlist", its event types, waitlist_react. */
extern const esk_process waitlist_process;

/* --- payments.c ---------------------------------------------------------- */

/*
 * Keep the table of unpaid seats (unpaid.h) in step with the events of
 * payments_process.event_types:
 *
 *   AttendeeRegistered,          the attendee has a seat to pay for:
 *   WaitlistedAttendeePromoted   unpaid_track(), with seat_event_id the
 *                                event's id, and due the time the store
 *                                recorded it plus PAYMENT_PERIOD
 *   RegistrationPaid,            nothing to pay any more:
 *   RegistrationCancelled,       unpaid_forget()
 *   RegistrationLapsed
 *
 * registration_of() (events.h) reads the workshopId and attendeeId of any
 * of them; esk_process_store(pc) is the store. It sends no command: the
 * deadlines are tick's business.
 *
 * @return ESK_OK; on a failure (decoding, the table), the failing call's
 *         status: it has said why in the last error. The runner then stops
 *         at this event, quotes that message, and undoes what it did. To
 *         add what the process was doing, return
 *         esk_process_fail(pc, rc, "tracking '%s': %s", ..., esk_errmsg()).
 */
esk_status payments_react(void *ctx, esk_process_context *pc,
                          const esk_event *event);

/*
 * Let the seats not paid in time lapse. For each seat of
 * unpaid_overdue(store, now, ...), send LapseRegistration for its
 * workshop and attendee, with the key "lapse/<seat_event_id>":
 *
 *   esk_process_send(pc, &command, key, NULL)
 *
 * A command sent from tick has no event to take its id from: the key
 * names the step, and the id is "payments/tick/<key>". tick runs every so
 * often, and until the runner has followed the RegistrationLapsed event
 * the table still lists the seat: the same key gives the same id, and the
 * bus answers the repeat as a duplicate. One key per seat, not per
 * attendee: ada may register again after her seat lapsed, and her new
 * seat has a deadline of its own.
 *
 * A refusal (ESK_EDOMAIN) is an answer: the process was behind (the seat
 * was paid for or given up, and the event is not followed yet), and the
 * workshop, which decides on its own stream, said no. Go on with the next
 * seat. Any other failure: return it (what tick sent is undone, all of
 * it).
 *
 * @param now the store's clock (a test moves it).
 * @return ESK_OK; the failures of unpaid_overdue() and esk_process_send(),
 *         returned as they are (each has said why in the last error).
 */
esk_status payments_tick(void *ctx, esk_process_context *pc, esk_time now);

/* The process: name "payments", its event types, payments_react and
 * payments_tick. */
extern const esk_process payments_process;

#endif
