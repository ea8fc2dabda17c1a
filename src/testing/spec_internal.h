/*
 * src/testing/spec_internal.h - what the three files of decider and
 * aggregate specs share: the spec, the outcome of a command, and the
 * verdict of a run. Not installed.
 */
#ifndef ESK_TESTING_SPEC_INTERNAL_H
#define ESK_TESTING_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "esk/testing.h"
#include "report.h"

typedef struct spec_event {
    const esk_event_type *type;
    char *json;
} spec_event;

typedef struct event_list {
    spec_event *items;
    size_t count;
    size_t capacity;
} event_list;

typedef enum expectation {
    EXPECT_UNSET,
    EXPECT_EVENTS,
    EXPECT_ERROR,
    EXPECT_NOTHING,
} expectation;

struct esk_spec {
    /* One of the two is set. */
    const esk_decider *decider;
    const esk_aggregate_type *aggregate;
    char *id;
    event_list given;
    bool has_when;
    const void *command;
    /* A copy of the command when the decider gives its size. */
    void *command_copy;
    char *label;
    esk_spec_action action;
    const void *arg;
    expectation expect;
    event_list expected;
    int error_code;
    char *hint;
    /* The first mistake made while building the spec, or "". */
    char problem[ESK_ERROR_MESSAGE_MAX];
};

/* What a command did. "Nothing" is accepted with no event. */
typedef enum outcome_kind {
    OUTCOME_ACCEPTED,
    OUTCOME_REFUSED,
    OUTCOME_FAILED,
} outcome_kind;

typedef struct outcome {
    outcome_kind kind;
    event_list events;
    esk_status status;
    int code;
    char message[ESK_ERROR_MESSAGE_MAX];
} outcome;

/* Everything a run found out, before it is written as a report. */
typedef struct verdict {
    /* Set when the spec itself is wrong: nothing else counts. */
    char spec_error[2 * ESK_ERROR_MESSAGE_MAX];
    outcome first;
    outcome second;
    bool nondeterministic;
    bool impure;
    size_t impure_offset;
    /* The decider's description of the state around decide(), when it
     * has a describe_state and decide() wrote to the state. */
    char state_before[512];
    char state_after[512];
    bool rebuilt_differs;
    size_t rebuilt_offset;
    char rebuild_error[2 * ESK_ERROR_MESSAGE_MAX];
    size_t raised_before_refusal;
} verdict;

/* Take ownership of json and append (type, json); ESK_ENOMEM leaves the
 * list unchanged and json to the caller. */
esk_status esk__spec_events_push(event_list *list, const esk_event_type *type,
                                 char *json);
/* Append a copy of json; ESK_ENOMEM leaves the list unchanged. */
esk_status esk__spec_events_push_copy(event_list *list,
                                      const esk_event_type *type,
                                      const char *json);
void esk__spec_events_free(event_list *list);
/* Same types (name and schema version) and JSON, in the same order. */
bool esk__spec_same_events(const event_list *a, const event_list *b);

/* Write the report of a failed run; matched says whether the outcome was
 * the expected one. */
void esk__spec_write_report(const esk_spec *spec, const esk_decider *decider,
                            const verdict *v, bool matched, esk__report *r);

#endif
