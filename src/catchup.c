/*
 * src/catchup.c - catch-up projections: from a checkpoint, in batches,
 * each batch and its checkpoint one transaction.
 *
 * When a handler fails, only its event's writes are undone: the events
 * before it stay applied and the checkpoint is saved just before it. On
 * SQLite the batch's handlers share one savepoint, and a failure undoes
 * the batch and runs the events before the failed one again, each in a
 * savepoint of its own; in memory each event has its own from the start.
 * So no event takes effect twice on SQLite, and none twice in memory
 * either unless a commit itself fails (then the whole batch comes again:
 * at least once).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "projection_internal.h"

struct esk_catchup {
    esk_store *store;
    const esk_projection *projection;
    esk_catchup_options options;
    /* Reused by every batch. */
    esk_event_list batch;
};

/* A failure of the store, in the projection's name. */
static esk_status store_error(esk_catchup *c, esk_status status)
{
    return esk__fail_within(status, "projection '%s'", c->projection->name);
}

/* Undo the transaction levels from depth on, keeping the failure that
 * made them go. */
static void roll_back_to(esk_catchup *c, int depth)
{
    esk__store_undo_to(c->store, depth);
}

esk_status esk_catchup_new(esk_catchup **out, esk_store *store,
                           const esk_projection *projection,
                           const esk_catchup_options *options)
{
    esk_status rc;
    esk_catchup *c = NULL;

    if (out == NULL || store == NULL)
        return esk__fail(ESK_EINVAL, "catch-up: %s is NULL",
                         out == NULL ? "out" : "store");
    if ((rc = esk__projection_check(projection)) != ESK_OK)
        return rc;
    esk_catchup_options chosen = ESK_CATCHUP_OPTIONS_INIT;
    if (options != NULL) {
        if (options->version < 1 ||
            options->version > ESK_CATCHUP_OPTIONS_VERSION)
            return esk__fail(ESK_EINVAL,
                             "catch-up options have version %d: start "
                             "from ESK_CATCHUP_OPTIONS_INIT",
                             options->version);
        if (options->batch_size == 0)
            return esk__fail(ESK_EINVAL,
                             "catch-up batch_size is 0: it must be 1 "
                             "or more");
        chosen.batch_size = options->batch_size;
        chosen.upcasters = options->upcasters;
        /* A version 1 struct ends before max_batch_ms. */
        if (options->version >= 2) {
            if (options->max_batch_ms < 1)
                return esk__fail(ESK_EINVAL,
                                 "catch-up max_batch_ms is %d: it must "
                                 "be 1 or more",
                                 options->max_batch_ms);
            chosen.max_batch_ms = options->max_batch_ms;
        }
    }
    if ((rc = esk__projection_setup(store, projection)) != ESK_OK)
        return rc;
    c = esk__calloc(1, sizeof(*c));
    if (c == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory creating catch-up '%s'",
                         projection->name);
    c->store = store;
    c->projection = projection;
    c->options = chosen;
    c->batch = (esk_event_list)ESK_EVENT_LIST_INIT;
    *out = c;
    return esk__ok();
}

void esk_catchup_free(esk_catchup *catchup)
{
    if (catchup == NULL)
        return;
    esk_event_list_release(&catchup->batch);
    esk__free(catchup);
}

/* Checkpoint 0 and reset(), together. The checkpoint goes first: a
 * rollback cannot undo what reset() did to a read model in memory, so
 * after reset() only the commit may fail, and on the memory store it
 * cannot. */
static esk_status start_over(esk_catchup *c)
{
    const esk_projection *p = c->projection;
    esk_status rc = esk__store_begin(c->store);
    if (rc != ESK_OK)
        return store_error(c, rc);
    rc = esk__checkpoint_put(c->store, p->name, 0, p->version);
    if (rc != ESK_OK) {
        store_error(c, rc);
        roll_back_to(c, 0);
        return rc;
    }
    if (p->reset != NULL) {
        esk_error_clear();
        rc = p->reset(p->ctx, c->store);
        if (rc != ESK_OK) {
            esk__callback_failed(rc);
            esk__fail(ESK_ECALLBACK,
                      "projection '%s': reset failed, so it was not "
                      "rebuilt: %s",
                      p->name, esk_errmsg());
            roll_back_to(c, 0);
            return ESK_ECALLBACK;
        }
    }
    rc = esk__store_commit(c->store);
    return rc == ESK_OK ? ESK_OK : store_error(c, rc);
}

