/*
 * evolve.c - a conference's state, rebuilt from its events. Provided.
 *
 * A variant of ../domain/evolve.c, on purpose: snapshots pay off on long
 * streams, so this exercise folds a conference of its own (conference.h),
 * with counts where the workshop keeps lists.
 *
 * The same fold as exercise 02, with counts where the workshop kept lists:
 * one call per event, in order, from the zero state. A load without a
 * snapshot calls it once for every event of the stream; a load from a
 * snapshot only for the events after it.
 */
#include <string.h>

#include "conference.h"

/* Keep id as the latest registration, forgetting the oldest when the list
 * is full. */
static void remember(conference_state *s, const char *id)
{
    if (s->recent_count == RECENT_MAX) {
        memmove(s->recent[0], s->recent[1], (RECENT_MAX - 1) * ID_SIZE);
        s->recent_count--;
    }
    copy_text(s->recent[s->recent_count], ID_SIZE, id);
    s->recent_count++;
}

/* Forget id, if it is among the latest: who cancelled may register again. */
static void forget(conference_state *s, const char *id)
{
    for (size_t i = 0; i < s->recent_count; i++) {
        if (strcmp(s->recent[i], id) == 0) {
            memmove(s->recent[i], s->recent[i + 1],
                    (s->recent_count - i - 1) * ID_SIZE);
            s->recent_count--;
            /* The place left free reads as empty again. */
            memset(s->recent[s->recent_count], 0, ID_SIZE);
            return;
        }
    }
}

void conference_evolve(conference_state *s, const esk_event_type *type,
                       const void *event)
{
    if (type == &workshop_scheduled_type) {
        const workshop_scheduled *e = event;
        s->status = CONFERENCE_OPEN;
        s->capacity = e->capacity;
    } else if (type == &attendee_registered_type) {
        const attendee_registered *e = event;
        s->seats_taken++;
        remember(s, e->attendee_id);
    } else if (type == &attendee_waitlisted_type) {
        const attendee_waitlisted *e = event;
        s->waiting++;
        remember(s, e->attendee_id);
    } else if (type == &registration_cancelled_type) {
        /* wasWaitlisted says which count goes down. */
        const registration_cancelled *e = event;
        if (e->was_waitlisted)
            s->waiting--;
        else
            s->seats_taken--;
        forget(s, e->attendee_id);
    } else if (type == &waitlisted_attendee_promoted_type) {
        s->waiting--;
        s->seats_taken++;
    } else if (type == &registration_closed_type) {
        s->status = CONFERENCE_CLOSED;
    }
    /* Any other type changes nothing here. */
}

const esk_event_type
    *const conference_event_types[CONFERENCE_EVENT_TYPE_COUNT] = {
        &workshop_scheduled_type,           &attendee_registered_type,
        &attendee_waitlisted_type,          &registration_cancelled_type,
        &waitlisted_attendee_promoted_type, &registration_closed_type,
};
