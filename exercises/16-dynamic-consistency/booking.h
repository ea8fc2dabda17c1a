/*
 * booking.h - booking a seat under two rules at once, without an aggregate
 * that holds them both.
 *
 *   1. a workshop has its capacity;
 *   2. an attendee holds at most three seats on the same day, whatever
 *      the workshops.
 *
 * Rule 1 lives in a workshop, rule 2 in an attendee's day: no stream holds
 * both. So the decision draws its own boundary, a query over tagged events:
 *
 *   WorkshopScheduled, AttendeeRegistered, RegistrationCancelled
 *                                        tagged workshop:<workshop_id>
 *   AttendeeRegistered, RegistrationCancelled
 *                                        tagged attendee:<attendee_id>
 *                                           and day:<day>
 *
 * One booking is: read the query (the store says which position it read up
 * to), fold what it returns, decide, append the new event with its tags on
 * the condition that nothing matching the same query was appended after
 * that position. A conflict means a fact the decision depends on changed:
 * read, fold and decide again.
 *
 * You write the four functions in booking.c.
 */
#ifndef BOOKING_H
#define BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/event.h>
#include <esk/store.h>

#include "events.h"

/* The most seats one attendee may hold on one day. */
#define SEATS_PER_DAY 3

/* A command: book this attendee on this workshop, which takes place on
 * day ("2026-12-07": the booking page shows it with the workshop). */
typedef struct booking_command {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
    char name[NAME_SIZE];
    char day[DATE_SIZE];
} booking_command;

/* Why a booking is refused: esk_error_last()->code after ESK_EDOMAIN. */
enum booking_error {
    BOOKING_NOT_SCHEDULED = 1, /* no WorkshopScheduled for the workshop */
    BOOKING_ALREADY_BOOKED,    /* the attendee holds a seat in it */
    BOOKING_NO_FREE_SEAT,      /* every seat of the workshop is taken */
    BOOKING_DAY_IS_FULL,       /* the attendee holds SEATS_PER_DAY that day */
};

/* The name of a booking_error ("BOOKING_NO_FREE_SEAT"), for messages. */
const char *booking_error_name(int code);

/* "workshop:w-1" and the like: "attendee:" and "day:" are as long. */
#define BOOKING_TAG_SIZE (ID_SIZE + 16)

/*
 * The consistency boundary of one booking: the three tags of the event it
 * appends, and the query that reads every fact its decision depends on.
 * The query's items point into the struct itself: fill it where it will
 * stay, and do not copy it.
 */
typedef struct booking_boundary {
    char workshop_tag[BOOKING_TAG_SIZE]; /* "workshop:<workshop_id>" */
    char attendee_tag[BOOKING_TAG_SIZE]; /* "attendee:<attendee_id>" */
    char day_tag[BOOKING_TAG_SIZE];      /* "day:<day>" */
    /* The tags of the appended event: the three above. */
    const char *event_tags[3];
    /* The types and tags of each query item, as the items need them. */
    const char *workshop_item_types[3];
    const char *workshop_item_tags[1];
    const char *attendee_day_item_types[2];
    const char *attendee_day_item_tags[2];
    esk_query_item items[2];
    esk_query query;
} booking_boundary;

/*
 * Fill b for command: the tags, and the query of two items, in this order:
 *
 *   items[0]: types WorkshopScheduled, AttendeeRegistered,
 *             RegistrationCancelled; tags {workshop_tag};
 *   items[1]: types AttendeeRegistered, RegistrationCancelled;
 *             tags {attendee_tag, day_tag};
 *
 * and b->query = {b->items, 2}. The items' types and tags are arrays of
 * b, filled first: the type names are those of events.h's types
 * (workshop_scheduled_type.name...), the tags b's own three.
 */
void booking_query(const booking_command *command, booking_boundary *b);

/* What one booking decision needs to know, folded from the query's
 * events. */
typedef struct booking_state {
    bool scheduled;         /* the workshop was scheduled */
    int64_t capacity;       /* its seats */
    int64_t seats_taken;    /* seats held in it now */
    bool already_booked;    /* the attendee holds one of them */
    int64_t attendee_seats; /* seats the attendee holds that day */
    bool command_handled;   /* an event's id is the command's id */
} booking_state;

/*
 * Fold the events a query read returned, oldest first, into *state
 * (zeroed first):
 *   - WorkshopScheduled of command->workshop_id: scheduled, capacity;
 *   - AttendeeRegistered: a seat taken in the workshop when it is
 *     command->workshop_id's; a seat of the attendee's day when it is
 *     command->attendee_id's (the query returns the attendee's events of
 *     that day only, and the workshop's, which is on that day);
 *   - RegistrationCancelled with was_waitlisted false: the same seat,
 *     given back (a waitlisted cancel held no seat);
 *   - an event whose id is command_id: command_handled.
 * An event of another type counts for nothing.
 *
 * @return ESK_OK; ESK_EDECODE when an event's data cannot be decoded
 *         (*state is then not to be used).
 */
esk_status booking_fold(const esk_event_list *events,
                        const booking_command *command, const char *command_id,
                        booking_state *state);

/*
 * Decide on the folded state, in this order of refusals:
 *   not scheduled                    -> BOOKING_NOT_SCHEDULED
 *   already_booked                   -> BOOKING_ALREADY_BOOKED
 *   seats_taken >= capacity          -> BOOKING_NO_FREE_SEAT
 *   attendee_seats >= SEATS_PER_DAY  -> BOOKING_DAY_IS_FULL
 * each with esk_domain_error(code, "...") and a message that names the
 * workshop or the attendee and day.
 *
 * @return ESK_OK: the seat may be booked; ESK_EDOMAIN: refused.
 */
esk_status booking_decide(const booking_state *state,
                          const booking_command *command);

/*
 * Book a seat, retrying on a conflict. Each attempt:
 *
 *   1. read: esk_store_read_query() of the boundary's query from position
 *      0; keep the position it read up to;
 *   2. fold with booking_fold(); if command_handled, stop: ESK_OK;
 *   3. decide with booking_decide();
 *   4. race_window(store, command, attempt);
 *   5. append one AttendeeRegistered event, id command_id, to the stream
 *      "workshop-<workshop_id>" with ESK_ANY, tagged with the boundary's
 *      three tags, on the condition {the boundary's query, the position
 *      read in step 1}: esk_store_append_if().
 *
 * On ESK_ECONCURRENCY from step 5, again from step 1, at most max_attempts
 * attempts in all (1: no retry). Any other outcome ends it.
 *
 * @param command_id the command's id, the event's id: a command sent twice
 *                   books once. 1 to ESK_EVENT_ID_MAX bytes.
 * @return ESK_OK: booked, or the command was already handled;
 *         ESK_EDOMAIN: refused (the last error is booking_decide()'s);
 *         ESK_ECONCURRENCY: still conflicting after max_attempts;
 *         ESK_EINVAL: max_attempts less than 1;
 *         the store's and booking_fold()'s other errors.
 * Nothing it allocates outlives the call.
 */
esk_status book_seat(esk_store *store, const booking_command *command,
                     const char *command_id, int max_attempts);

/*
 * The race window, between deciding and appending (as in exercise 07):
 * it runs the rival a test has set, which may append another booking
 * right there. attempt counts from 1.
 */
typedef void (*race_rival_fn)(void *ctx, esk_store *store,
                              const booking_command *command, int attempt);
void race_window_set_rival(race_rival_fn rival, void *ctx);
void race_window(esk_store *store, const booking_command *command, int attempt);

#endif
