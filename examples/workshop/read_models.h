/*
 * examples/workshop/read_models.h - what the queries read.
 *
 * Two read models in SQLite tables, in the store's own database:
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
 * only. */
esk_status print_catalogue(esk_read_model *read_model);
esk_status print_agenda(esk_read_model *read_model, const char *attendee_id);

#endif
