/*
 * esk/store.h - the event store: append-only streams of events.
 *
 * One interface, two backends:
 *   - esk_store_open_memory(): in the process's memory, gone at close; fast,
 *     for tests and exercises;
 *   - esk_store_open_sqlite(): a SQLite file (or ":memory:"), durable and
 *     shareable between processes.
 * Both obey the same rules, proved by one conformance suite (tests/).
 *
 * Writing: esk_store_append() adds a batch of events to the end of one
 * stream, atomically, if the stream is at the version the caller expects
 * (optimistic concurrency). Every event gets the next stream version and the
 * next global position; positions increase strictly, without gaps, in
 * commit order, and are never reused.
 *
 * Reading: a stream forwards or backwards, or every event in global order
 * after a position (the feed that projections follow), optionally filtered
 * by stream category and event types; or the events that match a query of
 * types and tags, for a decision that spans streams (esk_store_append_if()
 * and esk_store_read_query(), "Tags, queries and append conditions").
 *
 * A store handle must be used by one thread at a time. Several processes may
 * share one SQLite file: each opens its own handle, after fork() (a SQLite
 * connection must never be carried across fork(): close it first, or open
 * it in the child).
 */
#ifndef ESK_STORE_H
#define ESK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "query.h"
#include "record.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esk_store esk_store;

/** Expected version: append whatever the stream's version. */
#define ESK_ANY ((int64_t)-1)
/** Expected version: the stream must not exist yet (version 0). */
#define ESK_NO_STREAM ((int64_t)-2)
/** Expected version: the stream must already have at least one event. */
#define ESK_STREAM_EXISTS ((int64_t)-3)
/* Any value >= 0 is an exact version; 0 means the same as ESK_NO_STREAM. */

/** For backward reads: start at the last event of the stream. */
#define ESK_END ((int64_t)-1)

/** How hard a SQLite commit works to survive a crash. */
typedef enum esk_durability {
    /** Survives a crash of the process; the last commits may be lost if
     *  the machine loses power (WAL with synchronous=NORMAL). The default. */
    ESK_DURABILITY_NORMAL = 0,
    /** Also survives power loss: every commit waits for the disk
     *  (WAL with synchronous=FULL). Slower. */
    ESK_DURABILITY_FULL = 1,
} esk_durability;

#define ESK_STORE_OPTIONS_VERSION 2

/**
 * Options for opening a store. Start from ESK_STORE_OPTIONS_INIT and set
 * what you need; the version field lets later releases add members.
 */
typedef struct esk_store_options {
    int version;
    /** Clock for recorded_at; NULL for esk_clock_system. A time outside
     *  ESK_TIME_MIN..ESK_TIME_MAX (years 0000 to 9999) cannot be stored:
     *  appends and records are then refused with ESK_EINVAL, on every
     *  backend. */
    esk_clock_fn clock;
    void *clock_ctx;
    /** SQLite and PostgreSQL (see esk/store_postgres.h). */
    esk_durability durability;
    /** SQLite and PostgreSQL: how long to wait for another process's lock,
     *  in ms. */
    int busy_timeout_ms;
    /** SQLite and PostgreSQL (version 2): open an existing store for
     *  reading alone, as a viewer does. Nothing is created, upgraded or
     *  written: every append, close and record is refused with
     *  ESK_EREADONLY, and the file's bytes (tests/store_sqlite_read_only.c)
     *  or the schema's rows (tests/test_postgres_read_only.c) stay as they
     *  were. The memory store ignores it. */
    bool read_only;
} esk_store_options;

/* clang-format off */
#define ESK_STORE_OPTIONS_INIT \
    {ESK_STORE_OPTIONS_VERSION, NULL, NULL, ESK_DURABILITY_NORMAL, 5000, false}
/* clang-format on */

/**
 * Open an empty in-memory store.
 *
 * @param out     receives the new store, owned by the caller (close it with
 *                esk_store_free); untouched on failure.
 * @param options NULL for the defaults; borrowed.
 * @return ESK_OK, ESK_EINVAL (out NULL, bad options) or ESK_ENOMEM.
 */
esk_status esk_store_open_memory(esk_store **out,
                                 const esk_store_options *options);

