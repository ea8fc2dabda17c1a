/*
 * wait.h - reading your own writes from an eventually consistent read
 * model. Provided; it runs your catch_up_run().
 *
 * A command returns the position of its last event. Until the projection
 * has gone past that position, a query may not show the command's
 * effect:
 *
 *   command: RegisterAttendee bob   ──► event @5        head 5
 *   query:   w-1 has 2 seats free   ◄── read model      checkpoint 4
 *                                       (stale: lag 1)
 *
 * Exercise 21 is about this moment; here the query runs the projection
 * itself.
 */
#ifndef WAIT_H
#define WAIT_H

#include <stdint.h>

#include <esk/projection.h>

/*
 * Make sure the read model shows everything up to position: if the
 * checkpoint is before it, run the projection (catch_up_run()).
 *
 * @return ESK_OK: a query now sees every event up to position;
 *         ESK_EINVAL: NULL, or position past the store's head (nobody
 *         wrote there: waiting would never end); checkpoint_read()'s and
 *         catch_up_run()'s failures.
 */
esk_status wait_until_caught_up(esk_store *store,
                                const esk_projection *projection,
                                int64_t position);

#endif
