/*
 * state.c - lists of ids, the questions decisions ask, and the fold.
 * Provided.
 */
#include <string.h>

#include <esk/decider.h>

#include "state.h"

void copy_text(char *to, size_t size, const char *from)
{
    size_t n = 0;
    if (size == 0)
        return;
    while (n + 1 < size && from[n] != '\0')
        n++;
    memcpy(to, from, n);
    memset(to + n, 0, size - n);
}

void id_list_add(char list[][ID_SIZE], size_t *count, size_t max,
                 const char *id)
{
    if (*count < max) {
        copy_text(list[*count], ID_SIZE, id);
        (*count)++;
    }
}

bool id_list_remove(char list[][ID_SIZE], size_t *count, const char *id)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(list[i], id) == 0) {
            memmove(list[i], list[i + 1], (*count - i - 1) * ID_SIZE);
            (*count)--;
            /* The place left free at the end reads as empty again. */
            memset(list[*count], 0, ID_SIZE);
            return true;
        }
    }
    return false;
}

/* Whether id is among the count ids of list. */
static bool id_list_contains(const char list[][ID_SIZE], size_t count,
                             const char *id)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(list[i], id) == 0)
            return true;
    return false;
}

bool workshop_is_seated(const workshop_state *state, const char *attendee_id)
{
    return id_list_contains(state->seated, state->seated_count, attendee_id);
}

bool workshop_is_waiting(const workshop_state *state, const char *attendee_id)
{
    return id_list_contains(state->waitlist, state->waitlist_count,
                            attendee_id);
}

int64_t workshop_free_seats(const workshop_state *state)
{
    return state->capacity - (int64_t)state->seated_count;
}

const esk_event_type *const workshop_event_types[WORKSHOP_EVENT_TYPE_COUNT] = {
    &workshop_scheduled_type,           &attendee_registered_type,
    &attendee_waitlisted_type,          &registration_cancelled_type,
    &waitlisted_attendee_promoted_type, &registration_closed_type,
};

esk_status workshop_fold(workshop_state *state, const esk_event *events,
                         size_t n)
{
    /* esk folds a stream for a decider (exercise 04): a state, the event
     * types to decode with, and evolve. Folding needs nothing more, so a
     * decider without decide() does. */
    static const esk_decider fold_only = {
        .name = "Workshop",
        .category = "workshop",
        .state_size = sizeof(workshop_state),
        .event_types = workshop_event_types,
        .event_type_count = WORKSHOP_EVENT_TYPE_COUNT,
        .evolve = workshop_evolve,
    };
    return esk_decider_fold(&fold_only, state, events, n);
}
