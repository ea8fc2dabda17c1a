/*
 * src/store_tx.c - the store front's units of work: the clock each write
 * reads, transactions and their nesting, the doom of a unit the database
 * ended, and the append's own unit with its inline handlers.
 *
 * The front owns the nesting: backends only see begin/commit/rollback at a
 * given depth, in strict order. Subscribers are told about a batch only
 * once nothing can undo it any more, that is at the outermost commit.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "store_internal.h"

esk_time esk_store_now(esk_store *store)
{
    if (store->stamped)
        return store->stamp;
    return store->options.clock(store->options.clock_ctx);
}

esk_status esk__store_clock(esk_store *store, const char *doing,
                            const char *name, esk_time *out)
{
    esk_time now = esk_store_now(store);
    if (now < ESK_TIME_MIN || now > ESK_TIME_MAX)
        return esk__fail(
            ESK_EINVAL,
            "%s '%s': the clock reads %lld, outside the years 0000 to 9999 "
            "that esk can store; check the clock in the store's options",
            doing, name, (long long)now);
    *out = now;
    return ESK_OK;
}

/* --- transactions -------------------------------------------------------- */

/*
 * A unit of work is doomed when the database ended its transaction by
 * itself. Carrying on would be worse than failing: the next savepoint
 * would open a fresh transaction in autocommit mode, and the work before
 * the loss, already undone, would look committed to the caller. So from
 * the loss on, every call fails with the first cause until the outermost
 * transaction is closed.
 */
static void doom(esk_store *store, esk_status cause, const char *why)
{
    store->doomed = cause;
    snprintf(store->doom_message, sizeof(store->doom_message),
             "the %s database rolled back the whole transaction after: "
             "%.900s",
             store->backend->name,
             why[0] != '\0' ? why : esk_status_str(cause));
}

/* The doomed unit's failure, said again for this call. */
static esk_status doomed_error(esk_store *store)
{
    return esk__fail_ext(store->doomed, ESK_EXT_TRANSACTION_LOST,
                         "%s. Nothing of the transaction is written: roll it "
                         "back (esk_store_rollback) and try again",
                         store->doom_message);
}

esk_status esk__store_unit_check(esk_store *store)
{
    if (store->depth == 0)
        return ESK_OK;
    if (store->doomed == ESK_OK) {
        if (store->backend->check_transaction == NULL)
            return ESK_OK;
        esk_status lost = store->backend->check_transaction(store, store->impl);
        if (lost == ESK_OK)
            return ESK_OK;
        doom(store, lost, esk_errmsg());
    }
    return doomed_error(store);
}

esk_status esk__store_note_failure(esk_store *store, esk_status rc)
{
    if (rc == ESK_OK || store->depth == 0 || store->doomed != ESK_OK ||
        store->backend->check_transaction == NULL)
        return rc;
    /* The failure just reported is what ended the transaction, if it
     * ended: the doom quotes its message, not the backend's guess, which
     * the probe records only when it finds the transaction gone. */
    char cause[ESK_ERROR_MESSAGE_MAX];
    snprintf(cause, sizeof(cause), "%s", esk_errmsg());
    esk_status open = store->backend->check_transaction(store, store->impl);
    if (open == ESK_OK)
        return rc;
    doom(store, rc, cause);
    doomed_error(store);
    return rc;
}

static esk_status open_unit(esk_store *store)
{
    if (store->depth >= STORE_DEPTH_MAX)
        return esk__fail(
            ESK_EINVAL,
            "transactions are nested %d deep: commit or roll back some first",
            store->depth);
    esk_status rc = esk__store_unit_check(store);
    if (rc != ESK_OK)
        return rc;
    rc = store->backend->begin(store, store->impl, store->depth);
    if (rc != ESK_OK)
        return esk__store_note_failure(store, rc);
    store->marks[store->depth] =
        (esk__queue_mark){store->queued.count, store->queued_batch_count};
    store->depth++;
    return ESK_OK;
}

