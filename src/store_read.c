/*
 * src/store_read.c - the store front's reads: a stream forwards and
 * backwards, the global feed, a query, a stream's version and the head,
 * each checked here before the backend reads.
 */
#include <stdio.h>
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"
#include "store_internal.h"

static esk_status begin_read(esk_store *store, const char *stream_id,
                             esk_event_list *out)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    if (out == NULL)
        return esk__fail(ESK_EINVAL, "event list is NULL");
    esk_event_list_clear(out);
    if (stream_id != NULL)
        return esk__store_check_stream_id(stream_id);
    return ESK_OK;
}

static esk_status finish_read(esk_store *store, esk_status rc,
                              esk_event_list *out)
{
    if (rc != ESK_OK) {
        esk_event_list_clear(out);
        return esk__store_note_failure(store, rc);
    }
    return esk__ok();
}

esk_status esk_store_read_stream(esk_store *store, const char *stream_id,
                                 int64_t from_version, size_t max_count,
                                 esk_event_list *out)
{
    esk_status rc;

    if (stream_id == NULL && store != NULL)
        return esk__fail(ESK_EINVAL, "stream id is NULL");
    if ((rc = begin_read(store, stream_id, out)) != ESK_OK)
        return rc;
    if (from_version < 0)
        return esk__fail(ESK_EINVAL, "cannot read '%s' from version %lld",
                         stream_id, (long long)from_version);
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    rc = store->backend->read_stream(
        store, store->impl, stream_id, from_version == 0 ? 1 : from_version,
        max_count == 0 ? SIZE_MAX : max_count, false, out);
    return finish_read(store, rc, out);
}

esk_status esk_store_read_stream_backward(esk_store *store,
                                          const char *stream_id,
                                          int64_t from_version,
                                          size_t max_count, esk_event_list *out)
{
    esk_status rc;

    if (stream_id == NULL && store != NULL)
        return esk__fail(ESK_EINVAL, "stream id is NULL");
    if ((rc = begin_read(store, stream_id, out)) != ESK_OK)
        return rc;
    if (from_version < 0 && from_version != ESK_END)
        return esk__fail(ESK_EINVAL,
                         "cannot read '%s' backward from version %lld",
                         stream_id, (long long)from_version);
    if (from_version == 0)
        return esk__ok(); /* nothing lies before version 1 */
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    rc = store->backend->read_stream(
        store, store->impl, stream_id, from_version,
        max_count == 0 ? SIZE_MAX : max_count, true, out);
    return finish_read(store, rc, out);
}

esk_status esk_store_read_all(esk_store *store, int64_t after_position,
                              size_t max_count, const esk_filter *filter,
                              esk_event_list *out)
{
    static const esk_filter everything = {NULL, NULL, 0};
    esk_status rc;

    if ((rc = begin_read(store, NULL, out)) != ESK_OK)
        return rc;
    if (after_position < 0)
        return esk__fail(ESK_EINVAL, "cannot read after position %lld",
                         (long long)after_position);
    if (filter == NULL)
        filter = &everything;
    if (filter->type_count > 0 && filter->types == NULL)
        return esk__fail(ESK_EINVAL, "filter has %zu types but no type list",
                         filter->type_count);
    for (size_t i = 0; i < filter->type_count; i++)
        if (filter->types[i] == NULL)
            return esk__fail(ESK_EINVAL, "filter type %zu is NULL", i);
    if (filter->category != NULL &&
        (filter->category[0] == '\0' || strchr(filter->category, '-')))
        return esk__fail(
            ESK_EINVAL,
            "filter category '%s' is not a category: it is the non-empty "
            "part of a stream id before the first '-'",
            filter->category);
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    if (after_position == INT64_MAX)
        return esk__ok(); /* no position lies after it */
    rc = store->backend->read_all(store, store->impl, after_position,
                                  max_count == 0 ? SIZE_MAX : max_count, filter,
                                  out);
    return finish_read(store, rc, out);
}

