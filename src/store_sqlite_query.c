/*
 * src/store_sqlite_query.c - reads by query: the SQL for a query's items,
 * built for each call (a query has any shape), bound and read.
 *
 * How the indexes are used: each item is one SELECT of positions, and the
 * read takes the union of the items' positions, then the events at them
 * by their primary key:
 *   - an item with tags joins event_tags once per tag; SQLite searches
 *     event_tags_by_tag (tag, position) for the range of positions after
 *     the read's start, and the primary key (position, ord) for the other
 *     tags; its types, if any, are checked on the event's row;
 *   - an item with types alone searches events_by_type (type, position);
 *   - an item with neither reads the range of positions.
 * EXPLAIN QUERY PLAN of a query of three items (two tags and a type;
 * two types; nothing), as tests/test_store_sqlite.c checks it:
 *   SEARCH events USING INTEGER PRIMARY KEY (rowid=?)
 *   LIST SUBQUERY 4
 *     COMPOUND QUERY
 *       LEFT-MOST SUBQUERY
 *         SEARCH t0 USING COVERING INDEX event_tags_by_tag
 *             (tag=? AND position>? AND position<?)
 *         SEARCH e USING COVERING INDEX events_by_type
 *             (type=? AND position=? AND rowid>? AND rowid<?)
 *         SEARCH t1 USING COVERING INDEX event_tags_by_tag
 *             (tag=? AND position>? AND position<?)
 *       UNION USING TEMP B-TREE
 *         SEARCH events USING COVERING INDEX events_by_type
 *             (type=? AND position>? AND position<?)
 *       UNION USING TEMP B-TREE
 *         SEARCH events USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)
 *   CORRELATED SCALAR SUBQUERY 1
 *     SEARCH event_tags USING PRIMARY KEY (position=?)
 * No SCAN: the union comes out in position order, so the ORDER BY needs
 * no sort either.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* Parameters ?1 and ?2 bound the positions, ?3 is the LIMIT; each type
 * and tag of the query follows, numbered in the order appended. */
enum { PARAM_AFTER = 1, PARAM_UP_TO, PARAM_LIMIT, PARAM_FIRST_NAME };

/* " IN (?n, ?n+1...)" for an item's types. */
static void append_types(sqlite3_str *sql, const esk_query_item *item,
                         int *next)
{
    sqlite3_str_appendall(sql, " IN (");
    for (size_t i = 0; i < item->type_count; i++)
        sqlite3_str_appendf(sql, "%s?%d", i > 0 ? ", " : "", (*next)++);
    sqlite3_str_appendall(sql, ")");
}

static void append_item(sqlite3_str *sql, const esk_query_item *item, int *next)
{
    if (item->tag_count == 0) {
        sqlite3_str_appendall(sql, "SELECT position FROM events WHERE ");
        if (item->type_count > 0) {
            sqlite3_str_appendall(sql, "type");
            append_types(sql, item, next);
            sqlite3_str_appendall(sql, " AND ");
        }
        sqlite3_str_appendall(sql, "position > ?1 AND position <= ?2");
        return;
    }
    sqlite3_str_appendall(sql, "SELECT t0.position FROM event_tags AS t0");
    /* SQLite's printf reads %z as its own kind of string: ints only. */
    for (int i = 1; i < (int)item->tag_count; i++)
        sqlite3_str_appendf(sql,
                            " JOIN event_tags AS t%d ON t%d.position = "
                            "t0.position AND t%d.tag = ?%d",
                            i, i, i, (*next)++);
    if (item->type_count > 0) {
        sqlite3_str_appendall(
            sql, " JOIN events AS e ON e.position = t0.position AND e.type");
        append_types(sql, item, next);
    }
    sqlite3_str_appendf(sql,
                        " WHERE t0.tag = ?%d AND t0.position > ?1 AND "
                        "t0.position <= ?2",
                        (*next)++);
}

/* The whole statement; NULL when out of memory. Freed with sqlite3_free. */
static char *query_sql(const esk_query *query)
{
    sqlite3_str *sql = sqlite3_str_new(NULL);
    int next = PARAM_FIRST_NAME;
    sqlite3_str_appendall(sql, "SELECT " EVENT_SELECT
                               " FROM events WHERE position IN (");
    for (size_t i = 0; i < query->item_count; i++) {
        if (i > 0)
            sqlite3_str_appendall(sql, " UNION ");
        append_item(sql, &query->items[i], &next);
    }
    sqlite3_str_appendall(sql, ") ORDER BY position LIMIT ?3");
    return sqlite3_str_finish(sql);
}

/* Bind the names in the order append_item() numbered them. */
static int bind_item(sqlite3_stmt *stmt, const esk_query_item *item, int *next)
{
    int rc = SQLITE_OK;
    if (item->tag_count == 0) {
        for (size_t i = 0; i < item->type_count && rc == SQLITE_OK; i++)
            rc = esk__sqlite_bind_text(stmt, (*next)++, item->types[i]);
        return rc;
    }
    for (size_t i = 1; i < item->tag_count && rc == SQLITE_OK; i++)
        rc = esk__sqlite_bind_text(stmt, (*next)++, item->tags[i]);
    for (size_t i = 0; i < item->type_count && rc == SQLITE_OK; i++)
        rc = esk__sqlite_bind_text(stmt, (*next)++, item->types[i]);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, (*next)++, item->tags[0]);
    return rc;
}

static int bind_query(sqlite3_stmt *stmt, const esk_query *query,
                      int64_t after_position, int64_t up_to, size_t max_count)
{
    int64_t limit =
        (uint64_t)max_count > (uint64_t)INT64_MAX ? -1 : (int64_t)max_count;
    int rc = sqlite3_bind_int64(stmt, PARAM_AFTER, after_position);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, PARAM_UP_TO, up_to);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, PARAM_LIMIT, limit);
    int next = PARAM_FIRST_NAME;
    for (size_t i = 0; i < query->item_count && rc == SQLITE_OK; i++)
        rc = bind_item(stmt, &query->items[i], &next);
    return rc;
}

esk_status esk__sqlite_read_query(esk_store *store, void *impl,
                                  const esk_query *query,
                                  int64_t after_position, int64_t up_to,
                                  size_t max_count, esk_event_list *out)
{
    (void)store;
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    char *sql = query_sql(query);
    if (sql == NULL)
        return esk__sqlite_fail(s, SQLITE_NOMEM, "reading a query");
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
    sqlite3_free(sql);
    if (rc == SQLITE_OK)
        rc = bind_query(stmt, query, after_position, up_to, max_count);
    if (rc != SQLITE_OK) {
        esk_status status = esk__sqlite_fail(s, rc, "reading a query");
        sqlite3_finalize(stmt);
        return status;
    }
    esk_status status =
        esk__sqlite_read_rows(s, stmt, max_count, out, "a query");
    sqlite3_finalize(stmt);
    return status;
}
