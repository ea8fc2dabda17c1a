/*
 * saga.c - the saga's fold and its decision.
 * YOU EDIT THIS FILE.
 */
#include <stddef.h>

#include <esk/error.h>

#include "saga.h"

void saga_evolve(saga_state *state, const saga_event *event)
{
    switch (event->kind) {
    case SAGA_STARTED:
        state->started = true;
        state->deadline = event->at;
        break;
    case SEAT_RESERVED:
        state->seat_reserved = true;
        break;
    case PAYMENT_TAKEN:
        state->paid = true;
        break;
    case PAYMENT_REFUSED:
        state->payment_refused = true;
        break;
    case PAYMENT_TIMED_OUT:
        state->payment_timed_out = true;
        break;
    case TICKET_ISSUED:
        state->ticket_issued = true;
        break;
    case TICKET_FAILED:
        state->ticket_failed = true;
        break;
    case COMPENSATION_STARTED:
        state->compensating = true;
        break;
    case SEAT_RELEASED:
        state->seat_released = true;
        break;
    case PAYMENT_REFUNDED:
        state->refunded = true;
        break;
    case REFUND_FAILED:
        state->refund_failures++;
        break;
    case SAGA_PARKED:
        state->parked = true;
        break;
    case SAGA_COMPLETED:
    case SAGA_FAILED:
        state->ended = true;
        break;
    case SAGA_TICK:
        break;
    }
}

static void emit(saga_decision *out, saga_kind kind, int64_t at)
{
    out->events[out->event_count++] = (saga_event){.kind = kind, .at = at};
}

static void send(saga_decision *out, saga_command command)
{
    out->commands[out->command_count++] = command;
}

/* The state as it will be once this decision's events are recorded. */
static saga_state after(const saga_state *state, const saga_decision *out)
{
    saga_state next = *state;
    for (size_t i = 0; i < out->event_count; i++)
        saga_evolve(&next, &out->events[i]);
    return next;
}

/* A compensating saga fails once nothing is left to undo and no answer is
 * left to wait for: a timed-out payment may still take the money. */
static void maybe_fail(const saga_state *state, saga_decision *out)
{
    saga_state s = after(state, out);
    bool seat_done = !s.seat_reserved || s.seat_released;
    bool money_done =
        s.paid ? s.refunded : !s.payment_timed_out || s.payment_refused;
    if (s.compensating && !s.ended && seat_done && money_done)
        emit(out, SAGA_FAILED, 0);
}

/* The payment is the last step done when the ticket fails: refund it
 * first, then give the seat back to the waiting list. */
static void compensate(const saga_state *s, saga_decision *out)
{
    emit(out, COMPENSATION_STARTED, 0);
    saga_state next = after(s, out);
    if (next.paid && !next.refunded)
        send(out, REFUND_PAYMENT);
    if (next.seat_reserved && !next.seat_released)
        send(out, RELEASE_SEAT);
}

/* A refund must happen in the end, but a refund that keeps failing will
 * not work by being sent for ever: after SAGA_REFUND_ATTEMPTS, a person
 * looks at it. The retry is the same command, so the same id: a refund
 * that went through with its answer lost is not made twice. */
static void retry_refund(const saga_state *state, saga_decision *out)
{
    emit(out, REFUND_FAILED, 0);
    if (state->refund_failures + 1 < SAGA_REFUND_ATTEMPTS)
        send(out, REFUND_PAYMENT);
    else
        emit(out, SAGA_PARKED, 0);
}

esk_status saga_decide(const saga_state *state, const saga_event *news,
                       saga_decision *out)
{
    if (!state || !news || !out)
        return esk_error_set(ESK_EINVAL, "saga_decide needs a state, the "
                                         "news and a decision to fill");
    if (state->ended)
        return ESK_OK;
    switch (news->kind) {
    case SAGA_STARTED:
        if (!state->started) {
            emit(out, SAGA_STARTED, news->at + SAGA_PAYMENT_WINDOW);
            send(out, RESERVE_SEAT);
        }
        break;
    case SEAT_RESERVED:
        if (!state->seat_reserved) {
            emit(out, SEAT_RESERVED, 0);
            send(out, TAKE_PAYMENT);
        }
        break;
    case PAYMENT_TAKEN:
        if (!state->paid) {
            emit(out, PAYMENT_TAKEN, 0);
            send(out, state->compensating ? REFUND_PAYMENT : ISSUE_TICKET);
        }
        break;
    case PAYMENT_REFUSED:
        if (!state->payment_refused && !state->paid) {
            emit(out, PAYMENT_REFUSED, 0);
            if (!state->compensating)
                compensate(state, out);
            else
                maybe_fail(state, out);
        }
        break;
    case TICKET_ISSUED:
        if (!state->ticket_issued && !state->compensating) {
            emit(out, TICKET_ISSUED, 0);
            emit(out, SAGA_COMPLETED, 0);
        }
        break;
    case TICKET_FAILED:
        if (!state->ticket_failed && !state->compensating) {
            emit(out, TICKET_FAILED, 0);
            compensate(state, out);
        }
        break;
    case SAGA_TICK:
        if (state->seat_reserved && !state->paid && !state->payment_refused &&
            !state->compensating && news->at >= state->deadline) {
            emit(out, PAYMENT_TIMED_OUT, 0);
            compensate(state, out);
        }
        break;
    case SEAT_RELEASED:
        if (!state->seat_released && state->compensating) {
            emit(out, SEAT_RELEASED, 0);
            maybe_fail(state, out);
        }
        break;
    case PAYMENT_REFUNDED:
        if (!state->refunded && state->compensating) {
            emit(out, PAYMENT_REFUNDED, 0);
            maybe_fail(state, out);
        }
        break;
    case REFUND_FAILED:
        if (state->compensating && state->paid && !state->refunded &&
            !state->parked)
            retry_refund(state, out);
        break;
    default:
        break;
    }
    return ESK_OK;
}
