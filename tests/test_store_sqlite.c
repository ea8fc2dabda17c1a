/*
 * tests/test_store_sqlite.c - what only the SQLite store does: the file
 * format, refusing files that are not ours, durability options, locking
 * and several processes writing to one file.
 *
 * The rules every backend obeys are in the conformance suite; these tests
 * look at the file itself, often through a plain sqlite3 connection.
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

/* The application_id that marks an esk event store ("ESK1"). */
#define ESK_APPLICATION_ID 0x45534B31

/* ---- Helpers ----------------------------------------------------------- */

/* A fresh folder under /tmp, removed with everything in it at the end. */
typedef struct temp_dir {
    char path[64];
} temp_dir;

static void temp_dir_make(temp_dir *dir)
{
    snprintf(dir->path, sizeof dir->path, "/tmp/esk-sqlite-XXXXXX");
    assert_non_null(mkdtemp(dir->path));
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *entry;
            while ((entry = readdir(d)) != NULL) {
                if (strcmp(entry->d_name, ".") == 0 ||
                    strcmp(entry->d_name, "..") == 0)
                    continue;
                char child[512];
                snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void temp_dir_remove(temp_dir *dir)
{
    remove_tree(dir->path);
}

/* buf = dir/name */
static void path_in(char *buf, size_t size, const temp_dir *dir,
                    const char *name)
{
    snprintf(buf, size, "%s/%s", dir->path, name);
}

static esk_store *open_store(const char *path, const esk_store_options *o)
{
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, o);
    if (rc != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

static esk_status append_one(esk_store *store, const char *stream_id,
                             int64_t expected, const char *type,
                             const char *data)
{
    const esk_new_event event = {NULL, type, 1, data, NULL};
    return esk_store_append(store, stream_id, expected, &event, 1, NULL);
}

static int64_t head_of(esk_store *store)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    return head;
}

/* A plain sqlite3 connection, to look at the file without esk. */
static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fail_msg("%s: %s", sql, message);
    }
}

/* The first column of the first row of sql, as an integer. */
static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* The first column of the first row of sql, copied into buf. */
static void raw_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    snprintf(buf, size, "%s", text != NULL ? (const char *)text : "(null)");
    sqlite3_finalize(stmt);
}

/* A whole file's bytes, to prove a refused file was left alone. The
 * caller frees *out. */
static size_t read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t capacity = 4096, size = 0;
    char *bytes = malloc(capacity);
    assert_non_null(bytes);
    size_t n;
    while ((n = fread(bytes + size, 1, capacity - size, f)) > 0) {
        size += n;
        if (size == capacity) {
            capacity *= 2;
            bytes = realloc(bytes, capacity);
            assert_non_null(bytes);
        }
    }
    fclose(f);
    *out = bytes;
    return size;
}

static void assert_file_unchanged(const char *path, const char *before,
                                  size_t before_size)
{
    char *after = NULL;
    size_t after_size = read_file(path, &after);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(after);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* A clock stuck at one instant, so recorded_at is known. */
static esk_time fixed_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

/* ---- The file ---------------------------------------------------------- */

static void stored_data_is_readable_json_text(void **state)
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

static void reopening_a_file_keeps_every_event(void **state)
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

static void a_batch_sent_again_after_reopening_writes_nothing(void **state)
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

static void an_unreadable_recorded_at_fails_the_read_as_corrupt(void **state)
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

/* ---- Files that are not ours ------------------------------------------ */

static void
a_database_of_another_application_is_refused_and_left_unchanged(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "accounts.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT);"
                 "INSERT INTO accounts(name) VALUES('Ada'), ('Grace');");
    sqlite3_close(db);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_null(store);
    assert_int_equal(esk_error_last()->status, ESK_ESCHEMA);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "not an esk event store");
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

static void
an_empty_database_stamped_by_another_application_is_refused(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "other.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "PRAGMA application_id = 42");
    sqlite3_close(db);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_contains(esk_errmsg(), "not an esk event store");
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA application_id") == 42);
    assert_true(raw_int(db, "SELECT count(*) FROM sqlite_master") == 0);
    sqlite3_close(db);

    temp_dir_remove(&dir);
}

