/*
 * tests/projection_sqlite_queries.c - the query side: what a query may
 * read, that it may not write or read the write side, and how it lives
 * beside appends.
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

/* --- the query side ------------------------------------------------------ */

void queries_read_the_read_model(void **state)
{
    query_fixture q;
    open_query(&q, state);
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    assert_allowed(&q, "SELECT count(*) FROM agenda;");
    assert_allowed(&q, "SELECT count(*) FROM agenda; -- how many");
    assert_allowed(&q, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
                       "i + 1 FROM n WHERE i < 3) SELECT sum(i) FROM n");
    assert_allowed(&q, "SELECT count(*) FROM sqlite_schema");
    close_query(&q);
}

void queries_may_not_read_the_write_side(void **state)
{
    query_fixture q;
    open_query(&q, state);
    assert_refused(&q, "SELECT * FROM events",
                   "queries read the read model only: table 'events' "
                   "belongs to the write side");
    assert_refused(&q, "SELECT * FROM EVENTS", "table 'events'");
    assert_refused(&q, "SELECT position FROM checkpoints",
                   "table 'checkpoints'");
    assert_refused(&q, "SELECT * FROM commands", "table 'commands'");
    assert_refused(&q, "SELECT * FROM snapshots", "table 'snapshots'");
    assert_refused(&q, "SELECT * FROM closed_streams",
                   "table 'closed_streams'");
    assert_refused(&q, "SELECT tag FROM event_tags", "table 'event_tags'");
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

void queries_may_not_write(void **state)
{
    query_fixture q;
    open_query(&q, state);
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

void a_query_is_one_statement(void **state)
{
    query_fixture q;
    open_query(&q, state);
    assert_refused(&q, "SELECT 1; DELETE FROM agenda", "more than one");
    assert_refused(&q, "SELECT 1; SELECT 2", "more than one");
    assert_refused(&q, "", "no SQL statement");
    assert_refused(&q, "  -- nothing", "no SQL statement");
    assert_refused(&q, "SELEC 1", "syntax error");
    assert_refused(&q, "SELECT * FROM nowhere", "no such table: nowhere");
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(esk_read_model_prepare(NULL, "SELECT 1", &stmt),
                     ESK_EINVAL);
    assert_int_equal(esk_read_model_prepare(q.rm, NULL, &stmt), ESK_EINVAL);
    assert_int_equal(esk_read_model_prepare(q.rm, "SELECT 1", NULL),
                     ESK_EINVAL);
    close_query(&q);
}

void the_store_keeps_working_after_a_query(void **state)
{
    query_fixture q;
    open_query(&q, state);
    register_attendee(&q.f, "w-1", "ada");
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    /* Only the prepare was guarded: the store still reads and writes its
     * own tables. */
    register_attendee(&q.f, "w-1", "bob");
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(q.f.store, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    esk_event_list_release(&list);
    set_checkpoint(&q.f, "agenda", 2, 1);
    assert_int_equal(checkpoint_of(&q.f, "agenda"), 2);
    close_query(&q);
}

void a_query_may_be_prepared_while_another_is_read(void **state)
{
    query_fixture q;
    open_query(&q, state);
    esk_projection p = agenda_projection(&q.a);
    assert_int_equal(esk_projection_attach_inline(q.f.store, &p), ESK_OK);
    register_attendee(&q.f, "w-1", "ada");
    register_attendee(&q.f, "w-1", "bob");
    sqlite3_stmt *outer = NULL;
    assert_int_equal(esk_read_model_prepare(q.rm,
                                            "SELECT attendee FROM agenda "
                                            "ORDER BY attendee",
                                            &outer),
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

/* The rows a query gives, "ada,bob", stepping it to its end. */
void rows_of(sqlite3_stmt *stmt, char *buf, size_t size)
{
    buf[0] = '\0';
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used > 0 ? "," : "",
                 (const char *)sqlite3_column_text(stmt, 0));
    }
    assert_int_equal(rc, SQLITE_DONE);
}

void a_query_left_open_keeps_its_snapshot_and_blocks_no_append(void **state)
{
    query_fixture q;
    open_query(&q, state);
    esk_projection p = agenda_projection(&q.a);
    assert_int_equal(esk_projection_attach_inline(q.f.store, &p), ESK_OK);
    register_attendee(&q.f, "w-1", "ada");
    register_attendee(&q.f, "w-1", "bob");
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(esk_read_model_prepare(q.rm,
                                            "SELECT attendee FROM agenda "
                                            "ORDER BY attendee",
                                            &stmt),
                     ESK_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal(sqlite3_column_text(stmt, 0), "ada");

    /* Another handle commits, then this one appends (and its inline
     * projection writes the agenda) while the query is still open. */
    fixture other;
    fixture_open_file(&other, q.path);
    register_attendee(&other, "w-2", "carol");
    fixture_close(&other);
    register_attendee(&q.f, "w-1", "dan");

    /* The query reads on in the database as it was when it began. */
    char rows[TEXT_MAX];
    rows_of(stmt, rows, sizeof(rows));
    assert_string_equal(rows, "bob");
    assert_int_equal(sqlite3_reset(stmt), SQLITE_OK);
    rows_of(stmt, rows, sizeof(rows));
    assert_string_equal(rows, "ada,bob,dan");
    sqlite3_finalize(stmt);
    assert_int_equal(esk_projection_detach_inline(q.f.store, &p), ESK_OK);
    close_query(&q);
}

void a_query_sees_committed_rows_on_a_file_and_all_rows_in_memory(void **state)
{
    const place *where = *state;
    query_fixture q;
    open_query(&q, state);
    esk_projection p = agenda_projection(&q.a);
    assert_int_equal(esk_projection_attach_inline(q.f.store, &p), ESK_OK);
    register_attendee(&q.f, "w-1", "ada");
    assert_int_equal(esk_store_begin(q.f.store), ESK_OK);
    register_attendee(&q.f, "w-1", "bob");

    sqlite3_stmt *stmt = NULL;
    char rows[TEXT_MAX];
    assert_int_equal(esk_read_model_prepare(q.rm,
                                            "SELECT attendee FROM agenda "
                                            "ORDER BY attendee",
                                            &stmt),
                     ESK_OK);
    rows_of(stmt, rows, sizeof(rows));
    /* On a file the query has a connection of its own, outside the
     * store's transaction; in memory it shares the store's. */
    assert_string_equal(rows, where->in_file ? "ada" : "ada,bob");
    assert_int_equal(esk_store_commit(q.f.store), ESK_OK);
    assert_int_equal(sqlite3_reset(stmt), SQLITE_OK);
    rows_of(stmt, rows, sizeof(rows));
    assert_string_equal(rows, "ada,bob");
    sqlite3_finalize(stmt);
    assert_int_equal(esk_projection_detach_inline(q.f.store, &p), ESK_OK);
    close_query(&q);
}

/* A projection's setup that turns the agenda into a view of the events. */
