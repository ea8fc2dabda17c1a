/*
 * src/store_tx.c - the store front's units of work: transactions, the
 * append's own unit, records, inline handlers and subscribers.
 *
 * The front owns the nesting: backends only see begin/commit/rollback at a
 * given depth, in strict order. Subscribers are told about a batch only
 * once nothing can undo it any more, that is at the outermost commit.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "store_internal.h"

/* --- hooks --------------------------------------------------------------- */

static bool is_blank(const esk__hook *hook)
{
    return hook->subscriber == NULL && hook->inline_fn == NULL;
}

/* hook has one function set, so it never matches a blank. */
static size_t find_hook(const esk__hook_list *list, esk__hook hook)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i].subscriber == hook.subscriber &&
            list->items[i].inline_fn == hook.inline_fn &&
            list->items[i].ctx == hook.ctx)
            return i;
    return SIZE_MAX;
}

static esk_status add_hook(esk_store *store, esk__hook_list *list,
                           esk__hook hook, const char *what)
{
    if (find_hook(list, hook) != SIZE_MAX)
        return esk_store_set_error(store, ESK_EEXISTS,
                                   "this %s is already registered", what);
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 4 : list->capacity * 2;
        esk__hook *grown = esk__realloc(list->items, capacity * sizeof(*grown));
        if (grown == NULL)
            return esk_store_set_error(store, ESK_ENOMEM,
                                       "out of memory adding a %s", what);
        list->items = grown;
        list->capacity = capacity;
    }
    /* At the end, past the places a delivery under way walks: the hook
     * hears from the next batch on. */
    list->items[list->count++] = hook;
    return esk__store_ok(store);
}

static esk_status remove_hook(esk_store *store, esk__hook_list *list,
                              esk__hook hook, const char *what)
{
    size_t i = find_hook(list, hook);
    if (i == SIZE_MAX)
        return esk_store_set_error(store, ESK_ENOTFOUND,
                                   "this %s is not registered", what);
    if (list->calling > 0) {
        /* Moving the later hooks down now would make the delivery under
         * way skip the next one. */
        list->items[i] = (esk__hook){NULL, NULL, NULL};
        list->has_blanks = true;
        return esk__store_ok(store);
    }
    /* Keep the order: hooks run in registration order. */
    memmove(&list->items[i], &list->items[i + 1],
            (list->count - i - 1) * sizeof(esk__hook));
    list->count--;
    return esk__store_ok(store);
}

/* A delivery starts: the number of places it walks. */
static size_t start_calling(esk__hook_list *list)
{
    list->calling++;
    return list->count;
}

/* A delivery ends; the last one closes the gaps, keeping the order. */
static void stop_calling(esk__hook_list *list)
{
    if (--list->calling > 0 || !list->has_blanks)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++)
        if (!is_blank(&list->items[i]))
            list->items[kept++] = list->items[i];
    list->count = kept;
    list->has_blanks = false;
}

esk_status esk_store_subscribe(esk_store *store, esk_subscriber_fn fn,
                               void *ctx)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (fn == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "subscriber is NULL");
    return add_hook(store, &store->subscribers, (esk__hook){fn, NULL, ctx},
                    "subscriber");
}

esk_status esk_store_unsubscribe(esk_store *store, esk_subscriber_fn fn,
                                 void *ctx)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (fn == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "subscriber is NULL");
    return remove_hook(store, &store->subscribers, (esk__hook){fn, NULL, ctx},
                       "subscriber");
}

esk_status esk_store_add_inline(esk_store *store, esk_inline_fn fn, void *ctx)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (fn == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "inline handler is NULL");
    return add_hook(store, &store->inline_handlers, (esk__hook){NULL, fn, ctx},
                    "inline handler");
}

esk_status esk_store_remove_inline(esk_store *store, esk_inline_fn fn,
                                   void *ctx)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (fn == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "inline handler is NULL");
    return remove_hook(store, &store->inline_handlers,
                       (esk__hook){NULL, fn, ctx}, "inline handler");
}

void esk__store_hooks_free(esk_store *store)
{
    esk__free(store->subscribers.items);
    esk__free(store->inline_handlers.items);
    esk_event_list_release(&store->queued);
    esk__free(store->queued_batches);
}

