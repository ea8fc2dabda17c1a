/*
 * tests/store_under_test_sqlite.c - a SQLite file as the store under test
 * (store_under_test.h), looked at with plain sqlite3.
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/error.h"
#include "store_under_test.h"

static esk_status open_file(esk_store **out, const char *path,
                            const esk_store_options *options)
{
    return esk_store_open_sqlite(out, path, options);
}

/* CREATE: the first writer may have died before it made the file. */
static void *inspect(const char *path, const char *when)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     NULL),
                     SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const char *verdict = (const char *)sqlite3_column_text(stmt, 0);
    if (verdict == NULL || strcmp(verdict, "ok") != 0)
        fail_msg("%s: PRAGMA integrity_check says: %s", when,
                 verdict ? verdict : "(null)");
    sqlite3_finalize(stmt);
    return db;
}

static int64_t number(void *conn, const char *sql, int64_t if_none)
{
    sqlite3 *db = conn;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t value = if_none;
    if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

static bool has_table(void *conn, const char *table)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
             "name = '%s'",
             table);
    return number(conn, sql, 0) == 1;
}

static void close_db(void *conn)
{
    sqlite3_close(conn);
}

const store_under_test sqlite_file_under_test = {open_file, inspect,  number,
                                                 has_table, close_db, 0};