esk_status esk_store_read_query(esk_store *store, const esk_query *query,
                                int64_t after_position, size_t max_count,
                                esk_event_list *out, int64_t *read_up_to)
{
    esk_status rc;
    int64_t head = 0;

    if ((rc = begin_read(store, NULL, out)) != ESK_OK)
        return rc;
    if (after_position < 0)
        return esk__fail(ESK_EINVAL, "cannot read a query after position %lld",
                         (long long)after_position);
    if ((rc = esk__check_query(query)) != ESK_OK ||
        (rc = esk__store_check_tags_supported(store, "read by query")) !=
            ESK_OK ||
        (rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    /* The head first, then the events up to it: each is read in its own
     * snapshot outside a transaction, and positions are committed in
     * order, so every event up to the head is there for the second read
     * and the answer is the store as it was at the first. */
    rc = store->backend->head_position(store, store->impl, &head);
    if (rc == ESK_OK && head > after_position)
        rc = store->backend->read_query(
            store, store->impl, query, after_position, head,
            max_count == 0 ? SIZE_MAX : max_count, out);
    if (rc != ESK_OK)
        return finish_read(store, rc, out);
    if (read_up_to != NULL)
        *read_up_to = max_count != 0 && out->count == max_count
                          ? out->events[out->count - 1].position
                          : (head > after_position ? head : after_position);
    return esk__ok();
}

esk_status esk_store_stream_version(esk_store *store, const char *stream_id,
                                    int64_t *out_version)
{
    esk_status rc;

    if (store == NULL)
        return esk__store_is_null(__func__);
    if ((rc = esk__store_check_stream_id(stream_id)) != ESK_OK)
        return rc;
    if (out_version == NULL)
        return esk__fail(ESK_EINVAL, "out_version is NULL");
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    rc = store->backend->stream_version(store, store->impl, stream_id,
                                        out_version);
    return rc == ESK_OK ? esk__ok() : esk__store_note_failure(store, rc);
}

esk_status esk_store_head_position(esk_store *store, int64_t *out_position)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    if (out_position == NULL)
        return esk__fail(ESK_EINVAL, "out_position is NULL");
    esk_status rc = esk__store_unit_check(store);
    if (rc != ESK_OK)
        return rc;
    rc = store->backend->head_position(store, store->impl, out_position);
    return rc == ESK_OK ? esk__ok() : esk__store_note_failure(store, rc);
}

/* How often a backend without wait_for has its head read: soon at first,
 * since an append often follows closely, then every 20 ms. */
enum { WAIT_FIRST_PAUSE_MS = 1, WAIT_MAX_PAUSE_MS = 20 };

static esk_status poll_head(esk_store *store, int64_t after_position,
                            int timeout_ms, int64_t *out_head)
{
    int64_t deadline = esk__monotonic_us() + (int64_t)timeout_ms * 1000;
    long long pause = WAIT_FIRST_PAUSE_MS;
    for (;;) {
        esk_status rc =
            store->backend->head_position(store, store->impl, out_head);
        if (rc != ESK_OK || *out_head > after_position)
            return rc;
        int64_t left_ms = (deadline - esk__monotonic_us() + 999) / 1000;
        if (left_ms <= 0)
            return ESK_OK;
        esk__sleep_ms(left_ms < pause ? left_ms : pause);
        if (pause < WAIT_MAX_PAUSE_MS)
            pause *= 2;
    }
}

esk_status esk_store_wait_for(esk_store *store, int64_t after_position,
                              int timeout_ms, int64_t *out_head)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    if (out_head == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_wait_for: out_head is NULL");
    if (after_position < 0 || timeout_ms < 0)
        return esk__fail(ESK_EINVAL, "esk_store_wait_for: %s %lld is negative",
                         after_position < 0 ? "after_position" : "timeout_ms",
                         after_position < 0 ? (long long)after_position
                                            : (long long)timeout_ms);
    if (store->depth > 0)
        return esk__fail(ESK_EINVAL,
                         "esk_store_wait_for: a transaction is open on this "
                         "store, and other writers wait for its lock: "
                         "commit or roll back before waiting for them");
    esk_status rc =
        store->backend->wait_for != NULL
            ? store->backend->wait_for(store, store->impl, after_position,
                                       timeout_ms, out_head)
            : poll_head(store, after_position, timeout_ms, out_head);
    return rc == ESK_OK ? esk__ok() : rc;
}

bool esk_stream_in_category(const char *stream_id, const char *category)
{
    if (category == NULL)
        return true;
    size_t len = strlen(category);
    if (strncmp(stream_id, category, len) != 0)
        return false;
    /* "workshop-42" is in "workshop"; "workshops-1" is not. The category
     * is what comes before the FIRST '-', so it holds no '-' itself. */
    if (memchr(category, '-', len) != NULL)
        return false;
    return stream_id[len] == '-' || stream_id[len] == '\0';
}

bool esk_filter_has_type(const esk_filter *filter, const char *type)
{
    if (filter == NULL || filter->type_count == 0)
        return true;
    for (size_t i = 0; i < filter->type_count; i++)
        if (strcmp(filter->types[i], type) == 0)
            return true;
    return false;
}

esk_status esk_stream_category(const char *stream_id, char *buf, size_t size)
{
    if (stream_id == NULL || buf == NULL)
        return esk__fail(ESK_EINVAL, "esk_stream_category: %s is NULL",
                         stream_id == NULL ? "stream_id" : "buf");
    const char *dash = strchr(stream_id, '-');
    size_t len = dash ? (size_t)(dash - stream_id) : strlen(stream_id);
    if (len + 1 > size)
        return esk__fail(ESK_EINVAL,
                         "esk_stream_category: the category of '%s' needs %zu "
                         "bytes, the buffer has %zu",
                         stream_id, len + 1, size);
    memcpy(buf, stream_id, len);
    buf[len] = '\0';
    return esk__ok();
}
