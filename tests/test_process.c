/*
 * tests/test_process.c - process managers, on both stores.
 *
 * The domain: workshops as a decider (register, cancel), behind a bus
 * with the idempotency middleware. Two process managers:
 *   follow-up  whoever registers for w-1 gets a seat in the lab w-2;
 *   deadline   a registration still unpaid an hour later lapses
 *              (tick() cancels it).
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
#include "registration_fixture.h"

enum { TEXT_MAX = 512, SEATS_MAX = 8 };

/* --- the workshop decider ------------------------------------------------ */

typedef struct workshop_state {
    bool scheduled;
    int64_t capacity;
    char attendees[SEATS_MAX][32];
    size_t count;
} workshop_state;

typedef enum { REGISTER, CANCEL } registration_action;

typedef struct registration_command {
    registration_action action;
    char workshop_id[32];
    char attendee[32];
} registration_command;

enum { NOT_SCHEDULED = 1, FULL = 2, NOT_REGISTERED = 3 };

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

/* A store, and a bus over it that remembers command outcomes. */
typedef struct world {
    fixture f;
    esk_bus *bus;
    esk_process_runner *runner;
} world;

static void open_world(world *w, void **state, const esk_process *process)
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

static void close_world(world *w)
{
    esk_process_runner_free(w->runner);
    esk_bus_free(w->bus);
    fixture_close(&w->f);
}

static size_t run_ok(world *w)
{
    size_t reacted = 0;
    if (esk_process_run(w->runner, &reacted) != ESK_OK)
        fail_msg("esk_process_run: %s", esk_errmsg());
    return reacted;
}

/* A workshop's story: "+ada +bob -ada". */
static void assert_story(world *w, const char *workshop_id,
                         const char *expected)
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
static const esk_event *event_at(world *w, int64_t position,
                                 esk_event_list *list)
{
    assert_int_equal(
        esk_store_read_all(w->f.store, position - 1, 1, NULL, list), ESK_OK);
    assert_int_equal(list->count, 1);
    return &list->events[0];
}

static void register_with_metadata(world *w, const char *workshop_id,
                                   const char *attendee, const char *metadata)
{
    attendee_event e = {{0}, {0}};
    strcpy(e.workshop_id, workshop_id);
    strcpy(e.attendee, attendee);
    append_typed(&w->f, workshop_id, &attendee_registered_type, &e, metadata);
}

/* --- follow-up: events in, commands out ---------------------------------- */

typedef struct follow_up {
    /* react fails, after sending, on this attendee ("" for never). */
    char fail_on[32];
    int reactions;
    esk_command_result last;
    /* The last send's status, and a refusal's code. */
    esk_status last_status;
    int last_code;
} follow_up;

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

static esk_process follow_up_process(follow_up *fu)
{
    return (esk_process){"follow-up", follow_up_types, 1, follow_up_react, NULL,
                         fu};
}

static void react_sends_commands_with_derived_ids_and_correlation(void **state)
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

static void events_written_by_its_commands_are_for_the_next_run(void **state)
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

static void a_redelivered_event_writes_nothing_twice(void **state)
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

static void a_domain_refusal_is_not_a_failure(void **state)
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

static void
a_react_failure_undoes_its_commands_and_keeps_the_checkpoint(void **state)
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

static void
a_deadline_command_is_sent_once_however_often_tick_runs(void **state)
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

static void a_command_from_tick_needs_a_key(void **state)
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

static void a_process_without_tick_ticks_quietly(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    assert_int_equal(esk_process_tick(w.runner), ESK_OK);
    assert_int_equal(head_of(&w.f), 0);
    close_world(&w);
}

static void a_badly_named_process_is_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    esk_process_runner *runner = NULL;
    p.name = "follow/up";
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, w.bus, &p),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "without '/'");
    p.name = "follow-up";
    p.react = NULL;
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, w.bus, &p),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "no react function");
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, NULL, &p),
                     ESK_EINVAL);
    assert_null(runner);
    assert_int_equal(esk_process_run(NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_process_tick(NULL), ESK_EINVAL);
    assert_int_equal(esk_process_send(NULL, NULL, NULL, NULL), ESK_EINVAL);
    assert_null(esk_process_store(NULL));
    esk_process_runner_free(NULL);
    close_world(&w);
}

/* The longest name, the longest event id and a correlation id from another
 * system: the derived ids stay within the bus's limits, so the process
 * never stalls on an event it can do nothing about, and they are the same
 * when the event comes again. */
