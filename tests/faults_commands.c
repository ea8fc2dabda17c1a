/*
 * tests/faults_commands.c - the out-of-memory sweep's scenarios
 * of the write side: repositories, deciders, the command bus and
 * process managers, which send commands.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* -- the repository -- */

static esk_status repository_new(fx *f)
{
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    options.snapshot_every = 2;
    options.upcasters = f->upcasters;
    return esk_repository_new(&f->repo, f->store, &room_type, &options);
}

static void observe_repository(fx *f, bool done, text *t)
{
    if (!done)
        assert_null(f->repo);
    else
        add(t, "%s", esk_errmsg());
}

/* An old stream (GuestBooked v1, upcast as it is read), no snapshot. */
static void with_an_old_room_and_repository(fx *f)
{
    open_store(f);
    seed_room(f, true);
    with_upcasters(f);
    assert_int_equal(repository_new(f), ESK_OK);
}

/* Saved through the repository: a snapshot at version 2, then one more
 * event, so that a load starts from the snapshot. */
static void with_a_snapshot(fx *f)
{
    with_room(f);
    assert_int_equal(repository_new(f), ESK_OK);
    esk_record snap = {"room-1", 2, 1,
                       "{\"name\":\"the blue room on the first floor\","
                       "\"beds\":5,\"booked\":1}"};
    assert_int_equal(esk_store_put_record(f->store, ESK_RECORD_SNAPSHOT, &snap),
                     ESK_OK);
    seed(f, "room-1", "e-3", "GuestBooked", 2, BOOKED_JSON);
}

static esk_status load(fx *f)
{
    f->room_loaded = true;
    return esk_repository_load(f->repo, "1", &f->room);
}

static void observe_room(fx *f, bool done, text *t)
{
    if (!done) {
        /* Never half-loaded: a failure gives a new, empty aggregate. */
        if (f->room_loaded) {
            assert_int_equal(f->room.base.version, 0);
            assert_int_equal(f->room.beds, 0);
            assert_int_equal(f->room.booked, 0);
        }
        return;
    }
    add(t, "%s v%lld/%lld: %s, %lld beds, %lld booked", f->room.base.stream_id,
        (long long)f->room.base.version, (long long)f->room.base.stored_version,
        f->room.name, (long long)f->room.beds, (long long)f->room.booked);
}

static const char *repository_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

/* A room at version 1, with one booking raised: saving it crosses version
 * 2, a multiple of snapshot_every, so a snapshot is written too. */
static void with_a_booking_to_save(fx *f)
{
    open_store(f);
    seed(f, "room-1", "e-1", "RoomOpened", 1, OPENED_JSON);
    assert_int_equal(repository_new(f), ESK_OK);
    assert_int_equal(load(f), ESK_OK);
    guest_booked e = {"Ada King, Countess of Lovelace", 1};
    assert_int_equal(esk_aggregate_raise(&f->room, &guest_booked_type, &e),
                     ESK_OK);
}

static esk_status save(fx *f)
{
    esk_metadata m = {"request-0001-from-the-front-desk", NULL, NULL};
    return esk_repository_save(f->repo, &f->room, &m, &f->appended);
}

static void observe_save(fx *f, bool done, text *t)
{
    add(t, "pending %zu, stored v%lld", esk_aggregate_pending_count(&f->room),
        (long long)f->room.base.stored_version);
    if (!done)
        return;
    /* The one documented partial outcome: the events are saved, the
     * snapshot is not, and the message says so. The store then holds no
     * snapshot, which the next load does not need. */
    const char *note = esk_errmsg();
    if (note[0] != '\0') {
        assert_non_null(strstr(note, "snapshot at version 2 was not written"));
        assert_non_null(strstr(note, "out of memory"));
        esk_record r;
        char *owned = NULL;
        assert_int_equal(esk_store_get_record(f->store, ESK_RECORD_SNAPSHOT,
                                              "room-1", &r, &owned),
                         ESK_ENOTFOUND);
        esk_record snap = {"room-1", 2, 1,
                           "{\"name\":\"the blue room on the first floor\","
                           "\"beds\":5,\"booked\":1}"};
        /* Write it, so that the store's state is compared like the others. */
        assert_int_equal(
            esk_store_put_record(f->store, ESK_RECORD_SNAPSHOT, &snap), ESK_OK);
    }
}

/* -- deciders -- */

static esk_status decider_handle(fx *f)
{
    esk_metadata m = {"request-0001-from-the-front-desk",
                      "command-0001-book-the-blue-room", NULL};
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    options.metadata = &m;
    options.upcasters = f->upcasters;
    return esk_decider_handle(&room_decider, f->store, "1", &book_grace,
                              &options, &f->decision, &f->handled);
}

static void with_an_old_room(fx *f)
{
    open_store(f);
    seed_room(f, true);
    with_upcasters(f);
}

static void observe_decision(fx *f, bool done, text *t)
{
    add(t, "%zu events", esk_decision_count(&f->decision));
    if (done)
        add(t, ", v%lld -> v%lld @%lld", (long long)f->handled.loaded_version,
            (long long)f->handled.version, (long long)f->handled.position);
}

/* -- the command bus -- */

static esk_status bus_new(fx *f)
{
    return esk_bus_new(&f->bus, f->store);
}

static void observe_bus(fx *f, bool done, text *t)
{
    (void)t;
    if (!done)
        assert_null(f->bus);
}

static void with_a_bus(fx *f)
{
    with_room(f);
    assert_int_equal(bus_new(f), ESK_OK);
}

static const char *bus_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

static esk_status bus_register(fx *f)
{
    return esk_bus_register(f->bus, "BookRoom", on_room_command, NULL);
}

