/*
 * waitlist.c - the waitlist process: a freed seat goes to whoever has
 * waited longest.
 *
 * The rule spans two moments (a seat is freed; then someone gets it) and
 * is written as a reaction: the cancellation is recorded on its own, and
 * the promotion is another command, sent when this process sees the
 * event. The workshop decides who is next and whether there is a seat;
 * the process only says "now".
 */
#include <string.h>

#include "processes.h"
#include "workshop.h"

/* The reaction itself: what the event asks for, sent. */
static esk_status promote_for(esk_process_context *pc, const esk_event *event)
{
    registration_ref freed;

    if (strcmp(event->type, registration_cancelled_type.name) == 0) {
        registration_cancelled e;
        esk_status rc =
            esk_codec_decode_event(&registration_cancelled_type, event, &e);
        if (rc != ESK_OK)
            return rc; /* the codec has said which field, and why */
        if (e.was_waitlisted)
            return ESK_OK; /* a place in line, not a seat */
    }
    esk_status rc = registration_of(event, &freed);
    if (rc != ESK_OK)
        return rc;

    workshop_command promote = {.kind = PROMOTE_FROM_WAITLIST};
    copy_text(promote.workshop_id, sizeof(promote.workshop_id),
              freed.workshop_id);
    const esk_command command = {
        .type = workshop_command_type(PROMOTE_FROM_WAITLIST),
        .payload = &promote,
    };
    /* NOBODY_WAITING comes back as ESK_EDOMAIN: an answer, and the runner
     * counts it as done. */
    return send_with_retry(pc, &command, PROMOTE_KEY);
}

esk_status waitlist_react(void *ctx, esk_process_context *pc,
                          const esk_event *event)
{
    (void)ctx;
    /* An event that cannot be decoded, or a command rejected as
     * malformed, is parked; a service out of reach stops the process
     * here until it is back. */
    return park_or_fail(pc, "waitlist", event, promote_for(pc, event));
}

static const char *const waitlist_event_types[] = {
    "RegistrationCancelled",
    "RegistrationLapsed",
};

const esk_process waitlist_process = {
    .name = "waitlist",
    .event_types = waitlist_event_types,
    .event_type_count =
        sizeof(waitlist_event_types) / sizeof(waitlist_event_types[0]),
    .react = waitlist_react,
};
