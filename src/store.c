/*
 * src/store.c - the store front: the handle, the checks of every append,
 * event ids, and the close of a stream. Reads are in store_read.c.
 *
 * Everything that does not depend on where events are kept lives here, so
 * that both backends (and any written later) get the same rules for free
 * and can trust their input.
 */
#include <stdio.h>
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"
#include "store_internal.h"

/* Whether every operation a backend must have is set. */
static bool backend_is_complete(const esk_store_backend *b)
{
    return b->append != NULL && b->read_stream != NULL && b->read_all != NULL &&
           b->stream_version != NULL && b->head_position != NULL &&
           b->begin != NULL && b->commit != NULL && b->rollback != NULL &&
           b->put_record != NULL && b->get_record != NULL && b->close != NULL;
}

esk_status esk_store_new(esk_store **out, const esk_store_backend *backend,
                         void *impl, const esk_store_options *options)
{
    esk_status rc = ESK_OK;
    esk_store *store = NULL;

    if (out == NULL || backend == NULL) {
        rc = esk__fail(ESK_EINVAL, "esk_store_new: %s is NULL",
                       out == NULL ? "out" : "backend");
    } else if (!backend_is_complete(backend)) {
        rc = esk__fail(ESK_EINVAL,
                       "esk_store_new: backend '%s' leaves an operation "
                       "NULL: every one but check_transaction and "
                       "read_query must be set",
                       backend->name != NULL ? backend->name : "(unnamed)");
    } else if (options != NULL &&
               options->version != ESK_STORE_OPTIONS_VERSION) {
        rc = esk__fail(ESK_EINVAL,
                       "esk_store_new: options version %d is not %d: start "
                       "from ESK_STORE_OPTIONS_INIT",
                       options->version, ESK_STORE_OPTIONS_VERSION);
    } else if ((store = esk__calloc(1, sizeof(*store))) == NULL) {
        rc = esk__fail(ESK_ENOMEM, "esk_store_new: out of memory");
    }
    if (rc != ESK_OK) {
        if (backend != NULL && backend->close != NULL)
            backend->close(impl);
        return rc;
    }
    store->backend = backend;
    store->impl = impl;
    store->options =
        options != NULL ? *options : (esk_store_options)ESK_STORE_OPTIONS_INIT;
    if (store->options.clock == NULL)
        store->options.clock = esk_clock_system;
    *out = store;
    return esk__ok();
}

const esk_store_backend *esk__store_backend(const esk_store *store)
{
    return store->backend;
}

void *esk_store_impl(esk_store *store)
{
    return store == NULL ? NULL : store->impl;
}

void esk_store_free(esk_store *store)
{
    if (store == NULL)
        return;
    store->backend->close(store->impl);
    esk__store_hooks_free(store);
    esk__free(store->batch);
    esk__free(store->ids);
    esk__free(store);
}

const char *esk_store_backend_name(const esk_store *store)
{
    return store == NULL ? "none" : store->backend->name;
}

esk_status esk_store_set_error(esk_store *store, esk_status status,
                               const char *format, ...)
{
    (void)store;
    va_list args;
    va_start(args, format);
    esk__vfail_ext(status, ESK_EXT_NONE, format, args);
    va_end(args);
    return status;
}

static bool expected_is_valid(int64_t expected)
{
    return expected >= 0 || expected == ESK_ANY || expected == ESK_NO_STREAM ||
           expected == ESK_STREAM_EXISTS;
}

esk_status esk_store_check_expected(esk_store *store, const char *stream_id,
                                    int64_t expected, int64_t actual)
{
    (void)store; /* kept for backends written before the last error */
    if (expected == ESK_ANY)
        return esk__ok();
    if (expected == ESK_NO_STREAM || expected == 0) {
        if (actual == 0)
            return esk__ok();
        return esk__fail(
            ESK_ECONCURRENCY,
            "stream '%s' already exists at version %lld, expected no stream",
            stream_id, (long long)actual);
    }
    if (expected == ESK_STREAM_EXISTS) {
        if (actual > 0)
            return esk__ok();
        return esk__fail(
            ESK_ECONCURRENCY,
            "stream '%s' does not exist, expected an existing stream",
            stream_id);
    }
    if (actual == expected)
        return esk__ok();
    return esk__fail(ESK_ECONCURRENCY,
                     "stream '%s' is at version %lld, expected %lld", stream_id,
                     (long long)actual, (long long)expected);
}

