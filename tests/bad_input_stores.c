/*
 * tests/bad_input_stores.c - stores that are not what they seem: a
 * backend without tags, a database with an events table of its own, and a
 * file locked by another process.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
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

#include "bad_input_fixture.h"
#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/store.h"
#include "esk/store_backend.h"
#include "esk/upcast.h"

/* A backend of one's own that keeps no tags (read_query NULL): every
 * operation but close fails the test if the front calls it. */
static esk_status not_called(void)
{
    fail_msg("the front called the backend for a request it must refuse");
    return ESK_EIO;
}
static esk_status stub_append(esk_store *s, void *impl, esk_append_request *r)
{
    (void)s, (void)impl, (void)r;
    return not_called();
}
static esk_status stub_read_stream(esk_store *s, void *impl, const char *id,
                                   int64_t from, size_t max, bool backward,
                                   esk_event_list *out)
{
    (void)s, (void)impl, (void)id, (void)from, (void)max, (void)backward;
    (void)out;
    return not_called();
}
static esk_status stub_read_all(esk_store *s, void *impl, int64_t after,
                                size_t max, const esk_filter *f,
                                esk_event_list *out)
{
    (void)s, (void)impl, (void)after, (void)max, (void)f, (void)out;
    return not_called();
}
static esk_status stub_version(esk_store *s, void *impl, const char *id,
                               int64_t *out)
{
    (void)s, (void)impl, (void)id, (void)out;
    return not_called();
}
static esk_status stub_head(esk_store *s, void *impl, int64_t *out)
{
    (void)s, (void)impl, (void)out;
    return not_called();
}
static esk_status stub_tx(esk_store *s, void *impl, int depth)
{
    (void)s, (void)impl, (void)depth;
    return not_called();
}
static esk_status stub_put(esk_store *s, void *impl, esk_record_kind kind,
                           const esk_record *record)
{
    (void)s, (void)impl, (void)kind, (void)record;
    return not_called();
}
static esk_status stub_get(esk_store *s, void *impl, esk_record_kind kind,
                           const char *key, esk_record *out, char **owned)
{
    (void)s, (void)impl, (void)kind, (void)key, (void)out, (void)owned;
    return not_called();
}
static void stub_close(void *impl)
{
    (void)impl;
}

void a_backend_without_tags_refuses_tags_conditions_and_queries(void **state)
{
    (void)state;
    static const esk_store_backend tagless = {
        .name = "tagless",
        .append = stub_append,
        .read_stream = stub_read_stream,
        .read_all = stub_read_all,
        .stream_version = stub_version,
        .head_position = stub_head,
        .begin = stub_tx,
        .commit = stub_tx,
        .rollback = stub_tx,
        .put_record = stub_put,
        .get_record = stub_get,
        .close = stub_close,
    };
    esk_store *store = NULL;
    assert_int_equal(esk_store_new(&store, &tagless, NULL, NULL), ESK_OK);
    const char *const tag[] = {"attendee:bob"};
    const esk_tags tags = {tag, 1};
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    const esk_query_item item = {NULL, 0, tag, 1};
    const esk_append_condition condition = {{&item, 1}, 0};
    assert_int_equal(
        esk_store_append_if(store, "s-1", ESK_ANY, &e, &tags, 1, NULL, NULL),
        ESK_ENOTIMPL);
    assert_contains(esk_errmsg(), "'tagless' store keeps no tags");
    assert_int_equal(esk_store_append_if(store, "s-1", ESK_ANY, &e, NULL, 1,
                                         &condition, NULL),
                     ESK_ENOTIMPL);
    assert_contains(esk_errmsg(), "append condition");
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(
        esk_store_read_query(store, &condition.query, 0, 0, &list, NULL),
        ESK_ENOTIMPL);
    assert_contains(esk_errmsg(), "read by query");
    esk_event_list_release(&list);
    esk_store_free(store);
}

