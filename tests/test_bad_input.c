/*
 * tests/test_bad_input.c - the catalogue of bad input: damaged and foreign
 * files, bad JSON, bad ids. Each case gets a clear status and a message
 * that names the problem in the user's terms, and loses nothing: what the
 * store held before is still there afterwards.
 *
 * Cases tested elsewhere, next to the code they exercise, and not repeated
 * here:
 *   tests/test_store_sqlite.c
 *     a database of another application, or stamped by one
 *         (a_database_of_another_application_is_refused_and_left_unchanged,
 *          an_empty_database_stamped_by_another_application_is_refused)
 *     a newer esk schema (a_store_of_a_newer_esk_is_refused_and_left_unchanged)
 *     a text file (a_text_file_is_refused_as_corrupt_and_left_unchanged)
 *     a directory, a path in a missing folder, a read-only file (dropping
 *         to uid 65534 in a child process)
 *     a write lock held by another connection of the same process
 *     an unreadable recorded_at (an_unreadable_recorded_at_fails_the_read_...)
 *   tests/conformance/conformance.c, on every backend
 *     empty, over-long and non-UTF-8 stream ids; invalid JSON data;
 *     data nested ESK_JSON_DEPTH_MAX + 1 deep; metadata that is not an
 *     object; quotes, '%' and unicode stored verbatim; malformed filters
 *     and records
 *   tests/test_codec.c
 *     invalid JSON, wrong kinds, "\u0000", over-long strings in the codec
 *
 * esk ids (stream ids, event ids, types, record keys, command types) are C
 * strings: they end at the first NUL byte, so "abc\0def" is the id "abc".
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

#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/store.h"
#include "esk/store_backend.h"
#include "esk/upcast.h"

/* ---- Helpers ------------------------------------------------------------ */

static char temp_dir[64];

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", temp_dir, name);
}

