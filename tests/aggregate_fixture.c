/*
 * tests/aggregate_fixture.c - see aggregate_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, title, "title"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
const esk_event_type workshop_scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);

static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, attendee, "attendee"),
    ESK_FIELD_INT64(attendee_registered, seats, "seats"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 2, attendee_registered_fields);

static const esk_field workshop_cancelled_fields[] = {
    ESK_FIELD_STRING(workshop_cancelled, reason, "reason"),
};
const esk_event_type workshop_cancelled_type = ESK_EVENT_TYPE(
    workshop_cancelled, "WorkshopCancelled", 1, workshop_cancelled_fields);

static const esk_field workshop_fields[] = {
    ESK_FIELD_STRING(workshop, title, "title"),
    ESK_FIELD_INT64(workshop, capacity, "capacity"),
    ESK_FIELD_INT64(workshop, seats_taken, "seatsTaken"),
    ESK_FIELD_INT64(workshop, attendees, "attendees"),
};
const esk_event_type workshop_snapshot_type =
    ESK_EVENT_TYPE(workshop, "WorkshopSnapshot", 1, workshop_fields);

long evolve_calls;

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    workshop *w = state;
    evolve_calls++;
    if (type == &workshop_scheduled_type) {
        const workshop_scheduled *e = event;
        memcpy(w->title, e->title, sizeof(w->title));
        w->capacity = e->capacity;
    } else if (type == &attendee_registered_type) {
        const attendee_registered *e = event;
        w->seats_taken += e->seats;
        w->attendees++;
    }
}

static const esk_event_type *const workshop_events[] = {
    &workshop_scheduled_type,
    &attendee_registered_type,
};

const esk_aggregate_type workshop_type = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop),
    .event_types = workshop_events,
    .event_type_count = 2,
    .evolve = workshop_evolve,
    .snapshot = &workshop_snapshot_type,
};

const esk_aggregate_type workshop_type_without_snapshot = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop),
    .event_types = workshop_events,
    .event_type_count = 2,
    .evolve = workshop_evolve,
};

esk_status workshop_schedule(workshop *w, const char *title, int64_t capacity)
{
    if (w->base.version > 0)
        return esk_domain_error(WORKSHOP_ALREADY_SCHEDULED,
                                "workshop '%s' is scheduled already",
                                w->base.id);
    workshop_scheduled e = {"", capacity};
    strncpy(e.title, title, sizeof(e.title) - 1);
    return esk_aggregate_raise(w, &workshop_scheduled_type, &e);
}

esk_status workshop_register(workshop *w, const char *attendee, int64_t seats)
{
    if (w->seats_taken + seats > w->capacity)
        return esk_domain_error(WORKSHOP_FULL, "workshop '%s' is full",
                                w->base.id);
    attendee_registered e = {"", seats};
    strncpy(e.attendee, attendee, sizeof(e.attendee) - 1);
    return esk_aggregate_raise(w, &attendee_registered_type, &e);
}

long allocations_before_failure = -1;

static int may_allocate(void)
{
    if (allocations_before_failure == 0)
        return 0;
    if (allocations_before_failure > 0)
        allocations_before_failure--;
    return 1;
}

static void *checked_malloc(size_t size)
{
    return may_allocate() ? test_malloc(size) : NULL;
}

static void *checked_realloc(void *ptr, size_t size)
{
    return may_allocate() ? test_realloc(ptr, size) : NULL;
}

static void checked_free(void *ptr)
{
    test_free(ptr);
}

void use_checked_allocator(void)
{
    const esk_allocator checked = {checked_malloc, checked_realloc,
                                   checked_free};
    esk_set_allocator(&checked);
}
