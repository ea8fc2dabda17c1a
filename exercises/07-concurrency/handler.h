/*
 * handler.h - a command handler that loses races gracefully.
 *
 * One attempt at a command is: load the stream, decide, append expecting
 * the version loaded. If another handler appended in between, the store
 * refuses the append (ESK_ECONCURRENCY) and writes nothing; the handler
 * then loads again, decides again on the newer state, and appends again:
 *
 *   attempt 1: load v2 -> decide "seat for Bob" -> [rival: Cleo, v3]
 *              -> append expecting v2 -> ESK_ECONCURRENCY, nothing written
 *   attempt 2: load v3 -> decide "Bob waits"    -> append expecting v3 -> v4
 *
 * And since a command may be delivered twice (a client that timed out
 * sends it again), the events of a command get ids made from the
 * command's id: "<command_id>/0", "<command_id>/1"... A command whose
 * events are already in the stream has been handled: handling it again
 * changes nothing.
 *
 * You write the three functions in handler.c.
 */
#ifndef HANDLER_H
#define HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/decider.h>
#include <esk/store.h>

#include "workshop.h"

/* The most events one command may make happen (the workshop's make one). */
#define MAX_EVENTS_PER_COMMAND 8

/*
 * Whether the command command_id has already been handled: whether one of
 * the stream's events has an id "<command_id>/<i>".
 *
 * Careful: the events of command "cmd-10" ("cmd-10/0") are not those of
 * command "cmd-1".
 *
 * @param stream   the events of one stream, as read; borrowed.
 * @param command_id the command's id; borrowed.
 */
bool command_already_handled(const esk_event_list *stream,
                             const char *command_id);

/*
 * Append a decision's events to a stream in one batch, expecting the
 * stream to be at expected_version, the i-th event (from 0) with the id
 * "<command_id>/<i>".
 *
 * Each event's type name and schema version come from its event type, its
 * data from the decision (esk_decision_event()), and it has no metadata:
 * build it with designated initialisers, (esk_new_event){.event_id = ...,
 * .type = ..., ...}, and the members you leave out are NULL.
 *
 * @param expected_version the version the decision was made on (0 for a
 *                         stream that did not exist).
 * @param decision         the outcome of decide(); borrowed.
 * @return ESK_OK: appended, or nothing to append (no events: a decision
 *         may accept a command and change nothing);
 *         ESK_ECONCURRENCY: the stream is not at expected_version; nothing
 *         is written (esk_errmsg() gives both versions);
 *         ESK_EINVAL: more than MAX_EVENTS_PER_COMMAND events, or an
 *         event id longer than ESK_EVENT_ID_MAX (a command id too long);
 *         the store's other errors. Sending the same batch again (same
 *         ids, same stream) succeeds and writes nothing: see
 *         esk_store_append().
 */
esk_status append_decision(esk_store *store, const char *stream_id,
                           int64_t expected_version,
                           const esk_decision *decision,
                           const char *command_id);

/*
 * Handle a workshop command, retrying when another handler got there
 * first. Each attempt:
 *
 *   1. load: read the stream "workshop-<command->workshop_id>" and fold it
 *      with esk_decider_fold(&workshop_decider, ...). The stream's version
 *      is the number of its events;
 *   2. if command_already_handled(): stop, ESK_OK, nothing written;
 *   3. decide: workshop_decider.decide(&state, command, &decision);
 *   4. race_window(store, command, attempt)   (race.h);
 *   5. append_decision(), expecting the version loaded in step 1.
 *
 * On ESK_ECONCURRENCY from step 5, start again from step 1, at most
 * max_attempts attempts in all (1: no retry). Any other outcome ends it.
 *
 * @param command      the command; borrowed.
 * @param command_id   its id, unique per command (a retry of the same
 *                     command by its sender keeps it); borrowed.
 * @param max_attempts 1 or more.
 * @return ESK_OK: the events are appended, or the command was already
 *         handled;
 *         ESK_EDOMAIN: decide() refused; nothing is written, and the last
 *         error is decide()'s own: the domain's code in
 *         esk_error_last()->code, its reason in esk_errmsg();
 *         ESK_ECONCURRENCY: still conflicting after max_attempts attempts;
 *         nothing is written (esk_errmsg() says why);
 *         ESK_EINVAL: max_attempts is less than 1;
 *         the store's and esk_decider_fold()'s other errors.
 * Everything the handler allocates (the event list, the decision) is
 * released before it returns.
 */
esk_status handle_with_retry(esk_store *store, const workshop_command *command,
                             const char *command_id, int max_attempts);

#endif
