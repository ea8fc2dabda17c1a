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
    suite_open_app(&a);
    suite_install_outage(&a, &down);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_cancel(&a, "ada");

    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_run(a.waitlist, NULL);
    suite_expect_failure(
        rc, "PromoteFromWaitlist could not be sent (ESK_EIO): that is "
            "a failure, not an answer. waitlist_react() must return "
            "what esk_process_send() returned; returning ESK_OK "
            "whatever it said tells the runner the cancellation is "
            "done, and bob never gets the seat.");

    exercise_say("the service is back");
    down = false;
    suite_run(a.waitlist, "The waitlist reacts to the cancellation again.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "The failed reaction left the checkpoint before the "
               "cancellation, so the next run promoted bob.");
    app_close(&a);
}

void a_lapse_that_cannot_be_sent_fails_the_tick(void **state)
{
    (void)state;
    app a;
    bool down = false;
    suite_open_app(&a);
    suite_install_outage(&a, &down);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_tick(a.payments);
    suite_expect_failure(
        rc, "LapseRegistration could not be sent (ESK_EIO): only a "
            "refusal (ESK_EDOMAIN) lets the loop go on. Return any "
            "other failure of esk_process_send(), so that whoever "
            "calls tick knows the lapses did not happen.");

    exercise_say("the service is back");
    down = false;
    suite_tick(&a, "The next tick sends the lapse again.");
    check_true(suite_happened(&a, "RegistrationLapsed", "ada"),
               "ada's seat lapses once the lapse can be sent.");
    app_close(&a);
}

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
