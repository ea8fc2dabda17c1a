/*
 * test_decider.h - what the decider's specs share: the past every story starts
 * from, and the tests of each file, which main() in test_decider.c runs in
 * order.
 */
#ifndef TEST_DECIDER_H
#define TEST_DECIDER_H

#include <stdio.h>
#include <string.h>

#include <esk/testing.h>

#include "exercise.h"
#include "workshop.h"

/* test_decider.c */
void suite_given_scheduled(esk_spec *spec, int64_t capacity);
void suite_given_registered(esk_spec *spec, const char *attendee_id,
                            const char *name);
void suite_given_waitlisted(esk_spec *spec, const char *attendee_id,
                            const char *name);
void suite_given_cancelled(esk_spec *spec, const char *attendee_id,
                           bool was_waitlisted);
void suite_given_closed(esk_spec *spec);

/* test_decider_waitlist.c */
void cancelling_a_seat_says_it_was_not_waitlisted(void **state);
void cancelling_from_the_waitlist_says_so(void **state);
void cancelling_someone_not_registered_is_refused(void **state);
void promotion_gives_the_free_seat_to_the_first_in_line(void **state);
void promoting_with_nobody_waiting_is_refused(void **state);
void promoting_in_a_full_workshop_with_nobody_waiting_says_so(void **state);
void promoting_without_a_free_seat_is_refused(void **state);

/* test_decider_closing.c */
void closing_stops_registration(void **state);
void closing_twice_is_refused(void **state);
void closing_an_unscheduled_workshop_is_refused(void **state);
void cancelling_after_closing_is_still_allowed(void **state);
void a_seat_freed_after_closing_still_goes_to_the_waitlist(void **state);
void a_full_waitlist_takes_nobody_else(void **state);
void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **state);
void the_last_place_on_the_waitlist_is_taken(void **state);
void suite_happened(workshop_state *w, const esk_event_type *type,
                    const void *event);
void only_a_closed_workshop_with_nobody_left_is_terminal(void **state);

/* test_decider_on_a_store.c */
void on_a_store_each_command_appends_what_decide_said(void **state);

#endif
