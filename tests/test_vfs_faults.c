/*
 * tests/test_vfs_faults.c - every write operation of the SQLite store, with
 * each of its I/O calls failing in turn.
 *
 * SQLite proves itself with a VFS that fails the Nth write; tests/fault_vfs
 * is such a VFS, made the default, so that esk opens its files through it
 * unchanged. For each operation and N = 1, 2, 3, ... the operation's Nth
 * write-path call fails (a full disk, or an I/O error), until a run makes
 * fewer than N calls and succeeds untouched. Every run must:
 *
 *   - return a failure status whose message names the real cause
 *     ("the disk is full", "writing to the database file ... failed"), not a
 * follow-on error of a transaction that SQLite ended by itself ("no such
 *     savepoint", "cannot commit - no transaction is active"); or
 *     succeed, if SQLite got past the failed call, and then have
 *     written the whole unit;
 *   - leave the store working: no transaction left open, and with the
 *     fault gone a fresh append succeeds and reads back;
 *   - leave a file that, closed and reopened, holds the whole unit of work
 *     or none of it, with gap-free positions and versions; for catch-up
 *     projections and process managers, a checkpoint that agrees with
 *     what was applied (every event at or below it exactly once, none
 *     above it), and a run without the fault that finishes the work
 *     without doing anything twice.
 *
 * Each store gets a page cache of a few pages, so that SQLite writes a
 * transaction's pages to the WAL before the commit: faults then also hit
 * the middle of a transaction, where SQLite may roll the whole
 * transaction back on its own (after an I/O error, always). Durability
 * FULL adds a sync to every commit.
 *
 * By default every operation runs with both fault codes, one call failing.
 * ESK_TEST_LONG=1 also fails every call from the Nth on (persistent, as
 * SQLite's own tests do), with both durabilities and with small and large
 * events. ESK_VFS_FAULTS_ONLY='catch-up*' runs the tests whose names
 * match (cmocka's filter), to replay one failure.
 *
 * The last tests need no fault VFS: a page limit (PRAGMA max_page_count)
 * fills the database in the middle of a caller's transaction, which
 * SQLite then rolls back by itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "fault_vfs.h"
#include "test_support.h"

enum {
    MESSAGES_MAX = 8,
    MESSAGE_SIZE = 640,
    BATCH = 5,
    /* Far more than any operation here makes: a sweep that gets there is
     * not converging. */
    CALLS_MAX = 5000,
    /* Pages in the store connection's cache. */
    CACHE_PAGES = 4,
};

/* How the fault is injected, and how large the events around it are. */
typedef struct mode {
    char name[64];
    int code;
    bool persistent;
    esk_durability durability;
    size_t pad;
} mode;

/* What the current run is, for every failure message. */
static char where[256];
static char temp_dir[64];
static int next_file;

/* What the current run did wrong, one line each. A run goes on after a
 * problem, so that its report says everything: the message, whether the
 * store still works, and what the file held. */
static char problems[4096];

static void problem(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

static void problem(const char *format, ...)
{
    size_t used = strlen(problems);
    if (used + 8 >= sizeof(problems))
        return;
    memcpy(problems + used, "\n    - ", 7);
    used += 7;
    va_list args;
    va_start(args, format);
    vsnprintf(problems + used, sizeof(problems) - used, format, args);
    va_end(args);
}

/* ---- The world: a store in a file, and what an operation needs ---------- */

typedef struct world {
    const mode *mode;
    char path[128];
    esk_store *store;
    esk_bus *bus;
    esk_catchup *catchup;
    esk_process_runner *runner;
    /* The data of every event and record: {"pad":"xxx..."}. */
    char *data;

    /* What the operation said: its first failure, and the message of
     * every step that failed. */
    esk_status rc;
    char messages[MESSAGES_MAX][MESSAGE_SIZE];
    /* For a step of the store itself, the extended code it gave (-1 for
     * the steps of other modules). */
    int exts[MESSAGES_MAX];
    int failures;
    /* For a transaction that goes on after a failed step: which parts
     * the store said it kept, and whether the outermost commit
     * succeeded. */
    bool kept[3];
    bool committed;
    /* Whether the fault had fired before that commit began. Only a fault
     * inside a commit can leave it in the file yet reported as failed: one
     * that fired before is spent (once) or fails all of the commit's
     * writes (from then on). */
    bool fired_before_commit;
    esk_command_result result;
} world;

static void remove_files(const char *path)
{
    char name[160];
    unlink(path);
    snprintf(name, sizeof(name), "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof(name), "%s-shm", path);
    unlink(name);
}

static void sql(world *w, const char *statement)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(w->store), statement, NULL, NULL,
                     &message) != SQLITE_OK)
        fail_msg("%s: %s: %s", where, statement, message);
}

static int64_t sql_number(world *w, const char *query)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(w->store), query,
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

static void world_open(world *w)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = w->mode->durability;
    if (esk_store_open_sqlite(&w->store, w->path, &options) != ESK_OK)
        fail_msg("%s: opening the store: %s", where, esk_errmsg());
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = %d", CACHE_PAGES);
    sql(w, pragma);
}

static char *padded_data(size_t pad)
{
    char *data = malloc(pad + 16);
    assert_non_null(data);
    memcpy(data, "{\"pad\":\"", 8);
    memset(data + 8, 'x', pad);
    memcpy(data + 8 + pad, "\"}", 3);
    return data;
}

