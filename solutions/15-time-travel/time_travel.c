/*
 * time_travel.c - the past, folded on demand.
 *
 * Every function reads the events and folds fewer of them than a command
 * handler would. Nothing is stored for it: time travel is what event
 * sourcing gives for free.
 */
#include <stdio.h>
#include <string.h>

#include "time_travel.h"

/* "workshop-w-1" for "w-1". */
static esk_status stream_of(const char *workshop_id, char *buf, size_t size)
{
    int n = snprintf(buf, size, "workshop-%s", workshop_id);
    if (n < 0 || (size_t)n >= size)
        return esk_error_set(ESK_EINVAL,
                             "the workshop id '%s' is too long for a stream "
                             "id",
                             workshop_id);
    return ESK_OK;
}

esk_status workshop_as_of_version(esk_store *store, const char *workshop_id,
                                  int64_t version, workshop_state *out)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    esk_event_list events = ESK_EVENT_LIST_INIT;

    if (version < 0)
        return esk_error_set(ESK_EINVAL,
                             "version %lld: a version is 0 (before anything "
                             "happened) or more",
                             (long long)version);
    esk_status rc = stream_of(workshop_id, stream_id, sizeof(stream_id));
    /* Version 0 needs no read: a max_count of 0 would read everything. */
    if (rc == ESK_OK && version > 0)
        rc = esk_store_read_stream(store, stream_id, 1, (size_t)version,
                                   &events);
    if (rc == ESK_OK && (int64_t)events.count < version)
        rc = esk_error_set(ESK_ENOTFOUND, "%s has %zu events, not %lld (yet)",
                           stream_id, events.count, (long long)version);
    if (rc == ESK_OK)
        rc = workshop_fold(out, events.events, events.count);
    esk_event_list_release(&events);
    return rc;
}

esk_status workshop_as_of_time(esk_store *store, const char *workshop_id,
                               esk_time at, workshop_state *out,
                               int64_t *out_version)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    esk_event_list events = ESK_EVENT_LIST_INIT;

    esk_status rc = stream_of(workshop_id, stream_id, sizeof(stream_id));
    if (rc == ESK_OK)
        rc = esk_store_read_stream(store, stream_id, 1, 0, &events);
    if (rc == ESK_OK) {
        /* The beginning of the stream recorded by then: stop at the first
         * later event, whatever times follow it. */
        size_t known = 0;
        while (known < events.count && events.events[known].recorded_at <= at)
            known++;
        rc = workshop_fold(out, events.events, known);
        if (rc == ESK_OK && out_version != NULL)
            *out_version = (int64_t)known;
    }
    esk_event_list_release(&events);
    return rc;
}

esk_status first_version_where(esk_store *store, const char *workshop_id,
                               state_question holds, int64_t *out_version)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    esk_event_list events = ESK_EVENT_LIST_INIT;

    esk_status rc = stream_of(workshop_id, stream_id, sizeof(stream_id));
    if (rc == ESK_OK)
        rc = esk_store_read_stream(store, stream_id, 1, 0, &events);
    if (rc == ESK_OK) {
        rc = ESK_ENOTFOUND;
        /* Refolding from the start at each version costs n * n / 2
         * decodes: nothing for a workshop's tens of events. A stream of
         * thousands would evolve one state event by event instead. */
        for (size_t version = 1; version <= events.count; version++) {
            workshop_state state;
            esk_status folded = workshop_fold(&state, events.events, version);
            if (folded != ESK_OK) {
                rc = folded;
                break;
            }
            if (holds(&state)) {
                *out_version = (int64_t)version;
                rc = ESK_OK;
                break;
            }
        }
        if (rc == ESK_ENOTFOUND)
            esk_error_set(rc, "the answer is no at every version of %s",
                          stream_id);
    }
    esk_event_list_release(&events);
    return rc;
}

bool seat_free_while_someone_waits(const workshop_state *state)
{
    return workshop_free_seats(state) > 0 && state->waitlist_count > 0;
}

/* One metadata key's value, or "-" when the event has none. */
static void metadata_value(const char *metadata, const char *key, char *buf,
                           size_t size)
{
    if (esk_metadata_get(metadata, key, buf, size) != ESK_OK)
        snprintf(buf, size, "-");
}

esk_status audit_trail_for(esk_store *store, const char *attendee_id, char *buf,
                           size_t size)
{
    /* Every workshop, in the order the store recorded them. */
    const esk_filter workshops = {"workshop", NULL, 0};
    esk_event_list events = ESK_EVENT_LIST_INIT;

    if (buf == NULL || size == 0)
        return esk_error_set(ESK_EINVAL, "audit_trail_for: no buffer");
    buf[0] = '\0';
    esk_status rc = esk_store_read_all(store, 0, 0, &workshops, &events);
    size_t used = 0;
    for (size_t i = 0; rc == ESK_OK && i < events.count; i++) {
        const esk_event *e = &events.events[i];
        char attendee[ESK_STREAM_ID_MAX + 1];
        /* Events that name nobody (WorkshopScheduled) have no
         * attendeeId: esk_metadata_get reads any JSON object. */
        if (esk_metadata_get(e->data, "attendeeId", attendee,
                             sizeof(attendee)) != ESK_OK ||
            strcmp(attendee, attendee_id) != 0)
            continue;

        char when[ESK_TIME_TEXT_SIZE];
        char user[ESK_STREAM_ID_MAX + 1];
        char command[ESK_STREAM_ID_MAX + 1];
        char request[ESK_STREAM_ID_MAX + 1];
        rc = esk_time_format(e->recorded_at, when);
        if (rc != ESK_OK)
            break;
        metadata_value(e->metadata, "user", user, sizeof(user));
        metadata_value(e->metadata, "causationId", command, sizeof(command));
        metadata_value(e->metadata, "correlationId", request, sizeof(request));
        int n = snprintf(buf + used, size - used,
                         "%s %s v%lld %s user=%s command=%s request=%s\n", when,
                         e->stream_id, (long long)e->version, e->type, user,
                         command, request);
        if (n < 0 || (size_t)n >= size - used) /* refused, not cut */
            rc = esk_error_set(ESK_EINVAL,
                               "the audit trail of '%s' does not fit in %zu "
                               "bytes",
                               attendee_id, size);
        else
            used += (size_t)n;
    }
    esk_event_list_release(&events);
    return rc;
}
