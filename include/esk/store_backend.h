/*
 * esk/store_backend.h - for writing a storage backend of your own.
 *
 * esk_store is split in two. The front (src/store.c) checks every argument,
 * generates event ids, stamps recorded_at from the clock, runs the units of
 * work and calls the subscribers. A backend only stores and reads:
 * it receives requests that are already valid and must
 *   - apply the expected-version rule and write the batch atomically,
 *   - assign versions (stream version + 1, + 2, ...) and positions
 *     (strictly increasing, gap-free, in commit order),
 *   - make an append whose caller-supplied ids are already stored as this
 *     very batch a harmless replay, and any other reuse of an id an error
 *     (the rule is esk_store_check_replay(): a backend keeps where each
 *     append begins, and lets that function walk its events).
 * It also keeps small records (checkpoints, command outcomes, snapshots)
 * and supports nested transactions around both. Optionally it keeps tags
 * and reads by query (read_query), and then applies append conditions
 * (esk_store_check_condition()).
 * The conformance suite (tests/conformance) checks a backend against these
 * rules; the in-memory, SQLite and PostgreSQL backends are the shipped
 * examples.
 */
#ifndef ESK_STORE_BACKEND_H
#define ESK_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One append, already validated by the front, always inside a
 *  transaction that the front opened. */
typedef struct esk_append_request {
    const char *stream_id;
    /** ESK_ANY, ESK_NO_STREAM, ESK_STREAM_EXISTS or an exact version >= 0. */
    int64_t expected;
    /**
     * The batch, count >= 1. Every string member is set (metadata at least
     * "{}"), event ids are unique within the batch, recorded_at is stamped.
     * The backend writes each event's version and position here once the
     * batch is stored, so that subscribers see them.
     */
    esk_event *events;
    size_t count;
    /** True when the caller chose the ids (an idempotent replay is
     *  possible: see esk_store_check_replay()); false when the front
     *  generated fresh UUIDs, which no stored event can have. */
    bool ids_supplied;
    /** Out: the result, set by the backend on ESK_OK. */
    esk_append_result result;
    /** Out: set to true when the batch was already stored and nothing was
     *  written (subscribers are then not called again). */
    bool replayed;
    /** NULL, or a condition the backend applies with
     *  esk_store_check_condition() after the replay check and before it
     *  writes. Set only for a backend that has read_query; the events'
     *  tags (events[i].tags) likewise. */
    const esk_append_condition *condition;
    /** True for esk_store_close_stream(): store the batch and mark the
     *  stream closed, in the same transaction. Set only for a backend that
     *  has stream_closed. */
    bool close;
} esk_append_request;

/**
 * A backend's operations. Each receives the store and the backend's own
 * state (impl), and reports a failure with esk_store_set_error() (or
 * esk_error_set(), or esk_error_set_ext() to give an extended code such
 * as ESK_EXT_BUSY_TIMEOUT) before returning its status. Read operations
 * fill out, which the front has already cleared.
 */
