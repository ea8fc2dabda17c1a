/*
 * books.h - closing a workshop's books at the end of a period, and opening
 * the next period from a summary.
 *
 * A workshop that runs for years would fold every event since its first
 * day on each load. Instead its life is cut into periods, one stream each:
 *
 *   workshop-w-1.p1: Scheduled Registered ... Waitlisted  PeriodClosed{summary}
 *                                                          (stream closed)
 *   workshop-w-1.p2: PeriodOpened{summary}  Registered ...
 *
 * The summary is a fact: what the next period must know of the old one
 * (whether it takes registrations, its capacity, who holds a seat, who
 * waits, in order). Closing appends it to the old stream and closes that
 * stream in the same append (esk_store_close_stream()): nobody can add to
 * a period that is summed up. Opening writes the same summary as the first
 * event of the next stream, so that loading a period reads its own stream
 * and never the old one.
 *
 * You write the four functions in books.c, in this order.
 */
#ifndef BOOKS_H
#define BOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/event.h>
#include <esk/store.h>

#include "events.h"
#include "state.h"

/* A period's stream id: "workshop-<workshop_id>.p<period>". */
#define BOOKS_STREAM_SIZE 96

/* The summary of a period: the two events that carry it (the old stream's
 * last, the new stream's first) share this struct. */
typedef struct period_summary {
    char workshop_id[ID_SIZE];
    int64_t period;                  /* the period that was closed */
    bool open;                       /* still taking registrations */
    int64_t capacity;                /* seats in all */
    char seated[MAX_SEATS][ID_SIZE]; /* who holds a seat, in order */
    size_t seated_count;
    char waitlist[MAX_WAITING][ID_SIZE]; /* who waits, longest first */
    size_t waitlist_count;
} period_summary;

/* "WorkshopPeriodClosed": the last event of a closed period's stream. */
extern const esk_event_type period_closed_type;
/* "WorkshopPeriodOpened": the first event of every period after the
 * first. */
extern const esk_event_type period_opened_type;

/* The books' refusals (esk_domain_error codes). */
enum books_error {
    /* books_open_next_period on a period that is not closed yet. */
    BOOKS_PERIOD_NOT_CLOSED = 1,
    /* books_open_next_period on a closed period whose last event is not
     * its summary. */
    BOOKS_NO_SUMMARY = 2,
};
const char *books_error_name(int code);

/* --- Provided (support.c) ------------------------------------------------ */

/* Write the stream id of a period into buf (BOOKS_STREAM_SIZE bytes). */
void books_stream_id(const char *workshop_id, int64_t period, char *buf);

/* Decode one recorded event of the six domain types and evolve state with
 * it (workshop_evolve). ESK_EDECODE for any other type or bad data. */
esk_status books_evolve_recorded(workshop_state *state, const esk_event *e);

/* --- You write these (books.c) ------------------------------------------- */

/*
 * Load a period: the state at the end of its stream, and the stream's
 * version. Start from the zero state; a WorkshopPeriodOpened event sets the
 * state from its summary (status WORKSHOP_OPEN or WORKSHOP_CLOSED, the
 * capacity, the seated and the waitlist, in order); a WorkshopPeriodClosed
 * changes nothing; every other event goes through books_evolve_recorded().
 * Read the period's own stream only.
 *
 * @return ESK_OK; ESK_ENOTFOUND (esk_error_set) when the stream does not
 *         exist; what esk or books_evolve_recorded() returned.
 */
esk_status books_load_period(esk_store *store, const char *workshop_id,
                             int64_t period, workshop_state *state,
                             int64_t *version);

/*
 * The summary of a state: zero *out, then the workshop id, the period,
 * whether it is open (WORKSHOP_OPEN), the capacity, and the seated and the
 * waitlist, copied in order. Titles and names are not facts the next
 * period decides on: they stay in the old events.
 */
void books_summarize(const workshop_state *state, const char *workshop_id,
                     int64_t period, period_summary *out);

/*
 * Close a period: load it, summarize it, and append the summary as a
 * WorkshopPeriodClosed with esk_store_close_stream(), at the version
 * loaded (a booking that slipped in since is ESK_ECONCURRENCY, not lost).
 *
 * @return ESK_OK; ESK_ECLOSED (already closed); what esk returned.
 */
esk_status books_close_period(esk_store *store, const char *workshop_id,
                              int64_t period);

/*
 * Open the period after closed_period: check with esk_store_stream_closed()
 * that closed_period is closed (BOOKS_PERIOD_NOT_CLOSED otherwise), read its
 * last event (BOOKS_NO_SUMMARY unless it is a WorkshopPeriodClosed), and
 * append the same summary as a WorkshopPeriodOpened, the first event of
 * the next stream (ESK_NO_STREAM), with the event id "opened-" followed by
 * the new stream's id: done twice, the second append is a replay.
 *
 * Safe to call again after a crash between the close and the open: the
 * summary waits in the closed stream.
 *
 * @return ESK_OK; ESK_EDOMAIN (books_error); what esk returned.
 */
esk_status books_open_next_period(esk_store *store, const char *workshop_id,
                                  int64_t closed_period);

#endif
