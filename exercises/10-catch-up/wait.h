/*
 * wait.h - reading your own writes from an eventually consistent read
 * model.
 *
 * A command returns the position of its last event. Until the projection
 * has gone past that position, a query may not show the command's
 * effect:
 *
 *   command: RegisterAttendee bob   ──► event @5        head 5
 *   query:   w-1 has 2 seats free   ◄── read model      checkpoint 4
 *                                       (stale: lag 1)
 *
 * A client that must see its own write ("you are registered: 1 seat
 * left") hands the position to the query, which waits for the read model
 * to reach it first.
 */
#ifndef WAIT_H
#define WAIT_H

#include <stdint.h>

#include <esk/projection.h>

/*
 * Make sure the read model shows everything up to position: when the
 * checkpoint is before it, run the projection.
 *
 * First read where the projection stands (esk_catchup_status_get):
 *   - the checkpoint is at or past position: ESK_OK, run nothing (the
 *     read model is fresh enough, and running it is not the query's job);
 *   - position is past the store's head: ESK_EINVAL, run nothing (no
 *     event was written there: waiting would never end), and say so in
 *     the last error (esk_error_set): the position and the head;
 *   - else run it once (esk_catchup_run): a run goes to the head as it
 *     was when the run started, which is at or past position.
 *
 * Here the caller runs the projection itself. In a deployed system
 * another process runs it, and the query polls the checkpoint with a
 * deadline instead; the question it asks is the same.
 *
 * @param position a position a command returned (esk_handle_result).
 * @return ESK_OK: a query now sees every event up to position;
 *         ESK_EINVAL: NULL runner, or position past the head
 *         (esk_errmsg() says which);
 *         esk_catchup_status_get()'s and esk_catchup_run()'s failures
 *         (ESK_ECALLBACK: a handler failed, the projection is stuck
 *         before position; esk_errmsg() says where and why).
 */
esk_status wait_until_caught_up(esk_catchup *catchup, int64_t position);

#endif
