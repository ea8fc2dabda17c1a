/*
 * tests/crash_fixture.h - what the writer killed at random moments
 * shares between the child that writes and the parent that checks: the
 * acknowledgements, the writer's plan, the round's log. The tests of
 * crash_tests.c run on the store under test (store_under_test.h): a
 * SQLite file in test_crash.c, a PostgreSQL schema in
 * test_postgres_crash.c.
 */
#ifndef ESK_TESTS_CRASH_FIXTURE_H
#define ESK_TESTS_CRASH_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/store.h"
#include "process_fixture.h"
#include "store_under_test.h"

enum {
    STREAMS = 4,
    BATCH_MAX = 5,     /* events in one append */
    UNIT_MAX = 4,      /* appends in one transaction */
    ROUNDS = 20,       /* kills in the default run */
    ROUNDS_LONG = 100, /* with ESK_TEST_LONG=1 */
    /* Most kills land up to this long after the first acknowledged
     * append: long enough for a few hundred more. */
    KILL_WINDOW_US = 30000,
    /* A writer the parent forgot to kill stops by itself. */
    BATCHES_PER_WRITER_MAX = 1000000,
    WRITER_ALARM_SECONDS = 60,
    READ_CHUNK = 4096,
};

/*
 * What a writer reports after each acknowledged append, one write() of
 * whole records per unit of work (a pipe write this small is atomic, so
 * the parent reads all of a unit's records or none). A record with batch
 * -1 marks a moment the test waits for.
 */
typedef struct ack {
    int32_t round;
    int32_t batch;
    int32_t size;   /* events in the batch */
    int32_t stream; /* ledger-<stream> */
    int64_t version;
    int64_t position; /* of the batch's last event */
} ack;

typedef enum writer_plan {
    /* Single appends and transactions of 2 to UNIT_MAX appends, in a
     * loop, until killed. */
    PLAN_UNTIL_KILLED,
    /* One append, then a transaction of three appends left open. */
    PLAN_HOLD_OPEN_TRANSACTION,
    /* One append, then a transaction of three appends, committed. */
    PLAN_HOLD_AFTER_COMMIT,
} writer_plan;

typedef struct writer {
    const char *path; /* where the store is: a file or a schema */
    int round;
    uint64_t seed;
    esk_durability durability;
    writer_plan plan;
    int ack_fd;    /* the child's end of the pipe */
    int parent_fd; /* the parent's end, closed in the child */
} writer;

/* One batch as found in the store. */
typedef struct batch_seen {
    bool present;
    int size;
    int stream;
    int unit_first;
    int unit_count;
    int64_t version;  /* of its last event */
    int64_t position; /* of its last event */
} batch_seen;

/* One round: what its writer acknowledged, and what the store holds. */
typedef struct round_log {
    ack *acks;
    size_t ack_count;
    size_t ack_capacity;
    batch_seen *seen; /* indexed by batch number */
    size_t seen_capacity;
    size_t present; /* batches 0..present-1 are stored (after a check) */
} round_log;

/* crash_tests.c: the tests, on under_test at where. */
void crash_kills_at_random_moments(const char *where);
void crash_kill_inside_a_transaction(const char *where);
void crash_kill_after_a_commit(const char *where);

/* crash_writer.c */
int writer_main(void *ctx);

/* crash_checks.c */
void free_logs(round_log *logs, int count);
bool collect_acks(int fd, round_log *log, int64_t deadline,
                  bool stop_at_marker);
int64_t check_store(const char *path, round_log *logs, int rounds,
                    const char *when);
void wait_for_the_kill(int fd, round_log *log, process_rng *rng);
bool killed_by_sigkill(int status);

#endif
