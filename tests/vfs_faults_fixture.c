/*
 * tests/vfs_faults_fixture.c - the world an operation runs in (a store in
 * a file with a small page cache), its steps, reading the file back, and
 * the checks common to every run.
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
#include "vfs_faults_fixture.h"

/* What the current run is, for every failure message. */
char where[256];
char temp_dir[64];
int next_file;

/* What the current run did wrong, one line each. A run goes on after a
 * problem, so that its report says everything: the message, whether the
 * store still works, and what the file held. */
char problems[4096];

void problem(const char *format, ...)
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

void remove_files(const char *path)
{
    char name[160];
    unlink(path);
    snprintf(name, sizeof(name), "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof(name), "%s-shm", path);
    unlink(name);
}

void sql(world *w, const char *statement)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(w->store), statement, NULL, NULL,
                     &message) != SQLITE_OK)
        fail_msg("%s: %s: %s", where, statement, message);
}

int64_t sql_number(world *w, const char *query)
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

char *padded_data(size_t pad)
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
void world_init(world *w, const mode *m)
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

void world_reopen(world *w)
{
    world_release(w);
    world_open(w);
}

void world_free(world *w)
{
    world_release(w);
    free(w->data);
    remove_files(w->path);
}

/* ---- Steps of an operation ---------------------------------------------- */

esk_status step(world *w, esk_status rc, const char *doing, const char *message)
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

esk_status store_step(world *w, esk_status rc, const char *doing)
{
    int before = w->failures;
    step(w, rc, doing, esk_errmsg());
    if (w->failures > before)
        w->exts[before] = (int)esk_error_last()->ext;
    return rc;
}

esk_status append_typed(esk_store *store, const char *stream, const char *type,
                        size_t n, const char *data)
{
    esk_new_event events[BATCH];
    assert_true(n <= BATCH);
    for (size_t i = 0; i < n; i++)
        events[i] = (esk_new_event){NULL, type, 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, events, n, NULL);
}

esk_status append(world *w, const char *stream, size_t n)
{
    char doing[96];
    snprintf(doing, sizeof(doing), "appending to '%s'", stream);
    return store_step(w, append_typed(w->store, stream, "Ordered", n, w->data),
                      doing);
}

/* Before the fault is armed: must succeed. */
void seed(world *w, const char *stream, const char *type, size_t n)
{
    if (append_typed(w->store, stream, type, n, w->data) != ESK_OK)
        fail_msg("%s: seeding '%s': %s", where, stream, esk_errmsg());
}

/* What a caller does after a failure: roll back what is still open. */
void roll_back_open(world *w)
{
    while (esk_store_transaction_depth(w->store) > 0)
        store_step(w, esk_store_rollback(w->store), "rolling back");
}

/* ---- Reading the file back ---------------------------------------------- */

/* The number of events in a stream, -1 when it cannot be read (the read
 * itself fails on a gap in the versions). */
int64_t count_of(world *w, const char *stream)
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
int64_t record_number(world *w, esk_record_kind kind, const char *key,
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

int64_t checkpoint_of(world *w, const char *key)
{
    int64_t position = record_number(w, ESK_RECORD_CHECKPOINT, key, NULL);
    return position < 0 ? 0 : position;
}

/* Every event, in order; the read fails on a gap in the positions. */
bool read_everything(world *w, esk_event_list *list)
{
    if (esk_store_read_all(w->store, 0, 0, NULL, list) == ESK_OK)
        return true;
    problem("reading every event fails: %s", esk_errmsg());
    return false;
}

void expect_whole_or_none(world *w, const part *parts, size_t n)
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

void check_reported(world *w, bool fired)
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

void check_left_clean(world *w)
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
void probe(world *w)
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
void check_file(world *w)
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
