/*
 * tests/error_cleanups.h - the store front's cleanups keep the failure
 * they clean up after (error_cleanups.c).
 */
#ifndef ERROR_CLEANUPS_H
#define ERROR_CLEANUPS_H

void an_append_whose_undo_fails_too_keeps_its_own_failure(void **unused);
void a_nested_commit_whose_undo_fails_too_keeps_its_own_failure(void **unused);
void a_lost_transaction_is_blamed_on_the_failure_that_ended_it(void **unused);
void a_lone_append_that_ends_its_transaction_reports_its_cause(void **unused);
void a_backend_of_ones_own_gives_its_extended_code(void **unused);

#endif
