/*
 * tests/test_extremes.c - every public integer parameter at its extremes.
 *
 * Each call runs on a memory store and a SQLite store holding the same
 * events, with INT64_MIN, -1, 0, 1, INT64_MAX and their neighbours (and
 * SIZE_MAX for sizes, INT_MIN and INT_MAX for ints), and both stores must
 * give the same status and the same answer. Under the asan preset UBSan
 * aborts at the first overflow (-fno-sanitize-recover=all), so these tests
 * also prove that no value makes esk compute out of range.
 *
 * The tests live in extremes_store.c and extremes_modules.c; this file
 * runs them in order.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "aggregate_fixture.h"
#include "esk/decider.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"
#include "extremes_fixture.h"

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_reads_agree_from_any_version_with_any_count),
        cmocka_unit_test(query_reads_agree_after_any_position_with_any_count),
        cmocka_unit_test(conditions_agree_after_any_position),
        cmocka_unit_test(tag_and_item_counts_past_their_limits_are_refused),
        cmocka_unit_test(global_reads_agree_after_any_position_with_any_count),
        cmocka_unit_test(a_row_at_the_last_position_reads_without_overflow),
        cmocka_unit_test(appends_agree_with_any_expected_version),
        cmocka_unit_test(a_batch_sent_again_agrees_with_any_expected_version),
        cmocka_unit_test(any_schema_version_agrees),
        cmocka_unit_test(records_keep_any_number_and_version_alike),
        cmocka_unit_test(times_format_and_parse_back_at_every_extreme),
        cmocka_unit_test(a_clock_outside_years_0000_to_9999_is_refused_alike),
        cmocka_unit_test(catchup_agrees_with_any_batch_size),
        cmocka_unit_test(catchup_agrees_from_any_stored_checkpoint),
        cmocka_unit_test(a_snapshot_of_any_version_loads_alike),
        cmocka_unit_test(upcasters_take_any_version),
        cmocka_unit_test(indexes_past_the_end_are_refused),
        cmocka_unit_test(handle_options_agree_at_any_attempts_and_backoff),
        cmocka_unit_test(an_aggregate_applies_only_the_next_version),
        cmocka_unit_test(repository_options_take_any_snapshot_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
