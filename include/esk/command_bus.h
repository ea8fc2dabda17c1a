/*
 * esk/command_bus.h - commands in, one handler per command type, with
 * middleware around.
 *
 * A command is a request to change the system, named in the imperative
 * (RegisterAttendee). The bus finds its one handler and runs it through
 * the middleware, in two phases:
 *
 *   dispatch(cmd)
 *     -> the handler of cmd->type is found (or ESK_ENOHANDLER)
 *     -> before middleware, in order: validate, enrich (may refuse)
 *     -> around middleware, outermost first: log, idempotency, retry...
 *        each calls esk_next() to go on
 *          -> the handler: load, decide, append
 *
 * A handler is usually a few lines:
 *
 *   static esk_status on_register(esk_context *ctx, const esk_command *cmd,
 *                                 void *data)
 *   {
 *       const register_attendee *c = cmd->payload;
 *       return esk_context_handle(ctx, &workshop_decider, c->workshop_id, c);
 *   }
 *
 * Events written while handling a command carry its correlation id and,
 * as causation id, the command's id: use esk_context_metadata() when
 * appending (esk_context_handle() and esk_context_save() do it for you).
 */
#ifndef ESK_COMMAND_BUS_H
#define ESK_COMMAND_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"
#include "decider.h"
#include "error.h"
#include "event.h"
#include "status.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest command type name and command id, without the NUL. */
#define ESK_COMMAND_TYPE_MAX 128
#define ESK_COMMAND_ID_MAX 128

/** A command, as given to esk_bus_dispatch(). All pointers borrowed. */
typedef struct esk_command {
    /** "RegisterAttendee": selects the handler. */
    const char *type;
    /** Unique per command; a retry of the same request keeps its id. */
    const char *id;
    /** NULL to start a new correlation (the command's id is used). */
    const char *correlation_id;
    /** Your command struct, for the handler; may be NULL. */
    const void *payload;
    /** Optional: the payload as JSON, for logs and the outcome record;
     *  the idempotency middleware compares it when the id comes again. */
    const char *payload_json;
} esk_command;

/** What dispatching a command did. Its status is what esk_bus_dispatch()
 *  returns; why it failed (and a refusal's domain code) is in
 *  esk_error_last(). */
typedef struct esk_command_result {
    /** The number of events written, and where the last one landed. */
    size_t event_count;
    int64_t version;
    int64_t position;
    /** True when the same command (id, type, payload_json) had been
     *  handled before: this is the first outcome, and nothing was written
     *  now. */
    bool duplicate;
    /** How many times the handler ran (more than 1 after retries). */
    int attempts;
} esk_command_result;

typedef struct esk_bus esk_bus;
/** What a handler and middleware get: the bus, store and command. */
typedef struct esk_context esk_context;

/**
 * Handle one command: do the work and fill the result (through the
 * esk_context_* helpers). Return ESK_OK; ESK_EDOMAIN for a refusal, after
 * esk_domain_error() (the caller gets its message as it is); or another
 * failure status, after esk_error_set() or as an esk call returned it
 * (the bus then says which handler failed: "the handler of 'Book'
 * failed: <your message>"). command is the bus's copy, valid during the
 * call; data is what was given to esk_bus_register().
 */
typedef esk_status (*esk_handler_fn)(esk_context *context,
                                     const esk_command *command, void *data);

/**
 * A middleware. Either phase may be NULL.
 *
 * before: may change the command (a copy owned by the bus: set fields to
 *         strings that outlive the dispatch) or refuse it by returning a
 *         failure (use esk_context_fail for the message); the handler is
 *         then not called, nor is any around middleware. The command is
 *         checked again after the before phase; a changed type selects
 *         the handler of that type.
 * around: must call esk_next(context) once (or more, to retry; or not at
 *         all, to answer from elsewhere) and return a status: usually
 *         what esk_next returned.
 * name is for messages; borrowed, like data.
 */
typedef struct esk_middleware {
    const char *name;
    esk_status (*before)(void *data, esk_context *context,
                         esk_command *command);
    esk_status (*around)(void *data, esk_context *context);
    void *data;
} esk_middleware;

/**
 * Create a bus over a store.
 *
 * @param out   receives the bus, owned by the caller (esk_bus_free);
 *              untouched on failure.
 * @param store borrowed; must outlive the bus.
 * @return ESK_OK; ESK_EINVAL; ESK_ENOMEM.
 */
