/*
 * books.c - closing a period with its summary, and opening the next one
 * from it. YOU EDIT THIS FILE.
 *
 * books.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_read_stream, esk_store_read_stream_backward,
 *   esk_store_close_stream, esk_store_stream_closed, esk_store_append,
 *   esk_event_list_release                          (esk/store.h)
 *   esk_codec_decode_event, esk_codec_encode, esk_free (esk/codec.h)
 *   esk_error_set, esk_domain_error                 (esk/error.h)
 *   books_stream_id, books_evolve_recorded, copy_text (books.h, state.h)
 */
#include <esk/codec.h>
#include <esk/error.h>

#include "books.h"
#include "exercise.h"

esk_status books_load_period(esk_store *store, const char *workshop_id,
                             int64_t period, workshop_state *state,
                             int64_t *version)
{
    (void)store, (void)workshop_id, (void)period, (void)state, (void)version;
    /* TODO: read the period's stream (books_stream_id); none is
     * ESK_ENOTFOUND. From the zero state: a WorkshopPeriodOpened sets the
     * state from its summary, a WorkshopPeriodClosed changes nothing, the
     * rest goes through books_evolve_recorded(). *version: the last one. */
    return EXERCISE_TODO("books_load_period");
}

void books_summarize(const workshop_state *state, const char *workshop_id,
                     int64_t period, period_summary *out)
{
    (void)state, (void)workshop_id, (void)period, (void)out;
    /* TODO: zero *out; the workshop id, the period, open, the capacity,
     * the seated and the waitlist in order. */
    EXERCISE_TODO("books_summarize");
}

esk_status books_close_period(esk_store *store, const char *workshop_id,
                              int64_t period)
{
    (void)store, (void)workshop_id, (void)period;
    /* TODO: load, summarize, encode a WorkshopPeriodClosed, and
     * esk_store_close_stream() at the version loaded. */
    return EXERCISE_TODO("books_close_period");
}

esk_status books_open_next_period(esk_store *store, const char *workshop_id,
                                  int64_t closed_period)
{
    (void)store, (void)workshop_id, (void)closed_period;
    /* TODO: the old period must be closed and end with its summary; append
     * it as a WorkshopPeriodOpened, id "opened-<new stream id>", as the
     * first event of the next period's stream. */
    return EXERCISE_TODO("books_open_next_period");
}