/**
 * Open (and create if needed) a SQLite event store.
 *
 * @param out     receives the new store, owned by the caller; untouched on
 *                failure.
 * @param path    a file name, or ":memory:" for a private in-memory database;
 *                borrowed. Never a SQLite URI: a path that starts with
 *                "file:" is refused (SQLite would read it as one, and its
 *                options can turn off locking); write "./file:..." for a
 *                file whose name starts so.
 * @param options NULL for the defaults; borrowed.
 * With options->read_only the file must exist and hold an esk store of
 * this build's schema: an older one would need an upgrade, which writes.
 *
 * @return ESK_OK;
 *         ESK_EINVAL: out or path NULL, an empty path, a path that starts
 *         with "file:", bad options;
 *         ESK_ESCHEMA: the file holds another application's database, or an
 *         esk schema newer than this build knows; read-only, also an empty
 *         file or an older esk schema (the message says to open it once
 *         for writing);
 *         ESK_ECORRUPT: the file is not a database or is damaged;
 *         ESK_EREADONLY: the file cannot be written (not with read_only);
 *         ESK_EBUSY: another process kept it locked past the timeout;
 *         ESK_EIO: the file cannot be opened (a directory, a missing folder;
 *         read-only, also a missing file);
 *         ESK_ENOMEM.
 */
esk_status esk_store_open_sqlite(esk_store **out, const char *path,
                                 const esk_store_options *options);

/** Close a store and free everything it owns. NULL is a no-op. */
void esk_store_free(esk_store *store);

/*
 * Errors: every store function that can fail records its outcome in the
 * thread's last error (esk/error.h). On SQLite the status is coarse (ESK_EIO
 * covers a full disk and every failed read, write or fsync): the message
 * tells them apart and says what to do, and the extended code says what a
 * program can act on (tests/test_units.c, tests/test_store_sqlite.c):
 *   ESK_EIO + ESK_EXT_DISK_FULL: the disk is full, or the file reached
 *     PRAGMA max_page_count; free space, then retry;
 *   ESK_EBUSY + ESK_EXT_BUSY_TIMEOUT: another connection held the write lock
 *     past busy_timeout_ms; retrying the call later may succeed;
 *   ESK_EBUSY + ESK_EXT_BUSY_SNAPSHOT: a read left open on
 *     esk_store_sqlite_db() holds a snapshot older than another
 *     connection's commit; finish or reset it, then redo the unit;
 *   ESK_EXT_TRANSACTION_LOST (with the first cause's status): the database
 *     ended the caller's transaction by itself; roll back the outermost
 *     transaction and redo the whole unit (see "Transactions" below).
 * The memory store never gives an extended code: it has no disk, no lock
 * and no transaction that ends by itself.
 */

/** The backend's name: "memory", "sqlite" or "postgres". */
const char *esk_store_backend_name(const esk_store *store);

/** Where an append landed. */
typedef struct esk_append_result {
    /** The stream's version after the append (the last event's version). */
    int64_t version;
    /** The global position of the batch's last event. */
    int64_t position;
} esk_append_result;

