/*
 * tests/agenda_read_model.h - an attendee's agenda, the read model of the
 * projection tests: one row per attendee, listing the workshops they are
 * registered for, fed by every workshop's stream.
 *
 * It lives either in the store's SQLite database (table agenda) or in
 * memory, and reads the same either way through agenda_render(). Applying
 * an event twice has the effect of applying it once.
 */
#ifndef ESK_TESTS_AGENDA_READ_MODEL_H
#define ESK_TESTS_AGENDA_READ_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "esk/projection.h"

typedef struct agenda_row {
    char attendee[32];
    /* Workshop ids, sorted, comma-separated: "w-1,w-2". */
    char workshops[128];
} agenda_row;

typedef struct agenda {
    /* In the store's SQLite database rather than in rows below. */
    bool in_sql;
    /* Layout version 2: attendees' names in capitals. */
    bool upper;
    agenda_row rows[16];
    size_t count;
    /* The handler fails on this attendee ("" for never)... */
    char banned[32];
    /* ...after writing the row, rather than before. */
    bool fail_after_write;
    /* How many events handle() applied, setup() and reset() ran. */
    int handled;
    int setups;
    int resets;
} agenda;

/* The projection "agenda", version 1, of AttendeeRegistered and
 * AttendeeCancelled, over a. */
esk_projection agenda_projection(agenda *a);

/* "ada: w-1,w-2\nbob: w-2", attendees in order; "" when empty. */
void agenda_render(agenda *a, esk_store *store, char *buf, size_t size);

#endif
