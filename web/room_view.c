/*
 * web/room_view.c - the read side of the room: a catch-up projection
 * that keeps the page's tables (room_*) in the store's own SQLite file,
 * so that each batch of events and its checkpoint commit together.
 * Times are the events' recorded_at, in milliseconds: a rebuild gives
 * the same page as the live run did.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/error.h>

#include "room.h"

static const char *const view_tables[] = {
    "CREATE TABLE IF NOT EXISTS room_exercises(slug TEXT PRIMARY KEY, "
    "number INTEGER, title TEXT)",
    "CREATE TABLE IF NOT EXISTS room_attendees(name TEXT PRIMARY KEY, "
    "joined_at INTEGER, progress_at INTEGER, seen_at INTEGER)",
    "CREATE TABLE IF NOT EXISTS room_cells(name TEXT, slug TEXT, status TEXT, "
    "passed INTEGER, total INTEGER, hints INTEGER, at INTEGER, "
    "PRIMARY KEY(name, slug))",
    "CREATE TABLE IF NOT EXISTS room_failing(name TEXT, slug TEXT, "
    "test TEXT)",
    "CREATE TABLE IF NOT EXISTS room_timeline(position INTEGER PRIMARY KEY, "
    "name TEXT, at INTEGER, type TEXT, summary TEXT)",
};

/* Runs one statement with its parameters: 's' a string, 'i' an int64. */
static esk_status run(esk_store *store, const char *sql, const char *kinds, ...)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "room view: %s", sqlite3_errmsg(db));
    va_list args;
    va_start(args, kinds);
    for (int i = 0; kinds[i] != '\0'; i++) {
        if (kinds[i] == 's')
            sqlite3_bind_text(stmt, i + 1, va_arg(args, const char *), -1,
                              SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(stmt, i + 1, va_arg(args, int64_t));
    }
    va_end(args);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return esk_error_set(ESK_EIO, "room view: %s", sqlite3_errmsg(db));
    return ESK_OK;
}

static esk_status view_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = ESK_OK;
    for (size_t i = 0; rc == ESK_OK && i < 5; i++)
        rc = run(store, view_tables[i], "");
    return rc;
}

static esk_status view_reset(void *ctx, esk_store *store)
{
    (void)ctx;
    const char *tables[] = {"room_exercises", "room_attendees", "room_cells",
                            "room_failing", "room_timeline"};
    esk_status rc = ESK_OK;
    for (size_t i = 0; rc == ESK_OK && i < 5; i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i]);
        rc = run(store, sql, "");
    }
    return rc;
}

static esk_status on_joined(esk_store *store, const char *name, int64_t at,
                            const json_t *d)
{
    esk_status rc = run(store,
                        "INSERT OR IGNORE INTO room_attendees VALUES "
                        "(?, ?, ?, ?)",
                        "siii", name, at, at, at);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(d, "exercises"), i, e)
    {
        if (rc != ESK_OK)
            break;
        rc = run(store, "INSERT OR IGNORE INTO room_exercises VALUES (?,?,?)",
                 "sis", json_string_value(json_object_get(e, "slug")),
                 (int64_t)json_integer_value(json_object_get(e, "number")),
                 json_string_value(json_object_get(e, "title")));
    }
    return rc;
}

/* More tests passing than before is progress: the "stuck" clock starts
 * again. */
static esk_status on_tests_ran(esk_store *store, const char *name, int64_t at,
                               const json_t *d)
{
    const char *slug = json_string_value(json_object_get(d, "exercise"));
    int64_t passed = json_integer_value(json_object_get(d, "passed"));
    esk_status rc = run(store,
                        "UPDATE room_attendees SET progress_at = ? WHERE "
                        "name = ? AND ? > coalesce((SELECT passed FROM "
                        "room_cells WHERE name = ? AND slug = ?), 0)",
                        "isiss", at, name, passed, name, slug);
    if (rc == ESK_OK)
        rc = run(store,
                 "INSERT INTO room_cells VALUES (?, ?, ?, ?, ?, 0, ?) "
                 "ON CONFLICT(name, slug) DO UPDATE SET status = "
                 "excluded.status, passed = excluded.passed, total = "
                 "excluded.total, at = excluded.at",
                 "sssiii", name, slug,
                 json_string_value(json_object_get(d, "status")), passed,
                 (int64_t)json_integer_value(json_object_get(d, "total")), at);
    if (rc == ESK_OK)
        rc = run(store, "INSERT OR IGNORE INTO room_exercises VALUES (?, ?, ?)",
                 "sis", slug,
                 (int64_t)json_integer_value(json_object_get(d, "number")),
                 json_string_value(json_object_get(d, "title")));
    if (rc == ESK_OK)
        rc = run(store, "DELETE FROM room_failing WHERE name = ? AND slug = ?",
                 "ss", name, slug);
    size_t i;
    json_t *test;
    json_array_foreach(json_object_get(d, "failing"), i, test)
    {
        if (rc != ESK_OK)
            break;
        rc = run(store, "INSERT INTO room_failing VALUES (?, ?, ?)", "sss",
                 name, slug, json_string_value(test));
    }
    return rc;
}

static esk_status on_event(esk_store *store, const esk_event *event,
                           const char *name, int64_t at, const json_t *d)
{
    const char *slug = json_string_value(json_object_get(d, "exercise"));
    if (strcmp(event->type, "AttendeeJoined") == 0)
        return on_joined(store, name, at, d);
    if (strcmp(event->type, "TestsRan") == 0)
        return on_tests_ran(store, name, at, d);
    if (strcmp(event->type, "ExerciseCompleted") == 0)
        return run(store,
                   "UPDATE room_attendees SET progress_at = ? WHERE name = ?",
                   "is", at, name);
    if (strcmp(event->type, "HintRevealed") == 0)
        return run(store,
                   "INSERT INTO room_cells VALUES (?, ?, 'not-started', 0, 0, "
                   "?, ?) ON CONFLICT(name, slug) DO UPDATE SET hints = "
                   "excluded.hints",
                   "ssii", name, slug,
                   (int64_t)json_integer_value(json_object_get(d, "revealed")),
                   at);
    return ESK_OK;
}

static esk_status view_handle(void *ctx, esk_store *store,
                              const esk_event *event)
{
    (void)ctx;
    const char *prefix = "attendee-";
    if (strncmp(event->stream_id, prefix, strlen(prefix)) != 0)
        return ESK_OK;
    const char *name = event->stream_id + strlen(prefix);
    int64_t at = event->recorded_at / 1000;
    json_t *d = json_loads(event->data, 0, NULL);
    if (d == NULL)
        return esk_error_set(ESK_EDECODE, "event %lld is not JSON",
                             (long long)event->position);
    esk_status rc = on_event(store, event, name, at, d);
    if (rc == ESK_OK)
        rc = run(store, "UPDATE room_attendees SET seen_at = ? WHERE name = ?",
                 "is", at, name);
    if (rc == ESK_OK)
        rc = run(store, "INSERT INTO room_timeline VALUES (?, ?, ?, ?, ?)",
                 "isiss", (int64_t)event->position, name, at, event->type,
                 event->data);
    json_decref(d);
    return rc;
}

void room_view_projection(esk_projection *out)
{
    memset(out, 0, sizeof(*out));
    out->name = "room-page";
    out->version = 1;
    out->handle = view_handle;
    out->setup = view_setup;
    out->reset = view_reset;
}
