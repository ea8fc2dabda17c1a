/*
 * src/projection.c - projections run inline (inside appends) and live
 * (one stream on demand), and what every follower of events shares.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"
#include "projection_internal.h"

/* Events read per page by a live projection. */
enum { LIVE_PAGE = 256 };

bool esk__type_wanted(const char *const *types, size_t count, const char *type)
{
    if (types == NULL || count == 0)
        return true;
    for (size_t i = 0; i < count; i++)
        if (types[i] != NULL && strcmp(types[i], type) == 0)
            return true;
    return false;
}

esk_status esk__projection_check(const esk_projection *projection)
{
    if (projection == NULL)
        return esk__fail(ESK_EINVAL, "projection is NULL");
    if (projection->name == NULL ||
        !esk__utf8_valid(projection->name, ESK_STREAM_ID_MAX))
        return esk__fail(ESK_EINVAL,
                         "projection name must be 1 to %d bytes of "
                         "UTF-8 (it keys the checkpoint)",
                         ESK_STREAM_ID_MAX);
    if (strncmp(projection->name, ESK__PROCESS_CHECKPOINT_PREFIX,
                strlen(ESK__PROCESS_CHECKPOINT_PREFIX)) == 0)
        return esk__fail(
            ESK_EINVAL,
            "projection name '%s' starts with \"" ESK__PROCESS_CHECKPOINT_PREFIX
            "\", which is reserved for process managers' checkpoints: "
            "rename the projection",
            projection->name);
    if (projection->handle == NULL)
        return esk__fail(ESK_EINVAL, "projection '%s' has no handle function",
                         projection->name);
    if (projection->version < 1)
        return esk__fail(ESK_EINVAL,
                         "projection '%s' has version %d: start at 1",
                         projection->name, projection->version);
    if (projection->event_type_count > 0 && projection->event_types == NULL)
        return esk__fail(ESK_EINVAL,
                         "projection '%s' counts %zu event types but "
                         "event_types is NULL",
                         projection->name, projection->event_type_count);
    for (size_t i = 0; i < projection->event_type_count; i++)
        if (projection->event_types[i] == NULL)
            return esk__fail(ESK_EINVAL,
                             "projection '%s': event type %zu is NULL",
                             projection->name, i);
    return ESK_OK;
}

void esk__describe_event(const esk_event *event, char *buf, size_t size)
{
    snprintf(buf, size,
             "position %" PRId64 " (stream '%s', version %" PRId64 ", %s)",
             event->position, event->stream_id, event->version, event->type);
}

esk_status esk__callback_failed(esk_status rc)
{
    const esk_error *last = esk_error_last();
    if (last->message[0] == '\0')
        return esk__fail(rc, "%s", esk_status_str(rc));
    return rc;
}

esk_status esk__checkpoint_get(esk_store *store, const char *key,
                               int64_t *position, int *version, bool *found)
{
    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(store, ESK_RECORD_CHECKPOINT, key,
                                         &record, &owned);
    *position = 0;
    *version = 0;
    *found = false;
    if (rc == ESK_ENOTFOUND)
        return ESK_OK;
    if (rc != ESK_OK)
        return rc;
    int64_t number = record.at;
    int written_by = record.tag;
    esk_free(owned);
    /* Nothing esk writes is below 0, and the lag (head - checkpoint) of a
     * far negative one would not fit in an int64_t. */
    if (number < 0)
        return esk__fail(
            ESK_ECORRUPT,
            "checkpoint '%s' holds position %lld, and positions are 0 or "
            "more: the record is damaged (write 0 over it to start again)",
            key, (long long)number);
    *position = number;
    *version = written_by;
    *found = true;
    return ESK_OK;
}

esk_status esk__checkpoint_put(esk_store *store, const char *key,
                               int64_t position, int version)
{
    const esk_record record = {key, position, version, "{}"};
    return esk__store_put_own_record(store, ESK_RECORD_CHECKPOINT, &record);
}

esk_status esk__read_batch(esk_store *store, const char *const *types,
                           size_t type_count, int64_t after, int64_t head,
                           size_t batch_size, esk_event_list *out,
                           int64_t *next)
{
    const esk_filter filter = {NULL, types, type_count};
    esk_status rc = esk_store_read_all(store, after, batch_size,
                                       type_count > 0 ? &filter : NULL, out);
    if (rc != ESK_OK)
        return rc;
    bool full = out->count == batch_size;
    size_t kept = 0;
    while (kept < out->count && out->events[kept].position <= head)
        kept++;
    /* A full batch may stop before wanted events that lie further on;
     * otherwise the store had nothing more for this follower up to head. */
    if (full && kept == out->count)
        *next = out->events[kept - 1].position;
    else
        *next = head;
    out->count = kept;
    return ESK_OK;
}

