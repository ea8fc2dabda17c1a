/*
 * seats.h - the seats projection: how many seats each workshop has left.
 *
 * A catch-up runner (esk/projection.h) reads the events after its
 * checkpoint, in the order of their positions, and hands each one to
 * seats_handle(); a batch of events and the checkpoint's move commit in
 * one transaction:
 *
 *   events  @1 WorkshopScheduled  @2 AttendeeRegistered  @3 ...
 *                                          │
 *   esk_catchup_run ── BEGIN ── seats_handle(@3) ── seats_handle(@4)
 *                          ── checkpoint "seats" := 4 ── COMMIT
 *
 * You write the three functions in seats.c: setup, reset and handle.
 * The table they work on is described in read_model.h.
 */
#ifndef SEATS_H
#define SEATS_H

#include <esk/projection.h>

/*
 * Create the seats table if it is not there. Called by esk_catchup_new(),
 * so for every runner ever created on the store: a table that exists is
 * kept, rows and all.
 *
 * @return ESK_OK; read_model_exec()'s failures.
 */
esk_status seats_setup(void *ctx, esk_store *store);

/*
 * Throw the read model away and start an empty one: called for a rebuild
 * (esk_catchup_rebuild(), or a run that finds a checkpoint written by
 * another version of the projection). A new version may come with a new
 * layout, so drop the table and create it again (seats_setup()); the
 * table may not exist yet.
 *
 * @return ESK_OK; read_model_exec()'s failures.
 */
esk_status seats_reset(void *ctx, esk_store *store);

/*
 * Apply one event to the read model. The runner only hands it the types
 * of seats_projection.event_types, in the order they happened.
 *
 * It must be idempotent: an event may come again (a checkpoint put back
 * by hand, a crash on a store whose read model is not transactional),
 * and then it must change nothing. Each row keeps the position of the
 * last event applied to it (last_position): an event at or before it has
 * been counted already.
 *
 * @param event valid during the call only.
 * @return ESK_OK; the codec's ESK_EDECODE (the event's data does not fit
 *         its type); read_model_exec()'s failures, passed on as they
 *         came: each has left its reason in the last error, and the
 *         runner adds where it stopped. Any failure stops the
 *         run at this event, which is not skipped: it comes again at the
 *         next run.
 */
esk_status seats_handle(void *ctx, esk_store *store, const esk_event *event);

/* The projection: name "seats" (the checkpoint's key), version 1, the
 * event types it reads, and the three functions above (seats.c). */
extern const esk_projection seats_projection;

#endif
