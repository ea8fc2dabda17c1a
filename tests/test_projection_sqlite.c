/*
 * tests/test_projection_sqlite.c - what projections get from the SQLite
 * store: the read model and the checkpoint in one transaction (exactly
 * once, across crashes), and a query side that SQLite keeps to reading
 * the read model.
 */
#define _POSIX_C_SOURCE 200809L
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
#include "registration_fixture.h"

enum { TEXT_MAX = 512 };

/* The folder of this run's database files. */
static char temp_dir[] = "/tmp/esk-projection-XXXXXX";
static int next_file;

static void temp_path(char *buf, size_t size)
{
    snprintf(buf, size, "%s/store-%d.db", temp_dir, next_file++);
}

static void assert_agenda(agenda *a, fixture *f, const char *expected)
{
    char text[TEXT_MAX];
    agenda_render(a, f->store, text, sizeof(text));
    if (strcmp(text, expected) != 0)
        fail_msg("agenda is\n%s\nexpected\n%s", text, expected);
}

/* One number, read with plain SQL: what esk wrote, not what it says. */
static int64_t sql_number(fixture *f, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(esk_store_sqlite_db(f->store), sql, -1, &stmt, NULL),
        SQLITE_OK);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

static const char *const checkpoint_sql =
    "SELECT position FROM checkpoints WHERE name = 'agenda'";

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
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL, NULL), ESK_OK);

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
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL, NULL), ESK_OK);

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
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL, NULL), ESK_OK);
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
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL, NULL), ESK_OK);
    assert_int_equal(esk_catchup_run(c, NULL), ESK_OK);
    esk_catchup_free(c);
    fixture_close(&f);

    fixture_open_file(&f, path);
    register_attendee(&f, "w-1", "bob");
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.applied, 1);
    assert_agenda(&a, &f, "ada: w-1\nbob: w-1");
    esk_catchup_free(c);
    fixture_close(&f);
}

/* --- the query side ------------------------------------------------------ */

/* A store with an agenda table, and a read model handle on it. */
typedef struct query_fixture {
    fixture f;
    agenda a;
    esk_read_model *rm;
} query_fixture;

static void open_query(query_fixture *q)
{
    memset(&q->a, 0, sizeof(q->a));
    q->a.in_sql = true;
    fixture_open(&q->f, &sqlite_backend);
    esk_projection p = agenda_projection(&q->a);
    assert_int_equal(esk_projection_attach_inline(q->f.store, &p, NULL),
                     ESK_OK);
    assert_int_equal(esk_projection_detach_inline(q->f.store, &p), ESK_OK);
    q->rm = NULL;
    assert_int_equal(esk_read_model_open(&q->rm, q->f.store), ESK_OK);
}

static void close_query(query_fixture *q)
{
    esk_read_model_free(q->rm);
    fixture_close(&q->f);
}

static void assert_refused(query_fixture *q, const char *sql,
                           const char *reason)
{
    sqlite3_stmt *stmt = NULL;
    esk_error err;
    esk_status rc = esk_read_model_prepare(q->rm, sql, &stmt, &err);
    if (rc != ESK_EINVAL)
        fail_msg("\"%s\" was not refused (status %d)", sql, rc);
    assert_null(stmt);
    assert_contains(err.message, reason);
}

static void assert_allowed(query_fixture *q, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    esk_error err;
    if (esk_read_model_prepare(q->rm, sql, &stmt, &err) != ESK_OK)
        fail_msg("\"%s\" was refused: %s", sql, err.message);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    sqlite3_finalize(stmt);
}

static void queries_read_the_read_model(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    assert_allowed(&q, "SELECT count(*) FROM agenda;");
    assert_allowed(&q, "SELECT count(*) FROM agenda; -- how many");
    assert_allowed(&q, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                       "i + 1 FROM n WHERE i < 3) SELECT sum(i) FROM n");
    assert_allowed(&q, "SELECT count(*) FROM sqlite_schema");
    close_query(&q);
}