esk_status esk_store_check_closed(esk_store *store, const char *stream_id,
                                  int64_t closed_at)
{
    (void)store;
    if (closed_at <= 0)
        return esk__ok();
    return esk__fail(ESK_ECLOSED,
                     "stream '%s' is closed (at version %lld): it takes no "
                     "more events; append to the stream that continues it",
                     stream_id != NULL ? stream_id : "(null)",
                     (long long)closed_at);
}

esk_status esk__store_check_stream_id(const char *stream_id)
{
    if (stream_id == NULL)
        return esk__fail(ESK_EINVAL, "stream id is NULL");
    if (stream_id[0] == '\0')
        return esk__fail(ESK_EINVAL, "stream id is empty");
    if (!esk__utf8_valid(stream_id, ESK_STREAM_ID_MAX)) {
        size_t len = strlen(stream_id);
        if (len > ESK_STREAM_ID_MAX)
            return esk__fail(
                ESK_EINVAL,
                "stream id is %zu bytes long, at most %d are allowed", len,
                ESK_STREAM_ID_MAX);
        return esk__fail(ESK_EINVAL, "stream id is not valid UTF-8");
    }
    return ESK_OK;
}

/* Check one event of a batch; i is its index, for the message, and
 * previous the event before it, checked, or NULL. */
static esk_status check_event(const esk_new_event *event, size_t i,
                              const esk_new_event *previous)
{
    /* The events of a batch mostly share one type name, often the very
     * same text: that one is checked already. */
    bool type_checked = previous != NULL && event->type == previous->type;
    if (event->type == NULL || event->type[0] == '\0')
        return esk__fail(ESK_EINVAL, "event %zu has no type name", i);
    if (!type_checked && !esk__utf8_valid(event->type, ESK_TYPE_MAX))
        return esk__fail(
            ESK_EINVAL,
            "event %zu: type name is not valid UTF-8 of at most %d bytes", i,
            ESK_TYPE_MAX);
    if (event->schema_version < 1)
        return esk__fail(
            ESK_EINVAL,
            "event %zu (%s): schema version is %d, it must be 1 or more", i,
            event->type, event->schema_version);
    if (event->event_id != NULL &&
        !esk__utf8_valid(event->event_id, ESK_EVENT_ID_MAX))
        return esk__fail(
            ESK_EINVAL,
            "event %zu (%s): event id must be 1 to %d bytes of UTF-8", i,
            event->type, ESK_EVENT_ID_MAX);
    if (event->data == NULL)
        return esk__fail(ESK_EINVAL, "event %zu (%s): data is NULL", i,
                         event->type);
    if (esk_json_validate(event->data) != ESK_OK)
        return esk__fail_within(ESK_EINVAL, "event %zu (%s): data is not JSON",
                                i, event->type);
    if (event->metadata != NULL &&
        esk_json_validate_object(event->metadata) != ESK_OK)
        return esk__fail_within(ESK_EINVAL,
                                "event %zu (%s): metadata is not a JSON object",
                                i, event->type);
    return ESK_OK;
}

static esk_status reserve_batch(esk_store *store, size_t n)
{
    if (n <= store->batch_capacity)
        return ESK_OK;
    if (n > SIZE_MAX / sizeof(*store->ids))
        return esk__fail(ESK_ENOMEM, "batch too large");
    esk_event *batch = esk__malloc(n * sizeof(*batch));
    char(*ids)[ESK_EVENT_ID_LEN + 1] = esk__malloc(n * sizeof(*ids));
    if (batch == NULL || ids == NULL) {
        esk__free(batch);
        esk__free(ids);
        return esk__fail(ESK_ENOMEM, "out of memory preparing a batch of %zu",
                         n);
    }
    esk__free(store->batch);
    esk__free(store->ids);
    store->batch = batch;
    store->ids = ids;
    store->batch_capacity = n;
    return ESK_OK;
}

