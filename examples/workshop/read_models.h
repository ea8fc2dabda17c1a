/*
 * examples/workshop/read_models.h - what the queries read.
 *
 * Two read models in tables of the store's own database (SQLite's file,
 * or on PostgreSQL a schema each next to the store's: workshop_catalogue
 * and workshop_agenda):
 *   catalogue  one row per workshop: title, date, seats left, waitlist;
 *   agenda     one row per attendee and workshop: seated or waiting.
 * The agenda is multi-stream: an attendee's rows come from the streams of
 * every workshop they registered for.
 */
#ifndef WORKSHOP_READ_MODELS_H
#define WORKSHOP_READ_MODELS_H

#include <esk/projection.h>
#include <esk/read_model_postgres.h>

extern const esk_projection catalogue_projection;
extern const esk_projection agenda_projection;

/* The query handles, each refusing writes and the store's tables: on
 * SQLite one on the store's file, on PostgreSQL one per read model's
 * schema. */
typedef struct read_side {
    esk_read_model *sqlite;
    esk_read_model_postgres *catalogue;
    esk_read_model_postgres *agenda;
} read_side;

/* Open the handles for the store's database; read_side_close frees what
 * was opened, after a failure too. */
esk_status read_side_open(read_side *r, esk_store *store);
void read_side_close(read_side *r);

/* Print the catalogue, or one attendee's agenda, reading the read model
 * only. */
esk_status print_catalogue(const read_side *r);
esk_status print_agenda(const read_side *r, const char *attendee_id);

#endif
