/*
 * test_saga.c - one ticket, or the seat and the money given back.
 *
 * The services are fakes (saga_run.c): each executes a command id once,
 * counts every delivery, and answers into the world's inbox; switches make
 * the payment refuse or stay silent, the ticket fail, or the process die
 * between recording the saga's events and sending its commands. The clock
 * is world.now, moved by hand.
 */
#include "test_saga.h"

/* --- The world around your code ------------------------------------------ */

saga_world suite_world(void)
{
    saga_world w;
    memset(&w, 0, sizeof(w));
    check_status(esk_store_open_memory(&w.store, NULL), ESK_OK,
                 "A store in memory should always open.");
    exercise_watch_store(w.store);
    w.now = 1000;
    return w;
}

void suite_handle(saga_world *w, saga_kind kind, int64_t at)
{
    saga_event news = {.kind = kind, .at = at};
    esk_status rc = saga_handle(w, SAGA, &news);
    if (rc != ESK_OK)
        print_message("    saga_handle said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "saga_decide() returns ESK_OK for every news; the events "
                 "and commands it fills must be the saga's.");
}

void suite_pump(saga_world *w)
{
    esk_status rc = saga_pump(w, SAGA);
    if (rc != ESK_OK)
        print_message("    saga_pump said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "Every answer should be handled.");
}

/* Start the saga at world.now and run until nobody answers. */
void suite_run(saga_world *w)
{
    suite_handle(w, SAGA_STARTED, w->now);
    suite_pump(w);
}

saga_state suite_state(saga_world *w)
{
    saga_state s;
    int64_t version = 0;
    check_status(saga_load(w, SAGA, &s, &version), ESK_OK,
                 "The saga's stream should read.");
    return s;
}

int64_t suite_version(saga_world *w)
{
    saga_state s;
    int64_t version = 0;
    check_status(saga_load(w, SAGA, &s, &version), ESK_OK,
                 "The saga's stream should read.");
    return version;
}

/* The saga's stream as "SagaStarted SeatReserved ...". */
void suite_story(saga_world *w, char *out, size_t size)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_stream(w->store, "saga-" SAGA, 1, 0, &list),
                 ESK_OK, "The saga's stream should read.");
    out[0] = '\0';
    for (size_t i = 0; i < list.count; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i ? " " : "",
                 list.events[i].type);
    }
    esk_event_list_release(&list);
}

/* The commands sent, as "reserve pay ...". */
void suite_sent(const saga_world *w, char *out, size_t size)
{
    static const char *const names[] = {"?",      "reserve", "pay",
                                        "ticket", "refund",  "release"};
    out[0] = '\0';
    for (size_t i = 0; i < w->sent_count; i++) {
        size_t used = strlen(out);
        int c = w->sent[i] >= RESERVE_SEAT && w->sent[i] <= RELEASE_SEAT
                    ? (int)w->sent[i]
                    : 0;
        snprintf(out + used, size - used, "%s%s", i ? " " : "", names[c]);
    }
}

void suite_free(saga_world *w)
{
    esk_store_free(w->store);
}

/* --- 1. The folds ----------------------------------------------------------
 */

static void the_fold_remembers_every_step(void **state)
{
    (void)state;
    saga_state s;
    memset(&s, 0, sizeof(s));
    saga_event started = {.kind = SAGA_STARTED, .at = 1060};
    saga_evolve(&s, &started);
    check_true(s.started, "SagaStarted sets started.");
    check_int(s.deadline, 1060, "SagaStarted's at is the deadline.");
    saga_event seat = {.kind = SEAT_RESERVED}, paid = {.kind = PAYMENT_TAKEN};
    saga_evolve(&s, &seat);
    saga_evolve(&s, &paid);
    check_true(s.seat_reserved && s.paid,
               "SeatReserved and PaymentTaken set their flags.");
    saga_event comp = {.kind = COMPENSATION_STARTED};
    saga_event out = {.kind = PAYMENT_TIMED_OUT};
    saga_evolve(&s, &comp);
    saga_evolve(&s, &out);
    check_true(s.compensating && s.payment_timed_out,
               "CompensationStarted and PaymentTimedOut set theirs.");
    saga_event failed = {.kind = SAGA_FAILED};
    saga_evolve(&s, &failed);
    check_true(s.ended, "SagaFailed ends the saga, as SagaCompleted does.");
}