/* A new store in a file of its own: a run that fails its test leaves its
 * handles open, and must not disturb the next one. */
static void world_init(world *w, const mode *m)
{
    memset(w, 0, sizeof(*w));
    w->mode = m;
    snprintf(w->path, sizeof(w->path), "%s/store-%d.db", temp_dir, next_file++);
    remove_files(w->path);
    w->data = padded_data(m->pad);
    world_open(w);
}

static void world_release(world *w)
{
    esk_process_runner_free(w->runner);
    esk_catchup_free(w->catchup);
    esk_bus_free(w->bus);
    esk_store_free(w->store);
    w->runner = NULL;
    w->catchup = NULL;
    w->bus = NULL;
    w->store = NULL;
}

static void world_reopen(world *w)
{
    world_release(w);
    world_open(w);
}

static void world_free(world *w)
{
    world_release(w);
    free(w->data);
    remove_files(w->path);
}

/* ---- Steps of an operation ---------------------------------------------- */

static esk_status step(world *w, esk_status rc, const char *doing,
                       const char *message)
{
    if (rc == ESK_OK)
        return rc;
    if (w->rc == ESK_OK)
        w->rc = rc;
    if (w->failures < MESSAGES_MAX) {
        w->exts[w->failures] = -1;
        snprintf(w->messages[w->failures++], MESSAGE_SIZE, "%s: %s (%s)", doing,
                 message, esk_status_str(rc));
    }
    return rc;
}

static esk_status store_step(world *w, esk_status rc, const char *doing)
{
    int before = w->failures;
    step(w, rc, doing, esk_errmsg());
    if (w->failures > before)
        w->exts[before] = (int)esk_error_last()->ext;
    return rc;
}

static esk_status append_typed(esk_store *store, const char *stream,
                               const char *type, size_t n, const char *data)
{
    esk_new_event events[BATCH];
    assert_true(n <= BATCH);
    for (size_t i = 0; i < n; i++)
        events[i] = (esk_new_event){NULL, type, 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, events, n, NULL);
}

static esk_status append(world *w, const char *stream, size_t n)
{
    char doing[96];
    snprintf(doing, sizeof(doing), "appending to '%s'", stream);
    return store_step(w, append_typed(w->store, stream, "Ordered", n, w->data),
                      doing);
}

/* Before the fault is armed: must succeed. */
static void seed(world *w, const char *stream, const char *type, size_t n)
{
    if (append_typed(w->store, stream, type, n, w->data) != ESK_OK)
        fail_msg("%s: seeding '%s': %s", where, stream, esk_errmsg());
}

/* What a caller does after a failure: roll back what is still open. */
static void roll_back_open(world *w)
{
    while (esk_store_transaction_depth(w->store) > 0)
        store_step(w, esk_store_rollback(w->store), "rolling back");
}

/* ---- Reading the file back ---------------------------------------------- */

/* The number of events in a stream, -1 when it cannot be read (the read
 * itself fails on a gap in the versions). */
static int64_t count_of(world *w, const char *stream)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (esk_store_read_stream(w->store, stream, 1, 0, &list) != ESK_OK) {
        problem("reading '%s' fails: %s", stream, esk_errmsg());
        return -1;
    }
    int64_t n = (int64_t)list.count;
    esk_event_list_release(&list);
    return n;
}

/* A record's number, or -1 when there is none; *same_data (optional)
 * tells whether its value is the world's data. */
static int64_t record_number(world *w, esk_record_kind kind, const char *key,
                             bool *same_data)
{
    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(w->store, kind, key, &record, &owned);
    if (rc == ESK_ENOTFOUND)
        return -1;
    if (rc != ESK_OK) {
        problem("reading record '%s' fails: %s", key, esk_errmsg());
        return -1;
    }
    if (same_data != NULL)
        *same_data = strcmp(record.value, w->data) == 0;
    int64_t number = record.at;
    esk_free(owned);
    return number;
}

static int64_t checkpoint_of(world *w, const char *key)
{
    int64_t position = record_number(w, ESK_RECORD_CHECKPOINT, key, NULL);
    return position < 0 ? 0 : position;
}

/* Every event, in order; the read fails on a gap in the positions. */
static bool read_everything(world *w, esk_event_list *list)
{
    if (esk_store_read_all(w->store, 0, 0, NULL, list) == ESK_OK)
        return true;
    problem("reading every event fails: %s", esk_errmsg());
    return false;
}

/* A unit of work: the streams it writes and how many events each gets. */
typedef struct part {
    const char *stream;
    int64_t events;
} part;

static void expect_whole_or_none(world *w, const part *parts, size_t n)
{
    char held[256] = "";
    size_t whole = 0;
    size_t none = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t count = count_of(w, parts[i].stream);
        whole += count == parts[i].events;
        none += count == 0;
        size_t used = strlen(held);
        snprintf(held + used, sizeof(held) - used, "%s'%s' %lld of %lld",
                 i > 0 ? ", " : "", parts[i].stream, (long long)count,
                 (long long)parts[i].events);
    }
    if (w->rc == ESK_OK && whole != n)
        problem("the operation succeeded, but the file holds %s", held);
    else if (whole != n && none != n)
        problem("the file holds part of the unit: %s", held);
}

/* ---- The checks common to every run ------------------------------------- */

