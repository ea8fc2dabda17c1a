/*
 * events.c - how each event is written as JSON. Provided: exercise 01's
 * answer, and the two events of payments.
 *
 * A variant of ../domain/events.c, on purpose: exercise 11 adds payments
 * (RegistrationPaid, RegistrationLapsed, the commands and the state that
 * lead to them), which the exercises before it must not see.
 *
 * One table per event: the JSON key of each field, its kind, and where it
 * is in the struct. esk encodes and decodes events from these tables, and
 * checks every field on the way in.
 */
#include "events.h"

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, workshop_id, "workshopId"),
    ESK_FIELD_STRING(workshop_scheduled, title, "title"),
    ESK_FIELD_STRING(workshop_scheduled, starts_on, "startsOn"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
const esk_event_type workshop_scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);

static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_registered, attendee_id, "attendeeId"),
    ESK_FIELD_STRING(attendee_registered, name, "name"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 1, attendee_registered_fields);

static const esk_field attendee_waitlisted_fields[] = {
    ESK_FIELD_STRING(attendee_waitlisted, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_waitlisted, attendee_id, "attendeeId"),
    ESK_FIELD_STRING(attendee_waitlisted, name, "name"),
};
const esk_event_type attendee_waitlisted_type = ESK_EVENT_TYPE(
    attendee_waitlisted, "AttendeeWaitlisted", 1, attendee_waitlisted_fields);

static const esk_field registration_cancelled_fields[] = {
    ESK_FIELD_STRING(registration_cancelled, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_cancelled, attendee_id, "attendeeId"),
    ESK_FIELD_BOOL(registration_cancelled, was_waitlisted, "wasWaitlisted"),
};
const esk_event_type registration_cancelled_type =
    ESK_EVENT_TYPE(registration_cancelled, "RegistrationCancelled", 1,
                   registration_cancelled_fields);

static const esk_field waitlisted_attendee_promoted_fields[] = {
    ESK_FIELD_STRING(waitlisted_attendee_promoted, workshop_id, "workshopId"),
    ESK_FIELD_STRING(waitlisted_attendee_promoted, attendee_id, "attendeeId"),
};
const esk_event_type waitlisted_attendee_promoted_type =
    ESK_EVENT_TYPE(waitlisted_attendee_promoted, "WaitlistedAttendeePromoted",
                   1, waitlisted_attendee_promoted_fields);

static const esk_field registration_closed_fields[] = {
    ESK_FIELD_STRING(registration_closed, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_closed, reason, "reason"),
};
const esk_event_type registration_closed_type = ESK_EVENT_TYPE(
    registration_closed, "RegistrationClosed", 1, registration_closed_fields);

static const esk_field registration_paid_fields[] = {
    ESK_FIELD_STRING(registration_paid, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_paid, attendee_id, "attendeeId"),
};
const esk_event_type registration_paid_type = ESK_EVENT_TYPE(
    registration_paid, "RegistrationPaid", 1, registration_paid_fields);

static const esk_field registration_lapsed_fields[] = {
    ESK_FIELD_STRING(registration_lapsed, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_lapsed, attendee_id, "attendeeId"),
};
const esk_event_type registration_lapsed_type = ESK_EVENT_TYPE(
    registration_lapsed, "RegistrationLapsed", 1, registration_lapsed_fields);

/* Not an event type of the stream: a view of any of them, for readers. */
static const esk_field registration_ref_fields[] = {
    ESK_FIELD_STRING(registration_ref, workshop_id, "workshopId"),
    ESK_FIELD_STRING(registration_ref, attendee_id, "attendeeId"),
};
static const esk_event_type registration_ref_type = ESK_EVENT_TYPE(
    registration_ref, "a registration event", 1, registration_ref_fields);

esk_status registration_of(const esk_event *event, registration_ref *out)
{
    if (event == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL,
                             "registration_of: the event or out is NULL");
    /* esk_codec_decode, not _decode_event: the type's name is not the
     * event's, and need not be. */
    return esk_codec_decode(&registration_ref_type, event->data, out);
}