/*
 * Under the write lock, read the checkpoint again: another runner of the
 * same projection (another process, another handle) may have moved it
 * since this one read it. ESK_OK with *moved false when it stands where
 * this runner thinks; *moved true when it stands elsewhere (st->checkpoint
 * then follows it, and the batch must be read again from there).
 */
static esk_status recheck(esk_catchup *c, esk_catchup_status *st, bool *moved)
{
    const esk_projection *p = c->projection;
    int64_t stored = 0;
    int version = 0;
    bool found = false;
    *moved = false;
    esk_status rc =
        esk__checkpoint_get(c->store, p->name, &stored, &version, &found);
    if (rc != ESK_OK)
        return store_error(c, rc);
    if (found && version != p->version)
        return esk__fail(ESK_ECONCURRENCY,
                         "projection '%s': while this runner (version %d) "
                         "ran, its checkpoint was written by version %d: "
                         "another build runs this projection. Stop one of "
                         "them",
                         p->name, p->version, version);
    if (stored != st->checkpoint) {
        st->checkpoint = stored;
        *moved = true;
    }
    return ESK_OK;
}

/* The message of a handler that failed, or that left the store at another
 * transaction depth than the one it was called at: ESK_ECALLBACK. */
static esk_status handler_failed(esk_catchup *c, const esk_event *event,
                                 int depth)
{
    const esk_projection *p = c->projection;
    char where[ESK_STREAM_ID_MAX + ESK_TYPE_MAX + 80];
    esk__describe_event(event, where, sizeof(where));
    if (esk_store_transaction_depth(c->store) != depth)
        return esk__fail(ESK_ECALLBACK,
                         "projection '%s': the handler of the event at %s "
                         "left %d transactions open instead of %d: a "
                         "handler must commit or roll back what it begins",
                         p->name, where, esk_store_transaction_depth(c->store),
                         depth);
    return esk__fail(ESK_ECALLBACK,
                     "projection '%s' stopped at the event at %s: %s. Fix the "
                     "cause and run again: it resumes there",
                     p->name, where, esk_errmsg());
}

/* Apply one event in a savepoint, so that a failure undoes its writes
 * alone. *undone is set when the handler failed and its writes are undone
 * (ESK_ECALLBACK): the batch may keep the events before it. Any other
 * failure means the batch cannot go on. */
static esk_status apply_one(esk_catchup *c, const esk_event *event,
                            bool *undone)
{
    *undone = false;
    const esk_projection *p = c->projection;
    int depth = esk_store_transaction_depth(c->store);
    esk_status rc = esk__store_begin(c->store);
    if (rc != ESK_OK)
        return store_error(c, rc);
    esk_error_clear();
    esk_status hrc = p->handle(p->ctx, c->store, event);
    if (hrc != ESK_OK)
        esk__callback_failed(hrc);
    if (esk_store_transaction_depth(c->store) != depth + 1)
        /* The handler began or ended a transaction of its own: what it
         * wrote can no longer be undone with the event's savepoint. */
        return handler_failed(c, event, depth + 1);
    if (hrc != ESK_OK) {
        handler_failed(c, event, depth + 1);
        /* Only a rollback that worked leaves the batch usable: after
         * SQLite ended the transaction by itself, nothing may go on. */
        rc = esk__store_rollback(c->store);
        if (rc != ESK_OK)
            return store_error(c, rc);
        *undone = true;
        return ESK_ECALLBACK;
    }
    rc = esk__store_commit(c->store);
    return rc == ESK_OK ? ESK_OK : store_error(c, rc);
}

/*
 * Apply the batch's events, from the first, under the write lock taken at
 * locked_at, each in a savepoint of its own, until the end, a handler
 * failure, max_batch_ms (when budget is set) or the event at index stop.
 * *next is where the checkpoint may go (just before a failed event); *undo
 * says that the batch cannot be kept at all.
 */
