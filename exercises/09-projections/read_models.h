/*
 * read_models.h - two read models of the workshops, each shaped for one
 * query, in SQLite tables beside the events.
 *
 *   events (the write side)                  read models (the read side)
 *   workshop-w-1  WorkshopScheduled   ─┐
 *                 AttendeeRegistered  ─┼─► catalogue   one row per workshop:
 *                 AttendeeWaitlisted  ─┤               seats left, waitlist
 *   workshop-w-2  WorkshopScheduled   ─┤
 *                 AttendeeRegistered  ─┴─► agenda      one row per attendee
 *                                                      and workshop: seat or
 *                                                      waitlist
 *
 * A projection turns each event into changes of its tables (projections.c);
 * a query reads one table, shaped like the screen that shows it
 * (queries.c). Queries never read the events.
 *
 * You write the two handlers and the two queries; the tables, their setup
 * and the tools are provided (read_models.c).
 */
#ifndef READ_MODELS_H
#define READ_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include <esk/projection.h>

#include "events.h"

/* --- The tables (created by the projections' setup, read_models.c) --------
 *
 * catalogue: one row per workshop, what the catalogue page shows.
 *
 *   workshop_id      TEXT PRIMARY KEY
 *   title            TEXT     from WorkshopScheduled
 *   starts_on        TEXT     from WorkshopScheduled: "2026-12-01"
 *   seats_left       INTEGER  the capacity, less the seats taken
 *   waitlist_length  INTEGER  how many people wait for a seat
 *   last_position    INTEGER  the position of the last event applied to
 *                             the row: the guard that makes counting
 *                             idempotent (see catalogue_handle)
 *
 * agenda: one row per attendee and workshop, what an attendee's "my
 * workshops" page shows. Its rows come from the streams of many workshops.
 *
 *   attendee_id  TEXT     \ PRIMARY KEY
 *   workshop_id  TEXT     /
 *   title        TEXT     copied from agenda_workshops when the row is made
 *   starts_on    TEXT     copied from agenda_workshops when the row is made
 *   place        TEXT     "seat" or "waitlist"
 *
 * agenda_workshops: the agenda projection's own notes, not for queries:
 * what it has learnt of each workshop from WorkshopScheduled, so that a
 * registration (which carries no title) can be given one.
 *
 *   workshop_id  TEXT PRIMARY KEY
 *   title        TEXT
 *   starts_on    TEXT
 */

/* --- The projections ------------------------------------------------------ */

/*
 * Apply one event to the catalogue.
 *
 *   WorkshopScheduled           a row with all its seats left, nobody
 *                               waiting (a row already there stays as it is)
 *   AttendeeRegistered          one seat less
 *   AttendeeWaitlisted          one more waiting
 *   RegistrationCancelled       one seat more, or one waiting less when
 *                               wasWaitlisted
 *   WaitlistedAttendeePromoted  one waiting less, and one seat less
 *
 * Idempotent: delivery is at least once, so an event may come twice, and
 * the second time must change nothing. Counting is not idempotent by
 * itself: each row keeps the position of the last event applied to it
 * (event->position, which only grows), and a change is made only to a
 * row whose last_position is smaller, setting it to the event's:
 *
 *   UPDATE catalogue SET seats_left = seats_left - 1, last_position = ?2
 *   WHERE workshop_id = ?1 AND last_position < ?2
 *
 * @param ctx   the projection's ctx (NULL here).
 * @param store the store, whose SQLite database holds the tables: use
 *              SQL_EXEC() below.
 * @param event the stored event: its type name, data (JSON) and position.
 *              Decode it with decode_workshop_event().
 * @return ESK_OK (also for an event the catalogue does not show); the
 *         status of decode_workshop_event() or SQL_EXEC(), passed on as it
 *         is: they have left the reason in the last error (esk_errmsg()),
 *         and esk adds which projection failed, at which event.
 */
esk_status catalogue_handle(void *ctx, esk_store *store,
                            const esk_event *event);

/*
 * Apply one event to the agenda.
 *
 *   WorkshopScheduled           note the workshop's title and date in
 *                               agenda_workshops
 *   AttendeeRegistered          a row for the attendee: place "seat", the
 *                               workshop's title and date copied from
 *                               agenda_workshops
 *   AttendeeWaitlisted          the same, with place "waitlist"
 *   WaitlistedAttendeePromoted  the attendee's row: place "seat"
 *   RegistrationCancelled       the attendee's row is deleted
 *
 * Idempotent: every statement sets values (INSERT OR REPLACE, UPDATE ...
 * SET place = 'seat', DELETE) rather than counting, so applying an event
 * twice leaves what applying it once left.
 *
 * @return as catalogue_handle().
 */
esk_status agenda_handle(void *ctx, esk_store *store, const esk_event *event);

/* The two projections: name, version, the event types each handles, your
 * handle() and the provided setup() and reset() (read_models.c). */
extern const esk_projection catalogue_projection;
extern const esk_projection agenda_projection;

