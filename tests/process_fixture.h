/*
 * tests/process_fixture.h - what the tests that kill and race processes
 * share: a scratch folder, child processes that are always reaped, a
 * seeded random generator, pipes of fixed-size records and the long form.
 *
 * A test that forks must never leave a process behind, even when one of
 * its assertions fails: cmocka leaves the test body with a longjmp, so the
 * children are registered here and the teardown (process_teardown) kills
 * and reaps whatever is still running, then removes the scratch folder.
 * Register each test with
 *
 *   cmocka_unit_test_setup_teardown(test, process_setup, process_teardown)
 *
 * and find the folder in *state (a process_scratch).
 *
 * Close every SQLite connection (every SQLite store) before forking: a
 * child that inherits one shares the parent's record of which file locks
 * are held, and its own connections to that file then misjudge them.
 */
#ifndef ESK_TESTS_PROCESS_FIXTURE_H
#define ESK_TESTS_PROCESS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The scratch folder of one test. */
typedef struct process_scratch {
    char dir[64];
} process_scratch;

/* cmocka setup and teardown: make the folder; kill and reap every child
 * still registered, then remove the folder with everything in it. */
int process_setup(void **state);
int process_teardown(void **state);

/* buf = the scratch folder / name. */
void process_path(const process_scratch *scratch, const char *name, char *buf,
                  size_t size);

/* Whether ESK_TEST_LONG=1 asks for the long form of the tests. */
bool process_long_form(void);

/*
 * The seed of a test's random choices: ESK_TEST_SEED when set (to replay a
 * failure), else one from the clock. Printed with the test's name, so
 * that a failing run says how to replay it.
 */
uint64_t process_seed(const char *test_name);

/* A small, seeded, reproducible random generator (splitmix64). */
typedef struct process_rng {
    uint64_t state;
} process_rng;

void process_rng_init(process_rng *rng, uint64_t seed);
uint64_t process_rng_next(process_rng *rng);
/* A number in [0, n); n > 0. */
uint64_t process_rng_below(process_rng *rng, uint64_t n);

/*
 * Fork a child that runs child_main(ctx) and leaves with _exit() and its
 * return value, never returning into the test runner. The child uses the
 * standard allocator (nothing of the parent's esk objects is touched in
 * it), has cmocka's signal handlers removed (a crash kills it, as it
 * would a real program), and is killed by SIGALRM after alarm_seconds if
 * anything makes it hang. The child is registered for the teardown.
 * Returns its pid; fails the test when fork fails.
 */
pid_t process_spawn(int (*child_main)(void *ctx), void *ctx,
                    unsigned alarm_seconds);

/* Wait for a registered child and unregister it. Returns its wait
 * status. */
int process_wait(pid_t pid);

/* SIGKILL a registered child, reap it and unregister it. Returns its wait
 * status (it may have exited on its own just before). */
int process_kill(pid_t pid);

/* Kill and reap every registered child (the teardown does it too). */
void process_kill_all(void);

/* "exited with 3", "killed by signal 9": for failure messages. */
const char *process_describe(int status, char *buf, size_t size);

/* Write all of buf, going on after EINTR. False on any other error. */
bool process_write_all(int fd, const void *buf, size_t size);

/*
 * Read exactly size bytes, going on after EINTR and short reads. Returns
 * size, 0 at end of file before the first byte, or -1 on an error or an
 * end of file in the middle of the record.
 */
ssize_t process_read_record(int fd, void *buf, size_t size);

/* Whether fd has something to read (or is at end of file) within
 * timeout_us microseconds. */
bool process_readable(int fd, int64_t timeout_us);

/* The monotonic clock, in microseconds. */
int64_t process_now_us(void);

/* Sleep for us microseconds, going on after signals. */
void process_sleep_us(int64_t us);

#endif
