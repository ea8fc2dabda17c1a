/*
 * src/store_internal.h - the store handle, shared by the front's files.
 */
#ifndef ESK_STORE_INTERNAL_H
#define ESK_STORE_INTERNAL_H

#include "esk/store_backend.h"
#include "internal.h"

enum {
    /* Deep enough for any sane nesting: a bus inside a process manager
     * inside a projection is 4. */
    STORE_DEPTH_MAX = 32,
};

/* A registered subscriber or inline handler: one of the two is set, or
 * neither for one removed while the list was being called. */
typedef struct esk__hook {
    esk_subscriber_fn subscriber;
    esk_inline_fn inline_fn;
    void *ctx;
} esk__hook;

/*
 * Hooks in registration order. A hook may add or remove hooks from inside
 * its call, so while a batch is being delivered (calling > 0; deliveries
 * nest when a hook appends) the list only grows at the end and a removed
 * hook is blanked in place: every delivery walks the places that existed
 * when it started, and skips the blanks. The last delivery to finish
 * closes the gaps.
 */
typedef struct esk__hook_list {
    esk__hook *items;
    size_t count;
    size_t capacity;
    int calling;
    bool has_blanks;
} esk__hook_list;

/* Where the queue of batches to announce stood when a transaction began,
 * so that a rollback can drop what it undid. */
typedef struct esk__queue_mark {
    size_t events;
    size_t batches;
} esk__queue_mark;

struct esk_store {
    const esk_store_backend *backend;
    void *impl;
    esk_store_options options;

    esk__hook_list subscribers;
    esk__hook_list inline_handlers;

    /* Open transactions. */
    int depth;
    esk__queue_mark marks[STORE_DEPTH_MAX];
    /* While inline handlers run: the depth of the append's own unit,
     * which they may not commit or roll back (0 otherwise). */
    int floor;
    /* Not ESK_OK once the database ended the open transaction by itself:
     * the unit is doomed. Every call then fails with this status and
     * doom_message (the first cause), extended code
     * ESK_EXT_TRANSACTION_LOST, until the outermost transaction is
     * closed, so that nothing after the loss can be committed. */
    esk_status doomed;
    char doom_message[ESK_ERROR_MESSAGE_MAX];

    /* Batches committed inside a transaction wait here for the outermost
     * commit before the subscribers hear of them: events (copied) and the
     * size of each batch. */
    esk_event_list queued;
    size_t *queued_batches;
    size_t queued_batch_count;
    size_t queued_batch_capacity;

    /* The time the front read for the record being written, which
     * esk_store_now() gives the backend while stamped is set: the clock is
     * read and checked once per operation. */
    esk_time stamp;
    bool stamped;

    /* Scratch space reused by every append, so that the hot path does not
     * allocate once it has seen its largest batch. */
    esk_event *batch;
    char (*ids)[ESK_EVENT_ID_LEN + 1];
    size_t batch_capacity;

    /* The generator of the store's event ids: its own, so that they
     * increase with its appends and follow its clock (esk_uuid_v7). */
    esk__uuid_v7_state id_generator;
};

/* The failure of a public function called with a NULL store. */
static inline esk_status esk__store_is_null(const char *function)
{
    return esk__fail(ESK_EINVAL, "%s: the store is NULL", function);
}

/* The backend a store was made with: a backend module answers questions
 * about its own stores only (esk_store_sqlite_db()). */
const esk_store_backend *esk__store_backend(const esk_store *store);

/* --- src/store.c: the checks the reads share with the appends ---------- */

/* Check a stream id: 1 to ESK_STREAM_ID_MAX bytes of UTF-8, no NUL
 * inside. */
esk_status esk__store_check_stream_id(const char *stream_id);
/* ESK_OK when the store's backend keeps tags (it has read_query), else
 * ESK_ENOTIMPL saying the store cannot <what>. */
esk_status esk__store_check_tags_supported(const esk_store *store,
                                           const char *what);

/* --- src/store_query.c: tags, queries, the append condition ------------- */

/* Check the tags of event i of a batch (ESK_EINVAL with a message). */
esk_status esk__check_event_tags(const esk_tags *tags, size_t i);
/* Check a query (ESK_EINVAL with a message). */
esk_status esk__check_query(const esk_query *query);

/* --- src/store_hooks.c: subscribers, inline handlers, the queue ----------- */

bool esk__hook_is_blank(const esk__hook *hook);
/* A delivery starts: the number of places it walks (see esk__hook_list). */
size_t esk__hooks_start(esk__hook_list *list);
/* A delivery ends; the last one closes the gaps, keeping the order. */
void esk__hooks_stop(esk__hook_list *list);
/* Tell the subscribers about a committed batch. */
void esk__store_announce(esk_store *store, const esk_event *events, size_t n);
/* Keep a copy of a batch committed inside a transaction, for the
 * outermost commit: ESK_ENOMEM (no message) leaves the queue as it was. */
esk_status esk__store_queue_batch(esk_store *store, const esk_event *events,
                                  size_t n);
/* The outermost commit: announce the queued batches and empty the queue. */
void esk__store_announce_queued(esk_store *store);
/* Free the hook lists and the announcement queue. */
void esk__store_hooks_free(esk_store *store);

/* --- src/store_tx.c: the clock, units of work, the doom ------------------ */

/* Read the store's clock for an operation: ESK_EINVAL, with the message
 * "<doing> '<name>': the clock reads ...", when the time is one esk cannot
 * store (outside ESK_TIME_MIN..ESK_TIME_MAX). Both backends then refuse it
 * alike, whichever of them would have noticed. */
esk_status esk__store_clock(esk_store *store, const char *doing,
                            const char *name, esk_time *out);

/* Run a validated append as a unit of work: begin (or savepoint), the
 * backend's append, the inline handlers, commit; then announce it (now,
 * or at the outermost commit). */
esk_status esk__store_run_append(esk_store *store, esk_append_request *request);

/* Inside a transaction, whether it can still be used: ESK_OK, or the
 * status and message of the failure that doomed it (checking first whether
 * the database ended it since the last call). ESK_OK outside one. Every
 * front operation calls it before it touches the backend. */
esk_status esk__store_unit_check(esk_store *store);

/* After a backend operation failed with rc inside a transaction: doom the
 * unit if the database ended the transaction, and then say so
 * (ESK_EXT_TRANSACTION_LOST, the failure as the first cause). Returns rc. */
esk_status esk__store_note_failure(esk_store *store, esk_status rc);

#endif