/* --- 2. The happy path -----------------------------------------------------
 */

static void the_happy_path_issues_one_ticket(void **state)
{
    (void)state;
    saga_world w = suite_world();
    suite_run(&w);
    char story[512], sent[256];
    suite_story(&w, story, sizeof(story));
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay ticket",
                 "Start sends RESERVE_SEAT; SeatReserved sends TAKE_PAYMENT; "
                 "PaymentTaken sends ISSUE_TICKET.");
    check_string(story,
                 "SagaStarted SeatReserved PaymentTaken TicketIssued "
                 "SagaCompleted",
                 "Record each answer, and SagaCompleted after TicketIssued.");
    check_int(w.tickets_issued, 1, "One ticket.");
    check_int(w.money_held, PRICE, "The money taken once.");
    check_int(w.seats_held, 1, "The seat kept.");
    suite_free(&w);
}

/* --- 3. Failures and their compensations ---------------------------------- */

static void a_refused_payment_releases_the_seat_and_takes_no_money(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.payment_refuses = true;
    suite_run(&w);
    char story[512], sent[256];
    suite_story(&w, story, sizeof(story));
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay release",
                 "A refused payment compensates the seat only: no money was "
                 "taken, so no REFUND_PAYMENT (compensate the steps done).");
    check_string(story,
                 "SagaStarted SeatReserved PaymentRefused CompensationStarted "
                 "SeatReleased SagaFailed",
                 "PaymentRefused, CompensationStarted; SeatReleased, then "
                 "SagaFailed once nothing is left to undo.");
    check_int(w.money_held, 0, "No money taken.");
    check_int(w.seats_held, 0, "The seat given back.");
    check_int(w.tickets_issued, 0, "No ticket.");
    suite_free(&w);
}

static void a_ticket_failure_refunds_then_releases(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.ticket_fails = true;
    suite_run(&w);
    char story[512], sent[256];
    suite_story(&w, story, sizeof(story));
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay ticket refund release",
                 "A failed ticket compensates in reverse order of the steps "
                 "done: REFUND_PAYMENT first, then RELEASE_SEAT.");
    check_string(story,
                 "SagaStarted SeatReserved PaymentTaken TicketFailed "
                 "CompensationStarted PaymentRefunded SeatReleased "
                 "SagaFailed",
                 "SagaFailed comes after the last compensation's answer, "
                 "not after the first.");
    check_int(w.money_held, 0, "The money refunded.");
    check_int(w.seats_held, 0, "The seat given back.");
    suite_free(&w);
}

static void
a_payment_timeout_releases_the_seat_and_waits_for_the_answer(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.payment_silent = true;
    suite_run(&w);
    suite_handle(&w, SAGA_TICK, 1059);
    suite_pump(&w);
    char sent[256];
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay",
                 "A tick before the deadline (started at 1000, window 60 "
                 "seconds: 1060) changes nothing.");
    suite_handle(&w, SAGA_TICK, 1060);
    suite_pump(&w);
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay release",
                 "At the deadline with no answer: PaymentTimedOut, "
                 "CompensationStarted, RELEASE_SEAT. No refund: as far as "
                 "the saga knows, no money was taken.");
    check_int(w.seats_held, 0, "The seat given back.");
    check_true(!suite_state(&w).ended,
               "A timed-out payment may still answer: the saga does not "
               "end on SeatReleased, or a late charge would never be "
               "refunded.");
    suite_handle(&w, PAYMENT_REFUSED, 0);
    check_true(suite_state(&w).ended,
               "The late refusal settles the money: SagaFailed now.");
    check_int(w.money_held, 0, "No money taken.");
    suite_free(&w);
}

