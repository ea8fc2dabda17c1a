/*
 * failures.c - when the world fails: try again, or park.
 *
 * Three kinds of outcome, three fates: an answer (done, or refused) ends
 * the step; a failure that may pass is tried again a few times, then left
 * to the next run, with the checkpoint before the event; a failure that
 * can never pass is parked, so that the events behind it are not held up
 * for ever, and the event is kept where an operator finds it.
 */
#include "processes.h"

/* An outcome that needs no other attempt: the command was handled, or
 * the workshop said no. */
static bool is_answer(esk_status rc)
{
    return rc == ESK_OK || rc == ESK_EDOMAIN;
}

esk_status send_with_retry(esk_process_context *pc, const esk_command *command,
                           const char *key)
{
    esk_status rc = ESK_OK;
    /* The same key every time: had an attempt gone through, the next
     * would be a duplicate for the bus, not a second promotion. */
    for (int attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
        rc = esk_process_send(pc, command, key, NULL);
        if (is_answer(rc) || failure_is_permanent(rc))
            break;
    }
    return rc;
}

esk_status park_or_fail(esk_process_context *pc, const char *process,
                        const esk_event *event, esk_status rc)
{
    if (is_answer(rc) || !failure_is_permanent(rc))
        return rc; /* done, or stop here and try again next run */
    /* The reason is the failure's message, still the last error. A park
     * that fails is returned: the event must stay before the checkpoint
     * rather than vanish. */
    esk_status parked =
        parked_add(esk_process_store(pc), process, event, esk_errmsg());
    return parked != ESK_OK ? parked : ESK_OK;
}
