/*
 * tests/bad_input_damaged_files.c - a store file damaged on disk, and
 * rows or tags esk cannot have written: corrupt or harmless, never wrong.
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

/* ---- Damaged files ------------------------------------------------------
 *
 * SQLite checks the structure of what it reads: the file header, each
 * page's header, cell pointers and sizes. It keeps no checksum of the
 * values themselves, so a byte changed inside a value is read back changed
 * and no reader can tell. What esk guarantees:
 *   - damage that SQLite notices is ESK_ECORRUPT, at open or at the read
 *     that meets it, with a message naming the file or the read, and the
 *     read returns no events;
 *   - an event whose envelope is damaged (its id, stream, type, version,
 *     position or schema version is not one esk could have written) is
 *     ESK_ECORRUPT too, not an event;
 *   - never a crash.
 * Not detected, because nothing short of a full check can see it:
 *   - a payload (data, metadata) damaged inside its value reads back
 *     damaged;
 *   - damage inside an index page that leaves the page well-formed can
 *     hide a stream: it then reads as empty, at version 0.
 * `PRAGMA integrity_check` finds both; run it on a file that went
 * through a disk or file-system failure, and keep backups.
 */

enum { STORED = 300, STREAMS = 7, PAGE = 4096 };

static void event_id_of(int i, char *buf, size_t size)
{
    snprintf(buf, size, "e-%05d", i);
}

/* A store file of STORED events over STREAMS streams, every byte of it the
 * same from run to run (given ids, a fixed clock). */
static void make_store_file(const char *path)
{
    remove_store_files(path);
    esk_store *store = open_sqlite(path);
    for (int i = 0; i < STORED; i++) {
        char id[16], stream[16], data[128];
        event_id_of(i, id, sizeof(id));
        snprintf(stream, sizeof(stream), "s-%d", i % STREAMS);
        snprintf(data, sizeof(data), "{\"n\":%d,\"pad\":\"%080d\"}", i, i);
        assert_int_equal(append1(store, stream, id, "T", data), ESK_OK);
    }
    esk_store_free(store);
    /* The last connection closed: everything is in the file itself. */
    char wal[160];
    snprintf(wal, sizeof(wal), "%s-wal", path);
    struct stat st;
    assert_true(stat(wal, &st) != 0 || st.st_size == 0);
}

static void overwrite(const char *path, long at, size_t len, int byte)
{
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    char junk[512];
    assert_true(len <= sizeof(junk));
    memset(junk, byte, len);
    assert_int_equal(pwrite(fd, junk, len, (off_t)at), (ssize_t)len);
    close(fd);
}

/* Whether an event read back is, in its envelope, the event written at
 * its position. */
static bool envelope_is_original(const esk_event *e)
{
    if (e->position < 1 || e->position > STORED)
        return false;
    int i = (int)e->position - 1;
    char id[16], stream[16];
    event_id_of(i, id, sizeof(id));
    snprintf(stream, sizeof(stream), "s-%d", i % STREAMS);
    return strcmp(e->event_id, id) == 0 && strcmp(e->stream_id, stream) == 0 &&
           e->version == i / STREAMS + 1 && strcmp(e->type, "T") == 0 &&
           e->schema_version == 1;
}

/* Every read of the damaged file: ESK_OK with original envelopes, or
 * ESK_ECORRUPT with a message and no events. Returns how many reads were
 * refused as corrupt. */
static int read_everything(esk_store *store)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int refused = 0;
    for (int r = 0; r <= 2 * STREAMS; r++) {
        char stream[16];
        snprintf(stream, sizeof(stream), "s-%d", r % STREAMS);
        esk_status rc;
        if (r == 0)
            rc = esk_store_read_all(store, 0, 0, NULL, &list);
        else if (r <= STREAMS)
            rc = esk_store_read_stream(store, stream, 1, 0, &list);
        else
            rc = esk_store_read_stream_backward(store, stream, ESK_END, 0,
                                                &list);
        if (rc == ESK_ECORRUPT) {
            assert_int_equal(list.count, 0);
            assert_contains(esk_errmsg(), "reading ");
            refused++;
            continue;
        }
        if (rc != ESK_OK)
            fail_msg("a read of a damaged file gave %s: %s", esk_status_str(rc),
                     esk_errmsg());
        for (size_t i = 0; i < list.count; i++)
            if (!envelope_is_original(&list.events[i]))
                fail_msg("a damaged event was read as one: %lld '%s' '%s' "
                         "v%lld",
                         (long long)list.events[i].position,
                         list.events[i].event_id, list.events[i].stream_id,
                         (long long)list.events[i].version);
    }
    esk_event_list_release(&list);
    return refused;
}

