/*
 * catch_up.c - a catch-up runner: each event applied exactly once.
 *
 * The projection counts, so applying an event twice, or not at all, shows
 * in the read model for ever. What keeps it exact is one transaction per
 * batch holding the rows and the checkpoint's move: whatever fails, or
 * wherever the process dies, both are kept or neither is.
 */
#include "catch_up.h"

esk_status checkpoint_read(esk_store *store, const char *projection_name,
                           int64_t *out)
{
    esk_record record;
    char *owned = NULL;

    esk_status rc = esk_store_get_record(store, ESK_RECORD_CHECKPOINT,
                                         projection_name, &record, &owned);
    if (rc == ESK_ENOTFOUND) {
        *out = 0; /* never ran: everything is ahead of it */
        return ESK_OK;
    }
    if (rc != ESK_OK)
        return rc; /* unknown is not 0: 0 would apply everything again */
    *out = record.at;
    esk_free(owned);
    return ESK_OK;
}

/* Apply the events, then move the checkpoint: the caller's transaction
 * holds both. */
static esk_status apply(esk_store *store, const esk_projection *projection,
                        const esk_event_list *events)
{
    for (size_t i = 0; i < events->count; i++) {
        esk_status rc =
            projection->handle(projection->ctx, store, &events->events[i]);
        if (rc != ESK_OK)
            return rc;
    }
    const esk_record checkpoint = {
        .key = projection->name,
        .at = events->events[events->count - 1].position,
        .tag = projection->version,
        .value = "{}",
    };
    return esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &checkpoint);
}

esk_status catch_up_batch(esk_store *store, const esk_projection *projection,
                          size_t batch_size, size_t *applied)
{
    esk_event_list events = ESK_EVENT_LIST_INIT;
    int64_t checkpoint = 0;

    *applied = 0;
    esk_status rc = checkpoint_read(store, projection->name, &checkpoint);
    if (rc == ESK_OK)
        rc = esk_store_read_all(store, checkpoint, batch_size, NULL, &events);
    if (rc != ESK_OK || events.count == 0)
        goto done;

    rc = esk_store_begin(store);
    if (rc != ESK_OK)
        goto done;
    rc = apply(store, projection, &events);
    if (rc != ESK_OK) {
        /* The rollback's own success would clear the failure's reason:
         * keep it for the caller. */
        esk_error saved = *esk_error_last();
        esk_store_rollback(store);
        esk_error_set(rc, "%s", saved.message);
        goto done;
    }
    /* A commit that fails has rolled back: nothing to undo here. */
    rc = esk_store_commit(store);
    if (rc == ESK_OK)
        *applied = events.count;
done:
    esk_event_list_release(&events);
    return rc;
}

esk_status catch_up_run(esk_store *store, const esk_projection *projection,
                        size_t batch_size, size_t *applied)
{
    size_t total = 0;
    size_t n = 0;
    esk_status rc;

    do {
        rc = catch_up_batch(store, projection, batch_size, &n);
        total += n;
    } while (rc == ESK_OK && n > 0);
    if (applied != NULL)
        *applied = total;
    return rc;
}
