/*
 * test_catch_up_failures.c - when something fails in the middle of a
 * batch: a handler, the checkpoint's write, the whole process. Afterwards
 * the rows and the checkpoint must agree, and the next run must give the
 * read model a clean run gives: each event counted exactly once.
 */
/* mkstemp, fork, _exit */
#define _POSIX_C_SOURCE 200809L

#include "test_catch_up.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The read model after @1-@4, counted once each. */
static void expect_counted_once(esk_store *store, const char *hint)
{
    seats_row row = suite_query(store, NULL);
    check_int(row.taken, 2, hint);
    check_int(row.waiting, 1, hint);
    check_int(suite_checkpoint(store, NULL), 4, hint);
}

void a_failing_handler_keeps_nothing_of_its_batch(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_recorder recorder = {.fail_at = 3};
    esk_projection watched = suite_recording(&recorder);

    exercise_say("the handler fails at @3, after writing its row");
    size_t applied = 99;
    esk_status rc = catch_up_batch(store, &watched, 100, &applied);
    check_true(rc != ESK_OK && rc != ESK_ENOTIMPL,
               "The handler failed at @3: catch_up_batch() returns its "
               "failure. ESK_OK would say the batch is done.");
    check_contains(esk_errmsg(), "the disk filled up at @3",
                   "The handler's reason is in the last error: return its "
                   "status as it came. A rollback that succeeds clears the "
                   "last error: copy it first (esk_error saved = "
                   "*esk_error_last();) and set it again after the rollback "
                   "(esk_error_set(rc, \"%s\", saved.message)).");
    check_int(applied, 0, "Nothing of a failed batch is applied.");
    check_int(esk_store_transaction_depth(store), 0,
              "esk_store_rollback() after the failure: a transaction left "
              "open holds the write lock, and its rows would be committed "
              "by whoever commits next.");
    bool found = true;
    suite_query(store, &found);
    check_true(!found,
               "The rows of @1 and @2 are undone with @3's: they were in "
               "the same transaction, which rolled back. (Committing event "
               "by event keeps them while the checkpoint stays at 0: the "
               "next run counts them again.)");
    check_int(suite_checkpoint(store, NULL), 0,
              "The checkpoint stays where it was, at 0: write it inside "
              "the transaction, after the events, never before BEGIN.");

    exercise_say("the disk has room again");
    recorder.fail_at = 0;
    suite_run(store, &watched, 100, "The next run applies @1-@4 again.");
    expect_counted_once(store, "After the failure and a run that worked, "
                               "every event is counted exactly once.");
    esk_store_free(store);
}

void a_failure_in_a_later_batch_keeps_the_batches_before_it(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_recorder recorder = {.fail_at = 3};
    esk_projection watched = suite_recording(&recorder);

    size_t applied = 99;
    esk_status rc = catch_up_run(store, &watched, 2, &applied);
    check_true(rc != ESK_OK && rc != ESK_ENOTIMPL,
               "The second batch failed: catch_up_run() stops and returns "
               "the failure.");
    check_int(applied, 2,
              "The first batch (@1, @2) committed before: the run applied "
              "2 events.");
    check_int(suite_checkpoint(store, NULL), 2,
              "The checkpoint is at the end of the last batch that "
              "committed, @2.");
    check_int(suite_query(store, NULL).taken, 1,
              "The read model agrees with it: ada's seat, not bob's.");

    recorder.fail_at = 0;
    suite_run(store, &watched, 2, "The next run goes on from @2.");
    expect_counted_once(store, "Every event counted exactly once.");
    esk_store_free(store);
}

void a_checkpoint_that_cannot_be_saved_keeps_no_rows(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);

    exercise_say("the checkpoints table refuses writes");
    suite_sql(store, "CREATE TRIGGER full BEFORE INSERT ON checkpoints "
                     "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); "
                     "END");
    size_t applied = 99;
    esk_status rc = catch_up_batch(store, &seats_projection, 100, &applied);
    check_true(rc != ESK_OK && rc != ESK_ENOTIMPL,
               "esk_store_put_record() failed: return its failure. The "
               "rows are not done if the checkpoint does not say so.");
    check_contains(esk_errmsg(), "full",
                   "The store's reason is in the last error, kept across the "
                   "rollback as the handler's is.");
    check_int(esk_store_transaction_depth(store), 0,
              "The failed batch is rolled back, and closed.");
    bool found = true;
    suite_query(store, &found);
    check_true(!found,
               "No row is kept without its checkpoint: save the checkpoint "
               "BEFORE esk_store_commit(), in the same transaction. Rows "
               "committed first, with the checkpoint written after, are "
               "counted again by the next run.");

    suite_sql(store, "DROP TRIGGER full");
    suite_run(store, &seats_projection, 100,
              "Once the checkpoint can be written, the run applies @1-@4.");
    expect_counted_once(store, "Every event counted exactly once.");
    esk_store_free(store);
}

