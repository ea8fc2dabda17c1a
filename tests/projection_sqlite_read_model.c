/*
 * tests/projection_sqlite_read_model.c - a read model handle over time:
 * schema changes under a prepared query, two read models, a handle that
 * outlives its store, a deleted file, a store that is not SQLite.
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

void a_schema_change_after_prepare_cannot_open_the_events_table(void **state)
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

void a_new_column_after_prepare_is_read_or_asks_for_a_new_prepare(void **state)
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

void two_read_models_on_one_store_both_guard(void **state)
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

void a_query_outliving_its_read_model_and_store_leaks_no_file(void **state)
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

void a_read_model_of_a_deleted_file_cannot_open(void **state)
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

void the_read_model_needs_a_sqlite_store(void **state)
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
