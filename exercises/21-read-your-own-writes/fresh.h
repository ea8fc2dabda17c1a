/*
 * fresh.h - reading your own writes when someone else runs the
 * projection.
 *
 *   command ──► append @7 ──► returns 7
 *   query(7) ──► checkpoint 5? poll, sleep, poll... ──► 7: fresh
 *                                      deadline passed ──► stale, lag 2
 *
 * Exercise 10 ran the projection itself until it reached a position. In
 * a deployed system another process runs it: the query can only watch
 * the checkpoint, and must not wait for ever.
 *
 * You write the three functions marked "YOU WRITE" in fresh.c; the rest
 * (the event log, the registration command, the projection runner, the
 * read model and the CLI) is provided in app.c.
 */
#ifndef FRESH_H
#define FRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/projection.h>
#include <esk/status.h>

#define APP_ID_SIZE 32
#define APP_MAX 64

/* --- Provided (app.c) ----------------------------------------------------- */

/* One AttendeeRegistered event of the log, at its position (from 1). */
typedef struct registration {
    int64_t position;
    char attendee_id[APP_ID_SIZE];
    char workshop_id[APP_ID_SIZE];
} registration;

/*
 * The write side and the read side of a tiny registration system. The
 * log is the write model (every event, at once); the read model holds
 * the events the projection has applied, up to its checkpoint. Only
 * app_project() moves the checkpoint: in the deployed system that is
 * another process, in the suite the fake clock's sleep.
 * Start from (reg_app){0}.
 */
typedef struct reg_app {
    registration log[APP_MAX];
    size_t log_count;
    registration read_model[APP_MAX];
    size_t read_count;
    int64_t checkpoint;
} reg_app;

/*
 * The command: append AttendeeRegistered to the log.
 *
 * @param position receives the position of the appended event.
 * @return ESK_OK; ESK_EINVAL (NULL, empty or long ids); ESK_ENOMEM
 *         (APP_MAX events).
 */
esk_status app_register(reg_app *app, const char *attendee_id,
                        const char *workshop_id, int64_t *position);

/* The projection runner: apply at most max events past the checkpoint. */
void app_project(reg_app *app, size_t max);

/*
 * Where the projection stands, as esk_catchup_status_get() says it:
 * checkpoint, head (the log's last position) and lag (head - checkpoint);
 * the other members are 0. @return ESK_OK; ESK_EINVAL (NULL).
 */
esk_status app_status(reg_app *app, esk_catchup_status *status);

/*
 * The read model's query: the workshops of attendee_id, in the order
 * registered, at most max into out.
 * @return how many.
 */
size_t app_read_registrations(const reg_app *app, const char *attendee_id,
                              registration *out, size_t max);

/*
 * The write model's answer for one attendee: every registration of the
 * log, the same way. Always fresh; in a real system a read of the
 * attendee's own stream.
 */
size_t app_log_registrations(const reg_app *app, const char *attendee_id,
                             registration *out, size_t max);

/*
 * Time, injected: now() in milliseconds, sleep() for ms milliseconds.
 * The deployed clock really sleeps; the suite's advances a counter (and
 * lets the projection run meanwhile).
 */
typedef struct wait_clock {
    int64_t (*now)(void *context);
    void (*sleep)(void *context, int64_t ms);
    void *context;
} wait_clock;

/* How often a waiting query looks at the checkpoint again. */
#define POLL_INTERVAL_MS 50

/* The verdict on an answer. */
typedef struct freshness {
    bool fresh;          /* the read model has reached the position */
    int64_t lag;         /* stale: position - checkpoint, events not shown */
    int64_t stale_since; /* stale: now() when the wait started */
    int64_t checkpoint;  /* the checkpoint seen last */
} freshness;

/* What my_registrations() shows. */
typedef struct my_view {
    registration items[APP_MAX];
    size_t count;
    freshness freshness;
    int64_t just_now; /* the position marked "(just now)", 0: none */
} my_view;

/*
 * The CLI moment, "my registrations" right after registering: prints
 * "bob: w-1 (just now), w-2" or "bob: w-2 (updating: 1 registration not
 * shown yet)" into out, built on my_registrations().
 *
 * @return my_registrations()'s status; out holds the line on ESK_OK and
 *         esk_errmsg() otherwise.
 */
esk_status cli_my_registrations(reg_app *app, const wait_clock *clock,
                                const char *attendee_id, int64_t position,
                                bool own_stream_when_stale, char *out,
                                size_t size);

/* --- YOU WRITE (fresh.c) -------------------------------------------------- */

/*
 * Wait until the read model has reached position, or until timeout_ms
 * have passed, and say which:
 *
 *   - position 0 (the caller wrote nothing): answer at once, fresh,
 *     without a sleep;
 *   - position past the head: ESK_EINVAL, no sleep, the last error
 *     (esk_error_set) names the position and the head: no event was
 *     written there, waiting would never end;
 *   - checkpoint at or past position: fresh, no sleep;
 *   - else sleep POLL_INTERVAL_MS (never past the deadline: the last
 *     sleep is shorter) and look again; when now() reaches start +
 *     timeout_ms: stale, lag = position - checkpoint, stale_since = the
 *     start.
 *
 * @param out receives the verdict.
 * @return ESK_OK (fresh or stale: out says which); ESK_EINVAL (NULL, a
 *         negative position or timeout, a position past the head);
 *         app_status()'s failures.
 */
esk_status wait_for_position(reg_app *app, const wait_clock *clock,
                             int64_t position, int64_t timeout_ms,
                             freshness *out);

/* How long my_registrations() waits. */
#define QUERY_TIMEOUT_MS 200

/*
 * The query: attendee_id's registrations from the read model, after
 * wait_for_position(position, QUERY_TIMEOUT_MS), with the verdict in
 * out->freshness, and out->just_now = position when the read model shows
 * the event at position.
 *
 * When the read model is stale and own_stream_when_stale: answer from the
 * write model (app_log_registrations) instead, mark out->just_now =
 * position, and report fresh (lag 0): the attendee's own stream is
 * always up to date.
 *
 * @return ESK_OK; ESK_EINVAL (NULL attendee_id or out);
 *         wait_for_position()'s failures (out untouched).
 */
esk_status my_registrations(reg_app *app, const wait_clock *clock,
                            const char *attendee_id, int64_t position,
                            bool own_stream_when_stale, my_view *out);

/*
 * The line of the CLI for view: "bob: w-1 (just now), w-2" (the item at
 * view->just_now marked), "bob: none yet" without items, and stale:
 * " (updating: N registration(s) not shown yet)" after the items, N the
 * lag ("registration" for 1, "registrations" otherwise).
 */
void format_my_registrations(const char *attendee_id, const my_view *view,
                             char *out, size_t size);

#endif
