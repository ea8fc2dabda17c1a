/*
 * tests/process_manager_fixture.h - what the process manager tests
 * (test_process.c) share: the workshop decider, a world of a store, a bus
 * and a runner, and the tests of each file.
 */
#ifndef ESK_TESTS_PROCESS_MANAGER_FIXTURE_H
#define ESK_TESTS_PROCESS_MANAGER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/command_bus.h"
#include "esk/decider.h"
#include "esk/process.h"
#include "registration_fixture.h"

enum { TEXT_MAX = 512, SEATS_MAX = 8 };

typedef struct workshop_state {
    bool scheduled;
    int64_t capacity;
    char attendees[SEATS_MAX][32];
    size_t count;
} workshop_state;

typedef enum { REGISTER, CANCEL } registration_action;

typedef struct registration_command {
    registration_action action;
    char workshop_id[32];
    char attendee[32];
} registration_command;

enum { NOT_SCHEDULED = 1, FULL = 2, NOT_REGISTERED = 3 };

/* A store, and a bus over it that remembers command outcomes. */
typedef struct world {
    fixture f;
    esk_bus *bus;
    esk_process_runner *runner;
} world;

/* The follow-up process manager's state, which the tests look at. */
typedef struct follow_up {
    /* react fails, after sending, on this attendee ("" for never). */
    char fail_on[32];
    int reactions;
    esk_command_result last;
    /* The last send's status, and a refusal's code. */
    esk_status last_status;
    int last_code;
} follow_up;

/* process_manager_fixture.c */
void open_world(world *w, void **state, const esk_process *process);
void close_world(world *w);
size_t run_ok(world *w);
void assert_story(world *w, const char *workshop_id, const char *expected);
const esk_event *event_at(world *w, int64_t position, esk_event_list *list);
void register_with_metadata(world *w, const char *workshop_id,
                            const char *attendee, const char *metadata);

/* process_manager_follow_up.c */
esk_process follow_up_process(follow_up *fu);
void react_sends_commands_with_derived_ids_and_correlation(void **state);
void events_written_by_its_commands_are_for_the_next_run(void **state);
void a_redelivered_event_writes_nothing_twice(void **state);
void a_domain_refusal_is_not_a_failure(void **state);
void a_react_failure_undoes_its_commands_and_keeps_the_checkpoint(void **state);

/* process_manager_deadline.c */
void a_deadline_command_is_sent_once_however_often_tick_runs(void **state);
void a_command_from_tick_needs_a_key(void **state);
void a_process_without_tick_ticks_quietly(void **state);

#endif
