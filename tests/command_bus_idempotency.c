/*
 * tests/command_bus_idempotency.c - the idempotency middleware: a
 * command id answered once, and refused when reused for another command.
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
#include <jansson.h>

#include "command_bus_fixture.h"
#include "esk/aggregate.h"
#include "esk/command_bus.h"
#include "test_support.h"
#include "workshop_decider.h"

/* --- Idempotency ------------------------------------------------------------
 */

void a_repeated_command_gets_its_first_outcome_and_writes_nothing(void **state)
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

void a_domain_refusal_is_recorded_too(void **state)
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

void a_conflict_is_not_recorded_so_the_command_can_be_sent_again(void **state)
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

void a_failed_handler_leaves_none_of_its_writes(void **state)
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

void a_command_id_reused_for_another_type_is_refused(void **state)
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

void a_command_id_reused_with_another_payload_is_refused(void **state)
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

void a_command_id_resent_with_or_without_payload_json_is_refused(void **state)
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

void an_outcome_recorded_without_its_payload_is_compared_by_type(void **state)
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

void an_outcome_record_esk_did_not_write_is_reported(void **state)
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

void logging_marks_a_duplicate(void **state)
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

/* --- The recorded outcome ------------------------------------------------ */

static esk_status refuse_with_data(esk_context *ctx, const esk_command *cmd,
                                   void *data)
{
    (void)ctx;
    (void)cmd;
    return esk_domain_error(7, "%s", (const char *)data);
}

/* The record of command id must be, byte for byte, what jansson writes
 * for these fields (as esk wrote it when jansson encoded the outcome):
 * stored outcomes are compared as text by other versions. */
static void assert_recorded_as_jansson_writes(esk_store *store, const char *id,
                                              const char *type,
                                              const char *payload, int code,
                                              const char *message,
                                              const esk_command_result *r)
{
    json_t *outcome =
        json_pack("{s:s, s:s?, s:i, s:s, s:I, s:I, s:I}", "type", type,
                  "payloadJson", payload, "domainCode", code, "message",
                  message, "eventCount", (json_int_t)r->event_count, "version",
                  (json_int_t)r->version, "position", (json_int_t)r->position);
    assert_non_null(outcome);
    char *expected = json_dumps(outcome, JSON_COMPACT);
    assert_non_null(expected);
    esk_record record;
    char *owned = NULL;
    assert_int_equal(
        esk_store_get_record(store, ESK_RECORD_COMMAND, id, &record, &owned),
        ESK_OK);
    assert_string_equal(record.value, expected);
    esk_free(owned);
    json_free_t jansson_free = NULL;
    json_get_alloc_funcs(NULL, &jansson_free);
    jansson_free(expected);
    json_decref(outcome);
}

void the_recorded_outcome_is_the_json_jansson_writes(void **state)
{
    (void)state;
    /* Every byte a JSON string escapes, and some it does not. */
    char message[160];
    size_t n = 0;
    for (int ch = 1; ch < 0x20; ch++)
        message[n++] = (char)ch;
    snprintf(message + n, sizeof(message) - n,
             "\"quoted\" back\\slash /slash \x7f caf\xc3\xa9 "
             "\xf0\x9f\x8e\x89 end");
    const char *payload = "{\"note\":\"line\\nbreak \\\"q\\\" \\u0001 "
                          "caf\xc3\xa9\",\"seats\":[1,2.5e3,-0]}";
    esk_store *store = test_open_store();
    esk_bus *bus = new_idempotent_bus(store);
    assert_int_equal(esk_bus_register(bus, "Refuse", refuse_with_data, message),
                     ESK_OK);
    esk_command refused = {"Refuse", "c-1", NULL, NULL, payload};
    esk_command scheduled = command("ScheduleWorkshop", "c-2", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_bus_dispatch(bus, &refused, &r), ESK_EDOMAIN);
    assert_recorded_as_jansson_writes(store, "c-1", "Refuse", payload, 7,
                                      message, &r);
    assert_int_equal(esk_bus_dispatch(bus, &scheduled, &r), ESK_OK);
    assert_recorded_as_jansson_writes(store, "c-2", "ScheduleWorkshop", NULL, 0,
                                      "", &r);
    esk_bus_free(bus);
    esk_store_free(store);
}
