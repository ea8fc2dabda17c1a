/*
 * bus.h - the workshop application's front door: a command bus.
 *
 * Everything that wants the workshops to change (a web form, a script, a
 * process manager) sends a command to the bus, which finds its handler
 * and runs it through the middleware:
 *
 *   esk_bus_dispatch(RegisterAttendee)
 *     -> before:  validation          malformed? refused here, nothing runs
 *     -> around:  logging             one line per command, with its times
 *                   idempotency       seen this command id? its first answer
 *                                     (yours: idempotency.h)
 *                     retry           conflict? run the handler again
 *                       handler       load, decide, append (a decider)
 *
 * Provided, in bus.c: read it to see where your middleware sits. Their
 * tools are in esk/command_bus.h.
 */
#ifndef BUS_H
#define BUS_H

#include <esk/command_bus.h>

#include "workshop.h"

/*
 * The handler of the five workshop commands (workshop_command_types).
 *
 * command->payload is the workshop_command to handle. Run the workshop
 * decider on it with esk_context_handle(), for the workshop
 * c->workshop_id: it loads the stream "workshop-<id>", decides, appends
 * the events with the command's correlation and causation ids, and fills
 * the dispatch's result (events written, version, position).
 *
 * @param context the dispatch; pass it on to esk_context_handle().
 * @param command the command; its payload is a workshop_command. The
 *                validation middleware has checked that there is one.
 * @param data    what esk_bus_register() was given (NULL here).
 * @return what esk_context_handle() returns: ESK_OK; ESK_EDOMAIN (the
 *         workshop refused: the last error has the domain's code and
 *         message); ESK_ECONCURRENCY (someone appended between the load
 *         and the append: the retry middleware runs the handler again);
 *         the store's errors.
 */
esk_status handle_workshop_command(esk_context *context,
                                   const esk_command *command, void *data);

/*
 * The validation middleware's before function: refuse a command that is
 * not well formed, before any handler runs, with a message that says what
 * is missing. It checks the shape of the input, not the business rules
 * (those are the decider's: a capacity above MAX_SEATS, a closed
 * workshop...):
 *
 *   every command        a payload; a workshop id
 *   ScheduleWorkshop     a title; a capacity of at least 1
 *   RegisterAttendee     an attendee id; the attendee's name
 *   CancelRegistration   an attendee id
 *
 * "A workshop id" means a string that is not empty: c->workshop_id[0]
 * is not '\0'.
 *
 * @param data    the middleware's data (NULL here).
 * @param context the dispatch: refuse with
 *                return esk_context_fail(context, ESK_EINVAL, 0,
 *                                        "RegisterAttendee needs the "
 *                                        "attendee's name");
 * @param command the command; its payload is a workshop_command (or
 *                NULL). A before middleware may change the command; this
 *                one only reads it.
 * @return ESK_OK: the command goes on to the around middleware and its
 *         handler; ESK_EINVAL: refused, with a message naming what is
 *         missing; nothing runs and nothing is written.
 */
esk_status validate_workshop_command(void *data, esk_context *context,
                                     esk_command *command);

/*
 * Build the workshop application's bus over a store:
 *
 *   - middleware (esk_bus_use), in this order:
 *       validation    {"validation", validate_workshop_command, NULL, NULL}
 *       logging       esk_logging_middleware(log)
 *       idempotency   {"idempotency", NULL, idempotency_around, NULL}
 *       retry         esk_retry_middleware(policy): 3 attempts in all
 *   - handle_workshop_command registered (esk_bus_register) for each of the
 *     five workshop_command_types.
 *
 * Around middleware run in the order they are added, the first added
 * outermost; all before middleware run before any around one. So logging
 * sees duplicates and gives a retried command one line, and every
 * attempt of retry runs inside idempotency's one transaction.
 *
 * @param out   receives the bus, owned by the caller (esk_bus_free);
 *              untouched on failure.
 * @param store borrowed; must outlive the bus.
 * @param log   where the logging middleware writes; NULL for standard
 *              error. Borrowed; must outlive the bus.
 * @return ESK_OK; the status of the esk_bus_new(), esk_bus_use() or
 *         esk_bus_register() that failed (the bus is then freed).
 */
esk_status workshop_bus_new(esk_bus **out, esk_store *store,
                            const esk_log_sink *log);

#endif