static void a_store_of_a_newer_esk_is_refused_and_left_unchanged(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "newer esk");
    assert_contains(esk_errmsg(), "schema 99");
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

static void a_store_of_an_older_esk_is_upgraded_on_open(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* Schema version 0: marked as esk's, but without any table yet. */
    sqlite3 *db = raw_open(path);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", ESK_APPLICATION_ID);
    raw_exec(db, sql);
    sqlite3_close(db);

    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_NO_STREAM, "T", "1"), ESK_OK);
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA user_version") == 5);
    assert_true(raw_int(db, "SELECT count(*) FROM events") == 1);
    sqlite3_close(db);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

static void
a_first_schema_store_gains_the_record_tables_and_keeps_its_events(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* What the first released schema wrote: the events table only. */
    sqlite3 *db = raw_open(path);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", ESK_APPLICATION_ID);
    raw_exec(db, sql);
    raw_exec(db, "CREATE TABLE events(position INTEGER PRIMARY KEY, "
                 "event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, "
                 "version INTEGER NOT NULL, type TEXT NOT NULL, "
                 "schema_version INTEGER NOT NULL, data TEXT NOT NULL, "
                 "metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, "
                 "UNIQUE(stream_id, version))");
    raw_exec(db, "INSERT INTO events VALUES(1, 'e-1', 'workshop-1', 1, "
                 "'WorkshopScheduled', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z')");
    raw_exec(db, "PRAGMA user_version = 1");
    sqlite3_close(db);

    esk_store *store = open_store(path, NULL);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.events[0].type, "WorkshopScheduled");
    esk_record rec = {"catalogue", 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    esk_event_list_release(&list);
    esk_store_free(store);

    /* The record survives a reopen, and the schema is now the current one. */
    store = open_store(path, NULL);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(store, ESK_RECORD_CHECKPOINT,
                                          "catalogue", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 1);
    esk_free(owned);
    esk_store_free(store);
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA user_version") == 5);
    assert_true(raw_int(db, "SELECT count(*) FROM checkpoints") == 1);
    sqlite3_close(db);
    temp_dir_remove(&dir);
}

/* What schema 2 was, as esk wrote it before append boundaries were kept:
 * the events table and the three record tables. */
static void write_schema_2(sqlite3 *db)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id = %d", ESK_APPLICATION_ID);
    raw_exec(db, sql);
    raw_exec(db, "CREATE TABLE events(position INTEGER PRIMARY KEY, "
                 "event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, "
                 "version INTEGER NOT NULL, type TEXT NOT NULL, "
                 "schema_version INTEGER NOT NULL, data TEXT NOT NULL, "
                 "metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, "
                 "UNIQUE(stream_id, version));"
                 "CREATE TABLE checkpoints(name TEXT PRIMARY KEY, "
                 "position INTEGER NOT NULL, version INTEGER NOT NULL, "
                 "value TEXT NOT NULL, updated_at TEXT NOT NULL);"
                 "CREATE TABLE commands(command_id TEXT PRIMARY KEY, "
                 "position INTEGER NOT NULL, status INTEGER NOT NULL, "
                 "outcome TEXT NOT NULL, recorded_at TEXT NOT NULL);"
                 "CREATE TABLE snapshots(stream_id TEXT PRIMARY KEY, "
                 "version INTEGER NOT NULL, layout_version INTEGER NOT NULL, "
                 "state TEXT NOT NULL, recorded_at TEXT NOT NULL)");
    raw_exec(db, "PRAGMA user_version = 2");
}