static void observe_registered(fx *f, bool done, text *t)
{
    (void)done;
    /* A command without a handler lists the registered ones. */
    esk_command c = {"Unknown", "c-0", NULL, NULL, NULL};
    assert_int_equal(esk_bus_dispatch(f->bus, &c, NULL), ESK_ENOHANDLER);
    add(t, "%s", esk_errmsg());
}

static esk_status bus_use(fx *f)
{
    esk_middleware logging = esk_logging_middleware(&quiet_sink);
    return esk_bus_use(f->bus, &logging);
}

/* Logging, idempotency and retry around the room handlers; command c-1
 * (a booking) is done already. */
static void with_a_full_bus(fx *f)
{
    with_a_bus(f);
    esk_middleware chain[] = {esk_logging_middleware(&quiet_sink),
                              esk_idempotency_middleware(),
                              esk_retry_middleware(NULL)};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(esk_bus_use(f->bus, &chain[i]), ESK_OK);
    assert_int_equal(bus_register(f), ESK_OK);
    assert_int_equal(
        esk_bus_register(f->bus, "SendWelcome", on_send_welcome, NULL), ESK_OK);
    esk_command c1 = {"BookRoom", "c-1", "request-0001-from-the-front-desk",
                      &book_grace, "{\"guest\":\"Grace\"}"};
    assert_int_equal(esk_bus_dispatch(f->bus, &c1, NULL), ESK_OK);
}

static esk_status dispatch(fx *f, const char *id)
{
    room_command ada = {false, "", "Ada King, Countess of Lovelace"};
    bool again = strcmp(id, "c-1") == 0;
    /* c-1 again is the same command: the same payload. */
    esk_command c = {"BookRoom", id, "request-0002-from-the-front-desk",
                     again ? &book_grace : &ada,
                     again ? "{\"guest\":\"Grace\"}" : "{\"guest\":\"Ada\"}"};
    return esk_bus_dispatch(f->bus, &c, &f->result);
}

static esk_status dispatch_new(fx *f)
{
    return dispatch(f, "c-2");
}

static esk_status dispatch_again(fx *f)
{
    return dispatch(f, "c-1");
}

static void observe_dispatch(fx *f, bool done, text *t)
{
    if (done)
        add(t, "%d %zu events v%lld @%lld%s", (int)esk_error_last()->status,
            f->result.event_count, (long long)f->result.version,
            (long long)f->result.position,
            f->result.duplicate ? " duplicate" : "");
}

static const char *result_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

/* -- process managers -- */

static void with_a_welcome_bus(fx *f)
{
    open_store(f);
    seed(f, "room-1", "e-2", "GuestBooked", 2, BOOKED_JSON);
    assert_int_equal(bus_new(f), ESK_OK);
    esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_use(f->bus, &idempotency), ESK_OK);
    assert_int_equal(
        esk_bus_register(f->bus, "SendWelcome", on_send_welcome, NULL), ESK_OK);
}

static esk_status runner_new(fx *f)
{
    return esk_process_runner_new(&f->runner, f->store, f->bus,
                                  &welcome_process);
}

static void observe_runner(fx *f, bool done, text *t)
{
    (void)t;
    if (!done)
        assert_null(f->runner);
}

static void with_a_runner(fx *f)
{
    with_a_welcome_bus(f);
    assert_int_equal(runner_new(f), ESK_OK);
}

static esk_status process_run(fx *f)
{
    size_t reacted = 0;
    return esk_process_run(f->runner, &reacted);
}

static esk_status process_tick(fx *f)
{
    return esk_process_tick(f->runner);
}

static const char *runner_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

const scenario command_scenarios[] = {
    /* Aggregates and deciders. */
    ON_BOTH("new repository", with_room, repository_new, observe_repository,
            last_message, ESK_OK),
    ON_BOTH("load an old stream through upcasters",
            with_an_old_room_and_repository, load, observe_room,
            repository_message, ESK_OK),
    ON_BOTH("load from a snapshot", with_a_snapshot, load, observe_room,
            repository_message, ESK_OK),
    ON_BOTH("save and write a snapshot", with_a_booking_to_save, save,
            observe_save, repository_message, ESK_OK),
    ON_BOTH("handle a command with a decider", with_an_old_room, decider_handle,
            observe_decision, last_message, ESK_OK),

    /* The command bus. */
    ON_BOTH("new bus", with_room, bus_new, observe_bus, NULL, ESK_OK),
    ON_BOTH("register a handler", with_a_bus, bus_register, observe_registered,
            bus_message, ESK_OK),
    ON_BOTH("use a middleware", with_a_bus, bus_use, observe_nothing,
            bus_message, ESK_OK),
    ON_BOTH("dispatch through logging, idempotency and retry", with_a_full_bus,
            dispatch_new, observe_dispatch, result_message, ESK_OK),
    ON_BOTH("dispatch a command already handled", with_a_full_bus,
            dispatch_again, observe_dispatch, result_message, ESK_OK),
};
const size_t command_scenarios_count =
    sizeof(command_scenarios) / sizeof(command_scenarios[0]);

const scenario process_scenarios[] = {
    /* Process managers. */
    ON_BOTH("new process runner", with_a_welcome_bus, runner_new,
            observe_runner, last_message, ESK_OK),
    /* A reaction that fails is reported as ESK_ECALLBACK, with the
     * command's reason in the message. */
    ON_BOTH("run a process manager", with_a_runner, process_run,
            observe_nothing, runner_message, ESK_ECALLBACK),
    ON_BOTH("tick a process manager", with_a_runner, process_tick,
            observe_nothing, runner_message, ESK_ECALLBACK),
};
const size_t process_scenarios_count =
    sizeof(process_scenarios) / sizeof(process_scenarios[0]);
