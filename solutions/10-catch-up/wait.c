/*
 * wait.c - wait for the read model to reach a position.
 */
#include "wait.h"

esk_status wait_until_caught_up(esk_catchup *catchup, int64_t position)
{
    esk_catchup_status status;

    if (catchup == NULL)
        return esk_error_set(ESK_EINVAL,
                             "wait_until_caught_up needs a catch-up runner");
    esk_status rc = esk_catchup_status_get(catchup, &status);
    if (rc != ESK_OK)
        return rc;
    /* Fresh enough: the query may go ahead, however far the head is. */
    if (status.checkpoint >= position)
        return ESK_OK;
    /* Nobody wrote there (yet): no run would ever get there. */
    if (position > status.head)
        return esk_error_set(ESK_EINVAL,
                             "position %lld was never written: the store's "
                             "head is %lld",
                             (long long)position, (long long)status.head);
    /* The run goes to the head it finds, which is past position. */
    return esk_catchup_run(catchup, &status);
}
