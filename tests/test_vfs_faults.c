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
 *     ("database or disk is full", "disk I/O error"), not a follow-on
 *     error of a transaction that SQLite ended by itself ("no such
 *     savepoint", "cannot commit - no transaction is active"); or
 *     succeed, if SQLite got past the failed call, and then have
 *     written the whole unit;
 *   - leave the store working: no transaction left open, and with the
 *     fault gone a fresh append succeeds and reads back;
 *   - leave a file that, closed and reopened, holds the whole unit of work
 *     or none of it, with gap-free positions and versions.
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
 * events. ESK_VFS_FAULTS_ONLY='append*' runs the tests whose names
 * match (cmocka's filter), to replay one failure.
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
    /* The data of every event and record: {"pad":"xxx..."}. */
    char *data;

    /* What the operation said: its first failure, and the message of
     * every step that failed. */
    esk_status rc;
    char messages[MESSAGES_MAX][MESSAGE_SIZE];
    int failures;
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

static void world_open(world *w)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = w->mode->durability;
    esk_error err = {0};
    if (esk_store_open_sqlite(&w->store, w->path, &options, &err) != ESK_OK)
        fail_msg("%s: opening the store: %s", where, err.message);
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
    esk_store_close(w->store);
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
    if (w->failures < MESSAGES_MAX)
        snprintf(w->messages[w->failures++], MESSAGE_SIZE, "%s: %s (%s)", doing,
                 message, esk_status_str(rc));
    return rc;
}

static esk_status store_step(world *w, esk_status rc, const char *doing)
{
    return step(w, rc, doing, esk_store_errmsg(w->store));
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

/* ---- Reading the file back ---------------------------------------------- */

/* The number of events in a stream, -1 when it cannot be read (the read
 * itself fails on a gap in the versions). */
static int64_t count_of(world *w, const char *stream)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (esk_store_read_stream(w->store, stream, 1, 0, &list) != ESK_OK) {
        problem("reading '%s' fails: %s", stream, esk_store_errmsg(w->store));
        return -1;
    }
    int64_t n = (int64_t)list.count;
    esk_event_list_free(&list);
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
        problem("reading record '%s' fails: %s", key,
                esk_store_errmsg(w->store));
        return -1;
    }
    if (same_data != NULL)
        *same_data = strcmp(record.value, w->data) == 0;
    int64_t number = record.number;
    esk_free(owned);
    return number;
}

/* Every event, in order; the read fails on a gap in the positions. */
static bool read_everything(world *w, esk_event_list *list)
{
    if (esk_store_read_all(w->store, 0, 0, NULL, list) == ESK_OK)
        return true;
    problem("reading every event fails: %s", esk_store_errmsg(w->store));
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
    const char *cause =
        code == SQLITE_FULL ? "database or disk is full" : "disk I/O error";
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
    for (int i = 0; fired && i < w->failures; i++)
        expect_cause(w->messages[i], w->mode->code);
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
        problem("with the fault gone, an append fails: %s",
                esk_store_errmsg(w->store));
        return;
    }
    esk_event_list list = ESK_EVENT_LIST_INIT;
    if (esk_store_read_stream(w->store, "probe-1", 1, 0, &list) != ESK_OK) {
        problem("with the fault gone, a read fails: %s",
                esk_store_errmsg(w->store));
        return;
    }
    bool read_back =
        list.count == 1 && strcmp(list.events[0].data, PROBE_JSON) == 0;
    esk_event_list_free(&list);
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
    esk_event_list_free(&list);
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
    {"put a checkpoint", NULL, put_checkpoint, check_checkpoint},
    {"put a command outcome", NULL, put_command, check_command},
    {"replace a snapshot", with_a_snapshot, put_snapshot, check_snapshot},
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

/* ---- main --------------------------------------------------------------- */

enum { LONG_MODES = 16, JOBS_MAX = SCENARIO_COUNT * LONG_MODES };

static mode modes[LONG_MODES];
static job jobs[JOBS_MAX];
static char names[JOBS_MAX][160];
static struct CMUnitTest tests[JOBS_MAX];

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
