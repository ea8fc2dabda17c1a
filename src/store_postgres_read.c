/*
 * src/store_postgres_read.c - reads: a stream forwards or backwards, the
 * global feed with its filters, reads by query, versions and the head.
 *
 * Reads outside a transaction each see every commit made before they
 * began; since writers commit in position order (store_postgres_tx.c), a
 * read of the feed never finds a gap that a later commit fills.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

/* How many rows a read filtered by type fetches at a time: the filter is
 * applied here, so a LIMIT cannot say how many rows make max_count. */
enum { TYPE_FILTERED_PAGE = 512 };

typedef struct int_text {
    char text[24];
} int_text;

static int_text int_param(int64_t value)
{
    int_text t;
    snprintf(t.text, sizeof t.text, "%" PRId64, value);
    return t;
}

/* A LIMIT for max_count: NULL (no limit) for SIZE_MAX and anything
 * larger than PostgreSQL's bigint. */
static const char *limit_param(size_t max_count, int_text *buf)
{
    if ((uint64_t)max_count > (uint64_t)INT64_MAX)
        return NULL;
    *buf = int_param((int64_t)max_count);
    return buf->text;
}

/* Push the rows of res that pass the filter (NULL for none) into out, up
 * to max_count. *last gets the position of the last row read. */
static esk_status take_rows(const PGresult *res, const esk_filter *filter,
                            size_t max_count, esk_event_list *out,
                            int64_t *last, const char *doing)
{
    esk__pg_tags tags;
    int rows = PQntuples(res);
    for (int i = 0; i < rows && out->count < max_count; i++) {
        esk_event e;
        if (!esk__pg_row_event(res, i, &e, &tags))
            return esk__fail(ESK_ECORRUPT,
                             "%s: the event in row %d has an empty column "
                             "or damaged tags",
                             doing, i + 1);
        *last = e.position;
        if (filter != NULL &&
            (!esk_stream_in_category(e.stream_id, filter->category) ||
             !esk_filter_has_type(filter, e.type)))
            continue;
        const size_t lengths[5] = {strlen(e.event_id), strlen(e.stream_id),
                                   strlen(e.type), strlen(e.data),
                                   strlen(e.metadata)};
        esk_status status = esk__event_list_push_sized(out, &e, lengths);
        if (status != ESK_OK)
            return esk__fail(status, "%s: out of memory", doing);
    }
    return ESK_OK;
}

/* Run a read statement and take its rows. */
static esk_status read_once(pg_store *s, int which, int n,
                            const char *const *params, const esk_filter *filter,
                            size_t max_count, esk_event_list *out,
                            int64_t *last, int *rows, const char *doing)
{
    esk_status status = esk__pg_connected(s, doing);
    if (status != ESK_OK)
        return status;
    PGresult *res = esk__pg_exec(s, which, n, params);
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "%s", doing);
    else
        status = take_rows(res, filter, max_count, out, last, doing);
    *rows = esk__pg_ok(res) ? PQntuples(res) : 0;
    PQclear(res);
    return status;
}

esk_status esk__pg_read_stream(esk_store *store, void *impl,
                               const char *stream_id, int64_t from_version,
                               size_t max_count, bool backward,
                               esk_event_list *out)
{
    (void)store;
    pg_store *s = impl;
    if (backward && from_version == ESK_END)
        from_version = INT64_MAX;
    int_text from = int_param(from_version);
    int_text limit_buf;
    const char *params[3] = {stream_id, from.text,
                             limit_param(max_count, &limit_buf)};
    char doing[ESK_STREAM_ID_MAX + 32];
    snprintf(doing, sizeof doing, "reading stream '%s'", stream_id);
    int64_t last = 0;
    int rows = 0;
    esk_status status =
        read_once(s, backward ? PG_READ_BACKWARD : PG_READ_FORWARD, 3, params,
                  NULL, max_count, out, &last, &rows, doing);
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}

esk_status esk__pg_read_all(esk_store *store, void *impl,
                            int64_t after_position, size_t max_count,
                            const esk_filter *filter, esk_event_list *out)
{
    (void)store;
    pg_store *s = impl;
    bool by_category = filter->category != NULL;
    bool by_type = filter->type_count > 0;
    int which = by_category ? PG_READ_CATEGORY : PG_READ_ALL;
    size_t page = by_type && max_count > TYPE_FILTERED_PAGE ? TYPE_FILTERED_PAGE
                                                            : max_count;
    esk_status status = ESK_OK;
    int64_t after = after_position;
    for (;;) {
        int_text from = int_param(after);
        int_text limit_buf;
        const char *params[3] = {from.text, limit_param(page, &limit_buf),
                                 filter->category};
        int rows = 0;
        status = read_once(s, which, by_category ? 3 : 2, params,
                           by_category || by_type ? filter : NULL, max_count,
                           out, &after, &rows, "reading all events");
        /* A short page is the end of the feed. */
        if (status != ESK_OK || out->count >= max_count ||
            (size_t)rows < page || !by_type)
            break;
    }
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}