static void
a_schema_2_store_keeps_append_boundaries_from_its_upgrade_on(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* Two appends of schema 2: [A, B], then [C], to stream s-1. */
    sqlite3 *db = raw_open(path);
    write_schema_2(db);
    raw_exec(db, "INSERT INTO events VALUES"
                 "(1, 'A', 's-1', 1, 'T', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z'),"
                 "(2, 'B', 's-1', 2, 'T', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z'),"
                 "(3, 'C', 's-1', 3, 'T', 1, '{}', '{}', "
                 "'2026-11-27T09:00:01.000000Z')");
    sqlite3_close(db);

    esk_store *store = open_store(path, NULL);
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA user_version") == 5);
    /* Events of schema 2 do not know where their append ended. */
    assert_true(raw_int(db, "SELECT count(*) FROM events "
                            "WHERE batch_start IS NULL") == 3);
    sqlite3_close(db);

    esk_new_event old[3] = {{"A", "T", 1, "{}", NULL},
                            {"B", "T", 1, "{}", NULL},
                            {"C", "T", 1, "{}", NULL}};
    esk_append_result r;
    assert_int_equal(esk_store_append(store, "s-1", ESK_NO_STREAM, old, 2, &r),
                     ESK_OK);
    assert_true(r.version == 2 && r.position == 2);
    /* Their content is compared all the same. */
    esk_new_event changed = {"A", "U", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(store, "s-1", ESK_NO_STREAM, &changed, 1, NULL),
        ESK_EDUPLICATE);
    assert_contains(esk_errmsg(), "another type");
    /* Their boundaries are not known: the two appends pass for one. */
    assert_int_equal(esk_store_append(store, "s-1", ESK_NO_STREAM, old, 3, &r),
                     ESK_OK);
    assert_true(r.version == 3 && r.position == 3);

    /* Appends made since the upgrade keep theirs: [D, E], then [F]. */
    esk_new_event fresh[3] = {{"D", "T", 1, "{}", NULL},
                              {"E", "T", 1, "{}", NULL},
                              {"F", "T", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(store, "s-1", 3, fresh, 2, NULL), ESK_OK);
    assert_int_equal(esk_store_append(store, "s-1", 5, fresh + 2, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(store, "s-1", 3, fresh, 3, NULL),
                     ESK_EDUPLICATE);
    assert_contains(esk_errmsg(), "batch of 2 events; this "
                                  "batch has 3");
    /* An old append does not reach into the ones made after the upgrade. */
    esk_new_event across[2] = {old[2], fresh[0]};
    assert_int_equal(esk_store_append(store, "s-1", 2, across, 2, NULL),
                     ESK_EDUPLICATE);
    assert_int_equal(esk_store_append(store, "s-1", 3, fresh, 2, &r), ESK_OK);
    assert_true(r.version == 5 && r.position == 5);
    assert_true(head_of(store) == 6);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

/* What schema 3 was: schema 2 and where each append begins. */
static void write_schema_3(sqlite3 *db)
{
    write_schema_2(db);
    raw_exec(db, "ALTER TABLE events ADD COLUMN batch_start INTEGER;"
                 "PRAGMA user_version = 3");
}

static void a_schema_3_store_gains_tags_and_keeps_its_events(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* One append of schema 3: [A, B] to stream reg-1. */
    sqlite3 *db = raw_open(path);
    write_schema_3(db);
    raw_exec(db, "INSERT INTO events VALUES"
                 "(1, 'A', 'reg-1', 1, 'Registered', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z', 1),"
                 "(2, 'B', 'reg-1', 2, 'Paid', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z', 1)");
    sqlite3_close(db);

    esk_store *store = open_store(path, NULL);
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA user_version") == 5);
    assert_true(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name "
                            "IN ('event_tags', 'event_tags_by_tag', "
                            "'events_by_type')") == 3);
    sqlite3_close(db);
    /* The old events read as untagged, and a retry of their append is
     * still one. */
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.events[0].tag_count, 0);
    esk_new_event old[2] = {{"A", "Registered", 1, "{}", NULL},
                            {"B", "Paid", 1, "{}", NULL}};
    esk_append_result r = {0, 0};
    assert_int_equal(
        esk_store_append(store, "reg-1", ESK_NO_STREAM, old, 2, &r), ESK_OK);
    assert_true(r.position == 2);
    /* A tagged append, found by a query on its tag and on the old type. */
    const char *const bob[] = {"attendee:bob"};
    const esk_tags tags = {bob, 1};
    esk_new_event e = {NULL, "Registered", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append_if(store, "reg-2", ESK_ANY, &e, &tags, 1, NULL, NULL),
        ESK_OK);
    const char *const registered[] = {"Registered"};
    const esk_query_item item = {registered, 1, NULL, 0};
    const esk_query q = {&item, 1};
    assert_int_equal(esk_store_read_query(store, &q, 0, 0, &list, NULL),
                     ESK_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.events[1].position, 3);
    assert_string_equal(list.events[1].tags[0], "attendee:bob");
    esk_event_list_release(&list);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

/* What schema 4 was: schema 3 with tags. */
static void write_schema_4(sqlite3 *db)
{
    write_schema_3(db);
    raw_exec(db, "CREATE TABLE event_tags(position INTEGER NOT NULL, "
                 "ord INTEGER NOT NULL, tag TEXT NOT NULL, "
                 "PRIMARY KEY(position, ord)) WITHOUT ROWID;"
                 "CREATE INDEX event_tags_by_tag ON event_tags(tag, position);"
                 "CREATE INDEX events_by_type ON events(type, position);"
                 "ALTER TABLE events ADD COLUMN tag_count INTEGER;"
                 "PRAGMA user_version = 4");
}

static void
a_schema_4_store_gains_closed_streams_and_keeps_its_events(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* One append of schema 4: [A, B] to stream workshop-1. */
    sqlite3 *db = raw_open(path);
    write_schema_4(db);
    raw_exec(db, "INSERT INTO events VALUES"
                 "(1, 'A', 'workshop-1', 1, 'Scheduled', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z', 1, NULL),"
                 "(2, 'B', 'workshop-1', 2, 'SeatBooked', 1, '{}', '{}', "
                 "'2026-11-27T09:00:00.000000Z', 1, NULL)");
    sqlite3_close(db);

    esk_store *store = open_store(path, NULL);
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA user_version") == 5);
    assert_true(raw_int(db, "SELECT count(*) FROM closed_streams") == 0);
    sqlite3_close(db);
    /* The old stream is open, and closes; the close outlives the handle. */
    bool closed = true;
    assert_int_equal(esk_store_stream_closed(store, "workshop-1", &closed),
                     ESK_OK);
    assert_false(closed);
    esk_new_event summary = {NULL, "PeriodClosed", 1, "{}", NULL};
    assert_int_equal(
        esk_store_close_stream(store, "workshop-1", 2, &summary, 1, NULL),
        ESK_OK);
    esk_store_free(store);

    store = open_store(path, NULL);
    assert_int_equal(esk_store_stream_closed(store, "workshop-1", &closed),
                     ESK_OK);
    assert_true(closed);
    assert_int_equal(append_one(store, "workshop-1", ESK_ANY, "Late", "1"),
                     ESK_ECLOSED);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.events[0].event_id, "A");
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

static void a_query_read_searches_the_tag_and_type_indexes(void **state)
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

static void a_text_file_is_refused_as_corrupt_and_left_unchanged(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "notes.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("These are my notes, not a database.\n", f);
    fclose(f);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ECORRUPT);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

static void a_directory_is_refused_with_its_path_in_the_message(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, dir.path, NULL), ESK_EIO);
    assert_null(store);
    assert_contains(esk_errmsg(), dir.path);

    temp_dir_remove(&dir);
}