static const char *const follow_on_errors[] = {
    "no such savepoint",
    "cannot rollback",
    "cannot commit",
    "no transaction is active",
    "cannot start a transaction within a transaction",
};

static void expect_cause(const char *message, int code)
{
    /* esk's words for the failures this VFS makes (src/store_sqlite_errors.c):
     * a long message may be cut after them. */
    static const char *const io_causes[] = {
        "writing to the database file", "flushing the database",
        "truncating the database file", "an input/output error"};
    const char *cause = "the disk is full";
    if (code != SQLITE_FULL) {
        cause = io_causes[0];
        for (size_t i = 0; i < sizeof(io_causes) / sizeof(io_causes[0]); i++)
            if (strstr(message, io_causes[i]) != NULL)
                cause = io_causes[i];
    }
    for (size_t i = 0;
         i < sizeof(follow_on_errors) / sizeof(follow_on_errors[0]); i++)
        if (strstr(message, follow_on_errors[i]) != NULL) {
            problem("a follow-on error hides the cause (\"%s\"): %s", cause,
                    message);
            return;
        }
    if (strstr(message, cause) == NULL)
        problem("the message does not name the cause (\"%s\"): %s", cause,
                message);
}

static void check_reported(world *w, bool fired)
{
    if (!fired && w->failures > 0)
        problem("fails with no fault injected: %s", w->messages[0]);
    for (int i = 0; fired && i < w->failures; i++) {
        expect_cause(w->messages[i], w->mode->code);
        /* A full disk is one a program can act on: the store says so in
         * the extended code, or that it lost the caller's unit to it. */
        if (w->mode->code == SQLITE_FULL && w->exts[i] != -1 &&
            w->exts[i] != ESK_EXT_DISK_FULL &&
            w->exts[i] != ESK_EXT_TRANSACTION_LOST)
            problem("a full disk has the extended code %d (%s): %s", w->exts[i],
                    esk_ext_str((esk_ext)w->exts[i]), w->messages[i]);
    }
}

static void check_left_clean(world *w)
{
    int depth = esk_store_transaction_depth(w->store);
    if (depth != 0)
        problem("%d transactions are left open", depth);
    else if (!sqlite3_get_autocommit(esk_store_sqlite_db(w->store)))
        problem("SQLite has a transaction open that the store does not know "
                "of");
}

#define PROBE_JSON "{\"probe\":true}"

/* With the fault gone, a fresh append works and reads back. */
static void probe(world *w)
{
    if (append_typed(w->store, "probe-1", "Probe", 1, PROBE_JSON) != ESK_OK) {
        problem("with the fault gone, an append fails: %s", esk_errmsg());
        return;
    }
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (esk_store_read_stream(w->store, "probe-1", 1, 0, &list) != ESK_OK) {
        problem("with the fault gone, a read fails: %s", esk_errmsg());
        return;
    }
    bool read_back =
        list.count == 1 && strcmp(list.events[0].data, PROBE_JSON) == 0;
    esk_event_list_release(&list);
    if (!read_back)
        problem("the fresh append does not read back");
}

/* The reopened file: gap-free positions, and the probe. */
static void check_file(world *w)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (read_everything(w, &list)) {
        int64_t head = test_head_of(w->store);
        if ((int64_t)list.count != head)
            problem("%zu events up to position %lld", list.count,
                    (long long)head);
    }
    esk_event_list_release(&list);
    if (count_of(w, "probe-1") != 1)
        problem("the append made after the failure is not in the file");
}

/* ---- Appends ------------------------------------------------------------ */

static void append_one(world *w)
{
    append(w, "order-1", 1);
}

static void check_one(world *w)
{
    const part unit[] = {{"order-1", 1}};
    expect_whole_or_none(w, unit, 1);
}

static void append_a_batch(world *w)
{
    append(w, "order-1", BATCH);
}

static void check_batch(world *w)
{
    const part unit[] = {{"order-1", BATCH}};
    expect_whole_or_none(w, unit, 1);
}

/* ---- Tags and conditions ------------------------------------------------ */

static const char *const customer_tag[] = {"customer:1"};
static const esk_query_item by_customer = {NULL, 0, customer_tag, 1};

/* One tagged event, which the condition below reads and passes. */
static void with_a_tagged_order(world *w)
{
    const esk_tags tags = {customer_tag, 1};
    const esk_new_event e = {NULL, "Ordered", 1, w->data, NULL};
    if (esk_store_append_if(w->store, "order-1", ESK_ANY, &e, &tags, 1, NULL,
                            NULL) != ESK_OK)
        fail_msg("%s: seeding a tagged order: %s", where, esk_errmsg());
}

/* A batch, each event tagged with the customer and its own tag, on the
 * condition that nothing of the customer's came after the seeded one. */
static void append_tagged_on_a_condition(world *w)
{
    char names[BATCH][16];
    const char *pairs[BATCH][2];
    esk_tags tags[BATCH];
    esk_new_event events[BATCH];
    for (size_t i = 0; i < BATCH; i++) {
        snprintf(names[i], sizeof names[i], "line:%zu", i);
        pairs[i][0] = customer_tag[0];
        pairs[i][1] = names[i];
        tags[i] = (esk_tags){pairs[i], 2};
        events[i] = (esk_new_event){NULL, "Ordered", 1, w->data, NULL};
    }
    const esk_append_condition condition = {{&by_customer, 1}, 1};
    store_step(w,
               esk_store_append_if(w->store, "order-2", ESK_ANY, events, tags,
                                   BATCH, &condition, NULL),
               "appending tagged events on a condition");
}

