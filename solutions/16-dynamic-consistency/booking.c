/*
 * booking.c - a decision that draws its own consistency boundary: read
 * a query, fold, decide, append on the condition that nothing the query
 * matches came after what was read. YOU EDIT THIS FILE.
 *
 * booking.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_read_query, esk_store_append_if,
 *   esk_event_list_release                          (esk/store.h)
 *   esk_codec_decode_event, esk_codec_encode, esk_free (esk/codec.h)
 *   esk_domain_error                                (esk/error.h)
 *   the event types of events.h, race_window        (booking.h)
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>

#include "booking.h"

void booking_query(const booking_command *command, booking_boundary *b)
{
    snprintf(b->workshop_tag, sizeof(b->workshop_tag), "workshop:%s",
             command->workshop_id);
    snprintf(b->attendee_tag, sizeof(b->attendee_tag), "attendee:%s",
             command->attendee_id);
    snprintf(b->day_tag, sizeof(b->day_tag), "day:%s", command->day);
    b->event_tags[0] = b->workshop_tag;
    b->event_tags[1] = b->attendee_tag;
    b->event_tags[2] = b->day_tag;

    b->workshop_item_types[0] = workshop_scheduled_type.name;
    b->workshop_item_types[1] = attendee_registered_type.name;
    b->workshop_item_types[2] = registration_cancelled_type.name;
    b->workshop_item_tags[0] = b->workshop_tag;
    b->items[0] = (esk_query_item){.types = b->workshop_item_types,
                                   .type_count = 3,
                                   .tags = b->workshop_item_tags,
                                   .tag_count = 1};
    b->attendee_day_item_types[0] = attendee_registered_type.name;
    b->attendee_day_item_types[1] = registration_cancelled_type.name;
    b->attendee_day_item_tags[0] = b->attendee_tag;
    b->attendee_day_item_tags[1] = b->day_tag;
    b->items[1] = (esk_query_item){.types = b->attendee_day_item_types,
                                   .type_count = 2,
                                   .tags = b->attendee_day_item_tags,
                                   .tag_count = 2};
    b->query = (esk_query){.items = b->items, .item_count = 2};
}

/* A seat taken (+1) or given back (-1) by one attendee in one workshop. */
static void count_seat(booking_state *state, const booking_command *command,
                       const char *workshop_id, const char *attendee_id,
                       int delta)
{
    if (strcmp(workshop_id, command->workshop_id) == 0) {
        state->seats_taken += delta;
        if (strcmp(attendee_id, command->attendee_id) == 0)
            state->already_booked = delta > 0;
    }
    if (strcmp(attendee_id, command->attendee_id) == 0)
        state->attendee_seats += delta;
}

static esk_status fold_one(booking_state *state, const booking_command *command,
                           const esk_event *e)
{
    esk_status rc = ESK_OK;
    if (strcmp(e->type, workshop_scheduled_type.name) == 0) {
        workshop_scheduled s;
        rc = esk_codec_decode_event(&workshop_scheduled_type, e, &s);
        if (rc == ESK_OK && strcmp(s.workshop_id, command->workshop_id) == 0) {
            state->scheduled = true;
            state->capacity = s.capacity;
        }
    } else if (strcmp(e->type, attendee_registered_type.name) == 0) {
        attendee_registered r;
        rc = esk_codec_decode_event(&attendee_registered_type, e, &r);
        if (rc == ESK_OK)
            count_seat(state, command, r.workshop_id, r.attendee_id, +1);
    } else if (strcmp(e->type, registration_cancelled_type.name) == 0) {
        registration_cancelled c;
        rc = esk_codec_decode_event(&registration_cancelled_type, e, &c);
        if (rc == ESK_OK && !c.was_waitlisted)
            count_seat(state, command, c.workshop_id, c.attendee_id, -1);
    }
    return rc;
}

esk_status booking_fold(const esk_event_list *events,
                        const booking_command *command, const char *command_id,
                        booking_state *state)
{
    *state = (booking_state){0};
    for (size_t i = 0; i < events->count; i++) {
        const esk_event *e = &events->events[i];
        if (strcmp(e->event_id, command_id) == 0)
            state->command_handled = true;
        esk_status rc = fold_one(state, command, e);
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

esk_status booking_decide(const booking_state *state,
                          const booking_command *command)
{
    if (!state->scheduled)
        return esk_domain_error(BOOKING_NOT_SCHEDULED,
                                "workshop '%s' is not scheduled",
                                command->workshop_id);
    if (state->already_booked)
        return esk_domain_error(BOOKING_ALREADY_BOOKED,
                                "'%s' already holds a seat in workshop '%s'",
                                command->attendee_id, command->workshop_id);
    if (state->seats_taken >= state->capacity)
        return esk_domain_error(BOOKING_NO_FREE_SEAT,
                                "workshop '%s' has no free seat (%lld of %lld "
                                "taken)",
                                command->workshop_id,
                                (long long)state->seats_taken,
                                (long long)state->capacity);
    if (state->attendee_seats >= SEATS_PER_DAY)
        return esk_domain_error(
            BOOKING_DAY_IS_FULL, "'%s' already holds %d seats on %s",
            command->attendee_id, SEATS_PER_DAY, command->day);
    return ESK_OK;
}

/* The booking's one event, with its tags, on the condition. */
static esk_status append_booking(esk_store *store,
                                 const booking_command *command,
                                 const char *command_id,
                                 const booking_boundary *b, int64_t read_up_to)
{
    attendee_registered r = {0};
    snprintf(r.workshop_id, sizeof(r.workshop_id), "%s", command->workshop_id);
    snprintf(r.attendee_id, sizeof(r.attendee_id), "%s", command->attendee_id);
    snprintf(r.name, sizeof(r.name), "%s", command->name);
    char *data = NULL;
    esk_status rc = esk_codec_encode(&attendee_registered_type, &r, &data);
    if (rc != ESK_OK)
        return rc;

    char stream_id[ID_SIZE + 16];
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", command->workshop_id);
    esk_new_event event = {.event_id = command_id,
                           .type = attendee_registered_type.name,
                           .schema_version =
                               attendee_registered_type.schema_version,
                           .data = data};
    esk_tags tags = {.tags = b->event_tags, .count = 3};
    esk_append_condition condition = {.query = b->query, .after = read_up_to};
    rc = esk_store_append_if(store, stream_id, ESK_ANY, &event, &tags, 1,
                             &condition, NULL);
    esk_free(data);
    return rc;
}

esk_status book_seat(esk_store *store, const booking_command *command,
                     const char *command_id, int max_attempts)
{
    if (max_attempts < 1)
        return esk_error_set(ESK_EINVAL, "max_attempts is %d: give 1 or more",
                             max_attempts);
    booking_boundary b;
    booking_query(command, &b);
    esk_event_list facts = ESK_EVENT_LIST_INIT;
    esk_status rc = ESK_ECONCURRENCY;
    for (int attempt = 1; attempt <= max_attempts && rc == ESK_ECONCURRENCY;
         attempt++) {
        int64_t read_up_to = 0;
        booking_state state;
        rc = esk_store_read_query(store, &b.query, 0, 0, &facts, &read_up_to);
        if (rc == ESK_OK)
            rc = booking_fold(&facts, command, command_id, &state);
        if (rc != ESK_OK || state.command_handled)
            break;
        rc = booking_decide(&state, command);
        if (rc != ESK_OK)
            break;
        race_window(store, command, attempt);
        rc = append_booking(store, command, command_id, &b, read_up_to);
    }
    esk_event_list_release(&facts);
    return rc;
}
