/*
 * esk/projection.h - read models built from events.
 *
 * The write side keeps events; the read side keeps whatever the queries
 * need (a catalogue table, an attendee's agenda), built by projections
 * that turn each event into read-model changes. Queries read only the read
 * model, never the events: that is the CQRS split.
 *
 * Three ways to run a projection:
 *
 *   inline    in the append's own transaction: the read model is never
 *             behind, and a failing projection fails the append.
 *             (esk_projection_attach_inline)
 *   catch-up  after the fact, from a checkpoint, in batches: the read
 *             model may lag, it can be rebuilt from scratch, and it
 *             holds the write lock only in short batches, so writers get
 *             through while it runs (see max_batch_ms). (esk_catchup_*)
 *   live      fold one stream on demand, keep nothing.
 *             (esk_projection_live)
 *
 * Delivery. On the SQLite store, keep the read model in the store's own
 * database (esk_store_sqlite_db): a catch-up batch then writes the read
 * model and the checkpoint in one transaction, and each event takes effect
 * exactly once, even across crashes (a batch shares one savepoint: after a
 * handler fails, the batch is undone and the events before the failed one
 * run again, each in a savepoint of its own, so a handler may be called
 * twice for an event whose effect is kept once). On the memory store the
 * read model is your own memory, which a rollback cannot undo, so each
 * event keeps a savepoint of its own there: an event whose checkpoint was
 * not saved (a failed commit, a checkpoint reset by hand) is delivered
 * again, so handlers must be idempotent (applying an event twice has the
 * effect of applying it once). Either way, events are delivered in
 * position order and none is skipped.
 */
#ifndef ESK_PROJECTION_H
#define ESK_PROJECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "status.h"
#include "store.h"
#include "upcast.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A projection: what it reads, and how it writes its read model. */
typedef struct esk_projection {
    /** Unique among projections: the checkpoint's key. 1 to
     *  ESK_STREAM_ID_MAX bytes of UTF-8, not starting with "process:"
     *  (process managers keep their checkpoints under "process:<name>"
     *  among the same records). */
    const char *name;
    /** The read model's layout version: a catch-up projection whose
     *  checkpoint was written by another version is rebuilt. 1 or more. */
    int version;
    /** The event types it handles; none (NULL/0) means every event. */
    const char *const *event_types;
    size_t event_type_count;
    /**
     * Apply one event to the read model; required. On SQLite, write through
     * esk_store_sqlite_db(store); on PostgreSQL, through
     * esk_store_postgres_conn(store) (esk/store_postgres.h). A failure stops
     * the projection at this event (nothing is skipped): return its status,
     * after esk_error_set() to say why (a status passed on from an esk call
     * needs nothing more). The event is valid during the call only.
     */
    esk_status (*handle)(void *ctx, esk_store *store, const esk_event *event);
    /** Optional: create the read model if missing (idempotent). Reports
     *  a failure as handle() does. */
    esk_status (*setup)(void *ctx, esk_store *store);
    /** Optional: empty the read model, for a rebuild. Reports a failure
     *  as handle() does. */
    esk_status (*reset)(void *ctx, esk_store *store);
    /** Passed to the three functions above. */
    void *ctx;
} esk_projection;

/**
 * Run a projection inside every append of this store handle, from now on:
 * handle() is called for each event of the batch it handles, after the
 * events are written and before they commit. Calls setup() first, in a
 * transaction of its own.
 *
 * When handle() fails, the append returns ESK_ECALLBACK and writes nothing
 * (neither the events nor, on SQLite, the read-model changes), and
 * the message names the projection, the event (position, stream,
 * version, type) and the handler's error.
 *
 * @param store      the store.
 * @param projection borrowed; must outlive the store or be detached.
 * @return ESK_OK; ESK_EINVAL (NULL, no name or handle, a name starting
 *         with "process:", version < 1);
 *         ESK_EEXISTS (this projection is attached already); ESK_ECALLBACK
 *         (setup failed; nothing is attached); the store's errors
 *         (ESK_EBUSY, ESK_EIO...); ESK_ENOMEM.
 */