typedef struct esk_store_backend {
    /** A short name for messages: "memory", "sqlite". */
    const char *name;
    /**
     * Store the batch or change nothing. When request->ids_supplied, first
     * ask esk_store_check_replay() whether the batch is already stored,
     * and return at once on its failure or when request->replayed. A
     * backend must keep, with every event, where the append that stored it
     * begins, for that check.
     */
    esk_status (*append)(esk_store *store, void *impl,
                         esk_append_request *request);
    /**
     * Read a stream. Forward: versions from_version (>= 1) upwards.
     * Backward: from from_version (>= 1, or ESK_END) downwards.
     * max_count is at least 1 (SIZE_MAX for no limit).
     */
    esk_status (*read_stream)(esk_store *store, void *impl,
                              const char *stream_id, int64_t from_version,
                              size_t max_count, bool backward,
                              esk_event_list *out);
    /** Read events with position > after_position in order, filtered;
     *  filter is never NULL (its members may be). */
    esk_status (*read_all)(esk_store *store, void *impl, int64_t after_position,
                           size_t max_count, const esk_filter *filter,
                           esk_event_list *out);
    esk_status (*stream_version)(esk_store *store, void *impl,
                                 const char *stream_id, int64_t *out_version);
    esk_status (*head_position)(esk_store *store, void *impl,
                                int64_t *out_position);
    /**
     * Open a transaction at this depth: 0 is the outermost (take the write
     * lock), 1 and more are nested in it (savepoints). The front calls
     * begin/commit/rollback in strict nesting order, and wraps every
     * append in a begin/commit at the next depth: append itself never
     * begins or ends a transaction.
     */
    esk_status (*begin)(esk_store *store, void *impl, int depth);
    /** Make the transaction at this depth part of its parent (or durable,
     *  at depth 0). */
    esk_status (*commit)(esk_store *store, void *impl, int depth);
    /** Undo everything since the begin at this depth, and close it. */
    esk_status (*rollback)(esk_store *store, void *impl, int depth);
    /** Insert or replace a record (already validated), inside the current
     *  transaction if one is open. */
    esk_status (*put_record)(esk_store *store, void *impl, esk_record_kind kind,
                             const esk_record *record);
    /** Read a record; ESK_ENOTFOUND when absent. See
     *  esk_store_get_record() for out and owned. */
    esk_status (*get_record)(esk_store *store, void *impl, esk_record_kind kind,
                             const char *key, esk_record *out, char **owned);
    /**
     * Optional: whether the transaction the front opened is still open.
     * A database may end a transaction by itself (SQLite does on a full
     * disk, some I/O errors, an interrupt, or a statement's
     * ON CONFLICT ROLLBACK), also inside SQL that the front never sees,
     * such as a handler's own. Return ESK_OK while it is open; once it is
     * gone, record the cause as far as the backend knows it
     * (esk_store_set_error()) and return its status. The front then dooms the
     * unit: see esk_store_begin(). NULL for a backend whose transactions end
     * only when the front ends them (the memory store).
     */
    esk_status (*check_transaction)(esk_store *store, void *impl);
    /** Free impl. Called once by esk_store_free(). */
    void (*close)(void *impl);
    /**
     * Optional: read the events that match query (esk_query_matches())
     * with after_position < position <= up_to, in position order, at most
     * max_count (>= 1; SIZE_MAX for no limit). query is already checked.
     * A backend that sets it must also store each event's tags
     * (events[i].tags in append), return them on every read and in its
     * replay walk, and apply request->condition. NULL: the backend keeps no
     * tags, and the front refuses tags, conditions and query reads with
     * ESK_ENOTIMPL.
     */
    esk_status (*read_query)(esk_store *store, void *impl,
                             const esk_query *query, int64_t after_position,
                             int64_t up_to, size_t max_count,
                             esk_event_list *out);
    /**
     * Optional: whether the stream is closed (false when absent). A backend
     * that sets it must keep the mark per stream, set it when an append
     * with request->close is stored (and drop it with that append on a
     * rollback), and refuse every append to a closed stream with
     * ESK_ECLOSED, after the replay check and before the expected-version
     * check, under the write lock: esk_store_check_closed() does it. NULL:
     * the backend cannot close streams; esk_store_close_stream() is then
     * ESK_ENOTIMPL and every stream reads as open.
     */
    esk_status (*stream_closed)(esk_store *store, void *impl,
                                const char *stream_id, bool *out_closed);
    /**
     * Optional: wait, outside any transaction, until the head is past
     * after_position or timeout_ms (>= 0) has passed, and set *out_head to
     * the head read last (ESK_OK either way). A backend sets it when it
     * can hear of other connections' commits sooner than by reading the
     * head again and again (PostgreSQL: LISTEN); it must still read the
     * head at a bounded interval, so that a missed notice only delays the
     * wake. NULL: esk_store_wait_for() reads head_position at growing
     * intervals of up to 20 ms.
     */
    esk_status (*wait_for)(esk_store *store, void *impl, int64_t after_position,
                           int timeout_ms, int64_t *out_head);
} esk_store_backend;

/**
 * Wrap a backend into a store handle.
 *
 * @param out     receives the store, owned by the caller; untouched on
 *                failure.
 * @param backend borrowed for the life of the store (usually a static
 *                const); every operation must be set but check_transaction,
 *                read_query.
 * @param impl    the backend's state, owned by the store from now on, also
 *                on failure (backend->close(impl) is then called).
 * @param options NULL for defaults; copied.
 * @return ESK_OK; ESK_EINVAL; ESK_ENOMEM.
 */
esk_status esk_store_new(esk_store **out, const esk_store_backend *backend,
                         void *impl, const esk_store_options *options);

/** The impl given to esk_store_new(). */
void *esk_store_impl(esk_store *store);

/**
 * The store's clock, for backends that stamp anything else. Inside
 * put_record it gives the time the front has read for that record, once
 * and already checked to lie within ESK_TIME_MIN..ESK_TIME_MAX; appends
 * carry theirs in each event's recorded_at, checked the same way.
 */
esk_time esk_store_now(esk_store *store);

