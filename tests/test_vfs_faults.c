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
 *
 * The world, its steps and the checks are in vfs_faults_fixture.c; the
 * operations in vfs_faults_store.c and vfs_faults_runners.c. This file
 * holds the table of scenarios, the harness and main().
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
