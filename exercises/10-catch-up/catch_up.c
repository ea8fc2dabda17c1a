/*
 * catch_up.c - a catch-up runner: each event applied exactly once. YOU
 * EDIT THIS FILE.
 *
 * catch_up.h says what each function must do, step by step. The tools:
 *   esk_store_get_record / esk_store_put_record   the checkpoint record
 *   esk_store_read_all                            the events after it
 *   esk_store_begin / _commit / _rollback         the transaction
 *                                                 (all in esk/store.h)
 *   projection->handle(projection->ctx, store, &events.events[i])
 */
#include "catch_up.h"
#include "exercise.h"

esk_status checkpoint_read(esk_store *store, const char *projection_name,
                           int64_t *out)
{
    (void)store, (void)projection_name, (void)out;
    /* TODO: read the checkpoint record; none yet (ESK_ENOTFOUND) is 0;
     * any other failure is returned. */
    return EXERCISE_TODO("checkpoint_read");
}

esk_status catch_up_batch(esk_store *store, const esk_projection *projection,
                          size_t batch_size, size_t *applied)
{
    (void)store, (void)projection, (void)batch_size;
    *applied = 0;
    /* TODO: read the checkpoint, read the events after it, then BEGIN,
     * handle each, save the checkpoint, COMMIT; ROLLBACK on a failure. */
    return EXERCISE_TODO("catch_up_batch");
}

esk_status catch_up_run(esk_store *store, const esk_projection *projection,
                        size_t batch_size, size_t *applied)
{
    (void)store, (void)projection, (void)batch_size;
    if (applied != NULL)
        *applied = 0;
    /* TODO: catch_up_batch() until a batch applies nothing. */
    return EXERCISE_TODO("catch_up_run");
}