/* The batch whole or not at all, and its tags with it: no tag of an
 * undone event is left behind (a later event would take its position). */
static void check_tagged(world *w)
{
    const part unit[] = {{"order-2", BATCH}};
    expect_whole_or_none(w, unit, 1);
    int64_t stored = count_of(w, "order-2");
    int64_t tags = sql_number(w, "SELECT count(*) FROM event_tags");
    if (tags != 1 + 2 * stored)
        problem("the file holds %lld tags for %lld tagged events",
                (long long)tags, (long long)(1 + stored));
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const esk_query q = {&by_customer, 1};
    if (esk_store_read_query(w->store, &q, 0, 0, &list, NULL) != ESK_OK)
        problem("a query read fails: %s", esk_errmsg());
    else if ((int64_t)list.count != 1 + stored)
        problem("a query finds %zu events of the customer, %lld expected",
                list.count, (long long)(1 + stored));
    esk_event_list_release(&list);
}

/* ---- Transactions ------------------------------------------------------- */

static const part two_appends[] = {{"order-1", 2}, {"order-2", 2}};

static void check_two_appends(world *w)
{
    expect_whole_or_none(w, two_appends, 2);
}

/* begin, append A, append B, commit; the caller stops at the first
 * failure and rolls back. */
static void append_in_a_transaction(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") == ESK_OK &&
        append(w, "order-1", 2) == ESK_OK && append(w, "order-2", 2) == ESK_OK)
        store_step(w, esk_store_commit(s), "committing");
    roll_back_open(w);
}

/* begin, begin, append A, commit, append B, commit. */
static void append_in_nested_units(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") == ESK_OK &&
        store_step(w, esk_store_begin(s), "beginning the inner unit") ==
            ESK_OK &&
        append(w, "order-1", 2) == ESK_OK &&
        store_step(w, esk_store_commit(s), "committing the inner unit") ==
            ESK_OK &&
        append(w, "order-2", 2) == ESK_OK)
        store_step(w, esk_store_commit(s), "committing");
    roll_back_open(w);
}

/*
 * The caller goes on after a failure, as the header allows: begin,
 * append A, begin, append B (rolled back if it failed), commit, append C,
 * commit. Whatever SQLite did underneath, the file must then hold
 * exactly the parts the store said it kept when the last commit
 * succeeded, and nothing when it failed.
 */
static void go_on_after_a_failed_inner_step(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") != ESK_OK)
        return;
    w->kept[0] = append(w, "order-1", 2) == ESK_OK;
    if (store_step(w, esk_store_begin(s), "beginning the inner unit") ==
        ESK_OK) {
        if (append(w, "order-2", 2) == ESK_OK)
            w->kept[1] = store_step(w, esk_store_commit(s),
                                    "committing the inner unit") == ESK_OK;
        else
            store_step(w, esk_store_rollback(s), "rolling back the inner unit");
    }
    w->kept[2] = append(w, "order-3", 1) == ESK_OK;
    w->fired_before_commit = fault_vfs_fired();
    w->committed = store_step(w, esk_store_commit(s), "committing") == ESK_OK;
    roll_back_open(w);
}

static void check_what_was_kept(world *w)
{
    static const part parts[] = {
        {"order-1", 2}, {"order-2", 2}, {"order-3", 1}};
    char held[256] = "";
    bool as_kept = true;
    bool empty = true;
    for (size_t i = 0; i < 3; i++) {
        int64_t count = count_of(w, parts[i].stream);
        as_kept = as_kept && count == (w->kept[i] ? parts[i].events : 0);
        empty = empty && count == 0;
        size_t used = strlen(held);
        snprintf(held + used, sizeof(held) - used, "%s'%s' %lld (%s)",
                 i > 0 ? ", " : "", parts[i].stream, (long long)count,
                 w->kept[i] ? "kept" : "not kept");
    }
    if (w->committed && !as_kept)
        problem("the commit succeeded, but the file holds %s", held);
    /* A commit that failed in its own writes may yet have reached the
     * file, whole; never in part, and never after an earlier failure. */
    bool unseen_commit = as_kept && !w->fired_before_commit;
    if (!w->committed && !empty && !unseen_commit)
        problem("the commit failed, but the file holds %s", held);
}

/* ---- Records ------------------------------------------------------------ */

static const char *const record_key[] = {"tally", "deposit-9", "order-9"};

static void put_record(world *w, esk_record_kind kind)
{
    const esk_record record = {record_key[kind], 7, 1, w->data};
    store_step(w, esk_store_put_record(w->store, kind, &record),
               "writing a record");
}

static void put_checkpoint(world *w)
{
    put_record(w, ESK_RECORD_CHECKPOINT);
}

static void put_command(world *w)
{
    put_record(w, ESK_RECORD_COMMAND);
}

static void put_snapshot(world *w)
{
    put_record(w, ESK_RECORD_SNAPSHOT);
}

/* An older snapshot, for the put to replace. */
static void with_a_snapshot(world *w)
{
    const esk_record old = {record_key[ESK_RECORD_SNAPSHOT], 3, 1, "{}"};
    assert_int_equal(esk_store_put_record(w->store, ESK_RECORD_SNAPSHOT, &old),
                     ESK_OK);
}

