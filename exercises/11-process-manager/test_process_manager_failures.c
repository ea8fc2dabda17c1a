/*
 * test_process_manager_failures.c - when the world fails: a command that cannot
 * be sent, a seat that cannot be remembered or read.
 */
#include "test_process_manager.h"

/* --- When the world fails ------------------------------------------------- */

void a_promotion_that_cannot_be_sent_is_a_failure(void **state)
{
    (void)state;
    app a;
    bool down = false;
    open_app(&a);
    install_outage(&a, &down);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    cancel(&a, "ada");

    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_run(a.waitlist, NULL);
    expect_failure(rc,
                   "PromoteFromWaitlist could not be sent (ESK_EIO): that is "
                   "a failure, not an answer. waitlist_react() must return "
                   "what esk_process_send() returned; returning ESK_OK "
                   "whatever it said tells the runner the cancellation is "
                   "done, and bob never gets the seat.");

    exercise_say("the service is back");
    down = false;
    run(a.waitlist, "The waitlist reacts to the cancellation again.");
    check_true(happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "The failed reaction left the checkpoint before the "
               "cancellation, so the next run promoted bob.");
    app_close(&a);
}

void a_lapse_that_cannot_be_sent_fails_the_tick(void **state)
{
    (void)state;
    app a;
    bool down = false;
    open_app(&a);
    install_outage(&a, &down);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_tick(a.payments);
    expect_failure(rc, "LapseRegistration could not be sent (ESK_EIO): only a "
                       "refusal (ESK_EDOMAIN) lets the loop go on. Return any "
                       "other failure of esk_process_send(), so that whoever "
                       "calls tick knows the lapses did not happen.");

    exercise_say("the service is back");
    down = false;
    tick(&a, "The next tick sends the lapse again.");
    check_true(happened(&a, "RegistrationLapsed", "ada"),
               "ada's seat lapses once the lapse can be sent.");
    app_close(&a);
}

void a_seat_that_cannot_be_remembered_stops_payments(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");

    exercise_say("the table of unpaid seats refuses writes");
    sql(&a, "CREATE TRIGGER full BEFORE INSERT ON unpaid "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    esk_status rc = esk_process_run(a.payments, NULL);
    expect_failure(rc, "unpaid_track() failed: payments_react() must return "
                       "its status, whose message is in the last error. "
                       "Returning ESK_OK moves the checkpoint past ada's "
                       "registration, and her seat never lapses.");

    sql(&a, "DROP TRIGGER full");
    run(a.payments, "Once the table accepts writes, the process goes on.");
    check_string(unpaid(&a, "ada").attendee_id, "ada",
                 "The run that failed left the checkpoint before ada's "
                 "registration: the next run remembered her seat.");
    app_close(&a);
}

void seats_that_cannot_be_read_fail_the_tick(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the table of unpaid seats cannot be read");
    sql(&a, "ALTER TABLE unpaid RENAME TO unpaid_away");
    esk_status rc = esk_process_tick(a.payments);
    expect_failure(rc, "unpaid_overdue() failed: payments_tick() must return "
                       "its status, whose message is in the last error. ESK_OK "
                       "says there was nothing overdue, which nobody knows.");

    sql(&a, "ALTER TABLE unpaid_away RENAME TO unpaid");
    tick(&a, "Once the table can be read, tick lets ada's seat lapse.");
    check_true(happened(&a, "RegistrationLapsed", "ada"), "ada's seat lapses.");
    app_close(&a);
}
