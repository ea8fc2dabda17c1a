/*
 * tests/store_sqlite_read_only.c - a store opened read-only (a viewer's):
 * it reads, refuses every write, creates and upgrades nothing, and leaves
 * the file's bytes as they were.
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

#include "esk/store.h"
#include "store_sqlite_fixture.h"

static esk_store_options read_only(void)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.read_only = true;
    return options;
}

/* A store file with two events and a checkpoint, closed again. */
static void write_store(const char *path)
{
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_NO_STREAM, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", 1, "T", "2"), ESK_OK);
    esk_record r = {.key = "p", .at = 1, .tag = 1, .value = "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                     ESK_OK);
    esk_store_free(store);
}

void a_read_only_store_reads_events_and_records(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    write_store(path);

    esk_store_options options = read_only();
    esk_store *store = open_store(path, &options);
    assert_true(head_of(store) == 2);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "s-1", 1, 0, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    esk_record r;
    char *owned = NULL;
    assert_int_equal(
        esk_store_get_record(store, ESK_RECORD_CHECKPOINT, "p", &r, &owned),
        ESK_OK);
    assert_true(r.at == 1);

    esk_free(owned);
    esk_event_list_release(&list);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

void a_read_only_store_refuses_every_write_and_leaves_the_file(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    write_store(path);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store_options options = read_only();
    esk_store *store = open_store(path, &options);
    assert_int_equal(append_one(store, "s-2", ESK_ANY, "T", "3"),
                     ESK_EREADONLY);
    assert_contains(esk_errmsg(), "read-only");
    esk_record r = {.key = "q", .at = 2, .tag = 1, .value = "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                     ESK_EREADONLY);
    assert_true(head_of(store) == 2);
    esk_store_free(store);
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

void a_read_only_open_of_a_missing_file_creates_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "missing.db");

    esk_store_options options = read_only();
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, &options), ESK_EIO);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_int_equal(access(path, F_OK), -1);

    temp_dir_remove(&dir);
}

void a_read_only_open_of_an_older_schema_says_to_upgrade_it(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "old.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TABLE events(position INTEGER PRIMARY KEY);"
                 "PRAGMA application_id = 1163086641;"
                 "PRAGMA user_version = 1;");
    sqlite3_close(db);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store_options options = read_only();
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, &options),
                     ESK_ESCHEMA);
    assert_null(store);
    assert_contains(esk_errmsg(), "older esk (schema 1");
    assert_contains(esk_errmsg(), "open it once for writing");
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}
