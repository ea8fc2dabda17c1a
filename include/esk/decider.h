/*
 * esk/decider.h - the functional alternative to aggregates.
 *
 * A decider is an aggregate taken apart into pure functions:
 *
 *   initial_state()           -> state
 *   evolve(state, event)      -> state      (the fold, as for aggregates)
 *   decide(state, command)    -> events, or a domain error
 *   is_terminal(state)        -> bool       (the stream's life is over)
 *
 * decide() only reads the state and says what happened; it changes
 * nothing. The handler does the rest: load (fold the stream into the
 * initial state), decide, append the new events expecting the version it
 * loaded. A decider is tested without any store: given events, when a
 * command, then events (see esk/testing.h).
 */
#ifndef ESK_DECIDER_H
#define ESK_DECIDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "error.h"
#include "event.h"
#include "status.h"
#include "store.h"
#include "upcast.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What decide() concluded: the events to emit, or a refusal (whose reason
 * is the thread's last error). The caller owns it: ESK_DECISION_INIT,
 * then esk_decision_release().
 */
typedef struct esk_decision {
    /** esk's own: never read or write it. */
    struct esk__decision *internal;
} esk_decision;

/* clang-format off */
#define ESK_DECISION_INIT {NULL}
/* clang-format on */

/**
 * Say that an event happens: decide() calls it once per new event.
 *
 * @param type  the event's type, one of the decider's event_types;
 *              borrowed, must outlive the decision.
 * @param event a struct of that type; encoded to JSON now (borrowed).
 * @return ESK_OK; ESK_EINVAL (NULL, an event the codec refuses, the
 *         command was already refused); ESK_ENOMEM. On failure nothing is
 *         added, and esk_decider_handle() fails even if decide() goes on.
 */
esk_status esk_decision_emit(esk_decision *decision, const esk_event_type *type,
                             const void *event);

/**
 * Refuse the command: decide() returns what this returns, ESK_EDOMAIN.
 * Any events emitted before are dropped. The last error is filled as
 * esk_domain_error() fills it (status ESK_EDOMAIN, the code, the
 * message); decide() may also return esk_domain_error() itself.
 *
 *   if (w->seats_taken == w->capacity)
 *       return esk_decision_reject(decision, WORKSHOP_FULL,
 *                                  "workshop '%s' is full", w->id);
 *
 * @param code   the domain's error code, not 0 (e.g. WORKSHOP_FULL).
 * @param format printf-style message in the domain's words.
 * @return ESK_EDOMAIN; ESK_EINVAL when decision is NULL, code is 0 or
 *         format is NULL (the events are dropped all the same).
 */