/**
 * Append a batch of events to the end of a stream, all or nothing.
 *
 * @param store     the store.
 * @param stream_id 1 to ESK_STREAM_ID_MAX bytes of valid UTF-8; stored
 *                  verbatim (quotes, '%', unicode are fine). The part before
 *                  the first '-' is the stream's category.
 * @param expected  ESK_ANY, ESK_NO_STREAM, ESK_STREAM_EXISTS, or the exact
 *                  version the stream must be at (>= 0).
 * @param events    n events; borrowed.
 * @param n         1 or more.
 * @param out       optional: the new version and last position.
 * @return ESK_OK;
 *         ESK_EINVAL: a NULL pointer, n == 0, a bad stream id, type, event
 *         id or expected value, data that is not JSON, metadata that is not
 *         a JSON object, the same event id twice in the batch, a clock
 *         reading outside ESK_TIME_MIN..ESK_TIME_MAX;
 *         ESK_ECLOSED: the stream was closed (esk_store_close_stream());
 *         nothing was written, whatever the expected version;
 *         ESK_ECONCURRENCY: the stream is not at the expected version (the
 *         message gives both versions);
 *         ESK_EDUPLICATE: an event id of the batch is already stored, but
 *         not as this very batch; the message names the id and what
 *         differs ("event id 'A' is already stored in stream 's-1' at
 *         version 3 with another type (stored 'Booked', sent
 *         'Cancelled')").
 *         This very batch means a retry of one stored append: the same
 *         stream, the same events in the same order (ids, types, schema
 *         versions, data and metadata byte for byte; NULL metadata is
 *         "{}"; and the same tags: none, for this function), as many as
 *         that append stored, and an expected version that append passed
 *         as well (ESK_ANY; ESK_NO_STREAM or the exact
 *         version the stream had before it; ESK_STREAM_EXISTS unless it
 *         created the stream). A retry succeeds with that append's result,
 *         even after later appends, writes nothing and calls no subscriber.
 *         recorded_at is the store's stamp, not content, and is not
 *         compared: a retry comes later. Part of an append, two appends
 *         sent as one, or its events in another order are refused. On a
 *         SQLite file from before esk kept append boundaries (schema 3),
 *         the events stored then are compared in content and order, but
 *         consecutive appends of theirs to one stream may pass for one.
 *         ESK_EBUSY, ESK_EIO, ESK_EREADONLY, ESK_ECORRUPT, ESK_ENOMEM: nothing
 *         was written.
 * Subscribers are called after the batch is committed.
 */
esk_status esk_store_append(esk_store *store, const char *stream_id,
                            int64_t expected, const esk_new_event *events,
                            size_t n, esk_append_result *out);

/* --- Tags, queries and append conditions -------------------------------
 *
 * For a consistency boundary drawn by the decision rather than by a stream
 * (the dcb.events specification's Dynamic Consistency Boundary): events
 * carry tags ("attendee:bob", "workshop:w-1"); a query read returns the
 * events that match a query and the position it read up to; and an append
 * may carry a condition that refuses it if an event matching the same query
 * was appended after that position. Streams and expected versions still
 * apply: pass ESK_ANY to rely on the condition alone.
 *
 *     read   esk_store_read_query(store, &query, 0, 0, &events, &read_up_to)
 *     decide from the events
 *     append esk_store_append_if(store, "registration-1", ESK_ANY, &event,
 *                                &tags, 1, &(esk_append_condition){query,
 *                                read_up_to}, NULL)
 *
 * Both backends shipped keep an index of tags and of types, so a query
 * reads the events it matches and not the whole store. The tags, queries
 * and conditions themselves are in esk/query.h.
 */

/**
 * esk_store_append() with tags per event and an optional condition, all
 * or nothing.
 *
 * The condition is checked under the write lock in the same unit as the
 * insert (on SQLite inside the append's BEGIN IMMEDIATE transaction, or the
 * caller's), so of two writers whose conditions see each other's events,
 * one at most succeeds (tests/test_contention.c).
 *
 * @param tags      NULL for no tags, or n entries: tags[i] for events[i]
 *                  ({NULL, 0} for an event without tags). Borrowed.
 * @param condition NULL for none. Borrowed.
 * Otherwise as esk_store_append(), whose rules all apply.
 * @return ESK_OK;
 *         ESK_EINVAL: as esk_store_append(), and a bad tag (NULL, empty,
 *         longer than ESK_TAG_MAX, not UTF-8, twice on one event), more than
 *         ESK_EVENT_TAGS_MAX tags on an event, a bad query (see
 *         esk_store_read_query()) or a negative condition->after;
 *         ESK_ECONCURRENCY: the stream is not at the expected version, or
 *         an event matching the condition's query has a position after
 *         condition->after (the message names the first one: position,
 *         type and tags); nothing is written;
 *         ESK_EDUPLICATE: as esk_store_append(). A retry of one stored
 *         append must also send the same tags, in the same order; it then
 *         succeeds whatever the condition says now (its events would match
 *         it);
 *         ESK_ENOTIMPL: the store's backend keeps no tags (a backend of
 *         your own that leaves read_query NULL), when tags or a condition
 *         are given; nothing is written;
 *         ESK_EBUSY, ESK_EIO, ESK_EREADONLY, ESK_ECORRUPT, ESK_ENOMEM:
 *         nothing was written.
 * Subscribers and inline handlers see each event's tags.
 */