static esk_status apply_each(esk_catchup *c, esk_catchup_status *st,
                             int64_t locked_at, bool budget, size_t stop,
                             int64_t *next, bool *undo)
{
    int64_t budget_us = (int64_t)c->options.max_batch_ms * 1000;
    for (size_t i = 0; i < c->batch.count && i < stop; i++) {
        const esk_event *event = &c->batch.events[i];
        bool undone = false;
        esk_status rc = apply_one(c, event, &undone);
        if (undone) {
            /* Keep what came before; stop just before this event. */
            st->failed_position = event->position;
            *next = event->position - 1;
            return rc;
        }
        if (rc != ESK_OK) {
            *undo = true;
            return rc;
        }
        st->applied++;
        if (budget && i + 1 < c->batch.count &&
            esk__monotonic_us() - locked_at >= budget_us) {
            *next = event->position;
            return ESK_OK;
        }
    }
    return ESK_OK;
}

/*
 * Apply the batch's events in one savepoint. A savepoint per event costs
 * SQLite more than the handler's own insert (each one journals again the
 * pages the last one wrote), so the batch shares one, and only after a
 * handler fails is the batch undone and run again event by event, up to
 * the event that failed: the events before it then take effect once, and
 * the run stops at that event with its own message, without calling its
 * handler again. *failed is set in that case; anything else is as
 * apply_each() says.
 */
static esk_status apply_together(esk_catchup *c, esk_catchup_status *st,
                                 int64_t locked_at, int64_t *next, bool *undo,
                                 size_t *failed)
{
    const esk_projection *p = c->projection;
    int64_t budget_us = (int64_t)c->options.max_batch_ms * 1000;
    int depth = esk_store_transaction_depth(c->store);
    size_t applied = st->applied;
    esk_status rc = esk__store_begin(c->store);
    if (rc != ESK_OK) {
        *undo = true;
        return store_error(c, rc);
    }
    for (size_t i = 0; i < c->batch.count; i++) {
        const esk_event *event = &c->batch.events[i];
        esk_error_clear();
        esk_status hrc = p->handle(p->ctx, c->store, event);
        if (hrc != ESK_OK)
            esk__callback_failed(hrc);
        if (esk_store_transaction_depth(c->store) != depth + 1) {
            *undo = true;
            return handler_failed(c, event, depth + 1);
        }
        if (hrc != ESK_OK) {
            handler_failed(c, event, depth + 1);
            if ((rc = esk__store_rollback(c->store)) != ESK_OK) {
                *undo = true;
                return store_error(c, rc);
            }
            st->applied = applied;
            *failed = i;
            return ESK_ECALLBACK;
        }
        st->applied++;
        if (i + 1 < c->batch.count &&
            esk__monotonic_us() - locked_at >= budget_us) {
            *next = event->position;
            break;
        }
    }
    if ((rc = esk__store_commit(c->store)) != ESK_OK) {
        *undo = true;
        return store_error(c, rc);
    }
    return ESK_OK;
}

/*
 * Apply the batch under the write lock taken at locked_at (see
 * apply_each() for *next and *undo). On SQLite the batch shares one
 * savepoint (apply_together()); elsewhere the read model lives in the
 * caller's memory, which no rollback undoes, so running the events again
 * would apply them twice: each event has a savepoint of its own.
 */
static esk_status apply_batch(esk_catchup *c, esk_catchup_status *st,
                              int64_t locked_at, int64_t *next, bool *undo)
{
    *undo = false;
    if (esk_store_sqlite_db(c->store) == NULL)
        return apply_each(c, st, locked_at, true, SIZE_MAX, next, undo);
    size_t failed = SIZE_MAX;
    esk_status rc = apply_together(c, st, locked_at, next, undo, &failed);
    if (failed == SIZE_MAX)
        return rc;
    /* Not a cleanup: the handlers run again for the events before the
     * failed one, and each starts with a clear last error, so the failure
     * they lead up to is kept by copy. */
    esk_error failure;
    esk__error_save(&failure);
    rc = apply_each(c, st, locked_at, false, failed, next, undo);
    if (rc != ESK_OK || *undo)
        return rc;
    /* The events before the failed one are in again: stop at it. */
    esk__error_restore(&failure);
    st->failed_position = c->batch.events[failed].position;
    *next = st->failed_position - 1;
    return ESK_ECALLBACK;
}

