/*
 * payments.c - the payments process: an unpaid seat lapses when its
 * payment deadline has passed.
 *
 * Time is an input like any other: nothing happens "at" the deadline
 * unless something looks at the clock. react() remembers each unpaid seat
 * and its deadline (unpaid.h); tick(), called with the store's clock's
 * now, sends LapseRegistration for the seats past due. The workshop
 * decides whether the seat is still there to lapse.
 */
#include <stdio.h>
#include <string.h>

#include "processes.h"
#include "unpaid.h"
#include "workshop.h"

/* Whether the event gives a seat, which then has to be paid for. */
static bool gives_a_seat(const esk_event *event)
{
    return strcmp(event->type, attendee_registered_type.name) == 0 ||
           strcmp(event->type, waitlisted_attendee_promoted_type.name) == 0;
}

esk_status payments_react(void *ctx, esk_process_context *pc,
                          const esk_event *event)
{
    (void)ctx;
    esk_store *store = esk_process_store(pc);
    registration_ref who;

    esk_status rc = registration_of(event, &who);
    if (rc == ESK_OK && gives_a_seat(event)) {
        /* The deadline counts from when the seat was given: the time the
         * store recorded the event, by its clock. */
        unpaid_seat seat = {.due = event->recorded_at + PAYMENT_PERIOD};
        copy_text(seat.workshop_id, sizeof(seat.workshop_id), who.workshop_id);
        copy_text(seat.attendee_id, sizeof(seat.attendee_id), who.attendee_id);
        copy_text(seat.seat_event_id, sizeof(seat.seat_event_id),
                  event->event_id);
        rc = unpaid_track(store, &seat);
    } else if (rc == ESK_OK) {
        /* Paid, cancelled or lapsed: nothing left to pay. */
        rc = unpaid_forget(store, who.workshop_id, who.attendee_id);
    }
    /* A failure of the codec or of the table has said why in the last
     * error: passed on, it stops the runner at this event, which quotes
     * it. ESK_OK over it would move the checkpoint past a seat never
     * tracked. */
    return rc;
}

esk_status payments_tick(void *ctx, esk_process_context *pc, esk_time now)
{
    (void)ctx;
    unpaid_seat overdue[UNPAID_BATCH];
    size_t count = 0;

    esk_status rc = unpaid_overdue(esk_process_store(pc), now, overdue,
                                   UNPAID_BATCH, &count);
    if (rc != ESK_OK)
        return rc;
    for (size_t i = 0; i < count; i++) {
        workshop_command lapse = {.kind = LAPSE_REGISTRATION};
        copy_text(lapse.workshop_id, sizeof(lapse.workshop_id),
                  overdue[i].workshop_id);
        copy_text(lapse.attendee_id, sizeof(lapse.attendee_id),
                  overdue[i].attendee_id);
        const esk_command command = {
            .type = workshop_command_type(LAPSE_REGISTRATION),
            .payload = &lapse,
        };
        /* The step is this seat's lapse: however often tick runs, the
         * same key, so the same command id, so once. */
        char key[sizeof("lapse/") + ESK_EVENT_ID_MAX];
        snprintf(key, sizeof(key), "lapse/%s", overdue[i].seat_event_id);
        rc = esk_process_send(pc, &command, key, NULL);
        /* A refusal is the workshop's answer (the seat was paid for or
         * given up meanwhile): the next seat is still due. */
        if (rc != ESK_OK && rc != ESK_EDOMAIN)
            return rc;
    }
    return ESK_OK;
}

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
