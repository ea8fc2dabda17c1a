/*
 * test_process_manager_failures.c - when the world fails: payments that pass
 * a failure on; then the waitlist's own handling of a technical failure
 * (failures.c): a service that is busy, out of reach, or rejects the
 * command; an event that can never be read; a park that fails; a retried
 * promotion delivered again.
 */
#include "test_process_manager.h"

/* --- When the world fails ------------------------------------------------- */

void a_seat_that_cannot_be_remembered_stops_payments(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");

    exercise_say("the table of unpaid seats refuses writes");
    suite_sql(&a, "CREATE TRIGGER full BEFORE INSERT ON unpaid "
                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    esk_status rc = esk_process_run(a.payments, NULL);
    suite_expect_failure(rc,
                         "unpaid_track() failed: payments_react() must return "
                         "its status, whose message is in the last error. "
                         "Returning ESK_OK moves the checkpoint past ada's "
                         "registration, and her seat never lapses.");

    suite_sql(&a, "DROP TRIGGER full");
    suite_run(a.payments,
              "Once the table accepts writes, the process goes on.");
    check_string(suite_unpaid(&a, "ada").attendee_id, "ada",
                 "The run that failed left the checkpoint before ada's "
                 "registration: the next run remembered her seat.");
    app_close(&a);
}

void seats_that_cannot_be_read_fail_the_tick(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the table of unpaid seats cannot be read");
    suite_sql(&a, "ALTER TABLE unpaid RENAME TO unpaid_away");
    esk_status rc = esk_process_tick(a.payments);
    suite_expect_failure(
        rc, "unpaid_overdue() failed: payments_tick() must return "
            "its status, whose message is in the last error. ESK_OK "
            "says there was nothing overdue, which nobody knows.");

    suite_sql(&a, "ALTER TABLE unpaid_away RENAME TO unpaid");
    suite_tick(&a, "Once the table can be read, tick lets ada's seat lapse.");
    check_true(suite_happened(&a, "RegistrationLapsed", "ada"),
               "ada's seat lapses.");
    app_close(&a);
}

void a_lapse_that_cannot_be_sent_fails_the_tick(void **state)
{
    (void)state;
    app a;
    suite_service service = {.type = "LapseRegistration", .failure = ESK_EIO};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the workshop service goes down");
    service.fail_next = -1;
    esk_status rc = esk_process_tick(a.payments);
    suite_expect_failure(
        rc, "LapseRegistration could not be sent (ESK_EIO): only a "
            "refusal (ESK_EDOMAIN) lets the loop go on. Return any "
            "other failure of esk_process_send(), so that whoever "
            "calls tick knows the lapses did not happen.");

    exercise_say("the service is back");
    service.fail_next = 0;
    suite_tick(&a, "The next tick sends the lapse again.");
    check_true(suite_happened(&a, "RegistrationLapsed", "ada"),
               "ada's seat lapses once the lapse can be sent.");
    app_close(&a);
}

/* --- failures.c: try again, or park ----------------------------------------
 */

static int64_t parked_events(app *a)
{
    int64_t n = -1;
    check_status(parked_count(a->store, &n), ESK_OK,
                 "The test counts the parked events.");
    return n;
}

/* w-1 with one seat: ada has it, bob waits; ada cancels. */
static void ada_cancels_and_bob_waits(app *a)
{
    suite_schedule(a, 1);
    suite_enrol(a, "ada");
    suite_enrol(a, "bob");
    suite_cancel(a, "ada");
}

void a_busy_service_is_tried_again_and_the_promotion_goes_through(void **state)
{
    (void)state;
    app a;
    suite_service service = {.type = "PromoteFromWaitlist",
                             .fail_next = 2,
                             .failure = ESK_EBUSY,
                             .reason = "the workshop service is busy"};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    ada_cancels_and_bob_waits(&a);

    exercise_say("the workshop service is busy for two attempts");
    suite_run(a.waitlist,
              "ESK_EBUSY may pass: send_with_retry() sends the command "
              "again, up to SEND_ATTEMPTS (3) attempts in all, and the "
              "third goes through.");
    check_int(service.calls, 3,
              "Two busy answers, then a promotion: three attempts.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "bob got the seat in this very run.");
    check_int(parked_events(&a), 0, "Nothing was parked: it went through.");
    app_close(&a);
}

void a_service_out_of_reach_is_tried_three_times_then_the_run_stops(
    void **state)
{
    (void)state;
    app a;
    suite_service service = {
        .type = "PromoteFromWaitlist", .fail_next = -1, .failure = ESK_EIO};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    ada_cancels_and_bob_waits(&a);

    exercise_say("the workshop service is out of reach");
    esk_status rc = esk_process_run(a.waitlist, NULL);
    suite_expect_failure(
        rc, "After SEND_ATTEMPTS attempts, give up for this run: "
            "send_with_retry() returns the last failure, and "
            "park_or_fail() passes a failure that may pass on, so that "
            "the runner stops at the cancellation. ESK_OK would move the "
            "checkpoint past it, and bob would never get the seat.");
    check_int(service.calls, SEND_ATTEMPTS,
              "Exactly SEND_ATTEMPTS (3) attempts: not one (a passing "
              "failure deserves another try), not without end (the "
              "runner's transaction holds the write lock meanwhile).");
    check_int(parked_events(&a), 0,
              "A service out of reach (ESK_EIO) may come back: the "
              "cancellation is not parked, it waits for the next run.");

    exercise_say("the service is back");
    service.fail_next = 0;
    suite_run(a.waitlist, "The next run reacts to the cancellation again.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "The failed run left the checkpoint before the "
               "cancellation, so the next run promoted bob.");
    app_close(&a);
}

void a_refusal_is_an_answer_and_is_not_tried_again(void **state)
{
    (void)state;
    app a;
    suite_service service = {.type = "PromoteFromWaitlist"};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_cancel(&a, "ada");

    suite_run(a.waitlist, "Nobody waits: the workshop refuses the promotion "
                          "(ESK_EDOMAIN), an answer, and the event is done.");
    check_int(service.calls, 1,
              "A refusal is an answer: asking again gets the same one. "
              "send_with_retry() returns ESK_EDOMAIN after one attempt.");
    check_int(parked_events(&a), 0,
              "An answer is not a failure: park_or_fail() returns it as "
              "it is, and parks nothing.");
    app_close(&a);
}

void a_command_rejected_as_malformed_is_parked_not_retried(void **state)
{
    (void)state;
    app a;
    seen_event cancelled = {0};
    parked_event parked = {0};
    suite_service service = {
        .type = "PromoteFromWaitlist",
        .fail_next = 1,
        .failure = ESK_EINVAL,
        .reason = "the workshop service rejects the command: malformed"};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    suite_schedule(&a, 2);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_enrol(&a, "cleo");
    suite_enrol(&a, "dan");
    suite_cancel(&a, "ada");
    suite_cancel(&a, "bob");

    exercise_say("the service rejects the first promotion as malformed");
    suite_run(a.waitlist,
              "A command rejected as malformed (ESK_EINVAL) will be "
              "rejected every time: park_or_fail() parks the event and "
              "returns ESK_OK, and the process goes on.");
    check_int(service.calls, 2,
              "One attempt for each cancellation: failure_is_permanent() "
              "says ESK_EINVAL will not pass, so send_with_retry() does not "
              "send it again.");
    check_true(suite_find_event(&a, "RegistrationCancelled", "ada", &cancelled),
               "ada's cancellation is in the stream.");
    check_status(parked_find(a.store, cancelled.id, &parked), ESK_OK,
                 "ada's cancellation is parked: parked_add(store, "
                 "\"waitlist\", event, esk_errmsg()).");
    check_string(parked.process, "waitlist", "Parked for the waitlist.");
    check_contains(parked.reason, "malformed",
                   "The reason is the failure's message (esk_errmsg(), "
                   "read before any other call), for whoever mends it.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "cleo"),
               "The process moved on: bob's cancellation came next, and "
               "cleo got his seat.");
    app_close(&a);
}

/* An event as an old version wrote it, without its workshopId, in a
 * stream of its own. */
static void append_unreadable_cancellation(app *a)
{
    const esk_new_event e = {.event_id = "legacy-7",
                             .type = "RegistrationCancelled",
                             .schema_version = 1,
                             .data = "{\"attendeeId\":\"zoe\","
                                     "\"wasWaitlisted\":false}"};
    check_status(esk_store_append(a->store, "import-1", ESK_ANY, &e, 1, NULL),
                 ESK_OK, "The test appends an old, broken event.");
}

void an_event_that_cannot_be_read_is_parked_and_the_process_moves_on(
    void **state)
{
    (void)state;
    app a;
    parked_event parked = {0};
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    exercise_say("an old import wrote a cancellation without its workshop");
    append_unreadable_cancellation(&a);
    suite_cancel(&a, "ada");

    suite_run(a.waitlist,
              "The broken cancellation can never be read (ESK_EDECODE): "
              "return what the decode said to park_or_fail(), which "
              "parks it and returns ESK_OK. Stopping there would hold "
              "every later cancellation up for ever.");
    check_status(parked_find(a.store, "legacy-7", &parked), ESK_OK,
                 "The broken event is parked, not lost.");
    check_int(parked.position, 4, "Parked with its position, @4.");
    check_string(parked.type, "RegistrationCancelled", "Parked with its type.");
    check_contains(parked.reason, "workshopId",
                   "The reason is the codec's message, which names the "
                   "missing field.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "ada's cancellation, behind it, was handled: bob has her "
               "seat.");
    app_close(&a);
}

void an_event_that_cannot_be_parked_stops_the_process(void **state)
{
    (void)state;
    app a;
    parked_event parked = {0};
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    append_unreadable_cancellation(&a);
    suite_cancel(&a, "ada");

    exercise_say("the table of parked events refuses writes");
    suite_sql(&a, "CREATE TRIGGER full BEFORE INSERT ON parked "
                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    esk_status rc = esk_process_run(a.waitlist, NULL);
    suite_expect_failure(
        rc, "parked_add() failed: park_or_fail() returns its failure. An "
            "event neither handled nor parked must keep the checkpoint "
            "before it; ESK_OK would lose it.");
    check_true(!suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "The run stopped at the broken event, before ada's "
               "cancellation.");

    suite_sql(&a, "DROP TRIGGER full");
    suite_run(a.waitlist, "Once the table takes writes, the run goes on.");
    check_status(parked_find(a.store, "legacy-7", &parked), ESK_OK,
                 "The broken event is parked now.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "And bob has ada's seat.");
    app_close(&a);
}

void a_retried_promotion_redelivered_is_a_duplicate(void **state)
{
    (void)state;
    app a;
    suite_service service = {.type = "PromoteFromWaitlist",
                             .fail_next = 1,
                             .failure = ESK_EBUSY,
                             .reason = "the workshop service is busy"};
    suite_open_app(&a);
    suite_install_service(&a, &service);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_enrol(&a, "cleo");
    suite_cancel(&a, "ada");
    suite_run(a.waitlist, "The second attempt promotes bob.");

    exercise_say("the waitlist's checkpoint is put back to 0");
    const esk_record back = {"process:waitlist", 0, 1, "{}"};
    check_status(esk_store_put_record(a.store, ESK_RECORD_CHECKPOINT, &back),
                 ESK_OK, "The test puts the checkpoint back.");
    suite_run(a.waitlist, "ada's cancellation is delivered a second time.");
    check_int(suite_count_commands(&a, "-> ok (duplicate)"), 1,
              "The redelivery's promotion is answered as a duplicate: every "
              "attempt carries the same key (PROMOTE_KEY), so the attempt "
              "that went through has the id the redelivery sends. With the "
              "key NULL, the attempt that went through was "
              "\"waitlist/<event id>/2\", and the redelivery's \"/1\" is a "
              "new command, which only the workshop's own rule (no free "
              "seat) stops.");
    check_int(suite_count_events(&a, "WaitlistedAttendeePromoted"), 1,
              "bob was promoted once, and cleo still waits.");
    app_close(&a);
}
