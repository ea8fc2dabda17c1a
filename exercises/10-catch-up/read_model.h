/*
 * read_model.h - the seats read model's plumbing. Provided.
 *
 * The read model is a table in the store's own SQLite database, so that
 * a catch-up run writes it and the checkpoint in one transaction:
 *
 *   seats
 *   workshop_id    TEXT PRIMARY KEY   "w-1"
 *   title          TEXT               "Event Sourcing 101"
 *   capacity       INTEGER            3
 *   taken          INTEGER            seats taken: 2
 *   waiting        INTEGER            people on the waitlist: 1
 *
 * Two sides use it:
 *   - the projection writes it, with read_model_exec(), inside the
 *     transaction your runner opens for a batch (seats.c, catch_up.c);
 *   - queries read it, with seats_query(), through an esk_read_model
 *     handle that may only read, and only the read model.
 */
#ifndef READ_MODEL_H
#define READ_MODEL_H

#include <stdint.h>

#include <esk/projection.h>
#include <esk/store.h>

#include "events.h"

/*
 * The values a statement may use, by name. read_model_exec() binds each
 * name the statement contains, and no other:
 *
 *   "UPDATE seats SET taken = taken + 1 WHERE workshop_id = :workshop"
 *   &(sql_values){.workshop = e.workshop_id}
 *
 * A name in the statement whose member is NULL is bound as SQL NULL.
 */
typedef struct sql_values {
    const char *workshop; /* :workshop */
    const char *title;    /* :title */
    int64_t capacity;     /* :capacity */
    int64_t position;     /* :position */
} sql_values;

/*
 * Run one SQL statement on the store's database, in whatever transaction
 * is open (in a catch-up run: the batch's, which your runner began).
 *
 * @param sql    one statement; borrowed.
 * @param values the values of its :names; NULL when it has none.
 * @return ESK_OK; ESK_EINVAL (not a SQLite store, or no statement);
 *         ESK_EIO (SQLite refused the statement: a typo, a missing table,
 *         a constraint). On failure, esk_errmsg() gives SQLite's message
 *         and the statement.
 */
esk_status read_model_exec(esk_store *store, const char *sql,
                           const sql_values *values);

/* One row of the read model, as a query answers it. */
typedef struct seats_row {
    char workshop_id[ID_SIZE];
    char title[TITLE_SIZE];
    int64_t capacity;
    int64_t taken;
    int64_t waiting;
    int64_t free; /* capacity - taken */
} seats_row;

/*
 * The query: one workshop's seats, from the read model only (never from
 * the events). What it says is as fresh as the projection's checkpoint.
 *
 * @param out receives the row.
 * @return ESK_OK; ESK_ENOTFOUND (no row for this workshop, yet);
 *         ESK_EINVAL (NULL, or no seats table: has setup run?). On
 *         failure, esk_errmsg() says why.
 */
esk_status seats_query(esk_read_model *read_model, const char *workshop_id,
                       seats_row *out);

#endif
