/*
 * tests/test_projection_sqlite.c - what projections get from the SQLite
 * store: the read model and the checkpoint in one transaction (exactly
 * once, across crashes), and a query side that SQLite keeps to reading
 * the read model.
 *
 * The query side's tests live in projection_sqlite_queries.c and
 * projection_sqlite_read_model.c; this file holds the transaction's tests
 * and runs them all in order.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "projection_sqlite_fixture.h"
#include "registration_fixture.h"

/* --- one transaction ----------------------------------------------------- */

static void the_read_model_and_the_checkpoint_commit_together(void **state)
{
    (void)state;
    fixture f;
    agenda a = {.in_sql = true};
    fixture_open(&f, &sqlite_backend);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-1", "bob");
    register_attendee(&f, "w-1", "carol");
    register_attendee(&f, "w-1", "dan");
    /* The third event writes its row, then fails. */
    strcpy(a.banned, "carol");
    a.fail_after_write = true;
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);

    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_ECALLBACK);
    assert_int_equal(st.failed_position, 3);
    assert_int_equal(sql_number(&f, "SELECT count(*) FROM agenda"), 2);
    assert_int_equal(
        sql_number(&f, "SELECT count(*) FROM agenda WHERE attendee = 'carol'"),
        0);
    assert_int_equal(sql_number(&f, checkpoint_sql), 2);
    esk_catchup_free(c);
    fixture_close(&f);
}

static void a_crash_mid_batch_loses_rows_and_checkpoint_together(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof(path));
    fixture f;
    agenda a = {.in_sql = true};
    fixture_open_file(&f, path);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-2", "ada");
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);

    /* The process dies before the batch commits: here, the batch runs
     * inside a transaction that is never committed. */
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_catchup_run(c, NULL), ESK_OK);
    assert_int_equal(sql_number(&f, "SELECT count(*) FROM agenda"), 1);
    esk_catchup_free(c);
    fixture_close(&f);

    fixture_open_file(&f, path);
    assert_int_equal(sql_number(&f, "SELECT count(*) FROM agenda"), 0);
    assert_int_equal(sql_number(&f, checkpoint_sql), -1);
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.applied, 2);
    assert_agenda(&a, &f, "ada: w-1,w-2");
    esk_catchup_free(c);
    fixture_close(&f);
}

static void a_restarted_projection_resumes_from_its_checkpoint(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof(path));
    fixture f;
    agenda a = {.in_sql = true};
    fixture_open_file(&f, path);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);
    assert_int_equal(esk_catchup_run(c, NULL), ESK_OK);
    esk_catchup_free(c);
    fixture_close(&f);

    fixture_open_file(&f, path);
    register_attendee(&f, "w-1", "bob");
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.applied, 1);
    assert_agenda(&a, &f, "ada: w-1\nbob: w-1");
    esk_catchup_free(c);
    fixture_close(&f);
}

/* --- a handler failure inside a batch ---------------------------------- */

/* A read model with one row per handler call that wrote, so that an event
 * applied twice shows as two rows and a skipped one as none. */
typedef struct tally {
    /* The handler fails, after writing its row, at this position... */
    int64_t fail_at;
    /* ...and at this one from its second call on (0: never). */
    int64_t fail_again_at;
    int calls_at_fail_again;
} tally;

static esk_status tally_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return sqlite3_exec(esk_store_sqlite_db(store),
                        "CREATE TABLE IF NOT EXISTS tally(position INTEGER "
                        "NOT NULL)",
                        NULL, NULL, NULL) == SQLITE_OK
               ? ESK_OK
               : ESK_EIO;
}

static esk_status tally_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    tally *t = ctx;
    char sql[80];
    snprintf(sql, sizeof(sql), "INSERT INTO tally VALUES (%lld)",
             (long long)event->position);
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, NULL) !=
        SQLITE_OK)
        return ESK_EIO;
    bool again =
        event->position == t->fail_again_at && ++t->calls_at_fail_again > 1;
    if (event->position == t->fail_at || again) {
        esk_error_set(ESK_ECALLBACK, "refused position %lld",
                      (long long)event->position);
        return ESK_ECALLBACK;
    }
    return ESK_OK;
}

static esk_projection tally_projection(tally *t)
{
    return (esk_projection){"tally",      1,           NULL, 0,
                            tally_handle, tally_setup, NULL, t};
}

/* Positions 1..n each once in the tally, and nothing else. */
static void assert_tally_holds(fixture *f, int64_t n)
{
    assert_int_equal(sql_number(f, "SELECT count(*) FROM tally"), n);
    assert_int_equal(
        sql_number(f, "SELECT count(DISTINCT position) FROM tally"), n);
    assert_int_equal(
        sql_number(f, "SELECT coalesce(max(position), 0) FROM tally"), n);
}