/* The record is the new one, or what was there before (none, or the
 * older snapshot). */
static void check_record(world *w, esk_record_kind kind)
{
    bool same_data = false;
    int64_t number = record_number(w, kind, record_key[kind], &same_data);
    bool is_new = number == 7 && same_data;
    bool is_old = number == -1 || (number == 3 && !same_data);
    if (w->rc == ESK_OK && !is_new)
        problem("the put succeeded, but the record is not in the file");
    else if (!is_new && !is_old)
        problem("the record is damaged (number %lld)", (long long)number);
}

static void check_checkpoint(world *w)
{
    check_record(w, ESK_RECORD_CHECKPOINT);
}

static void check_command(world *w)
{
    check_record(w, ESK_RECORD_COMMAND);
}

static void check_snapshot(world *w)
{
    check_record(w, ESK_RECORD_SNAPSHOT);
}

/* ---- A catch-up projection with a SQL read model ------------------------
 *
 * The read model counts how often each event was applied, so that an
 * event applied twice shows.
 */

static esk_status tally_error(esk_store *store)
{
    esk_error_set(ESK_EIO, "tally: %s",
                  sqlite3_errmsg(esk_store_sqlite_db(store)));
    return ESK_EIO;
}

static esk_status tally_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store),
                     "CREATE TABLE IF NOT EXISTS tally("
                     "position INTEGER PRIMARY KEY, times INTEGER NOT NULL, "
                     "data TEXT NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return tally_error(store);
    return ESK_OK;
}

static esk_status tally_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                "INSERT INTO tally VALUES(?1, 1, ?2) "
                                "ON CONFLICT(position) DO UPDATE "
                                "SET times = times + 1",
                                -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 1, event->position);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 2, event->data, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    esk_status status = rc == SQLITE_OK ? ESK_OK : tally_error(store);
    sqlite3_finalize(stmt);
    return status;
}

static const char *const ordered_types[] = {"Ordered"};

static const esk_projection tally_projection = {
    "tally", 1, ordered_types, 1, tally_handle, tally_setup, NULL, NULL};

static void open_catchup(world *w)
{
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 2;
    if (esk_catchup_new(&w->catchup, w->store, &tally_projection, &options) !=
        ESK_OK)
        fail_msg("%s: esk_catchup_new: %s", where, esk_errmsg());
}

/* Ordered events at 1, 2, 4, 5, 6; one the projection skips at 3. */
static void with_orders_to_project(world *w)
{
    seed(w, "order-1", "Ordered", 2);
    seed(w, "noise-1", "Noise", 1);
    seed(w, "order-2", "Ordered", 2);
    seed(w, "order-3", "Ordered", 1);
    open_catchup(w);
}

static void run_the_catchup(world *w)
{
    step(w, esk_catchup_run(w->catchup, NULL), "running the catch-up",
         esk_errmsg());
}

static int64_t times_applied(world *w, int64_t position)
{
    char query[96];
    snprintf(query, sizeof(query),
             "SELECT times FROM tally WHERE position = %lld",
             (long long)position);
    int64_t times = sql_number(w, query);
    return times < 0 ? 0 : times;
}

/* Every Ordered event at or below the checkpoint applied once, none
 * above; returns the last Ordered event's position. */
static int64_t expect_tally_follows_checkpoint(world *w, const char *state)
{
    int64_t checkpoint = checkpoint_of(w, "tally");
    int64_t last = 0;
    char wrong[256] = "";
    esk_event_list list = ESK_EVENT_LIST_INIT;
    read_everything(w, &list);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        if (strcmp(e->type, "Ordered") != 0)
            continue;
        last = e->position;
        int64_t times = times_applied(w, e->position);
        if (times != (e->position <= checkpoint ? 1 : 0)) {
            size_t used = strlen(wrong);
            snprintf(wrong + used, sizeof(wrong) - used, " %lld: %lld times",
                     (long long)e->position, (long long)times);
        }
    }
    esk_event_list_release(&list);
    if (wrong[0] != '\0')
        problem("%s, the checkpoint is at %lld, and the events at%s", state,
                (long long)checkpoint, wrong);
    return last;
}

static void check_catchup(world *w)
{
    int64_t last = expect_tally_follows_checkpoint(w, "on reopening");
    if (w->rc == ESK_OK && checkpoint_of(w, "tally") < last)
        problem("the run succeeded, but its checkpoint is at %lld",
                (long long)checkpoint_of(w, "tally"));
    /* Run again, without the fault: it finishes the work, and applies
     * nothing twice. */
    open_catchup(w);
    if (esk_catchup_run(w->catchup, NULL) != ESK_OK)
        problem("running again fails: %s", esk_errmsg());
    expect_tally_follows_checkpoint(w, "after running again");
    if (checkpoint_of(w, "tally") < last)
        problem("running again stops short, at %lld",
                (long long)checkpoint_of(w, "tally"));
}

/* ---- The command bus and a process manager ------------------------------ */

static esk_status fail_from_store(esk_context *context, esk_store *store,
                                  esk_status rc)
{
    (void)store;
    return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
}

/* Deposit: two events on account-1. */
static esk_status on_deposit(esk_context *context, const esk_command *command,
                             void *data)
{
    (void)command;
    world *w = data;
    esk_store *store = esk_context_store(context);
    esk_status rc = append_typed(store, "account-1", "Deposited", 2, w->data);
    return rc == ESK_OK ? ESK_OK : fail_from_store(context, store, rc);
}