void a_backend_that_cannot_close_refuses_the_close_and_reads_open(void **state)
{
    (void)state;
    static const esk_store_backend unclosable = {
        .name = "unclosable",
        .append = stub_append,
        .read_stream = stub_read_stream,
        .read_all = stub_read_all,
        .stream_version = stub_version,
        .head_position = stub_head,
        .begin = stub_tx,
        .commit = stub_tx,
        .rollback = stub_tx,
        .put_record = stub_put,
        .get_record = stub_get,
        .close = stub_close,
    };
    esk_store *store = NULL;
    assert_int_equal(esk_store_new(&store, &unclosable, NULL, NULL), ESK_OK);
    const esk_new_event e = {NULL, "PeriodClosed", 1, "{}", NULL};
    assert_int_equal(esk_store_close_stream(store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_ENOTIMPL);
    assert_contains(esk_errmsg(), "'unclosable' store cannot close streams");
    bool closed = true;
    assert_int_equal(esk_store_stream_closed(store, "s-1", &closed), ESK_OK);
    assert_false(closed);
    esk_store_free(store);
}

void a_database_with_an_events_table_of_its_own_is_not_taken_for_a_store(
    void **state)
{
    (void)state;
    char path[128];
    path_in(path, sizeof(path), "calendar.db");
    remove_store_files(path);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE TABLE events(id INTEGER PRIMARY KEY, title TEXT, "
                     "starts_at TEXT);"
                     "INSERT INTO events(title) VALUES('Standup');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    esk_store *store = NULL;
    esk_store_options o = options();
    assert_int_equal(esk_store_open_sqlite(&store, path, &o), ESK_ESCHEMA);
    assert_null(store);
    assert_contains(esk_errmsg(), "not an esk event store");
    assert_contains(esk_errmsg(), "another application's database");

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT title FROM events", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "Standup");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    remove_store_files(path);
}

/* ---- A lock held by another process --------------------------------------
 *
 * store_sqlite_sharing.c holds the lock from another connection of the same
 * process; here it is another process, and every kind of write is tried.
 */
void a_lock_held_by_another_process_is_busy_and_loses_nothing(void **state)
{
    (void)state;
    char path[128];
    path_in(path, sizeof(path), "locked.db");
    remove_store_files(path);
    esk_store_options o = options();
    o.busy_timeout_ms = 100;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, &o), ESK_OK);
    assert_int_equal(append1(store, "desk-1", NULL, "Taken", "1"), ESK_OK);

    int locked[2], release[2];
    assert_int_equal(pipe(locked), 0);
    assert_int_equal(pipe(release), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The other process: take the write lock, say so, hold it until
         * told (or until the parent is gone). */
        close(locked[0]);
        close(release[1]);
        sqlite3 *db = NULL;
        char go = 0;
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
                SQLITE_OK ||
            write(locked[1], "L", 1) != 1)
            _exit(1);
        if (read(release[0], &go, 1) < 0)
            _exit(1);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(db);
        _exit(0);
    }
    close(locked[1]);
    close(release[0]);
    char got = 0;
    assert_int_equal(read(locked[0], &got, 1), 1);

    assert_int_equal(append1(store, "desk-1", NULL, "Taken", "2"), ESK_EBUSY);
    assert_contains(esk_errmsg(), "appending to stream 'desk-1'");
    assert_contains(esk_errmsg(), "locked");
    assert_contains(esk_errmsg(), "more than 100 ms");
    assert_int_equal(esk_store_begin(store), ESK_EBUSY);
    assert_contains(esk_errmsg(), "beginning a transaction");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    esk_record r = {"catalogue", 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                     ESK_EBUSY);
    assert_contains(esk_errmsg(), "writing 'catalogue'");
    /* Reads go on: WAL readers do not wait for the writer. */
    assert_int_equal(head_of(store), 1);

    assert_int_equal(write(release[1], "R", 1), 1);
    close(release[1]);
    close(locked[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Nothing was lost, nothing half-written, and writing works again. */
    assert_int_equal(head_of(store), 1);
    assert_int_equal(append1(store, "desk-1", NULL, "Taken", "2"), ESK_OK);
    assert_int_equal(head_of(store), 2);
    esk_store_free(store);
    remove_store_files(path);
}