esk_status esk_projection_attach_inline(esk_store *store,
                                        const esk_projection *projection);

/**
 * Stop running a projection inline. Its read model is left as it is.
 *
 * @param projection the pointer given to esk_projection_attach_inline().
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_ENOTFOUND (not attached).
 */
esk_status esk_projection_detach_inline(esk_store *store,
                                        const esk_projection *projection);

/**
 * Fold one stream through a projection now, from its first event, without
 * checkpoint or transaction (a live read). Neither setup() nor reset() is
 * called: ctx should start empty.
 *
 * @param stream_id the stream to read; borrowed.
 * @return ESK_OK (an absent stream applies nothing); ESK_EINVAL (NULL, bad
 *         stream id, bad projection); ESK_ECALLBACK (the handler failed:
 *         the message names the event and the handler's error); the store's
 *         errors.
 */
esk_status esk_projection_live(esk_store *store,
                               const esk_projection *projection,
                               const char *stream_id);

/* --- Catch-up ------------------------------------------------------------
 *
 * A catch-up runner keeps its checkpoint as a store record
 * (ESK_RECORD_CHECKPOINT, key = the projection's name, at = the
 * position of the last event it has gone past, tag = the projection's
 * version). Each batch is one transaction: the handler's writes and the
 * checkpoint move commit together. The checkpoint also moves past the
 * events the projection does not handle, so that the lag goes to 0.
 *
 * Any number of runners of one projection may run at once (processes or
 * handles on one store): each batch reads the checkpoint again once it
 * holds the write lock and goes on from there, so each event takes effect
 * once between them (tests/test_runners.c). A runner that finds the
 * checkpoint written by another version of the projection while it runs
 * stops with ESK_ECONCURRENCY.
 */

typedef struct esk_catchup esk_catchup;

#define ESK_CATCHUP_OPTIONS_VERSION 2

typedef struct esk_catchup_options {
    /** ESK_CATCHUP_OPTIONS_VERSION; 1 is still read (without
     *  max_batch_ms, which then takes its default). */
    int version;
    /** Events read and applied per transaction, 1 or more. */
    size_t batch_size;
    /** Optional upcasters applied before the handler. Borrowed; must
     *  outlive the runner. */
    const esk_upcasters *upcasters;
    /**
     * How long one batch may hold the store's write lock, in
     * milliseconds, 1 or more (default 100). A batch commits as soon as
     * its handlers have run this long, and the runner then pauses so that
     * writers waiting for the lock get it first. A single handler call is
     * never cut: the lock is held for at most max_batch_ms plus the
     * slowest handler call. Keep it well below the writers' busy timeout
     * (5000 ms by default).
     */
    int max_batch_ms;
} esk_catchup_options;

/* clang-format off */
#define ESK_CATCHUP_OPTIONS_INIT {ESK_CATCHUP_OPTIONS_VERSION, 500, NULL, 100}
/* clang-format on */

/** Where a catch-up projection stands. */
typedef struct esk_catchup_status {
    /** The position the projection has gone past (0: nothing yet). */
    int64_t checkpoint;
    /** The store's last position. */
    int64_t head;
    /** head - checkpoint: how far the read model is behind (counting
     *  events it will skip, too); negative when the checkpoint is past
     *  the head (see esk_catchup_status_get). A query answered now may miss
     * that many events: the read model is eventually consistent. */
    int64_t lag;
    /** Events applied by the last run. */
    size_t applied;
    /** Whether the last run started with a rebuild (version change). */
    bool rebuilt;
    /** When a handler failed: the position it stopped at, else 0. */
    int64_t failed_position;
} esk_catchup_status;