/* Ship: one event on the shipment of the order named by the payload
 * ("order-2" ships as "shipment-2"). */
static esk_status on_ship(esk_context *context, const esk_command *command,
                          void *data)
{
    world *w = data;
    esk_store *store = esk_context_store(context);
    const char *order = command->payload;
    char stream[64];
    snprintf(stream, sizeof(stream), "shipment-%s", strchr(order, '-') + 1);
    esk_status rc = append_typed(store, stream, "Shipped", 1, w->data);
    return rc == ESK_OK ? ESK_OK : fail_from_store(context, store, rc);
}

static void open_bus(world *w)
{
    const esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_new(&w->bus, w->store), ESK_OK);
    assert_int_equal(esk_bus_use(w->bus, &idempotency), ESK_OK);
    assert_int_equal(esk_bus_register(w->bus, "Deposit", on_deposit, w),
                     ESK_OK);
    assert_int_equal(esk_bus_register(w->bus, "Ship", on_ship, w), ESK_OK);
}

static const esk_command deposit = {"Deposit", "deposit-1", NULL, NULL, NULL};

static void dispatch_a_deposit(world *w)
{
    esk_status rc = esk_bus_dispatch(w->bus, &deposit, &w->result);
    step(w, rc, "dispatching", esk_errmsg());
}

static void check_deposit(world *w)
{
    int64_t events = count_of(w, "account-1");
    bool recorded =
        record_number(w, ESK_RECORD_COMMAND, "deposit-1", NULL) >= 0;
    if (w->rc == ESK_OK && !(events == 2 && recorded))
        problem("the command succeeded, but the file holds %lld of its "
                "events and %s outcome",
                (long long)events, recorded ? "its" : "no");
    else if (!(events == 2 && recorded) && !(events == 0 && !recorded))
        problem("the file holds %lld of the command's events and %s outcome",
                (long long)events, recorded ? "its" : "no");
    /* Sent again without the fault: answered from the record if it was
     * kept, handled now if not; deposited once either way. */
    open_bus(w);
    esk_command_result again;
    if (esk_bus_dispatch(w->bus, &deposit, &again) != ESK_OK)
        problem("sending the command again fails: %s", esk_errmsg());
    else if (again.duplicate != recorded)
        problem("sent again, the command is%s a duplicate",
                again.duplicate ? "" : " not");
    int64_t deposits = count_of(w, "account-1");
    if (deposits != 2)
        problem("sent again, the account holds %lld deposits",
                (long long)deposits);
}

static esk_status ship_order(void *ctx, esk_process_context *pc,
                             const esk_event *event)
{
    (void)ctx;
    const esk_command ship = {"Ship", NULL, NULL, event->stream_id, NULL};
    return esk_process_send(pc, &ship, NULL, NULL);
}

static const esk_process shipping = {"shipping", ordered_types, 1,
                                     ship_order, NULL,          NULL};

static void open_runner(world *w)
{
    open_bus(w);
    if (esk_process_runner_new(&w->runner, w->store, w->bus, &shipping) !=
        ESK_OK)
        fail_msg("%s: esk_process_runner_new: %s", where, esk_errmsg());
}

/* Three orders to ship, and an event the process ignores. */
static void with_orders_to_ship(world *w)
{
    seed(w, "order-1", "Ordered", 1);
    seed(w, "noise-1", "Noise", 1);
    seed(w, "order-2", "Ordered", 1);
    seed(w, "order-3", "Ordered", 1);
    open_runner(w);
}

static void run_the_process(world *w)
{
    step(w, esk_process_run(w->runner, NULL), "running the process",
         esk_errmsg());
}

/* Every order at or below the checkpoint shipped once, with its command's
 * outcome; none above. Returns the last order's position. */
static int64_t expect_shipping_follows_checkpoint(world *w, const char *state)
{
    int64_t checkpoint = checkpoint_of(w, "process:shipping");
    int64_t last = 0;
    char wrong[384] = "";
    esk_event_list list = ESK_EVENT_LIST_INIT;
    read_everything(w, &list);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        if (strcmp(e->type, "Ordered") != 0)
            continue;
        last = e->position;
        char shipment[64];
        char command_id[ESK_COMMAND_ID_MAX + 1];
        snprintf(shipment, sizeof(shipment), "shipment-%s",
                 strchr(e->stream_id, '-') + 1);
        snprintf(command_id, sizeof(command_id), "shipping/%s/1", e->event_id);
        int64_t shipped = count_of(w, shipment);
        bool recorded =
            record_number(w, ESK_RECORD_COMMAND, command_id, NULL) >= 0;
        int64_t expected = e->position <= checkpoint ? 1 : 0;
        if (shipped != expected || recorded != (expected == 1)) {
            size_t used = strlen(wrong);
            snprintf(wrong + used, sizeof(wrong) - used,
                     " %lld: shipped %lld times, %s its command's outcome;",
                     (long long)e->position, (long long)shipped,
                     recorded ? "with" : "without");
        }
    }
    esk_event_list_release(&list);
    if (wrong[0] != '\0')
        problem("%s, the checkpoint is at %lld, and the orders at%s", state,
                (long long)checkpoint, wrong);
    return last;
}