esk_status esk_bus_new(esk_bus **out, esk_store *store);

/** Free a bus (not the store, nor the handlers' and middleware's data).
 *  NULL is a no-op. */
void esk_bus_free(esk_bus *bus);

/**
 * Register the one handler of a command type.
 *
 * @param type    1 to ESK_COMMAND_TYPE_MAX bytes of UTF-8; copied.
 * @param handler required.
 * @param data    passed to the handler; borrowed.
 * @return ESK_OK; ESK_EINVAL (NULL bus or handler, bad type); ESK_EEXISTS
 *         (the type has a handler: one command, one handler);
 *         ESK_ENOMEM.
 */
esk_status esk_bus_register(esk_bus *bus, const char *type,
                            esk_handler_fn handler, void *data);

/**
 * Add a middleware; they run in the order added (before phases first, in
 * that order; then the first added is the outermost around). The struct
 * is copied; its name and data are borrowed.
 *
 * @return ESK_OK; ESK_EINVAL (NULL, no phase); ESK_ENOMEM.
 */
esk_status esk_bus_use(esk_bus *bus, const esk_middleware *middleware);

/**
 * Dispatch a command: find its handler, before middleware, around
 * middleware, handler.
 *
 * @param command borrowed for the call; the bus works on a copy.
 * @param result  optional; filled whatever the outcome (nothing written
 *                after a failure).
 * @return the outcome's status: ESK_OK; ESK_ENOHANDLER (no handler for the
 *         type; the message lists the registered ones: "no handler for
 *         'Foo'; registered: RegisterAttendee, CancelRegistration");
 *         ESK_EINVAL (NULL; a type, id or correlation id that is empty,
 *         longer than its maximum or not UTF-8; payload_json that is not
 *         JSON); ESK_EDOMAIN; any status of the handler or middleware.
 */
esk_status esk_bus_dispatch(esk_bus *bus, const esk_command *command,
                            esk_command_result *result);

/* --- For handlers and middleware ------------------------------------------ */

/**
 * Run the next around middleware, or the handler. Each run of the handler
 * starts from a fresh outcome (events written) and adds one to
 * result->attempts.
 *
 * @return what the rest of the chain returned; ESK_EINVAL when context is
 *         NULL or the handler itself calls it.
 */
esk_status esk_next(esk_context *context);

/** The store of the bus (NULL for a NULL context). */
esk_store *esk_context_store(esk_context *context);

/** The command being handled: the bus's copy, which before middleware
 *  may change. NULL for a NULL context. */
const esk_command *esk_context_command(const esk_context *context);

/** The result being built; middleware may read and amend it. NULL for a
 *  NULL context. */
esk_command_result *esk_context_result(esk_context *context);

/**
 * The metadata for events written by this command: correlation id of the
 * command (its id when it had none), causation id = the command's id.
 * Valid during the dispatch.
 */
const esk_metadata *esk_context_metadata(const esk_context *context);

/**
 * Record a failure as the last error and return status (so `return
 * esk_context_fail(ctx, ESK_EINVAL, 0, "title is empty");` reads well):
 * esk_error_set(), or esk_domain_error() with domain_code for
 * ESK_EDOMAIN.
 *
 * @return status; ESK_EINVAL when context or format is NULL, or status
 *         is ESK_OK (not a failure: the message says so).
 */