/* A store in a file of its own; *path receives its name. */
static void temp_path(char *path, size_t size)
{
    snprintf(path, size, "/tmp/esk-catch-up-XXXXXX");
    int fd = mkstemp(path);
    check_true(fd >= 0, "The test makes a temporary file.");
    close(fd);
}

static void remove_store_files(const char *path)
{
    char name[128];
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
        unlink(name);
    }
}

/* In a child process: run with batches of two, and die inside the
 * handler of @crash_at, in the middle of a batch. */
static int run_and_crash(const char *path, int64_t crash_at)
{
    pid_t pid = fork();
    if (pid == 0) {
        esk_store *store = NULL;
        if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
            _exit(1);
        suite_recorder recorder = {.crash_at = crash_at};
        esk_projection watched = suite_recording(&recorder);
        size_t applied = 0;
        catch_up_run(store, &watched, 2, &applied);
        _exit(2); /* it never reached the crash */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void a_crash_in_the_middle_of_a_batch_applies_nothing_twice(void **state)
{
    (void)state;
    char path[64];
    temp_path(path, sizeof(path));
    esk_store *store = suite_open_store(path);
    suite_four_events(store);
    esk_store_free(store);

    exercise_say("a runner dies in the middle of its second batch, at @4");
    check_int(run_and_crash(path, 4), SUITE_CRASHED,
              "A runner in another process applied @1-@3 and died in the "
              "handler of @4 (if this fails, the run stopped before it: "
              "run the other tests first).");

    store = suite_open_store(path);
    check_int(suite_checkpoint(store, NULL), 2,
              "After the crash the checkpoint is where the last committed "
              "batch left it: @2. Nothing of the batch @3-@4 was "
              "committed.");
    check_int(suite_query(store, NULL).taken, 1,
              "The rows agree with the checkpoint: ada is counted, bob "
              "(@3, in the batch that died) is not. A row of @3 kept here "
              "(committed on its own, or before its checkpoint) is counted "
              "again by the next run.");
    suite_run(store, &seats_projection, 2,
              "After the restart, the run goes on from @2.");
    expect_counted_once(store, "A crash, a restart, and every event is "
                               "counted exactly once.");
    esk_store_free(store);
    remove_store_files(path);
}

void esk_catchup_takes_over_from_your_checkpoint(void **state)
{
    (void)state;
    esk_store *store = suite_open_store(":memory:");
    suite_four_events(store);
    suite_run(store, &seats_projection, 100, "Your runner applies @1-@4.");

    exercise_say("the library's runner, esk_catchup, takes over");
    esk_catchup *catchup = NULL;
    check_status(esk_catchup_new(&catchup, store, &seats_projection, NULL),
                 ESK_OK, "esk_catchup_new() on the same projection.");
    esk_catchup_status status = {0};
    check_status(esk_catchup_status_get(catchup, &status), ESK_OK,
                 "esk_catchup reads your checkpoint record.");
    check_int(status.checkpoint, 4,
              "esk_catchup finds your checkpoint at @4: same kind, key "
              "\"seats\", and the tag is the projection's version (a "
              "checkpoint of another version counts as 0, and means a "
              "rebuild).");
    check_status(esk_catchup_run(catchup, &status), ESK_OK,
                 "esk_catchup_run() goes on from there.");
    check_int(status.applied, 0, "Nothing new: it applies nothing.");
    suite_enrol(store, "dan");
    check_status(esk_catchup_run(catchup, &status), ESK_OK,
                 "esk_catchup_run() applies dan's registration.");
    check_int(suite_query(store, NULL).waiting, 2,
              "cleo and dan wait: the library's runner went on where "
              "yours stopped, counting nothing twice.");
    esk_catchup_free(catchup);
    esk_store_free(store);
}
