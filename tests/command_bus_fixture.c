/*
 * tests/command_bus_fixture.c - what the command bus tests share: a bus
 * with the workshop's handler, a trace of what ran, a log captured.
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

esk_command command(const char *type, const char *id, const void *payload)
{
    return (esk_command){type, id, NULL, payload, NULL};
}

const workshop_command schedule_ten = {SCHEDULE, "ES 101", 10, ""};

/* What the handlers and middleware below saw. */
int handler_calls;
char trace[128];

void trace_add(const char *step)
{
    strncat(trace, step, sizeof(trace) - strlen(trace) - 1);
}

/* The handler learners write: a few lines. */
esk_status on_workshop(esk_context *ctx, const esk_command *cmd, void *data)
{
    (void)data;
    handler_calls++;
    trace_add("H");
    return esk_context_handle(ctx, &workshop_decider, "w-1", cmd->payload);
}

esk_bus *new_bus(esk_store *store)
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

void metadata_of_first_event(esk_store *store, const char *key, char *buf,
                             size_t size)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(store, 0, 1, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 1);
    assert_int_equal(esk_metadata_get(list.events[0].metadata, key, buf, size),
                     ESK_OK);
    esk_event_list_release(&list);
}

esk_status fail_quietly(esk_context *ctx, const esk_command *cmd, void *data)
{
    (void)ctx;
    (void)cmd;
    (void)data;
    return ESK_EIO;
}

void capture(void *ctx, const char *line)
{
    captured *c = ctx;
    if (c->count < 4)
        snprintf(c->lines[c->count], sizeof(c->lines[0]), "%s", line);
    c->count++;
}

/* The line without its duration, which varies: "... (0.03 ms)". */
void assert_logged(const char *line, const char *expected)
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

esk_bus *new_idempotent_bus(esk_store *store)
{
    esk_bus *bus = new_bus(store);
    esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_use(bus, &idempotency), ESK_OK);
    return bus;
}