esk_status esk_store_append_if(esk_store *store, const char *stream_id,
                               int64_t expected, const esk_new_event *events,
                               const esk_tags *tags, size_t n,
                               const esk_append_condition *condition,
                               esk_append_result *out);

/**
 * Read the events that match a query, in global order.
 *
 * @param query          1 to ESK_QUERY_ITEMS_MAX items; each with at most
 *                       ESK_QUERY_TYPES_MAX types (each 1 to ESK_TYPE_MAX
 *                       bytes of UTF-8) and at most ESK_EVENT_TAGS_MAX tags
 *                       (as in esk_tags; an item's tags may repeat).
 *                       Borrowed.
 * @param after_position read events whose position is greater (>= 0).
 * @param max_count      at most this many events; 0 means no limit.
 * @param out            replaced with the events.
 * @param read_up_to     optional: the position the read covers. Every
 *                       matching event at a position up to it and after
 *                       after_position is in out: the store's head when
 *                       the read was made (after_position when that is
 *                       further), or the last event's position when the
 *                       read gave max_count events. Pass it as an append
 *                       condition's `after`.
 * @return ESK_OK; ESK_EINVAL (NULL store, query or out, a bad query, a
 *         negative after_position); ESK_ENOTIMPL (the backend keeps no
 *         tags); ESK_EBUSY, ESK_EIO, ESK_ECORRUPT, ESK_ENOMEM (out is left
 *         empty, read_up_to untouched).
 */
esk_status esk_store_read_query(esk_store *store, const esk_query *query,
                                int64_t after_position, size_t max_count,
                                esk_event_list *out, int64_t *read_up_to);

/**
 * Read a stream forwards.
 *
 * @param from_version the first version to read (1 for the start; 0 is
 *                     read as 1).
 * @param max_count    at most this many events; 0 means no limit.
 * @param out          replaced with the events, oldest first. An absent
 *                     stream reads as empty (use esk_store_stream_version
 *                     to tell absent from empty).
 * @return ESK_OK; ESK_EINVAL (NULL pointer, bad stream id, negative
 *         version); ESK_EBUSY, ESK_EIO, ESK_ECORRUPT, ESK_ENOMEM (out is
 *         left empty).
 */
esk_status esk_store_read_stream(esk_store *store, const char *stream_id,
                                 int64_t from_version, size_t max_count,
                                 esk_event_list *out);

/**
 * Read a stream backwards, newest first.
 *
 * @param from_version the first version to read, going down; ESK_END for
 *                     the last event.
 * Otherwise as esk_store_read_stream().
 */
esk_status esk_store_read_stream_backward(esk_store *store,
                                          const char *stream_id,
                                          int64_t from_version,
                                          size_t max_count,
                                          esk_event_list *out);

/* --- Closing a stream ----------------------------------------------------
 *
 * A stream that has ended for good (a period closed with a summary, an
 * aggregate deleted) is closed by its last append: the closing events are
 * stored and the stream takes no more, atomically. Its events stay where
 * they are: reads of the stream and the global feed still return them, at
 * the same versions and positions; esk_store_stream_closed() says it is
 * closed. The check runs under the write lock, like the expected-version
 * check, so no append can slip in after the close. Inside a caller's
 * transaction the close is part of it: a rollback reopens the stream.
 */

/**
 * Append a batch that closes the stream: esk_store_append() with the close.
 *
 * @param n at least 1: a stream closes with its last word (a summary, a
 *          "Deleted" event), so that the feed shows why it ended.
 * Otherwise as esk_store_append(), whose rules all apply.
 * @return ESK_OK: the events are stored and the stream is closed;
 *         ESK_ECLOSED: the stream was already closed, nothing was written;
 *         ESK_ENOTIMPL: the store's backend cannot close streams (its
 *         stream_closed operation is NULL), nothing was written;
 *         every other status of esk_store_append(). A retry of the very
 *         closing batch (the same caller-supplied ids) is a replay and
 *         returns ESK_OK with the stored result, as for any append; the
 *         same batch stored by a plain append, which closed nothing, is
 *         ESK_EDUPLICATE.
 */
