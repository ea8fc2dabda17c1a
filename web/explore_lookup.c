/*
 * web/explore_lookup.c - following the links of an event's metadata: the
 * event a causation id names, and every event of a correlation id.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>
#include <esk/event.h>
#include <esk/store.h>

#include "explore.h"

esk_status esk_explore_event(esk_explore *explore, const char *event_id,
                             json_t **out)
{
    if (explore == NULL || event_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_event: NULL argument");
    esk_store *store = esk__explore_store(explore);
    char stream_id[ESK_STREAM_ID_MAX + 1];
    int64_t version = 0;
    /* esk has no read by event id: the backend's catalog finds the
     * stream and version, and the store's own read (which checks the row)
     * gives the event. */
    esk_status rc = esk__explore_locate(explore, event_id, stream_id,
                                        sizeof stream_id, &version);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (rc == ESK_OK)
        rc = esk_store_read_stream(store, stream_id, version, 1, &list);
    if (rc == ESK_OK && list.count == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "event '%s' is gone", event_id);
    json_t *view = NULL;
    if (rc == ESK_OK &&
        (view = esk__explore_event_json(&list.events[0])) == NULL)
        rc = esk_error_set(ESK_ENOMEM, "reading an event: out of memory");
    esk_event_list_release(&list);
    if (rc == ESK_OK)
        *out = view;
    return rc;
}

/* Whether an event's metadata names this correlation id. */
static bool correlated(const esk_event *e, const char *id)
{
    char value[512];
    return esk_metadata_get(e->metadata, "correlationId", value,
                            sizeof value) == ESK_OK &&
           strcmp(value, id) == 0;
}

/* Walks the feed through the store's reads, a page at a time: a
 * workshop's store is small, and no index of metadata exists to do
 * better. */
static esk_status collect(esk_store *store, const char *id, json_t *events)
{
    int64_t after = 0;
    for (;;) {
        esk_event_list list = ESK_EVENT_LIST_INIT;
        esk_status rc = esk_store_read_all(store, after, 256, NULL, &list);
        if (rc != ESK_OK)
            return rc;
        for (size_t i = 0; i < list.count; i++) {
            if (json_array_size(events) < ESK_EXPLORE_PAGE_MAX &&
                correlated(&list.events[i], id))
                json_array_append_new(events,
                                      esk__explore_event_json(&list.events[i]));
        }
        bool more = list.count == 256;
        if (more)
            after = list.events[list.count - 1].position;
        esk_event_list_release(&list);
        if (!more)
            return ESK_OK;
    }
}

esk_status esk_explore_correlation(esk_explore *explore, const char *id,
                                   json_t **out)
{
    if (explore == NULL || id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL,
                             "esk_explore_correlation: NULL argument");
    json_t *events = json_array();
    if (events == NULL)
        return esk_error_set(ESK_ENOMEM, "reading events: out of memory");
    esk_status rc = collect(esk__explore_store(explore), id, events);
    if (rc != ESK_OK) {
        json_decref(events);
        return rc;
    }
    json_t *view = json_pack("{s:s, s:o}", "id", id, "events", events);
    if (view == NULL)
        return esk_error_set(ESK_ENOMEM, "reading events: out of memory");
    *out = view;
    return ESK_OK;
}
