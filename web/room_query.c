/*
 * web/room_query.c - the query side of the room: the page's JSON, read
 * from the projection's tables through esk_read_model (which cannot read
 * the events themselves).
 */
#include <string.h>

#include <sqlite3.h>

#include <esk/error.h>

#include "room.h"

/* Each row of the query as an object keyed by column name; integers and
 * text only, which is all the view holds. */
static esk_status rows(room *r, const char *sql, const char *name, json_t **out)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = esk_read_model_prepare(r->read_model, sql, &stmt);
    if (rc != ESK_OK)
        return rc;
    if (name != NULL)
        sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
    json_t *list = json_array();
    int step;
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int c = 0; c < sqlite3_column_count(stmt); c++) {
            const char *key = sqlite3_column_name(stmt, c);
            if (sqlite3_column_type(stmt, c) == SQLITE_INTEGER)
                json_object_set_new(
                    row, key, json_integer(sqlite3_column_int64(stmt, c)));
            else if (sqlite3_column_type(stmt, c) == SQLITE_TEXT)
                json_object_set_new(
                    row, key,
                    json_string((const char *)sqlite3_column_text(stmt, c)));
        }
        json_array_append_new(list, row);
    }
    sqlite3_finalize(stmt);
    if (step != SQLITE_DONE) {
        json_decref(list);
        return esk_error_set(ESK_EIO, "the room's view cannot be read");
    }
    *out = list;
    return ESK_OK;
}

/* Puts each cell under its attendee: attendees[i].cells[slug]. */
static void attach_cells(json_t *attendees, json_t *cells)
{
    size_t i, j;
    json_t *a, *c;
    json_array_foreach(attendees, i, a)
    {
        json_t *mine = json_object();
        const char *name = json_string_value(json_object_get(a, "name"));
        json_array_foreach(cells, j, c)
        {
            if (strcmp(json_string_value(json_object_get(c, "name")), name))
                continue;
            json_object_set(mine, json_string_value(json_object_get(c, "slug")),
                            c);
        }
        json_object_set_new(a, "cells", mine);
    }
}

esk_status room_query_room(room *r, json_t **out)
{
    json_t *exercises = NULL, *attendees = NULL, *cells = NULL, *failing = NULL;
    esk_catchup_status st;
    esk_status rc = esk_catchup_status_get(r->catchup, &st);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT slug, number, title FROM room_exercises "
                  "ORDER BY number, slug",
                  NULL, &exercises);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT name, joined_at, progress_at, seen_at, (SELECT "
                  "coalesce(sum(hints), 0) FROM room_cells c WHERE c.name = "
                  "a.name) AS hints FROM room_attendees a ORDER BY name",
                  NULL, &attendees);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT name, slug, status, passed, total, hints FROM "
                  "room_cells",
                  NULL, &cells);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT slug, test, count(DISTINCT name) AS attendees FROM "
                  "room_failing GROUP BY slug, test ORDER BY attendees DESC, "
                  "slug, test LIMIT 8",
                  NULL, &failing);
    if (rc == ESK_OK) {
        attach_cells(attendees, cells);
        *out = json_pack("{s:I,s:I,s:i,s:O,s:O,s:O}", "version",
                         (json_int_t)st.checkpoint, "now",
                         (json_int_t)room_now_ms(r), "stuck_minutes",
                         r->options.stuck_minutes, "exercises", exercises,
                         "attendees", attendees, "failing", failing);
        if (*out == NULL)
            rc = esk_error_set(ESK_ENOMEM, "out of memory for the page");
    }
    json_decref(exercises);
    json_decref(attendees);
    json_decref(cells);
    json_decref(failing);
    return rc;
}

esk_status room_query_attendee(room *r, const char *name, json_t **out)
{
    json_t *cells = NULL, *failing = NULL, *timeline = NULL;
    esk_status rc = rows(r,
                         "SELECT c.slug, e.number, e.title, c.status, "
                         "c.passed, c.total, c.hints FROM room_cells c LEFT "
                         "JOIN room_exercises e ON e.slug = c.slug WHERE "
                         "c.name = ?1 ORDER BY e.number",
                         name, &cells);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT slug, test FROM room_failing WHERE name = ?1 "
                  "ORDER BY slug, rowid",
                  name, &failing);
    if (rc == ESK_OK)
        rc = rows(r,
                  "SELECT position, at, type, summary AS data FROM "
                  "room_timeline WHERE name = ?1 ORDER BY position DESC "
                  "LIMIT 40",
                  name, &timeline);
    if (rc == ESK_OK && json_array_size(timeline) == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "no attendee is named '%s'", name);
    if (rc == ESK_OK) {
        *out = json_pack("{s:s,s:O,s:O,s:O}", "name", name, "cells", cells,
                         "failing", failing, "timeline", timeline);
        if (*out == NULL)
            rc = esk_error_set(ESK_ENOMEM, "out of memory for the page");
    }
    json_decref(cells);
    json_decref(failing);
    json_decref(timeline);
    return rc;
}
