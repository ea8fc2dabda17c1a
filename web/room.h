/*
 * web/room.h - the trainer's room: an event-sourced application on esk
 * behind a web page (issue 15, docs/trainer-guide.md).
 *
 * The write side: each attendee's runner posts its report (the JSON of
 * `./kata report --json`, docs/runner.md) to /api/report with the join
 * code. The report is validated (room_report.c), compared with what the
 * attendee's stream says so far (room_decide.c), and what changed is
 * appended to the attendee's stream "attendee-<name>" as events:
 *
 *   AttendeeJoined     {name}                       the first report
 *   TestsRan           {exercise, number, title, status, passed, total,
 *                       failing[]}                  an exercise changed
 *   ExerciseCompleted  {exercise}                   it became done
 *   HintRevealed       {exercise, revealed, total}  more hints seen
 *
 * The read side: a catch-up projection (room_view.c, esk_catchup) keeps
 * the page's tables in the same SQLite file; the page polls /api/room
 * (room_query.c). Restarting the room runs the catch-up from its
 * checkpoint; deleting the tables (or a new projection version) rebuilds
 * them from the events.
 *
 * The files: room.c (open, close, routes), room_report.c, room_decide.c,
 * room_view.c, room_query.c, room_main.c (the kata-room program).
 */
#ifndef ESK_WEB_ROOM_H
#define ESK_WEB_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <esk/projection.h>
#include <esk/store.h>

#include "http.h"
#include "rate.h"

/* The largest report accepted, in bytes: a kit of 21 exercises and 400
 * tests reports about 40 KiB. */
#define ROOM_BODY_MAX (256 * 1024)
/* Limits of the report schema the room accepts. */
#define ROOM_NAME_MAX 64
#define ROOM_EXERCISES_MAX 100
#define ROOM_TESTS_MAX 2000
#define ROOM_TEXT_MAX 200

typedef int64_t room_clock_fn(void *ctx); /* milliseconds */

typedef struct room_options {
    const char *db_path;       /* the esk SQLite store, ":memory:" in tests */
    const char *code;          /* the join code attendees must send */
    int stuck_minutes;         /* the page marks "stuck" after this long */
    double reports_per_second; /* per attendee, on average */
    unsigned report_burst;     /* per attendee, at once */
    room_clock_fn *clock;      /* NULL: the system clock */
    void *clock_ctx;
} room_options;

typedef struct room {
    room_options options;
    char *code;
    esk_store *store;
    esk_catchup *catchup;
    esk_projection projection;
    esk_read_model *read_model;
    esk_web_rate *rate;        /* reports, per learner */
    esk_web_rate *client_rate; /* every request, per client address */
    esk_web_route routes[6];
} room;

/* Open the store at options->db_path, catch the page's read model up
 * (rebuilding it when its tables are missing), and prepare the routes.
 * Returns ESK_OK or the store's error (message in esk's last error). */
esk_status room_open(room **out, const room_options *options);
void room_close(room *r);
/* The routes, for esk_web_start(). */
const esk_web_route *room_routes(room *r, size_t *count);
/* The admission hook for esk_web_start() (admit_ctx: the room): 100
 * requests at once, then 30 a second, per client address, so that a
 * flood under changing names is limited too. */
bool room_admit(void *ctx, const esk_web_request *request);
/* The server options of a room: its routes, its body limit and its
 * admission hook, on address (NULL: loopback) and port. */
void room_web_options(room *r, const char *address, uint16_t port,
                      esk_web_options *out);
int64_t room_now_ms(const room *r);

/* room_report.c: a report checked against the documented schema. On
 * failure, *why (a static or a new string in msg) says what is wrong in
 * the attendee's terms. */
typedef struct room_exercise {
    json_int_t number;
    const char *slug;   /* borrowed from the report */
    const char *title;  /* borrowed */
    const char *status; /* not-started in-progress done build-error crashed */
    json_int_t passed, total, hints, hints_total;
    json_t *failing; /* new: an array of the names of tests not passing */
} room_exercise;

typedef struct room_report {
    json_t *doc; /* the parsed report, owned */
    const char *learner;
    size_t count;
    room_exercise exercises[ROOM_EXERCISES_MAX];
} room_report;

bool room_report_parse(room_report *out, const char *body, size_t size,
                       char *why, size_t why_size);
void room_report_free(room_report *report);

/* room_decide.c: the events a report means for its attendee's stream,
 * given what the stream holds; appends them. *appended gets their
 * number (0: nothing changed). */
esk_status room_record_report(room *r, const room_report *report,
                              size_t *appended);
/* "attendee-<name>" into buf (ESK_STREAM_ID_MAX + 1 bytes). */
void room_stream_of(const char *name, char *buf, size_t size);

/* room_view.c: the catch-up projection of the page's tables. */
void room_view_projection(esk_projection *out);

/* room_query.c: the JSON the page shows. New references. */
esk_status room_query_room(room *r, json_t **out);
esk_status room_query_attendee(room *r, const char *name, json_t **out);

#endif
