/*
 * tests/test_projection_sqlite.c - what projections get from the SQLite
 * store: the read model and the checkpoint in one transaction (exactly
 * once, across crashes), and a query side that SQLite keeps to reading
 * the read model.
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

/* --- the query side ------------------------------------------------------ */

/* Where the query tests' store lives: a query handle has a connection of
 * its own on a file, and shares the store's in memory. */
typedef struct place {
    bool in_file;
} place;

static const place in_memory = {false};
static const place in_file = {true};

/* A store with an agenda table, and a read model handle on it. */
typedef struct query_fixture {
    fixture f;
    agenda a;
    esk_read_model *rm;
    /* The store's file, "" in memory. */
    char path[128];
} query_fixture;

static void open_query(query_fixture *q, void **state)
{
    const place *where = *state;
    memset(&q->a, 0, sizeof(q->a));
    q->a.in_sql = true;
    q->path[0] = '\0';
    if (where->in_file) {
        temp_path(q->path, sizeof(q->path));
        fixture_open_file(&q->f, q->path);
    } else {
        fixture_open(&q->f, &sqlite_backend);
    }
    esk_projection p = agenda_projection(&q->a);
    assert_int_equal(esk_projection_attach_inline(q->f.store, &p), ESK_OK);
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
    esk_status rc = esk_read_model_prepare(q->rm, sql, &stmt);
    if (rc != ESK_EINVAL)
        fail_msg("\"%s\" was not refused (status %d)", sql, rc);
    assert_null(stmt);
    assert_contains(esk_errmsg(), reason);
}

static void assert_allowed(query_fixture *q, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (esk_read_model_prepare(q->rm, sql, &stmt) != ESK_OK)
        fail_msg("\"%s\" was refused: %s", sql, esk_errmsg());
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    sqlite3_finalize(stmt);
}

static void queries_read_the_read_model(void **state)
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

static void queries_may_not_read_the_write_side(void **state)
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

static void queries_may_not_write(void **state)
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

static void a_query_is_one_statement(void **state)
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

static void the_store_keeps_working_after_a_query(void **state)
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

static void a_query_may_be_prepared_while_another_is_read(void **state)
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
static void rows_of(sqlite3_stmt *stmt, char *buf, size_t size)
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

static void
a_query_left_open_keeps_its_snapshot_and_blocks_no_append(void **state)
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

static void
a_query_sees_committed_rows_on_a_file_and_all_rows_in_memory(void **state)
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
static esk_status agenda_becomes_a_view(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store),
                     "DROP TABLE agenda; CREATE VIEW agenda(attendee, "
                     "workshops) AS SELECT stream_id, data FROM events",
                     NULL, NULL, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "%s",
                             sqlite3_errmsg(esk_store_sqlite_db(store)));
    return ESK_OK;
}

/* A projection's setup that adds a column to the agenda. */
static esk_status agenda_gains_a_column(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store),
                     "ALTER TABLE agenda ADD COLUMN note TEXT", NULL, NULL,
                     NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "%s",
                             sqlite3_errmsg(esk_store_sqlite_db(store)));
    return ESK_OK;
}

static esk_status ignore_event(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    (void)store;
    (void)event;
    return ESK_OK;
}

/* Change the schema the way a projection does: in its setup. */
static void run_setup(fixture *f, esk_status (*setup)(void *, esk_store *))
{
    esk_projection p = {"schema-change", 1,     NULL, 0,
                        ignore_event,    setup, NULL, NULL};
    if (esk_projection_attach_inline(f->store, &p) != ESK_OK)
        fail_msg("setup: %s", esk_errmsg());
    assert_int_equal(esk_projection_detach_inline(f->store, &p), ESK_OK);
}

static void
a_schema_change_after_prepare_cannot_open_the_events_table(void **state)
{
    query_fixture q;
    open_query(&q, state);
    register_attendee(&q.f, "w-1", "ada");
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        esk_read_model_prepare(q.rm, "SELECT attendee FROM agenda", &stmt),
        ESK_OK);
    run_setup(&q.f, agenda_becomes_a_view);

    /* The statement no longer fits the schema: it must not read the events
     * through the view. On a file SQLite compiles it again, under the
     * guard; in memory it is never compiled again. */
    const place *where = *state;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        fail_msg("the query read '%s' from the events table",
                 (const char *)sqlite3_column_text(stmt, 0));
    if (where->in_file) {
        assert_int_equal(rc, SQLITE_AUTH);
    } else {
        assert_int_equal(rc, SQLITE_ERROR);
        assert_int_equal(sqlite3_reset(stmt), SQLITE_SCHEMA);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    assert_refused(&q, "SELECT attendee FROM agenda", "table 'events'");
    close_query(&q);
}