static void queries_may_not_read_the_write_side(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    assert_refused(&q, "SELECT * FROM events",
                   "queries read the read model only: table 'events' "
                   "belongs to the write side");
    assert_refused(&q, "SELECT * FROM EVENTS", "table 'events'");
    assert_refused(&q, "SELECT position FROM checkpoints",
                   "table 'checkpoints'");
    assert_refused(&q, "SELECT * FROM commands", "table 'commands'");
    assert_refused(&q, "SELECT * FROM snapshots", "table 'snapshots'");
    assert_refused(&q,
                   "SELECT a.attendee FROM agenda a WHERE EXISTS "
                   "(SELECT 1 FROM events)",
                   "table 'events'");
    /* A view is no way around it. */
    assert_int_equal(sqlite3_exec(esk_store_sqlite_db(q.f.store),
                                  "CREATE VIEW everything AS SELECT * FROM "
                                  "events",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_refused(&q, "SELECT * FROM everything", "table 'events'");
    close_query(&q);
}

static void queries_may_not_write(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    assert_refused(&q, "INSERT INTO agenda VALUES('eve', 'w-1')",
                   "queries only read: this statement writes to table "
                   "'agenda'");
    assert_refused(&q, "UPDATE agenda SET workshops = ''", "'agenda'");
    assert_refused(&q, "DELETE FROM agenda", "'agenda'");
    assert_refused(&q, "DELETE FROM events", "'events'");
    assert_refused(&q, "DROP TABLE agenda", "changes the database");
    assert_refused(&q, "CREATE TABLE notes(x)", "changes the database");
    assert_refused(&q, "ALTER TABLE agenda ADD COLUMN x",
                   "changes the "
                   "database");
    assert_refused(&q, "PRAGMA user_version = 3", "PRAGMA 'user_version'");
    assert_refused(&q, "BEGIN", "transactions");
    assert_refused(&q, "ATTACH ':memory:' AS other", "ATTACH");
    /* SQLite compiles these without asking the authorizer. VACUUM INTO
     * would copy the events into a file of the caller's choice. */
    char into[160];
    char sql[200];
    temp_path(into, sizeof(into));
    snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", into);
    assert_refused(&q, sql, "changes the database");
    assert_int_equal(access(into, F_OK), -1);
    assert_refused(&q, "VACUUM", "changes the database");
    close_query(&q);
}

static void a_query_is_one_statement(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    assert_refused(&q, "SELECT 1; DELETE FROM agenda", "more than one");
    assert_refused(&q, "SELECT 1; SELECT 2", "more than one");
    assert_refused(&q, "", "no SQL statement");
    assert_refused(&q, "  -- nothing", "no SQL statement");
    assert_refused(&q, "SELEC 1", "syntax error");
    assert_refused(&q, "SELECT * FROM nowhere", "no such table: nowhere");
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(esk_read_model_prepare(NULL, "SELECT 1", &stmt, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_read_model_prepare(q.rm, NULL, &stmt, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_read_model_prepare(q.rm, "SELECT 1", NULL, NULL),
                     ESK_EINVAL);
    close_query(&q);
}

static void the_store_keeps_working_after_a_query(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    register_attendee(&q.f, "w-1", "ada");
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    /* Only the prepare was guarded: the store still reads and writes its
     * own tables. */
    register_attendee(&q.f, "w-1", "bob");
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(q.f.store, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    esk_event_list_free(&list);
    set_checkpoint(&q.f, "agenda", 2, 1);
    assert_int_equal(checkpoint_of(&q.f, "agenda"), 2);
    close_query(&q);
}

static void a_query_may_be_prepared_while_another_is_read(void **state)
{
    (void)state;
    query_fixture q;
    open_query(&q);
    esk_projection p = agenda_projection(&q.a);
    assert_int_equal(esk_projection_attach_inline(q.f.store, &p, NULL), ESK_OK);
    register_attendee(&q.f, "w-1", "ada");
    register_attendee(&q.f, "w-1", "bob");
    sqlite3_stmt *outer = NULL;
    assert_int_equal(esk_read_model_prepare(q.rm,
                                            "SELECT attendee FROM agenda "
                                            "ORDER BY attendee",
                                            &outer, NULL),
                     ESK_OK);
    assert_int_equal(sqlite3_step(outer), SQLITE_ROW);
    assert_string_equal(sqlite3_column_text(outer, 0), "ada");

    /* Preparing (and so guarding) another query does not disturb it. */
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    assert_int_equal(sqlite3_step(outer), SQLITE_ROW);
    assert_string_equal(sqlite3_column_text(outer, 0), "bob");
    assert_int_equal(sqlite3_step(outer), SQLITE_DONE);
    sqlite3_finalize(outer);
    assert_int_equal(esk_projection_detach_inline(q.f.store, &p), ESK_OK);
    close_query(&q);
}

static void the_read_model_needs_a_sqlite_store(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, &memory_backend);
    esk_read_model *rm = NULL;
    assert_int_equal(esk_read_model_open(&rm, f.store), ESK_EINVAL);
    assert_null(rm);
    assert_contains(esk_store_errmsg(f.store),
                    "the read model needs a SQLite store");
    assert_int_equal(esk_read_model_open(&rm, NULL), ESK_EINVAL);
    assert_int_equal(esk_read_model_open(NULL, f.store), ESK_EINVAL);
    esk_read_model_free(NULL);
    fixture_close(&f);
}

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
        cmocka_unit_test(queries_read_the_read_model),
        cmocka_unit_test(queries_may_not_read_the_write_side),
        cmocka_unit_test(queries_may_not_write),
        cmocka_unit_test(a_query_is_one_statement),
        cmocka_unit_test(the_store_keeps_working_after_a_query),
        cmocka_unit_test(a_query_may_be_prepared_while_another_is_read),
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
