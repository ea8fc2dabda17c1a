/*
 * tests/process_manager_follow_up.c - events in, commands out: ids and
 * correlation, redelivery, refusals and failures of react.
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

/* --- follow-up: events in, commands out ---------------------------------- */

static esk_status follow_up_react(void *ctx, esk_process_context *pc,
                                  const esk_event *event)
{
    follow_up *fu = ctx;
    attendee_event e;
    fu->reactions++;
    esk_status rc =
        esk_codec_decode_event(&attendee_registered_type, event, &e);
    if (rc != ESK_OK || strcmp(e.workshop_id, "w-1") != 0)
        return rc;
    registration_command c = {REGISTER, "w-2", {0}};
    strcpy(c.attendee, e.attendee);
    const esk_command command = {"RegisterAttendee", NULL, NULL, &c, NULL};
    rc = esk_process_send(pc, &command, NULL, &fu->last);
    fu->last_status = rc;
    fu->last_code = rc == ESK_EDOMAIN ? esk_error_last()->code : 0;
    if (strcmp(e.attendee, fu->fail_on) == 0)
        return esk_process_fail(pc, ESK_EIO,
                                "the lab's booking desk for %s "
                                "is offline",
                                e.attendee);
    /* A refusal (ESK_EDOMAIN) is passed on: it is an answer too. */
    return rc;
}

static const char *const follow_up_types[] = {"AttendeeRegistered"};

esk_process follow_up_process(follow_up *fu)
{
    return (esk_process){"follow-up", follow_up_types, 1, follow_up_react, NULL,
                         fu};
}

void react_sends_commands_with_derived_ids_and_correlation(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    register_with_metadata(&w, "w-1", "ada", "{\"correlationId\":\"req-7\"}");
    register_attendee(&w.f, "w-1", "bob");

    assert_int_equal(run_ok(&w), 2);
    assert_story(&w, "w-2", "+ada +bob");
    assert_int_equal(checkpoint_of(&w.f, "process:follow-up"), 4);

    esk_event_list cause = ESK_EVENT_LIST_INIT;
    esk_event_list effect = ESK_EVENT_LIST_INIT;
    char expected_id[128];
    char value[128];
    /* ada's seat in the lab: correlated with her request, caused by the
     * command whose id names her registration. */
    const esk_event *registered = event_at(&w, 3, &cause);
    snprintf(expected_id, sizeof(expected_id), "follow-up/%s/1",
             registered->event_id);
    const esk_event *seat = event_at(&w, 5, &effect);
    assert_int_equal(
        esk_metadata_get(seat->metadata, "correlationId", value, 128), ESK_OK);
    assert_string_equal(value, "req-7");
    assert_int_equal(
        esk_metadata_get(seat->metadata, "causationId", value, 128), ESK_OK);
    assert_string_equal(value, expected_id);
    /* bob's request had no correlation id: his event's id starts one. */
    registered = event_at(&w, 4, &cause);
    seat = event_at(&w, 6, &effect);
    assert_int_equal(
        esk_metadata_get(seat->metadata, "correlationId", value, 128), ESK_OK);
    assert_string_equal(value, registered->event_id);
    esk_event_list_release(&cause);
    esk_event_list_release(&effect);
    close_world(&w);
}

void events_written_by_its_commands_are_for_the_next_run(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    register_attendee(&w.f, "w-1", "ada");
    assert_int_equal(run_ok(&w), 1);
    /* ada's lab seat is an AttendeeRegistered too, seen now. */
    assert_int_equal(run_ok(&w), 1);
    assert_int_equal(run_ok(&w), 0);
    assert_story(&w, "w-2", "+ada");
    close_world(&w);
}

void a_redelivered_event_writes_nothing_twice(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    register_attendee(&w.f, "w-1", "ada");
    assert_int_equal(run_ok(&w), 1);
    assert_false(fu.last.duplicate);
    int64_t head = head_of(&w.f);

    /* The checkpoint is lost: ada's registration comes again (with her
     * lab seat, which sends nothing), the same command id is sent, and
     * the bus answers from its record. */
    set_checkpoint(&w.f, "process:follow-up", 0, 1);
    assert_int_equal(run_ok(&w), 2);
    assert_true(fu.last.duplicate);
    assert_int_equal(head_of(&w.f), head);
    assert_story(&w, "w-2", "+ada");
    close_world(&w);
}

void a_domain_refusal_is_not_a_failure(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 1);
    register_attendee(&w.f, "w-1", "ada");
    register_attendee(&w.f, "w-1", "bob");

    assert_int_equal(run_ok(&w), 2);
    assert_int_equal(fu.last_status, ESK_EDOMAIN);
    assert_int_equal(fu.last_code, FULL);
    assert_story(&w, "w-2", "+ada");
    assert_int_equal(checkpoint_of(&w.f, "process:follow-up"), 4);
    assert_string_equal(esk_errmsg(), "");
    close_world(&w);
}

void a_react_failure_undoes_its_commands_and_keeps_the_checkpoint(void **state)
{
    follow_up fu = {"mallory", 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    register_attendee(&w.f, "w-1", "ada");
    register_attendee(&w.f, "w-1", "mallory");
    register_attendee(&w.f, "w-1", "bob");

    size_t reacted = 99;
    assert_int_equal(esk_process_run(w.runner, &reacted), ESK_ECALLBACK);
    /* A copy: the store calls below replace the last error. */
    esk_error failure = *esk_error_last();
    const char *msg = failure.message;
    assert_int_equal(reacted, 1);
    assert_int_equal(checkpoint_of(&w.f, "process:follow-up"), 3);
    assert_contains(msg, "process 'follow-up' stopped at the event at "
                         "position 4 (stream 'workshop-w-1', version 3, "
                         "AttendeeRegistered)");
    assert_contains(msg, "the lab's booking desk for mallory is offline");
    /* mallory's lab seat was sent, then undone with the reaction. */
    assert_story(&w, "w-2", "+ada");

    /* Fixed: it resumes at mallory, and her command is not a duplicate. */
    fu.fail_on[0] = '\0';
    run_ok(&w);
    assert_story(&w, "w-2", "+ada +mallory +bob");
    close_world(&w);
}
