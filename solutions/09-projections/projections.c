/*
 * projections.c - events in, rows out: the catalogue and the agenda.
 *
 * A projection decides nothing and refuses nothing: the events are facts,
 * and each handler only translates one of them into changes of its
 * tables. Both must survive an event delivered twice.
 */
#include <stdio.h>

#include "read_models.h"

/* --- catalogue ------------------------------------------------------------ */

/*
 * Apply a change to one workshop's row, unless the row has already seen
 * this event. Positions only grow, so "last_position < this one" means
 * "not applied yet"; the same statement moves last_position on, so that
 * the event, delivered again, finds nothing to change.
 */
static esk_status change_workshop(esk_store *store, const char *workshop_id,
                                  const char *change, int64_t position)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "UPDATE catalogue SET %s, last_position = ?2 "
             "WHERE workshop_id = ?1 AND last_position < ?2",
             change);
    return SQL_EXEC(store, sql, SQL_TEXT(workshop_id), SQL_INT(position));
}

esk_status catalogue_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx;
    const esk_event_type *type = NULL;
    workshop_event e;
    esk_status rc = decode_workshop_event(event, &type, &e);
    if (rc != ESK_OK)
        return rc;

    if (type == &workshop_scheduled_type)
        /* OR IGNORE: scheduled again, the row keeps its counts. */
        return SQL_EXEC(
            store,
            "INSERT OR IGNORE INTO catalogue VALUES(?1, ?2, ?3, ?4, 0, ?5)",
            SQL_TEXT(e.scheduled.workshop_id), SQL_TEXT(e.scheduled.title),
            SQL_TEXT(e.scheduled.starts_on), SQL_INT(e.scheduled.capacity),
            SQL_INT(event->position));
    if (type == &attendee_registered_type)
        return change_workshop(store, e.registered.workshop_id,
                               "seats_left = seats_left - 1", event->position);
    if (type == &attendee_waitlisted_type)
        return change_workshop(store, e.waitlisted.workshop_id,
                               "waitlist_length = waitlist_length + 1",
                               event->position);
    if (type == &registration_cancelled_type)
        return change_workshop(store, e.cancelled.workshop_id,
                               e.cancelled.was_waitlisted
                                   ? "waitlist_length = waitlist_length - 1"
                                   : "seats_left = seats_left + 1",
                               event->position);
    if (type == &waitlisted_attendee_promoted_type)
        return change_workshop(store, e.promoted.workshop_id,
                               "waitlist_length = waitlist_length - 1, "
                               "seats_left = seats_left - 1",
                               event->position);
    return ESK_OK; /* an event the catalogue does not show */
}

/* --- agenda --------------------------------------------------------------- */

/* A row of the agenda, with the title and date the projection noted when
 * the workshop was scheduled: copied now, so that the query reads one
 * table. (Another stream's event, earlier in the global order.) */
static esk_status put_on_agenda(esk_store *store, const char *attendee_id,
                                const char *workshop_id, const char *place)
{
    return SQL_EXEC(store,
                    "INSERT OR REPLACE INTO agenda "
                    "SELECT ?1, workshop_id, title, starts_on, ?3 "
                    "FROM agenda_workshops WHERE workshop_id = ?2",
                    SQL_TEXT(attendee_id), SQL_TEXT(workshop_id),
                    SQL_TEXT(place));
}

esk_status agenda_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx;
    const esk_event_type *type = NULL;
    workshop_event e;
    esk_status rc = decode_workshop_event(event, &type, &e);
    if (rc != ESK_OK)
        return rc;

    /* Each statement sets values rather than counting: applied twice, it
     * leaves what it left the first time. */
    if (type == &workshop_scheduled_type)
        return SQL_EXEC(store,
                        "INSERT OR REPLACE INTO agenda_workshops "
                        "VALUES(?1, ?2, ?3)",
                        SQL_TEXT(e.scheduled.workshop_id),
                        SQL_TEXT(e.scheduled.title),
                        SQL_TEXT(e.scheduled.starts_on));
    if (type == &attendee_registered_type)
        return put_on_agenda(store, e.registered.attendee_id,
                             e.registered.workshop_id, "seat");
    if (type == &attendee_waitlisted_type)
        return put_on_agenda(store, e.waitlisted.attendee_id,
                             e.waitlisted.workshop_id, "waitlist");
    if (type == &waitlisted_attendee_promoted_type)
        return SQL_EXEC(store,
                        "UPDATE agenda SET place = 'seat' "
                        "WHERE attendee_id = ?1 AND workshop_id = ?2",
                        SQL_TEXT(e.promoted.attendee_id),
                        SQL_TEXT(e.promoted.workshop_id));
    if (type == &registration_cancelled_type)
        return SQL_EXEC(store,
                        "DELETE FROM agenda "
                        "WHERE attendee_id = ?1 AND workshop_id = ?2",
                        SQL_TEXT(e.cancelled.attendee_id),
                        SQL_TEXT(e.cancelled.workshop_id));
    return ESK_OK; /* an event the agenda does not show */
}
