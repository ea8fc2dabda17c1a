/*
 * tests/process_manager_fixture.c - the workshop decider behind a bus with
 * the idempotency middleware, and a world to run a process manager in.
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

/* --- the workshop decider ------------------------------------------------ */

static size_t seat_of(const workshop_state *w, const char *attendee)
{
    for (size_t i = 0; i < w->count; i++)
        if (strcmp(w->attendees[i], attendee) == 0)
            return i;
    return SIZE_MAX;
}

static void workshop_evolve(void *state, const esk_event_type *type,
                            const void *event)
{
    workshop_state *w = state;
    if (type == &workshop_scheduled_type) {
        w->scheduled = true;
        w->capacity = ((const workshop_scheduled *)event)->capacity;
        return;
    }
    const attendee_event *e = event;
    size_t seat = seat_of(w, e->attendee);
    if (type == &attendee_registered_type && seat == SIZE_MAX &&
        w->count < SEATS_MAX)
        strcpy(w->attendees[w->count++], e->attendee);
    if (type == &attendee_cancelled_type && seat != SIZE_MAX)
        memcpy(w->attendees[seat], w->attendees[--w->count], 32);
}

static esk_status workshop_decide(const void *state, const void *command,
                                  esk_decision *decision)
{
    const workshop_state *w = state;
    const registration_command *c = command;
    attendee_event e = {{0}, {0}};
    strcpy(e.workshop_id, c->workshop_id);
    strcpy(e.attendee, c->attendee);
    bool registered = seat_of(w, c->attendee) != SIZE_MAX;
    if (!w->scheduled)
        return esk_decision_reject(decision, NOT_SCHEDULED,
                                   "workshop '%s' is not scheduled",
                                   c->workshop_id);
    if (c->action == CANCEL) {
        if (!registered)
            return esk_decision_reject(decision, NOT_REGISTERED,
                                       "'%s' is not registered", c->attendee);
        return esk_decision_emit(decision, &attendee_cancelled_type, &e);
    }
    if (registered)
        return ESK_OK;
    if ((int64_t)w->count >= w->capacity)
        return esk_decision_reject(decision, FULL, "workshop '%s' is full",
                                   c->workshop_id);
    return esk_decision_emit(decision, &attendee_registered_type, &e);
}

static const esk_event_type *const workshop_events[] = {
    &workshop_scheduled_type, &attendee_registered_type,
    &attendee_cancelled_type};

static const esk_decider workshop_decider = {
    .name = "Workshop",
    .category = "workshop",
    .state_size = sizeof(workshop_state),
    .event_types = workshop_events,
    .event_type_count = 3,
    .evolve = workshop_evolve,
    .decide = workshop_decide,
};

static esk_status handle_registration(esk_context *context,
                                      const esk_command *command, void *data)
{
    (void)data;
    const registration_command *c = command->payload;
    return esk_context_handle(context, &workshop_decider, c->workshop_id, c);
}

void open_world(world *w, void **state, const esk_process *process)
{
    fixture_open(&w->f, *state);
    w->bus = NULL;
    w->runner = NULL;
    assert_int_equal(esk_bus_new(&w->bus, w->f.store), ESK_OK);
    const esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_use(w->bus, &idempotency), ESK_OK);
    assert_int_equal(
        esk_bus_register(w->bus, "RegisterAttendee", handle_registration, NULL),
        ESK_OK);
    assert_int_equal(esk_bus_register(w->bus, "CancelRegistration",
                                      handle_registration, NULL),
                     ESK_OK);
    if (esk_process_runner_new(&w->runner, w->f.store, w->bus, process) !=
        ESK_OK)
        fail_msg("esk_process_runner_new: %s", esk_errmsg());
}

void close_world(world *w)
{
    esk_process_runner_free(w->runner);
    esk_bus_free(w->bus);
    fixture_close(&w->f);
}

size_t run_ok(world *w)
{
    size_t reacted = 0;
    if (esk_process_run(w->runner, &reacted) != ESK_OK)
        fail_msg("esk_process_run: %s", esk_errmsg());
    return reacted;
}

/* A workshop's story: "+ada +bob -ada". */
void assert_story(world *w, const char *workshop_id, const char *expected)
{
    char stream[64];
    char story[TEXT_MAX] = "";
    esk_event_list list = ESK_EVENT_LIST_INIT;
    snprintf(stream, sizeof(stream), "workshop-%s", workshop_id);
    assert_int_equal(esk_store_read_stream(w->f.store, stream, 1, 0, &list),
                     ESK_OK);
    for (size_t i = 0; i < list.count; i++) {
        attendee_event e;
        bool in = strcmp(list.events[i].type, "AttendeeRegistered") == 0;
        if (!in && strcmp(list.events[i].type, "AttendeeCancelled") != 0)
            continue;
        assert_int_equal(esk_codec_decode(&attendee_registered_type,
                                          list.events[i].data, &e),
                         ESK_OK);
        size_t used = strlen(story);
        snprintf(story + used, sizeof(story) - used, "%s%c%s",
                 used > 0 ? " " : "", in ? '+' : '-', e.attendee);
    }
    esk_event_list_release(&list);
    if (strcmp(story, expected) != 0)
        fail_msg("workshop %s: \"%s\", expected \"%s\"", workshop_id, story,
                 expected);
}

/* The event at a position, copied into the caller's list. */
const esk_event *event_at(world *w, int64_t position, esk_event_list *list)
{
    assert_int_equal(
        esk_store_read_all(w->f.store, position - 1, 1, NULL, list), ESK_OK);
    assert_int_equal(list->count, 1);
    return &list->events[0];
}

void register_with_metadata(world *w, const char *workshop_id,
                            const char *attendee, const char *metadata)
{
    attendee_event e = {{0}, {0}};
    strcpy(e.workshop_id, workshop_id);
    strcpy(e.attendee, attendee);
    append_typed(&w->f, workshop_id, &attendee_registered_type, &e, metadata);
}
