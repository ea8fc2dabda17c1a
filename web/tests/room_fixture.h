/*
 * web/tests/room_fixture.h - a room on a temporary database, served on a
 * free loopback port, with a clock the tests move; and reports to post.
 */
#ifndef ROOM_FIXTURE_H
#define ROOM_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "client.h"
#include "http.h"
#include "room.h"

#define ROOM_TEST_CODE "K7Q2XP"

typedef struct room_fixture {
    char dir[256];
    char db[300];
    int64_t now_ms;
    room *room;
    esk_web *web;
} room_fixture;

/* A new temporary folder and a room in it, served. */
void room_fixture_start(room_fixture *f);
/* Stop serving and close the room (the database stays). */
void room_fixture_close(room_fixture *f);
/* Open the room again on the same database, and serve it. */
void room_fixture_reopen(room_fixture *f);
/* Close, and delete the temporary folder. */
void room_fixture_end(room_fixture *f);

/* A report of version 1 for learner: exercise 01-events with passed of 3
 * tests (the others failing), 02-store not started, hints of 01. A new
 * reference. */
json_t *room_report_of(const char *learner, int passed, int hints);

/* POST body to /api/report with code (NULL: no code header). Returns the
 * status; the answer's body goes to *answer when not NULL (free it). */
int room_post(room_fixture *f, const char *code, const char *body,
              char **answer);
int room_post_json(room_fixture *f, json_t *report); /* steals report */
/* GET target; returns the status, the body in *answer (free it). */
int room_get(room_fixture *f, const char *target, char **answer);
/* GET /api/room, parsed, without "now". A new reference. */
json_t *room_page(room_fixture *f);
/* Events in the store. */
int64_t room_event_count(room_fixture *f);

int run_room_http_tests(void);
int run_room_model_tests(void);

#endif
