/*
 * test_process_manager_payments.c - payments: the seats the process manager
 * remembers, and what suite_tick() does when their deadline has passed.
 */
#include "test_process_manager.h"

/* --- Payments: remembering the seats to pay for -------------------------- */

void a_new_seat_is_remembered_with_its_deadline(void **state)
{
    (void)state;
    app a;
    seen_event seat = {0};
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");

    suite_run(
        a.payments,
        "payments_react(): for AttendeeRegistered, unpaid_track() the seat "
        "and return ESK_OK.");
    suite_find_event(&a, "AttendeeRegistered", "ada", &seat);
    unpaid_seat tracked = suite_unpaid(&a, "ada");
    check_string(tracked.attendee_id, "ada",
                 "ada has a seat to pay for: unpaid_track() it with the "
                 "workshopId and attendeeId of the event (registration_of()).");
    check_int(tracked.due, suite_at("2026-11-09T09:00:00Z"),
              "Her deadline is 7 days after the seat was given: the time the "
              "store recorded the event (event->recorded_at) plus "
              "PAYMENT_PERIOD.");
    check_string(tracked.seat_event_id, seat.id,
                 "The seat is named by the event that gave it: seat_event_id "
                 "is event->event_id.");
    check_string(suite_unpaid(&a, "bob").attendee_id, "",
                 "bob waits: he has no seat, and nothing to pay yet.");
    app_close(&a);
}

void paying_forgets_the_seat(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 2);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_pay(&a, "ada");
    suite_cancel(&a, "bob");

    suite_run(a.payments, "payments_react() returns ESK_OK for every event.");
    check_string(suite_unpaid(&a, "ada").attendee_id, "",
                 "ada paid: RegistrationPaid means unpaid_forget() her seat.");
    check_string(suite_unpaid(&a, "bob").attendee_id, "",
                 "bob cancelled: RegistrationCancelled means unpaid_forget() "
                 "his seat.");
    app_close(&a);
}

void a_promoted_attendee_pays_within_7_days_of_the_promotion(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_move_clock(&a, "2026-11-05T09:00:00Z");
    suite_cancel(&a, "ada");
    suite_run(a.waitlist, "The waitlist promotes bob.");

    suite_run(a.payments,
              "payments_react(): WaitlistedAttendeePromoted gives a seat, as "
              "AttendeeRegistered does.");
    check_int(suite_unpaid(&a, "bob").due, suite_at("2026-11-12T09:00:00Z"),
              "bob got his seat on the 5th: he has until the 12th to pay "
              "(the promotion's recorded_at plus PAYMENT_PERIOD).");
    check_string(suite_unpaid(&a, "ada").attendee_id, "",
                 "ada cancelled: nothing left for her to pay.");
    app_close(&a);
}

/* --- Payments: the deadline ---------------------------------------------- */

void before_the_deadline_tick_sends_nothing(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-08T09:00:00Z");
    suite_tick(&a,
               "payments_tick(): ask unpaid_overdue() for the seats past due "
               "(none yet), and return ESK_OK.");
    suite_move_clock(&a, "2026-11-09T09:00:00Z");
    suite_tick(&a, "payments_tick() returns ESK_OK on the deadline itself.");
    check_int(suite_count_commands(&a, "LapseRegistration"), 0,
              "Until her deadline has passed ada's seat is hers: send "
              "LapseRegistration only for the seats unpaid_overdue() lists.");
    app_close(&a);
}

void after_the_deadline_an_unpaid_seat_lapses(void **state)
{
    (void)state;
    app a;
    seen_event seat = {0};
    char expected_id[128];
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-09T09:00:01Z");
    suite_tick(&a, "payments_tick(): for each seat of unpaid_overdue(), send "
                   "LapseRegistration with esk_process_send(pc, &command, key, "
                   "NULL); from tick, the key is required.");
    check_true(suite_happened(&a, "RegistrationLapsed", "ada"),
               "A second past her deadline, ada's unpaid seat lapses: the "
               "command is LapseRegistration (workshop_command_type("
               "LAPSE_REGISTRATION)), for her workshop and attendee id.");
    suite_find_event(&a, "AttendeeRegistered", "ada", &seat);
    snprintf(expected_id, sizeof(expected_id), "id=payments/tick/lapse/%s ",
             seat.id);
    check_contains(a.commands, expected_id,
                   "The key names this seat's lapse: \"lapse/\" and the "
                   "seat's seat_event_id; the command's id is "
                   "\"payments/tick/<key>\".");
    app_close(&a);
}