esk_status esk_context_fail(esk_context *context, esk_status status,
                            int domain_code, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/**
 * Pass on the failure of a call the handler made (an aggregate's
 * behaviour, esk_repository_load...), which recorded its reason as the
 * last error, and return its status:
 *
 *   esk_status rc = workshop_register(&w, c->attendee);
 *   if (rc != ESK_OK)
 *       return esk_context_fail_with(ctx, rc);
 *
 * Returning rc does the same; this also gives a message to a status that
 * came without one.
 *
 * @return status (its domain code kept for ESK_EDOMAIN); ESK_EINVAL when
 *         context is NULL, or status is ESK_OK.
 */
esk_status esk_context_fail_with(esk_context *context, esk_status status);

/**
 * Run a decider for this command (esk_decider_handle with the context's
 * store and metadata, no retry: use the retry middleware) and fill the
 * result: events written, version, position.
 *
 * @param id      the decider's stream is "<category>-<id>"; borrowed.
 * @param command passed to decide(); borrowed.
 * @return as esk_decider_handle(); ESK_EINVAL for a NULL context.
 */
esk_status esk_context_handle(esk_context *context, const esk_decider *decider,
                              const char *id, const void *command);

/**
 * Save an aggregate's pending events (esk_repository_save) with the
 * context's metadata and fill the result: events written, version,
 * position.
 *
 * @return as esk_repository_save(); ESK_EINVAL for a NULL argument.
 */
esk_status esk_context_save(esk_context *context, esk_repository *repo,
                            void *state);

/* --- Shipped middleware ------------------------------------------------------
 */

/** Where the logging middleware writes: one line per command, without
 *  a final newline. The line is valid during the call only. */
typedef void (*esk_log_fn)(void *ctx, const char *line);

/** A log destination: write(ctx, line). */
typedef struct esk_log_sink {
    esk_log_fn write;
    void *ctx;
} esk_log_sink;

/**
 * Logging: after each command, one line with its type, id, correlation
 * id, outcome and duration:
 *   "RegisterAttendee id=c-7 correlation=c-7 -> ok: 1 event, v3 @12 (0.08 ms)"
 *   "RegisterAttendee id=c-8 correlation=c-8 -> refused: error 2: workshop
 *    'w-1' is full (0.05 ms)"
 *   "... -> failed: <status>: <message>, 3 attempts (1.20 ms)"
 * A duplicate says "ok (duplicate)" or "refused (duplicate)". Put it first
 * so that it times and reports what the rest of the chain did; commands
 * refused by before middleware or without a handler do not reach it.
 *
 * @param sink NULL for standard error; borrowed, must outlive the bus.
 */
esk_middleware esk_logging_middleware(const esk_log_sink *sink);

/**
 * Retry on conflict: when the rest of the chain returns ESK_ECONCURRENCY,
 * run it again (the handler reloads and decides anew), up to max_attempts
 * runs in all, pausing backoff_ms * k ms before retry k.
 *
 * The bus's one retry mechanism. esk_handle_options has max_attempts too,
 * for esk_decider_handle() called without a bus, which has no middleware;
 * esk_context_handle() leaves it at 1, so a command is never retried
 * twice over.
 */
typedef struct esk_retry_policy {
    int max_attempts;
    int backoff_ms;
} esk_retry_policy;

/** @param policy borrowed; must outlive the bus. NULL for 3 attempts
 *  without pause; max_attempts below 1 means 1. */
esk_middleware esk_retry_middleware(const esk_retry_policy *policy);

/**
 * Idempotency by command id: the first outcome of each command id (success
 * or domain error) is recorded in the same transaction as its events (a
 * store record, ESK_RECORD_COMMAND: on SQLite it survives a restart), with
 * the command's type and payload_json. The same command sent again (same
 * id, same type, same payload_json byte for byte, or NULL both times)
 * returns that outcome with duplicate = true and writes nothing.
 * Technical failures (conflict, busy, I/O) are not recorded, so the
 * command may be sent again. The handler runs inside a store transaction
 * (on SQLite it holds the write lock).
 *
 * An id seen before with another command is refused, and nothing runs:
 * ESK_EDUPLICATE, duplicate = false, and a message that says what differs
 * ("command id 'c-7' was already used by a RegisterAttendee command with
 * another payload_json (stored '{"seats":2}', sent '{"seats":3}'): give
 * each command its own id"). The payload struct itself is opaque to the
 * bus (it does not know its size), so it is compared through payload_json
 * only: set payload_json on commands that may be sent again, or two
 * payloads under one id cannot be told apart. The correlation id is not
 * compared: a retry may come through another request. Outcomes recorded
 * by an esk that did not keep the payload are compared by type only.
 *
 * Put it after logging and before retry: each retry then runs inside
 * the same transaction. Know what that means on SQLite: the transaction
 * holds the write lock from the look-up to the commit, so no other process
 * can append in between, and a retry only ever meets conflicts made inside
 * that same transaction (the handling is in effect pessimistic, and
 * writers of other processes wait up to their busy timeout). A failure of
 * the chain rolls back everything written in the transaction.
 */
esk_middleware esk_idempotency_middleware(void);

#ifdef __cplusplus
}
#endif

#endif