esk_status esk__pg_stream_version(esk_store *store, void *impl,
                                  const char *stream_id, int64_t *out_version)
{
    (void)store;
    pg_store *s = impl;
    esk_status status = esk__pg_connected(s, "reading a stream's version");
    if (status == ESK_OK)
        status = esk__pg_query_int(s, PG_STREAM_VERSION, stream_id, out_version,
                                   "reading a stream's version");
    return status;
}

esk_status esk__pg_head_position(esk_store *store, void *impl,
                                 int64_t *out_position)
{
    (void)store;
    pg_store *s = impl;
    esk_status status = esk__pg_connected(s, "reading the head position");
    if (status == ESK_OK)
        status = esk__pg_query_int(s, PG_HEAD, NULL, out_position,
                                   "reading the head position");
    return status;
}

/* --- Reads by query ------------------------------------------------------ */

/* The SQL of a query and its parameters: $1 and $2 bound the positions,
 * $3 is the LIMIT, each name follows in the order written. */
typedef struct query_sql {
    char *text;
    size_t len;
    size_t size;
    const char **params;
    int count;
} query_sql;

static void put(query_sql *q, const char *text)
{
    size_t n = strlen(text);
    if (q->len + n < q->size) {
        memcpy(q->text + q->len, text, n + 1);
        q->len += n;
    }
}

/* Append "$n" for a new parameter holding name. */
static void put_param(query_sql *q, const char *name)
{
    char ref[16];
    q->params[q->count++] = name;
    snprintf(ref, sizeof ref, "$%d", q->count);
    put(q, ref);
}

static void put_types(query_sql *q, const esk_query_item *item)
{
    put(q, " IN (");
    for (size_t i = 0; i < item->type_count; i++) {
        if (i > 0)
            put(q, ", ");
        put_param(q, item->types[i]);
    }
    put(q, ")");
}

/* One item as a SELECT of positions: one with tags starts from the
 * (tag, position) index of its first tag and joins the others; one with
 * types alone searches (type, position). */
static void put_item(query_sql *q, const esk_query_item *item)
{
    if (item->tag_count == 0) {
        put(q, "SELECT position FROM events WHERE position > $1 AND "
               "position <= $2");
        if (item->type_count > 0) {
            put(q, " AND type");
            put_types(q, item);
        }
        return;
    }
    put(q, "SELECT t0.position FROM event_tags AS t0");
    for (size_t i = 1; i < item->tag_count; i++) {
        char join[160];
        snprintf(join, sizeof join,
                 " JOIN event_tags AS t%zu ON t%zu.position = t0.position "
                 "AND t%zu.tag = ",
                 i, i, i);
        put(q, join);
        put_param(q, item->tags[i]);
    }
    if (item->type_count > 0) {
        put(q, " JOIN events AS e ON e.position = t0.position AND e.type");
        put_types(q, item);
    }
    put(q, " WHERE t0.position > $1 AND t0.position <= $2 AND t0.tag = ");
    put_param(q, item->tags[0]);
}

static esk_status build_query(query_sql *q, const esk_query *query)
{
    size_t names = 0;
    for (size_t i = 0; i < query->item_count; i++)
        names += query->items[i].tag_count + query->items[i].type_count;
    q->size = 512 + query->item_count * 256 + names * 128;
    q->text = esk__malloc(q->size);
    q->params = esk__malloc((3 + names) * sizeof *q->params);
    q->len = 0;
    q->count = 3;
    if (q->text == NULL || q->params == NULL)
        return esk__fail(ESK_ENOMEM, "reading a query: out of memory");
    q->text[0] = '\0';
    put(q, "SELECT " PG_EVENT_SELECT " FROM events WHERE position IN (");
    for (size_t i = 0; i < query->item_count; i++) {
        if (i > 0)
            put(q, " UNION ");
        put_item(q, &query->items[i]);
    }
    put(q, ") ORDER BY position LIMIT $3");
    return ESK_OK;
}

esk_status esk__pg_read_query(esk_store *store, void *impl,
                              const esk_query *query, int64_t after_position,
                              int64_t up_to, size_t max_count,
                              esk_event_list *out)
{
    (void)store;
    pg_store *s = impl;
    query_sql q = {NULL, 0, 0, NULL, 0};
    esk_status status = esk__pg_connected(s, "reading a query");
    if (status == ESK_OK)
        status = build_query(&q, query);
    if (status == ESK_OK) {
        int_text after = int_param(after_position);
        int_text last = int_param(up_to);
        int_text limit_buf;
        q.params[0] = after.text;
        q.params[1] = last.text;
        q.params[2] = limit_param(max_count, &limit_buf);
        PGresult *res = esk__pg_exec_sql(s, q.text, q.count, q.params);
        int64_t ignored = 0;
        if (!esk__pg_ok(res))
            status = esk__pg_fail(s, res, "reading a query");
        else
            status = take_rows(res, NULL, max_count, out, &ignored,
                               "reading a query");
        PQclear(res);
    }
    esk__free(q.text);
    esk__free(q.params);
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}
