/*
 * wait.c - wait for the read model to reach a position. Provided.
 */
#include "wait.h"
#include "catch_up.h"

esk_status wait_until_caught_up(esk_store *store,
                                const esk_projection *projection,
                                int64_t position)
{
    int64_t checkpoint = 0;
    int64_t head = 0;

    if (store == NULL || projection == NULL)
        return esk_error_set(ESK_EINVAL,
                             "wait_until_caught_up needs a store and a "
                             "projection");
    esk_status rc = checkpoint_read(store, projection->name, &checkpoint);
    if (rc != ESK_OK)
        return rc;
    /* Fresh enough: the query may go ahead, however far the head is. */
    if (checkpoint >= position)
        return ESK_OK;
    rc = esk_store_head_position(store, &head);
    if (rc != ESK_OK)
        return rc;
    if (position > head)
        return esk_error_set(ESK_EINVAL,
                             "position %lld was never written: the store's "
                             "head is %lld",
                             (long long)position, (long long)head);
    return catch_up_run(store, projection, 100, NULL);
}