static void remove_store_files(const char *path)
{
    char name[160];
    unlink(path);
    snprintf(name, sizeof(name), "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof(name), "%s-shm", path);
    unlink(name);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* 2026-11-27T09:00:00Z: every recorded_at is known, so a file is the same
 * bytes from run to run. */
static esk_time fixed_clock(void *ctx)
{
    (void)ctx;
    return INT64_C(1795770000000000);
}

static esk_store_options options(void)
{
    esk_store_options o = ESK_STORE_OPTIONS_INIT;
    o.clock = fixed_clock;
    return o;
}

static esk_store *open_sqlite(const char *path)
{
    esk_store *store = NULL;
    esk_store_options o = options();
    if (esk_store_open_sqlite(&store, path, &o) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

typedef enum backend { MEMORY, SQLITE } backend;
static const backend backends[] = {MEMORY, SQLITE};

static esk_store *open_backend(backend b)
{
    if (b == SQLITE)
        return open_sqlite(":memory:");
    esk_store *store = NULL;
    esk_store_options o = options();
    assert_int_equal(esk_store_open_memory(&store, &o), ESK_OK);
    return store;
}

static int64_t head_of(esk_store *store)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    return head;
}

static esk_status append1(esk_store *store, const char *stream, const char *id,
                          const char *type, const char *data)
{
    esk_new_event e = {id, type, 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, &e, 1, NULL);
}

/* A file's bytes; the caller frees them. */
static char *read_whole(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *bytes = malloc((size_t)n);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return bytes;
}

static void write_whole(const char *path, const char *bytes, size_t size)
{
    remove_store_files(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
}

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

static void a_damaged_page_is_reported_as_corrupt_not_read(void **state)
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

static void a_damaged_header_is_refused_at_open_and_left_alone(void **state)
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

static void a_truncated_file_is_reported_as_corrupt(void **state)
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
static void damage_anywhere_is_corrupt_or_harmless_never_wrong(void **state)
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
static void an_event_row_esk_cannot_have_written_is_corrupt(void **state)
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

static void tags_esk_cannot_have_written_are_corrupt(void **state)
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

static void
a_backend_without_tags_refuses_tags_conditions_and_queries(void **state)
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

static void
a_backend_that_cannot_close_refuses_the_close_and_reads_open(void **state)
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

static void a_database_with_an_events_table_of_its_own_is_not_taken_for_a_store(
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
 * test_store_sqlite.c holds the lock from another connection of the same
 * process; here it is another process, and every kind of write is tried.
 */
static void
a_lock_held_by_another_process_is_busy_and_loses_nothing(void **state)
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

/* ---- JSON --------------------------------------------------------------- */

typedef struct guest {
    char name[48];
} guest;
static const esk_field guest_fields[] = {
    ESK_FIELD_STRING_OPT(guest, name, "name"),
};
static const esk_event_type guest_type =
    ESK_EVENT_TYPE(guest, "GuestBooked", 1, guest_fields);

/* Text that is not JSON, and what each reader says about it. */
static void invalid_json_is_refused_everywhere_with_its_place(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *why; /* esk's own check */
    } cases[] = {
        {"{\"name\":", "unexpected end of text"},
        {"{\"name\":\"Ada\",}", "expected a string key"},
        {"{'name':'Ada'}", "expected a string key"},
        {"{\"name\":\"Ada\"} trailing", "unexpected text after the value"},
        {"{\"name\":\"\xff\"}", "invalid UTF-8 in string"},
        {"{\"name\":\"\\ud800\"}", "lone high surrogate"},
        {"{\"name\":NaN}", "unexpected character"},
        {"{\"n\":01}", "expected ',' or '}'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *json = cases[i].json;
        assert_int_equal(esk_json_validate(json), ESK_EINVAL);
        assert_contains(esk_errmsg(), "invalid JSON at byte");
        assert_contains(esk_errmsg(), cases[i].why);

        guest g;
        assert_int_equal(esk_codec_decode(&guest_type, json, &g), ESK_EDECODE);
        assert_contains(esk_errmsg(), "GuestBooked v1: ");
        assert_contains(esk_errmsg(), "at line 1, column");

        esk_metadata m = {NULL, NULL, json};
        char *out = NULL;
        assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
        assert_contains(esk_errmsg(), "extra is not a JSON object");
        assert_null(out);

        char buf[16];
        assert_int_equal(esk_metadata_get(json, "name", buf, sizeof(buf)),
                         ESK_EINVAL);

        for (size_t b = 0; b < 2; b++) {
            esk_store *store = open_backend(backends[b]);
            assert_int_equal(append1(store, "s-1", NULL, "T", "1"), ESK_OK);
            assert_int_equal(append1(store, "s-1", NULL, "T", json),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "data is not JSON");
            assert_contains(esk_errmsg(), cases[i].why);
            esk_new_event e = {NULL, "T", 1, "{}", json};
            assert_int_equal(
                esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL),
                ESK_EINVAL);
            assert_contains(esk_errmsg(), "metadata is not a JSON object");
            esk_record r = {"catalogue", 1, 1, json};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "record 'catalogue': value is not JSON");
            assert_int_equal(head_of(store), 1);
            esk_store_free(store);
        }
    }
}

/* "[[[[...1...]]]]", depth brackets deep, inside {"name": ...}. */
static char *nested(size_t depth)
{
    char *json = malloc(2 * depth + 16);
    assert_non_null(json);
    strcpy(json, "{\"x\":");
    size_t at = strlen(json);
    memset(json + at, '[', depth);
    at += depth;
    json[at++] = '1';
    memset(json + at, ']', depth);
    at += depth;
    strcpy(json + at, "}");
    return json;
}

/* Deeper than ESK_JSON_DEPTH_MAX is refused by every reader, without
 * recursing that deep: 100000 levels would overflow a recursive parser's
 * stack. */
static void
json_nested_a_thousand_deep_is_refused_without_recursion(void **state)
{
    (void)state;
    const size_t depths[] = {1000, 100000};
    for (size_t d = 0; d < 2; d++) {
        char *json = nested(depths[d]);
        assert_int_equal(esk_json_validate(json), ESK_EINVAL);
        assert_contains(esk_errmsg(), "nested too deep");

        guest g;
        assert_int_equal(esk_codec_decode(&guest_type, json, &g), ESK_EDECODE);
        assert_contains(esk_errmsg(), "GuestBooked v1: ");
        assert_contains(esk_errmsg(), "nested");

        esk_metadata m = {NULL, NULL, json};
        char *out = NULL;
        assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
        assert_contains(esk_errmsg(), "nested too deep");
        char buf[16];
        assert_int_equal(esk_metadata_get(json, "x", buf, sizeof(buf)),
                         ESK_EINVAL);

        for (size_t b = 0; b < 2; b++) {
            esk_store *store = open_backend(backends[b]);
            assert_int_equal(append1(store, "s-1", NULL, "T", json),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "nested too deep");
            assert_int_equal(head_of(store), 0);
            esk_store_free(store);
        }
        free(json);
    }
}

/*
 * Enormous data. esk sets no limit of its own on the size of an event: a
 * 16 MiB JSON string is stored and read back byte for byte on both
 * backends. The SQLite store refuses a value beyond SQLite's length limit
 * (SQLITE_LIMIT_LENGTH, 1e9 bytes unless lowered) with ESK_EINVAL, and
 * writes nothing of that append.
 */
enum { ENORMOUS = 16 * 1024 * 1024 };

static char *enormous_json(void)
{
    char *json = malloc(ENORMOUS + 16);
    assert_non_null(json);
    strcpy(json, "{\"s\":\"");
    size_t at = strlen(json);
    for (size_t i = 0; i < ENORMOUS; i++)
        json[at + i] = (char)('a' + i % 26);
    strcpy(json + at + ENORMOUS, "\"}");
    return json;
}

static void a_sixteen_mebibyte_event_is_stored_and_read_back_whole(void **state)
{
    (void)state;
    char *json = enormous_json();
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        assert_int_equal(append1(store, "big-1", NULL, "Big", json), ESK_OK);
        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_stream(store, "big-1", 1, 0, &list),
                         ESK_OK);
        assert_int_equal(list.count, 1);
        assert_int_equal(strlen(list.events[0].data), strlen(json));
        assert_true(strcmp(list.events[0].data, json) == 0);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
    /* A decode into a struct says how long the string is. */
    guest g;
    typedef struct big {
        char s[64];
    } big;
    static const esk_field big_fields[] = {ESK_FIELD_STRING(big, s, "s")};
    static const esk_event_type big_type =
        ESK_EVENT_TYPE(big, "Big", 1, big_fields);
    big out;
    assert_int_equal(esk_codec_decode(&big_type, json, &out), ESK_EDECODE);
    assert_contains(esk_errmsg(), "field 's'");
    assert_contains(esk_errmsg(),
                    "is 16777216 bytes, the field holds at most 63");
    (void)g;
    free(json);
}

static void data_beyond_the_sqlite_length_limit_is_refused_cleanly(void **state)
{
    (void)state;
    char *json = enormous_json();
    esk_store *store = open_sqlite(":memory:");
    assert_int_equal(append1(store, "big-1", NULL, "Big", "1"), ESK_OK);
    sqlite3_limit(esk_store_sqlite_db(store), SQLITE_LIMIT_LENGTH, 1 << 20);

    assert_int_equal(append1(store, "big-1", NULL, "Big", json), ESK_EINVAL);
    assert_contains(esk_errmsg(), "appending to stream 'big-1'");
    assert_contains(esk_errmsg(), "too big");
    assert_int_equal(head_of(store), 1);
    assert_int_equal(append1(store, "big-1", NULL, "Big", "2"), ESK_OK);
    assert_int_equal(head_of(store), 2);
    esk_store_free(store);
    free(json);
}

static void invalid_metadata_is_refused_with_what_is_wrong(void **state)
{
    (void)state;
    char *out = NULL;

    esk_metadata not_object = {"c-1", NULL, "[\"a\"]"};
    assert_int_equal(esk_metadata_encode(&not_object, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "metadata: extra is not a JSON object");
    esk_metadata bad_id = {"c-\xc0\xaf", NULL, NULL};
    assert_int_equal(esk_metadata_encode(&bad_id, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "correlationId is empty or not UTF-8");
    esk_metadata empty_id = {NULL, "", NULL};
    assert_int_equal(esk_metadata_encode(&empty_id, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "causationId is empty or not UTF-8");
    assert_null(out);

    /* esk_metadata_get has no message to give: its statuses say it. */
    char buf[8];
    assert_int_equal(
        esk_metadata_get("{\"c\":\"too long for it\"}", "c", buf, sizeof(buf)),
        ESK_EINVAL);
    assert_int_equal(esk_metadata_get("{\"c\":1}", "c", buf, sizeof(buf)),
                     ESK_ENOTFOUND);

    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        const char *bad[] = {"{",           "[]",   "\"text\"",
                             "{\"a\":1}{}", "null", "{\"a\":\"\xed\xa0\x80\"}"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            esk_new_event e = {NULL, "T", 1, "{}", bad[i]};
            assert_int_equal(
                esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL),
                ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "event 0 (T): metadata is not a JSON object");
        }
        assert_int_equal(head_of(store), 0);
        esk_store_free(store);
    }
}

/* ---- Ids and names ------------------------------------------------------ */

/* Characters that break naive SQL, printf, JSON or LIKE code. */
static const char *const nasty[] = {
    "quote-'\"`",
    "percent-%s%n%d%%",
    "backslash-\\\\n\\0\\",
    "sql-'); DROP TABLE events; --",
    "like-%_[]*?",
    "json-{\"a\":[1]}",
    "unicode-\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\xe4\xb8\xad",
    "control-\t\n\r\x01\x7f",
    "-leading-dash",
    "trailing-dash-",
};

enum { NASTY = sizeof(nasty) / sizeof(nasty[0]) };

static void
nasty_ids_are_stored_verbatim_and_read_back_identically(void **state)
{
    (void)state;
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        for (size_t i = 0; i < NASTY; i++) {
            /* As stream id, type, event id and data, twice. */
            char data[256];
            snprintf(data, sizeof(data), "{\"i\":%zu}", i);
            esk_new_event e[2] = {{nasty[i], nasty[i], 1, data, NULL},
                                  {"second", nasty[i], 1, data, NULL}};
            char second[64];
            snprintf(second, sizeof(second), "%zu-%s", i, nasty[i]);
            e[1].event_id = second;
            assert_int_equal(
                esk_store_append(store, nasty[i], ESK_NO_STREAM, e, 2, NULL),
                ESK_OK);
            esk_record r = {nasty[i], (int64_t)i, 1, data};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r), ESK_OK);
        }
        esk_event_list list = ESK_EVENT_LIST_INIT;
        for (size_t i = 0; i < NASTY; i++) {
            int64_t version = 0;
            assert_int_equal(
                esk_store_stream_version(store, nasty[i], &version), ESK_OK);
            assert_int_equal(version, 2);
            assert_int_equal(
                esk_store_read_stream(store, nasty[i], 1, 0, &list), ESK_OK);
            assert_int_equal(list.count, 2);
            assert_string_equal(list.events[0].stream_id, nasty[i]);
            assert_string_equal(list.events[0].event_id, nasty[i]);
            assert_string_equal(list.events[0].type, nasty[i]);
            assert_string_equal(list.events[1].type, nasty[i]);
            assert_int_equal(esk_store_read_stream_backward(store, nasty[i],
                                                            ESK_END, 1, &list),
                             ESK_OK);
            assert_int_equal(list.count, 1);
            assert_int_equal(list.events[0].version, 2);

            /* Filtering by that type finds exactly its two events. */
            esk_filter by_type = {NULL, &nasty[i], 1};
            assert_int_equal(esk_store_read_all(store, 0, 0, &by_type, &list),
                             ESK_OK);
            assert_int_equal(list.count, 2);
            char second[64];
            snprintf(second, sizeof(second), "%zu-%s", i, nasty[i]);
            assert_string_equal(list.events[0].event_id, nasty[i]);
            assert_string_equal(list.events[1].event_id, second);

            esk_record got;
            char *owned = NULL;
            assert_int_equal(esk_store_get_record(store, ESK_RECORD_CHECKPOINT,
                                                  nasty[i], &got, &owned),
                             ESK_OK);
            assert_string_equal(got.key, nasty[i]);
            assert_int_equal(got.at, (int64_t)i);
            esk_free(owned);
        }
        /* "like-%_[]*?" is its own category, and matches nothing else. */
        esk_filter like = {"like", NULL, 0};
        assert_int_equal(esk_store_read_all(store, 0, 0, &like, &list), ESK_OK);
        assert_int_equal(list.count, 2);
        assert_string_equal(list.events[0].stream_id, "like-%_[]*?");
        assert_int_equal(head_of(store), 2 * NASTY);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
}

/* An id is a C string: it ends at the first NUL, so "abc\0def" is "abc",
 * the same way in every call. */
static void an_id_with_a_nul_byte_ends_there_consistently(void **state)
{
    (void)state;
    static const char with_nul[] = "abc\0def";
    static const char type_with_nul[] = "Booked\0Cancelled";
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        esk_new_event e = {"id\0hidden", type_with_nul, 1, "{}", NULL};
        assert_int_equal(
            esk_store_append(store, with_nul, ESK_NO_STREAM, &e, 1, NULL),
            ESK_OK);
        int64_t version = 0;
        assert_int_equal(esk_store_stream_version(store, "abc", &version),
                         ESK_OK);
        assert_int_equal(version, 1);
        assert_int_equal(esk_store_stream_version(store, with_nul, &version),
                         ESK_OK);
        assert_int_equal(version, 1);

        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list), ESK_OK);
        assert_int_equal(list.count, 1);
        assert_string_equal(list.events[0].stream_id, "abc");
        assert_string_equal(list.events[0].type, "Booked");
        assert_string_equal(list.events[0].event_id, "id");
        /* The same batch sent again is the same batch: "id" is its id. */
        assert_int_equal(
            esk_store_append(store, "abc", ESK_NO_STREAM, &e, 1, NULL), ESK_OK);
        assert_int_equal(head_of(store), 1);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
}

