/*
 * events.c - how each event is written as JSON. Provided: exercise 01's
 * answer, with AttendeeRegistered at v3.
 *
 * A variant of ../domain/events.c, on purpose: exercise 13 is about a
 * schema that changed, and here AttendeeRegistered is at v3.
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

/* Version 3. Every field is required: a stored v1 or v2 reaches the codec
 * only through the upcasters, which give it the fields it lacked. */
static const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_registered, attendee_id, "attendeeId"),
    ESK_FIELD_STRING(attendee_registered, first_name, "firstName"),
    ESK_FIELD_STRING(attendee_registered, last_name, "lastName"),
    ESK_FIELD_STRING(attendee_registered, email, "email"),
    ESK_FIELD_STRING(attendee_registered, ticket, "ticket"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 3, attendee_registered_fields);

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
