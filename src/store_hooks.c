/*
 * src/store_hooks.c - who hears of appends: subscribers (after the
 * outermost commit) and inline handlers (inside the append's unit), and
 * the queue of batches committed inside a transaction that wait for the
 * outermost commit.
 *
 * A hook may add or remove hooks from inside its call: see esk__hook_list
 * in store_internal.h for how a delivery under way stays correct.
 */
#include <string.h>

#include "internal.h"
#include "store_internal.h"

bool esk__hook_is_blank(const esk__hook *hook)
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

static esk_status add_hook(esk__hook_list *list, esk__hook hook,
                           const char *what)
{
    if (find_hook(list, hook) != SIZE_MAX)
        return esk__fail(ESK_EEXISTS, "this %s is already registered", what);
    if (list->count == list->capacity) {
        size_t capacity = list->capacity == 0 ? 4 : list->capacity * 2;
        esk__hook *grown = esk__realloc(list->items, capacity * sizeof(*grown));
        if (grown == NULL)
            return esk__fail(ESK_ENOMEM, "out of memory adding a %s", what);
        list->items = grown;
        list->capacity = capacity;
    }
    /* At the end, past the places a delivery under way walks: the hook
     * hears from the next batch on. */
    list->items[list->count++] = hook;
    return esk__ok();
}

static esk_status remove_hook(esk__hook_list *list, esk__hook hook,
                              const char *what)
{
    size_t i = find_hook(list, hook);
    if (i == SIZE_MAX)
        return esk__fail(ESK_ENOTFOUND, "this %s is not registered", what);
    if (list->calling > 0) {
        /* Moving the later hooks down now would make the delivery under
         * way skip the next one. */
        list->items[i] = (esk__hook){NULL, NULL, NULL};
        list->has_blanks = true;
        return esk__ok();
    }
    /* Keep the order: hooks run in registration order. */
    memmove(&list->items[i], &list->items[i + 1],
            (list->count - i - 1) * sizeof(esk__hook));
    list->count--;
    return esk__ok();
}

/* A delivery starts: the number of places it walks. */
size_t esk__hooks_start(esk__hook_list *list)
{
    list->calling++;
    return list->count;
}

/* A delivery ends; the last one closes the gaps, keeping the order. */
void esk__hooks_stop(esk__hook_list *list)
{
    if (--list->calling > 0 || !list->has_blanks)
        return;
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++)
        if (!esk__hook_is_blank(&list->items[i]))
            list->items[kept++] = list->items[i];
    list->count = kept;
    list->has_blanks = false;
}

/* The four public calls below: check the arguments, then add the hook to
 * the list or remove it. */
static esk_status change_hook(esk_store *store, esk__hook_list *list,
                              esk__hook hook, const char *function,
                              const char *what, bool add)
{
    if (store == NULL)
        return esk__store_is_null(function);
    if (hook.subscriber == NULL && hook.inline_fn == NULL)
        return esk__fail(ESK_EINVAL, "%s: the %s is NULL", function, what);
    return add ? add_hook(list, hook, what) : remove_hook(list, hook, what);
}

esk_status esk_store_subscribe(esk_store *store, esk_subscriber_fn fn,
                               void *ctx)
{
    return change_hook(store, store ? &store->subscribers : NULL,
                       (esk__hook){fn, NULL, ctx}, __func__, "subscriber",
                       true);
}

esk_status esk_store_unsubscribe(esk_store *store, esk_subscriber_fn fn,
                                 void *ctx)
{
    return change_hook(store, store ? &store->subscribers : NULL,
                       (esk__hook){fn, NULL, ctx}, __func__, "subscriber",
                       false);
}

esk_status esk_store_add_inline(esk_store *store, esk_inline_fn fn, void *ctx)
{
    return change_hook(store, store ? &store->inline_handlers : NULL,
                       (esk__hook){NULL, fn, ctx}, __func__, "inline handler",
                       true);
}

esk_status esk_store_remove_inline(esk_store *store, esk_inline_fn fn,
                                   void *ctx)
{
    return change_hook(store, store ? &store->inline_handlers : NULL,
                       (esk__hook){NULL, fn, ctx}, __func__, "inline handler",
                       false);
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
void esk__store_announce(esk_store *store, const esk_event *events, size_t n)
{
    esk__hook_list *list = &store->subscribers;
    size_t places = esk__hooks_start(list);
    for (size_t i = 0; i < places; i++) {
        esk__hook hook = list->items[i];
        if (!esk__hook_is_blank(&hook))
            hook.subscriber(hook.ctx, events, n);
    }
    esk__hooks_stop(list);
}

/* Keep a copy of a batch committed inside a transaction, to announce at
 * the outermost commit. */
esk_status esk__store_queue_batch(esk_store *store, const esk_event *events,
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

void esk__store_announce_queued(esk_store *store)
{
    const esk_event *next = store->queued.events;
    for (size_t b = 0; b < store->queued_batch_count; b++) {
        esk__store_announce(store, next, store->queued_batches[b]);
        next += store->queued_batches[b];
    }
    esk_event_list_clear(&store->queued);
    store->queued_batch_count = 0;
}
