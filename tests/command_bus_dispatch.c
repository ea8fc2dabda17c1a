/*
 * tests/command_bus_dispatch.c - registering handlers and dispatching
 * commands: what the result and the error say.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "command_bus_fixture.h"
#include "esk/aggregate.h"
#include "esk/command_bus.h"
#include "test_support.h"
#include "workshop_decider.h"

/* --- Registration and dispatch -------------------------------------------- */

void registering_a_type_twice_is_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);

    assert_int_equal(
        esk_bus_register(bus, "RegisterAttendee", on_workshop, NULL),
        ESK_EEXISTS);
    assert_string_equal(esk_errmsg(), "'RegisterAttendee' already has "
                                      "a handler: a command type has "
                                      "exactly one");
    esk_bus_free(bus);
    esk_store_free(store);
}

void an_unknown_type_lists_the_registered_types(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command foo = command("Foo", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &foo, &r), ESK_ENOHANDLER);
    assert_int_equal(esk_error_last()->status, ESK_ENOHANDLER);
    assert_string_equal(esk_errmsg(), "no handler for 'Foo'; registered: "
                                      "ScheduleWorkshop, RegisterAttendee");
    assert_string_equal(esk_errmsg(), esk_errmsg());
    assert_int_equal(r.attempts, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

void an_empty_bus_says_that_nothing_is_registered(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = NULL;
    esk_command foo = command("Foo", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &foo, &r), ESK_ENOHANDLER);
    assert_string_equal(esk_errmsg(),
                        "no handler for 'Foo'; no command type is registered");
    esk_bus_free(bus);
    esk_store_free(store);
}

void the_list_of_types_is_cut_when_it_is_too_long(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = NULL;
    esk_command foo = command("Foo", "c-1", NULL);
    esk_command_result r;
    char type[64];

    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    for (int i = 0; i < 60; i++) {
        snprintf(type, sizeof(type), "AVeryLongCommandTypeName%02d", i);
        assert_int_equal(esk_bus_register(bus, type, on_workshop, NULL),
                         ESK_OK);
    }
    assert_int_equal(esk_bus_dispatch(bus, &foo, &r), ESK_ENOHANDLER);
    test_assert_contains(esk_errmsg(),
                         "registered: AVeryLongCommandTypeName00, ");
    assert_int_equal(strlen(esk_errmsg()), ESK_ERROR_MESSAGE_MAX - 1);
    assert_string_equal(esk_errmsg() + strlen(esk_errmsg()) - 3, "...");
    esk_bus_free(bus);
    esk_store_free(store);
}

void malformed_commands_are_invalid_and_say_why(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command_result r;
    char long_type[ESK_COMMAND_TYPE_MAX + 2];
    memset(long_type, 'T', sizeof(long_type) - 1);
    long_type[sizeof(long_type) - 1] = '\0';

    esk_command c = command("RegisterAttendee", NULL, NULL);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(), "the command has no id");
    c = command("", "c-1", NULL);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(), "the command's type is empty");
    c = command(long_type, "c-1", NULL);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(), "the command's type is 129 bytes long; "
                                      "the longest is 128");
    c = command("RegisterAttendee", "c-1", NULL);
    c.correlation_id = "\xC0\xAF";
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "the command's correlation id is not valid UTF-8");
    c.correlation_id = NULL;
    c.payload_json = "{\"attendee\":";
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "payload_json is not JSON");
    assert_int_equal(handler_calls, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

void null_arguments_are_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = NULL;
    esk_command c = command("RegisterAttendee", "c-1", NULL);
    esk_command_result r;
    const esk_middleware nothing = {"nothing", NULL, NULL, NULL};

    assert_int_equal(esk_bus_new(NULL, store), ESK_EINVAL);
    assert_int_equal(esk_bus_new(&bus, NULL), ESK_EINVAL);
    assert_null(bus);
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_bus_register(NULL, "A", on_workshop, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_bus_register(bus, NULL, on_workshop, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_bus_register(bus, "A", NULL, NULL), ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "esk_bus_register: the handler of 'A' is NULL");
    assert_int_equal(esk_bus_use(NULL, &nothing), ESK_EINVAL);
    assert_int_equal(esk_bus_use(bus, NULL), ESK_EINVAL);
    assert_int_equal(esk_bus_use(bus, &nothing), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "neither a before nor an around");
    assert_int_equal(esk_bus_dispatch(NULL, &c, &r), ESK_EINVAL);
    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "the bus is NULL");
    assert_int_equal(esk_bus_dispatch(bus, NULL, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "the command is NULL");
    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_ENOHANDLER);

    assert_int_equal(esk_next(NULL), ESK_EINVAL);
    assert_null(esk_context_store(NULL));
    assert_null(esk_context_command(NULL));
    assert_null(esk_context_result(NULL));
    assert_null(esk_context_metadata(NULL));
    assert_int_equal(esk_context_fail(NULL, ESK_EIO, 0, "x"), ESK_EINVAL);
    assert_int_equal(esk_context_fail_with(NULL, ESK_EIO), ESK_EINVAL);
    assert_int_equal(esk_context_handle(NULL, &workshop_decider, "w-1", NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_context_save(NULL, NULL, NULL), ESK_EINVAL);
    esk_bus_free(bus);
    esk_bus_free(NULL);
    esk_store_free(store);
}

void the_result_tells_what_the_handler_wrote(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command c1 = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command c2 = command("RegisterAttendee", "c-2", &ada);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &c1, &r), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c2, &r), ESK_OK);
    assert_int_equal(esk_error_last()->status, ESK_OK);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.version, 2);
    assert_int_equal(r.position, 2);
    assert_int_equal(r.attempts, 1);
    assert_false(r.duplicate);
    assert_string_equal(esk_errmsg(), "");
    assert_string_equal(esk_errmsg(), "");
    esk_bus_free(bus);
    esk_store_free(store);
}

void a_domain_refusal_fills_code_and_message(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command c = command("RegisterAttendee", "c-1", &ada);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->status, ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->code, WORKSHOP_NOT_SCHEDULED);
    assert_string_equal(esk_errmsg(), "the workshop is not scheduled");
    assert_int_equal(r.event_count, 0);
    assert_int_equal(test_head_of(store), 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

void a_failing_handler_without_a_message_gets_one(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command c = command("Fail", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_register(bus, "Fail", fail_quietly, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EIO);
    assert_string_equal(esk_errmsg(),
                        "the handler of 'Fail' failed: storage error");
    assert_int_equal(esk_error_last()->code, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status call_next(esk_context *ctx, const esk_command *cmd,
                            void *data)
{
    (void)cmd;
    (void)data;
    return esk_next(ctx);
}

void a_handler_may_not_call_esk_next(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command c = command("Next", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_register(bus, "Next", call_next, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "only around middleware may");
    assert_int_equal(r.attempts, 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status fail_with_ok(esk_context *ctx, const esk_command *cmd,
                               void *data)
{
    (void)cmd;
    (void)data;
    return esk_context_fail(ctx, ESK_OK, 0, "all is well");
}

void failing_with_esk_ok_is_itself_an_error(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command c = command("Odd", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_register(bus, "Odd", fail_with_ok, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "esk_context_fail() was given ESK_OK");
    esk_bus_free(bus);
    esk_store_free(store);
}