static void a_late_payment_after_the_timeout_is_refunded(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.payment_silent = true;
    suite_run(&w);
    suite_handle(&w, SAGA_TICK, 2000);
    suite_pump(&w);
    w.money_held += PRICE; /* the payment service took it after all */
    suite_handle(&w, PAYMENT_TAKEN, 0);
    suite_pump(&w);
    char story[512], sent[256];
    suite_story(&w, story, sizeof(story));
    suite_sent(&w, sent, sizeof(sent));
    check_string(sent, "reserve pay release refund",
                 "A PaymentTaken that arrives while compensating sends "
                 "REFUND_PAYMENT, never ISSUE_TICKET.");
    check_string(story,
                 "SagaStarted SeatReserved PaymentTimedOut "
                 "CompensationStarted SeatReleased PaymentTaken "
                 "PaymentRefunded SagaFailed",
                 "Record the late PaymentTaken, then PaymentRefunded, then "
                 "SagaFailed.");
    check_int(w.money_held, 0, "The late charge refunded.");
    check_int(w.tickets_issued, 0, "No ticket.");
    suite_free(&w);
}

/* --- 4. Idempotence, crashes, the end --------------------------------------
 */

static void a_repeated_answer_changes_nothing(void **state)
{
    (void)state;
    saga_world w = suite_world();
    suite_handle(&w, SAGA_STARTED, w.now);
    suite_handle(&w, SAGA_STARTED, w.now);
    suite_handle(&w, SEAT_RESERVED, 0);
    suite_handle(&w, SEAT_RESERVED, 0);
    check_int(w.payments.received[TAKE_PAYMENT], 1,
              "A second SeatReserved (the service answered twice) is news "
              "the saga already knows: no event, no command.");
    check_int(w.seats.received[RESERVE_SEAT], 1,
              "A second start of a started saga sends nothing.");
    check_int(suite_version(&w), 2, "SagaStarted and SeatReserved, once.");
    suite_free(&w);
}

static void
replaying_after_a_crash_resumes_without_repeating_a_step(void **state)
{
    (void)state;
    saga_world w = suite_world();
    suite_handle(&w, SAGA_STARTED, w.now);
    w.faults.crash_before_sends = true;
    suite_pump(&w); /* SeatReserved recorded, TAKE_PAYMENT never sent */
    w.inbox_count = 0;
    check_status(saga_resume(&w, SAGA), ESK_OK, "Resume should work.");
    w.inbox_count = 0; /* and it died again before the answer arrived */
    check_status(saga_resume(&w, SAGA), ESK_OK, "Resume should work.");
    suite_pump(&w);
    check_int(w.seats.executed[RESERVE_SEAT], 1,
              "Replaying the stream knows the seat is reserved: "
              "saga_evolve() must fold SeatReserved.");
    check_int(w.payments.executed[TAKE_PAYMENT], 1,
              "The payment sent twice is taken once (its id is the same).");
    check_int(w.tickets.received[ISSUE_TICKET], 1,
              "The second PaymentTaken (the answer to the repeat) is news "
              "the saga knows: one ISSUE_TICKET.");
    check_int(w.money_held, PRICE, "Charged once.");
    check_true(suite_state(&w).ended, "And the saga completes.");
    suite_free(&w);
}

static void a_crash_during_compensation_resumes_the_compensations(void **state)
{
    (void)state;
    saga_world w = suite_world();
    w.faults.ticket_fails = true;
    suite_handle(&w, SAGA_STARTED, w.now);
    suite_handle(&w, SEAT_RESERVED, 0);
    w.inbox_count = 0;
    suite_handle(&w, PAYMENT_TAKEN, 0);
    w.inbox_count = 0;
    w.faults.crash_before_sends = true;
    suite_handle(&w, TICKET_FAILED, 0); /* refund and release never sent */
    check_status(saga_resume(&w, SAGA), ESK_OK, "Resume should work.");
    suite_pump(&w);
    check_true(suite_state(&w).ended,
               "Replayed, the stream says: paid, seat reserved, "
               "compensating. Resumed, the refund and the release go out "
               "and the saga fails: saga_evolve() must fold PaymentTaken "
               "and CompensationStarted.");
    check_int(w.money_held, 0, "The money refunded once.");
    check_int(w.seats_held, 0, "The seat released once.");
    check_int(w.payments.executed[REFUND_PAYMENT], 1, "One refund.");
    suite_free(&w);
}

