/*
 * tests/command_bus_middleware.c - middleware around the handlers:
 * before, around, logging and retry.
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

void a_refusing_before_middleware_keeps_the_handler_from_running(void **state)
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

void a_silent_refusal_names_the_middleware(void **state)
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

void a_before_middleware_can_set_the_correlation_id(void **state)
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

void a_before_middleware_can_map_a_type_to_another_handler(void **state)
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

void middleware_runs_in_registration_order(void **state)
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

void events_carry_the_correlation_and_causation_ids(void **state)
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

void a_command_without_correlation_starts_its_own(void **state)
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

static esk_status fail_loudly(esk_context *ctx, const esk_command *cmd,
                              void *data)
{
    (void)cmd;
    (void)data;
    return esk_context_fail(ctx, ESK_EIO, 0, "the disk is full");
}

void logging_writes_one_line_per_command(void **state)
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

static esk_status write_nothing(esk_context *ctx, const esk_command *cmd,
                                void *data)
{
    (void)ctx;
    (void)cmd;
    (void)data;
    return ESK_OK;
}

void logging_names_empty_outcomes_and_attempts(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    captured log = {.count = 0};
    const esk_log_sink sink = {capture, &log};
    const esk_middleware chain[] = {esk_logging_middleware(&sink),
                                    esk_retry_middleware(NULL)};
    workshop_command ada = {REGISTER, "", 0, "ada"};
    esk_command schedule = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command nothing = command("Nothing", "c-2", NULL);
    esk_command register_ada = command("RegisterAttendee", "c-3", &ada);

    assert_int_equal(esk_bus_register(bus, "Nothing", write_nothing, NULL),
                     ESK_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(esk_bus_use(bus, &chain[i]), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &schedule, NULL), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &nothing, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 1};
    assert_int_equal(esk_bus_dispatch(bus, &register_ada, NULL), ESK_OK);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(log.count, 3);
    assert_logged(log.lines[1], "Nothing id=c-2 correlation=c-2 -> "
                                "ok: no events");
    assert_logged(log.lines[2], "RegisterAttendee id=c-3 correlation=c-3 -> "
                                "ok: 1 event, v3 @3, 2 attempts");
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Retry ------------------------------------------------------------------
 */

void retry_runs_a_conflicting_handler_again(void **state)
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

void retry_gives_up_after_max_attempts(void **state)
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

void each_retry_starts_from_a_fresh_outcome(void **state)
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
