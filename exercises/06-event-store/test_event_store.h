/*
 * test_event_store.h - what the event store suite shares: the stores, the
 * repository, the commands, and the tests of each file, which main() in
 * test_event_store.c runs in order.
 */
#ifndef TEST_EVENT_STORE_H
#define TEST_EVENT_STORE_H

#include <stdio.h>
#include <string.h>

#include <esk/store.h>

#include "exercise.h"
#include "handlers.h"
#include "workshop.h"

#define STORY_SIZE 2048

/* check_status, after printing what the handler said about a surprise:
 * its last error. */
#define expect_handled(rc, expected, hint)                                     \
    suite_expect_handled_at((rc), (expected), #rc, (hint), __FILE__, __LINE__)

/* test_event_store.c */
esk_store *suite_open_memory_store(void);
esk_repository *suite_open_repository(esk_store *store);
void suite_schedule(esk_repository *repo, const char *workshop_id,
                    int64_t capacity);
void suite_register_ok(esk_repository *repo, const char *workshop_id,
                       const char *attendee_id, const char *name);
void suite_expect_handled_at(esk_status rc, esk_status expected,
                             const char *what, const char *hint,
                             const char *file, int line);

/* test_event_store_story.c */
void the_story_lists_every_event_in_order(void **state);
void the_story_of_a_workshop_never_scheduled_is_not_found(void **state);
void a_story_that_does_not_fit_is_refused_not_overrun(void **state);
void a_story_gives_the_versions_of_its_own_stream(void **state);
void a_story_needs_one_byte_more_than_its_text(void **state);

/* test_event_store_metadata.c */
void the_events_carry_the_metadata_they_were_saved_with(void **state);
void the_same_handlers_tell_the_same_story_on_sqlite(void **state);

#endif