static void long_ids_are_digested_not_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    char name[65];
    memset(name, 'p', 64);
    name[64] = '\0';
    p.name = name;
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    char event_id[65];
    memset(event_id, 'e', 64);
    event_id[64] = '\0';
    char metadata[300];
    char correlation[201];
    memset(correlation, 'c', 200);
    correlation[200] = '\0';
    snprintf(metadata, sizeof(metadata), "{\"correlationId\":\"%s\"}",
             correlation);
    const esk_new_event registered = {
        event_id, "AttendeeRegistered", 1,
        "{\"workshopId\":\"w-1\",\"attendee\":\"ada\"}", metadata};
    assert_int_equal(esk_store_append(w.f.store, "workshop-w-1", ESK_ANY,
                                      &registered, 1, NULL),
                     ESK_OK);

    assert_int_equal(run_ok(&w), 1);
    assert_story(&w, "w-2", "+ada");
    esk_event_list effect = ESK_EVENT_LIST_INIT;
    const esk_event *seat = event_at(&w, 4, &effect);
    char causation[256];
    char correlated[256];
    assert_int_equal(esk_metadata_get(seat->metadata, "causationId", causation,
                                      sizeof(causation)),
                     ESK_OK);
    assert_int_equal(esk_metadata_get(seat->metadata, "correlationId",
                                      correlated, sizeof(correlated)),
                     ESK_OK);
    assert_true(strlen(causation) <= ESK_COMMAND_ID_MAX);
    assert_true(strncmp(causation, name, 64) == 0);
    assert_true(strlen(correlated) <= ESK_COMMAND_ID_MAX);
    assert_int_equal(correlated[0], '#');

    /* Delivered again (a checkpoint lost): the same ids, so the
     * idempotency middleware answers from the first outcome. */
    char key[80];
    snprintf(key, sizeof(key), "process:%s", name);
    set_checkpoint(&w.f, key, 0, 1);
    assert_int_equal(run_ok(&w), 2); /* ada's registration and lab seat */
    assert_true(fu.last.duplicate);
    assert_story(&w, "w-2", "+ada");
    esk_event_list_release(&effect);
    close_world(&w);
}

/* Two handles on one SQLite file are two connections: a runner holding
 * the write lock on one would wait for a bus writing through the other
 * until the busy timeout. On any store the commands would land apart from
 * the events the runner follows. */
static void a_bus_over_another_store_handle_is_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    fixture other;
    fixture_open(&other, *state);
    esk_bus *other_bus = NULL;
    assert_int_equal(esk_bus_new(&other_bus, other.store), ESK_OK);

    esk_process_runner *runner = NULL;
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, other_bus, &p),
                     ESK_EINVAL);
    assert_null(runner);
    assert_contains(esk_errmsg(),
                    "the bus and the runner must share one store handle");

    esk_bus_free(other_bus);
    fixture_close(&other);
    close_world(&w);
}

#define ON_BOTH_STORES(b)                                                      \
    cmocka_unit_test_prestate(                                                 \
        react_sends_commands_with_derived_ids_and_correlation, (b)),           \
        cmocka_unit_test_prestate(                                             \
            events_written_by_its_commands_are_for_the_next_run, (b)),         \
        cmocka_unit_test_prestate(a_redelivered_event_writes_nothing_twice,    \
                                  (b)),                                        \
        cmocka_unit_test_prestate(a_domain_refusal_is_not_a_failure, (b)),     \
        cmocka_unit_test_prestate(                                             \
            a_react_failure_undoes_its_commands_and_keeps_the_checkpoint,      \
            (b)),                                                              \
        cmocka_unit_test_prestate(                                             \
            a_deadline_command_is_sent_once_however_often_tick_runs, (b)),     \
        cmocka_unit_test_prestate(a_command_from_tick_needs_a_key, (b)),       \
        cmocka_unit_test_prestate(a_process_without_tick_ticks_quietly, (b)),  \
        cmocka_unit_test_prestate(a_badly_named_process_is_refused, (b)),      \
        cmocka_unit_test_prestate(long_ids_are_digested_not_refused, (b)),     \
        cmocka_unit_test_prestate(a_bus_over_another_store_handle_is_refused,  \
                                  (b))

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest on_memory[] = {
        ON_BOTH_STORES((void *)&memory_backend),
    };
    const struct CMUnitTest on_sqlite[] = {
        ON_BOTH_STORES((void *)&sqlite_backend),
    };
    int failed = cmocka_run_group_tests_name(
        "process managers on the memory store", on_memory, NULL, NULL);
    failed += cmocka_run_group_tests_name(
        "process managers on the SQLite store", on_sqlite, NULL, NULL);
    return failed;
}
