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
 * You write the three functions in waitlist.c and payments.c, and the
 * two of failures.c that handle a technical failure.
 */
#ifndef PROCESSES_H
#define PROCESSES_H

#include <esk/process.h>

#include "parked.h"

/* How long an attendee has to pay for a seat: 7 days, in microseconds
 * (esk_time). */
#define PAYMENT_PERIOD ((esk_time)7 * 24 * 60 * 60 * 1000000)

/* --- failures.c ---------------------------------------------------------- */

/* How many times a command is sent, in all, before a passing failure is
 * given up on for this run. */
#define SEND_ATTEMPTS 3

/* The key of the waitlist's promotion (see waitlist_react). */
#define PROMOTE_KEY "promote"

/*
 * Send a command from react(), and try again when it fails for a reason
 * that may pass (the workshop service busy or out of reach):
 *
 *   esk_process_send(pc, command, key, NULL), at most SEND_ATTEMPTS times
 *
 *   ESK_OK, ESK_EDOMAIN           an answer: return it, no other attempt
 *   failure_is_permanent(rc)      (parked.h) the same every time: return
 *                                 it at once, no other attempt
 *   any other failure             passing: send again, with the SAME key
 *                                 (the same command id: had an attempt
 *                                 gone through, the bus would answer the
 *                                 next as a duplicate); after the last
 *                                 attempt, return its failure
 *
 * The attempts follow each other at once: the runner's transaction holds
 * the store's write lock meanwhile, so a long wait here would stop every
 * writer. A longer outage is the next run's business.
 *
 * @param key required: names the step (NULL would give each attempt a
 *            new id, "waitlist/<event id>/1", then /2...).
 * @return what the last attempt returned; its message is in the last
 *         error.
 */
esk_status send_with_retry(esk_process_context *pc, const esk_command *command,
                           const char *key);

/*
 * Decide what becomes of an event whose reaction ended with rc:
 *
 *   ESK_OK, ESK_EDOMAIN        done: return rc
 *   failure_is_permanent(rc)   it will never work: park the event
 *                              (parked_add(esk_process_store(pc),
 *                              process, event, reason), reason the
 *                              failure's message, esk_errmsg()), and
 *                              return ESK_OK, so that the runner moves its
 *                              checkpoint past it, in the transaction
 *                              that holds the parked row. If parking
 *                              fails, return that failure: an event
 *                              neither handled nor parked must stop the
 *                              process, or it is lost.
 *   any other failure          passing: return rc, so that the runner
 *                              stops at the event and tries it again at
 *                              its next run.
 *
 * @return ESK_OK, ESK_EDOMAIN, or the failure the runner must stop on.
 */
esk_status park_or_fail(esk_process_context *pc, const char *process,
                        const esk_event *event, esk_status rc);

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
 *   send_with_retry(pc, &command, PROMOTE_KEY)
 *
 * The key gives the command the id "waitlist/<event id>/promote": the
 * same id for every attempt and each time this event is delivered, so
 * that the bus can tell a repeat from a new command.
 *
 * Whatever came of it (a decode, the send), hand it to
 * park_or_fail(pc, "waitlist", event, rc) and return what that returns.
 *
 * @return ESK_OK (done, or parked); ESK_EDOMAIN when the workshop refuses
 *         (NOBODY_WAITING, NO_FREE_SEAT), which is an answer, not a
 *         failure: the runner counts the event as done; a passing failure
 *         that outlasted SEND_ATTEMPTS attempts, or a failure to park,
 *         with its message in the last error: the runner stops at this
 *         event, quotes the message, and tries the event again next run.
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
