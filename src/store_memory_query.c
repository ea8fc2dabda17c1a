/*
 * src/store_memory_query.c - the memory store's reads by query.
 *
 * How the indexes are used: each item of the query becomes one or more
 * cursors over a list of positions (store_memory_index.c). An item with
 * tags walks the list of its rarest tag, and checks each event it meets
 * against the whole item; an item with types only walks the list of each
 * of its types; an item with neither walks every position. Every cursor
 * starts after after_position (a binary search), and the read merges the
 * cursors in position order, taking each position once. So a query reads
 * the events that carry its rarest tags or have its types, never the
 * whole store, unless it asks for everything.
 */
#include <string.h>

#include "store_memory.h"

typedef struct cursor {
    const esk_query_item *item;
    /* NULL: every position (positions 1..count). */
    const int64_t *positions;
    size_t count;
    size_t at;
} cursor;

static int64_t cursor_position(const cursor *c)
{
    if (c->at >= c->count)
        return 0;
    return c->positions != NULL ? c->positions[c->at] : (int64_t)c->at + 1;
}

/* The index of the first position greater than after. */
static size_t first_after(const int64_t *positions, size_t count, int64_t after)
{
    if (positions == NULL)
        return after < (int64_t)count ? (size_t)after : count;
    size_t lo = 0;
    size_t hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (positions[mid] <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void add_cursor(cursor *cursors, size_t *n, const esk_query_item *item,
                       const mem_postings *list, size_t event_count,
                       int64_t after)
{
    cursor *c = &cursors[(*n)++];
    c->item = item;
    c->positions = list != NULL ? list->positions : NULL;
    c->count = list != NULL ? list->count : event_count;
    c->at = first_after(c->positions, c->count, after);
}

/* The cursors of one item: none when one of its keys is on no event. */
static void item_cursors(const mem_store *m, const esk_query_item *item,
                         int64_t after, cursor *cursors, size_t *n)
{
    if (item->tag_count > 0) {
        const mem_postings *rarest = NULL;
        for (size_t i = 0; i < item->tag_count; i++) {
            const mem_postings *p =
                esk__mem_find_postings(&m->tags, item->tags[i]);
            if (p == NULL || p->count == 0)
                return;
            if (rarest == NULL || p->count < rarest->count)
                rarest = p;
        }
        add_cursor(cursors, n, item, rarest, 0, after);
        return;
    }
    for (size_t i = 0; i < item->type_count; i++) {
        const mem_postings *p =
            esk__mem_find_postings(&m->types, item->types[i]);
        if (p != NULL && p->count > 0)
            add_cursor(cursors, n, item, p, 0, after);
    }
    if (item->type_count == 0)
        add_cursor(cursors, n, item, NULL, m->event_count, after);
}

/* Move a cursor to its next event that matches its item and lies at up_to
 * or before: that position, or 0 when it has none left. */
static int64_t cursor_next_match(const mem_store *m, cursor *c, int64_t up_to)
{
    int64_t p;
    while ((p = cursor_position(c)) != 0 && p <= up_to) {
        if (esk__query_item_matches(c->item, &m->events[p - 1]))
            return p;
        c->at++;
    }
    return 0;
}

esk_status esk__mem_read_query(esk_store *store, void *impl,
                               const esk_query *query, int64_t after_position,
                               int64_t up_to, size_t max_count,
                               esk_event_list *out)
{
    (void)store;
    const mem_store *m = impl;
    /* At most one cursor per type of each item, or one per item. */
    size_t most = 0;
    for (size_t i = 0; i < query->item_count; i++)
        most += query->items[i].type_count + 1;
    cursor *cursors = esk__malloc(most * sizeof(*cursors));
    if (cursors == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory reading a query");
    size_t n = 0;
    for (size_t i = 0; i < query->item_count; i++)
        item_cursors(m, &query->items[i], after_position, cursors, &n);

    esk_status rc = ESK_OK;
    while (rc == ESK_OK && out->count < max_count) {
        int64_t next = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t p = cursor_next_match(m, &cursors[i], up_to);
            if (p != 0 && (next == 0 || p < next))
                next = p;
        }
        if (next == 0)
            break;
        if (esk__event_list_push_borrowed(out, &m->events[next - 1]) != ESK_OK)
            rc = esk__fail(ESK_ENOMEM, "out of memory reading a query");
        for (size_t i = 0; i < n; i++)
            if (cursor_position(&cursors[i]) == next)
                cursors[i].at++;
    }
    esk__free(cursors);
    return rc;
}
