/*
 * test_saga_refund.c - when the compensation itself fails.
 *
 * The ticket fails after the payment, so the saga owes Bob his 50 euros.
 * The payment service's switches make the next refunds fail (nothing
 * refunded), or make one refund go through with its answer lost (the
 * saga hears "failed" although the money went back).
 */
#include "test_saga.h"

static void the_ticket_fails(saga_world *w)
{
    w->faults.ticket_fails = true;
    suite_run(w);
}

void a_failed_refund_is_tried_again_and_refunds_once(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.refund_fails = 2;
    the_ticket_fails(&w);
    char story[512], sent[256];
    suite_story(&w, story, sizeof(story));
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay ticket refund release refund refund",
                 "Each RefundFailed sends REFUND_PAYMENT again, and only "
                 "that: the seat's release is under way already.");
    check_string(story,
                 "SagaStarted SeatReserved PaymentTaken TicketFailed "
                 "CompensationStarted RefundFailed SeatReleased "
                 "RefundFailed PaymentRefunded SagaFailed",
                 "Record each failure (RefundFailed), then the refund "
                 "that worked, then SagaFailed: the stream says why Bob "
                 "waited for his money.");
    check_int(suite_state(&w).refund_failures, 2,
              "saga_evolve() counts RefundFailed events in "
              "refund_failures.");
    check_int(w.money_held, 0, "The third attempt gave the money back.");
    check_int(w.payments.executed[REFUND_PAYMENT], 1, "Refunded once.");
    suite_free(&w);
}

void a_refund_whose_answer_was_lost_is_not_made_twice(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.refund_answer_lost = true;
    the_ticket_fails(&w);
    check_int(w.payments.received[REFUND_PAYMENT], 2,
              "The saga heard \"failed\" and sent REFUND_PAYMENT again.");
    check_int(w.money_held, 0,
              "The first refund went through; the retry is the same "
              "command with the same id (\"" SAGA "/refund\"), so the "
              "service does not refund twice. Not -5000: Bob is not paid "
              "to come.");
    check_true(suite_state(&w).ended,
               "The retry's answer is PaymentRefunded: SagaFailed.");
    suite_free(&w);
}

void a_refund_that_keeps_failing_parks_the_saga(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.refund_fails = 10;
    the_ticket_fails(&w);
    char story[512];
    suite_story(&w, story, sizeof(story));
    check_int(w.payments.received[REFUND_PAYMENT], SAGA_REFUND_ATTEMPTS,
              "SAGA_REFUND_ATTEMPTS refunds in all (the first and two "
              "retries), then stop: a refund that fails three times will "
              "not work a fourth; retrying for ever hides the problem.");
    check_string(story,
                 "SagaStarted SeatReserved PaymentTaken TicketFailed "
                 "CompensationStarted RefundFailed SeatReleased "
                 "RefundFailed RefundFailed SagaParked",
                 "At the SAGA_REFUND_ATTEMPTS-th RefundFailed, record "
                 "SagaParked: the saga says it needs a person. Not "
                 "SagaFailed: the money is still owed.");
    saga_state s = suite_state(&w);
    check_true(s.parked && !s.ended,
               "SagaParked sets parked; the saga is not over.");
    check_int(w.money_held, PRICE, "Nothing refunded yet.");

    int64_t parked_at = suite_version(&w);
    suite_handle(&w, REFUND_FAILED, 0); /* a delayed answer, late */
    suite_handle(&w, SAGA_TICK, 5000);
    check_int(w.payments.received[REFUND_PAYMENT], SAGA_REFUND_ATTEMPTS,
              "A parked saga sends nothing more, whatever comes.");
    check_int(suite_version(&w), parked_at,
              "Nor does it record anything: a late RefundFailed on a "
              "parked saga is news it has no use for (check parked "
              "before counting the failure).");
    check_status(saga_resume(&w, SAGA), ESK_OK, "Resume should work.");
    check_int(w.payments.received[REFUND_PAYMENT], SAGA_REFUND_ATTEMPTS,
              "Nor after a restart (provided: saga_resume reads parked).");
    suite_free(&w);
}

void a_parked_saga_ends_when_a_person_refunds(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.refund_fails = 10;
    the_ticket_fails(&w);
    check_true(suite_state(&w).parked, "Three failures park the saga.");

    w.money_held -= PRICE; /* a person refunded Bob by hand */
    suite_handle(&w, PAYMENT_REFUNDED, 0);
    char story[512];
    suite_story(&w, story, sizeof(story));
    check_contains(story, "SagaParked PaymentRefunded SagaFailed",
                   "The person says the money is back (PaymentRefunded): "
                   "record it, and with the seat released the saga "
                   "fails as any compensated saga does.");
    check_true(suite_state(&w).ended, "The saga is over.");
    check_int(w.money_held, 0, "Bob has his money.");
    suite_free(&w);
}