/* --- announcing committed batches -------------------------------------- */

/* The batch reaches the subscribers registered when this call started,
 * less any removed before their turn. Each hook is copied out before its
 * call: the call may grow (and move) the list. */
static void announce(esk_store *store, const esk_event *events, size_t n)
{
    esk__hook_list *list = &store->subscribers;
    size_t places = start_calling(list);
    for (size_t i = 0; i < places; i++) {
        esk__hook hook = list->items[i];
        if (!is_blank(&hook))
            hook.subscriber(hook.ctx, events, n);
    }
    stop_calling(list);
}

/* Keep a copy of a batch committed inside a transaction, to announce at
 * the outermost commit. */
static esk_status queue_batch(esk_store *store, const esk_event *events,
                              size_t n)
{
    if (store->subscribers.count == 0)
        return ESK_OK; /* nobody listens: nothing to keep */
    if (store->queued_batch_count == store->queued_batch_capacity) {
        size_t capacity = store->queued_batch_capacity == 0
                              ? 8
                              : store->queued_batch_capacity * 2;
        size_t *grown =
            esk__realloc(store->queued_batches, capacity * sizeof(*grown));
        if (grown == NULL)
            return ESK_ENOMEM;
        store->queued_batches = grown;
        store->queued_batch_capacity = capacity;
    }
    size_t before = store->queued.count;
    for (size_t i = 0; i < n; i++) {
        if (esk_event_list_push(&store->queued, &events[i]) != ESK_OK) {
            store->queued.count = before;
            return ESK_ENOMEM;
        }
    }
    store->queued_batches[store->queued_batch_count++] = n;
    return ESK_OK;
}

static void announce_queued(esk_store *store)
{
    const esk_event *next = store->queued.events;
    for (size_t b = 0; b < store->queued_batch_count; b++) {
        announce(store, next, store->queued_batches[b]);
        next += store->queued_batches[b];
    }
    esk_event_list_clear(&store->queued);
    store->queued_batch_count = 0;
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
static esk_status doom(esk_store *store, esk_status cause)
{
    store->doomed = cause;
    snprintf(store->doom_message, sizeof(store->doom_message),
             "SQLite rolled back the whole transaction after: %.460s",
             store->message[0] != '\0' ? store->message
                                       : esk_status_str(cause));
    return cause;
}

/* The doomed unit's failure, said again for this call. */
static esk_status doomed_error(esk_store *store)
{
    return esk_store_set_error(store, store->doomed,
                               "%s. Nothing of the transaction is written: "
                               "roll it back (esk_store_rollback) and try "
                               "again",
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
        doom(store, lost);
    }
    return doomed_error(store);
}

esk_status esk__store_note_failure(esk_store *store, esk_status rc)
{
    if (rc == ESK_OK || store->depth == 0 || store->doomed != ESK_OK ||
        store->backend->check_transaction == NULL)
        return rc;
    /* The failure just reported is what ended the transaction, if it
     * ended: keep its message, not the backend's guess afterwards. */
    char cause[STORE_MESSAGE_MAX];
    memcpy(cause, store->message, sizeof(cause));
    esk_status open = store->backend->check_transaction(store, store->impl);
    memcpy(store->message, cause, sizeof(cause));
    if (open != ESK_OK)
        doom(store, rc);
    return rc;
}

static esk_status open_unit(esk_store *store)
{
    if (store->depth >= STORE_DEPTH_MAX)
        return esk_store_set_error(
            store, ESK_EINVAL,
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
    char why[STORE_MESSAGE_MAX];
    memcpy(why, store->doom_message, sizeof(why));
    store->doomed = ESK_OK;
    store->doom_message[0] = '\0';
    esk_status undo = store->backend->rollback(store, store->impl, 0);
    if (commit)
        return esk_store_set_error(store, cause, "nothing was committed: %s",
                                   why);
    return undo;
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
                announce_queued(store);
            return ESK_OK;
        }
        /* At depth 0 the backend has rolled the failed commit back. */
        if (depth > 0)
            esk__store_note_failure(store, rc);
    }
    /* A rollback, or a nested commit that failed: undo the savepoint,
     * unless the transaction is gone with it. */
    if (store->doomed == ESK_OK && (!commit || depth > 0)) {
        char kept[STORE_MESSAGE_MAX];
        memcpy(kept, store->message, sizeof(kept));
        esk_status undo = store->backend->rollback(store, store->impl, depth);
        esk__store_note_failure(store, undo);
        if (rc == ESK_OK)
            rc = undo;
        else
            memcpy(store->message, kept, sizeof(kept));
    }
    store->depth = depth;
    /* Drop what the undone unit had queued for the subscribers. */
    store->queued.count = mark.events;
    store->queued_batch_count = mark.batches;
    if (store->doomed != ESK_OK)
        return close_doomed(store, commit);
    return rc;
}

