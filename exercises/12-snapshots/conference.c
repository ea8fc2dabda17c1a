/*
 * conference.c - the conference's behaviours. Provided: the rules of
 * exercise 03, counted instead of listed. Only the two behaviours the
 * tests need are here: this exercise is about loading.
 *
 * Each behaviour checks everything first, then raises one event, which
 * esk applies to the state with evolve. No behaviour writes the state.
 */
#include <string.h>

#include "conference.h"

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

const char *conference_error_name(int code)
{
    switch (code) {
    case CONFERENCE_NOT_SCHEDULED:
        return "CONFERENCE_NOT_SCHEDULED";
    case CONFERENCE_ALREADY_SCHEDULED:
        return "CONFERENCE_ALREADY_SCHEDULED";
    case INVALID_CAPACITY:
        return "INVALID_CAPACITY";
    case REGISTRATION_IS_CLOSED:
        return "REGISTRATION_IS_CLOSED";
    case ALREADY_REGISTERED:
        return "ALREADY_REGISTERED";
    default:
        return NULL;
    }
}

/* The conference exists, and still takes registrations. */
static esk_status refuse_unless_open(const conference *c)
{
    if (c->state.status == CONFERENCE_UNSCHEDULED)
        return esk_domain_error(CONFERENCE_NOT_SCHEDULED,
                                "conference '%s' is not scheduled", c->base.id);
    if (c->state.status == CONFERENCE_CLOSED)
        return esk_domain_error(REGISTRATION_IS_CLOSED,
                                "registration for conference '%s' is closed",
                                c->base.id);
    return ESK_OK;
}

static bool is_recent(const conference_state *s, const char *attendee_id)
{
    for (size_t i = 0; i < s->recent_count; i++)
        if (strcmp(s->recent[i], attendee_id) == 0)
            return true;
    return false;
}

esk_status conference_schedule(conference *c, const char *title,
                               const char *starts_on, int64_t capacity)
{
    if (c->state.status != CONFERENCE_UNSCHEDULED)
        return esk_domain_error(CONFERENCE_ALREADY_SCHEDULED,
                                "conference '%s' is already scheduled",
                                c->base.id);
    if (capacity < 1 || capacity > MAX_CAPACITY)
        return esk_domain_error(INVALID_CAPACITY,
                                "a conference has 1 to %d seats, not %lld",
                                MAX_CAPACITY, (long long)capacity);

    workshop_scheduled e = {.capacity = capacity};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->base.id);
    copy_text(e.title, sizeof(e.title), title);
    copy_text(e.starts_on, sizeof(e.starts_on), starts_on);
    return esk_aggregate_raise(c, &workshop_scheduled_type, &e);
}

esk_status conference_register(conference *c, const char *attendee_id,
                               const char *name)
{
    const conference_state *s = &c->state;

    esk_status rc = refuse_unless_open(c);
    if (rc != ESK_OK)
        return rc;
    if (is_recent(s, attendee_id))
        return esk_domain_error(ALREADY_REGISTERED,
                                "'%s' has just registered for conference "
                                "'%s'",
                                attendee_id, c->base.id);

    /* A full conference is not a refusal: it is another fact. */
    if (s->seats_taken < s->capacity) {
        attendee_registered e = {0};
        copy_text(e.workshop_id, sizeof(e.workshop_id), c->base.id);
        copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
        copy_text(e.name, sizeof(e.name), name);
        return esk_aggregate_raise(c, &attendee_registered_type, &e);
    }
    attendee_waitlisted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), c->base.id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee_id);
    copy_text(e.name, sizeof(e.name), name);
    return esk_aggregate_raise(c, &attendee_waitlisted_type, &e);
}
