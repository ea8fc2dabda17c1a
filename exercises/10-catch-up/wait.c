/*
 * wait.c - wait for the read model to reach a position. YOU EDIT THIS
 * FILE.
 *
 * wait.h says exactly what wait_until_caught_up() must do. The tools
 * (esk/projection.h):
 *   esk_catchup_status_get(catchup, &status)  where it stands: checkpoint,
 *                                             head, lag; applies nothing
 *   esk_catchup_run(catchup, &status)         apply what is new, to the
 *                                             head
 */
#include "wait.h"
#include "exercise.h"

esk_status wait_until_caught_up(esk_catchup *catchup, int64_t position)
{
    (void)catchup, (void)position;
    /* TODO: read the status; checkpoint at or past position: ESK_OK;
     * position past the head: ESK_EINVAL, saying why (esk_error_set);
     * else run once. */
    return EXERCISE_TODO("wait_until_caught_up");
}