/**
 * Record a backend's failure as the thread's last error (esk/error.h): its
 * status and a printf-style message in the user's terms, with no extended
 * code (esk_error_set_ext() gives one). store is not read (it may be NULL): it
 * stays for the backends written before the last error. Returns status, so a
 * backend can write `return esk_store_set_error(store, ESK_EIO, "...", ...);`.
 */
esk_status esk_store_set_error(esk_store *store, esk_status status,
                               const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * The expected-version rule, shared by every backend: ESK_OK when a stream
 * at version `actual` may take an append expecting `expected`, otherwise
 * ESK_ECONCURRENCY with the last error set
 * ("stream 'workshop-42' is at version 7, expected 5").
 */
esk_status esk_store_check_expected(esk_store *store, const char *stream_id,
                                    int64_t expected, int64_t actual);

/**
 * The closed-stream rule, shared by every backend that has stream_closed:
 * ESK_OK when the stream is open; otherwise ESK_ECLOSED with the last error
 * set ("stream 'workshop-42' is closed (at version 9): it takes no more
 * events; append to the stream that continues it"). closed_at is the
 * version whose append closed it, 0 while it is open.
 */
esk_status esk_store_check_closed(esk_store *store, const char *stream_id,
                                  int64_t closed_at);

/** A stored event, as the replay rule reads it. */
typedef struct esk_stored_event {
    /** The event as stored. recorded_at is not read: it may be 0. The
     *  strings need only stay valid until the walk's next step. */
    esk_event event;
    /** The position of the first event of the append that stored this
     *  one, or 0 when the backend does not know (events stored before it
     *  kept append boundaries). */
    int64_t batch_start;
} esk_stored_event;

/**
 * One step of a walk over the stored events in position order: fill out
 * with the next event and return ESK_OK; return ESK_ENOTFOUND when no
 * event is left; or return a failure, with the last error set.
 */
typedef esk_status (*esk_stored_next_fn)(void *ctx, esk_stored_event *out);

/**
 * The replay rule, shared by every backend, so that all of them accept
 * the same retries and refuse every other reuse of an id in the same
 * words. Call it from append when request->ids_supplied, inside the
 * append's transaction, with a walk that starts at the stored event whose
 * id is request->events[0].event_id (a walk that finds nothing at once
 * when that id is not stored).
 *
 * The batch is a replay when it is exactly one stored append: the same
 * stream; as many events as that append stored, with the same ids in the
 * same order, and the same type, schema version, data, metadata and tags
 * (the same tags in the same order), byte for byte (recorded_at is the store's
 * and is not compared); and an expected version that the stored append would
 * have passed as well (ESK_ANY; ESK_NO_STREAM or an exact version where it
 * began; ESK_STREAM_EXISTS when it did not create the stream). Then
 * request->replayed is set, each event's version and position are those
 * stored, and request->result is that append's result: nothing is to be
 * written. For events whose batch_start is 0 the boundaries are not
 * known: one of them may begin a replay of consecutive events of its
 * stream stored by more than one append, but never one that reaches an
 * event whose boundaries are known.
 *
 * @param next walks the stored events; called at most until the end of
 *             the stored append that holds the first id, and one event
 *             beyond it.
 * @return ESK_OK: request->replayed, or the first id is not stored (the
 *         batch is new: store it, and refuse any of its other ids that is
 *         stored); ESK_EDUPLICATE: the first id is stored, but not as
 *         this very batch, with a message that names the id and what
 *         differs ("event id 'A' is already stored in stream 's-1' at
 *         version 3 with another type (stored 'Booked', sent
 *         'Cancelled')"); ESK_EINVAL (NULL store, request or next, or an
 *         empty batch); what next returned when it failed.
 */
esk_status esk_store_check_replay(esk_store *store, esk_append_request *request,
                                  esk_stored_next_fn next, void *ctx);

/**
 * The append-condition rule, shared by every backend that has read_query:
 * call it from append, inside the append's transaction (under the write
 * lock), after the replay check and the expected-version check and before
 * writing. ESK_OK when request->condition is NULL or no event matching its
 * query lies after its position; otherwise ESK_ECONCURRENCY, with a
 * message that names the first such event (position, type, tags); or what
 * read_query returned when it failed.
 */
esk_status esk_store_check_condition(esk_store *store,
                                     const esk_append_request *request);

/**
 * Whether a stream id belongs to a category (see esk_filter). A NULL
 * category matches every stream.
 */
bool esk_stream_in_category(const char *stream_id, const char *category);

/** Whether an event's type is in the filter's types (true when none). */
bool esk_filter_has_type(const esk_filter *filter, const char *type);

#ifdef __cplusplus
}
#endif

#endif
