/*
 * esk/query.h - tags, queries and append conditions: the vocabulary of a
 * consistency boundary drawn by the decision rather than by a stream (the
 * dcb.events specification's Dynamic Consistency Boundary).
 *
 * An event may carry tags ("attendee:bob", "workshop:w-1"). A query says
 * which events a decision depends on; an append condition refuses an
 * append when an event matching the query arrived after the position the
 * decision read up to. The store functions that use them are
 * esk_store_read_query() and esk_store_append_if() (esk/store.h).
 */
#ifndef ESK_QUERY_H
#define ESK_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The tags of one event of esk_store_append_if(): count of them, each 1
 *  to ESK_TAG_MAX bytes of UTF-8, no two the same, at most
 *  ESK_EVENT_TAGS_MAX. Borrowed for the call. */
typedef struct esk_tags {
    const char *const *tags;
    size_t count;
} esk_tags;

/** Most items in one query. */
#define ESK_QUERY_ITEMS_MAX 64
/** Most types in one query item (its tags: at most ESK_EVENT_TAGS_MAX). */
#define ESK_QUERY_TYPES_MAX 32

/**
 * One item of a query. An event matches it when its type is one of the
 * item's types (or the item has none) and it carries every one of the
 * item's tags (and perhaps others). An item with neither matches every
 * event.
 */
typedef struct esk_query_item {
    const char *const *types;
    size_t type_count;
    const char *const *tags;
    size_t tag_count;
} esk_query_item;

/** A query: an event matches it when it matches any of its items (1 to
 *  ESK_QUERY_ITEMS_MAX). Borrowed for the call. */
typedef struct esk_query {
    const esk_query_item *items;
    size_t item_count;
} esk_query;

/** An append condition: refuse the append if an event matching query was
 *  appended at a position after `after` (>= 0; usually the position a
 *  query read returned). */
typedef struct esk_append_condition {
    esk_query query;
    int64_t after;
} esk_append_condition;

/** Whether an event matches a query (see esk_query_item). NULL for either
 *  is false. */
bool esk_query_matches(const esk_query *query, const esk_event *event);

#ifdef __cplusplus
}
#endif

#endif
