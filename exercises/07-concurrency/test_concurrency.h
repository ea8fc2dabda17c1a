/*
 * test_concurrency.h - what the concurrency suite shares: the stores and
 * workshops, the rival, and the tests of each file, which main() in
 * test_concurrency.c runs in order.
 */
#ifndef TEST_CONCURRENCY_H
#define TEST_CONCURRENCY_H

#include <stdio.h>
#include <string.h>

#include <esk/decider.h>
#include <esk/store.h>

#include "exercise.h"
#include "handler.h"
#include "race.h"
#include "workshop.h"

/*
 * Another server, registering other attendees at the worst moment: in
 * the race window of attempt 1, attendees[0] registers; of attempt 2,
 * attendees[1]; and so on while there are names.
 */
typedef struct rival {
    const char *const *attendees;
    int attendee_count;
    int windows; /* how many times the window opened */
} rival;

static const char *const cleo[] = {"cleo"};

/* handle_with_retry, printing the last error's message on a surprise. */
#define expect_handled(rc, expected, hint)                                     \
    suite_expect_handled_at((rc), (expected), #rc, (hint), __FILE__, __LINE__)

/* test_concurrency.c */
esk_store *suite_open_memory_store(void);
esk_store *suite_open_sqlite_store(void);
workshop_command suite_registration(const char *workshop_id,
                                    const char *attendee_id, const char *name);
void suite_given_a_workshop(esk_store *store, const char *workshop_id,
                            int64_t capacity);
void suite_given_registered(esk_store *store, const char *workshop_id,
                            const char *attendee_id);
workshop_state suite_load(esk_store *store, const char *stream_id,
                          esk_event_list *stream);
const esk_event *suite_last_event(const esk_event_list *stream);
void suite_rival_registers(void *ctx, esk_store *store,
                           const workshop_command *command, int attempt);

/* test_concurrency_retry.c */
void a_free_seat_is_taken_at_the_first_attempt(void **state);
void a_command_for_a_workshop_never_scheduled_is_refused(void **state);
void without_retry_the_loser_of_the_race_gets_a_version_conflict(void **state);
void with_retry_the_loser_decides_again_and_waits(void **state);
void the_handler_gives_up_after_max_attempts(void **state);
void a_workshop_that_cannot_be_read_is_not_decided_on(void **state);
void on_sqlite_the_race_for_the_last_seat_ends_the_same_way(void **state);
void suite_expect_handled_at(esk_status rc, esk_status expected,
                             const char *what, const char *hint,
                             const char *file, int line);

/* test_concurrency_idempotency.c */
void the_same_command_sent_twice_is_handled_once(void **state);
void another_command_for_the_same_attendee_is_refused(void **state);
void a_command_delivered_twice_at_once_is_handled_once(void **state);

#endif
