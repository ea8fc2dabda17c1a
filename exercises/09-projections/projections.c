/*
 * projections.c - events in, rows out: the catalogue and the agenda.
 * YOU EDIT THIS FILE.
 *
 * read_models.h says what each event does to each table, and shows the
 * tools: decode_workshop_event() to read an event, SQL_EXEC() to change a
 * table. A handler decides nothing and refuses nothing: the events are
 * facts, and it only translates each one into changes of its tables. And
 * it must survive an event delivered twice.
 */
#include "exercise.h"
#include "read_models.h"

esk_status catalogue_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx, (void)store, (void)event;
    /* TODO: decode the event; WorkshopScheduled inserts the workshop's row
     * (INSERT OR IGNORE), the four others change its counts, each guarded
     * by last_position < event->position. */
    return EXERCISE_TODO("catalogue_handle");
}

esk_status agenda_handle(void *ctx, esk_store *store, const esk_event *event)
{
    (void)ctx, (void)store, (void)event;
    /* TODO: decode the event; WorkshopScheduled notes the workshop in
     * agenda_workshops; a registration or a waitlisting puts a row in
     * agenda (INSERT OR REPLACE ... SELECT from agenda_workshops); a
     * promotion sets the place to 'seat'; a cancellation deletes the
     * row. */
    return EXERCISE_TODO("agenda_handle");
}