static void a_tick_after_the_payment_does_not_compensate(void **state)
{
    (void)state;
    saga_world v = suite_world();
    suite_handle(&v, SAGA_STARTED, v.now);
    suite_handle(&v, SEAT_RESERVED, 0);
    v.inbox_count = 0;
    v.faults.crash_before_sends = true;
    suite_handle(&v, PAYMENT_TAKEN, 0); /* ISSUE_TICKET lost in the crash */
    suite_handle(&v, SAGA_TICK, 5000);
    check_true(!suite_state(&v).compensating,
               "The deadline is for an answer from the payment: once "
               "PaymentTaken is recorded, a tick compensates nothing.");
    check_status(saga_resume(&v, SAGA), ESK_OK, "Resume should work.");
    suite_pump(&v);
    check_int(v.tickets_issued, 1, "Resumed, the ticket is issued.");
    suite_free(&v);
}

static void an_ended_saga_ignores_late_events(void **state)
{
    (void)state;
    saga_world w = suite_world();
    suite_run(&w);
    int64_t version = suite_version(&w);
    size_t sent = w.sent_count;
    suite_handle(&w, TICKET_FAILED, 0);
    suite_handle(&w, PAYMENT_REFUSED, 0);
    suite_handle(&w, SAGA_TICK, 99999);
    check_int(suite_version(&w), version,
              "After SagaCompleted the saga records nothing more.");
    check_int((int64_t)w.sent_count, (int64_t)sent,
              "And sends nothing: no compensation of a completed saga.");
    check_int(w.tickets_issued, 1, "The ticket stays issued.");
    saga_world f = suite_world();
    f.faults.payment_refuses = true;
    suite_run(&f);
    version = suite_version(&f);
    sent = f.sent_count;
    suite_handle(&f, PAYMENT_TAKEN, 0);
    check_int(suite_version(&f), version,
              "A failed saga is ended too: it ignores late news.");
    check_int((int64_t)f.sent_count, (int64_t)sent,
              "No ticket and no refund from an ended saga.");
    suite_free(&f);
    suite_free(&w);
}

static void decide_refuses_null_arguments(void **state)
{
    (void)state;
    saga_state s;
    memset(&s, 0, sizeof(s));
    saga_decision d;
    memset(&d, 0, sizeof(d));
    check_status(saga_decide(&s, NULL, &d), ESK_EINVAL,
                 "No news: ESK_EINVAL through esk_error_set().");
    check_true(esk_errmsg()[0] != '\0', "Say what is missing.");
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_fold_remembers_every_step),
        cmocka_unit_test(the_happy_path_issues_one_ticket),
        cmocka_unit_test(
            a_refused_payment_releases_the_seat_and_takes_no_money),
        cmocka_unit_test(a_ticket_failure_refunds_then_releases),
        cmocka_unit_test(
            a_payment_timeout_releases_the_seat_and_waits_for_the_answer),
        cmocka_unit_test(a_late_payment_after_the_timeout_is_refunded),
        cmocka_unit_test(a_repeated_answer_changes_nothing),
        cmocka_unit_test(
            replaying_after_a_crash_resumes_without_repeating_a_step),
        cmocka_unit_test(a_crash_during_compensation_resumes_the_compensations),
        cmocka_unit_test(a_tick_after_the_payment_does_not_compensate),
        cmocka_unit_test(an_ended_saga_ignores_late_events),
        cmocka_unit_test(a_failed_refund_is_tried_again_and_refunds_once),
        cmocka_unit_test(a_refund_whose_answer_was_lost_is_not_made_twice),
        cmocka_unit_test(a_refund_that_keeps_failing_parks_the_saga),
        cmocka_unit_test(a_parked_saga_ends_when_a_person_refunds),
        cmocka_unit_test(decide_refuses_null_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
