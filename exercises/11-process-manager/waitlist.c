/*
 * waitlist.c - the waitlist process: a freed seat goes to whoever has
 * waited longest. YOU EDIT THIS FILE.
 *
 * processes.h says exactly what waitlist_react() must do. The tools:
 *   esk_codec_decode_event(&registration_cancelled_type, event, &e)
 *                                                  (esk/codec.h)
 *   registration_of(event, &ref)                   (events.h)
 *   workshop_command_type(PROMOTE_FROM_WAITLIST)   (workshop.h)
 *   send_with_retry(pc, &command, PROMOTE_KEY)     (failures.c)
 *   park_or_fail(pc, "waitlist", event, rc)        (failures.c)
 * A call that fails has said why in the last error: pass its status on.
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
     * PromoteFromWaitlist for the event's workshop with send_with_retry(),
     * and return what park_or_fail() makes of the outcome. */
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
