/*
 * web/room_decide.c - the write side of the room: an attendee's stream
 * folded into what the room knows of them, and the events a new report
 * adds to it. A report that changes nothing appends nothing, so a report
 * sent twice (a retry of the attendee's queue) is harmless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>

#include "room.h"

#define KNOWN_MAX (2 * ROOM_EXERCISES_MAX)
#define EVENTS_MAX (1 + 3 * ROOM_EXERCISES_MAX)

typedef struct known_cell {
    char slug[ROOM_NAME_MAX + 1];
    char status[16];
    json_int_t passed, total, hints;
    char *failing; /* the failing tests as compact JSON */
} known_cell;

/* What the attendee's stream says so far. */
typedef struct known {
    bool joined;
    int64_t version;
    size_t count;
    known_cell cells[KNOWN_MAX];
} known;

void room_stream_of(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "attendee-%s", name);
}

static known_cell *cell_of(known *k, const char *slug, bool add)
{
    for (size_t i = 0; i < k->count; i++)
        if (strcmp(k->cells[i].slug, slug) == 0)
            return &k->cells[i];
    if (!add || k->count == KNOWN_MAX)
        return NULL;
    known_cell *c = &k->cells[k->count++];
    snprintf(c->slug, sizeof(c->slug), "%s", slug);
    snprintf(c->status, sizeof(c->status), "not-started");
    return c;
}

static void fold(known *k, const esk_event *e)
{
    k->version = e->version;
    if (strcmp(e->type, "AttendeeJoined") == 0) {
        k->joined = true;
        return;
    }
    json_t *d = json_loads(e->data, 0, NULL);
    const char *slug = json_string_value(json_object_get(d, "exercise"));
    known_cell *c = slug != NULL ? cell_of(k, slug, true) : NULL;
    if (c != NULL && strcmp(e->type, "TestsRan") == 0) {
        snprintf(c->status, sizeof(c->status), "%s",
                 json_string_value(json_object_get(d, "status")));
        c->passed = json_integer_value(json_object_get(d, "passed"));
        c->total = json_integer_value(json_object_get(d, "total"));
        free(c->failing);
        c->failing = json_dumps(json_object_get(d, "failing"), JSON_COMPACT);
    } else if (c != NULL && strcmp(e->type, "HintRevealed") == 0) {
        c->hints = json_integer_value(json_object_get(d, "revealed"));
    }
    json_decref(d);
}

static void known_free(known *k)
{
    for (size_t i = 0; i < k->count; i++)
        free(k->cells[i].failing);
}

static esk_status load(room *r, const char *stream, known *k)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    esk_status rc = esk_store_read_stream(r->store, stream, 1, 0, &list);
    for (size_t i = 0; rc == ESK_OK && i < list.count; i++)
        fold(k, &list.events[i]);
    esk_event_list_release(&list);
    return rc;
}

/* The events to append, as JSON texts and types. */
typedef struct decision {
    size_t count;
    const char *types[EVENTS_MAX];
    char *data[EVENTS_MAX];
} decision;

static void add(decision *d, const char *type, json_t *data)
{
    if (data == NULL || d->count == EVENTS_MAX)
        return;
    d->types[d->count] = type;
    d->data[d->count] = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    if (d->data[d->count] != NULL)
        d->count++;
}

static json_t *joined_event(const room_report *report)
{
    json_t *exercises = json_array();
    for (size_t i = 0; i < report->count; i++) {
        const room_exercise *e = &report->exercises[i];
        json_array_append_new(exercises, json_pack("{s:s,s:I,s:s}", "slug",
                                                   e->slug, "number", e->number,
                                                   "title", e->title));
    }
    return json_pack("{s:s,s:o}", "name", report->learner, "exercises",
                     exercises);
}

static bool tests_changed(const known_cell *c, const room_exercise *e)
{
    if (c == NULL)
        return strcmp(e->status, "not-started") != 0 || e->passed > 0;
    char *failing = json_dumps(e->failing, JSON_COMPACT);
    bool changed = strcmp(c->status, e->status) != 0 ||
                   c->passed != e->passed || c->total != e->total ||
                   failing == NULL || c->failing == NULL ||
                   strcmp(failing, c->failing) != 0;
    free(failing);
    return changed;
}

static void decide_exercise(decision *d, known *k, const room_exercise *e)
{
    known_cell *c = cell_of(k, e->slug, false);
    if (tests_changed(c, e))
        add(d, "TestsRan",
            json_pack("{s:s,s:I,s:s,s:s,s:I,s:I,s:O}", "exercise", e->slug,
                      "number", e->number, "title", e->title, "status",
                      e->status, "passed", e->passed, "total", e->total,
                      "failing", e->failing));
    bool was_done = c != NULL && strcmp(c->status, "done") == 0;
    if (strcmp(e->status, "done") == 0 && !was_done)
        add(d, "ExerciseCompleted",
            json_pack("{s:s,s:I}", "exercise", e->slug, "number", e->number));
    if (e->hints > (c != NULL ? c->hints : 0))
        add(d, "HintRevealed",
            json_pack("{s:s,s:I,s:I}", "exercise", e->slug, "revealed",
                      e->hints, "total", e->hints_total));
}

static esk_status append(room *r, const char *stream, const known *k,
                         const decision *d)
{
    esk_new_event events[EVENTS_MAX];
    for (size_t i = 0; i < d->count; i++)
        events[i] = (esk_new_event){NULL, d->types[i], 1, d->data[i], NULL};
    int64_t expected = k->version > 0 ? k->version : ESK_NO_STREAM;
    return esk_store_append(r->store, stream, expected, events, d->count, NULL);
}

esk_status room_record_report(room *r, const room_report *report,
                              size_t *appended)
{
    char stream[ESK_STREAM_ID_MAX + 1];
    room_stream_of(report->learner, stream, sizeof(stream));
    known *k = calloc(1, sizeof(*k));
    decision *d = calloc(1, sizeof(*d));
    esk_status rc = ESK_ENOMEM;
    if (k == NULL || d == NULL) {
        esk_error_set(rc, "out of memory for a report");
        goto done;
    }
    rc = load(r, stream, k);
    if (rc != ESK_OK)
        goto done;
    if (!k->joined)
        add(d, "AttendeeJoined", joined_event(report));
    for (size_t i = 0; i < report->count; i++)
        decide_exercise(d, k, &report->exercises[i]);
    if (d->count > 0)
        rc = append(r, stream, k, d);
    *appended = rc == ESK_OK ? d->count : 0;
done:
    if (d != NULL)
        for (size_t i = 0; i < d->count; i++)
            free(d->data[i]);
    if (k != NULL)
        known_free(k);
    free(k);
    free(d);
    return rc;
}