void a_damaged_page_is_reported_as_corrupt_not_read(void **state)
{
    (void)state;
    char path[128];
    path_in(path, sizeof(path), "damaged.db");
    make_store_file(path);
    /* Page 2 is the root of the events table: its header and cell
     * pointers no longer make sense. */
    overwrite(path, PAGE, 104, 0xA5);

    esk_store *store = open_sqlite(path);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list),
                     ESK_ECORRUPT);
    assert_int_equal(list.count, 0);
    assert_contains(esk_errmsg(), "reading all events");
    assert_contains(esk_errmsg(), "malformed");
    assert_int_equal(esk_store_read_stream(store, "s-1", 1, 0, &list),
                     ESK_ECORRUPT);
    assert_contains(esk_errmsg(), "reading stream 's-1'");
    assert_true(read_everything(store) > 0);

    esk_event_list_release(&list);
    esk_store_free(store);
    remove_store_files(path);
}

void a_damaged_header_is_refused_at_open_and_left_alone(void **state)
{
    (void)state;
    char path[128];
    path_in(path, sizeof(path), "header.db");
    make_store_file(path);
    /* "SQLite format 3\0", the first 16 bytes, and the page size. */
    overwrite(path, 0, 18, 0);
    size_t size_before = 0;
    char *before = read_whole(path, &size_before);

    esk_store *store = NULL;
    esk_store_options o = options();
    assert_int_equal(esk_store_open_sqlite(&store, path, &o), ESK_ECORRUPT);
    assert_null(store);
    assert_int_equal(esk_error_last()->status, ESK_ECORRUPT);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "not a database");

    /* Refusing it wrote nothing: a repair tool still finds every byte. */
    size_t size_after = 0;
    char *after = read_whole(path, &size_after);
    assert_int_equal(size_after, size_before);
    assert_memory_equal(after, before, size_before);
    free(before);
    free(after);

    /* The schema format number (bytes 44 to 47) of a format SQLite does
     * not know: damaged, for all esk can tell. */
    make_store_file(path);
    overwrite(path, 44, 4, 0xA5);
    assert_int_equal(esk_store_open_sqlite(&store, path, &o), ESK_ECORRUPT);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "unsupported file format");
    remove_store_files(path);
}

void a_truncated_file_is_reported_as_corrupt(void **state)
{
    (void)state;
    char path[128];
    path_in(path, sizeof(path), "truncated.db");
    make_store_file(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);

    /* The header still promises the whole file: SQLite notices at open,
     * or else at the first read of a missing page. */
    esk_store *store = NULL;
    esk_store_options o = options();
    esk_status rc = esk_store_open_sqlite(&store, path, &o);
    if (rc == ESK_OK) {
        assert_true(read_everything(store) > 0);
        esk_store_free(store);
    } else {
        assert_int_equal(rc, ESK_ECORRUPT);
        assert_null(store);
        assert_contains(esk_errmsg(), path);
        assert_contains(esk_errmsg(), "malformed");
    }
    remove_store_files(path);
}

/* Every 256th byte of the file in turn starts 104 damaged bytes: each
 * damaged file opens or is refused as corrupt, reads as original events or
 * as corrupt, and never crashes. */
void damage_anywhere_is_corrupt_or_harmless_never_wrong(void **state)
{
    (void)state;
    char path[128], pristine[128];
    path_in(path, sizeof(path), "sweep.db");
    path_in(pristine, sizeof(pristine), "pristine.db");
    make_store_file(pristine);
    size_t size = 0;
    char *bytes = read_whole(pristine, &size);
    remove_store_files(pristine);
    int refused_at_open = 0, refused_at_read = 0, harmless = 0;

    for (size_t at = 0; at + 104 <= size; at += 256) {
        write_whole(path, bytes, size);
        overwrite(path, (long)at, 104, 0xA5);
        esk_store *store = NULL;
        esk_store_options o = options();
        esk_status rc = esk_store_open_sqlite(&store, path, &o);
        if (rc != ESK_OK) {
            /* Damage to the schema's own SQL text (page 1) can read as a
             * schema that is not esk's. */
            if (rc != ESK_ECORRUPT && rc != ESK_ESCHEMA)
                fail_msg("damage at byte %zu: open gave %s: %s", at,
                         esk_status_str(rc), esk_errmsg());
            assert_contains(esk_errmsg(), path);
            refused_at_open++;
        } else if (read_everything(store) > 0) {
            refused_at_read++;
        } else {
            harmless++;
        }
        esk_store_free(store);
    }
    print_message("%zu-byte file: refused at open %d, at a read %d; "
                  "damage that touched no event or index %d\n",
                  size, refused_at_open, refused_at_read, harmless);
    assert_true(refused_at_open > 0);
    assert_true(refused_at_read > 0);
    free(bytes);
    remove_store_files(path);
}