esk_status esk_store_close_stream(esk_store *store, const char *stream_id,
                                  int64_t expected,
                                  const esk_new_event *final_events, size_t n,
                                  esk_append_result *out);

/**
 * Whether a stream is closed. An absent or open stream gives false, also on
 * a backend that cannot close streams.
 *
 * @return ESK_OK; ESK_EINVAL (NULL store or out_closed, bad stream id);
 *         ESK_EBUSY, ESK_EIO, ESK_ECORRUPT.
 */
esk_status esk_store_stream_closed(esk_store *store, const char *stream_id,
                                   bool *out_closed);

/**
 * Which events esk_store_read_all() returns. Members left NULL/0 do not
 * filter. The pointers are borrowed for the call.
 */
typedef struct esk_filter {
    /** Only streams of this category (the stream id before the first
     *  '-'; a stream id without '-' is its own category). */
    const char *category;
    /** Only these event types. */
    const char *const *types;
    size_t type_count;
} esk_filter;

/**
 * Read events in global order.
 *
 * @param after_position read events whose position is greater than this
 *                       (0 for the beginning); a checkpoint. Negative is
 *                       ESK_EINVAL; INT64_MAX reads nothing.
 * @param max_count      at most this many events; 0 means no limit.
 * @param filter         optional; NULL reads every event.
 * @param out            replaced with the events.
 * @return as esk_store_read_stream().
 */
esk_status esk_store_read_all(esk_store *store, int64_t after_position,
                              size_t max_count, const esk_filter *filter,
                              esk_event_list *out);

/**
 * The current version of a stream: 0 when it does not exist.
 *
 * @return ESK_OK; ESK_EINVAL; ESK_EBUSY, ESK_EIO, ESK_ECORRUPT.
 */
esk_status esk_store_stream_version(esk_store *store, const char *stream_id,
                                    int64_t *out_version);

/**
 * The position of the last event in the store, 0 when it is empty.
 *
 * @return ESK_OK; ESK_EINVAL; ESK_EBUSY, ESK_EIO, ESK_ECORRUPT.
 */
esk_status esk_store_head_position(esk_store *store, int64_t *out_position);

/**
 * Wait until the store holds an event past after_position, or until
 * timeout_ms has passed: for a reader that has read everything up to
 * after_position and follows the appends of other processes (a catch-up
 * projection, a process manager) without reading the head in a tight
 * loop. Only committed appends count: one rolled back wakes nobody.
 *
 * How soon it wakes (tests/test_store_postgres.c, store_sqlite_sharing.c):
 * PostgreSQL: every committed append notifies the schema's channel
 * (NOTIFY <schema>, sent in the append's own transaction) and a waiter
 * LISTENs, so it wakes within milliseconds; it also reads the head at
 * least every 500 ms, so that a missed notice or a lost connection (it
 * connects again) delays the wake by at most that. SQLite and other
 * backends: the head is read at growing intervals of up to 20 ms. The
 * memory store is used by one thread, so nothing can append while it
 * waits: it returns at once when the head is already past, else after
 * the timeout.
 *
 * @param after_position the last position the caller has read (>= 0).
 * @param timeout_ms     how long to wait at most (>= 0; 0 reads the head
 *                       once).
 * @param out_head       receives the head read last: greater than
 *                       after_position when woken, at most after_position
 *                       when the timeout passed first.
 * @return ESK_OK, woken or timed out (compare *out_head);
 *         ESK_EINVAL: NULL store or out_head, a negative after_position
 *         or timeout_ms, or a transaction open on this store (it holds the
 *         write lock that other writers need: commit or roll back first);
 *         ESK_EBUSY, ESK_EIO, ESK_ECORRUPT as esk_store_head_position()
 *         (PostgreSQL: ESK_EIO when the server stayed out of reach until
 *         the timeout).
 */
esk_status esk_store_wait_for(esk_store *store, int64_t after_position,
                              int timeout_ms, int64_t *out_head);

