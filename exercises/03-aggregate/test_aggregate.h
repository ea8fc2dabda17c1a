/*
 * test_aggregate.h - what the aggregate's specs share: the people, the
 * behaviours as the test kit calls them, the past of workshop w-1, and the
 * tests of each file, which main() in test_aggregate.c runs in order.
 */
#ifndef TEST_AGGREGATE_H
#define TEST_AGGREGATE_H

#include <stdio.h>

#include <esk/testing.h>

#include "exercise.h"
#include "workshop.h"

typedef struct person {
    const char *id;
    const char *name;
} person;

static const person ada = {"ada", "Ada Lovelace"};
static const person bob = {"bob", "Bob Kahn"};
static const person cleo = {"cleo", "Cleo Laine"};

/* test_aggregate.c */
esk_status suite_cancels(void *w, const void *arg);
void suite_when_cancels(esk_spec *spec, const person *p);
void suite_when_closes(esk_spec *spec, const char *reason);
esk_spec *suite_workshop_w1(void);
void suite_given_scheduled(esk_spec *spec, int64_t capacity);
void suite_given_registered(esk_spec *spec, const person *p);
void suite_given_waitlisted(esk_spec *spec, const person *p);
void suite_given_cancelled(esk_spec *spec, const person *p,
                           bool was_waitlisted);
void suite_given_closed(esk_spec *spec);

/* test_aggregate_cancelling.c */
void cancelling_a_seat_frees_it(void **unused);
void cancelling_a_place_on_the_waitlist_says_so(void **unused);
void cancelling_someone_not_registered_is_refused(void **unused);
void cancelling_after_closing_is_allowed(void **unused);

/* test_aggregate_closing.c */
void closing_stops_registration_and_says_why(void **unused);
void closing_twice_or_before_scheduling_is_refused(void **unused);
const char *suite_pending_name(const workshop *w, size_t i);
void a_full_waitlist_takes_nobody_more(void **unused);
void the_last_place_on_the_waitlist_is_taken(void **unused);
void a_free_seat_is_taken_even_when_the_waitlist_is_full(void **unused);

/* test_aggregate_in_a_store.c */
void a_workshop_is_saved_as_events_and_loaded_from_them(void **unused);
void two_registrations_for_the_last_seat_cannot_both_win(void **unused);

#endif