/* Hand the events a projection wants to its handler, in order, without a
 * transaction of its own (inline and live runs): ESK_OK, or
 * ESK_ECALLBACK naming the event and the handler's reason. */
static esk_status handle_each(const esk_projection *projection,
                              esk_store *store, const esk_event *events,
                              size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const esk_event *event = &events[i];
        if (!esk__type_wanted(projection->event_types,
                              projection->event_type_count, event->type))
            continue;
        esk_error_clear();
        esk_status rc = projection->handle(projection->ctx, store, event);
        if (rc != ESK_OK) {
            esk__callback_failed(rc);
            char where[ESK_STREAM_ID_MAX + ESK_TYPE_MAX + 80];
            esk__describe_event(event, where, sizeof(where));
            return esk__fail(ESK_ECALLBACK,
                             "projection '%s' failed on the event at %s: %s",
                             projection->name, where, esk_errmsg());
        }
    }
    return ESK_OK;
}

/* --- inline -------------------------------------------------------------- */

static esk_status run_inline(void *ctx, esk_store *store,
                             const esk_event *events, size_t n)
{
    return handle_each(ctx, store, events, n);
}

/* setup() in a transaction of its own, so that a half-created read model
 * on SQLite does not stay behind when it fails. */
esk_status esk__projection_setup(esk_store *store,
                                 const esk_projection *projection)
{
    if (projection->setup == NULL)
        return ESK_OK;
    esk_status rc = esk__store_begin(store);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "projection '%s'", projection->name);
    esk_error_clear();
    rc = projection->setup(projection->ctx, store);
    if (rc != ESK_OK) {
        esk__callback_failed(rc);
        esk__fail(ESK_ECALLBACK, "projection '%s': setup failed: %s",
                  projection->name, esk_errmsg());
        esk__store_undo_to(store, esk_store_transaction_depth(store) - 1);
        return ESK_ECALLBACK;
    }
    rc = esk__store_commit(store);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "projection '%s'", projection->name);
    return ESK_OK;
}

esk_status esk_projection_attach_inline(esk_store *store,
                                        const esk_projection *projection)
{
    esk_status rc;

    if (store == NULL)
        return esk__fail(ESK_EINVAL, "store is NULL");
    if ((rc = esk__projection_check(projection)) != ESK_OK)
        return rc;
    /* setup() is idempotent, so running it for a projection attached
     * already is harmless; the store then refuses the second attach. */
    if ((rc = esk__projection_setup(store, projection)) != ESK_OK)
        return rc;
    rc = esk_store_add_inline(store, run_inline, (void *)projection);
    if (rc == ESK_EEXISTS)
        return esk__fail(rc, "projection '%s' is already attached inline",
                         projection->name);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "projection '%s'", projection->name);
    return esk__ok();
}

esk_status esk_projection_detach_inline(esk_store *store,
                                        const esk_projection *projection)
{
    if (store == NULL || projection == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_projection_detach_inline: the %s "
                         "is NULL",
                         store == NULL ? "store" : "projection");
    esk_status rc =
        esk_store_remove_inline(store, run_inline, (void *)projection);
    if (rc == ESK_ENOTFOUND)
        return esk__fail(
            ESK_ENOTFOUND, "projection '%s' is not attached inline",
            projection->name != NULL ? projection->name : "(unnamed)");
    if (rc != ESK_OK)
        return esk__fail_within(rc, "projection '%s'",
                                projection->name != NULL ? projection->name
                                                         : "(unnamed)");
    return esk__ok();
}

/* --- live ---------------------------------------------------------------- */

esk_status esk_projection_live(esk_store *store,
                               const esk_projection *projection,
                               const char *stream_id)
{
    esk_status rc = ESK_OK;
    esk_event_list page = ESK_EVENT_LIST_INIT;
    int64_t from = 1;

    if (store == NULL)
        return esk__fail(ESK_EINVAL, "store is NULL");
    if ((rc = esk__projection_check(projection)) != ESK_OK)
        return rc;
    if (stream_id == NULL)
        return esk__fail(ESK_EINVAL, "stream id is NULL");
    for (;;) {
        rc = esk_store_read_stream(store, stream_id, from, LIVE_PAGE, &page);
        if (rc != ESK_OK) {
            esk__fail_within(rc, "projection '%s'", projection->name);
            goto done;
        }
        rc = handle_each(projection, store, page.events, page.count);
        if (rc != ESK_OK)
            goto done;
        if (page.count < LIVE_PAGE)
            break;
        from = page.events[page.count - 1].version + 1;
    }
done:
    esk_event_list_release(&page);
    return rc == ESK_OK ? esk__ok() : rc;
}