/**
 * Create a catch-up runner for a projection. Calls setup(), in a
 * transaction of its own.
 *
 * @param out        receives it, owned by the caller (esk_catchup_free);
 *                   untouched on failure.
 * @param store      borrowed; must outlive the runner.
 * @param projection borrowed; must outlive the runner.
 * @param options    NULL for defaults; copied.
 * @return ESK_OK; ESK_EINVAL (NULL, bad projection, bad options);
 *         ESK_ECALLBACK (setup failed); the store's errors; ESK_ENOMEM.
 */
esk_status esk_catchup_new(esk_catchup **out, esk_store *store,
                           const esk_projection *projection,
                           const esk_catchup_options *options);

/** Free a runner (the checkpoint stays in the store). NULL is a no-op. */
void esk_catchup_free(esk_catchup *catchup);

/**
 * Apply every event after the checkpoint, batch by batch, until the head
 * as it was when the run started (events appended meanwhile are for the
 * next run). If the stored checkpoint was written by another version of
 * the projection, rebuild first: reset(), checkpoint 0.
 *
 * When a handler fails, the events of the batch before it are kept and
 * the checkpoint is saved just before it; what the failing handler wrote
 * on SQLite (and on PostgreSQL, through esk_store_postgres_conn()) is
 * undone. Fix the cause and run again: it resumes at that event, and
 * nothing is skipped.
 *
 * To follow the appends of other processes, run it in a loop that waits
 * for the next one in between: esk_catchup_run(c, &st), then
 * esk_store_wait_for(store, st.head, timeout_ms, &head)
 * (tests/test_store_postgres.c,
 * a_catchup_runner_follows_another_process_by_waiting).
 *
 * @param status optional: where it stands after the run (also on
 *               failure).
 * @return ESK_OK; ESK_EINVAL (NULL runner); ESK_ECALLBACK (a handler, or
 *         reset() in a rebuild, failed: status->failed_position is the
 *         event's position, and the message names its position, stream,
 *         version, type and the handler's error; also a handler that
 *         began or ended a transaction it did not close: then nothing of
 *         the batch is kept); ESK_EDECODE (an upcaster failed; nothing of
 *         that batch is applied); ESK_ECORRUPT (the checkpoint is past
 *         the store's head: the store is older than the read model;
 *         rebuild; or the stored checkpoint is negative, which esk never
 *         writes: nothing is applied); ESK_ECONCURRENCY (another version
 *         of the projection wrote the checkpoint during the run); the
 *         store's errors (ESK_EBUSY, ESK_EIO...: nothing of that batch is
 *         applied, also when SQLite rolled the transaction back by
 *         itself); ESK_ENOMEM.
 */
esk_status esk_catchup_run(esk_catchup *catchup, esk_catchup_status *status);

/**
 * Rebuild from scratch: reset() the read model and set the checkpoint to
 * 0 (one transaction), then run. Queries see an empty or partial read
 * model until the run has caught up.
 *
 * @param status optional, as for esk_catchup_run().
 * @return as esk_catchup_run().
 */
esk_status esk_catchup_rebuild(esk_catchup *catchup,
                               esk_catchup_status *status);

/**
 * Apply one batch at most, then return: the events after the checkpoint,
 * up to batch_size of them (fewer when max_batch_ms ends the batch
 * sooner, or the head comes first), in one transaction. For a caller that
 * paces the projection itself: a scheduler that interleaves it with other
 * work, or a test that needs the read model exactly so far behind.
 * Rebuilds first, as esk_catchup_run() does, when the stored checkpoint
 * was written by another version of the projection.
 *
 * A batch with no event the projection handles still moves the checkpoint
 * (to the head when none lies before it), so a caught-up runner's step
 * applies nothing and leaves status->lag at 0: call it again while the lag
 * is above 0.
 *
 * @param status optional, as for esk_catchup_run(): applied counts this
 *               batch's events.
 * @return as esk_catchup_run(); ESK_EINVAL names esk_catchup_step.
 */
