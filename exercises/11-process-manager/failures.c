/*
 * failures.c - when the world fails: try again, or park. YOU EDIT THIS
 * FILE.
 *
 * processes.h says exactly what each function must do. The tools:
 *   esk_process_send(pc, command, key, NULL)    (esk/process.h)
 *   failure_is_permanent(rc)                    (parked.h)
 *   parked_add(store, process, event, reason)   (parked.h)
 *   esk_process_store(pc), esk_errmsg()
 */
#include "exercise.h"
#include "processes.h"

esk_status send_with_retry(esk_process_context *pc, const esk_command *command,
                           const char *key)
{
    (void)pc, (void)command, (void)key;
    /* TODO: send; an answer (ESK_OK, ESK_EDOMAIN) or a permanent failure
     * ends it; a passing failure is sent again, with the same key, up to
     * SEND_ATTEMPTS attempts in all. */
    return EXERCISE_TODO("send_with_retry");
}

esk_status park_or_fail(esk_process_context *pc, const char *process,
                        const esk_event *event, esk_status rc)
{
    (void)pc, (void)process, (void)event, (void)rc;
    /* TODO: an answer is returned as it is; a permanent failure is
     * parked (and then ESK_OK); a passing failure is returned. */
    return EXERCISE_TODO("park_or_fail");
}
