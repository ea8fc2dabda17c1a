/*
 * web/explore_fold.c - a stream's state after each of its events, with
 * the fold the explorer knows for its category.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>
#include <esk/event.h>
#include <esk/store.h>

#include "explore.h"

typedef esk_status fold_fn(const esk_event *events, size_t n, json_t **out);

typedef struct known_fold {
    const char *category;
    const char *name;
    fold_fn *fold;
} known_fold;

static const known_fold folds[] = {
    {"workshop", "workshop (exercises/domain)", esk__explore_fold_workshop},
};

static const known_fold *fold_for(const char *stream_id)
{
    char category[ESK_STREAM_ID_MAX + 1];
    if (esk_stream_category(stream_id, category, sizeof category) != ESK_OK)
        return NULL;
    for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++)
        if (strcmp(folds[i].category, category) == 0)
            return &folds[i];
    return NULL;
}

/* The state after each event: the first v events folded, for v = 1, 2...
 * as exercise 15 folds a past version. A fold that fails stops the steps
 * there, with its message, so the page shows how far it got. */
static json_t *steps_json(const known_fold *f, const esk_event_list *list,
                          json_t **error)
{
    json_t *steps = json_array();
    for (size_t v = 1; steps != NULL && v <= list->count; v++) {
        json_t *state = NULL;
        if (f->fold(list->events, v, &state) != ESK_OK) {
            *error = json_string(esk_errmsg());
            break;
        }
        json_array_append_new(
            steps, json_pack("{s:I, s:s, s:o}", "version",
                             (json_int_t)list->events[v - 1].version, "type",
                             list->events[v - 1].type, "state", state));
    }
    return steps;
}

esk_status esk_explore_fold(esk_explore *explore, const char *stream_id,
                            json_t **out)
{
    if (explore == NULL || stream_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_fold: NULL argument");
    const known_fold *f = fold_for(stream_id);
    if (f == NULL)
        return esk_error_set(ESK_ENOTFOUND,
                             "the explorer knows no fold for stream '%s' "
                             "(it folds workshop-* streams)",
                             stream_id);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    esk_status rc = esk_store_read_stream(
        esk__explore_store(explore), stream_id, 1, ESK_EXPLORE_PAGE_MAX, &list);
    if (rc == ESK_OK && list.count == 0)
        rc =
            esk_error_set(ESK_ENOTFOUND, "stream '%s' has no event", stream_id);
    if (rc != ESK_OK) {
        esk_event_list_release(&list);
        return rc;
    }
    json_t *error = json_null();
    json_t *steps = steps_json(f, &list, &error);
    esk_event_list_release(&list);
    json_t *view = json_pack("{s:s, s:s, s:o*, s:o}", "id", stream_id, "fold",
                             f->name, "steps", steps, "error", error);
    if (view == NULL || json_object_get(view, "steps") == NULL) {
        json_decref(view);
        return esk_error_set(ESK_ENOMEM, "folding: out of memory");
    }
    *out = view;
    return ESK_OK;
}