/* Byte sequences that are not UTF-8, each one refused wherever an id or a
 * name is taken, with a message, and nothing written. */
static const char *const not_utf8[] = {
    "s-\xff",                 /* never valid */
    "s-\xc0\xaf",             /* overlong '/' */
    "s-\xe0\x80\xaf",         /* overlong '/' in three bytes */
    "s-\xed\xa0\x80",         /* a lone high surrogate, U+D800 */
    "s-\xed\xbf\xbf",         /* a lone low surrogate, U+DFFF */
    "s-\xf4\x90\x80\x80",     /* beyond U+10FFFF */
    "s-\xf8\x88\x80\x80\x80", /* a five-byte form */
    "s-\xe2\x82",             /* cut short at the end */
    "s-\x80",                 /* a continuation byte alone */
};

static void
text_that_is_not_utf8_is_refused_wherever_a_name_is_taken(void **state)
{
    (void)state;
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        esk_bus *bus = NULL;
        assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
        esk_upcasters *upcasters = NULL;
        assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
        esk_event_list list = ESK_EVENT_LIST_INIT;

        for (size_t i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++) {
            const char *bad = not_utf8[i];
            int64_t version = 0;
            assert_int_equal(append1(store, bad, NULL, "T", "{}"), ESK_EINVAL);
            assert_contains(esk_errmsg(), "stream id is not valid UTF-8");
            assert_int_equal(esk_store_stream_version(store, bad, &version),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(esk_store_read_stream(store, bad, 1, 0, &list),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(append1(store, "s-1", NULL, bad, "{}"),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "type name is not valid UTF-8");
            assert_int_equal(append1(store, "s-1", bad, "T", "{}"), ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "event id must be 1 to 64 bytes of UTF-8");
            esk_record r = {bad, 1, 1, "{}"};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");

            /* The same bytes inside JSON text. */
            char data[64];
            snprintf(data, sizeof(data), "{\"name\":\"%s\"}", bad);
            assert_int_equal(append1(store, "s-1", NULL, "T", data),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "invalid UTF-8 in string");

            esk_command c = {bad, "c-1", NULL, NULL, NULL};
            esk_command_result result;
            assert_int_equal(esk_bus_dispatch(bus, &c, &result), ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(esk_bus_register(bus, bad, NULL, NULL),
                             ESK_EINVAL);
            /* No message channel: the status says it. */
            assert_int_equal(esk_upcasters_add(upcasters, bad, 1, NULL),
                             ESK_EINVAL);

            esk_metadata m = {bad, NULL, NULL};
            char *out = NULL;
            assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
            assert_contains(esk_errmsg(), "not UTF-8");

            guest g;
            memset(&g, 0, sizeof(g));
            snprintf(g.name, sizeof(g.name), "%s", bad);
            assert_int_equal(esk_codec_encode(&guest_type, &g, &out),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "field 'name'");
            assert_contains(esk_errmsg(), "not valid UTF-8");
            assert_null(out);
            (void)version;
        }
        assert_int_equal(head_of(store), 0);
        esk_event_list_release(&list);
        esk_upcasters_free(upcasters);
        esk_bus_free(bus);
        esk_store_free(store);
    }
}

/* ---- Running ------------------------------------------------------------ */

static int make_temp_dir(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(temp_dir, sizeof(temp_dir), "%s/esk-bad-input-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    return mkdtemp(temp_dir) == NULL ? -1 : 0;
}

static int remove_temp_dir(void **state)
{
    (void)state;
    /* What a failed test may have left behind. */
    static const char *const names[] = {
        "damaged.db",  "header.db",   "truncated.db", "sweep.db",
        "pristine.db", "calendar.db", "locked.db",    "edited.db"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        path_in(path, sizeof(path), names[i]);
        remove_store_files(path);
    }
    return rmdir(temp_dir);
}

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
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
        cmocka_unit_test(a_damaged_page_is_reported_as_corrupt_not_read),
        cmocka_unit_test(a_damaged_header_is_refused_at_open_and_left_alone),
        cmocka_unit_test(a_truncated_file_is_reported_as_corrupt),
        cmocka_unit_test(damage_anywhere_is_corrupt_or_harmless_never_wrong),
        cmocka_unit_test(an_event_row_esk_cannot_have_written_is_corrupt),
        cmocka_unit_test(tags_esk_cannot_have_written_are_corrupt),
        cmocka_unit_test(
            a_backend_without_tags_refuses_tags_conditions_and_queries),
        cmocka_unit_test(
            a_backend_that_cannot_close_refuses_the_close_and_reads_open),
        cmocka_unit_test(
            a_database_with_an_events_table_of_its_own_is_not_taken_for_a_store),
        cmocka_unit_test(
            a_lock_held_by_another_process_is_busy_and_loses_nothing),
        cmocka_unit_test(invalid_json_is_refused_everywhere_with_its_place),
        cmocka_unit_test(
            json_nested_a_thousand_deep_is_refused_without_recursion),
        cmocka_unit_test(
            a_sixteen_mebibyte_event_is_stored_and_read_back_whole),
        cmocka_unit_test(
            data_beyond_the_sqlite_length_limit_is_refused_cleanly),
        cmocka_unit_test(invalid_metadata_is_refused_with_what_is_wrong),
        cmocka_unit_test(
            nasty_ids_are_stored_verbatim_and_read_back_identically),
        cmocka_unit_test(an_id_with_a_nul_byte_ends_there_consistently),
        cmocka_unit_test(
            text_that_is_not_utf8_is_refused_wherever_a_name_is_taken),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