/**
 * Called after every committed append made through this handle, with the
 * batch as stored. The events are valid during the call only. A subscriber
 * sees appends made by this process's handle only: to follow other
 * processes, read with esk_store_read_all() from a checkpoint. It must not
 * append to or close the store that calls it.
 *
 * It may subscribe and unsubscribe (itself or others) during its call. A
 * batch reaches exactly the subscribers registered when its delivery
 * started, in registration order, less those removed before their turn;
 * one added during the call hears from the next batch on. Removing one
 * never makes another miss the batch.
 */
typedef void (*esk_subscriber_fn)(void *ctx, const esk_event *events, size_t n);

/**
 * Register a subscriber. The same fn and ctx pair may be registered once.
 *
 * @return ESK_OK; ESK_EINVAL (NULL store or fn); ESK_EEXISTS; ESK_ENOMEM.
 */
esk_status esk_store_subscribe(esk_store *store, esk_subscriber_fn fn,
                               void *ctx);

/**
 * Remove a subscriber registered with the same fn and ctx.
 *
 * @return ESK_OK; ESK_EINVAL; ESK_ENOTFOUND.
 */
esk_status esk_store_unsubscribe(esk_store *store, esk_subscriber_fn fn,
                                 void *ctx);

/* --- Transactions -------------------------------------------------------
 *
 * A transaction groups appends and records (checkpoints, command outcomes,
 * snapshots) into one all-or-nothing unit of work. It is how esk gets an
 * exactly-once effect: a projection writes its read model and its
 * checkpoint in one transaction; the idempotency middleware writes the
 * command's events and its outcome in one transaction.
 *
 * Transactions nest: an inner begin/commit is a savepoint, and an inner
 * rollback undoes only what happened since its begin. Every append is
 * itself such a unit: a failed append inside a transaction undoes that
 * append alone, and the caller decides whether to go on or roll back.
 *
 * Except when the database ends the whole transaction by itself: SQLite
 * does on a full disk, some I/O errors, an interrupt, or a statement's
 * ON CONFLICT ROLLBACK (a read model's, written by a handler). The unit is
 * then doomed: every call inside it (appends, nested begins, commits,
 * records, reads) fails with the status and message of the first cause,
 * nothing of it is ever committed, and the outermost rollback ends it
 * (it returns ESK_OK; an outermost commit fails, saying nothing was
 * committed, and ends it too). Each of these failures has the extended
 * code ESK_EXT_TRANSACTION_LOST; an append that was its own unit (no
 * transaction of the caller's open) gives its cause's code instead,
 * ESK_EXT_DISK_FULL say. Check esk_store_transaction_depth() after a failure if
 * unsure. (docs/reliability.md, tests/test_units.c)
 *
 * On SQLite the outermost begin takes the write lock (BEGIN IMMEDIATE),
 * so keep transactions short. Reads through the same handle see the
 * transaction's own writes. Subscribers hear of the appends when the
 * outermost transaction commits, never if it rolls back.
 */

/**
 * Begin a transaction, or a nested one inside an open transaction.
 *
 * @return ESK_OK; ESK_EINVAL (NULL store); ESK_EBUSY (another process held
 *         the lock past the timeout, or, on SQLite, a statement stepped and
 *         not yet reset on esk_store_sqlite_db() reads an older snapshot
 *         than another connection's last commit); ESK_EIO; ESK_ENOMEM.
 */
esk_status esk_store_begin(esk_store *store);

/**
 * Commit the innermost transaction. Committing the outermost one makes
 * everything durable and then calls the subscribers.
 *
 * @return ESK_OK; ESK_EINVAL (NULL store, no open transaction); ESK_EBUSY,
 *         ESK_EIO, ESK_EREADONLY: the transaction is rolled back.
 */
esk_status esk_store_commit(esk_store *store);

/**
 * Undo everything since the innermost begin, and close it.
 *
 * @return ESK_OK; ESK_EINVAL (NULL store, no open transaction); ESK_EIO;
 *         in a doomed unit (see above), the first cause's status when an
 *         inner transaction is closed, ESK_OK for the outermost.
 */
esk_status esk_store_rollback(esk_store *store);

