/*
 * test_process_manager.h - what the process manager's suite shares: the clock,
 * the application, what happened, technical failures, and the tests of each
 * file, which main() in test_process_manager.c runs in order.
 */
#ifndef TEST_PROCESS_MANAGER_H
#define TEST_PROCESS_MANAGER_H

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "app.h"
#include "exercise.h"
#include "processes.h"
#include "unpaid.h"

/* What the tests read of an event. */
typedef struct seen_event {
    char id[ESK_EVENT_ID_MAX + 1];
    char metadata[512];
} seen_event;

/* The workshop service, as a test makes it fail (suite_install_service). */
typedef struct suite_service {
    const char *type;   /* the command type it fails, e.g. a promotion */
    int fail_next;      /* how many of the next ones fail; -1: all */
    esk_status failure; /* with this status */
    const char *reason; /* and this message (NULL: cannot be reached) */
    int calls;          /* how many of that type reached it */
} suite_service;

/* test_process_manager.c */
esk_time suite_at(const char *iso);
void suite_move_clock(app *a, const char *iso);
void suite_open_app(app *a);
void suite_schedule(app *a, int64_t capacity);
void suite_enrol(app *a, const char *attendee_id);
void suite_cancel(app *a, const char *attendee_id);
void suite_pay(app *a, const char *attendee_id);
size_t suite_run(esk_process_runner *runner, const char *hint);
void suite_tick(app *a, const char *hint);
bool suite_find_event(app *a, const char *type, const char *attendee_id,
                      seen_event *out);
bool suite_happened(app *a, const char *type, const char *attendee_id);
int suite_count_events(app *a, const char *type);
int suite_count_commands(const app *a, const char *part);
unpaid_seat suite_unpaid(app *a, const char *attendee_id);
void suite_install_service(app *a, suite_service *service);
void suite_sql(app *a, const char *text);
void suite_expect_failure(esk_status rc, const char *hint);

/* test_process_manager_payments.c */
void a_new_seat_is_remembered_with_its_deadline(void **state);
void paying_forgets_the_seat(void **state);
void a_promoted_attendee_pays_within_7_days_of_the_promotion(void **state);
void before_the_deadline_tick_sends_nothing(void **state);
void after_the_deadline_an_unpaid_seat_lapses(void **state);
void a_paid_seat_never_lapses(void **state);
void tick_lapses_each_seat_once_however_often_it_runs(void **state);
void a_refused_lapse_does_not_stop_the_others(void **state);
void a_second_seat_has_a_deadline_of_its_own(void **state);

/* test_process_manager_failures.c */
void a_busy_service_is_tried_again_and_the_promotion_goes_through(void **state);
void a_service_out_of_reach_is_tried_three_times_then_the_run_stops(
    void **state);
void a_refusal_is_an_answer_and_is_not_tried_again(void **state);
void a_command_rejected_as_malformed_is_parked_not_retried(void **state);
void an_event_that_cannot_be_read_is_parked_and_the_process_moves_on(
    void **state);
void an_event_that_cannot_be_parked_stops_the_process(void **state);
void a_retried_promotion_redelivered_is_a_duplicate(void **state);
void a_lapse_that_cannot_be_sent_fails_the_tick(void **state);
void a_seat_that_cannot_be_remembered_stops_payments(void **state);
void seats_that_cannot_be_read_fail_the_tick(void **state);

#endif