void a_paid_seat_never_lapses(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_move_clock(&a, "2026-11-04T09:00:00Z");
    suite_pay(&a, "ada");
    suite_run(a.payments, "payments_react() follows ada's seat and payment.");

    suite_move_clock(&a, "2026-12-01T09:00:00Z");
    suite_tick(&a, "payments_tick() returns ESK_OK.");
    check_int(suite_count_commands(&a, "LapseRegistration"), 0,
              "ada paid on the 4th: her seat was forgotten, and no deadline "
              "applies to it.");
    app_close(&a);
}

void tick_lapses_each_seat_once_however_often_it_runs(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    suite_tick(&a, "The first tick lets ada's seat lapse.");
    suite_move_clock(&a, "2026-11-10T09:05:00Z");
    suite_tick(&a, "The next tick comes before the process has followed the "
                   "lapse: the table still lists ada's seat.");
    check_int(suite_count_commands(&a, "LapseRegistration"), 2,
              "Each tick sent LapseRegistration for ada's seat.");
    check_int(suite_count_commands(&a, "-> ok (duplicate)"), 1,
              "The second one has the same id as the first (same key, "
              "\"lapse/<seat_event_id>\"): the idempotency middleware "
              "answered it with the first outcome and wrote nothing.");
    check_int(suite_count_events(&a, "RegistrationLapsed"), 1,
              "ada's seat lapsed once.");
    app_close(&a);
}

void a_refused_lapse_does_not_stop_the_others(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 2);
    suite_enrol(&a, "ada");
    suite_move_clock(&a, "2026-11-02T10:00:00Z");
    suite_enrol(&a, "bob");
    suite_run(a.payments, "payments_react() remembers both seats.");
    suite_move_clock(&a, "2026-11-08T09:00:00Z");
    suite_pay(&a,
              "ada"); /* and the process does not follow it before the tick */

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    suite_tick(&a,
               "payments_tick(): a refused lapse (ESK_EDOMAIN) is an answer, "
               "not a failure: go on with the next seat, and return ESK_OK.");
    check_true(!suite_happened(&a, "RegistrationLapsed", "ada"),
               "ada paid: the workshop refused her lapse (ALREADY_PAID), "
               "though the process, behind, still listed her seat.");
    check_true(suite_happened(&a, "RegistrationLapsed", "bob"),
               "bob did not pay: his seat lapses, even though ada's lapse, "
               "sent before his, was refused. Do not stop at a refusal.");
    app_close(&a);
}

void a_second_seat_has_a_deadline_of_its_own(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 2);
    suite_enrol(&a, "ada");
    suite_run(a.payments, "payments_react() remembers ada's first seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    suite_tick(&a, "ada's first seat lapses.");
    suite_enrol(&a, "ada"); /* she registers again, at once */
    suite_move_clock(&a, "2026-11-10T09:05:00Z");
    suite_tick(&a,
               "Another tick, before the process has followed any of this.");
    check_int(suite_count_events(&a, "RegistrationLapsed"), 1,
              "The second tick must not take ada's new seat: it only knows "
              "the first one, and its key (lapse/<the first seat's event "
              "id>) makes the same command id, answered as a duplicate. A "
              "key that changes from tick to tick would lapse her new seat "
              "on the spot.");

    suite_run(a.payments, "The process follows the lapse and the new seat.");
    check_int(suite_unpaid(&a, "ada").due, suite_at("2026-11-17T09:00:00Z"),
              "ada's new seat is due 7 days after she registered again.");
    suite_move_clock(&a, "2026-11-17T09:00:01Z");
    suite_tick(&a, "The new seat's deadline has passed.");
    check_int(suite_count_events(&a, "RegistrationLapsed"), 2,
              "Her second seat lapses too: a new seat, a new key. A key per "
              "attendee (\"lapse/w-1/ada\") would make this lapse a "
              "duplicate of the first one, and the seat would never lapse.");
    app_close(&a);
}
