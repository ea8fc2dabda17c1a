/*
 * app.c - the application: a store, a bus and two process runners.
 * Provided.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "exercise.h"
#include "parked.h"
#include "processes.h"
#include "unpaid.h"

static esk_time app_clock(void *ctx)
{
    const app *a = ctx;
    return a->now;
}

/* The logging middleware's sink: keep the line, and tell the room. */
static void keep_line(void *ctx, const char *line)
{
    app *a = ctx;
    size_t used = strlen(a->commands);
    snprintf(a->commands + used, sizeof(a->commands) - used, "%s\n", line);
    a->command_count++;
    exercise_say("  command  %s", line);
}

/* Every workshop command, whoever sends it: the decider does the work. */
static esk_status handle_workshop_command(esk_context *context,
                                          const esk_command *command,
                                          void *data)
{
    (void)data;
    const workshop_command *c = command->payload;
    return esk_context_handle(context, &workshop_decider, c->workshop_id, c);
}

/* The bus: logging first (it reports what the rest did), idempotency
 * (a command id seen before answers with its first outcome), retry. */
static esk_status open_bus(app *a)
{
    const esk_middleware chain[] = {
        esk_logging_middleware(&a->log),
        esk_idempotency_middleware(),
        esk_retry_middleware(NULL),
    };
    esk_status rc = esk_bus_new(&a->bus, a->store);
    for (size_t i = 0; rc == ESK_OK && i < sizeof(chain) / sizeof(chain[0]);
         i++)
        rc = esk_bus_use(a->bus, &chain[i]);
    for (size_t i = 0; rc == ESK_OK && i < WORKSHOP_COMMAND_TYPE_COUNT; i++)
        rc = esk_bus_register(a->bus, workshop_command_types[i],
                              handle_workshop_command, NULL);
    if (rc != ESK_OK)
        return esk_error_set(rc, "the bus: %s", esk_errmsg());
    return ESK_OK;
}

esk_status app_open(app *a)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = app_clock;
    options.clock_ctx = a;
    a->store = NULL;
    a->bus = NULL;
    a->waitlist = NULL;
    a->payments = NULL;
    a->commands[0] = '\0';
    a->command_count = 0;
    a->log = (esk_log_sink){keep_line, a};

    esk_status rc = esk_store_open_sqlite(&a->store, ":memory:", &options);
    if (rc != ESK_OK)
        return rc;
    exercise_watch_store(a->store);
    rc = open_bus(a);
    if (rc == ESK_OK)
        rc = unpaid_setup(a->store);
    if (rc == ESK_OK)
        rc = parked_setup(a->store);
    if (rc == ESK_OK &&
        ((rc = esk_process_runner_new(&a->waitlist, a->store, a->bus,
                                      &waitlist_process)) != ESK_OK ||
         (rc = esk_process_runner_new(&a->payments, a->store, a->bus,
                                      &payments_process)) != ESK_OK))
        esk_error_set(rc, "a process runner: %s", esk_errmsg());
    /* Closing cannot fail, so the last error still says why. */
    if (rc != ESK_OK)
        app_close(a);
    return rc;
}

void app_close(app *a)
{
    esk_process_runner_free(a->payments);
    esk_process_runner_free(a->waitlist);
    esk_bus_free(a->bus);
    esk_store_free(a->store);
    a->payments = NULL;
    a->waitlist = NULL;
    a->bus = NULL;
    a->store = NULL;
}

esk_status app_send(app *a, const workshop_command *command, const char *id,
                    const char *correlation_id, esk_command_result *result)
{
    const esk_command c = {
        .type = workshop_command_type(command->kind),
        .id = id,
        .correlation_id = correlation_id,
        .payload = command,
    };
    return esk_bus_dispatch(a->bus, &c, result);
}
