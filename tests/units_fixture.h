/*
 * tests/units_fixture.h - what the tests of units SQLite ends by itself
 * (test_units.c) share: store files, plain SQL, a page limit that fills
 * the disk, and the tests of each file.
 */
#ifndef ESK_TESTS_UNITS_FIXTURE_H
#define ESK_TESTS_UNITS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "esk/store.h"

/* units_fixture.c */
extern char temp_dir[];
esk_store *open_new_store(char *path, size_t size);
void exec_sql(esk_store *store, const char *sql);
int64_t sql_number(esk_store *store, const char *sql);
char *padding(size_t size);
esk_status append_data(esk_store *store, const char *stream, const char *data);
esk_status append_small(esk_store *store, const char *stream);
void limit_growth(esk_store *store, int64_t pages);
void lift_limit(esk_store *store);
void assert_contains(const char *text, const char *part);
int64_t events_in(const char *path);

/* units_store.c */
void a_full_disk_dooms_the_callers_whole_transaction(void **state);
void a_doomed_nested_unit_fails_every_call_until_the_outer_rollback(
    void **state);
void a_doomed_unit_refuses_conditional_appends_and_query_reads(void **state);
void a_handler_rollback_dooms_the_unit_it_reports(void **state);
void a_handler_rollback_dooms_the_unit_it_hides(void **state);
void an_append_of_its_own_unit_fails_whole_on_a_full_disk(void **state);

/* units_runners.c */
void a_full_disk_mid_batch_moves_no_checkpoint_past_the_read_model(
    void **state);
void a_read_model_that_rolls_back_keeps_its_events_for_later(void **state);
void a_handler_that_ends_a_transaction_stops_the_batch(void **state);
void a_checkpoint_past_the_head_is_reported_not_ignored(void **state);
void a_full_disk_in_a_reaction_keeps_the_event_for_later(void **state);

#endif
