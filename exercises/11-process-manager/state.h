/*
 * state.h - what a workshop remembers of its past. Provided.
 *
 * A variant of ../domain/state.h, on purpose: exercise 11 adds payments
 * (RegistrationPaid, RegistrationLapsed, the commands and the state that
 * lead to them), which the exercises before it must not see.
 *
 * Nobody stores this struct. It is worked out again, whenever it is
 * needed, by folding the workshop's events one by one, in order, with
 * workshop_evolve() (evolve.c):
 *
 *   state = {0}                          no events yet: unscheduled
 *   evolve(&state, WorkshopScheduled)    open, with its capacity
 *   evolve(&state, AttendeeRegistered)   one seat taken
 *   ...                                  and so on, to the last event
 *
 * It keeps only what decisions need: whether the workshop takes
 * registrations, how many seats it has, who sits, who has paid and who
 * waits. Titles and names stay in the events, for the read side to show.
 */
#ifndef STATE_H
#define STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/codec.h>
#include <esk/event.h>
#include <esk/status.h>

#include "events.h"

#define MAX_SEATS 64   /* the largest capacity a workshop may have */
#define MAX_WAITING 64 /* the longest waitlist */

typedef enum workshop_status {
    WORKSHOP_UNSCHEDULED, /* nothing has happened yet: the zero state */
    WORKSHOP_OPEN,        /* scheduled, taking registrations */
    WORKSHOP_CLOSED,      /* no more registrations */
} workshop_status;

typedef struct workshop_state {
    workshop_status status;
    int64_t capacity;
    char seated[MAX_SEATS][ID_SIZE]; /* who has a seat, in order of arrival */
    size_t seated_count;
    char paid[MAX_SEATS][ID_SIZE]; /* who of the seated has paid */
    size_t paid_count;
    char waitlist[MAX_WAITING][ID_SIZE]; /* waitlist[0] waited longest */
    size_t waitlist_count;
} workshop_state;

/* --- Lists of attendee ids (state.c) ------------------------------------- */

/*
 * Put id at the end of list, which holds *count ids and room for max.
 * When the list is full the id is not kept: evolve cannot fail, and the
 * rules (exercise 03) refuse whatever would not fit before it happens.
 */
void id_list_add(char list[][ID_SIZE], size_t *count, size_t max,
                 const char *id);

/*
 * Take id out of list, moving those behind it one place forward, so that
 * the order of arrival is kept. Returns whether id was there; when it was
 * not, the list is unchanged.
 */
bool id_list_remove(char list[][ID_SIZE], size_t *count, const char *id);

/* --- Questions decisions ask (state.c) ----------------------------------- */

/* Whether attendee_id has a seat. */
bool workshop_is_seated(const workshop_state *state, const char *attendee_id);

/* Whether attendee_id is on the waitlist. */
bool workshop_is_waiting(const workshop_state *state, const char *attendee_id);

/* Whether attendee_id has paid for their seat. */
bool workshop_has_paid(const workshop_state *state, const char *attendee_id);

/* The seats nobody has: capacity minus the seated. */
int64_t workshop_free_seats(const workshop_state *state);

/* --- The fold ------------------------------------------------------------ */

/*
 * Apply one event to the state (evolve.c). state is a workshop_state;
 * type is the event's type (one of the eight of events.h, or one it does
 * not know) and event points to a struct of that type. It is total: any
 * event, in any state, gives a state; it never fails, checks or refuses.
 *
 * The signature is the one esk calls (esk_decider.evolve,
 * esk_aggregate_type.evolve), so that the same function serves the
 * aggregate of exercise 03 and the decider of exercise 04.
 */
void workshop_evolve(void *state, const esk_event_type *type,
                     const void *event);

/* The eight events of a workshop's stream, all of which evolve folds. */
#define WORKSHOP_EVENT_TYPE_COUNT 8
extern const esk_event_type
    *const workshop_event_types[WORKSHOP_EVENT_TYPE_COUNT];

/*
 * Rebuild a workshop's state from its recorded events, as esk does when it
 * loads a stream: start from the zero state, then decode each event's
 * JSON with its type and evolve the state with it, in order.
 *
 * @param state  receives the state.
 * @param events n recorded events of one stream, in order; borrowed.
 * @return ESK_OK; ESK_EDECODE (an event of an unknown type or with bad
 *         data: the state then holds the events before it, and the last
 *         error says which event, and why); ESK_ENOMEM.
 */
esk_status workshop_fold(workshop_state *state, const esk_event *events,
                         size_t n);

/* --- Text ---------------------------------------------------------------- */

/*
 * Copy the text from into the char array to of size bytes, cut to
 * size - 1 bytes if longer, and fill the rest with zeros (so that two
 * arrays holding the same text are the same, byte for byte).
 */
void copy_text(char *to, size_t size, const char *from);

#endif