/* Either every event names its id (an idempotent batch) or none does. */
static esk_status check_ids(const esk_new_event *events, size_t n,
                            bool *supplied)
{
    *supplied = events[0].event_id != NULL;
    for (size_t i = 1; i < n; i++) {
        if ((events[i].event_id != NULL) != *supplied)
            return esk__fail(
                ESK_EINVAL,
                "event %zu has %s event id but event 0 %s: give every event "
                "of a batch an id, or none",
                i, *supplied ? "no" : "an", *supplied ? "has one" : "has none");
    }
    if (!*supplied)
        return ESK_OK;
    /* Batches are small; a quadratic scan beats building a hash set. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(events[i].event_id, events[j].event_id) == 0)
                return esk__fail(
                    ESK_EINVAL,
                    "events %zu and %zu of the batch share the id '%s'", j, i,
                    events[i].event_id);
    return ESK_OK;
}

/* Every check of an append's arguments, before anything is prepared. */
static esk_status check_append(const char *stream_id, int64_t expected,
                               const esk_new_event *events, size_t n,
                               bool *supplied)
{
    esk_status rc;
    if ((rc = esk__store_check_stream_id(stream_id)) != ESK_OK)
        return rc;
    if (!expected_is_valid(expected))
        return esk__fail(ESK_EINVAL,
                         "expected version %lld is not ESK_ANY, ESK_NO_STREAM, "
                         "ESK_STREAM_EXISTS or a version >= 0",
                         (long long)expected);
    if (events == NULL || n == 0)
        return esk__fail(ESK_EINVAL, "append to '%s' has no events", stream_id);
    for (size_t i = 0; i < n; i++)
        if ((rc = check_event(&events[i], i, i > 0 ? &events[i - 1] : NULL)) !=
            ESK_OK)
            return rc;
    return check_ids(events, n, supplied);
}

/* Tags, a condition and a query read need a backend that keeps tags. */
esk_status esk__store_check_tags_supported(const esk_store *store,
                                           const char *what)
{
    if (store->backend->read_query != NULL)
        return ESK_OK;
    return esk__fail(ESK_ENOTIMPL,
                     "the '%s' store keeps no tags (its backend has no "
                     "read_query): it cannot %s",
                     store->backend->name, what);
}

/* The checks esk_store_append_if() adds to esk_store_append()'s. */
static esk_status check_tags_and_condition(const esk_store *store,
                                           const esk_tags *tags, size_t n,
                                           const esk_append_condition *cond)
{
    esk_status rc;
    if (tags != NULL) {
        for (size_t i = 0; i < n; i++)
            if ((rc = esk__check_event_tags(&tags[i], i)) != ESK_OK)
                return rc;
        if ((rc = esk__store_check_tags_supported(store, "store tags")) !=
            ESK_OK)
            return rc;
    }
    if (cond == NULL)
        return ESK_OK;
    if (cond->after < 0)
        return esk__fail(ESK_EINVAL,
                         "the append condition's position is %lld: give a "
                         "position >= 0",
                         (long long)cond->after);
    if ((rc = esk__check_query(&cond->query)) != ESK_OK)
        return esk__fail_within(rc, "the append condition");
    return esk__store_check_tags_supported(store, "apply an append condition");
}

/* A retried close is a replay only if the stored batch closed the stream:
 * the same events stored by a plain append closed nothing. */
static esk_status check_replayed_close(esk_store *store, const char *stream_id,
                                       const esk_append_request *request)
{
    bool closed = false;
    esk_status rc =
        store->backend->stream_closed(store, store->impl, stream_id, &closed);
    if (rc != ESK_OK)
        return esk__store_note_failure(store, rc);
    if (closed)
        return ESK_OK;
    return esk__fail(ESK_EDUPLICATE,
                     "event id '%s' is already stored in stream '%s' by an "
                     "append that did not close it: send new ids to close "
                     "the stream",
                     request->events[0].event_id, stream_id);
}

/* Both appends: the batch, checked, with ids, stamped, as one unit. */
static esk_status append_batch(esk_store *store, const char *stream_id,
                               int64_t expected, const esk_new_event *events,
                               const esk_tags *tags, size_t n,
                               const esk_append_condition *condition,
                               bool close, esk_append_result *out)
{
    esk_status rc;
    bool supplied = false;
    esk_time now = 0;

    if ((rc = check_append(stream_id, expected, events, n, &supplied)) !=
            ESK_OK ||
        (rc = check_tags_and_condition(store, tags, n, condition)) != ESK_OK ||
        (rc = esk__store_clock(store, "appending to stream", stream_id,
                               &now)) != ESK_OK ||
        (rc = reserve_batch(store, n)) != ESK_OK)
        return rc;
    /* Stamped with the clock's reading, as recorded_at is: ids then follow
     * the order of appends, and inserts land at the end of the index. */
    if (!supplied)
        esk__uuid_v7_generate(&store->id_generator, now, store->ids, n);

    for (size_t i = 0; i < n; i++) {
        store->batch[i] = (esk_event){
            .event_id = supplied ? events[i].event_id : store->ids[i],
            .stream_id = stream_id,
            .type = events[i].type,
            .schema_version = events[i].schema_version,
            .data = events[i].data,
            .metadata = events[i].metadata ? events[i].metadata : "{}",
            .recorded_at = now,
            .tags = tags != NULL && tags[i].count > 0 ? tags[i].tags : NULL,
            .tag_count = tags != NULL ? tags[i].count : 0,
        };
    }
    esk_append_request request = {
        .stream_id = stream_id,
        .expected = expected,
        .events = store->batch,
        .count = n,
        .ids_supplied = supplied,
        .condition = condition,
        .close = close,
    };
    rc = esk__store_run_append(store, &request);
    if (rc == ESK_OK && close && request.replayed)
        rc = check_replayed_close(store, stream_id, &request);
    if (rc != ESK_OK)
        return rc;
    if (out != NULL)
        *out = request.result;
    return esk__ok();
}

esk_status esk_store_append(esk_store *store, const char *stream_id,
                            int64_t expected, const esk_new_event *events,
                            size_t n, esk_append_result *out)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    return append_batch(store, stream_id, expected, events, NULL, n, NULL,
                        false, out);
}

