/*
 * support.c - the summary's events, the streams' names, and the fold of
 * the domain's events. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>

#include "books.h"

static const esk_field attendee_id = ESK_ELEMENT_STRING(char[ID_SIZE]);

static const esk_field summary_fields[] = {
    ESK_FIELD_STRING(period_summary, workshop_id, "workshopId"),
    ESK_FIELD_INT64(period_summary, period, "period"),
    ESK_FIELD_BOOL(period_summary, open, "open"),
    ESK_FIELD_INT64(period_summary, capacity, "capacity"),
    ESK_FIELD_ARRAY(period_summary, seated, seated_count, "seated",
                    &attendee_id),
    ESK_FIELD_ARRAY(period_summary, waitlist, waitlist_count, "waitlist",
                    &attendee_id),
};
const esk_event_type period_closed_type =
    ESK_EVENT_TYPE(period_summary, "WorkshopPeriodClosed", 1, summary_fields);
const esk_event_type period_opened_type =
    ESK_EVENT_TYPE(period_summary, "WorkshopPeriodOpened", 1, summary_fields);

const char *books_error_name(int code)
{
    switch (code) {
    case BOOKS_PERIOD_NOT_CLOSED:
        return "BOOKS_PERIOD_NOT_CLOSED";
    case BOOKS_NO_SUMMARY:
        return "BOOKS_NO_SUMMARY";
    default:
        return NULL;
    }
}

void books_stream_id(const char *workshop_id, int64_t period, char *buf)
{
    snprintf(buf, BOOKS_STREAM_SIZE, "workshop-%s.p%lld", workshop_id,
             (long long)period);
}

esk_status books_evolve_recorded(workshop_state *state, const esk_event *e)
{
    for (size_t i = 0; i < WORKSHOP_EVENT_TYPE_COUNT; i++) {
        const esk_event_type *type = workshop_event_types[i];
        if (strcmp(e->type, type->name) != 0)
            continue;
        /* The largest of the six events fits. */
        union {
            workshop_scheduled s;
            attendee_registered r;
            attendee_waitlisted w;
            registration_cancelled c;
            waitlisted_attendee_promoted p;
            registration_closed x;
        } event;
        esk_status rc = esk_codec_decode_event(type, e, &event);
        if (rc == ESK_OK)
            workshop_evolve(state, type, &event);
        return rc;
    }
    return esk_error_set(ESK_EDECODE,
                         "event %lld of stream '%s' has type '%s', which is "
                         "none of the workshop's six",
                         (long long)e->version, e->stream_id, e->type);
}
