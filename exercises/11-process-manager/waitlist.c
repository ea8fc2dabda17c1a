/*
 * waitlist.c - the waitlist process: a freed seat goes to whoever has
 * waited longest. YOU EDIT THIS FILE.
 *
 * processes.h says exactly what waitlist_react() must do. The tools:
 *   esk_codec_decode_event(&registration_cancelled_type, event, &e)
 *                                                  (esk/codec.h)
 *   registration_of(event, &ref)                   (events.h)
 *   workshop_command_type(PROMOTE_FROM_WAITLIST)   (workshop.h)
 *   esk_process_send(pc, &command, NULL, NULL)     (esk/process.h)
 * A call that fails has said why in the last error: return its status.
 */
#include <string.h>

#include "exercise.h"
#include "processes.h"
#include "workshop.h"

esk_status waitlist_react(void *ctx, esk_process_context *pc,
                          const esk_event *event)
{
    (void)ctx, (void)pc, (void)event;
    /* TODO: a cancellation with wasWaitlisted: nothing to do. Else send
     * PromoteFromWaitlist for the event's workshop, and return what
     * esk_process_send() returns. */
    return EXERCISE_TODO("waitlist_react");
}

/* The process, as its runner sees it. Provided. */
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
