/*
 * web/explore_events.c - events as the page shows them: one stream, the
 * global feed by pages, one event by id, and the events of one
 * correlation id.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>
#include <esk/event.h>
#include <esk/store.h>

#include "explore.h"

/* Stored data is JSON esk checked on the way in; should a row hold
 * something else all the same, show it as the text it is. */
static json_t *json_or_text(const char *text)
{
    json_t *value = json_loads(text, JSON_DECODE_ANY, NULL);
    return value != NULL ? value : json_string(text);
}

static json_t *metadata_string(const char *metadata, const char *key)
{
    char value[512];
    if (esk_metadata_get(metadata, key, value, sizeof value) != ESK_OK)
        return json_null();
    return json_string(value);
}

static json_t *tags_json(const esk_event *e)
{
    json_t *tags = json_array();
    for (size_t i = 0; tags != NULL && i < e->tag_count; i++)
        json_array_append_new(tags, json_string(e->tags[i]));
    return tags;
}

json_t *esk__explore_event_json(const esk_event *e)
{
    char when[ESK_TIME_TEXT_SIZE] = "";
    esk_time_format(e->recorded_at, when);
    return json_pack(
        "{s:I, s:I, s:s, s:s, s:s, s:i, s:s, s:o, s:o, s:o, "
        "s:o, s:o}",
        "position", (json_int_t)e->position, "version", (json_int_t)e->version,
        "stream", e->stream_id, "type", e->type, "id", e->event_id, "schema",
        e->schema_version, "recorded_at", when, "data", json_or_text(e->data),
        "metadata", json_or_text(e->metadata), "tags", tags_json(e),
        "correlation", metadata_string(e->metadata, "correlationId"),
        "causation", metadata_string(e->metadata, "causationId"));
}

static esk_status no_memory(const char *what)
{
    return esk_error_set(ESK_ENOMEM, "%s: out of memory", what);
}

/* The events of a list as a JSON array; NULL when out of memory. */
static json_t *events_json(const esk_event_list *list)
{
    json_t *events = json_array();
    for (size_t i = 0; events != NULL && i < list->count; i++) {
        json_t *e = esk__explore_event_json(&list->events[i]);
        if (e == NULL || json_array_append_new(events, e) != 0) {
            json_decref(events);
            return NULL;
        }
    }
    return events;
}

esk_status esk_explore_stream(esk_explore *explore, const char *stream_id,
                              json_t **out)
{
    if (explore == NULL || stream_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_stream: NULL argument");
    esk_store *store = esk__explore_store(explore);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    bool closed = false;
    esk_status rc = esk_store_read_stream(store, stream_id, 1, 0, &list);
    if (rc == ESK_OK)
        rc = esk_store_stream_closed(store, stream_id, &closed);
    if (rc == ESK_OK && list.count == 0)
        rc =
            esk_error_set(ESK_ENOTFOUND, "stream '%s' has no event", stream_id);
    if (rc != ESK_OK) {
        esk_event_list_release(&list);
        return rc;
    }
    json_t *view =
        json_pack("{s:s, s:I, s:b, s:o*}", "id", stream_id, "version",
                  (json_int_t)list.events[list.count - 1].version, "closed",
                  closed, "events", events_json(&list));
    esk_event_list_release(&list);
    if (view == NULL || json_object_get(view, "events") == NULL) {
        json_decref(view);
        return no_memory("reading a stream");
    }
    *out = view;
    return ESK_OK;
}

static json_t *position_or_null(int64_t position, bool some)
{
    return some ? json_integer(position) : json_null();
}

esk_status esk_explore_feed(esk_explore *explore, int64_t after, size_t limit,
                            json_t **out)
{
    if (explore == NULL || out == NULL || after < 0 || limit == 0 ||
        limit > ESK_EXPLORE_PAGE_MAX)
        return esk_error_set(ESK_EINVAL,
                             "esk_explore_feed: a page is after a position "
                             ">= 0, and 1 to %d events long",
                             ESK_EXPLORE_PAGE_MAX);
    esk_store *store = esk__explore_store(explore);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int64_t head = 0;
    esk_status rc = esk_store_head_position(store, &head);
    if (rc == ESK_OK)
        rc = esk_store_read_all(store, after, limit, NULL, &list);
    if (rc != ESK_OK)
        return rc;
    int64_t last =
        list.count > 0 ? list.events[list.count - 1].position : after;
    json_t *view = json_pack("{s:I, s:I, s:o, s:o*}", "head", (json_int_t)head,
                             "after", (json_int_t)after, "next",
                             position_or_null(last, last < head), "events",
                             events_json(&list));
    esk_event_list_release(&list);
    if (view == NULL || json_object_get(view, "events") == NULL) {
        json_decref(view);
        return no_memory("reading the feed");
    }
    *out = view;
    return ESK_OK;
}
