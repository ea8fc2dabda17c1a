/*
 * test_projections.h - what the projections suite shares: one helper per event
 * of a story, and the tests of each file, which main() in test_projections.c
 * runs in order.
 */
#ifndef TEST_PROJECTIONS_H
#define TEST_PROJECTIONS_H

#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/codec.h>
#include <esk/projection.h>
#include <esk/store.h>
#include <esk/testing.h>

#include "exercise.h"
#include "read_models.h"

typedef struct read_side {
    esk_store *store;
    esk_read_model *read_model;
} read_side;

#define THREE_WORKSHOPS                                                        \
    "INSERT INTO catalogue VALUES "                                            \
    "('w-1', 'Event Sourcing 101', '2026-12-01', 3, 0, 1),"                    \
    "('w-2', 'DDD Distilled', '2026-11-15', 0, 2, 4),"                         \
    "('w-3', 'CQRS in Practice', '2027-01-20', 12, 0, 5);"

/* A status check that also shows what the query said. */
#define expect_query_ok(rc, hint)                                              \
    suite_expect_query_ok_at((rc), #rc, (hint), __FILE__, __LINE__)

/* test_projections.c */
const char *suite_stream_of(const char *workshop_id, char *buf, size_t size);

/* test_projections_queries.c */
void suite_open_read_side(read_side *r, const char *rows);
void suite_close_read_side(read_side *r);
void the_catalogue_lists_workshops_soonest_first(void **state);
void the_catalogue_fills_no_more_entries_than_there_is_room_for(void **state);
void an_agenda_lists_one_attendees_workshops_soonest_first(void **state);
void an_attendee_with_no_registration_has_an_empty_agenda(void **state);
void an_agenda_fills_no_more_entries_than_there_is_room_for(void **state);
void workshops_on_the_same_day_are_listed_by_id(void **state);
void an_empty_catalogue_lists_nothing(void **state);
void a_query_that_fails_midway_says_so(void **state);
void suite_expect_query_ok_at(esk_status rc, const char *what, const char *hint,
                              const char *file, int line);

/* test_projections_on_a_store.c */
void inline_projections_keep_the_read_model_in_step_with_the_events(
    void **state);
void an_event_a_projection_cannot_read_fails_the_append(void **state);
void queries_read_the_read_model_and_nothing_else(void **state);

#endif