/* Rows changed behind esk's back (by hand, or by damage that SQLite's
 * structure checks do not see) into envelopes esk cannot have written, or
 * a row gone: each read that meets one is corrupt, and returns no event.
 * Positions have no gaps in the whole feed, nor versions in a stream. */
void an_event_row_esk_cannot_have_written_is_corrupt(void **state)
{
    (void)state;
    static const char *const damage[] = {
        "UPDATE events SET version = 0 WHERE position = 2",
        "UPDATE events SET version = -91 WHERE position = 2",
        "UPDATE events SET position = -2 WHERE position = 2",
        "UPDATE events SET schema_version = 0 WHERE position = 2",
        "UPDATE events SET stream_id = CAST(X'732d31a5' AS TEXT) "
        "WHERE position = 2",
        "UPDATE events SET event_id = CAST(X'652da5a5' AS TEXT) "
        "WHERE position = 2",
        "UPDATE events SET type = '' WHERE position = 2",
        "DELETE FROM events WHERE position = 2",
    };
    char path[128];
    path_in(path, sizeof(path), "edited.db");
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        remove_store_files(path);
        esk_store *store = open_sqlite(path);
        for (int n = 0; n < 3; n++)
            assert_int_equal(append1(store, "s-1", NULL, "T", "{}"), ESK_OK);
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, damage[i], NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list),
                         ESK_ECORRUPT);
        assert_int_equal(list.count, 0);
        assert_contains(esk_errmsg(), "reading all events");
        assert_contains(esk_errmsg(), "damaged");
        /* The stream, read through its index, meets it too. */
        assert_int_equal(esk_store_read_stream(store, "s-1", 1, 0, &list),
                         ESK_ECORRUPT);
        assert_int_equal(list.count, 0);
        assert_contains(esk_errmsg(), "reading stream 's-1'");
        assert_contains(esk_errmsg(), "damaged");
        esk_event_list_release(&list);
        esk_store_free(store);
    }
    remove_store_files(path);
}

void tags_esk_cannot_have_written_are_corrupt(void **state)
{
    (void)state;
    static const char *const damage[] = {
        "UPDATE event_tags SET tag = '' WHERE position = 2",
        "UPDATE event_tags SET tag = CAST(X'61a5' AS TEXT) WHERE position = 2",
        "UPDATE event_tags SET tag = printf('%.*c', 256, 'x') "
        "WHERE position = 2",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 33) INSERT INTO event_tags SELECT 2, i + 10, 'x' || i "
        "FROM n",
    };
    char path[128];
    path_in(path, sizeof(path), "tags.db");
    const char *const tag[] = {"attendee:bob"};
    const esk_tags tags = {tag, 1};
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    /* Whatever the damage did to its tags, the event still has its type. */
    const char *const type[] = {"T"};
    const esk_query_item item = {type, 1, NULL, 0};
    const esk_query q = {&item, 1};
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        remove_store_files(path);
        esk_store *store = open_sqlite(path);
        for (int n = 0; n < 3; n++)
            assert_int_equal(esk_store_append_if(store, "s-1", ESK_ANY, &e,
                                                 &tags, 1, NULL, NULL),
                             ESK_OK);
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, damage[i], NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);

        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list),
                         ESK_ECORRUPT);
        assert_int_equal(list.count, 0);
        assert_contains(esk_errmsg(), "position 2");
        assert_contains(esk_errmsg(), "damaged tags");
        assert_int_equal(esk_store_read_query(store, &q, 0, 0, &list, NULL),
                         ESK_ECORRUPT);
        assert_contains(esk_errmsg(), "reading a query");
        esk_event_list_release(&list);
        esk_store_free(store);
    }
    remove_store_files(path);
}
