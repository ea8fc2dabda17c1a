/*
 * tests/store_sqlite_file.c - the file esk writes: readable JSON, events
 * kept across reopening, and the indexes a query read uses.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/store.h"
#include "store_sqlite_fixture.h"

/* ---- The file ---------------------------------------------------------- */

void stored_data_is_readable_json_text(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_time now = 1795783740123456; /* 2026-11-27 */
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = fixed_clock;
    options.clock_ctx = &now;
    esk_store *store = open_store(path, &options);
    const esk_new_event event = {NULL, "AttendeeRegistered", 2,
                                 "{\"name\":\"Ada\"}", "{\"by\":\"desk\"}"};
    assert_int_equal(
        esk_store_append(store, "workshop-42", ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);

    sqlite3 *db = raw_open(path);
    char text[128];
    raw_text(db, "SELECT data FROM events", text, sizeof text);
    assert_string_equal(text, "{\"name\":\"Ada\"}");
    raw_text(db, "SELECT metadata FROM events", text, sizeof text);
    assert_string_equal(text, "{\"by\":\"desk\"}");
    raw_text(db, "SELECT typeof(data) || ' ' || typeof(metadata) FROM events",
             text, sizeof text);
    assert_string_equal(text, "text text");
    raw_text(db,
             "SELECT stream_id || ' ' || version || ' ' || position || ' ' "
             "|| type || ' ' || schema_version FROM events",
             text, sizeof text);
    assert_string_equal(text, "workshop-42 1 1 AttendeeRegistered 2");

    /* recorded_at is a date a person can read, and reads back exactly. */
    char expected_time[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(now, expected_time), ESK_OK);
    raw_text(db, "SELECT recorded_at FROM events", text, sizeof text);
    assert_string_equal(text, expected_time);
    assert_memory_equal(text, "2026-11-27T", 11);
    sqlite3_close(db);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "workshop-42", 1, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 1);
    assert_true(list.events[0].recorded_at == now);

    esk_event_list_release(&list);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

void reopening_a_file_keeps_every_event(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "cart-1", ESK_NO_STREAM, "Opened", "1"),
                     ESK_OK);
    assert_int_equal(append_one(store, "cart-2", ESK_NO_STREAM, "Opened", "2"),
                     ESK_OK);
    assert_int_equal(append_one(store, "cart-1", 1, "Closed", "3"), ESK_OK);
    esk_event_list before = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &before), ESK_OK);
    esk_store_free(store);

    store = open_store(path, NULL);
    esk_event_list after = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &after), ESK_OK);
    assert_int_equal(after.count, 3);
    for (size_t i = 0; i < 3; i++) {
        const esk_event *a = &before.events[i], *b = &after.events[i];
        assert_string_equal(a->event_id, b->event_id);
        assert_string_equal(a->stream_id, b->stream_id);
        assert_string_equal(a->type, b->type);
        assert_string_equal(a->data, b->data);
        assert_true(a->version == b->version);
        assert_true(a->position == b->position);
        assert_true(a->recorded_at == b->recorded_at);
    }
    int64_t version = 0;
    assert_int_equal(esk_store_stream_version(store, "cart-1", &version),
                     ESK_OK);
    assert_true(version == 2);

    /* Positions and versions go on where they stopped. */
    esk_append_result result;
    const esk_new_event event = {NULL, "Reopened", 1, "4", NULL};
    assert_int_equal(esk_store_append(store, "cart-1", 2, &event, 1, &result),
                     ESK_OK);
    assert_true(result.version == 3);
    assert_true(result.position == 4);

    esk_event_list_release(&before);
    esk_event_list_release(&after);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

