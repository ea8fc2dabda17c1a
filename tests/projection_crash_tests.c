/*
 * tests/projection_crash_tests.c - a catch-up projection killed mid-batch,
 * again and again, on the backend under test (projection_crash_fixture.h).
 * test_projection_crash.c says what is checked, and runs it on a SQLite
 * file; test_postgres_projection_crash.c on a PostgreSQL schema.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/projection.h"
#include "esk/store.h"
#include "process_fixture.h"
#include "projection_crash_fixture.h"

/* Where a kill lands, in turn. */
typedef enum kill_mode {
    /* While the handler of a chosen event is blocked: inside a batch, for
     * certain. */
    IN_A_HANDLER,
    /* Right after a chosen commit: where a read model committed apart
     * from its checkpoint would be caught ahead of it. */
    AFTER_A_COMMIT,
    /* After a random delay: wherever the runner is, even in the open or
     * in a commit. */
    AT_RANDOM,
} kill_mode;

static const char *const mode_names[] = {
    "blocked in a handler", "right after a commit", "at a random moment"};

void killed_projection_ends_as_if_it_had_run_once(const char *path,
                                                  const char *table,
                                                  const char *clean_table)
{
    process_rng rng;
    process_rng_init(&rng, process_seed(__func__));
    int kills = process_long_form() ? KILLS_LONG : KILLS;
    history *h = calloc(1, sizeof *h);
    int64_t *handled = calloc(EVENTS, sizeof *handled);
    assert_non_null(h);
    assert_non_null(handled);
    append_history(path, &rng, h);

    int64_t checkpoint = 0;
    int in_handler = 0, mid_batch = 0, finished_first = 0;
    /* Each kill lets the projection get about twice its share of the
     * events further, so that the kills spread over the whole run. */
    size_t span = 2 * (size_t)EVENTS / (size_t)kills;
    for (int k = 0; k < kills; k++) {
        size_t left = handled_after(h, checkpoint, handled);
        if (left == 0)
            break;
        kill_mode mode = (kill_mode)(k % 3);
        size_t target = (size_t)process_rng_below(
            &rng, left < span ? (uint64_t)left : (uint64_t)span);
        int commit = 1 + (int)process_rng_below(&rng, span / BATCH_SIZE + 2);
        int64_t delay =
            (int64_t)process_rng_below(&rng, span * 2 * HANDLER_DELAY_US);
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        runner r = {path,
                    {table, fds[1], mode == IN_A_HANDLER ? handled[target] : 0,
                     HANDLER_DELAY_US},
                    mode == AFTER_A_COMMIT ? commit : 0,
                    0,
                    fds[0]};
        pid_t pid = process_spawn(runner_main, &r, CHILD_ALARM_SECONDS);
        close(fds[1]);

        /* Follow the runner's progress until the moment to kill it. */
        int64_t last = 0, got;
        bool reached = false;
        int64_t deadline = process_now_us() + delay;
        for (;;) {
            if (mode == AT_RANDOM) {
                int64_t wait = deadline - process_now_us();
                if (wait <= 0 || !process_readable(fds[0], wait))
                    break;
            }
            if (process_read_record(fds[0], &got, sizeof got) !=
                (ssize_t)sizeof got)
                break; /* the runner ended */
            if (got == AFTER_COMMIT_MARK || got == r.model.block_at) {
                reached = true;
                if (got != AFTER_COMMIT_MARK)
                    last = got;
                break;
            }
            last = got;
        }
        int status = process_kill(pid);
        while (process_read_record(fds[0], &got, sizeof got) ==
               (ssize_t)sizeof got)
            last = got == AFTER_COMMIT_MARK ? last : got;
        close(fds[0]);

        char why[64], when[96];
        process_describe(status, why, sizeof why);
        bool killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!killed && !finished)
            fail_msg("kill %d: the projection runner %s", k + 1, why);
        if (mode == IN_A_HANDLER && !reached)
            fail_msg("kill %d: the runner %s before it reached position "
                     "%" PRId64,
                     k + 1, why, handled[target]);
        snprintf(when, sizeof when, "after kill %d (%s)", k + 1,
                 mode_names[mode]);
        int64_t before = checkpoint;
        checkpoint = check_read_model(path, h, "counters", table, when);
        if (mode == IN_A_HANDLER) {
            /* The batches before the blocked event committed, its own did
             * not: the checkpoint is the end of the last whole batch. */
            size_t whole = target / BATCH_SIZE * BATCH_SIZE;
            int64_t want = whole == 0 ? before : handled[whole - 1];
            if (checkpoint != want)
                fail_msg("%s: the checkpoint is %" PRId64 ", the last whole "
                         "batch ended at %" PRId64,
                         when, checkpoint, want);
            in_handler++;
        }
        mid_batch += killed && last > checkpoint;
        finished_first += finished;
    }

    /* A last run to the end, then a clean run of a second projection. */
    counter_model model = {table, -1, 0, 0};
    run_to_the_end(path, "counters", &model, BATCH_SIZE);
    check_read_model(path, h, "counters", table, "after the last run");
    counter_model clean = {clean_table, -1, 0, 0};
    run_to_the_end(path, "counters_clean", &clean, 500);
    check_read_model(path, h, "counters_clean", clean_table,
                     "after the clean run");
    assert_tables_equal(path, table, clean_table);

    printf("%d kills, %d of them in the middle of a batch, %d runs finished "
           "before their kill; the kills left the checkpoint at %" PRId64
           " of %d\n",
           kills, mid_batch, finished_first, checkpoint, EVENTS);
    /* Every kill in a handler is mid-batch; random ones may be too. */
    assert_true(mid_batch >= in_handler);
    free(handled);
    free(h);
}
