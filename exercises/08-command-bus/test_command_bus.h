/*
 * test_command_bus.h - what the command bus suite shares: the stores, the
 * commands, what the store holds, the buses, the rival, and the tests of
 * each file, which main() in test_command_bus.c runs in order.
 */
#ifndef TEST_COMMAND_BUS_H
#define TEST_COMMAND_BUS_H

#include <stdio.h>
#include <string.h>

#include <esk/command_bus.h>
#include <esk/decider.h>
#include <esk/record.h>
#include <esk/store.h>

#include "bus.h"
#include "exercise.h"
#include "race.h"
#include "workshop.h"

#define expect_story(store, expected, hint)                                    \
    do {                                                                       \
        char story_[512];                                                      \
        suite_read_story((store), "workshop-w-1", story_, sizeof(story_));     \
        exercise_expect_string(story_, (expected), "the story of w-1", (hint), \
                               __FILE__, __LINE__);                            \
    } while (0)

#define LOG_LINES 8

typedef struct log_capture {
    char lines[LOG_LINES][512];
    size_t count;
} log_capture;

typedef struct app {
    esk_store *store;
    esk_bus *bus;
    esk_log_sink sink;
    log_capture log;
} app;

/*
 * In the race window of the first decision, attendees[0] registers on the
 * same workshop; in the second, attendees[1]; and so on while there are
 * names.
 */
typedef struct rival {
    esk_store *store;
    const char *const *attendees;
    int attendee_count;
    int windows; /* how many times the window opened */
} rival;

/* test_command_bus.c */
esk_store *suite_open_store(void **state);
workshop_command suite_scheduling(const char *workshop_id, int64_t capacity);
workshop_command suite_registration(const char *workshop_id,
                                    const char *attendee_id, const char *name);
workshop_command suite_cancellation(const char *workshop_id,
                                    const char *attendee_id);
workshop_command suite_promotion(const char *workshop_id);
workshop_command suite_closing(const char *workshop_id);
void suite_given(esk_store *store, workshop_command c);
int64_t suite_head(esk_store *store);
esk_status suite_find_outcome(esk_store *store, const char *id,
                              esk_record *record, char **owned);
bool suite_has_outcome(esk_store *store, const char *id);
const char *suite_last_line(const log_capture *log);
void suite_open_app(app *a, void **state);
void suite_close_app(app *a);
void suite_rival_registers(void *ctx, const workshop_command *command);
void suite_read_story(esk_store *store, const char *stream_id, char *buf,
                      size_t size);

/* test_command_bus_application.c */
void a_new_command_is_handled_and_its_answer_recorded(void **state);
void the_bus_has_a_handler_for_every_workshop_command(void **state);
void every_command_is_logged_with_its_correlation_id(void **state);
void the_events_and_their_answer_are_committed_together(void **state);
void a_command_sent_twice_is_handled_once(void **state);
void a_refusal_is_remembered_as_the_first_answer(void **state);

/* test_command_bus_failures.c */
void a_conflict_between_load_and_append_is_retried(void **state);
void a_conflict_that_does_not_end_is_reported_not_remembered(void **state);
void another_command_under_a_used_id_is_refused(void **state);
void a_resend_is_told_apart_by_its_payload_json(void **state);
void an_answer_that_cannot_be_recorded_keeps_nothing(void **state);

/* Dispatch c as a command of its kind's type. correlation_id NULL: the
 * command starts a correlation of its own. */
static inline esk_status suite_send_json(esk_bus *bus, const char *id,
                                         const char *correlation_id,
                                         const workshop_command *c,
                                         const char *payload_json,
                                         esk_command_result *result)
{
    const esk_command command = {.type = workshop_command_type(c->kind),
                                 .id = id,
                                 .correlation_id = correlation_id,
                                 .payload = c,
                                 .payload_json = payload_json};
    exercise_say("command: %s %s%s%s", command.type, id,
                 payload_json != NULL ? " " : "",
                 payload_json != NULL ? payload_json : "");
    esk_status rc = esk_bus_dispatch(bus, &command, result);
    exercise_say("  -> %s%s%s", esk_status_str(rc),
                 esk_errmsg()[0] != '\0' ? ": " : "", esk_errmsg());
    return rc;
}

/* The same, without payload_json. */
static inline esk_status suite_send(esk_bus *bus, const char *id,
                                    const char *correlation_id,
                                    const workshop_command *c,
                                    esk_command_result *result)
{
    return suite_send_json(bus, id, correlation_id, c, NULL, result);
}

#endif
