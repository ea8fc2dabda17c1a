/*
 * tests/test_units.c - units of work that SQLite ends by itself.
 *
 * On a full disk, an I/O error, an interrupt or a read model's
 * ON CONFLICT ROLLBACK, SQLite may roll back the whole transaction, not
 * only the statement that failed. A store that carried on as if the
 * transaction were still open would run the next SAVEPOINT in autocommit
 * mode (which starts a new transaction that RELEASE then commits), report
 * the outer rollback as a success and commit half a unit. These tests make
 * SQLite do it on purpose, deterministically: PRAGMA max_page_count stops
 * the file from growing, and a UNIQUE ... ON CONFLICT ROLLBACK column
 * makes a read-model write end the transaction. After either, the unit is
 * doomed: every call in it fails with the first cause, nothing of it is
 * ever committed, and the outermost rollback ends it.
 *
 * The store's units are tested in units_store.c, the runners' in
 * units_runners.c; this file runs them in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "units_fixture.h"

/* ---- main ------------------------------------------------------------------
 */

int main(void)
{
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_disk_dooms_the_callers_whole_transaction),
        cmocka_unit_test(
            a_doomed_nested_unit_fails_every_call_until_the_outer_rollback),
        cmocka_unit_test(
            a_doomed_unit_refuses_conditional_appends_and_query_reads),
        cmocka_unit_test(a_handler_rollback_dooms_the_unit_it_reports),
        cmocka_unit_test(a_handler_rollback_dooms_the_unit_it_hides),
        cmocka_unit_test(an_append_of_its_own_unit_fails_whole_on_a_full_disk),
        cmocka_unit_test(
            a_full_disk_mid_batch_moves_no_checkpoint_past_the_read_model),
        cmocka_unit_test(
            a_read_model_that_rolls_back_keeps_its_events_for_later),
        cmocka_unit_test(a_handler_that_ends_a_transaction_stops_the_batch),
        cmocka_unit_test(a_checkpoint_past_the_head_is_reported_not_ignored),
        cmocka_unit_test(a_full_disk_in_a_reaction_keeps_the_event_for_later),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", temp_dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", temp_dir);
    return failed;
}
