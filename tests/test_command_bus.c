/*
 * tests/test_command_bus.c - the command bus, its middleware and the
 * esk_context_* functions, on the memory and SQLite stores.
 *
 * esk allocates through cmocka's test_malloc here, so every test also
 * checks that nothing leaks.
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

#include "esk/aggregate.h"
#include "esk/command_bus.h"
#include "test_support.h"
#include "workshop_decider.h"

static esk_command command(const char *type, const char *id,
                           const void *payload)
{
    return (esk_command){type, id, NULL, payload, NULL};
}

static const workshop_command schedule_ten = {SCHEDULE, "ES 101", 10, ""};

/* What the handlers and middleware below saw. */
static int handler_calls;
static char trace[128];

static void trace_add(const char *step)
{
    strncat(trace, step, sizeof(trace) - strlen(trace) - 1);
}

/* The handler learners write: a few lines. */
static esk_status on_workshop(esk_context *ctx, const esk_command *cmd,
                              void *data)
{
    (void)data;
    handler_calls++;
    trace_add("H");
    return esk_context_handle(ctx, &workshop_decider, "w-1", cmd->payload);
}

static esk_bus *new_bus(esk_store *store)
{
    esk_bus *bus = NULL;
    handler_calls = 0;
    trace[0] = '\0';
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(
        esk_bus_register(bus, "ScheduleWorkshop", on_workshop, NULL), ESK_OK);
    assert_int_equal(
        esk_bus_register(bus, "RegisterAttendee", on_workshop, NULL), ESK_OK);
    return bus;
}

static void metadata_of_first_event(esk_store *store, const char *key,
                                    char *buf, size_t size)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 1, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(esk_metadata_get(list.events[0].metadata, key, buf, size),
                     ESK_OK);
    esk_event_list_release(&list);
}

/* --- Registration and dispatch -------------------------------------------- */

static void registering_a_type_twice_is_refused(void **state)
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

static void an_unknown_type_lists_the_registered_types(void **state)
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

static void an_empty_bus_says_that_nothing_is_registered(void **state)
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

static void the_list_of_types_is_cut_when_it_is_too_long(void **state)
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

static void malformed_commands_are_invalid_and_say_why(void **state)
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

static void null_arguments_are_refused(void **state)
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

static void the_result_tells_what_the_handler_wrote(void **state)
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

static void a_domain_refusal_fills_code_and_message(void **state)
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

static esk_status fail_quietly(esk_context *ctx, const esk_command *cmd,
                               void *data)
{
    (void)ctx;
    (void)cmd;
    (void)data;
    return ESK_EIO;
}

static void a_failing_handler_without_a_message_gets_one(void **state)
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

static void a_handler_may_not_call_esk_next(void **state)
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

static void failing_with_esk_ok_is_itself_an_error(void **state)
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

/* --- Before middleware ------------------------------------------------------
 */

static esk_status require_payload(void *data, esk_context *ctx,
                                  esk_command *cmd)
{
    (void)data;
    trace_add("v");
    if (cmd->payload == NULL)
        return esk_context_fail(ctx, ESK_EINVAL, 0, "'%s' needs a payload",
                                cmd->type);
    return ESK_OK;
}