/*
 * One batch in one transaction: read, upcast, apply, move the checkpoint.
 * The page is read before the write lock is taken (stored events never
 * change), and the batch stops once its handlers have held the lock for
 * max_batch_ms. On a handler failure the events before it are committed
 * with the checkpoint just before it. *held_us says how long the lock was
 * held.
 */
static esk_status run_batch(esk_catchup *c, esk_catchup_status *st,
                            int64_t *held_us)
{
    const esk_projection *p = c->projection;
    int64_t next = 0;
    bool moved = false, undo = false;
    esk_catchup_status counted = *st;
    *held_us = 0;

    esk_status rc = esk__read_batch(
        c->store, p->event_types, p->event_type_count, st->checkpoint, st->head,
        c->options.batch_size, &c->batch, &next);
    if (rc != ESK_OK)
        return store_error(c, rc);
    if (c->options.upcasters != NULL &&
        (rc = esk_upcasters_apply(c->options.upcasters, &c->batch)) != ESK_OK)
        return esk__fail_within(rc,
                                "projection '%s' cannot read the events "
                                "after position %" PRId64,
                                p->name, st->checkpoint);
    rc = esk__store_begin(c->store);
    if (rc != ESK_OK)
        return store_error(c, rc);
    int64_t locked_at = esk__monotonic_us();
    counted.failed_position = 0;
    if ((rc = recheck(c, st, &moved)) == ESK_OK && !moved)
        rc = apply_batch(c, &counted, locked_at, &next, &undo);
    /* A handler failure keeps the events before it; anything else that
     * failed, or a checkpoint another runner moved, keeps nothing. */
    if (!moved && (rc == ESK_OK || (rc == ESK_ECALLBACK && !undo))) {
        /* Keeping the events before a failed one must not clear the
         * failure's message: the quiet calls leave it on success. */
        esk_status kept = ESK_OK;
        if (next > st->checkpoint)
            kept = esk__checkpoint_put(c->store, p->name, next, p->version);
        if (kept == ESK_OK)
            kept = esk__store_commit(c->store);
        *held_us = esk__monotonic_us() - locked_at;
        if (kept != ESK_OK) {
            kept = store_error(c, kept);
            roll_back_to(c, 0);
            return kept;
        }
        st->checkpoint = next > st->checkpoint ? next : st->checkpoint;
        st->applied = counted.applied;
        st->failed_position = counted.failed_position;
        return rc;
    }
    /* Roll back every level the batch opened, also when a handler left
     * one open. */
    roll_back_to(c, 0);
    *held_us = esk__monotonic_us() - locked_at;
    return rc;
}

/* A checkpoint past the head: the store is older than the read model. */
static esk_status past_head(esk_catchup *c, const esk_catchup_status *st)
{
    return esk__fail(ESK_ECORRUPT,
                     "projection '%s': its checkpoint (%" PRId64
                     ") is past the store's last position (%" PRId64
                     "): the store was restored from an older copy, or the "
                     "read model belongs to another store. Rebuild it "
                     "(esk_catchup_rebuild)",
                     c->projection->name, st->checkpoint, st->head);
}

/* Negative when the checkpoint is past the head (see past_head). */
static void fill_lag(esk_catchup_status *st)
{
    st->lag = st->head - st->checkpoint;
}

