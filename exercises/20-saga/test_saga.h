/*
 * test_saga.h - what the saga's suite shares: the world around your code
 * (test_saga.c) and the tests of test_saga_refund.c, which main() in
 * test_saga.c runs in order.
 */
#ifndef TEST_SAGA_H
#define TEST_SAGA_H

#include <stdio.h>
#include <string.h>

#include <esk/error.h>
#include <esk/event.h>
#include <esk/store.h>

#include "exercise.h"
#include "saga.h"

#define SAGA "bob-w-1"
#define PRICE 5000

/* test_saga.c */
saga_world suite_world(void);
void suite_handle(saga_world *w, saga_kind kind, int64_t at);
void suite_pump(saga_world *w);
/* Start the saga at world.now and run until nobody answers. */
void suite_run(saga_world *w);
saga_state suite_state(saga_world *w);
int64_t suite_version(saga_world *w);
/* The saga's stream as "SagaStarted SeatReserved ...". */
void suite_story(saga_world *w, char *out, size_t size);
/* The commands sent, as "reserve pay ...". */
void suite_sent(const saga_world *w, char *out, size_t size);
void suite_free(saga_world *w);

/* test_saga_refund.c */
void a_failed_refund_is_tried_again_and_refunds_once(void **state);
void a_refund_whose_answer_was_lost_is_not_made_twice(void **state);
void a_refund_that_keeps_failing_parks_the_saga(void **state);
void a_parked_saga_ends_when_a_person_refunds(void **state);

#endif