static void check_shipping(world *w)
{
    int64_t last = expect_shipping_follows_checkpoint(w, "on reopening");
    if (w->rc == ESK_OK && checkpoint_of(w, "process:shipping") < last)
        problem("the run succeeded, but its checkpoint is at %lld",
                (long long)checkpoint_of(w, "process:shipping"));
    open_runner(w);
    if (esk_process_run(w->runner, NULL) != ESK_OK)
        problem("running again fails: %s", esk_errmsg());
    expect_shipping_follows_checkpoint(w, "after running again");
    if (checkpoint_of(w, "process:shipping") < last)
        problem("running again stops short, at %lld",
                (long long)checkpoint_of(w, "process:shipping"));
}

/* ---- The scenarios ------------------------------------------------------ */

typedef struct scenario {
    const char *name;
    /* Builds what the operation needs; nothing fails there. NULL: an
     * empty store. */
    void (*setup)(world *w);
    /* The operation, with the fault armed; records its steps in w. */
    void (*act)(world *w);
    /* On the reopened file. */
    void (*check)(world *w);
} scenario;

static const scenario scenarios[] = {
    {"append one event", NULL, append_one, check_one},
    {"append a batch", NULL, append_a_batch, check_batch},
    {"append tagged events on a condition", with_a_tagged_order,
     append_tagged_on_a_condition, check_tagged},
    {"append twice in a caller's transaction", NULL, append_in_a_transaction,
     check_two_appends},
    {"append in nested units", NULL, append_in_nested_units, check_two_appends},
    {"go on after a failed inner step", NULL, go_on_after_a_failed_inner_step,
     check_what_was_kept},
    {"put a checkpoint", NULL, put_checkpoint, check_checkpoint},
    {"put a command outcome", NULL, put_command, check_command},
    {"replace a snapshot", with_a_snapshot, put_snapshot, check_snapshot},
    {"catch-up batches into a SQL read model", with_orders_to_project,
     run_the_catchup, check_catchup},
    {"process manager steps", with_orders_to_ship, run_the_process,
     check_shipping},
    {"idempotent command", open_bus, dispatch_a_deposit, check_deposit},
};

enum { SCENARIO_COUNT = sizeof(scenarios) / sizeof(scenarios[0]) };

/* ---- The harness -------------------------------------------------------- */

typedef struct job {
    const scenario *scenario;
    const mode *mode;
} job;

/* One run with call n failing: whether the fault fired. What went wrong
 * is in problems. */
static bool attempt(const job *j, long n)
{
    world w;
    snprintf(where, sizeof(where), "%s (%s), call %ld failing",
             j->scenario->name, j->mode->name, n);
    problems[0] = '\0';
    world_init(&w, j->mode);
    if (j->scenario->setup != NULL)
        j->scenario->setup(&w);
    fault_vfs_arm(n, j->mode->code, j->mode->persistent);
    j->scenario->act(&w);
    fault_vfs_disarm();
    bool fired = fault_vfs_fired();

    check_reported(&w, fired);
    check_left_clean(&w);
    probe(&w);
    world_reopen(&w);
    check_file(&w);
    j->scenario->check(&w);
    world_free(&w);
    return fired;
}

/* Every run, up to the first that makes fewer calls than the one to fail;
 * the report names the runs that went wrong and tells the first in full. */
static void every_write_failure_is_clean(void **state)
{
    const job *j = *state;
    char first[sizeof(where) + sizeof(problems)] = "";
    char failed[256] = "";
    long failures = 0;
    long n = 1;
    for (;; n++) {
        if (n > CALLS_MAX)
            fail_msg("%s: more than %d calls", where, CALLS_MAX);
        bool fired = attempt(j, n);
        if (problems[0] != '\0') {
            if (failures++ == 0)
                snprintf(first, sizeof(first), "%s:%s", where, problems);
            size_t used = strlen(failed);
            snprintf(failed + used, sizeof(failed) - used, " %ld", n);
        }
        if (!fired)
            break;
    }
    if (failures > 0)
        fail_msg("%ld of %ld runs go wrong (the call failing:%s); the "
                 "first:\n  %s",
                 failures, n, failed, first);
    if (n == 1)
        fail_msg("%s: the operation made no write-path call: nothing was "
                 "tested",
                 where);
}

/* ---- A transaction that SQLite rolls back by itself ---------------------
 *
 * No fault VFS: the database may grow by two pages only (PRAGMA
 * max_page_count), so a large append in the middle of a caller's
 * transaction fails with SQLITE_FULL, and SQLite rolls the whole
 * transaction back. The unit of work is then doomed: each later step
 * fails with that cause, the commit too, and nothing of it reaches the
 * file; a rollback succeeds.
 */

static const mode plain = {"no fault", SQLITE_FULL, false,
                           ESK_DURABILITY_NORMAL, 16};

/* begin, append A (small), append B (too large for the page limit). */
static void fill_the_database_in_a_transaction(world *w)
{
    esk_store *s = w->store;
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA max_page_count = %lld",
             (long long)sql_number(w, "PRAGMA page_count") + 2);
    sql(w, pragma);
    problems[0] = '\0';
    assert_int_equal(esk_store_begin(s), ESK_OK);
    assert_int_equal(append(w, "order-1", 1), ESK_OK);
    char *large = padded_data(100000);
    esk_status rc = store_step(
        w, append_typed(s, "order-2", "Ordered", 1, large), "appending B");
    free(large);
    if (rc == ESK_OK)
        fail_msg("%s: the page limit does not stop a large append", where);
}