static void a_missing_folder_is_refused_and_not_created(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char folder[128], path[160];
    path_in(folder, sizeof folder, &dir, "missing");
    snprintf(path, sizeof path, "%s/store.db", folder);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_EIO);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    struct stat st;
    assert_int_not_equal(stat(folder, &st), 0);

    temp_dir_remove(&dir);
}

/* The check of a_read_only_file_is_refused, run in a child process so that
 * it can give up root's right to write any file. Exit codes: 0 passed,
 * 77 could not drop privileges, other failed. */
enum { CHILD_PASSED = 0, CHILD_SKIPPED = 77, CHILD_FAILED = 1 };

static int open_read_only_in_child(const char *path)
{
    if (geteuid() == 0) {
        /* 65534 is "nobody" on Linux and macOS alike. */
        if (setgid(65534) != 0 || setuid(65534) != 0)
            return CHILD_SKIPPED;
    }
    if (access(path, W_OK) == 0)
        return CHILD_SKIPPED; /* this user can write it anyway */
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, NULL);
    if (rc != ESK_EREADONLY || store != NULL ||
        strstr(esk_errmsg(), path) == NULL) {
        fprintf(stderr, "read-only open gave %d: %s\n", (int)rc,
                rc == ESK_OK ? "" : esk_errmsg());
        esk_store_free(store);
        return CHILD_FAILED;
    }
    return CHILD_PASSED;
}

