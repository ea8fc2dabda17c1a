/*
 * tests/crash_tests.c - what survives a writer killed at a random moment,
 * on the backend under test (crash_fixture.h). test_crash.c runs these on
 * a SQLite file, test_postgres_crash.c on a PostgreSQL schema; the top of
 * test_crash.c says what is checked after every kill.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_fixture.h"
#include "esk/store.h"
#include "process_fixture.h"

void crash_kills_at_random_moments(const char *path)
{
    int rounds = process_long_form() ? ROUNDS_LONG : ROUNDS;
    process_rng rng;
    process_rng_init(&rng, process_seed(__func__));
    round_log *logs = calloc((size_t)rounds, sizeof *logs);
    assert_non_null(logs);
    size_t acknowledged = 0;
    int caught_after_commit = 0, before_any_ack = 0;
    int64_t events = 0;

    for (int round = 0; round < rounds; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        writer w = {path,
                    round,
                    process_rng_next(&rng),
                    round % 2 ? ESK_DURABILITY_FULL : ESK_DURABILITY_NORMAL,
                    PLAN_UNTIL_KILLED,
                    fds[1],
                    fds[0]};
        pid_t pid = process_spawn(writer_main, &w, WRITER_ALARM_SECONDS);
        close(fds[1]);

        wait_for_the_kill(fds[0], &logs[round], &rng);
        int status = process_kill(pid);
        collect_acks(fds[0], &logs[round], 0, false);
        close(fds[0]);
        if (!killed_by_sigkill(status)) {
            char why[64];
            fail_msg("round %d: the writer %s before it was killed", round,
                     process_describe(status, why, sizeof why));
        }

        char when[64];
        snprintf(when, sizeof when, "after the kill of round %d", round);
        events = check_store(path, logs, round + 1, when);
        acknowledged += logs[round].ack_count;
        caught_after_commit += logs[round].present > logs[round].ack_count;
        before_any_ack += logs[round].ack_count == 0;
    }
    printf("%d kills: %zu acknowledged appends, %" PRId64 " events stored; "
           "%d kills caught a commit before its acknowledgement, %d came "
           "before the first acknowledgement\n",
           rounds, acknowledged, events, caught_after_commit, before_any_ack);
    free_logs(logs, rounds);
}

/* Run a writer that stops at a known moment (plan), kill it there, and
 * log what it acknowledged. */
static void kill_at_marker(const char *path, writer_plan plan, round_log *log)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    writer w = {path, 0, 1, ESK_DURABILITY_NORMAL, plan, fds[1], fds[0]};
    pid_t pid = process_spawn(writer_main, &w, WRITER_ALARM_SECONDS);
    close(fds[1]);
    bool at_marker = !collect_acks(fds[0], log, 0, true);
    int status = process_kill(pid);
    collect_acks(fds[0], log, 0, false);
    close(fds[0]);
    char why[64];
    if (!at_marker || !killed_by_sigkill(status))
        fail_msg("the writer %s before it reached the moment to kill it",
                 process_describe(status, why, sizeof why));
}

/* The kill also proves that a dead writer's lock dies with it: another
 * writer, which will not wait at all (on SQLite), gets in at once. */
static void assert_a_new_writer_gets_in(const char *path)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = under_test->killed_lock_wait_ms;
    esk_store *store = under_test_open(path, &options);
    const esk_new_event event = {NULL, "Entered", 1, "{}", NULL};
    if (esk_store_append(store, "after-1", ESK_NO_STREAM, &event, 1, NULL) !=
        ESK_OK)
        fail_msg("appending after the kill: %s", esk_errmsg());
    esk_store_free(store);
}

void crash_kill_inside_a_transaction(const char *path)
{
    round_log log = {NULL, 0, 0, NULL, 0, 0};

    /* Killed with three appends made in a transaction not yet committed. */
    kill_at_marker(path, PLAN_HOLD_OPEN_TRANSACTION, &log);
    check_store(path, &log, 1, "after a kill inside a transaction");
    assert_int_equal(log.ack_count, 1);
    assert_int_equal(log.present, 1); /* the append before it, only */
    assert_a_new_writer_gets_in(path);
    free(log.acks);
    free(log.seen);
}

void crash_kill_after_a_commit(const char *path)
{
    round_log log = {NULL, 0, 0, NULL, 0, 0};

    kill_at_marker(path, PLAN_HOLD_AFTER_COMMIT, &log);
    check_store(path, &log, 1, "after a kill after a commit");
    assert_int_equal(log.ack_count, 4);
    assert_int_equal(log.present, 4);
    assert_a_new_writer_gets_in(path);
    free(log.acks);
    free(log.seen);
}
