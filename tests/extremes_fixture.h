/*
 * tests/extremes_fixture.h - what the extremes tests (test_extremes.c)
 * share: the extreme values, two stores side by side, and what a call
 * gave on each, to compare.
 */
#ifndef ESK_TESTS_EXTREMES_FIXTURE_H
#define ESK_TESTS_EXTREMES_FIXTURE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/store.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the first and
 * last times esk_time_format() can write. */
#define TIME_MIN ESK_TIME_MIN
#define TIME_MAX ESK_TIME_MAX

static const int64_t int64s[] = {
    INT64_MIN, INT64_MIN + 1, -4,        -3, -2, -1, 0, 1, 2, 3, 4, 5,
    6,         INT64_MAX - 1, INT64_MAX,
};
static const size_t sizes[] = {0, 1, 2, SIZE_MAX - 1, SIZE_MAX};
static const int ints[] = {INT_MIN, INT_MIN + 1, -1,          0,
                           1,       2,           INT_MAX - 1, INT_MAX};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

typedef struct both {
    esk_store *store[2]; /* memory, SQLite */
    esk_time now;
} both;

/* What a call gave, to compare between the stores. */
typedef struct outcome {
    esk_status status;
    char summary[512];
} outcome;

/* extremes_fixture.c */
extern const char *const backend_names[2];
void both_open_empty(both *b, esk_time now);
void both_open(both *b);
void both_close(both *b);
void summarise_events(outcome *o, const esk_event_list *list);
void assert_same(const outcome o[2], const char *call);

/* extremes_store.c */
void query_reads_agree_after_any_position_with_any_count(void **state);
void conditions_agree_after_any_position(void **state);
void tag_and_item_counts_past_their_limits_are_refused(void **state);
void stream_reads_agree_from_any_version_with_any_count(void **state);
void global_reads_agree_after_any_position_with_any_count(void **state);
void a_row_at_the_last_position_reads_without_overflow(void **state);
void appends_agree_with_any_expected_version(void **state);
void a_batch_sent_again_agrees_with_any_expected_version(void **state);
void any_schema_version_agrees(void **state);
void records_keep_any_number_and_version_alike(void **state);
void times_format_and_parse_back_at_every_extreme(void **state);
void a_clock_outside_years_0000_to_9999_is_refused_alike(void **state);

/* extremes_modules.c */
void catchup_agrees_with_any_batch_size(void **state);
void catchup_agrees_from_any_stored_checkpoint(void **state);
void a_snapshot_of_any_version_loads_alike(void **state);
void upcasters_take_any_version(void **state);
void indexes_past_the_end_are_refused(void **state);
void handle_options_agree_at_any_attempts_and_backoff(void **state);
void an_aggregate_applies_only_the_next_version(void **state);
void repository_options_take_any_snapshot_interval(void **state);

#endif