static void a_read_only_file_is_refused(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(chmod(path, 0444), 0);
    /* The unprivileged user must reach the file, not write the folder. */
    assert_int_equal(chmod(dir.path, 0555), 0);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(open_read_only_in_child(path));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    int code = WEXITSTATUS(status);

    temp_dir_remove(&dir);
    if (code == CHILD_SKIPPED) {
        print_message("cannot test: this user writes read-only files and "
                      "cannot become another user\n");
        skip();
    }
    assert_int_equal(code, CHILD_PASSED);
}

/* ---- Options ----------------------------------------------------------- */

static void full_durability_opens_and_appends(void **state)
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

static void a_file_store_runs_in_wal_mode(void **state)
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

static void memory_databases_are_private_to_their_handle(void **state)
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

static void a_category_is_the_part_before_the_first_dash(void **state)
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
static void a_sqlite_uri_is_refused_and_opens_nothing(void **state)
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
static void a_file_named_like_a_uri_opens_through_a_dot_slash_path(void **state)
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

/* ---- Sharing a file ---------------------------------------------------- */

static void two_handles_on_one_file_see_each_others_appends(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store *a = open_store(path, NULL);
    esk_store *b = open_store(path, NULL);
    assert_int_equal(append_one(a, "room-1", ESK_NO_STREAM, "Booked", "1"),
                     ESK_OK);
    int64_t version = 0;
    assert_int_equal(esk_store_stream_version(b, "room-1", &version), ESK_OK);
    assert_true(version == 1);
    assert_int_equal(append_one(b, "room-1", 1, "Cancelled", "2"), ESK_OK);

    /* a still believes the stream is at version 1. */
    assert_int_equal(append_one(a, "room-1", 1, "Cancelled", "3"),
                     ESK_ECONCURRENCY);
    assert_contains(esk_errmsg(), "is at version 2, expected 1");
    assert_true(head_of(a) == 2);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(a, "room-1", 1, 0, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.events[1].data, "2");

    esk_event_list_release(&list);
    esk_store_free(a);
    esk_store_free(b);
    temp_dir_remove(&dir);
}

static void a_held_write_lock_makes_append_busy_and_writes_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 50;
    esk_store *store = open_store(path, &options);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "BEGIN IMMEDIATE");

    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "1"),
                     ESK_EBUSY);
    assert_contains(esk_errmsg(), "desk-1");
    assert_contains(esk_errmsg(), "locked");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    /* Reads go on while another connection writes. */
    assert_true(head_of(store) == 0);

    raw_exec(db, "ROLLBACK");
    sqlite3_close(db);
    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "1"),
                     ESK_OK);
    assert_true(head_of(store) == 1);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

enum { WRITERS = 4, APPENDS_PER_WRITER = 200, SHARED_STREAMS = 5 };

/* One writer process: waits for the start signal (start_fd reaching end of
 * file), then makes APPENDS_PER_WRITER appends, each to a stream whose
 * version it has just read, retried when another writer got there first.
 * Writes the number of appends the store acknowledged to report_fd. */
static int writer_main(const char *path, int writer, int start_fd,
                       int report_fd)
{
    char go;
    if (read(start_fd, &go, 1) != 0)
        return 1;

    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK) {
        fprintf(stderr, "writer %d: %s\n", writer, esk_errmsg());
        return 1;
    }
    long acknowledged = 0;
    int code = 0;
    for (int i = 0; i < APPENDS_PER_WRITER && code == 0; i++) {
        /* Every writer walks the streams in the same order, so that they
         * meet on the same stream as often as possible. */
        char stream[32], data[64];
        snprintf(stream, sizeof stream, "counter-%d", i % SHARED_STREAMS);
        snprintf(data, sizeof data, "{\"writer\":%d,\"n\":%d}", writer, i);
        esk_status rc = ESK_ECONCURRENCY;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int64_t version = 0;
            rc = esk_store_stream_version(store, stream, &version);
            if (rc == ESK_OK)
                rc = append_one(store, stream, version, "Counted", data);
            if (rc != ESK_ECONCURRENCY && rc != ESK_EBUSY)
                break;
        }
        if (rc == ESK_OK) {
            acknowledged++;
        } else {
            fprintf(stderr, "writer %d: %s\n", writer, esk_errmsg());
            code = 1;
        }
    }
    esk_store_free(store);
    if (write(report_fd, &acknowledged, sizeof acknowledged) !=
        (ssize_t)sizeof acknowledged)
        code = 1;
    return code;
}

