/*
 * fresh.c - a command that says where its event went, and a query that
 * waits for it, for a while.
 * YOU EDIT THIS FILE.
 *
 * fresh.h says exactly what each function must do; write them in this
 * order. The tools:
 *   app_registered_event, app_status, app_read_registrations,
 *   app_log_registrations                                   (fresh.h)
 *   esk_store_append, esk_append_result                   (esk/store.h)
 *   clock->now(clock->context), clock->sleep(clock->context, ms)
 *   esk_error_set                                          (esk/error.h)
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>

#include "exercise.h"
#include "fresh.h"

esk_status register_attendee(reg_app *app, const char *attendee_id,
                             const char *workshop_id, int64_t *position)
{
    (void)app, (void)attendee_id, (void)workshop_id, (void)position;
    /* TODO: app_registered_event(); esk_store_append() it to app->store
     * with an esk_append_result; hand back the position the store gave
     * the event. */
    return EXERCISE_TODO("register_attendee");
}

esk_status wait_for_position(reg_app *app, const wait_clock *clock,
                             int64_t position, int64_t timeout_ms,
                             freshness *out)
{
    (void)app, (void)clock, (void)position, (void)timeout_ms, (void)out;
    /* TODO: app_status(); position past the head: ESK_EINVAL. Loop:
     * checkpoint >= position: fresh. Deadline reached: stale. Else sleep
     * POLL_INTERVAL_MS, never past the deadline. */
    return EXERCISE_TODO("wait_for_position");
}

esk_status my_registrations(reg_app *app, const wait_clock *clock,
                            const char *attendee_id, int64_t position,
                            bool own_stream_when_stale, my_view *out)
{
    (void)app, (void)clock, (void)attendee_id, (void)position,
        (void)own_stream_when_stale, (void)out;
    /* TODO: wait_for_position(); read the read model, or the write model
     * when stale and own_stream_when_stale; set just_now. */
    return EXERCISE_TODO("my_registrations");
}

void format_my_registrations(const char *attendee_id, const my_view *view,
                             char *out, size_t size)
{
    (void)attendee_id, (void)view;
    /* TODO: "bob: w-1 (just now), w-2", "bob: none yet", and when stale
     * " (updating: N registration(s) not shown yet)". */
    if (out && size)
        snprintf(out, size, "%s", "TODO");
    (void)EXERCISE_TODO("format_my_registrations");
}