esk_status esk_store_begin(esk_store *store)
{
    if (store == NULL)
        return ESK_EINVAL;
    esk_status rc = open_unit(store);
    return rc == ESK_OK ? esk__store_ok(store) : rc;
}

/* An inline handler runs inside the append's own unit: ending that unit
 * (or one around it) from the handler would commit or drop the append
 * behind the store's back. */
static esk_status check_floor(esk_store *store, const char *what)
{
    if (store->depth > store->floor)
        return ESK_OK;
    return esk_store_set_error(store, ESK_EINVAL,
                               "an inline handler may not %s the append's "
                               "transaction: return a failure status to "
                               "undo the append",
                               what);
}

esk_status esk_store_commit(esk_store *store)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (store->depth == 0)
        return esk_store_set_error(store, ESK_EINVAL,
                                   "commit without a transaction: call "
                                   "esk_store_begin first");
    esk_status floor = check_floor(store, "commit");
    if (floor != ESK_OK)
        return floor;
    esk_status rc = close_unit(store, true);
    return rc == ESK_OK ? esk__store_ok(store) : rc;
}

esk_status esk_store_rollback(esk_store *store)
{
    if (store == NULL)
        return ESK_EINVAL;
    if (store->depth == 0)
        return esk_store_set_error(store, ESK_EINVAL,
                                   "rollback without a transaction: call "
                                   "esk_store_begin first");
    esk_status floor = check_floor(store, "roll back");
    if (floor != ESK_OK)
        return floor;
    esk_status rc = close_unit(store, false);
    return rc == ESK_OK ? esk__store_ok(store) : rc;
}

int esk_store_transaction_depth(const esk_store *store)
{
    return store == NULL ? 0 : store->depth;
}

/* As announce(): the handlers registered when this call started, less
 * any removed before their turn. */
static esk_status run_inline_handlers(esk_store *store,
                                      const esk_append_request *request)
{
    esk__hook_list *list = &store->inline_handlers;
    esk_status rc = ESK_OK;
    size_t places = start_calling(list);
    for (size_t i = 0; i < places && rc == ESK_OK; i++) {
        esk__hook hook = list->items[i];
        if (is_blank(&hook))
            continue;
        store->message[0] = '\0';
        int depth = store->depth;
        int floor = store->floor;
        store->floor = depth;
        rc = hook.inline_fn(hook.ctx, store, request->events, request->count);
        if (store->depth > depth) {
            /* What it began and left open would be committed with the
             * append: undo it, and the append with it. */
            while (store->depth > depth)
                close_unit(store, false);
            rc = esk_store_set_error(
                store, ESK_ECALLBACK,
                "inline handler %zu began a transaction on the append to "
                "'%s' and left it open, so nothing was written: a handler "
                "must commit or roll back what it begins",
                i + 1, request->stream_id);
        } else if (rc != ESK_OK) {
            char reason[STORE_MESSAGE_MAX];
            memcpy(reason, store->message, sizeof(reason));
            rc = esk_store_set_error(
                store, ESK_ECALLBACK,
                "inline handler %zu failed on the append to '%s', so "
                "nothing was written: %s",
                i + 1, request->stream_id,
                reason[0] != '\0' ? reason : esk_status_str(rc));
        }
        store->floor = floor;
    }
    stop_calling(list);
    return rc;
}