esk_status esk_store_append_if(esk_store *store, const char *stream_id,
                               int64_t expected, const esk_new_event *events,
                               const esk_tags *tags, size_t n,
                               const esk_append_condition *condition,
                               esk_append_result *out)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    return append_batch(store, stream_id, expected, events, tags, n, condition,
                        false, out);
}

esk_status esk_store_close_stream(esk_store *store, const char *stream_id,
                                  int64_t expected,
                                  const esk_new_event *final_events, size_t n,
                                  esk_append_result *out)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    if (store->backend->stream_closed == NULL)
        return esk__fail(ESK_ENOTIMPL,
                         "the '%s' store cannot close streams (its backend "
                         "has no stream_closed): stream '%s' stays open",
                         store->backend->name,
                         stream_id != NULL ? stream_id : "(null)");
    return append_batch(store, stream_id, expected, final_events, NULL, n, NULL,
                        true, out);
}

esk_status esk_store_stream_closed(esk_store *store, const char *stream_id,
                                   bool *out_closed)
{
    esk_status rc;

    if (store == NULL)
        return esk__store_is_null(__func__);
    if ((rc = esk__store_check_stream_id(stream_id)) != ESK_OK)
        return rc;
    if (out_closed == NULL)
        return esk__fail(ESK_EINVAL, "out_closed is NULL");
    *out_closed = false;
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    if (store->backend->stream_closed == NULL)
        return esk__ok();
    rc = store->backend->stream_closed(store, store->impl, stream_id,
                                       out_closed);
    if (rc != ESK_OK) {
        *out_closed = false;
        return esk__store_note_failure(store, rc);
    }
    return esk__ok();
}