/* Close a doomed unit. Deeper than the outermost, only the front's count
 * goes down: the savepoint is gone with the transaction. The outermost
 * makes sure the database has no transaction left and clears the doom. */
static esk_status close_doomed(esk_store *store, bool commit)
{
    if (store->depth > 0)
        return doomed_error(store);
    esk_status cause = store->doomed;
    char why[sizeof(store->doom_message)];
    memcpy(why, store->doom_message, sizeof(why));
    store->doomed = ESK_OK;
    store->doom_message[0] = '\0';
    esk_status undo = store->backend->rollback(store, store->impl, 0);
    if (commit)
        return esk__fail_ext(cause, ESK_EXT_TRANSACTION_LOST,
                             "nothing was committed: %s", why);
    return undo;
}

/* Undo the innermost savepoint after a rollback or a failed nested
 * commit, unless the transaction is gone with it. rc is the failure so
 * far (ESK_OK for a plain rollback), whose message is kept. */
static esk_status undo_unit(esk_store *store, int depth, esk_status rc)
{
    if (rc != ESK_OK) {
        /* A cleanup under the store front: the backend records its own
         * failures, so this is where the failure's message is kept. */
        esk_error kept;
        esk__error_save(&kept);
        esk__store_note_failure(
            store, store->backend->rollback(store, store->impl, depth));
        esk__error_restore(&kept);
        return rc;
    }
    esk_status undo = store->backend->rollback(store, store->impl, depth);
    return esk__store_note_failure(store, undo);
}

static esk_status close_unit(esk_store *store, bool commit)
{
    int depth = store->depth - 1; /* the backend's depth of this unit */
    esk__queue_mark mark = store->marks[depth];
    esk_status rc = esk__store_unit_check(store);
    if (rc == ESK_OK && commit) {
        rc = store->backend->commit(store, store->impl, depth);
        if (rc == ESK_OK) {
            store->depth = depth;
            if (depth == 0)
                esk__store_announce_queued(store);
            return ESK_OK;
        }
        /* At depth 0 the backend has rolled the failed commit back. */
        if (depth > 0)
            esk__store_note_failure(store, rc);
    }
    if (store->doomed == ESK_OK && (!commit || depth > 0))
        rc = undo_unit(store, depth, rc);
    store->depth = depth;
    /* Drop what the undone unit had queued for the subscribers. */
    store->queued.count = mark.events;
    store->queued_batch_count = mark.batches;
    if (store->doomed != ESK_OK)
        return close_doomed(store, commit);
    return rc;
}

esk_status esk__store_begin(esk_store *store)
{
    return open_unit(store);
}

esk_status esk_store_begin(esk_store *store)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    return esk__record(open_unit(store));
}

/* An inline handler runs inside the append's own unit: ending that unit
 * (or one around it) from the handler would commit or drop the append
 * behind the store's back. */
static esk_status check_floor(esk_store *store, const char *what)
{
    if (store->depth > store->floor)
        return ESK_OK;
    return esk__fail(ESK_EINVAL,
                     "an inline handler may not %s the append's "
                     "transaction: return a failure status to "
                     "undo the append",
                     what);
}

/* esk_store_commit() and esk_store_rollback(): verb names the call in
 * messages. */
static esk_status end_unit(esk_store *store, bool commit, const char *function,
                           const char *verb)
{
    if (store == NULL)
        return esk__store_is_null(function);
    if (store->depth == 0)
        return esk__fail(ESK_EINVAL,
                         "%s without a transaction: call esk_store_begin "
                         "first",
                         commit ? "commit" : "rollback");
    esk_status rc = check_floor(store, verb);
    if (rc == ESK_OK)
        rc = close_unit(store, commit);
    return rc;
}

esk_status esk__store_commit(esk_store *store)
{
    return end_unit(store, true, "esk_store_commit", "commit");
}

esk_status esk__store_rollback(esk_store *store)
{
    return end_unit(store, false, "esk_store_rollback", "roll back");
}

esk_status esk_store_commit(esk_store *store)
{
    return esk__record(end_unit(store, true, __func__, "commit"));
}