static void concurrent_writer_processes_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    int start[2], report[2];
    assert_int_equal(pipe(start), 0);
    assert_int_equal(pipe(report), 0);

    fflush(NULL);
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            close(start[1]);
            close(report[0]);
            _exit(writer_main(path, w, start[0], report[1]));
        }
    }
    /* Start them together: they race to create the file, then to write. */
    close(start[0]);
    close(start[1]);
    close(report[1]);
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    long acknowledged = 0, one;
    while (read(report[0], &one, sizeof one) == (ssize_t)sizeof one)
        acknowledged += one;
    close(report[0]);
    assert_int_equal(acknowledged, WRITERS * APPENDS_PER_WRITER);

    sqlite3 *db = raw_open(path);
    int64_t count = raw_int(db, "SELECT count(*) FROM events");
    assert_true(count == acknowledged);
    assert_true(raw_int(db, "SELECT count(DISTINCT event_id) FROM events") ==
                count);
    assert_true(raw_int(db, "SELECT min(position) FROM events") == 1);
    assert_true(raw_int(db, "SELECT max(position) FROM events") == count);
    /* Every stream holds versions 1..n: its count equals its top version
     * (UNIQUE(stream_id, version) rules out repeats). */
    assert_true(raw_int(db, "SELECT count(*) FROM (SELECT stream_id FROM "
                            "events GROUP BY stream_id HAVING min(version) "
                            "!= 1 OR max(version) != count(*))") == 0);
    assert_true(raw_int(db, "SELECT count(DISTINCT stream_id) FROM events") ==
                SHARED_STREAMS);
    char check[64];
    raw_text(db, "PRAGMA integrity_check", check, sizeof check);
    assert_string_equal(check, "ok");
    sqlite3_close(db);

    temp_dir_remove(&dir);
}

/* ---- Closing ---------------------------------------------------------- */

/* How many file descriptors this process has open. */
static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

static void closing_with_a_statement_open_leaks_no_file(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    int before = open_descriptors();
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                        "SELECT position FROM events", -1,
                                        &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);

    /* The statement keeps the connection until it is finalized, and no
     * longer. */
    esk_store_free(store);
    sqlite3_finalize(stmt);
    assert_int_equal(open_descriptors(), before);
    temp_dir_remove(&dir);
}

/* ---- What a failure says ---------------------------------------------
 *
 * SQLite reports a failure with an extended code; the store keeps its
 * status coarse but says which failure it was, in the user's terms, and
 * what to do about it.
 */

/* Append one event of about size bytes of data. */
static esk_status append_sized(esk_store *store, const char *stream_id,
                               size_t size)
{
    char *data = malloc(size + 3);
    assert_non_null(data);
    data[0] = '"';
    memset(data + 1, 'x', size);
    data[size + 1] = '"';
    data[size + 2] = '\0';
    esk_status rc = append_one(store, stream_id, ESK_ANY, "Big", data);
    free(data);
    return rc;
}

static void a_full_disk_is_named_as_such(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    /* The database may not grow: the same failure as a full disk. */
    sqlite3 *db = esk_store_sqlite_db(store);
    int64_t pages = raw_int(db, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)pages);
    raw_exec(db, sql);

    assert_int_equal(append_sized(store, "s-1", 64 * 1024), ESK_EIO);
    assert_contains(esk_errmsg(), "appending to stream 's-1'");
    assert_contains(esk_errmsg(), "the disk is full");
    assert_contains(esk_errmsg(), "free some space");
    assert_true(head_of(store) == 1);

    esk_store_free(store);
}

