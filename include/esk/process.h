/*
 * esk/process.h - process managers: events in, commands out.
 *
 * Some rules span several aggregates or wait for time to pass: "when a
 * seat is freed, register the first person on the waitlist"; "when a
 * registration is still unpaid at the payment deadline, let it lapse". A
 * process manager follows the events from its own checkpoint (like a
 * catch-up projection) and reacts by dispatching commands on the bus.
 *
 * Each command it sends gets an id made from the process's name, the
 * event's id and a counter, so a redelivered event sends the very same
 * command ids: with the idempotency middleware on the bus, reacting twice
 * has the effect of reacting once. Each event's reaction (the commands'
 * events and outcomes) and the checkpoint move commit in one transaction,
 * on both stores.
 *
 * The story stays traceable: a command sent from react() carries the
 * correlation id of the event that caused it, and its id embeds that
 * event's id. The events the command writes then carry the same
 * correlation id and, as causation id, the command's id
 * ("waitlist/<event id>/1"): event -> command -> events.
 *
 * Time-based steps use the store's injectable clock: tick() is called
 * with "now", and a test moves time forward by changing the fake clock.
 */
#ifndef ESK_PROCESS_H
#define ESK_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command_bus.h"
#include "event.h"
#include "status.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What react() and tick() use to send commands. */
typedef struct esk_process_context esk_process_context;

typedef struct esk_process {
    /** Unique: names the checkpoint ("process:<name>") and prefixes
     *  command ids. 1 to 64 bytes of UTF-8, without '/'. */
    const char *name;
    /** The event types it reacts to; none means every event. */
    const char *const *event_types;
    size_t event_type_count;
    /**
     * React to one event, sending commands with esk_process_send();
     * required. Return ESK_OK when done. A domain refusal of a command
     * (ESK_EDOMAIN) is an answer, not a failure: returning it also counts
     * as done. Any other failure stops the process at this event.
     */
    esk_status (*react)(void *ctx, esk_process_context *pc,
                        const esk_event *event);
    /** Optional: time-based steps, called by esk_process_tick(). */
    esk_status (*tick)(void *ctx, esk_process_context *pc, esk_time now);
    void *ctx;
} esk_process;

/**
 * Send a command from react() or tick(). Its id and correlation id are set
 * by esk (anything in command->id and ->correlation_id is ignored):
 *   from react: id "<process>/<event id>/<n>", n = 1 for the first command
 *               of this reaction, 2 for the next...; or, when key is
 *               given, "<process>/<event id>/<key>". Correlation id: the
 *               event's correlationId metadata, or the event's id when it
 *               has none.
 *   from tick:  id "<process>/tick/<key>", where key names the step
 *               (e.g. "lapse/<registration>") so that each step is sent
 *               once however often tick runs. A new correlation.
 * An id that would be longer than ESK_COMMAND_ID_MAX (a long event id or
 * key) becomes "<process>/#<32 hex digits>", the first half of the SHA-256
 * of "<event id or tick>/<n or key>"; a correlationId longer than
 * ESK_COMMAND_ID_MAX becomes "#<32 hex digits>" of it. Both are the same
 * whenever the event comes again, so a valid stored event never stops the
 * process (tests/test_process.c, long_ids_are_digested_not_refused).
 *
 * @param pc      the context given to react() or tick().
 * @param command the command; copied for the dispatch, borrowed.
 * @param key     required in tick, optional in react (NULL: the counter).
 * @param result  optional: the command's outcome (duplicate is true when
 *                the command id had been handled before).
 * @return the dispatch status: ESK_OK; ESK_EDOMAIN (refused: its code is
 *         esk_error_last()->code); ESK_EINVAL (NULL, no key in tick);
 *         ESK_ENOMEM; any status of the bus.
 */
esk_status esk_process_send(esk_process_context *pc, const esk_command *command,
                            const char *key, esk_command_result *result);

/**
 * Say why react() or tick() fails, and return status, so that they can
 * write `return esk_process_fail(pc, rc, "cannot decode %s", event->type);`.
 * Like esk_error_set(), and the runner's message quotes this reason even
 * if react() made other calls after it.
 *
 * @param status the failure to return (not ESK_OK).
 * @param format printf-style reason.
 * @return status (ESK_EINVAL when pc is NULL).
 */
esk_status esk_process_fail(esk_process_context *pc, esk_status status,
                            const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** The store the process reads (to look something up). NULL pc gives
 *  NULL. */
esk_store *esk_process_store(esk_process_context *pc);

typedef struct esk_process_runner esk_process_runner;

/**
 * Create a runner: what follows the events for one process manager.
 *
 * @param out     receives the runner, owned by the caller
 *                (esk_process_runner_free); untouched on failure.
 * @param store   borrowed; must outlive the runner.
 * @param bus     borrowed: where commands go. Give it the idempotency
 *                middleware, or a redelivered event acts twice. It must
 *                be created over this very store handle: a second handle
 *                on the same file is another connection, which would wait
 *                for the runner's write lock until the busy timeout.
 * @param process borrowed; must outlive the runner.
 * @return ESK_OK; ESK_EINVAL (NULL, no react, a bad name, a bus created
 *         over another store handle); ESK_ENOMEM.
 */
esk_status esk_process_runner_new(esk_process_runner **out, esk_store *store,
                                  esk_bus *bus, const esk_process *process);

/** Free a runner (the checkpoint stays in the store). NULL is a no-op. */
void esk_process_runner_free(esk_process_runner *runner);

/**
 * React to every event after the checkpoint, up to the head as it was when
 * the run started (events written by the commands are for the next run).
 * Each event's reaction and the checkpoint move commit together.
 *
 * @param reacted optional: how many events it reacted to (also on
 *                failure).
 * @return ESK_OK; ESK_EINVAL (NULL runner); ESK_ECALLBACK (react failed:
 *         what it sent is undone, the checkpoint stays before that event,
 *         and the message names the event and the failure); the store's
 *         errors.
 */
esk_status esk_process_run(esk_process_runner *runner, size_t *reacted);

/**
 * Call tick() with the store's clock's now, in one transaction: the
 * commands it sends commit together, or none does.
 *
 * @return ESK_OK (also when there is no tick); ESK_EINVAL (NULL);
 *         ESK_ECALLBACK (tick failed: what it sent is undone); the store's
 *         errors.
 */
esk_status esk_process_tick(esk_process_runner *runner);

#ifdef __cplusplus
}
#endif

#endif