esk_status esk_decision_reject(esk_decision *decision, int code,
                               const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** The number of events emitted. */
size_t esk_decision_count(const esk_decision *decision);

/**
 * An emitted event, i counting from 0: its type and data JSON, borrowed
 * until the decision is cleared or released.
 *
 * @param type_out, json_out either may be NULL.
 * @return ESK_OK; ESK_EINVAL (NULL decision, i out of range).
 */
esk_status esk_decision_event(const esk_decision *decision, size_t i,
                              const esk_event_type **type_out,
                              const char **json_out);

/** Forget the events and the refusal, keeping the memory. NULL is a
 *  no-op. */
void esk_decision_clear(esk_decision *decision);

/** Free the decision's memory. NULL is a no-op. */
void esk_decision_release(esk_decision *decision);

/** A decider: the pure functions of one kind of stream. */
typedef struct esk_decider {
    /** For messages: "Workshop". */
    const char *name;
    /** Stream category: ids become "<category>-<id>". No '-' in it. */
    const char *category;
    /** sizeof the state struct (a plain struct: no esk_aggregate). */
    size_t state_size;
    /** Every event type decide emits and evolve folds. */
    const esk_event_type *const *event_types;
    size_t event_type_count;
    /** Set the state before any event (the state is zeroed first);
     *  optional. */
    void (*initial_state)(void *state);
    /** Apply one event: total, no side effects. */
    void (*evolve)(void *state, const esk_event_type *type, const void *event);
    /**
     * Decide what a command makes happen: emit events into decision and
     * return ESK_OK, or return esk_decision_reject(...) (or
     * esk_domain_error(...)); another failure status, after
     * esk_error_set() to say why. state is
     * read-only (esk_decider_handle checks that its bytes are unchanged).
     * command is your own command struct. Emitting nothing is a valid
     * answer: the command changes nothing.
     */
    esk_status (*decide)(const void *state, const void *command,
                         esk_decision *decision);
    /** Optional: whether the stream has ended (no command can change it
     *  any more). */
    bool (*is_terminal)(const void *state);
    /** Optional: sizeof your command struct. When set, a spec copies the
     *  command it is given (esk_spec_when), so the spec may outlive the
     *  variable that held it. */
    size_t command_size;
    /** Optional: a few words about a command, for reports ("register bob
     *  on w-1"). */
    void (*describe_command)(const void *command, char *buf, size_t size);
    /** Optional: the name of one of the domain's error codes
     *  ("WORKSHOP_FULL"), for reports; NULL for an unknown code. */
    const char *(*error_name)(int code);
    /** Optional: the state in a few words ("open, 1 of 2 seats, waiting:
     *  bob"), for reports: a spec whose decide() wrote to the state shows
     *  it before and after. */
    void (*describe_state)(const void *state, char *buf, size_t size);
    /**
     * What a fold does with a recorded event whose type name is none of
     * event_types, as a newer version of the program may write: false
     * (the default) fails with ESK_EDECODE and a message naming the type,
     * the stream and the event's version; true skips the event, which
     * still counts for the version (so appends expect the right one).
     *
     * The trade-off: failing stops an older reader at the first event it
     * does not understand, so that it never acts on a state that may be
     * wrong, but it stops until it is upgraded. Skipping keeps it going,
     * with a state that ignores whatever those events changed: its
     * decisions may then be wrong (it may accept a command a newer reader
     * would refuse). Skip only where the new types cannot matter to this
     * state. An event of a known type at an unknown schema version is
     * never skipped: register an upcaster for it.
     */
    bool skip_unknown_types;
} esk_decider;

/**
 * Fold recorded events into a state: zero it, initial_state, then evolve
 * with each event decoded by its type.
 *
 * @param state    state_size bytes.
 * @param events   n recorded events, in stream order; may be NULL when n
 *                 is 0. Borrowed.

 * A failure's message names the event that failed ("event 3 of stream
 * 'workshop-1' is SeatsAdded v2, but Workshop knows v1: register an
 * upcaster from v2").
 * @return ESK_OK; ESK_EINVAL (NULL, a decider without category,
 *         state_size or evolve); ESK_EDECODE (unknown type or schema
 *         version, bad data); ESK_ENOMEM. On failure the state holds the
 *         events before the one that failed.
 */
esk_status esk_decider_fold(const esk_decider *decider, void *state,
                            const esk_event *events, size_t n);

#define ESK_HANDLE_OPTIONS_VERSION 1

typedef struct esk_handle_options {
    int version;
    /** Metadata for every appended event; NULL for none. Borrowed. */
    const esk_metadata *metadata;
    /**
     * Attempts in all, on ESK_ECONCURRENCY: 1 = no retry (the default).
     * This retry is for esk_decider_handle() called on its own, where no
     * bus runs it. On a bus, leave it at 1 and use esk_retry_middleware(),
     * which retries any handler (a repository's too) and, after the
     * idempotency middleware, inside its transaction: one retry mechanism
     * per path, never both.
     */
    int max_attempts;
    /** Pause before retry k: backoff_ms * k milliseconds (0 = none). */
    int backoff_ms;
    /** Optional upcasters, applied when loading. Borrowed. */
    const esk_upcasters *upcasters;
} esk_handle_options;

/* clang-format off */
#define ESK_HANDLE_OPTIONS_INIT {ESK_HANDLE_OPTIONS_VERSION, NULL, 1, 0, NULL}
/* clang-format on */

/** What a handled command did. */
typedef struct esk_handle_result {
    /** The stream version before and after (equal when nothing was
     *  appended). */
    int64_t loaded_version;
    int64_t version;
    /** The global position of the last event appended, or 0. */
    int64_t position;
    /** The number of events appended. */
    size_t event_count;
    /** How many attempts it took (more than 1 after conflicts). */
    int attempts;
    /** Whether the state is terminal after the command. */
    bool terminal;
} esk_handle_result;

/**
 * Handle a command: load the stream "<category>-<id>", decide, append the
 * events expecting the loaded version. On ESK_ECONCURRENCY, load and
 * decide again, up to options->max_attempts in all.
 *
 * Before appending, the new events are evolved into the state (which
 * proves they read back, and gives is_terminal the state after the
 * command). No event emitted: nothing is appended, ESK_OK.
 *
 * @param id       the stream is "<category>-<id>"; borrowed.
 * @param command  your command struct, passed to decide(); borrowed, may
 *                 be NULL.
 * @param options  NULL for ESK_HANDLE_OPTIONS_INIT; borrowed.
 * @param decision receives the events appended. Cleared first; after a
 *                 failure it holds no events. Optional.
 * @param result   optional; filled whatever the outcome.
 * @return ESK_OK; ESK_EDOMAIN (refused: esk_error_last() holds the
 *         domain's code and message); ESK_ECONCURRENCY
 *         (still conflicting after the last attempt); ESK_EINVAL (NULL,
 *         empty or too long id, bad options, and a decide() that broke a
 *         rule: changed the state, returned ESK_EDOMAIN without
 *         esk_decision_reject(), emitted a type not in event_types);
 *         ESK_EDECODE (a stored or new event does not decode; an
 *         upcaster failed); decide()'s own failure status; the store's
 *         errors. Nothing is written unless ESK_OK.
 */
esk_status esk_decider_handle(const esk_decider *decider, esk_store *store,
                              const char *id, const void *command,
                              const esk_handle_options *options,
                              esk_decision *decision,
                              esk_handle_result *result);

#ifdef __cplusplus
}
#endif

#endif