static void a_failure_mid_batch_keeps_each_event_before_it_once(void **state)
{
    (void)state;
    fixture f;
    tally t = {.fail_at = 6};
    fixture_open(&f, &sqlite_backend);
    esk_projection p = tally_projection(&t);
    const char *names[] = {"ada", "bob", "cy",  "dan", "eve",
                           "fay", "gus", "hal", "ivy", "jo"};
    for (int i = 0; i < 10; i++)
        register_attendee(&f, "w-1", names[i]);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);

    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_ECALLBACK);
    assert_contains(esk_errmsg(), "stopped at the event at position 6");
    assert_contains(esk_errmsg(), "refused position 6");
    assert_int_equal(st.failed_position, 6);
    assert_int_equal(st.applied, 5);
    assert_int_equal(checkpoint_of(&f, "tally"), 5);
    assert_tally_holds(&f, 5);

    t.fail_at = 0;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.applied, 5);
    assert_tally_holds(&f, 10);
    esk_catchup_free(c);
    fixture_close(&f);
}

static void a_failure_while_the_batch_runs_again_stops_there(void **state)
{
    (void)state;
    fixture f;
    tally t = {.fail_at = 6, .fail_again_at = 3};
    fixture_open(&f, &sqlite_backend);
    esk_projection p = tally_projection(&t);
    const char *names[] = {"ada", "bob", "cy", "dan", "eve", "fay", "gus"};
    for (int i = 0; i < 7; i++)
        register_attendee(&f, "w-1", names[i]);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_OK);

    /* Wherever a run fails, what it keeps is every event before that
     * failure, once, and the checkpoint just before it. */
    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_ECALLBACK);
    int64_t failed = st.failed_position;
    assert_true(failed == 3 || failed == 6);
    assert_contains(esk_errmsg(),
                    failed == 3 ? "refused position 3" : "refused position 6");
    assert_int_equal(st.applied, failed - 1);
    assert_int_equal(checkpoint_of(&f, "tally"), failed - 1);
    assert_tally_holds(&f, failed - 1);
    esk_catchup_free(c);
    fixture_close(&f);
}

#define QUERY_TESTS(where)                                                     \
    cmocka_unit_test_prestate(queries_read_the_read_model, (where)),           \
        cmocka_unit_test_prestate(queries_may_not_read_the_write_side,         \
                                  (where)),                                    \
        cmocka_unit_test_prestate(queries_may_not_write, (where)),             \
        cmocka_unit_test_prestate(a_query_is_one_statement, (where)),          \
        cmocka_unit_test_prestate(the_store_keeps_working_after_a_query,       \
                                  (where)),                                    \
        cmocka_unit_test_prestate(                                             \
            a_query_may_be_prepared_while_another_is_read, (where)),           \
        cmocka_unit_test_prestate(                                             \
            a_schema_change_after_prepare_cannot_open_the_events_table,        \
            (where)),                                                          \
        cmocka_unit_test_prestate(                                             \
            a_new_column_after_prepare_is_read_or_asks_for_a_new_prepare,      \
            (where)),                                                          \
        cmocka_unit_test_prestate(two_read_models_on_one_store_both_guard,     \
                                  (where)),                                    \
        cmocka_unit_test_prestate(                                             \
            a_query_sees_committed_rows_on_a_file_and_all_rows_in_memory,      \
            (where))

int main(void)
{
    use_checked_allocator();
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_read_model_and_the_checkpoint_commit_together),
        cmocka_unit_test(a_crash_mid_batch_loses_rows_and_checkpoint_together),
        cmocka_unit_test(a_restarted_projection_resumes_from_its_checkpoint),
        cmocka_unit_test(a_failure_mid_batch_keeps_each_event_before_it_once),
        cmocka_unit_test(a_failure_while_the_batch_runs_again_stops_there),
        QUERY_TESTS((void *)&in_memory),
        QUERY_TESTS((void *)&in_file),
        cmocka_unit_test_prestate(
            a_query_left_open_keeps_its_snapshot_and_blocks_no_append,
            (void *)&in_file),
        cmocka_unit_test_prestate(
            a_query_outliving_its_read_model_and_store_leaks_no_file,
            (void *)&in_file),
        cmocka_unit_test(a_read_model_of_a_deleted_file_cannot_open),
        cmocka_unit_test(the_read_model_needs_a_sqlite_store),
    };
    int failed =
        cmocka_run_group_tests_name("projections on SQLite", tests, NULL, NULL);
    /* Leave nothing behind when every test passed. */
    if (failed == 0) {
        char path[128];
        for (int i = 0; i < next_file; i++) {
            snprintf(path, sizeof(path), "%s/store-%d.db", temp_dir, i);
            unlink(path);
            snprintf(path, sizeof(path), "%s/store-%d.db-wal", temp_dir, i);
            unlink(path);
            snprintf(path, sizeof(path), "%s/store-%d.db-shm", temp_dir, i);
            unlink(path);
        }
        rmdir(temp_dir);
    }
    return failed;
}