static void
a_refusing_before_middleware_keeps_the_handler_from_running(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    const esk_middleware validate = {"validate", require_payload, NULL, NULL};
    esk_command c = command("RegisterAttendee", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_use(bus, &validate), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(), "'RegisterAttendee' needs a payload");
    assert_int_equal(handler_calls, 0);
    assert_int_equal(r.attempts, 0);
    assert_string_equal(trace, "v");
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status refuse_silently(void *data, esk_context *ctx,
                                  esk_command *cmd)
{
    (void)data;
    (void)ctx;
    (void)cmd;
    return ESK_EINVAL;
}

static void a_silent_refusal_names_the_middleware(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    const esk_middleware gate = {"gate", refuse_silently, NULL, NULL};
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_bus_use(bus, &gate), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "refused by middleware 'gate': invalid argument");
    assert_int_equal(handler_calls, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status set_correlation(void *data, esk_context *ctx,
                                  esk_command *cmd)
{
    (void)ctx;
    if (cmd->correlation_id == NULL)
        cmd->correlation_id = data;
    return ESK_OK;
}

static void a_before_middleware_can_set_the_correlation_id(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    char request[] = "http-req-77";
    const esk_middleware enrich = {"enrich", set_correlation, NULL, request};
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    char buf[64];

    assert_int_equal(esk_bus_use(bus, &enrich), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    assert_null(c.correlation_id); /* the caller's command is untouched */
    metadata_of_first_event(store, "correlationId", buf, sizeof(buf));
    assert_string_equal(buf, "http-req-77");
    metadata_of_first_event(store, "causationId", buf, sizeof(buf));
    assert_string_equal(buf, "c-1");
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status rename_legacy(void *data, esk_context *ctx, esk_command *cmd)
{
    (void)data;
    (void)ctx;
    if (strcmp(cmd->type, "PlanWorkshop") == 0)
        cmd->type = "ScheduleWorkshop";
    return ESK_OK;
}

static void a_before_middleware_can_map_a_type_to_another_handler(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    const esk_middleware legacy = {"legacy", rename_legacy, NULL, NULL};
    esk_command c = command("PlanWorkshop", "c-1", &schedule_ten);

    assert_int_equal(esk_bus_register(bus, "PlanWorkshop", fail_quietly, NULL),
                     ESK_OK);
    assert_int_equal(esk_bus_use(bus, &legacy), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Around middleware ---------------------------------------------------- */

static esk_status traced_around(void *data, esk_context *ctx)
{
    const char *name = data;
    char step[8];
    snprintf(step, sizeof(step), "%s>", name);
    trace_add(step);
    esk_status rc = esk_next(ctx);
    snprintf(step, sizeof(step), "<%s", name);
    trace_add(step);
    return rc;
}

static esk_status traced_before(void *data, esk_context *ctx, esk_command *cmd)
{
    (void)ctx;
    (void)cmd;
    trace_add(data);
    return ESK_OK;
}

static void middleware_runs_in_registration_order(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    char a[] = "a", b[] = "b", c[] = "c", v[] = "v", w[] = "w";
    const esk_middleware mw[] = {
        {"a", NULL, traced_around, a},          {"v", traced_before, NULL, v},
        {"b", traced_before, traced_around, b}, {"w", traced_before, NULL, w},
        {"c", NULL, traced_around, c},
    };
    esk_command cmd = command("ScheduleWorkshop", "c-1", &schedule_ten);

    for (size_t i = 0; i < 5; i++)
        assert_int_equal(esk_bus_use(bus, &mw[i]), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &cmd, NULL), ESK_OK);
    assert_string_equal(trace, "vbwa>b>c>H<c<b<a");
    esk_bus_free(bus);
    esk_store_free(store);
}

static void events_carry_the_correlation_and_causation_ids(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    c.correlation_id = "req-9";
    char buf[64];

    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    metadata_of_first_event(store, "correlationId", buf, sizeof(buf));
    assert_string_equal(buf, "req-9");
    metadata_of_first_event(store, "causationId", buf, sizeof(buf));
    assert_string_equal(buf, "c-1");
    esk_bus_free(bus);
    esk_store_free(store);
}

static void a_command_without_correlation_starts_its_own(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    char buf[64];

    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    metadata_of_first_event(store, "correlationId", buf, sizeof(buf));
    assert_string_equal(buf, "c-1");
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Logging ----------------------------------------------------------------
 */

typedef struct captured {
    char lines[4][512];
    int count;
} captured;

static void capture(void *ctx, const char *line)
{
    captured *c = ctx;
    if (c->count < 4)
        snprintf(c->lines[c->count], sizeof(c->lines[0]), "%s", line);
    c->count++;
}

/* The line without its duration, which varies: "... (0.03 ms)". */
static void assert_logged(const char *line, const char *expected)
{
    size_t n = strlen(expected);
    if (strncmp(line, expected, n) != 0)
        fail_msg("logged \"%s\", expected \"%s (... ms)\"", line, expected);
    double ms = -1;
    char end[8] = "";
    if (sscanf(line + n, " (%lf ms%7s", &ms, end) != 2 || ms < 0 ||
        strcmp(end, ")") != 0)
        fail_msg("logged \"%s\": no duration after the outcome", line);
}

static esk_status fail_loudly(esk_context *ctx, const esk_command *cmd,
                              void *data)
{
    (void)cmd;
    (void)data;
    return esk_context_fail(ctx, ESK_EIO, 0, "the disk is full");
}

static void logging_writes_one_line_per_command(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    captured log = {.count = 0};
    const esk_log_sink sink = {capture, &log};
    esk_middleware logging = esk_logging_middleware(&sink);
    esk_command schedule = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command again = command("ScheduleWorkshop", "c-2", &schedule_ten);
    again.correlation_id = "req-9";
    esk_command broken = command("Broken", "c-3", NULL);

    assert_int_equal(esk_bus_register(bus, "Broken", fail_loudly, NULL),
                     ESK_OK);
    assert_int_equal(esk_bus_use(bus, &logging), ESK_OK);
    esk_bus_dispatch(bus, &schedule, NULL);
    esk_bus_dispatch(bus, &again, NULL);
    esk_bus_dispatch(bus, &broken, NULL);
    assert_int_equal(log.count, 3);
    assert_logged(log.lines[0], "ScheduleWorkshop id=c-1 correlation=c-1 -> "
                                "ok: 1 event, v1 @1");
    assert_logged(log.lines[1],
                  "ScheduleWorkshop id=c-2 correlation=req-9 -> refused: "
                  "error 2: the workshop is already scheduled");
    assert_logged(
        log.lines[2],
        "Broken id=c-3 correlation=c-3 -> failed: "
        "storage error: the handler of 'Broken' failed: the disk is full");
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Retry ------------------------------------------------------------------
 */

static void retry_runs_a_conflicting_handler_again(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    const esk_retry_policy policy = {3, 1};
    esk_middleware retry = esk_retry_middleware(&policy);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command c1 = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command c2 = command("RegisterAttendee", "c-2", &ada);
    esk_command_result r;

    assert_int_equal(esk_bus_use(bus, &retry), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c1, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 1};
    assert_int_equal(esk_bus_dispatch(bus, &c2, &r), ESK_OK);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.attempts, 2);
    assert_int_equal(handler_calls, 3);
    assert_int_equal(r.version, 3);
    assert_string_equal(esk_errmsg(), "");
    esk_bus_free(bus);
    esk_store_free(store);
}

static void retry_gives_up_after_max_attempts(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    const esk_retry_policy policy = {2, 0};
    esk_middleware retry = esk_retry_middleware(&policy);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command c1 = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command c2 = command("RegisterAttendee", "c-2", &ada);
    esk_command_result r;

    assert_int_equal(esk_bus_use(bus, &retry), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c1, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 5};
    assert_int_equal(esk_bus_dispatch(bus, &c2, &r), ESK_ECONCURRENCY);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.attempts, 2);
    assert_int_equal(esk_error_last()->status, ESK_ECONCURRENCY);
    test_assert_contains(esk_errmsg(), "saving Workshop 'w-1'");
    esk_bus_free(bus);
    esk_store_free(store);
}

/* Claims a write and conflicts on its first run; does nothing on the
 * next. */
static esk_status conflict_once(esk_context *ctx, const esk_command *cmd,
                                void *data)
{
    (void)cmd;
    int *runs = data;
    if ((*runs)++ > 0)
        return ESK_OK;
    esk_command_result *r = esk_context_result(ctx);
    r->event_count = 1;
    r->version = 7;
    return esk_context_fail(ctx, ESK_ECONCURRENCY, 0, "someone was faster");
}

static void each_retry_starts_from_a_fresh_outcome(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_middleware retry = esk_retry_middleware(NULL);
    int runs = 0;
    esk_command c = command("Flaky", "c-1", NULL);
    esk_command_result r;

    assert_int_equal(esk_bus_register(bus, "Flaky", conflict_once, &runs),
                     ESK_OK);
    assert_int_equal(esk_bus_use(bus, &retry), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_int_equal(runs, 2);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.event_count, 0);
    assert_int_equal(r.version, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Idempotency ------------------------------------------------------------
 */

static esk_bus *new_idempotent_bus(esk_store *store)
{
    esk_bus *bus = new_bus(store);
    esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_use(bus, &idempotency), ESK_OK);
    return bus;
}

static void
a_repeated_command_gets_its_first_outcome_and_writes_nothing(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command_result first, second;

    assert_int_equal(esk_bus_dispatch(bus, &c, &first), ESK_OK);
    assert_false(first.duplicate);
    assert_int_equal(esk_bus_dispatch(bus, &c, &second), ESK_OK);
    assert_true(second.duplicate);
    assert_int_equal(second.event_count, 1);
    assert_int_equal(second.version, first.version);
    assert_int_equal(second.position, first.position);
    assert_int_equal(second.attempts, 0);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void a_domain_refusal_is_recorded_too(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command refused = command("RegisterAttendee", "c-1", &ada);
    esk_command schedule = command("ScheduleWorkshop", "c-2", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &refused, &r), ESK_EDOMAIN);
    assert_int_equal(esk_bus_dispatch(bus, &schedule, NULL), ESK_OK);
    /* The workshop exists now, but c-1 was answered: it stays refused. */
    assert_int_equal(esk_bus_dispatch(bus, &refused, &r), ESK_EDOMAIN);
    assert_true(r.duplicate);
    assert_int_equal(esk_error_last()->status, ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->code, WORKSHOP_NOT_SCHEDULED);
    assert_string_equal(esk_errmsg(), "the workshop is not scheduled");
    assert_int_equal(handler_calls, 2);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void
a_conflict_is_not_recorded_so_the_command_can_be_sent_again(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command schedule = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command c = command("RegisterAttendee", "c-2", &ada);
    esk_command_result r;
    esk_record record;
    char *owned = NULL;

    assert_int_equal(esk_bus_dispatch(bus, &schedule, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 1};
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_ECONCURRENCY);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.event_count, 0);
    assert_int_equal(
        esk_store_get_record(store, ESK_RECORD_COMMAND, "c-2", &record, &owned),
        ESK_ENOTFOUND);
    /* Rolled back with the rest: the interloper wrote in the same
     * transaction. */
    assert_int_equal(test_head_of(store), 1);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_false(r.duplicate);
    assert_int_equal(r.version, 2);
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status write_then_fail(esk_context *ctx, const esk_command *cmd,
                                  void *data)
{
    (void)data;
    esk_status rc =
        esk_context_handle(ctx, &workshop_decider, "w-1", cmd->payload);
    if (rc != ESK_OK)
        return rc;
    return esk_context_fail(ctx, ESK_EIO, 0, "the mail server is down");
}

static void a_failed_handler_leaves_none_of_its_writes(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    esk_command c = command("HalfDone", "c-1", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_bus_register(bus, "HalfDone", write_then_fail, NULL),
                     ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EIO);
    assert_string_equal(
        esk_errmsg(),
        "the handler of 'HalfDone' failed: the mail server is down");
    assert_int_equal(r.event_count, 0);
    assert_int_equal(test_head_of(store), 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void a_command_id_reused_for_another_type_is_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command schedule = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command reg = command("RegisterAttendee", "c-1", &ada);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &schedule, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &reg, &r), ESK_EDUPLICATE);
    assert_string_equal(esk_errmsg(), "command id 'c-1' was already used by a "
                                      "ScheduleWorkshop command: give each "
                                      "command its own id");
    assert_false(r.duplicate);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void a_command_id_reused_with_another_payload_is_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    esk_command first = command("ScheduleWorkshop", "c-1", &schedule_ten);
    first.payload_json = "{\"title\":\"ES 101\",\"seats\":10}";
    esk_command other = first;
    other.payload_json = "{\"title\":\"ES 101\",\"seats\":12}";
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &first, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &other, &r), ESK_EDUPLICATE);
    assert_int_equal(esk_error_last()->status, ESK_EDUPLICATE);
    test_assert_contains(esk_errmsg(),
                         "command id 'c-1' was already used by a "
                         "ScheduleWorkshop command with another payload_json "
                         "(stored '{\"title\":\"ES 101\",\"seats\":10}', "
                         "sent '{\"title\":\"ES 101\",\"seats\":12}')");
    assert_false(r.duplicate);
    assert_int_equal(r.event_count, 0);
    /* The same payload again is the same command, whatever request it
     * comes with: its first outcome. */
    esk_command again = first;
    again.correlation_id = "request-2";
    assert_int_equal(esk_bus_dispatch(bus, &again, &r), ESK_OK);
    assert_true(r.duplicate);
    assert_int_equal(r.version, 1);
    assert_int_equal(handler_calls, 1);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void
a_command_id_resent_with_or_without_payload_json_is_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    esk_command bare = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command described = bare;
    described.payload_json = "{\"seats\":10}";
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &bare, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &described, &r), ESK_EDUPLICATE);
    test_assert_contains(esk_errmsg(), "(stored none, sent '{\"seats\":10}')");
    /* A refusal is an outcome too, recorded with its payload. */
    described.id = "c-2";
    bare.id = "c-2";
    assert_int_equal(esk_bus_dispatch(bus, &described, NULL), ESK_EDOMAIN);
    assert_int_equal(esk_bus_dispatch(bus, &bare, &r), ESK_EDUPLICATE);
    test_assert_contains(esk_errmsg(), "(stored '{\"seats\":10}', sent none)");
    assert_int_equal(handler_calls, 2);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void
an_outcome_recorded_without_its_payload_is_compared_by_type(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    /* As esk wrote outcomes before it kept the payload. */
    const esk_record older = {
        "c-1", 1, ESK_OK,
        "{\"type\":\"ScheduleWorkshop\",\"domainCode\":0,\"message\":\"\","
        "\"eventCount\":1,\"version\":1,\"position\":1}"};
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    c.payload_json = "{\"seats\":10}";
    esk_command_result r;

    assert_int_equal(esk_store_put_record(store, ESK_RECORD_COMMAND, &older),
                     ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_true(r.duplicate);
    assert_int_equal(r.position, 1);
    assert_int_equal(handler_calls, 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void an_outcome_record_esk_did_not_write_is_reported(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    const esk_record odd = {"c-1", 0, ESK_OK,
                            "{\"type\":\"ScheduleWorkshop\"}"};
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_store_put_record(store, ESK_RECORD_COMMAND, &odd),
                     ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_ECORRUPT);
    test_assert_contains(esk_errmsg(),
                         "the recorded outcome of command 'c-1' is not "
                         "one esk wrote");
    assert_int_equal(handler_calls, 0);
    assert_int_equal(test_head_of(store), 0);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void logging_marks_a_duplicate(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    captured log = {.count = 0};
    const esk_log_sink sink = {capture, &log};
    esk_middleware logging = esk_logging_middleware(&sink);
    esk_middleware idempotency = esk_idempotency_middleware();
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);

    assert_int_equal(esk_bus_use(bus, &logging), ESK_OK);
    assert_int_equal(esk_bus_use(bus, &idempotency), ESK_OK);
    esk_bus_dispatch(bus, &c, NULL);
    esk_bus_dispatch(bus, &c, NULL);
    assert_int_equal(log.count, 2);
    assert_logged(log.lines[1], "ScheduleWorkshop id=c-1 correlation=c-1 -> "
                                "ok (duplicate): 1 event, v1 @1");
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Aggregates through the context ----------------------------------------
 */

typedef struct roster {
    esk_aggregate base;
    int64_t attendees;
} roster;

static void roster_evolve(void *state, const esk_event_type *type,
                          const void *event)
{
    (void)type;
    (void)event;
    roster *r = state;
    r->attendees++;
}

static const esk_event_type *const roster_events[] = {
    &attendee_registered_type,
};

static const esk_aggregate_type roster_type = {
    .name = "Roster",
    .category = "roster",
    .state_size = sizeof(roster),
    .event_types = roster_events,
    .event_type_count = 1,
    .evolve = roster_evolve,
};

static esk_status on_enrol(esk_context *ctx, const esk_command *cmd, void *data)
{
    roster r;
    esk_status rc = esk_aggregate_init(&r, &roster_type, "r-1");
    if (rc == ESK_OK)
        rc = esk_aggregate_raise(&r, &attendee_registered_type, cmd->payload);
    rc = rc == ESK_OK ? esk_context_save(ctx, data, &r)
                      : esk_context_fail_with(ctx, rc);
    esk_aggregate_release(&r);
    return rc;
}

static void a_handler_saves_an_aggregate_with_the_command_metadata(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_repository *repo = NULL;
    attendee_registered ada = {"ada"};
    attendee_registered unterminated;
    memset(unterminated.attendee, 'x', sizeof(unterminated.attendee));
    esk_command c = command("Enrol", "c-1", &ada);
    c.correlation_id = "req-1";
    esk_command_result r;
    char buf[64];

    assert_int_equal(esk_repository_new(&repo, store, &roster_type, NULL),
                     ESK_OK);
    assert_int_equal(esk_bus_register(bus, "Enrol", on_enrol, repo), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    metadata_of_first_event(store, "correlationId", buf, sizeof(buf));
    assert_string_equal(buf, "req-1");
    metadata_of_first_event(store, "causationId", buf, sizeof(buf));
    assert_string_equal(buf, "c-1");

    c = command("Enrol", "c-2", &unterminated);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "attendee");
    assert_int_equal(test_head_of(store), 1);
    esk_repository_free(repo);
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Allocation failures ------------------------------------------------ */

/* A bus with every shipped middleware, whose store already has c-1. */
static esk_bus *new_full_bus(esk_store *store, esk_middleware *mw)
{
    esk_bus *bus = new_bus(store);
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(esk_bus_use(bus, &mw[i]), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    return bus;
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static void every_allocation_failure_is_reported_and_undone(void **state)
{
    (void)state;
    const esk_log_sink sink = {quiet, NULL};
    esk_middleware mw[3] = {esk_logging_middleware(&sink),
                            esk_idempotency_middleware(),
                            esk_retry_middleware(NULL)};
    workshop_command ada = {REGISTER, "", 0, "ada"};
    /* A new command (c-2), then a repeated one (c-1). */
    esk_command commands[2] = {
        command("RegisterAttendee", "c-2", &ada),
        command("ScheduleWorkshop", "c-1", &schedule_ten),
    };

    for (size_t i = 0; i < 2; i++) {
        for (long k = 1;; k++) {
            esk_store *store = test_open_store();
            esk_bus *bus = new_full_bus(store, mw);
            esk_command_result r;
            test_fail_allocation(k);
            esk_status rc = esk_bus_dispatch(bus, &commands[i], &r);
            bool failed = test_allocation_failed();
            assert_int_equal(esk_error_last()->status, rc);
            assert_int_equal(esk_store_transaction_depth(store), 0);
            if (rc != ESK_OK) {
                if (rc != ESK_ENOMEM)
                    fail_msg("allocation %ld: %s", k, esk_errmsg());
                assert_true(failed);
                assert_int_equal(test_head_of(store), 1);
            }
            esk_bus_free(bus);
            esk_store_free(store);
            if (!failed)
                break;
        }
    }
}

/* --- A restart, on a SQLite file --------------------------------------------
 */

static char temp_dir[64];

static void the_outcome_of_a_command_survives_a_restart(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/commands.db", temp_dir);
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    bus = new_idempotent_bus(store);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_false(r.duplicate);
    esk_bus_free(bus);
    esk_store_free(store);

    store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    bus = new_idempotent_bus(store);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_true(r.duplicate);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    assert_int_equal(handler_calls, 0);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

int main(void)
{
    test_use_checked_allocator();

    const struct CMUnitTest on_store[] = {
        cmocka_unit_test(registering_a_type_twice_is_refused),
        cmocka_unit_test(an_unknown_type_lists_the_registered_types),
        cmocka_unit_test(an_empty_bus_says_that_nothing_is_registered),
        cmocka_unit_test(the_list_of_types_is_cut_when_it_is_too_long),
        cmocka_unit_test(malformed_commands_are_invalid_and_say_why),
        cmocka_unit_test(null_arguments_are_refused),
        cmocka_unit_test(the_result_tells_what_the_handler_wrote),
        cmocka_unit_test(a_domain_refusal_fills_code_and_message),
        cmocka_unit_test(a_failing_handler_without_a_message_gets_one),
        cmocka_unit_test(a_handler_may_not_call_esk_next),
        cmocka_unit_test(failing_with_esk_ok_is_itself_an_error),
        cmocka_unit_test(
            a_refusing_before_middleware_keeps_the_handler_from_running),
        cmocka_unit_test(a_silent_refusal_names_the_middleware),
        cmocka_unit_test(a_before_middleware_can_set_the_correlation_id),
        cmocka_unit_test(a_before_middleware_can_map_a_type_to_another_handler),
        cmocka_unit_test(middleware_runs_in_registration_order),
        cmocka_unit_test(events_carry_the_correlation_and_causation_ids),
        cmocka_unit_test(a_command_without_correlation_starts_its_own),
        cmocka_unit_test(logging_writes_one_line_per_command),
        cmocka_unit_test(retry_runs_a_conflicting_handler_again),
        cmocka_unit_test(retry_gives_up_after_max_attempts),
        cmocka_unit_test(each_retry_starts_from_a_fresh_outcome),
        cmocka_unit_test(
            a_repeated_command_gets_its_first_outcome_and_writes_nothing),
        cmocka_unit_test(a_domain_refusal_is_recorded_too),
        cmocka_unit_test(
            a_conflict_is_not_recorded_so_the_command_can_be_sent_again),
        cmocka_unit_test(a_failed_handler_leaves_none_of_its_writes),
        cmocka_unit_test(a_command_id_reused_for_another_type_is_refused),
        cmocka_unit_test(a_command_id_reused_with_another_payload_is_refused),
        cmocka_unit_test(
            a_command_id_resent_with_or_without_payload_json_is_refused),
        cmocka_unit_test(
            an_outcome_recorded_without_its_payload_is_compared_by_type),
        cmocka_unit_test(an_outcome_record_esk_did_not_write_is_reported),
        cmocka_unit_test(logging_marks_a_duplicate),
        cmocka_unit_test(
            a_handler_saves_an_aggregate_with_the_command_metadata),
        cmocka_unit_test(every_allocation_failure_is_reported_and_undone),
    };
    const struct CMUnitTest on_file[] = {
        cmocka_unit_test(the_outcome_of_a_command_survives_a_restart),
    };

    snprintf(temp_dir, sizeof(temp_dir), "/tmp/esk-bus-XXXXXX");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_on_sqlite = false;
    int failures =
        cmocka_run_group_tests_name("bus on memory", on_store, NULL, NULL);
    test_on_sqlite = true;
    failures +=
        cmocka_run_group_tests_name("bus on sqlite", on_store, NULL, NULL);
    failures += cmocka_run_group_tests_name("bus on a sqlite file", on_file,
                                            NULL, NULL);

    char rm[128];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", temp_dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", temp_dir);
    return failures == 0 ? 0 : 1;
}
