/*
 * tests/store_sqlite_upgrades.c - a store of an older esk, upgraded on
 * open, keeps its events and gains what the newer schema has.
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

void a_store_of_an_older_esk_is_upgraded_on_open(void **state)
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

void a_first_schema_store_gains_the_record_tables_and_keeps_its_events(
    void **state)
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

void a_schema_2_store_keeps_append_boundaries_from_its_upgrade_on(void **state)
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

void a_schema_3_store_gains_tags_and_keeps_its_events(void **state)
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

void a_schema_4_store_gains_closed_streams_and_keeps_its_events(void **state)
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
