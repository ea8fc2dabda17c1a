/*
 * test_catch_up.h - what the catch-up suite shares: a store with its
 * commands, a projection that records what it is handed (and fails when
 * told to), the checkpoint and the rows as the test reads them, and the
 * tests of each file, which main() in test_catch_up.c runs in order.
 */
#ifndef TEST_CATCH_UP_H
#define TEST_CATCH_UP_H

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "catch_up.h"
#include "exercise.h"
#include "read_model.h"
#include "seats.h"
#include "wait.h"
#include "workshop.h"

/* The seats projection, watched: every event it is handed, and the
 * transaction depth at that moment; at fail_at it applies the event,
 * then fails, as a disk that fills up halfway through would; at
 * crash_at it applies the event and the process ends on the spot. */
typedef struct suite_recorder {
    int64_t positions[64];
    size_t count;
    int outside_transaction; /* events handed to it with no transaction */
    int64_t fail_at;
    int64_t crash_at; /* the process dies there, as if unplugged */
} suite_recorder;

/* The exit status of a process that crashed on purpose. */
#define SUITE_CRASHED 42

/* test_catch_up.c */
esk_store *suite_open_store(const char *path);
void suite_four_events(esk_store *store);
int64_t suite_enrol(esk_store *store, const char *attendee_id);
int64_t suite_cancel(esk_store *store, const char *attendee_id);
esk_projection suite_recording(suite_recorder *recorder);
size_t suite_run(esk_store *store, const esk_projection *projection,
                 size_t batch_size, const char *hint);
int64_t suite_checkpoint(esk_store *store, int *tag);
void suite_set_checkpoint(esk_store *store, int64_t at);
seats_row suite_query(esk_store *store, bool *found);
void suite_sql(esk_store *store, const char *sql);

/* test_catch_up_failures.c */
void a_failing_handler_keeps_nothing_of_its_batch(void **state);
void a_failure_in_a_later_batch_keeps_the_batches_before_it(void **state);
void a_checkpoint_that_cannot_be_saved_keeps_no_rows(void **state);
void a_crash_in_the_middle_of_a_batch_applies_nothing_twice(void **state);
void esk_catchup_takes_over_from_your_checkpoint(void **state);

#endif
