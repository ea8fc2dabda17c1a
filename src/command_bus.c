/*
 * src/command_bus.c - the bus: one handler per command type, middleware
 * before and around it, and what handlers use from the context.
 */
#include <stdio.h>
#include <string.h>

#include "esk/command_bus.h"
#include "internal.h"

typedef struct handler_entry {
    char *type;
    esk_handler_fn fn;
    void *data;
} handler_entry;

struct esk_bus {
    esk_store *store;
    /* Command types are few: a list in registration order, searched
     * linearly, which is also the order the "no handler" message lists. */
    handler_entry *handlers;
    size_t handler_count;
    size_t handler_capacity;
    esk_middleware *middleware;
    size_t middleware_count;
    size_t middleware_capacity;
};

struct esk_context {
    esk_bus *bus;
    /* The bus's own copy, which before middleware may change. */
    esk_command command;
    esk_command_result *result;
    esk_metadata metadata;
    const handler_entry *handler;
    /* The index of the middleware esk_next() looks at first. */
    size_t chain;
    /* Set while the handler runs: it must not call esk_next(). */
    bool in_handler;
};

esk_status esk_bus_new(esk_bus **out, esk_store *store)
{
    if (out == NULL || store == NULL)
        return esk__fail(ESK_EINVAL, "esk_bus_new: %s is NULL",
                         out == NULL ? "out" : "the store");
    esk_bus *bus = esk__calloc(1, sizeof(*bus));
    if (bus == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory creating a bus");
    bus->store = store;
    *out = bus;
    return esk__ok();
}

void esk_bus_free(esk_bus *bus)
{
    if (bus == NULL)
        return;
    for (size_t i = 0; i < bus->handler_count; i++)
        esk__free(bus->handlers[i].type);
    esk__free(bus->handlers);
    esk__free(bus->middleware);
    esk__free(bus);
}

/* Check one text field of a command; what is the field's name for the
 * message. */
static esk_status check_text(const char *what, const char *text, size_t max,
                             bool required)
{
    if (text == NULL) {
        if (!required)
            return ESK_OK;
        return esk__fail(ESK_EINVAL, "the command has no %s", what);
    }
    size_t len = strlen(text);
    if (len == 0)
        return esk__fail(ESK_EINVAL, "the command's %s is empty", what);
    if (len > max)
        return esk__fail(ESK_EINVAL,
                         "the command's %s is %zu bytes long; the "
                         "longest is %zu",
                         what, len, max);
    if (!esk__utf8_valid(text, max))
        return esk__fail(ESK_EINVAL, "the command's %s is not valid UTF-8",
                         what);
    return ESK_OK;
}

static esk_status check_command(const esk_command *command)
{
    esk_status rc =
        check_text("type", command->type, ESK_COMMAND_TYPE_MAX, true);
    if (rc == ESK_OK)
        rc = check_text("id", command->id, ESK_COMMAND_ID_MAX, true);
    if (rc == ESK_OK)
        rc = check_text("correlation id", command->correlation_id,
                        ESK_COMMAND_ID_MAX, false);
    if (rc == ESK_OK && command->payload_json != NULL &&
        esk_json_validate(command->payload_json) != ESK_OK)
        rc = esk__fail_within(ESK_EINVAL,
                              "the command's payload_json is not JSON");
    return rc;
}

static handler_entry *find_handler(esk_bus *bus, const char *type)
{
    for (size_t i = 0; i < bus->handler_count; i++)
        if (strcmp(bus->handlers[i].type, type) == 0)
            return &bus->handlers[i];
    return NULL;
}

esk_status esk_bus_register(esk_bus *bus, const char *type,
                            esk_handler_fn handler, void *data)
{
    if (bus == NULL)
        return esk__fail(ESK_EINVAL, "esk_bus_register: the bus is NULL");
    if (check_text("type", type, ESK_COMMAND_TYPE_MAX, true) != ESK_OK)
        return esk__fail_within(ESK_EINVAL, "esk_bus_register");
    if (handler == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_bus_register: the handler of '%s' is NULL", type);
    if (find_handler(bus, type) != NULL)
        return esk__fail(ESK_EEXISTS,
                         "'%s' already has a handler: a command type has "
                         "exactly one",
                         type);
    if (bus->handler_count == bus->handler_capacity) {
        size_t grown =
            bus->handler_capacity == 0 ? 8 : bus->handler_capacity * 2;
        handler_entry *more =
            esk__realloc(bus->handlers, grown * sizeof(*more));
        if (more == NULL)
            return esk__fail(ESK_ENOMEM, "out of memory registering '%s'",
                             type);
        bus->handlers = more;
        bus->handler_capacity = grown;
    }
    char *copy = esk__strdup(type);
    if (copy == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory registering '%s'", type);
    bus->handlers[bus->handler_count++] = (handler_entry){copy, handler, data};
    return esk__ok();
}

esk_status esk_bus_use(esk_bus *bus, const esk_middleware *middleware)
{
    if (bus == NULL)
        return esk__fail(ESK_EINVAL, "esk_bus_use: the bus is NULL");
    if (middleware == NULL)
        return esk__fail(ESK_EINVAL, "esk_bus_use: the middleware is NULL");
    if (middleware->before == NULL && middleware->around == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_bus_use: middleware '%s' has neither a before "
                         "nor an around function",
                         middleware->name != NULL ? middleware->name : "?");
    if (bus->middleware_count == bus->middleware_capacity) {
        size_t grown =
            bus->middleware_capacity == 0 ? 4 : bus->middleware_capacity * 2;
        esk_middleware *more =
            esk__realloc(bus->middleware, grown * sizeof(*more));
        if (more == NULL)
            return esk__fail(ESK_ENOMEM, "out of memory adding middleware");
        bus->middleware = more;
        bus->middleware_capacity = grown;
    }
    bus->middleware[bus->middleware_count++] = *middleware;
    return esk__ok();
}

/* "no handler for 'Foo'; registered: A, B", cut with "..." when long. */
static esk_status no_handler(const esk_bus *bus, const char *type)
{
    char m[ESK_ERROR_MESSAGE_MAX];
    size_t size = sizeof(m);
    int len = snprintf(m, size, "no handler for '%s'; %s", type,
                       bus->handler_count == 0 ? "no command type is "
                                                 "registered"
                                               : "registered:");
    for (size_t i = 0; i < bus->handler_count && len >= 0; i++) {
        if ((size_t)len >= size)
            break;
        len += snprintf(m + len, size - (size_t)len, "%s %s", i ? "," : "",
                        bus->handlers[i].type);
    }
    if (len < 0 || (size_t)len >= size)
        memcpy(m + size - 4, "...", 4);
    return esk__fail(ESK_ENOHANDLER, "%s", m);
}

static void reset_outcome(esk_command_result *result)
{
    result->event_count = 0;
    result->version = 0;
    result->position = 0;
}

static esk_status run_before(esk_context *ctx)
{
    esk_bus *bus = ctx->bus;
    for (size_t i = 0; i < bus->middleware_count; i++) {
        const esk_middleware *mw = &bus->middleware[i];
        if (mw->before == NULL)
            continue;
        esk_error_clear();
        esk_status rc = mw->before(mw->data, ctx, &ctx->command);
        const char *name = mw->name != NULL ? mw->name : "?";
        if (rc != ESK_OK && esk_error_last()->message[0] == '\0')
            return esk__fail(rc, "refused by middleware '%s': %s", name,
                             esk_status_str(rc));
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

/* Find the handler, run the before middleware, then the chain. */
static esk_status dispatch(esk_context *ctx)
{
    esk_bus *bus = ctx->bus;
    const char *type = ctx->command.type;

    ctx->handler = find_handler(bus, type);
    if (ctx->handler == NULL)
        return no_handler(bus, type);
    esk_status rc = run_before(ctx);
    if (rc != ESK_OK)
        return rc;
    rc = check_command(&ctx->command);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "after the before middleware");
    /* A before middleware may have mapped the command to another type. */
    if (strcmp(type, ctx->command.type) != 0) {
        ctx->handler = find_handler(bus, ctx->command.type);
        if (ctx->handler == NULL)
            return no_handler(bus, ctx->command.type);
    }
    ctx->metadata.correlation_id = ctx->command.correlation_id != NULL
                                       ? ctx->command.correlation_id
                                       : ctx->command.id;
    ctx->metadata.causation_id = ctx->command.id;
    ctx->chain = 0;
    reset_outcome(ctx->result);
    return esk_next(ctx);
}

esk_status esk_bus_dispatch(esk_bus *bus, const esk_command *command,
                            esk_command_result *result)
{
    esk_command_result own;

    if (result == NULL)
        result = &own;
    memset(result, 0, sizeof(*result));
    if (bus == NULL || command == NULL)
        return esk__fail(ESK_EINVAL, "esk_bus_dispatch: the %s is NULL",
                         bus == NULL ? "bus" : "command");
    esk_status rc = check_command(command);
    if (rc != ESK_OK)
        return rc;
    esk_context ctx = {.bus = bus, .command = *command, .result = result};
    rc = dispatch(&ctx);
    if (rc != ESK_OK)
        reset_outcome(result);
    return rc == ESK_OK ? esk__ok() : rc;
}

/* --- The context -------------------------------------------------------- */

esk_status esk_next(esk_context *context)
{
    if (context == NULL)
        return esk__fail(ESK_EINVAL, "esk_next: the context is NULL");
    if (context->in_handler)
        return esk_context_fail(context, ESK_EINVAL, 0,
                                "a handler called esk_next(): only around "
                                "middleware may");
    esk_bus *bus = context->bus;
    size_t saved = context->chain;
    esk_status rc = ESK_OK;

    for (size_t i = saved; i < bus->middleware_count; i++) {
        const esk_middleware *mw = &bus->middleware[i];
        if (mw->around == NULL)
            continue;
        context->chain = i + 1;
        rc = mw->around(mw->data, context);
        context->chain = saved;
        return rc;
    }
    /* The end of the chain: a fresh outcome for each run of the handler,
     * so that a retry does not report the previous attempt's failure. */
    esk_command_result *result = context->result;
    reset_outcome(result);
    result->attempts++;
    context->in_handler = true;
    esk_error_clear();
    rc = context->handler->fn(context, &context->command,
                              context->handler->data);
    context->in_handler = false;
    /* A refusal is the domain's answer, in its own words; any other
     * failure says which handler it came from. */
    if (rc == ESK_EDOMAIN && esk_error_last()->status == ESK_EDOMAIN)
        return rc;
    if (rc != ESK_OK && esk_error_last()->message[0] == '\0')
        return esk__fail(rc, "the handler of '%s' failed: %s",
                         context->command.type, esk_status_str(rc));
    if (rc != ESK_OK)
        return esk__fail_within(rc, "the handler of '%s' failed",
                                context->command.type);
    return ESK_OK;
}

esk_store *esk__bus_store(const esk_bus *bus)
{
    return bus->store;
}

esk_store *esk_context_store(esk_context *context)
{
    return context == NULL ? NULL : context->bus->store;
}

const esk_command *esk_context_command(const esk_context *context)
{
    return context == NULL ? NULL : &context->command;
}

esk_command_result *esk_context_result(esk_context *context)
{
    return context == NULL ? NULL : context->result;
}

const esk_metadata *esk_context_metadata(const esk_context *context)
{
    return context == NULL ? NULL : &context->metadata;
}

esk_status esk_context_fail(esk_context *context, esk_status status,
                            int domain_code, const char *format, ...)
{
    if (context == NULL || format == NULL)
        return esk__fail(ESK_EINVAL, "esk_context_fail: the %s is NULL",
                         context == NULL ? "context" : "format");
    if (status == ESK_OK)
        return esk__fail(ESK_EINVAL, "esk_context_fail() was given ESK_OK; "
                                     "give the failure's status");
    char message[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    if (status == ESK_EDOMAIN)
        return esk_domain_error(domain_code, "%s", message);
    return esk__fail(status, "%s", message);
}

esk_status esk_context_fail_with(esk_context *context, esk_status status)
{
    if (context == NULL)
        return esk__fail(ESK_EINVAL, "esk_context_fail_with: the context is "
                                     "NULL");
    if (status == ESK_OK)
        return esk__fail(ESK_EINVAL, "esk_context_fail_with() was given "
                                     "ESK_OK; give the failure's status");
    if (esk_error_last()->status != status ||
        esk_error_last()->message[0] == '\0')
        return esk__fail(status, "the handler of '%s' failed: %s",
                         context->command.type, esk_status_str(status));
    return status;
}

esk_status esk_context_handle(esk_context *context, const esk_decider *decider,
                              const char *id, const void *command)
{
    if (context == NULL)
        return esk__fail(ESK_EINVAL, "esk_context_handle: the context is "
                                     "NULL");
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    esk_handle_result handled = {0, 0, 0, 0, 0, false};

    options.metadata = &context->metadata;
    esk_status rc = esk_decider_handle(decider, context->bus->store, id,
                                       command, &options, NULL, &handled);
    esk_command_result *result = context->result;
    result->event_count = handled.event_count;
    result->version = handled.version;
    result->position = handled.position;
    return rc;
}

esk_status esk_context_save(esk_context *context, esk_repository *repo,
                            void *state)
{
    if (context == NULL || repo == NULL || state == NULL)
        return esk__fail(ESK_EINVAL, "esk_context_save: the %s is NULL",
                         context == NULL ? "context"
                         : repo == NULL  ? "repository"
                                         : "aggregate");
    const esk_aggregate *base = state;
    size_t count = esk_aggregate_pending_count(state);
    esk_append_result appended = {base->version, 0};
    esk_status rc =
        esk_repository_save(repo, state, &context->metadata, &appended);
    if (rc != ESK_OK)
        return rc;
    esk_command_result *result = context->result;
    result->event_count = count;
    result->version = appended.version;
    result->position = appended.position;
    return esk__ok();
}