esk_status esk_store_rollback(esk_store *store)
{
    return esk__record(end_unit(store, false, __func__, "roll back"));
}

esk_status esk__store_undo_to(esk_store *store, int depth)
{
    /* The one cleanup entry of the store front: whatever the rollbacks
     * record, the caller's failure is the news. */
    esk_error kept;
    esk__error_save(&kept);
    esk_status first = ESK_OK;
    while (store->depth > depth) {
        int before = store->depth;
        esk_status rc = end_unit(store, false, __func__, "roll back");
        if (first == ESK_OK)
            first = rc;
        if (store->depth >= before)
            break; /* an inline handler's floor: nothing more to undo */
    }
    esk__error_restore(&kept);
    return first;
}

int esk_store_transaction_depth(const esk_store *store)
{
    return store == NULL ? 0 : store->depth;
}

/* --- the append's own unit ----------------------------------------------- */

/* Run one inline handler (the index is for messages) at the append's
 * depth, which it may not end. */
static esk_status run_inline_handler(esk_store *store, esk__hook hook,
                                     size_t index,
                                     const esk_append_request *request)
{
    int depth = store->depth;
    int floor = store->floor;
    store->floor = depth;
    esk_error_clear();
    esk_status rc =
        hook.inline_fn(hook.ctx, store, request->events, request->count);
    if (store->depth > depth) {
        /* What it began and left open would be committed with the
         * append: undo it, and the append with it. */
        while (store->depth > depth)
            close_unit(store, false);
        rc = esk__fail(ESK_ECALLBACK,
                       "inline handler %zu began a transaction on the append "
                       "to '%s' and left it open, so nothing was written: a "
                       "handler must commit or roll back what it begins",
                       index + 1, request->stream_id);
    } else if (rc != ESK_OK) {
        const char *reason = esk_errmsg();
        rc = esk__fail(ESK_ECALLBACK,
                       "inline handler %zu failed on the append to '%s', so "
                       "nothing was written: %s",
                       index + 1, request->stream_id,
                       reason[0] != '\0' ? reason : esk_status_str(rc));
    }
    store->floor = floor;
    return rc;
}

/* As esk__store_announce(): the handlers registered when this call
 * started, less any removed before their turn. */
static esk_status run_inline_handlers(esk_store *store,
                                      const esk_append_request *request)
{
    esk__hook_list *list = &store->inline_handlers;
    esk_status rc = ESK_OK;
    size_t places = esk__hooks_start(list);
    for (size_t i = 0; i < places && rc == ESK_OK; i++) {
        esk__hook hook = list->items[i];
        if (!esk__hook_is_blank(&hook))
            rc = run_inline_handler(store, hook, i, request);
    }
    esk__hooks_stop(list);
    return rc;
}

/* Undo a failed append's unit, keeping the failure as the message. Inside
 * the caller's transaction, a failure that doomed it says so; an append
 * that was its own unit has nothing more to say than its cause. */
static esk_status fail_append(esk_store *store, bool outermost, esk_status rc)
{
    if (!outermost)
        esk__store_note_failure(store, rc);
    esk__store_undo_to(store, store->depth - 1);
    return rc;
}

esk_status esk__store_run_append(esk_store *store, esk_append_request *request)
{
    bool outermost = store->depth == 0;
    esk_status rc = open_unit(store);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "appending to stream '%s'",
                                request->stream_id);
    rc = store->backend->append(store, store->impl, request);
    if (rc == ESK_OK && !request->replayed)
        rc = run_inline_handlers(store, request);
    if (rc == ESK_OK && !request->replayed && !outermost &&
        esk__store_queue_batch(store, request->events, request->count) !=
            ESK_OK)
        rc = esk__fail(ESK_ENOMEM, "out of memory appending to '%s'",
                       request->stream_id);
    if (rc != ESK_OK)
        return fail_append(store, outermost, rc);
    esk_status closed = close_unit(store, true);
    if (closed != ESK_OK)
        return closed;
    if (outermost && !request->replayed)
        esk__store_announce(store, request->events, request->count);
    return ESK_OK;
}
