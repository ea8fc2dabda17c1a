/*
 * tests/units_fixture.c - store files of this run, plain SQL on the
 * store's connection, and a page limit that makes the disk full.
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

/* ---- Helpers ----------------------------------------------------------- */

char temp_dir[] = "/tmp/esk-units-XXXXXX";
static int next_file;

esk_store *open_new_store(char *path, size_t size)
{
    snprintf(path, size, "%s/store-%d.db", temp_dir, next_file++);
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

static esk_store *reopen(const char *path)
{
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

void exec_sql(esk_store *store, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message) !=
        SQLITE_OK)
        fail_msg("%s: %s", sql, message);
}

int64_t sql_number(esk_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(esk_store_sqlite_db(store), sql, -1, &stmt, NULL),
        SQLITE_OK);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

/* A JSON string of about size bytes: {"pad":"xxx..."}. */
char *padding(size_t size)
{
    char *json = malloc(size + 16);
    assert_non_null(json);
    strcpy(json, "{\"pad\":\"");
    size_t at = strlen(json);
    memset(json + at, 'x', size);
    strcpy(json + at + size, "\"}");
    return json;
}

esk_status append_data(esk_store *store, const char *stream, const char *data)
{
    const esk_new_event event = {NULL, "Noted", 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, &event, 1, NULL);
}

esk_status append_small(esk_store *store, const char *stream)
{
    return append_data(store, stream, "{}");
}

/* Let the file grow by `pages` more pages at most, from now. */
void limit_growth(esk_store *store, int64_t pages)
{
    int64_t count = sql_number(store, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             (long long)(count + pages));
    exec_sql(store, sql);
}

void lift_limit(esk_store *store)
{
    exec_sql(store, "PRAGMA max_page_count = 1073741823");
}

void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

int64_t events_in(const char *path)
{
    esk_store *store = reopen(path);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    esk_store_free(store);
    return head;
}
