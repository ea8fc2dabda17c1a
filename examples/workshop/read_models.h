/*
 * examples/workshop/read_models.h - what the queries read.
 *
 * Two read models in tables of the store's own database (SQLite's file,
 * or PostgreSQL's schema workshop_read next to the store's schema):
 *   catalogue  one row per workshop: title, date, seats left, waitlist;
 *   agenda     one row per attendee and workshop: seated or waiting.
 * The agenda is multi-stream: an attendee's rows come from the streams of
 * every workshop they registered for.
 */
#ifndef WORKSHOP_READ_MODELS_H
#define WORKSHOP_READ_MODELS_H

#include <esk/projection.h>

extern const esk_projection catalogue_projection;
extern const esk_projection agenda_projection;

/* Print the catalogue, or one attendee's agenda, reading the read model
 * only: on SQLite through read_model, on PostgreSQL (read_model NULL)
 * through the store's connection. */
esk_status print_catalogue(esk_store *store, esk_read_model *read_model);
esk_status print_agenda(esk_store *store, esk_read_model *read_model,
                        const char *attendee_id);

#endif