/** How many transactions are open (0 outside any). NULL gives 0. */
int esk_store_transaction_depth(const esk_store *store);

/* --- Records --------------------------------------------------------------
 *
 * Small named records kept beside the events, in the same transactions:
 * where projections keep checkpoints, the command bus keeps command
 * outcomes, and repositories keep snapshots. On SQLite each kind has its
 * own table, so `sqlite3 file.db 'select * from checkpoints'` shows them.
 * The record and its kinds are described in esk/record.h.
 */

/**
 * Insert or replace a record.
 *
 * @param record key: 1 to ESK_STREAM_ID_MAX bytes of UTF-8; value: valid
 *               JSON; at and tag: any value, kept as they are.
 *               Borrowed.
 * @return ESK_OK; ESK_EINVAL (a bad kind, key or value, a clock reading
 *         outside ESK_TIME_MIN..ESK_TIME_MAX); ESK_EBUSY, ESK_EIO,
 *         ESK_EREADONLY, ESK_ENOMEM (nothing written).
 */
esk_status esk_store_put_record(esk_store *store, esk_record_kind kind,
                                const esk_record *record);

/**
 * Read a record.
 *
 * @param out   on ESK_OK, filled; out->key and out->value point into
 *              *owned, which the caller frees with esk_free().
 * @param owned receives the memory behind out's strings.
 * @return ESK_OK; ESK_ENOTFOUND (out and owned untouched); ESK_EINVAL;
 *         ESK_EBUSY, ESK_EIO, ESK_ECORRUPT, ESK_ENOMEM.
 */
esk_status esk_store_get_record(esk_store *store, esk_record_kind kind,
                                const char *key, esk_record *out, char **owned);

/* --- Inline handlers --------------------------------------------------------
 *
 * An inline handler runs inside the append's transaction, after the
 * events are written and before they commit: an inline projection updates
 * its read model there, so that the read model and the events can never
 * disagree. If it fails, the append fails with ESK_ECALLBACK and nothing
 * of it is written (its message says which handler and why).
 *
 * A handler may open and close transactions of its own (they nest), but
 * never end the append's: esk_store_commit() and esk_store_rollback() on
 * that level or one around it return ESK_EINVAL from inside a handler.
 * A handler that returns with a transaction of its own still open fails
 * the append (ESK_ECALLBACK), and what it began is rolled back.
 */
typedef esk_status (*esk_inline_fn)(void *ctx, esk_store *store,
                                    const esk_event *events, size_t n);

/**
 * Register an inline handler; the same fn and ctx pair may be registered
 * once. Handlers run in registration order.
 *
 * A handler may add and remove handlers (itself or others) during its
 * call, as a subscriber may: the batch is handled by exactly the handlers
 * registered when its append started to run them, less those removed
 * before their turn; one added during the call runs from the next append
 * on. Removing one never makes another miss the batch.
 *
 * @return ESK_OK; ESK_EINVAL; ESK_EEXISTS; ESK_ENOMEM.
 */
esk_status esk_store_add_inline(esk_store *store, esk_inline_fn fn, void *ctx);

/** Remove an inline handler. @return ESK_OK; ESK_EINVAL; ESK_ENOTFOUND. */
esk_status esk_store_remove_inline(esk_store *store, esk_inline_fn fn,
                                   void *ctx);

struct sqlite3;

/**
 * The SQLite connection of a SQLite store, NULL for any other store.
 * Borrowed: valid until the store is closed. Use it for read-model tables
 * in the same database (and so in the same transactions); do not close it,
 * and do not begin or end transactions on it yourself. Finalize (or at
 * least reset) the statements you prepare on it: one stepped and left open
 * holds its snapshot, and the store's next write fails with ESK_EBUSY once
 * another connection has committed. A statement still open at
 * esk_store_free() keeps the connection and its files until it is
 * finalized, and no longer.
 */
struct sqlite3 *esk_store_sqlite_db(esk_store *store);

/**
 * The category of a stream id: the bytes before the first '-', or the
 * whole id. Writes at most size bytes with a final NUL.
 *
 * @return ESK_OK; ESK_EINVAL (NULL pointers, buffer too small).
 */
esk_status esk_stream_category(const char *stream_id, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
