/*
 * tests/agenda_read_model.c - see agenda_read_model.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "agenda_read_model.h"
#include "registration_fixture.h"

enum { LIST_MAX = 8, ITEM_MAX = 32 };

/* Fail a handler with a message in err, as a projection of yours would. */
static esk_status fail_with(const char *why, const char *name)
{
    esk_error_set(ESK_EINVAL, "%s%s", why, name);
    return ESK_EINVAL;
}

static int compare_items(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Add or remove item in a sorted comma-separated list, as a set. */
static void list_edit(char *list, size_t size, const char *item, bool add)
{
    char items[LIST_MAX + 1][ITEM_MAX];
    size_t n = 0;
    char copy[128];
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *tok = strtok(copy, ","); tok != NULL && n < LIST_MAX;
         tok = strtok(NULL, ","))
        if (strcmp(tok, item) != 0)
            snprintf(items[n++], ITEM_MAX, "%s", tok);
    if (add)
        snprintf(items[n++], ITEM_MAX, "%s", item);
    qsort(items, n, ITEM_MAX, compare_items);
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(list);
        snprintf(list + used, size - used, "%s%s", i > 0 ? "," : "", items[i]);
    }
}

static esk_status sql_exec(esk_store *store, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message) ==
        SQLITE_OK)
        return ESK_OK;
    esk_status rc = fail_with("agenda: ", message);
    sqlite3_free(message);
    return rc;
}

static void get_list(agenda *a, esk_store *store, const char *attendee,
                     char *list, size_t size)
{
    list[0] = '\0';
    if (a->in_sql) {
        sqlite3_stmt *stmt = NULL;
        assert_int_equal(
            sqlite3_prepare_v2(esk_store_sqlite_db(store),
                               "SELECT workshops FROM agenda WHERE "
                               "attendee = ?1",
                               -1, &stmt, NULL),
            SQLITE_OK);
        sqlite3_bind_text(stmt, 1, attendee, -1, SQLITE_STATIC);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            snprintf(list, size, "%s", sqlite3_column_text(stmt, 0));
        sqlite3_finalize(stmt);
        return;
    }
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->rows[i].attendee, attendee) == 0)
            snprintf(list, size, "%s", a->rows[i].workshops);
}

static void put_list(agenda *a, esk_store *store, const char *attendee,
                     const char *list)
{
    if (a->in_sql) {
        sqlite3_stmt *stmt = NULL;
        const char *sql = list[0] != '\0'
                              ? "INSERT OR REPLACE INTO agenda VALUES(?1, ?2)"
                              : "DELETE FROM agenda WHERE attendee = ?1";
        assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(store), sql, -1,
                                            &stmt, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(stmt, 1, attendee, -1, SQLITE_STATIC);
        if (list[0] != '\0')
            sqlite3_bind_text(stmt, 2, list, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
        sqlite3_finalize(stmt);
        return;
    }
    size_t i = 0;
    while (i < a->count && strcmp(a->rows[i].attendee, attendee) != 0)
        i++;
    if (list[0] == '\0') {
        if (i < a->count)
            a->rows[i] = a->rows[--a->count];
        return;
    }
    if (i == a->count) {
        assert_true(a->count < sizeof(a->rows) / sizeof(a->rows[0]));
        a->count++;
    }
    snprintf(a->rows[i].attendee, sizeof(a->rows[i].attendee), "%s", attendee);
    snprintf(a->rows[i].workshops, sizeof(a->rows[i].workshops), "%s", list);
}

static esk_status agenda_handle(void *ctx, esk_store *store,
                                const esk_event *event)
{
    agenda *a = ctx;
    attendee_event e;
    bool add = strcmp(event->type, attendee_registered_type.name) == 0;
    esk_status rc = esk_codec_decode_event(
        add ? &attendee_registered_type : &attendee_cancelled_type, event, &e);
    if (rc != ESK_OK)
        return rc;
    if (a->upper)
        for (char *c = e.attendee; *c != '\0'; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
    bool banned = a->banned[0] != '\0' && strcmp(e.attendee, a->banned) == 0;
    if (banned && !a->fail_after_write)
        return fail_with("banned attendee: ", e.attendee);
    char list[128];
    get_list(a, store, e.attendee, list, sizeof(list));
    list_edit(list, sizeof(list), e.workshop_id, add);
    put_list(a, store, e.attendee, list);
    if (banned)
        return fail_with("banned attendee: ", e.attendee);
    a->handled++;
    return ESK_OK;
}

static esk_status agenda_setup(void *ctx, esk_store *store)
{
    agenda *a = ctx;
    a->setups++;
    if (!a->in_sql)
        return ESK_OK;
    return sql_exec(store,
                    "CREATE TABLE IF NOT EXISTS agenda("
                    "attendee TEXT PRIMARY KEY, workshops TEXT NOT NULL)");
}

static esk_status agenda_reset(void *ctx, esk_store *store)
{
    agenda *a = ctx;
    a->resets++;
    a->count = 0;
    return a->in_sql ? sql_exec(store, "DELETE FROM agenda") : ESK_OK;
}

static const char *const agenda_types[] = {"AttendeeRegistered",
                                           "AttendeeCancelled"};

esk_projection agenda_projection(agenda *a)
{
    return (esk_projection){
        "agenda",     1, agenda_types, 2, agenda_handle, agenda_setup,
        agenda_reset, a};
}

static int compare_rows(const void *a, const void *b)
{
    return strcmp(((const agenda_row *)a)->attendee,
                  ((const agenda_row *)b)->attendee);
}

static void add_line(char *buf, size_t size, const char *attendee,
                     const char *workshops)
{
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s: %s", used > 0 ? "\n" : "",
             attendee, workshops);
}

void agenda_render(agenda *a, esk_store *store, char *buf, size_t size)
{
    buf[0] = '\0';
    if (!a->in_sql) {
        agenda_row sorted[16];
        memcpy(sorted, a->rows, a->count * sizeof(agenda_row));
        qsort(sorted, a->count, sizeof(agenda_row), compare_rows);
        for (size_t i = 0; i < a->count; i++)
            add_line(buf, size, sorted[i].attendee, sorted[i].workshops);
        return;
    }
    /* The query side, as an application reads it. */
    esk_read_model *rm = NULL;
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(esk_read_model_open(&rm, store), ESK_OK);
    esk_status rc = esk_read_model_prepare(
        rm, "SELECT attendee, workshops FROM agenda ORDER BY attendee", &stmt);
    if (rc != ESK_OK)
        fail_msg("querying the agenda: %s", esk_errmsg());
    while (sqlite3_step(stmt) == SQLITE_ROW)
        add_line(buf, size, (const char *)sqlite3_column_text(stmt, 0),
                 (const char *)sqlite3_column_text(stmt, 1));
    sqlite3_finalize(stmt);
    esk_read_model_free(rm);
}
