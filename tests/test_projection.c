/*
 * tests/test_projection.c - projections inline, live and catch-up, on
 * both stores.
 *
 * Most tests build an attendee's agenda (tests/agenda_read_model.h): in
 * the store's SQLite database on the SQLite store, in memory on the
 * memory store, read the same way through agenda_render(). What only
 * SQLite can do (one transaction for read model and checkpoint, the
 * guarded query side) is in test_projection_sqlite.c.
 *
 * The tests live in projection_inline_and_live.c and
 * projection_catchup.c; this file runs them on each store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "projection_fixture.h"
#include "registration_fixture.h"

#define ON_BOTH_STORES(b)                                                      \
    cmocka_unit_test_prestate(                                                 \
        an_inline_projection_updates_the_read_model_in_the_append, (b)),       \
        cmocka_unit_test_prestate(                                             \
            a_failing_inline_handler_fails_the_append_and_stores_nothing,      \
            (b)),                                                              \
        cmocka_unit_test_prestate(                                             \
            a_detached_projection_no_longer_sees_appends, (b)),                \
        cmocka_unit_test_prestate(attaching_a_projection_twice_is_refused,     \
                                  (b)),                                        \
        cmocka_unit_test_prestate(a_projection_without_handler_is_refused,     \
                                  (b)),                                        \
        cmocka_unit_test_prestate(a_live_projection_folds_one_stream, (b)),    \
        cmocka_unit_test_prestate(                                             \
            a_live_projection_reads_a_long_stream_page_by_page, (b)),          \
        cmocka_unit_test_prestate(a_live_handler_failure_names_the_event,      \
                                  (b)),                                        \
        cmocka_unit_test_prestate(                                             \
            catch_up_applies_every_event_and_saves_its_checkpoint, (b)),       \
        cmocka_unit_test_prestate(a_second_run_applies_nothing, (b)),          \
        cmocka_unit_test_prestate(                                             \
            events_appended_later_are_applied_by_the_next_run, (b)),           \
        cmocka_unit_test_prestate(a_query_right_after_a_command_may_be_stale,  \
                                  (b)),                                        \
        cmocka_unit_test_prestate(                                             \
            the_checkpoint_moves_past_events_the_projection_skips, (b)),       \
        cmocka_unit_test_prestate(small_batches_apply_every_event_once, (b)),  \
        cmocka_unit_test_prestate(                                             \
            a_failing_handler_stops_at_its_event_and_skips_nothing, (b)),      \
        cmocka_unit_test_prestate(a_version_bump_rebuilds_the_read_model,      \
                                  (b)),                                        \
        cmocka_unit_test_prestate(                                             \
            redelivered_events_change_nothing_with_an_idempotent_handler,      \
            (b)),                                                              \
        cmocka_unit_test_prestate(one_row_can_be_fed_by_several_streams, (b)), \
        cmocka_unit_test_prestate(                                             \
            catch_up_reads_old_events_through_the_upcasters, (b)),             \
        cmocka_unit_test_prestate(catch_up_refuses_bad_arguments, (b)),        \
        cmocka_unit_test_prestate(                                             \
            a_projection_named_like_a_process_checkpoint_is_refused, (b)),     \
        cmocka_unit_test_prestate(a_failing_setup_is_reported, (b)),           \
        cmocka_unit_test_prestate(                                             \
            a_step_applies_one_batch_and_leaves_the_rest, (b)),                \
        cmocka_unit_test_prestate(                                             \
            a_step_moves_past_events_the_projection_skips, (b)),               \
        cmocka_unit_test_prestate(                                             \
            a_step_rebuilds_first_when_the_version_changed, (b)),              \
        cmocka_unit_test_prestate(a_failing_handler_stops_a_step_at_its_event, \
                                  (b)),                                        \
        cmocka_unit_test_prestate(a_step_refuses_a_null_runner, (b))

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest on_memory[] = {
        ON_BOTH_STORES((void *)&memory_backend),
    };
    const struct CMUnitTest on_sqlite[] = {
        ON_BOTH_STORES((void *)&sqlite_backend),
    };
    int failed = cmocka_run_group_tests_name("projections on the memory store",
                                             on_memory, NULL, NULL);
    failed += cmocka_run_group_tests_name("projections on the SQLite store",
                                          on_sqlite, NULL, NULL);
    return failed;
}