/* --- The queries ---------------------------------------------------------- */

#define PLACE_SIZE 16 /* "seat", "waitlist" */

/* A line of the catalogue page. */
typedef struct catalogue_entry {
    char workshop_id[ID_SIZE];
    char title[TITLE_SIZE];
    char starts_on[DATE_SIZE];
    int64_t seats_left;
    int64_t waitlist_length;
} catalogue_entry;

/* A line of an attendee's agenda. */
typedef struct agenda_entry {
    char workshop_id[ID_SIZE];
    char title[TITLE_SIZE];
    char starts_on[DATE_SIZE];
    char place[PLACE_SIZE]; /* "seat" or "waitlist" */
} agenda_entry;

/*
 * The catalogue, soonest first: ordered by starts_on, then workshop_id.
 *
 * Reads the catalogue table only, through esk_read_model_prepare(); binds
 * nothing, steps the statement, copies each row into the next entry, and
 * finalizes the statement.
 *
 * @param entries room for max entries; the first *count are filled.
 * @param max     the most entries to fill: rows after those are left out.
 * @param count   receives the number of entries filled (0 when the
 *                catalogue is empty).
 * @return ESK_OK; what esk_read_model_prepare() returns (ESK_EINVAL for a
 *         statement it refuses, esk_errmsg() says why); ESK_EIO when a
 *         step fails, with esk_error_set() and SQLite's message.
 */
esk_status catalogue_list(esk_read_model *read_model, catalogue_entry *entries,
                          size_t max, size_t *count);

/*
 * An attendee's agenda, soonest first: their rows of the agenda table,
 * ordered by starts_on, then workshop_id.
 *
 * @param attendee_id whose agenda; bound to the statement as ?1 (never
 *                    pasted into the SQL text); borrowed.
 * Otherwise as catalogue_list(); an attendee with no registration has an
 * empty agenda (*count = 0, ESK_OK).
 */
esk_status agenda_for(esk_read_model *read_model, const char *attendee_id,
                      agenda_entry *entries, size_t max, size_t *count);

/* --- Tools (read_models.c) ------------------------------------------------ */

/* Any of the six workshop events, as decode_workshop_event() fills it. */
typedef union workshop_event {
    workshop_scheduled scheduled;
    attendee_registered registered;
    attendee_waitlisted waitlisted;
    registration_cancelled cancelled;
    waitlisted_attendee_promoted promoted;
    registration_closed closed;
} workshop_event;

/*
 * Decode a stored event of a workshop stream:
 *
 *   const esk_event_type *type = NULL;
 *   workshop_event e;
 *   esk_status rc = decode_workshop_event(event, &type, &e);
 *   if (rc != ESK_OK)
 *       return rc;
 *   if (type == &attendee_registered_type)
 *       ... e.registered.workshop_id ...
 *
 * @param type receives the event's type, one of the six of events.h, or
 *             NULL for an event of another type (e is then untouched:
 *             there is nothing to apply).
 * @return ESK_OK; ESK_EDECODE (data that does not fit the type:
 *         esk_errmsg() says which field).
 */
esk_status decode_workshop_event(const esk_event *event,
                                 const esk_event_type **type,
                                 workshop_event *e);

/* A value for a ?N parameter of a statement: text, or an integer. */
typedef struct sql_value {
    const char *text; /* NULL: the value is number */
    int64_t number;
} sql_value;

#define SQL_TEXT(s) ((sql_value){.text = (s), .number = 0})
#define SQL_INT(n) ((sql_value){.text = NULL, .number = (n)})

/*
 * Run one statement that changes the read model, in the store's SQLite
 * database, with its parameters ?1, ?2... given in order:
 *
 *   return SQL_EXEC(store,
 *                   "UPDATE agenda SET place = 'seat' "
 *                   "WHERE attendee_id = ?1 AND workshop_id = ?2",
 *                   SQL_TEXT(e.promoted.attendee_id),
 *                   SQL_TEXT(e.promoted.workshop_id));
 *
 * A statement without parameters: sql_run(store, sql, NULL, 0).
 *
 * @return ESK_OK; ESK_EINVAL (a store that is not SQLite); ESK_EIO (SQLite
 *         refused the statement: esk_errmsg() gives its message and the
 *         SQL).
 */
esk_status sql_run(esk_store *store, const char *sql, const sql_value *values,
                   size_t count);
#define SQL_EXEC(store, sql, ...)                                              \
    sql_run((store), (sql), (const sql_value[]){__VA_ARGS__},                  \
            sizeof((const sql_value[]){__VA_ARGS__}) / sizeof(sql_value))

/*
 * Copy column `column` (from 0) of the current row of a stepped statement
 * into the char array `to` of `size` bytes, as text: cut to fit, a NULL
 * value read as "".
 *
 *   copy_column(entry->title, sizeof(entry->title), stmt, 1);
 */
void copy_column(char *to, size_t size, sqlite3_stmt *stmt, int column);

#endif