esk_status esk__store_run_append(esk_store *store, esk_append_request *request)
{
    bool outermost = store->depth == 0;
    esk_status rc = open_unit(store);
    if (rc != ESK_OK) {
        char reason[STORE_MESSAGE_MAX];
        memcpy(reason, store->message, sizeof(reason));
        return esk_store_set_error(store, rc, "appending to stream '%s': %s",
                                   request->stream_id, reason);
    }
    rc = store->backend->append(store, store->impl, request);
    if (rc == ESK_OK && !request->replayed)
        rc = run_inline_handlers(store, request);
    if (rc == ESK_OK && !request->replayed && !outermost &&
        queue_batch(store, request->events, request->count) != ESK_OK)
        rc = esk_store_set_error(store, ESK_ENOMEM,
                                 "out of memory appending to '%s'",
                                 request->stream_id);
    if (rc != ESK_OK) {
        /* The append's own failure is the message to keep, saying so
         * when it doomed the caller's transaction. */
        esk__store_note_failure(store, rc);
        char reason[STORE_MESSAGE_MAX];
        memcpy(reason,
               store->doomed != ESK_OK ? store->doom_message : store->message,
               sizeof(reason));
        close_unit(store, false);
        memcpy(store->message, reason, sizeof(reason));
        return rc;
    }
    esk_status closed = close_unit(store, true);
    if (closed != ESK_OK)
        return closed;
    if (outermost && !request->replayed)
        announce(store, request->events, request->count);
    return ESK_OK;
}

/* --- records ------------------------------------------------------------- */

static esk_status check_record_args(esk_store *store, esk_record_kind kind,
                                    const char *key)
{
    if (kind != ESK_RECORD_CHECKPOINT && kind != ESK_RECORD_COMMAND &&
        kind != ESK_RECORD_SNAPSHOT)
        return esk_store_set_error(store, ESK_EINVAL,
                                   "record kind %d is not one of "
                                   "esk_record_kind",
                                   (int)kind);
    if (key == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "record key is NULL");
    if (!esk__utf8_valid(key, ESK_STREAM_ID_MAX))
        return esk_store_set_error(store, ESK_EINVAL,
                                   "record key must be 1 to %d bytes of UTF-8",
                                   ESK_STREAM_ID_MAX);
    return ESK_OK;
}

esk_status esk_store_put_record(esk_store *store, esk_record_kind kind,
                                const esk_record *record)
{
    esk_status rc;
    esk_error err;

    if (store == NULL)
        return ESK_EINVAL;
    if (record == NULL)
        return esk_store_set_error(store, ESK_EINVAL, "record is NULL");
    if ((rc = check_record_args(store, kind, record->key)) != ESK_OK)
        return rc;
    if (record->value == NULL ||
        esk_json_validate(record->value, &err) != ESK_OK)
        return esk_store_set_error(
            store, ESK_EINVAL, "record '%s': value is not JSON: %s",
            record->key, record->value == NULL ? "it is NULL" : err.message);
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    esk_time now = 0;
    if ((rc = esk__store_clock(store, "writing record", record->key, &now)) !=
        ESK_OK)
        return rc;
    store->stamp = now;
    store->stamped = true;
    rc = store->backend->put_record(store, store->impl, kind, record);
    store->stamped = false;
    return rc == ESK_OK ? esk__store_ok(store)
                        : esk__store_note_failure(store, rc);
}

esk_status esk_store_get_record(esk_store *store, esk_record_kind kind,
                                const char *key, esk_record *out, char **owned)
{
    esk_status rc;

    if (store == NULL)
        return ESK_EINVAL;
    if ((rc = check_record_args(store, kind, key)) != ESK_OK)
        return rc;
    if (out == NULL || owned == NULL)
        return esk_store_set_error(store, ESK_EINVAL,
                                   "record out or owned is NULL");
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    rc = store->backend->get_record(store, store->impl, kind, key, out, owned);
    if (rc == ESK_ENOTFOUND)
        return esk_store_set_error(store, ESK_ENOTFOUND,
                                   "no record '%s' of this kind", key);
    return rc == ESK_OK ? esk__store_ok(store)
                        : esk__store_note_failure(store, rc);
}

struct sqlite3 *esk_store_sqlite_db(esk_store *store)
{
    if (store == NULL || store->backend->sqlite_db == NULL)
        return NULL;
    return store->backend->sqlite_db(store->impl);
}
