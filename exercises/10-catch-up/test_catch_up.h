/*
 * test_catch_up.h - what the catch-up suite shares: the givens, a store with
 * its commands, runner and queries, and the tests of each file, which main() in
 * test_catch_up.c runs in order.
 */
#ifndef TEST_CATCH_UP_H
#define TEST_CATCH_UP_H

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/testing.h>

#include "exercise.h"
#include "read_model.h"
#include "seats.h"
#include "wait.h"
#include "workshop.h"

/* test_catch_up.c */
esk_store *suite_open_store(const char *path);
int64_t suite_schedule(esk_store *store, const char *workshop_id,
                       int64_t capacity);
int64_t suite_enrol(esk_store *store, const char *attendee_id);
int64_t suite_cancel(esk_store *store, const char *attendee_id);
int64_t suite_promote(esk_store *store);
esk_catchup *suite_new_runner(esk_store *store,
                              const esk_projection *projection);
esk_catchup_status suite_run(esk_catchup *catchup, const char *hint);
esk_catchup_status suite_status_of(esk_catchup *catchup);
seats_row suite_query(esk_store *store);
void suite_read_all(esk_store *store, char *buf, size_t size);

/* test_catch_up_runner.c */
void running_catches_up_and_writes_the_checkpoint(void **state);
void running_again_applies_nothing(void **state);
void a_restarted_runner_resumes_at_its_checkpoint(void **state);
void a_query_right_after_a_command_is_stale_until_the_run(void **state);
void waiting_for_the_commands_position_shows_its_effect(void **state);
void waiting_for_a_position_already_reached_runs_nothing(void **state);
void waiting_for_a_position_never_written_is_refused(void **state);
void waiting_behind_an_event_that_cannot_be_read_says_so(void **state);

/* test_catch_up_redelivery.c */
void redelivered_events_are_counted_once(void **state);
void a_new_version_rebuilds_the_read_model_like_a_clean_build(void **state);
void a_rebuild_gives_the_read_model_its_new_layout(void **state);
void an_event_that_cannot_be_read_stops_the_run_there(void **state);

#endif