static void
a_new_column_after_prepare_is_read_or_asks_for_a_new_prepare(void **state)
{
    const place *where = *state;
    query_fixture q;
    open_query(&q, state);
    esk_projection p = agenda_projection(&q.a);
    assert_int_equal(esk_projection_attach_inline(q.f.store, &p), ESK_OK);
    register_attendee(&q.f, "w-1", "ada");
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        esk_read_model_prepare(q.rm, "SELECT attendee FROM agenda", &stmt),
        ESK_OK);
    run_setup(&q.f, agenda_gains_a_column);

    char rows[TEXT_MAX];
    if (where->in_file) {
        /* Compiled again, under the same guard. */
        rows_of(stmt, rows, sizeof(rows));
        assert_string_equal(rows, "ada");
    } else {
        /* Never compiled again outside the guard: prepare it anew. */
        assert_int_equal(sqlite3_step(stmt), SQLITE_ERROR);
        assert_int_equal(sqlite3_reset(stmt), SQLITE_SCHEMA);
    }
    sqlite3_finalize(stmt);
    assert_int_equal(
        esk_read_model_prepare(q.rm, "SELECT attendee FROM agenda", &stmt),
        ESK_OK);
    rows_of(stmt, rows, sizeof(rows));
    assert_string_equal(rows, "ada");
    sqlite3_finalize(stmt);
    assert_int_equal(esk_projection_detach_inline(q.f.store, &p), ESK_OK);
    close_query(&q);
}

static void two_read_models_on_one_store_both_guard(void **state)
{
    const place *where = *state;
    query_fixture q;
    open_query(&q, state);
    sqlite3_stmt *first = NULL;
    assert_int_equal(
        esk_read_model_prepare(q.rm, "SELECT count(*) FROM agenda", &first),
        ESK_OK);
    esk_read_model *second = NULL;
    assert_int_equal(esk_read_model_open(&second, q.f.store), ESK_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        esk_read_model_prepare(second, "SELECT * FROM events", &stmt),
        ESK_EINVAL);
    /* In memory the second took the connection's one guard over, which
     * the first's statement not yet stepped cannot survive. */
    if (where->in_file) {
        assert_int_equal(sqlite3_step(first), SQLITE_ROW);
    } else {
        assert_int_equal(sqlite3_step(first), SQLITE_ERROR);
        assert_int_equal(sqlite3_reset(first), SQLITE_SCHEMA);
    }
    sqlite3_finalize(first);
    assert_refused(&q, "SELECT * FROM events", "table 'events'");
    esk_read_model_free(second);
    assert_refused(&q, "SELECT * FROM events", "table 'events'");
    assert_allowed(&q, "SELECT count(*) FROM agenda");
    close_query(&q);
}

/* How many file descriptors this process has open. */
static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

static void
a_query_outliving_its_read_model_and_store_leaks_no_file(void **state)
{
    int before = open_descriptors();
    query_fixture q;
    open_query(&q, state);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        esk_read_model_prepare(q.rm, "SELECT count(*) FROM agenda", &stmt),
        ESK_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    /* Freed in the wrong order: the statement last. */
    close_query(&q);
    sqlite3_finalize(stmt);
    assert_int_equal(open_descriptors(), before);
}

static void a_read_model_of_a_deleted_file_cannot_open(void **state)
{
    (void)state;
    char path[128];
    temp_path(path, sizeof(path));
    fixture f;
    fixture_open_file(&f, path);
    assert_int_equal(unlink(path), 0);
    esk_read_model *rm = NULL;
    assert_int_equal(esk_read_model_open(&rm, f.store), ESK_EIO);
    assert_null(rm);
    assert_contains(esk_errmsg(), "opening the read model of");
    assert_contains(esk_errmsg(), path);
    fixture_close(&f);
}

static void the_read_model_needs_a_sqlite_store(void **state)
{
    (void)state;
    fixture f;
    fixture_open(&f, &memory_backend);
    esk_read_model *rm = NULL;
    assert_int_equal(esk_read_model_open(&rm, f.store), ESK_EINVAL);
    assert_null(rm);
    assert_contains(esk_errmsg(), "the read model needs a SQLite store");
    assert_int_equal(esk_read_model_open(&rm, NULL), ESK_EINVAL);
    assert_int_equal(esk_read_model_open(NULL, f.store), ESK_EINVAL);
    esk_read_model_free(NULL);
    fixture_close(&f);
}

/* The query side's tests, on a store in memory and in a file. */
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
