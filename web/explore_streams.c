/*
 * web/explore_streams.c - the lists esk has no read for: the streams of a
 * store, by category, and its checkpoints. Their names come from the
 * backend's catalog (explore_catalog.h); everything about each (version,
 * closed, position) from the store's own reads.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>
#include <esk/record.h>
#include <esk/store.h>

#include "explore.h"

typedef struct streams_walk {
    esk_store *store;
    json_t *categories; /* array, in name order as the streams come */
    json_t *current;    /* the last category's streams */
    char category[ESK_STREAM_ID_MAX + 1];
} streams_walk;

static esk_status add_stream(void *ctx, const char *id, const char *unused)
{
    (void)unused;
    streams_walk *w = ctx;
    char category[ESK_STREAM_ID_MAX + 1];
    int64_t version = 0;
    bool closed = false;
    esk_status rc = esk_stream_category(id, category, sizeof category);
    if (rc == ESK_OK)
        rc = esk_store_stream_version(w->store, id, &version);
    if (rc == ESK_OK)
        rc = esk_store_stream_closed(w->store, id, &closed);
    if (rc != ESK_OK)
        return rc;
    if (w->current == NULL || strcmp(category, w->category) != 0) {
        w->current = json_array();
        json_array_append_new(
            w->categories,
            json_pack("{s:s, s:o*}", "name", category, "streams", w->current));
        snprintf(w->category, sizeof w->category, "%s", category);
    }
    json_array_append_new(w->current,
                          json_pack("{s:s, s:I, s:b}", "id", id, "version",
                                    (json_int_t)version, "closed", closed));
    return ESK_OK;
}

esk_status esk_explore_streams(esk_explore *explore, json_t **out)
{
    if (explore == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_streams: NULL argument");
    streams_walk w = {esk__explore_store(explore), json_array(), NULL, ""};
    int64_t head = 0;
    esk_status rc = esk_store_head_position(w.store, &head);
    /* Ordered by id, a category's streams come together: the category is
     * the id's beginning, up to its first '-'. */
    if (rc == ESK_OK)
        rc = esk__explore_each_stream(explore, add_stream, &w);
    if (rc != ESK_OK) {
        json_decref(w.categories);
        return rc;
    }
    json_t *view =
        json_pack("{s:s, s:I, s:o*}", "path", esk_explore_path(explore), "head",
                  (json_int_t)head, "categories", w.categories);
    if (view == NULL)
        return esk_error_set(ESK_ENOMEM, "listing streams: out of memory");
    *out = view;
    return ESK_OK;
}

typedef struct checkpoints_walk {
    esk_store *store;
    int64_t head;
    json_t *list;
} checkpoints_walk;

/* Process managers keep theirs under "process:<name>" (esk/process.h). */
static const char *kind_of(const char *name)
{
    return strncmp(name, "process:", 8) == 0 ? "process" : "projection";
}

static esk_status add_checkpoint(void *ctx, const char *name,
                                 const char *updated_at)
{
    checkpoints_walk *w = ctx;
    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(w->store, ESK_RECORD_CHECKPOINT, name,
                                         &record, &owned);
    if (rc != ESK_OK)
        return rc;
    /* Positions have no gaps, so the distance is the count of events the
     * runner has yet to handle. */
    int64_t lag = w->head > record.at ? w->head - record.at : 0;
    json_array_append_new(
        w->list, json_pack("{s:s, s:s, s:I, s:i, s:I, s:s}", "name", name,
                           "kind", kind_of(name), "position",
                           (json_int_t)record.at, "version", record.tag, "lag",
                           (json_int_t)lag, "updated_at", updated_at));
    esk_free(owned);
    return ESK_OK;
}

esk_status esk_explore_checkpoints(esk_explore *explore, json_t **out)
{
    if (explore == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL,
                             "esk_explore_checkpoints: NULL argument");
    checkpoints_walk w = {esk__explore_store(explore), 0, json_array()};
    esk_status rc = esk_store_head_position(w.store, &w.head);
    /* The record API reads a checkpoint by name; only the table lists the
     * names (and keeps when each was written). */
    if (rc == ESK_OK)
        rc = esk__explore_each_checkpoint(explore, add_checkpoint, &w);
    if (rc != ESK_OK) {
        json_decref(w.list);
        return rc;
    }
    json_t *view = json_pack("{s:I, s:o*}", "head", (json_int_t)w.head,
                             "checkpoints", w.list);
    if (view == NULL)
        return esk_error_set(ESK_ENOMEM, "listing checkpoints: out of memory");
    *out = view;
    return ESK_OK;
}
