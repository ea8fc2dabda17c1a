/*
 * payments.c - the payments process: an unpaid seat lapses when its
 * payment deadline has passed. YOU EDIT THIS FILE.
 *
 * processes.h says exactly what payments_react() and payments_tick()
 * must do. The tools:
 *   registration_of(event, &ref)                     (events.h)
 *   unpaid_track, unpaid_forget, unpaid_overdue      (unpaid.h)
 *   esk_process_store(pc), esk_process_send(pc, &command, key, NULL)
 *                                                    (esk/process.h)
 *   workshop_command_type(LAPSE_REGISTRATION)        (workshop.h)
 * A call that fails has said why in the last error: return its status.
 */
#include <stdio.h>
#include <string.h>

#include "exercise.h"
#include "processes.h"
#include "unpaid.h"
#include "workshop.h"

esk_status payments_react(void *ctx, esk_process_context *pc,
                          const esk_event *event)
{
    (void)ctx, (void)pc, (void)event;
    /* TODO: a seat given (AttendeeRegistered, WaitlistedAttendeePromoted):
     * unpaid_track() it, due event->recorded_at + PAYMENT_PERIOD. Paid,
     * cancelled or lapsed: unpaid_forget() it. */
    return EXERCISE_TODO("payments_react");
}

esk_status payments_tick(void *ctx, esk_process_context *pc, esk_time now)
{
    (void)ctx, (void)pc, (void)now;
    /* TODO: for each seat of unpaid_overdue(), send LapseRegistration with
     * the key "lapse/<seat_event_id>"; a refusal (ESK_EDOMAIN) does not
     * stop the others. */
    return EXERCISE_TODO("payments_tick");
}

/* The process, as its runner sees it. Provided. */
static const char *const payments_event_types[] = {
    "AttendeeRegistered",    "WaitlistedAttendeePromoted", "RegistrationPaid",
    "RegistrationCancelled", "RegistrationLapsed",
};

const esk_process payments_process = {
    .name = "payments",
    .event_types = payments_event_types,
    .event_type_count =
        sizeof(payments_event_types) / sizeof(payments_event_types[0]),
    .react = payments_react,
    .tick = payments_tick,
};
