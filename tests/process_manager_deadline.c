/*
 * tests/process_manager_deadline.c - time-based steps: tick sends a
 * deadline's command once, needs a key, and may be absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "esk/command_bus.h"
#include "esk/decider.h"
#include "esk/process.h"
#include "process_manager_fixture.h"
#include "registration_fixture.h"

/* --- deadline: time-based steps ------------------------------------------ */

typedef struct deadline {
    /* Registrations seen, and when each lapses. */
    attendee_event pending[SEATS_MAX];
    esk_time due[SEATS_MAX];
    size_t count;
    /* Only for the tests: send without a key. */
    bool forget_key;
    int sent;
    int duplicates;
} deadline;

static esk_status deadline_react(void *ctx, esk_process_context *pc,
                                 const esk_event *event)
{
    deadline *d = ctx;
    (void)pc;
    assert_true(d->count < SEATS_MAX);
    esk_status rc = esk_codec_decode_event(&attendee_registered_type, event,
                                           &d->pending[d->count]);
    if (rc == ESK_OK)
        d->due[d->count++] = event->recorded_at + ONE_HOUR;
    return rc;
}

static esk_status deadline_tick(void *ctx, esk_process_context *pc,
                                esk_time now)
{
    deadline *d = ctx;
    for (size_t i = 0; i < d->count; i++) {
        if (d->due[i] > now)
            continue;
        registration_command c = {CANCEL, {0}, {0}};
        strcpy(c.workshop_id, d->pending[i].workshop_id);
        strcpy(c.attendee, d->pending[i].attendee);
        const esk_command command = {"CancelRegistration", NULL, NULL, &c,
                                     NULL};
        char key[80];
        snprintf(key, sizeof(key), "lapse/%s/%s", c.workshop_id, c.attendee);
        esk_command_result result;
        esk_status rc =
            esk_process_send(pc, &command, d->forget_key ? NULL : key, &result);
        if (rc != ESK_OK && rc != ESK_EDOMAIN)
            return rc;
        d->sent++;
        d->duplicates += result.duplicate;
    }
    return ESK_OK;
}

static const char *const deadline_types[] = {"AttendeeRegistered"};

void a_deadline_command_is_sent_once_however_often_tick_runs(void **state)
{
    deadline d = {.count = 0};
    const esk_process p = {"deadline",     deadline_types, 1,
                           deadline_react, deadline_tick,  &d};
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    register_attendee(&w.f, "w-1", "ada");
    run_ok(&w);

    w.f.now += ONE_HOUR / 2;
    assert_int_equal(esk_process_tick(w.runner), ESK_OK);
    assert_int_equal(d.sent, 0);
    assert_story(&w, "w-1", "+ada");

    w.f.now += ONE_HOUR;
    assert_int_equal(esk_process_tick(w.runner), ESK_OK);
    assert_story(&w, "w-1", "+ada -ada");
    int64_t head = head_of(&w.f);
    assert_int_equal(esk_process_tick(w.runner), ESK_OK);
    assert_int_equal(d.sent, 2);
    assert_int_equal(d.duplicates, 1);
    assert_int_equal(head_of(&w.f), head);
    assert_story(&w, "w-1", "+ada -ada");
    close_world(&w);
}

void a_command_from_tick_needs_a_key(void **state)
{
    deadline d = {.forget_key = true};
    const esk_process p = {"deadline",     deadline_types, 1,
                           deadline_react, deadline_tick,  &d};
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    register_attendee(&w.f, "w-1", "ada");
    run_ok(&w);
    w.f.now += 2 * ONE_HOUR;

    assert_int_equal(esk_process_tick(w.runner), ESK_ECALLBACK);
    const char *msg = esk_errmsg();
    assert_contains(msg, "process 'deadline': tick at 2026-11-27T11:00:00");
    assert_contains(msg, "needs a key");
    assert_story(&w, "w-1", "+ada");
    close_world(&w);
}

void a_process_without_tick_ticks_quietly(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    assert_int_equal(esk_process_tick(w.runner), ESK_OK);
    assert_int_equal(head_of(&w.f), 0);
    close_world(&w);
}