void a_batch_sent_again_after_reopening_writes_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    const esk_new_event batch[] = {
        {"order-7-placed", "Placed", 1, "{}", NULL},
        {"order-7-paid", "Paid", 1, "{}", NULL},
    };
    esk_append_result first, again;
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "other", ESK_ANY, "Noise", "0"), ESK_OK);
    assert_int_equal(
        esk_store_append(store, "order-7", ESK_NO_STREAM, batch, 2, &first),
        ESK_OK);
    esk_store_free(store);

    store = open_store(path, NULL);
    assert_int_equal(
        esk_store_append(store, "order-7", ESK_NO_STREAM, batch, 2, &again),
        ESK_OK);
    assert_true(again.version == first.version);
    assert_true(again.position == first.position);
    assert_true(head_of(store) == 3);

    /* A batch that reuses a stored id after a new one fails on the
     * insert itself, and rolls back the event already inserted. */
    const esk_new_event overlapping[] = {
        {"order-7-shipped", "Shipped", 1, "{}", NULL},
        {"order-7-paid", "Paid", 1, "{}", NULL},
    };
    assert_int_equal(
        esk_store_append(store, "order-7", ESK_ANY, overlapping, 2, NULL),
        ESK_EDUPLICATE);
    assert_contains(esk_errmsg(), "order-7-paid");
    assert_contains(esk_errmsg(), "stream 'order-7' at version 2");
    assert_true(head_of(store) == 3);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

void an_unreadable_recorded_at_fails_the_read_as_corrupt(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_OK);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "UPDATE events SET recorded_at = 'last Tuesday' "
                 "WHERE position = 2");
    sqlite3_close(db);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "s-1", 1, 0, &list),
                     ESK_ECORRUPT);
    assert_int_equal(list.count, 0);
    assert_contains(esk_errmsg(), "reading stream 's-1'");
    assert_contains(esk_errmsg(), "position 2");
    assert_contains(esk_errmsg(), "last Tuesday");

    esk_event_list_release(&list);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

/* The text of the last statement the connection ran that reads a query
 * (its SQL names event_tags AS t0), caught by a trace. */
typedef struct query_trace {
    char sql[2048];
} query_trace;

static int trace_query(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)x;
    query_trace *trace = ctx;
    const char *sql = sqlite3_sql(p);
    if (sql != NULL && strstr(sql, "FROM events WHERE position IN (") != NULL)
        snprintf(trace->sql, sizeof trace->sql, "%s", sql);
    return 0;
}

/* EXPLAIN QUERY PLAN of sql, every step's detail joined by " | ". */
static void query_plan(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    char explain[2200];
    snprintf(explain, sizeof explain, "EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &stmt, NULL),
                     SQLITE_OK);
    size_t used = 0;
    buf[0] = '\0';
    while (sqlite3_step(stmt) == SQLITE_ROW && used < size)
        used += (size_t)snprintf(buf + used, size - used, "%s | ",
                                 (const char *)sqlite3_column_text(stmt, 3));
    sqlite3_finalize(stmt);
}

void a_query_read_searches_the_tag_and_type_indexes(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    query_trace trace = {""};
    sqlite3 *db = esk_store_sqlite_db(store);
    assert_int_equal(
        sqlite3_trace_v2(db, SQLITE_TRACE_STMT, trace_query, &trace),
        SQLITE_OK);
    const char *const bob_w1[] = {"attendee:bob", "workshop:w-1"};
    const char *const registered[] = {"Registered"};
    const char *const scheduled[] = {"Scheduled"};
    const esk_query_item items[] = {{registered, 1, bob_w1, 2},
                                    {scheduled, 1, NULL, 0}};
    const esk_query q = {items, 2};
    /* A read of an empty store asks the tables nothing. */
    const esk_tags tags = {bob_w1, 2};
    esk_new_event e = {NULL, "Registered", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append_if(store, "reg-1", ESK_ANY, &e, &tags, 1, NULL, NULL),
        ESK_OK);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_query(store, &q, 0, 0, &list, NULL),
                     ESK_OK);
    assert_int_equal(list.count, 1);
    assert_true(trace.sql[0] != '\0');
    char plan[2048];
    query_plan(db, trace.sql, plan, sizeof plan);
    /* Each item searches an index for its range of positions; no step
     * scans a table (SQLite says SCAN for that). */
    if (strstr(plan, "SEARCH t0 USING COVERING INDEX event_tags_by_tag "
                     "(tag=? AND position>? AND position<?)") == NULL ||
        strstr(plan, "SEARCH events USING COVERING INDEX events_by_type "
                     "(type=? AND position>? AND position<?)") == NULL ||
        strstr(plan, "SEARCH event_tags USING PRIMARY KEY (position=?)") ==
            NULL ||
        strstr(plan, "SCAN") != NULL)
        fail_msg("the query plan does not use the indexes: %s", plan);
    sqlite3_trace_v2(db, 0, NULL, NULL);
    esk_event_list_release(&list);
    esk_store_free(store);
}
