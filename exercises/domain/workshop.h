/*
 * workshop.h - the workshop as a decider: its commands, its domain errors
 * and its four functions. Provided: exercise 04 writes decide.c against it.
 *
 *   initial_state()          -> state            the zero state (state.h)
 *   evolve(state, event)     -> state            evolve.c, exercise 02's
 *   decide(state, command)   -> events or error  decide.c
 *   is_terminal(state)       -> bool             decide.c
 *
 * The rules are those of exercise 03's aggregate; only the shape changes.
 * No object changes itself: decide() reads a plain workshop_state and a
 * command, and answers with events. esk_decider_handle() does the rest:
 * load the stream, fold it with evolve, decide, append.
 */
#ifndef WORKSHOP_H
#define WORKSHOP_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/decider.h>

#include "events.h"
#include "state.h"

/* --- Commands: requests, in the imperative -------------------------------- */

/* Starts at 1, so that a command nobody filled in is no command at all. */
typedef enum workshop_command_kind {
    SCHEDULE_WORKSHOP = 1,
    REGISTER_ATTENDEE,
    CANCEL_REGISTRATION,
    PROMOTE_FROM_WAITLIST,
    CLOSE_REGISTRATION,
} workshop_command_kind;

/*
 * One struct for every command: kind says which, and each kind reads the
 * fields marked with it. The string fields have the sizes of the events'
 * fields, so that copy_text() takes one into an event whole.
 */
typedef struct workshop_command {
    workshop_command_kind kind;
    char workshop_id[ID_SIZE]; /* every kind */
    char title[TITLE_SIZE];    /* SCHEDULE_WORKSHOP */
    char starts_on[DATE_SIZE]; /* SCHEDULE_WORKSHOP: "2026-12-01" */
    int64_t capacity;          /* SCHEDULE_WORKSHOP */
    char attendee_id[ID_SIZE]; /* REGISTER_ATTENDEE, CANCEL_REGISTRATION */
    char name[NAME_SIZE];      /* REGISTER_ATTENDEE: the attendee's name */
    char reason[NAME_SIZE];    /* CLOSE_REGISTRATION: "trainer", "deadline" */
    /* PROMOTE_FROM_WAITLIST names nobody: the state knows who is next. */
} workshop_command;

/* --- Domain errors: why a command is refused (as in exercise 03) ---------- */

enum workshop_error {
    WORKSHOP_NOT_SCHEDULED = 1,
    WORKSHOP_ALREADY_SCHEDULED,
    INVALID_CAPACITY,
    REGISTRATION_IS_CLOSED,
    ALREADY_REGISTERED,
    NOT_REGISTERED,
    NOBODY_WAITING,
    NO_FREE_SEAT,
    WAITLIST_IS_FULL,
};

/* --- The rules: decide.c, exercise 04's task, where each says its rules --- */

esk_status workshop_decide(const void *state, const void *command,
                           esk_decision *decision);

bool workshop_is_terminal(const void *state);

/* The four functions together, as esk_decider_handle() and the specs use
 * them (workshop.c). */
extern const esk_decider workshop_decider;

#endif