static void an_open_query_on_the_stores_connection_is_named_when_append_is_busy(
    void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 50;
    esk_store *store = open_store(path, &options);
    esk_store *other = open_store(path, &options);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_OK);

    /* A statement stepped but not finished holds its snapshot. */
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                        "SELECT position FROM events", -1,
                                        &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(append_one(other, "s-2", ESK_ANY, "T", "3"), ESK_OK);

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_EBUSY);
    const char *message = esk_errmsg();
    assert_contains(message, "appending to stream 's-1'");
    assert_contains(message, "older snapshot");
    assert_contains(message, "finish or reset");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_SNAPSHOT);
    /* No other connection held the lock for the busy timeout. */
    if (strstr(message, "more than") != NULL)
        fail_msg("\"%s\" blames the busy timeout", message);

    sqlite3_finalize(stmt);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_OK);
    esk_store_free(other);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

static void a_connection_made_read_only_is_named(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    raw_exec(esk_store_sqlite_db(store), "PRAGMA query_only = 1");

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"),
                     ESK_EREADONLY);
    assert_contains(esk_errmsg(), "cannot write");
    assert_contains(esk_errmsg(), "query_only");

    raw_exec(esk_store_sqlite_db(store), "PRAGMA query_only = 0");
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
}

static void a_trigger_that_refuses_an_event_is_named(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TRIGGER curfew BEFORE INSERT ON events "
                 "BEGIN SELECT RAISE(ABORT, 'closed for the night'); END");
    sqlite3_close(db);

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_EIO);
    assert_contains(esk_errmsg(), "a trigger");
    assert_contains(esk_errmsg(), "closed for the night");
    assert_true(head_of(store) == 0);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

static int interrupt_at_once(void *ctx)
{
    (void)ctx;
    return 1;
}

static void an_interrupted_operation_is_named(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    sqlite3_progress_handler(esk_store_sqlite_db(store), 1, interrupt_at_once,
                             NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_EIO);
    assert_contains(esk_errmsg(), "was interrupted");
    sqlite3_progress_handler(esk_store_sqlite_db(store), 0, NULL, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
}

/*
 * A disk that fails on demand: a VFS that hands every call to the default
 * one, except that while `disk_fault` is set, the write or the flush it
 * names fails with that I/O error, as on a failing disk.
 */
static int disk_fault;
static sqlite3_vfs *real_vfs;

typedef struct faulty_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this */
} faulty_file;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((faulty_file *)f)->real;
}

static int faulty_close(sqlite3_file *f)
{
    return real_of(f)->pMethods->xClose(real_of(f));
}
static int faulty_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 at)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, at);
}
static int faulty_write(sqlite3_file *f, const void *buf, int n,
                        sqlite3_int64 at)
{
    if (disk_fault == SQLITE_IOERR_WRITE)
        return SQLITE_IOERR_WRITE;
    return real_of(f)->pMethods->xWrite(real_of(f), buf, n, at);
}
static int faulty_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
static int faulty_sync(sqlite3_file *f, int flags)
{
    if (disk_fault == SQLITE_IOERR_FSYNC)
        return SQLITE_IOERR_FSYNC;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}
static int faulty_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
static int faulty_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}
static int faulty_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}
static int faulty_check_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
static int faulty_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
static int faulty_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}
static int faulty_device(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
static int faulty_shm_map(sqlite3_file *f, int region, int size, int extend,
                          void volatile **out)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
static int faulty_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
static void faulty_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}
static int faulty_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

/* Version 2: shared memory (WAL), no memory-mapped reads. */
static const sqlite3_io_methods faulty_methods = {
    2,
    faulty_close,
    faulty_read,
    faulty_write,
    faulty_truncate,
    faulty_sync,
    faulty_file_size,
    faulty_lock,
    faulty_unlock,
    faulty_check_reserved,
    faulty_file_control,
    faulty_sector_size,
    faulty_device,
    faulty_shm_map,
    faulty_shm_lock,
    faulty_shm_barrier,
    faulty_shm_unmap,
    NULL,
    NULL,
};

static int faulty_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                       int flags, int *out_flags)
{
    (void)vfs;
    faulty_file *file = (faulty_file *)f;
    file->real = (sqlite3_file *)(file + 1);
    int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
    file->base.pMethods = file->real->pMethods != NULL ? &faulty_methods : NULL;
    return rc;
}

static sqlite3_vfs faulty_vfs;

/* Make the failing disk the default, until faulty_disk_remove(): the
 * test's setup and teardown, so that a failed test removes it too. */
