/*
 * tests/store_sqlite_options.c - durability, WAL mode, memory databases,
 * categories, and paths that look like SQLite URIs.
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

/* ---- Options ----------------------------------------------------------- */

void full_durability_opens_and_appends(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = ESK_DURABILITY_FULL;
    esk_store *store = open_store(path, &options);
    assert_int_equal(append_one(store, "s-1", ESK_NO_STREAM, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", 1, "T", "2"), ESK_OK);
    assert_true(head_of(store) == 2);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

void a_file_store_runs_in_wal_mode(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store *store = open_store(path, NULL);
    sqlite3 *db = raw_open(path);
    char mode[16];
    raw_text(db, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    sqlite3_close(db);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

void memory_databases_are_private_to_their_handle(void **state)
{
    (void)state;
    esk_store *a = open_store(":memory:", NULL);
    esk_store *b = open_store(":memory:", NULL);
    assert_string_equal(esk_store_backend_name(a), "sqlite");
    assert_int_equal(append_one(a, "s-1", ESK_NO_STREAM, "T", "1"), ESK_OK);
    assert_true(head_of(a) == 1);
    assert_true(head_of(b) == 0);
    esk_store_free(a);
    esk_store_free(b);
}

void a_category_is_the_part_before_the_first_dash(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    const char *streams[] = {"a", "a-1", "ab-1", "a-b-c", "b-a", "a_1", "A-1"};
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++)
        assert_int_equal(
            append_one(store, streams[i], ESK_ANY, i % 2 ? "Odd" : "Even", "0"),
            ESK_OK);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    esk_filter by_category = {"a", NULL, 0};
    assert_int_equal(esk_store_read_all(store, 0, 0, &by_category, &list),
                     ESK_OK);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.events[0].stream_id, "a");
    assert_string_equal(list.events[1].stream_id, "a-1");
    assert_string_equal(list.events[2].stream_id, "a-b-c");

    /* max_count counts the events that pass the filter. */
    const char *even[] = {"Even"};
    esk_filter by_type = {NULL, even, 1};
    assert_int_equal(esk_store_read_all(store, 0, 2, &by_type, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.events[0].stream_id, "a");
    assert_string_equal(list.events[1].stream_id, "ab-1");

    esk_event_list_release(&list);
    esk_store_free(store);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* SQLite reads a name that starts with "file:" as a URI when it is built
 * with URI support (Debian's is), and a URI's options can turn off
 * locking ("nolock=1") or share one database between handles. */
void a_sqlite_uri_is_refused_and_opens_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char target[128], uri[192];
    path_in(target, sizeof target, &dir, "x.db");
    const char *uris[] = {uri, "file::memory:?cache=shared",
                          "file:x.db?nolock=1", "file:"};
    snprintf(uri, sizeof uri, "file:%s?nolock=1", target);

    for (size_t i = 0; i < sizeof uris / sizeof uris[0]; i++) {
        esk_store *store = NULL;
        assert_int_equal(esk_store_open_sqlite(&store, uris[i], NULL),
                         ESK_EINVAL);
        assert_null(store);
        assert_contains(esk_errmsg(), uris[i]);
        assert_contains(esk_errmsg(), "URI");
        assert_contains(esk_errmsg(), "for a file of that name");
    }
    assert_false(file_exists(target));
    assert_false(file_exists("x.db"));
    assert_false(file_exists("file:x.db?nolock=1"));

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(NULL, uri, NULL), ESK_EINVAL);
    assert_int_equal(esk_store_open_sqlite(&store, uri, NULL), ESK_EINVAL);
    assert_null(store);
    temp_dir_remove(&dir);
}

/* What the refusal's message advises: "./" makes such a name a plain
 * relative path, and the file keeps SQLite's locking. */
void a_file_named_like_a_uri_opens_through_a_dot_slash_path(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir.path), 0);

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 0;
    esk_store *store = open_store("./file:x.db?nolock=1", &options);
    assert_true(file_exists("file:x.db?nolock=1"));
    assert_false(file_exists("x.db"));
    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "1"),
                     ESK_OK);

    sqlite3 *db = raw_open("./file:x.db?nolock=1");
    raw_exec(db, "BEGIN IMMEDIATE");
    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "2"),
                     ESK_EBUSY);
    raw_exec(db, "ROLLBACK");
    sqlite3_close(db);
    assert_true(head_of(store) == 1);

    esk_store_free(store);
    assert_int_equal(chdir(cwd), 0);
    temp_dir_remove(&dir);
}
