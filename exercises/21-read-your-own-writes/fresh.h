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
 * You write the four functions marked "YOU WRITE" in fresh.c; the rest
 * (the store, the registration event, the catch-up projection and its
 * read model, the CLI) is provided in app.c.
 */
#ifndef FRESH_H
#define FRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/projection.h>
#include <esk/status.h>
#include <esk/store.h>

#define APP_ID_SIZE 32
#define APP_MAX 64

/* --- Provided (app.c) ----------------------------------------------------- */

/* One registration as a query shows it: the event's global position
 * (from 1), who, and for which workshop. */
typedef struct registration {
    int64_t position;
    char attendee_id[APP_ID_SIZE];
    char workshop_id[APP_ID_SIZE];
} registration;

/*
 * The write side and the read side of a tiny registration system, on a
 * real esk store (in memory). The write model is the store: each
 * attendee's registrations are AttendeeRegistered events in the stream
 * "attendee-<id>". The read model is the rows below, written by a
 * catch-up projection ("registrations", an esk_catchup over the store)
 * that keeps its checkpoint in the store, as every esk catch-up does.
 * Only app_project() runs it: in the deployed system another process,
 * in the suite the fake clock's sleep. Open with app_open(), close with
 * app_close(); do not copy a reg_app (its projection points at it).
 */
typedef struct reg_app {
    esk_store *store;
    esk_catchup *runner;
    esk_projection projection;
    registration read_model[APP_MAX];
    size_t read_count;
} reg_app;

/*
 * A new, empty system: a memory store, and the projection's runner,
 * which applies one event per batch (so app_project() can hold it
 * exactly so far behind).
 * @return ESK_OK; ESK_EINVAL (NULL); the store's and esk_catchup_new()'s
 *         failures (nothing left open).
 */
esk_status app_open(reg_app *app);

/* Free the runner and the store. NULL, or a closed app, is a no-op. */
void app_close(reg_app *app);

/* An AttendeeRegistered event ready to append, and the stream it goes
 * to. event.data points into data: keep the app_event alive until the
 * append returns. */
typedef struct app_event {
    char stream_id[APP_ID_SIZE + 16];
    char data[3 * APP_ID_SIZE + 64];
    esk_new_event event;
} app_event;

/*
 * Build the event of "attendee_id registers for workshop_id", for the
 * stream "attendee-<attendee_id>".
 * @return ESK_OK; ESK_EINVAL (NULL, an empty id, or one of APP_ID_SIZE
 *         bytes or more; the last error says which).
 */
esk_status app_registered_event(const char *attendee_id,
                                const char *workshop_id, app_event *out);

/*
 * The projection runner: esk_catchup_step() until it has applied events
 * events or the read model has caught up (events 0 applies nothing).
 * @return ESK_OK; esk_catchup_step()'s failures.
 */
esk_status app_project(reg_app *app, size_t events);

/*
 * Where the projection stands: esk_catchup_status_get() on its runner
 * (checkpoint, head, lag; the other members 0). Applies nothing.
 * @return ESK_OK; ESK_EINVAL (NULL); esk_catchup_status_get()'s failures.
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
 * The write model's answer for one attendee: their stream
 * "attendee-<id>", read from the store, the same way. Always up to date.
 * @param count receives how many (0 on failure).
 * @return ESK_OK; ESK_EINVAL (NULL, a bad id); the store's failures.
 */
esk_status app_log_registrations(reg_app *app, const char *attendee_id,
                                 registration *out, size_t max, size_t *count);

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
 * The command: append attendee_id's registration for workshop_id (the
 * event and stream of app_registered_event()) to app->store, and hand
 * back the global position the store gave it: the number a query waits
 * for. Not the stream's version (bob's first event is version 1 of his
 * stream, wherever it lands in the store).
 *
 * @param position receives the position; untouched on failure.
 * @return ESK_OK; ESK_EINVAL (NULL app or position);
 *         app_registered_event()'s and esk_store_append()'s failures.
 */
esk_status register_attendee(reg_app *app, const char *attendee_id,
                             const char *workshop_id, int64_t *position);

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
 *         wait_for_position()'s and app_log_registrations()'s failures
 *         (out untouched).
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