static int faulty_disk_install(void **state)
{
    (void)state;
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    faulty_vfs = *real_vfs;
    faulty_vfs.zName = "esk-test-faulty-disk";
    faulty_vfs.szOsFile = (int)sizeof(faulty_file) + real_vfs->szOsFile;
    faulty_vfs.xOpen = faulty_open;
    disk_fault = 0;
    return sqlite3_vfs_register(&faulty_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static int faulty_disk_remove(void **state)
{
    (void)state;
    disk_fault = 0;
    if (sqlite3_vfs_unregister(&faulty_vfs) != SQLITE_OK)
        return -1;
    return sqlite3_vfs_register(real_vfs, 1) == SQLITE_OK ? 0 : -1;
}

static void a_failed_write_or_flush_says_which(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* FULL flushes the log at every commit. */
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = ESK_DURABILITY_FULL;
    esk_store *store = open_store(path, &options);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);

    disk_fault = SQLITE_IOERR_WRITE;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_EIO);
    assert_contains(esk_errmsg(), "writing to the database file");
    assert_contains(esk_errmsg(), "check the disk");

    disk_fault = SQLITE_IOERR_FSYNC;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "3"), ESK_EIO);
    assert_contains(esk_errmsg(), "flushing");
    assert_contains(esk_errmsg(), "fsync");

    disk_fault = 0;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_OK);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

/* Route esk's allocations through cmocka's, so that every test also fails
 * if the store leaks a block. */
static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

int main(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_data_is_readable_json_text),
        cmocka_unit_test(reopening_a_file_keeps_every_event),
        cmocka_unit_test(a_batch_sent_again_after_reopening_writes_nothing),
        cmocka_unit_test(an_unreadable_recorded_at_fails_the_read_as_corrupt),
        cmocka_unit_test(
            a_database_of_another_application_is_refused_and_left_unchanged),
        cmocka_unit_test(
            an_empty_database_stamped_by_another_application_is_refused),
        cmocka_unit_test(a_store_of_a_newer_esk_is_refused_and_left_unchanged),
        cmocka_unit_test(a_store_of_an_older_esk_is_upgraded_on_open),
        cmocka_unit_test(
            a_first_schema_store_gains_the_record_tables_and_keeps_its_events),
        cmocka_unit_test(
            a_schema_2_store_keeps_append_boundaries_from_its_upgrade_on),
        cmocka_unit_test(a_schema_3_store_gains_tags_and_keeps_its_events),
        cmocka_unit_test(
            a_schema_4_store_gains_closed_streams_and_keeps_its_events),
        cmocka_unit_test(a_query_read_searches_the_tag_and_type_indexes),
        cmocka_unit_test(a_text_file_is_refused_as_corrupt_and_left_unchanged),
        cmocka_unit_test(a_directory_is_refused_with_its_path_in_the_message),
        cmocka_unit_test(a_missing_folder_is_refused_and_not_created),
        cmocka_unit_test(a_read_only_file_is_refused),
        cmocka_unit_test(full_durability_opens_and_appends),
        cmocka_unit_test(a_file_store_runs_in_wal_mode),
        cmocka_unit_test(memory_databases_are_private_to_their_handle),
        cmocka_unit_test(a_sqlite_uri_is_refused_and_opens_nothing),
        cmocka_unit_test(
            a_file_named_like_a_uri_opens_through_a_dot_slash_path),
        cmocka_unit_test(a_category_is_the_part_before_the_first_dash),
        cmocka_unit_test(two_handles_on_one_file_see_each_others_appends),
        cmocka_unit_test(closing_with_a_statement_open_leaks_no_file),
        cmocka_unit_test(a_full_disk_is_named_as_such),
        cmocka_unit_test(
            an_open_query_on_the_stores_connection_is_named_when_append_is_busy),
        cmocka_unit_test(a_connection_made_read_only_is_named),
        cmocka_unit_test(a_trigger_that_refuses_an_event_is_named),
        cmocka_unit_test(an_interrupted_operation_is_named),
        cmocka_unit_test_setup_teardown(a_failed_write_or_flush_says_which,
                                        faulty_disk_install,
                                        faulty_disk_remove),
        cmocka_unit_test(
            a_held_write_lock_makes_append_busy_and_writes_nothing),
        cmocka_unit_test(
            concurrent_writer_processes_lose_and_duplicate_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