esk_status esk_catchup_status_get(esk_catchup *catchup,
                                  esk_catchup_status *status)
{
    esk_catchup_status st = {0, 0, 0, 0, false, 0};
    int version = 0;
    bool found = false;

    if (catchup == NULL || status == NULL)
        return esk__fail(ESK_EINVAL, "esk_catchup_status_get: the %s is NULL",
                         catchup == NULL ? "runner" : "status");
    esk_status rc =
        esk__checkpoint_get(catchup->store, catchup->projection->name,
                            &st.checkpoint, &version, &found);
    if (rc == ESK_OK)
        rc = esk_store_head_position(catchup->store, &st.head);
    if (rc != ESK_OK)
        return store_error(catchup, rc);
    if (found && version != catchup->projection->version)
        st.checkpoint = 0;
    fill_lag(&st);
    *status = st;
    if (st.checkpoint > st.head)
        return past_head(catchup, &st);
    return esk__ok();
}

/* After a batch that held the write lock for a while, let go of it long
 * enough for a writer waiting on it to get it: esk's busy handler polls
 * every few milliseconds (see store_sqlite.c). Quick batches need no
 * pause: they leave the lock free most of the time already. */
enum { CATCHUP_BREATHER_AFTER_US = 10000, CATCHUP_BREATHER_MS = 10 };

/* The run itself, once the checkpoint is known to be of this version:
 * to the head, or one batch for a caller that paces the runner itself
 * (it decides when the next batch comes, so no breather then). */
static esk_status catch_up(esk_catchup *c, esk_catchup_status *st,
                           bool one_batch)
{
    esk_status rc = esk_store_head_position(c->store, &st->head);
    if (rc != ESK_OK)
        return store_error(c, rc);
    if (st->checkpoint > st->head)
        return past_head(c, st);
    while (rc == ESK_OK && st->checkpoint < st->head) {
        int64_t held_us = 0;
        rc = run_batch(c, st, &held_us);
        if (one_batch)
            break;
        if (rc == ESK_OK && st->checkpoint < st->head &&
            held_us >= CATCHUP_BREATHER_AFTER_US)
            esk__sleep_ms(CATCHUP_BREATHER_MS);
    }
    return rc;
}

static esk_status finish(esk_catchup *c, esk_status rc,
                         const esk_catchup_status *st,
                         esk_catchup_status *status)
{
    if (status != NULL) {
        *status = *st;
        fill_lag(status);
    }
    (void)c;
    return rc == ESK_OK ? esk__ok() : rc;
}

/* esk_catchup_run() and esk_catchup_step(): from the checkpoint, after a
 * rebuild when the projection's version changed. */
static esk_status run_from_checkpoint(esk_catchup *catchup, bool one_batch,
                                      esk_catchup_status *status)
{
    esk_catchup_status st = {0, 0, 0, 0, false, 0};
    int version = 0;
    bool found = false;
    const esk_projection *p = catchup->projection;
    esk_status rc = esk__checkpoint_get(catchup->store, p->name, &st.checkpoint,
                                        &version, &found);
    if (rc != ESK_OK)
        return finish(catchup, store_error(catchup, rc), &st, status);
    if (found && version != p->version) {
        st.checkpoint = 0;
        st.rebuilt = true;
        if ((rc = start_over(catchup)) != ESK_OK)
            return finish(catchup, rc, &st, status);
    }
    return finish(catchup, catch_up(catchup, &st, one_batch), &st, status);
}

esk_status esk_catchup_run(esk_catchup *catchup, esk_catchup_status *status)
{
    if (catchup == NULL)
        return esk__fail(ESK_EINVAL, "esk_catchup_run: the runner is NULL");
    return run_from_checkpoint(catchup, false, status);
}

esk_status esk_catchup_rebuild(esk_catchup *catchup, esk_catchup_status *status)
{
    esk_catchup_status st = {0, 0, 0, 0, true, 0};

    if (catchup == NULL)
        return esk__fail(ESK_EINVAL, "esk_catchup_rebuild: the runner is "
                                     "NULL");
    esk_status rc = start_over(catchup);
    if (rc == ESK_OK)
        rc = catch_up(catchup, &st, false);
    return finish(catchup, rc, &st, status);
}

esk_status esk_catchup_step(esk_catchup *catchup, esk_catchup_status *status)
{
    if (catchup == NULL)
        return esk__fail(ESK_EINVAL, "esk_catchup_step: the runner is NULL");
    return run_from_checkpoint(catchup, true, status);
}