/* Every failure named the full disk, the store works, and the reopened
 * file holds nothing of A, B or C. */
static void expect_nothing_of_the_unit(world *w)
{
    static const char *const unit[] = {"order-1", "order-2", "order-3"};
    check_reported(w, true);
    check_left_clean(w);
    probe(w);
    world_reopen(w);
    check_file(w);
    for (size_t i = 0; i < 3; i++) {
        int64_t count = count_of(w, unit[i]);
        if (count != 0)
            problem("the file holds %lld events of '%s'", (long long)count,
                    unit[i]);
    }
}

static void report_problems(void)
{
    if (problems[0] != '\0')
        fail_msg("%s:%s", where, problems);
}

static void a_full_database_dooms_the_callers_transaction(void **state)
{
    (void)state;
    world w;
    snprintf(where, sizeof(where), "a full database, then append C and commit");
    world_init(&w, &plain);
    fill_the_database_in_a_transaction(&w);
    if (append(&w, "order-3", 1) == ESK_OK)
        problem("an append after the failed one succeeds");
    if (store_step(&w, esk_store_commit(w.store), "committing") == ESK_OK)
        problem("the commit succeeds");
    expect_nothing_of_the_unit(&w);
    world_free(&w);
    report_problems();
}

static void a_doomed_transaction_rolls_back_cleanly(void **state)
{
    (void)state;
    world w;
    snprintf(where, sizeof(where), "a full database, then roll back");
    world_init(&w, &plain);
    fill_the_database_in_a_transaction(&w);
    if (store_step(&w, esk_store_rollback(w.store), "rolling back") != ESK_OK)
        problem("the rollback fails");
    expect_nothing_of_the_unit(&w);
    world_free(&w);
    report_problems();
}

/* ---- main --------------------------------------------------------------- */

enum { LONG_MODES = 16, JOBS_MAX = SCENARIO_COUNT * LONG_MODES };

static mode modes[LONG_MODES];
static job jobs[JOBS_MAX];
static char names[JOBS_MAX][160];
static struct CMUnitTest tests[JOBS_MAX + 2];

static size_t make_modes(bool long_form)
{
    static const int codes[] = {SQLITE_IOERR, SQLITE_FULL};
    static const size_t pads[] = {6000, 16};
    size_t count = 0;
    for (int persistent = 0; persistent < (long_form ? 2 : 1); persistent++)
        for (int sync = 0; sync < (long_form ? 2 : 1); sync++)
            for (size_t pad = 0; pad < (long_form ? 2u : 1u); pad++)
                for (size_t code = 0; code < 2; code++) {
                    mode *m = &modes[count++];
                    m->code = codes[code];
                    m->persistent = persistent == 1;
                    m->durability =
                        sync == 0 ? ESK_DURABILITY_FULL : ESK_DURABILITY_NORMAL;
                    m->pad = pads[pad];
                    snprintf(m->name, sizeof(m->name), "%s, %s%s%s",
                             code == 0 ? "I/O error" : "disk full",
                             m->persistent ? "from then on" : "once",
                             sync == 0 ? "" : ", synchronous=NORMAL",
                             pad == 0 ? "" : ", small events");
                }
    return count;
}

int main(void)
{
    const char *env = getenv("ESK_TEST_LONG");
    bool long_form = env != NULL && strcmp(env, "1") == 0;
    const char *only = getenv("ESK_VFS_FAULTS_ONLY");
    if (only != NULL)
        cmocka_set_test_filter(only);
    test_use_checked_allocator();

    /* Thousands of small databases: in memory when the system offers a
     * folder there (Linux's /dev/shm). */
    const char *tmp = getenv("TMPDIR");
    if (access("/dev/shm", W_OK) == 0)
        tmp = "/dev/shm";
    snprintf(temp_dir, sizeof(temp_dir), "%s/esk-vfs-faults-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    int rc = fault_vfs_install();
    if (rc != SQLITE_OK) {
        fprintf(stderr, "installing the fault VFS: %s\n", sqlite3_errstr(rc));
        return 1;
    }

    size_t mode_count = make_modes(long_form);
    size_t count = 0;
    for (size_t s = 0; s < SCENARIO_COUNT; s++)
        for (size_t m = 0; m < mode_count; m++) {
            jobs[count] = (job){&scenarios[s], &modes[m]};
            snprintf(names[count], sizeof(names[count]), "%s: %s",
                     scenarios[s].name, modes[m].name);
            tests[count] =
                (struct CMUnitTest){names[count], every_write_failure_is_clean,
                                    NULL, NULL, &jobs[count]};
            count++;
        }
    tests[count++] = (struct CMUnitTest)cmocka_unit_test(
        a_full_database_dooms_the_callers_transaction);
    tests[count++] = (struct CMUnitTest)cmocka_unit_test(
        a_doomed_transaction_rolls_back_cleanly);

    int failures = _cmocka_run_group_tests(
        long_form ? "every write failing, once and from then on"
                  : "every write failing",
        tests, count, NULL, NULL);
    fault_vfs_remove();
    /* A failed run leaves its files behind. */
    for (int i = 0; i < next_file; i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/store-%d.db", temp_dir, i);
        remove_files(path);
    }
    rmdir(temp_dir);
    return failures;
}
