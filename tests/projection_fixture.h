/*
 * tests/projection_fixture.h - what the projection tests
 * (test_projection.c) share: a store of the test's backend with an agenda
 * beside it, a catch-up runner, and the tests of each file.
 */
#ifndef ESK_TESTS_PROJECTION_FIXTURE_H
#define ESK_TESTS_PROJECTION_FIXTURE_H

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "registration_fixture.h"

enum { TEXT_MAX = 512 };

/* Counts what it is given, to see pages and upcasts. */
typedef struct recorder {
    int calls;
    int last_schema_version;
    char last_data[128];
} recorder;

/* projection_fixture.c */
void open_store(fixture *f, agenda *a, void **state);
void assert_agenda(agenda *a, fixture *f, const char *expected);
esk_catchup *new_catchup(fixture *f, const esk_projection *p);
void run_ok(esk_catchup *c, esk_catchup_status *st);

/* projection_inline_and_live.c */
void an_inline_projection_updates_the_read_model_in_the_append(void **state);
void a_failing_inline_handler_fails_the_append_and_stores_nothing(void **state);
void a_detached_projection_no_longer_sees_appends(void **state);
void attaching_a_projection_twice_is_refused(void **state);
void a_projection_without_handler_is_refused(void **state);
void a_live_projection_folds_one_stream(void **state);
esk_status record_event(void *ctx, esk_store *store, const esk_event *event);
void a_live_projection_reads_a_long_stream_page_by_page(void **state);
void a_live_handler_failure_names_the_event(void **state);

/* projection_catchup.c */
void catch_up_applies_every_event_and_saves_its_checkpoint(void **state);
void a_second_run_applies_nothing(void **state);
void events_appended_later_are_applied_by_the_next_run(void **state);
void a_query_right_after_a_command_may_be_stale(void **state);
void the_checkpoint_moves_past_events_the_projection_skips(void **state);
void small_batches_apply_every_event_once(void **state);
void a_failing_handler_stops_at_its_event_and_skips_nothing(void **state);
void a_version_bump_rebuilds_the_read_model(void **state);
void redelivered_events_change_nothing_with_an_idempotent_handler(void **state);
void one_row_can_be_fed_by_several_streams(void **state);
void catch_up_reads_old_events_through_the_upcasters(void **state);
void catch_up_refuses_bad_arguments(void **state);
void a_projection_named_like_a_process_checkpoint_is_refused(void **state);
void a_failing_setup_is_reported(void **state);

/* projection_catchup_step.c */
void a_step_applies_one_batch_and_leaves_the_rest(void **state);
void a_step_moves_past_events_the_projection_skips(void **state);
void a_step_rebuilds_first_when_the_version_changed(void **state);
void a_failing_handler_stops_a_step_at_its_event(void **state);
void a_step_refuses_a_null_runner(void **state);

#endif
