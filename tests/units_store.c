/*
 * tests/units_store.c - the store's own units, doomed by a full disk or
 * by a read model's ON CONFLICT ROLLBACK in an inline handler.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "units_fixture.h"

/* ---- The store's own units --------------------------------------------- */

void a_full_disk_dooms_the_callers_whole_transaction(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    limit_growth(store, 2);
    esk_status rc = append_data(store, "b", big);
    assert_int_equal(rc, ESK_EIO);
    char cause[512];
    snprintf(cause, sizeof cause, "%s", esk_errmsg());
    assert_contains(cause, "full");
    /* The caller's unit is lost, not just this append: redo it all. */
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);

    /* Whatever SQLite did, nothing more may be written in this unit. */
    rc = append_small(store, "c");
    assert_int_equal(rc, ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    rc = esk_store_commit(store);
    assert_int_equal(rc, ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    /* The store works again, and the file holds nothing of the unit. */
    lift_limit(store);
    assert_int_equal(append_small(store, "d"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

void a_doomed_nested_unit_fails_every_call_until_the_outer_rollback(
    void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "b"), ESK_OK);
    limit_growth(store, 2);
    assert_int_equal(append_data(store, "b", big), ESK_EIO);
    lift_limit(store);

    /* The room is back, but the unit is still doomed: SQLite may have
     * undone "a" already, so nothing after may pretend it is there. */
    assert_int_equal(esk_store_begin(store), ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(append_small(store, "c"), ESK_EIO);
    const esk_record record = {"cp", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &record), ESK_EIO);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_EIO);
    /* The inner rollback closes its unit but says the outer one failed. */
    assert_int_equal(esk_store_rollback(store), ESK_EIO);
    assert_int_equal(esk_store_transaction_depth(store), 1);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    assert_int_equal(append_small(store, "e"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

static esk_status append_tagged(esk_store *store, const char *stream,
                                const char *data,
                                const esk_append_condition *condition)
{
    static const char *const tags[] = {"customer:1", "order:7"};
    const esk_tags t = {tags, 2};
    const esk_new_event event = {NULL, "Noted", 1, data, NULL};
    return esk_store_append_if(store, stream, ESK_ANY, &event, &t, 1, condition,
                               NULL);
}

void a_doomed_unit_refuses_conditional_appends_and_query_reads(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);
    static const char *const customer[] = {"customer:1"};
    const esk_query_item item = {NULL, 0, customer, 1};
    const esk_append_condition condition = {{&item, 1}, 0};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_tagged(store, "a", "{}", &condition), ESK_OK);
    limit_growth(store, 2);
    assert_int_equal(append_tagged(store, "b", big, NULL), ESK_EIO);
    lift_limit(store);

    /* The condition would see "a", which SQLite may have undone: the
     * unit fails with the first cause instead of answering. */
    const esk_append_condition after_a = {{&item, 1}, 1};
    assert_int_equal(append_tagged(store, "c", "{}", &after_a), ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(
        esk_store_read_query(store, &condition.query, 0, 0, &list, NULL),
        ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_rollback(store), ESK_OK);

    /* Nothing of the unit is left, tags included. */
    assert_int_equal(
        esk_store_read_query(store, &condition.query, 0, 0, &list, NULL),
        ESK_OK);
    assert_int_equal(list.count, 0);
    assert_int_equal(sql_number(store, "SELECT count(*) FROM event_tags"), 0);
    assert_int_equal(append_tagged(store, "d", "{}", &condition), ESK_OK);
    esk_event_list_release(&list);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

/* An inline handler that writes a row whose key must be unique, with
 * ON CONFLICT ROLLBACK: a second event of the same key ends the
 * transaction. It may also ignore what SQLite said, as careless code
 * does. */
typedef struct keyed_handler {
    bool ignore_errors;
    int calls;
} keyed_handler;

static esk_status keyed_inline(void *ctx, esk_store *store,
                               const esk_event *events, size_t count)
{
    keyed_handler *h = ctx;
    for (size_t i = 0; i < count; i++) {
        h->calls++;
        sqlite3_stmt *stmt = NULL;
        sqlite3 *db = esk_store_sqlite_db(store);
        int rc = sqlite3_prepare_v2(db, "INSERT INTO keyed VALUES(?1)", -1,
                                    &stmt, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(stmt, 1, events[i].stream_id, -1, SQLITE_STATIC);
            rc = sqlite3_step(stmt);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE && !h->ignore_errors)
            return ESK_EIO;
    }
    return ESK_OK;
}

static void on_conflict_rollback_in_a_handler(bool ignore_errors)
{
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    exec_sql(store, "CREATE TABLE keyed(k TEXT UNIQUE ON CONFLICT ROLLBACK)");
    keyed_handler h = {ignore_errors, 0};
    assert_int_equal(esk_store_add_inline(store, keyed_inline, &h), ESK_OK);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    assert_int_equal(append_small(store, "b"), ESK_OK);
    /* "a" again: the handler's insert ends the whole transaction. */
    assert_int_not_equal(append_small(store, "a"), ESK_OK);
    assert_contains(esk_errmsg(), "rolled back");
    assert_int_not_equal(append_small(store, "c"), ESK_OK);
    assert_int_not_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    assert_int_equal(sql_number(store, "SELECT count(*) FROM keyed"), 0);
    esk_store_free(store);
    assert_int_equal(events_in(path), 0);
}

void a_handler_rollback_dooms_the_unit_it_reports(void **state)
{
    (void)state;
    on_conflict_rollback_in_a_handler(false);
}

void a_handler_rollback_dooms_the_unit_it_hides(void **state)
{
    (void)state;
    on_conflict_rollback_in_a_handler(true);
}

void an_append_of_its_own_unit_fails_whole_on_a_full_disk(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    limit_growth(store, 2);
    const esk_new_event batch[] = {
        {NULL, "Noted", 1, "{}", NULL},
        {NULL, "Noted", 1, big, NULL},
    };
    assert_int_equal(esk_store_append(store, "b", ESK_ANY, batch, 2, NULL),
                     ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    /* Its own unit only: no transaction of the caller's was lost. */
    assert_int_equal(esk_error_last()->ext, ESK_EXT_DISK_FULL);
    assert_int_equal(esk_store_transaction_depth(store), 0);
    lift_limit(store);
    assert_int_equal(append_small(store, "c"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 2);
    free(big);
}
