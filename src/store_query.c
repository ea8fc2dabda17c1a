/*
 * src/store_query.c - tags, queries and append conditions: their checks,
 * what a query matches, and the condition rule every backend applies.
 *
 * Below store.c (which checks a call's arguments with these) and beside
 * the backends (which apply the condition with esk_store_check_condition()
 * inside their append): it calls neither.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"
#include "store_internal.h"

/* One tag: "<what> tag <i>" names it in the message. */
static esk_status check_tag(const char *tag, const char *what, size_t i)
{
    if (tag == NULL)
        return esk__fail(ESK_EINVAL, "%s tag %zu is NULL", what, i);
    if (tag[0] == '\0')
        return esk__fail(ESK_EINVAL, "%s tag %zu is empty", what, i);
    if (!esk__utf8_valid(tag, ESK_TAG_MAX))
        return esk__fail(ESK_EINVAL,
                         "%s tag %zu is not 1 to %d bytes of valid UTF-8", what,
                         i, ESK_TAG_MAX);
    return ESK_OK;
}

esk_status esk__check_event_tags(const esk_tags *tags, size_t event)
{
    char what[48];
    snprintf(what, sizeof what, "event %zu:", event);
    if (tags->count > ESK_EVENT_TAGS_MAX)
        return esk__fail(ESK_EINVAL,
                         "event %zu has %zu tags, at most %d are allowed",
                         event, tags->count, ESK_EVENT_TAGS_MAX);
    if (tags->count > 0 && tags->tags == NULL)
        return esk__fail(ESK_EINVAL, "event %zu has %zu tags but no tag list",
                         event, tags->count);
    for (size_t i = 0; i < tags->count; i++) {
        esk_status rc = check_tag(tags->tags[i], what, i);
        if (rc != ESK_OK)
            return rc;
        /* At most ESK_EVENT_TAGS_MAX: a quadratic scan is cheap. */
        for (size_t j = 0; j < i; j++)
            if (strcmp(tags->tags[i], tags->tags[j]) == 0)
                return esk__fail(ESK_EINVAL,
                                 "event %zu carries the tag '%s' twice (tags "
                                 "%zu and %zu): give each tag once",
                                 event, tags->tags[i], j, i);
    }
    return ESK_OK;
}

static esk_status check_item(const esk_query_item *item, size_t index)
{
    char what[48];
    snprintf(what, sizeof what, "query item %zu:", index);
    if (item->type_count > ESK_QUERY_TYPES_MAX)
        return esk__fail(ESK_EINVAL,
                         "query item %zu has %zu types, at most %d are "
                         "allowed",
                         index, item->type_count, ESK_QUERY_TYPES_MAX);
    if (item->tag_count > ESK_EVENT_TAGS_MAX)
        return esk__fail(ESK_EINVAL,
                         "query item %zu has %zu tags, at most %d are "
                         "allowed (no event carries more)",
                         index, item->tag_count, ESK_EVENT_TAGS_MAX);
    if ((item->type_count > 0 && item->types == NULL) ||
        (item->tag_count > 0 && item->tags == NULL))
        return esk__fail(ESK_EINVAL, "query item %zu has %s but no list", index,
                         item->types == NULL ? "types" : "tags");
    for (size_t i = 0; i < item->type_count; i++) {
        const char *type = item->types[i];
        if (type == NULL || type[0] == '\0' ||
            !esk__utf8_valid(type, ESK_TYPE_MAX))
            return esk__fail(ESK_EINVAL,
                             "query item %zu: type %zu is not 1 to %d bytes "
                             "of valid UTF-8",
                             index, i, ESK_TYPE_MAX);
    }
    for (size_t i = 0; i < item->tag_count; i++) {
        esk_status rc = check_tag(item->tags[i], what, i);
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

esk_status esk__check_query(const esk_query *query)
{
    if (query == NULL)
        return esk__fail(ESK_EINVAL, "the query is NULL");
    if (query->item_count == 0 || query->item_count > ESK_QUERY_ITEMS_MAX)
        return esk__fail(ESK_EINVAL, "the query has %zu items: give it 1 to %d",
                         query->item_count, ESK_QUERY_ITEMS_MAX);
    if (query->items == NULL)
        return esk__fail(ESK_EINVAL, "the query has %zu items but no list",
                         query->item_count);
    for (size_t i = 0; i < query->item_count; i++) {
        esk_status rc = check_item(&query->items[i], i);
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

static bool has_tag(const esk_event *event, const char *tag)
{
    for (size_t i = 0; i < event->tag_count; i++)
        if (strcmp(event->tags[i], tag) == 0)
            return true;
    return false;
}

bool esk__query_item_matches(const esk_query_item *item, const esk_event *event)
{
    bool typed = item->type_count == 0;
    for (size_t i = 0; i < item->type_count && !typed; i++)
        typed = strcmp(item->types[i], event->type) == 0;
    if (!typed)
        return false;
    for (size_t i = 0; i < item->tag_count; i++)
        if (!has_tag(event, item->tags[i]))
            return false;
    return true;
}

bool esk_query_matches(const esk_query *query, const esk_event *event)
{
    if (query == NULL || event == NULL || query->items == NULL)
        return false;
    for (size_t i = 0; i < query->item_count; i++)
        if (esk__query_item_matches(&query->items[i], event))
            return true;
    return false;
}

void esk__describe_tags(char *buf, size_t size, const esk_event *event)
{
    size_t used = 0;
    buf[0] = '\0';
    if (event->tag_count == 0)
        snprintf(buf, size, "no tags");
    for (size_t i = 0; i < event->tag_count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s'%s'", i > 0 ? ", " : "",
                         event->tags[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

esk_status esk_store_check_condition(esk_store *store,
                                     const esk_append_request *request)
{
    if (store == NULL || request == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_check_condition: %s is NULL",
                         store == NULL ? "the store" : "the request");
    const esk_append_condition *condition = request->condition;
    if (condition == NULL)
        return ESK_OK;
    if (store->backend->read_query == NULL)
        return esk__fail(ESK_ENOTIMPL,
                         "the '%s' store does not keep tags: it cannot apply "
                         "an append condition",
                         store->backend->name);
    esk_event_list found = ESK_EVENT_LIST_INIT;
    esk_status rc =
        store->backend->read_query(store, store->impl, &condition->query,
                                   condition->after, INT64_MAX, 1, &found);
    if (rc == ESK_OK && found.count > 0) {
        const esk_event *e = &found.events[0];
        char tags[ESK_ERROR_MESSAGE_MAX / 2];
        esk__describe_tags(tags, sizeof tags, e);
        rc = esk__fail(ESK_ECONCURRENCY,
                       "appending to stream '%s': the append condition "
                       "failed: event %" PRId64 " ('%s', %s) matches its "
                       "query and came after position %" PRId64
                       "; read again and decide anew",
                       request->stream_id, e->position, e->type, tags,
                       condition->after);
    }
    esk_event_list_release(&found);
    return rc;
}
