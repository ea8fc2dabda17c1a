/*
 * seats.h - the seats projection: how many seats each workshop has left.
 * Provided.
 *
 * It counts: each event changes one row of the seats table (read_model.h)
 * by one. It is not idempotent (an event applied twice counts twice), so
 * it is only right if each event is applied exactly once: your runner
 * (catch_up.h) sees to that.
 */
#ifndef SEATS_H
#define SEATS_H

#include <esk/projection.h>

/* Create the seats table if it is not there (rows and all are kept).
 * @return ESK_OK; read_model_exec()'s failures. */
esk_status seats_setup(void *ctx, esk_store *store);

/* Drop the seats table and create it empty, for a rebuild.
 * @return ESK_OK; read_model_exec()'s failures. */
esk_status seats_reset(void *ctx, esk_store *store);

/*
 * Apply one event to the read model: WorkshopScheduled inserts its row,
 * AttendeeRegistered counts a seat taken, and so on. Any other type
 * changes nothing, and is no failure.
 *
 * @param event valid during the call only.
 * @return ESK_OK; ESK_EDECODE (the event's data does not fit its type);
 *         read_model_exec()'s failures (ESK_EIO: SQLite refused, e.g. a
 *         second row for one workshop). Each leaves its reason in the last
 *         error (esk_errmsg()).
 */
esk_status seats_handle(void *ctx, esk_store *store, const esk_event *event);

/* The projection: name "seats" (the checkpoint's key), version 1, and the
 * three functions above. */
extern const esk_projection seats_projection;

#endif