esk_status esk_catchup_step(esk_catchup *catchup, esk_catchup_status *status);

/**
 * Read the checkpoint, head and lag without applying anything (applied,
 * rebuilt and failed_position are 0). A checkpoint written by another
 * version of the projection counts as 0: the next run rebuilds.
 *
 * @param status receives it; required. Filled also on ESK_ECORRUPT.
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_ECORRUPT (the checkpoint is past
 *         the head: lag is then negative; or the stored checkpoint is
 *         negative); the store's errors.
 */
esk_status esk_catchup_status_get(esk_catchup *catchup,
                                  esk_catchup_status *status);

/* --- The query side ------------------------------------------------------
 *
 * A query handle on a SQLite store's read model. Statements prepared
 * through it may only read, and may not read the store's own tables
 * (events, checkpoints, commands, snapshots): the query side reads the read
 * model and nothing else, and SQLite itself enforces it (an authorizer
 * checks every statement as it is compiled, and again whenever SQLite
 * compiles it anew after a schema change).
 *
 * On a store in a file, the handle opens a read-only connection of its own
 * to the file. Its queries see what is committed: not the writes of a
 * transaction the store has open. A query stepped and not yet reset reads
 * the database as it was when it began, and the store goes on appending
 * meanwhile. After a schema change a prepared query is compiled again
 * under the same guard; one that would now read the store's tables (a
 * table replaced by a view of the events) fails at sqlite3_step with
 * SQLITE_AUTH.
 *
 * A store in memory (":memory:") cannot be opened twice, so its queries
 * share the store's connection: they see the store's writes at once, its
 * open transaction's included. SQLite never compiles such a query anew: a
 * schema change made after it was prepared makes sqlite3_step fail with
 * SQLITE_ERROR and sqlite3_reset give SQLITE_SCHEMA; prepare it again. With
 * two read models on one store in memory, a query prepared through one can
 * fail so once the other has prepared: use one read model per store there.
 *
 * Lifetime: finalize the statements, then free the handle, then close the
 * store. A statement finalized later still releases everything (the
 * connection and its files go with the last statement), but use it for
 * nothing else once its handle is freed.
 *
 * On a PostgreSQL store, the query side is esk_read_model_open_postgres()
 * (esk/read_model_postgres.h): a handle per read model's schema, on a
 * connection of its own, with the same two guarantees (and a limit that
 * header states: what a PL/pgSQL function reads).
 */
typedef struct esk_read_model esk_read_model;
struct sqlite3_stmt;

/**
 * Open a query handle on the read model of a SQLite store.
 *
 * @param out   receives the handle, owned by the caller
 *              (esk_read_model_free); untouched on failure.
 * @param store a SQLite store; borrowed, must outlive the handle.
 * @return ESK_OK; ESK_EINVAL (NULL, or a store that is not SQLite);
 *         ESK_EIO (the store's file
 *         cannot be opened again for reading; the message says why);
 *         ESK_ENOMEM.
 */
esk_status esk_read_model_open(esk_read_model **out, esk_store *store);

/** Free the handle, after finalizing its statements (see the lifetime
 *  above). NULL is a no-op. */
void esk_read_model_free(esk_read_model *read_model);

/**
 * Prepare one query. Step it with sqlite3_step and finalize it with
 * sqlite3_finalize.
 *
 * @param sql one SQL statement (a trailing ';' is fine); borrowed.
 * @param out receives the statement, owned by the caller; untouched on
 *            failure.
 * A failure's message is SQLite's, or what was refused and why
 * ("queries read the read model only: table 'events' belongs to the write
 * side").
 * @return ESK_OK; ESK_EINVAL (NULL, empty or bad SQL, more than one
 *         statement, a write (VACUUM included), a store table); ESK_ENOMEM.
 */
esk_status esk_read_model_prepare(esk_read_model *read_model, const char *sql,
                                  struct sqlite3_stmt **out);

#ifdef __cplusplus
}
#endif

#endif
