/*
 * tests/projection_sqlite_fixture.c - database files of this run, one
 * number read with plain SQL, and a store with an agenda table and a
 * read model handle on it, in memory or on a file.
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

/* The folder of this run's database files. */
char temp_dir[] = "/tmp/esk-projection-XXXXXX";
int next_file;

void temp_path(char *buf, size_t size)
{
    snprintf(buf, size, "%s/store-%d.db", temp_dir, next_file++);
}

void assert_agenda(agenda *a, fixture *f, const char *expected)
{
    char text[TEXT_MAX];
    agenda_render(a, f->store, text, sizeof(text));
    if (strcmp(text, expected) != 0)
        fail_msg("agenda is\n%s\nexpected\n%s", text, expected);
}

/* One number, read with plain SQL: what esk wrote, not what it says. */
int64_t sql_number(fixture *f, const char *sql)
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

const char *const checkpoint_sql =
    "SELECT position FROM checkpoints WHERE name = 'agenda'";

const place in_memory = {false};
const place in_file = {true};

void open_query(query_fixture *q, void **state)
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

void close_query(query_fixture *q)
{
    esk_read_model_free(q->rm);
    fixture_close(&q->f);
}

void assert_refused(query_fixture *q, const char *sql, const char *reason)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = esk_read_model_prepare(q->rm, sql, &stmt);
    if (rc != ESK_EINVAL)
        fail_msg("\"%s\" was not refused (status %d)", sql, rc);
    assert_null(stmt);
    assert_contains(esk_errmsg(), reason);
}

void assert_allowed(query_fixture *q, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (esk_read_model_prepare(q->rm, sql, &stmt) != ESK_OK)
        fail_msg("\"%s\" was refused: %s", sql, esk_errmsg());
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    sqlite3_finalize(stmt);
}
