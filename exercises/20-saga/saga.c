/*
 * saga.c - the saga's fold and its decision.
 * YOU EDIT THIS FILE.
 *
 * saga.h says exactly what each function must do. The tools:
 *   esk_error_set                                    (esk/error.h)
 *   saga_state, saga_event, saga_decision            (saga.h)
 */
#include <stddef.h>

#include <esk/error.h>

#include "exercise.h"
#include "saga.h"

void saga_evolve(saga_state *state, const saga_event *event)
{
    (void)state, (void)event;
    /* TODO: one case per event kind: set the matching flag; SagaStarted
     * also keeps event->at as the deadline, RefundFailed counts. */
    (void)EXERCISE_TODO("saga_evolve");
}

esk_status saga_decide(const saga_state *state, const saga_event *news,
                       saga_decision *out)
{
    (void)state, (void)news, (void)out;
    /* TODO: ended: nothing. Otherwise one case per kind of news: the
     * events to record, then the commands to send, in order. A failed
     * refund is sent again, up to SAGA_REFUND_ATTEMPTS, then parked. */
    return EXERCISE_TODO("saga_decide");
}
