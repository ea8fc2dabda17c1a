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
    char message[ESK_ERROR_MESSAGE_MAX];
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

static esk_status bus_fail(esk_bus *bus, esk_status status, const char *format,
                           ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static esk_status bus_fail(esk_bus *bus, esk_status status, const char *format,
                           ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(bus->message, sizeof(bus->message), format, args);
    va_end(args);
    return status;
}

esk_status esk_bus_new(esk_bus **out, esk_store *store)
{
    if (out == NULL || store == NULL)
        return ESK_EINVAL;
    esk_bus *bus = esk__calloc(1, sizeof(*bus));
    if (bus == NULL)
        return ESK_ENOMEM;
    bus->store = store;
    *out = bus;
    return ESK_OK;
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

const char *esk_bus_errmsg(const esk_bus *bus)
{
    return bus == NULL ? "no bus (NULL handle)" : bus->message;
}

/* Check one text field of a command; what is the field's name for the
 * message. */
static esk_status check_text(esk_error *err, const char *what, const char *text,
                             size_t max, bool required)
{
    if (text == NULL) {
        if (!required)
            return ESK_OK;
        return esk__error_set(err, ESK_EINVAL, "the command has no %s", what);
    }
    size_t len = strlen(text);
    if (len == 0)
        return esk__error_set(err, ESK_EINVAL, "the command's %s is empty",
                              what);
    if (len > max)
        return esk__error_set(err, ESK_EINVAL,
                              "the command's %s is %zu bytes long; the "
                              "longest is %zu",
                              what, len, max);
    if (!esk__utf8_valid(text, max))
        return esk__error_set(err, ESK_EINVAL,
                              "the command's %s is not valid UTF-8", what);
    return ESK_OK;
}

static esk_status check_command(const esk_command *command, esk_error *err)
{
    esk_status rc =
        check_text(err, "type", command->type, ESK_COMMAND_TYPE_MAX, true);
    if (rc == ESK_OK)
        rc = check_text(err, "id", command->id, ESK_COMMAND_ID_MAX, true);
    if (rc == ESK_OK)
        rc = check_text(err, "correlation id", command->correlation_id,
                        ESK_COMMAND_ID_MAX, false);
    if (rc == ESK_OK && command->payload_json != NULL) {
        esk_error json_err;
        if (esk_json_validate(command->payload_json, &json_err) != ESK_OK)
            rc = esk__error_set(err, ESK_EINVAL,
                                "the command's payload_json is not JSON: %s",
                                json_err.message);
    }
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
        return ESK_EINVAL;
    esk_error err;
    if (check_text(&err, "type", type, ESK_COMMAND_TYPE_MAX, true) != ESK_OK)
        return bus_fail(bus, ESK_EINVAL, "esk_bus_register: %s", err.message);
    if (handler == NULL)
        return bus_fail(bus, ESK_EINVAL,
                        "esk_bus_register: the handler of '%s' is NULL", type);
    if (find_handler(bus, type) != NULL)
        return bus_fail(bus, ESK_EEXISTS,
                        "'%s' already has a handler: a command type has "
                        "exactly one",
                        type);
    if (bus->handler_count == bus->handler_capacity) {
        size_t grown =
            bus->handler_capacity == 0 ? 8 : bus->handler_capacity * 2;
        handler_entry *more =
            esk__realloc(bus->handlers, grown * sizeof(*more));
        if (more == NULL)
            return bus_fail(bus, ESK_ENOMEM, "out of memory registering '%s'",
                            type);
        bus->handlers = more;
        bus->handler_capacity = grown;
    }
    char *copy = esk__strdup(type);
    if (copy == NULL)
        return bus_fail(bus, ESK_ENOMEM, "out of memory registering '%s'",
                        type);
    bus->handlers[bus->handler_count++] = (handler_entry){copy, handler, data};
    bus->message[0] = '\0';
    return ESK_OK;
}

esk_status esk_bus_use(esk_bus *bus, const esk_middleware *middleware)
{
    if (bus == NULL)
        return ESK_EINVAL;
    if (middleware == NULL)
        return bus_fail(bus, ESK_EINVAL, "esk_bus_use: the middleware is NULL");
    if (middleware->before == NULL && middleware->around == NULL)
        return bus_fail(bus, ESK_EINVAL,
                        "esk_bus_use: middleware '%s' has neither a before "
                        "nor an around function",
                        middleware->name != NULL ? middleware->name : "?");
    if (bus->middleware_count == bus->middleware_capacity) {
        size_t grown =
            bus->middleware_capacity == 0 ? 4 : bus->middleware_capacity * 2;
        esk_middleware *more =
            esk__realloc(bus->middleware, grown * sizeof(*more));
        if (more == NULL)
            return bus_fail(bus, ESK_ENOMEM, "out of memory adding middleware");
        bus->middleware = more;
        bus->middleware_capacity = grown;
    }
    bus->middleware[bus->middleware_count++] = *middleware;
    bus->message[0] = '\0';
    return ESK_OK;
}

/* "no handler for 'Foo'; registered: A, B", cut with "..." when long. */
static void no_handler_message(const esk_bus *bus, const char *type,
                               esk_error *err)
{
    char *m = err->message;
    size_t size = sizeof(err->message);
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
    err->status = ESK_ENOHANDLER;
    err->code = 0;
}

static void reset_outcome(esk_command_result *result)
{
    result->status = ESK_OK;
    result->domain_code = 0;
    result->message[0] = '\0';
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
        esk_status rc = mw->before(mw->data, ctx, &ctx->command);
        if (rc != ESK_OK) {
            if (ctx->result->message[0] == '\0')
                esk_context_fail(ctx, rc, 0, "refused by middleware '%s': %s",
                                 mw->name != NULL ? mw->name : "?",
                                 esk_status_str(rc));
            return rc;
        }
    }
    return ESK_OK;
}

/* Find the handler, run the before middleware, then the chain. */
static esk_status dispatch(esk_context *ctx, esk_error *err)
{
    esk_bus *bus = ctx->bus;
    const char *type = ctx->command.type;

    ctx->handler = find_handler(bus, type);
    if (ctx->handler == NULL) {
        no_handler_message(bus, type, err);
        return ESK_ENOHANDLER;
    }
    esk_status rc = run_before(ctx);
    if (rc != ESK_OK) {
        esk__error_set(err, rc, "%s", ctx->result->message);
        err->code = ctx->result->domain_code;
        return rc;
    }
    rc = check_command(&ctx->command, err);
    if (rc != ESK_OK) {
        char reason[ESK_ERROR_MESSAGE_MAX];
        memcpy(reason, err->message, sizeof(reason));
        return esk__error_set(err, rc, "after the before middleware, %s",
                              reason);
    }
    /* A before middleware may have mapped the command to another type. */
    if (strcmp(type, ctx->command.type) != 0) {
        ctx->handler = find_handler(bus, ctx->command.type);
        if (ctx->handler == NULL) {
            no_handler_message(bus, ctx->command.type, err);
            return ESK_ENOHANDLER;
        }
    }
    ctx->metadata.correlation_id = ctx->command.correlation_id != NULL
                                       ? ctx->command.correlation_id
                                       : ctx->command.id;
    ctx->metadata.causation_id = ctx->command.id;
    ctx->chain = 0;
    reset_outcome(ctx->result);
    rc = esk_next(ctx);
    esk__error_set(err, rc, "%s", ctx->result->message);
    err->code = ctx->result->domain_code;
    return rc;
}

esk_status esk_bus_dispatch(esk_bus *bus, const esk_command *command,
                            esk_command_result *result)
{
    esk_command_result own;
    esk_error err = {ESK_OK, ESK_EXT_NONE, 0, {0}};
    esk_status rc = ESK_OK;

    if (result == NULL)
        result = &own;
    memset(result, 0, sizeof(*result));
    if (bus == NULL) {
        rc = esk__error_set(&err, ESK_EINVAL,
                            "esk_bus_dispatch: the bus is "
                            "NULL");
        goto done;
    }
    if (command == NULL) {
        rc = esk__error_set(&err, ESK_EINVAL,
                            "esk_bus_dispatch: the command is NULL");
        goto done;
    }
    rc = check_command(command, &err);
    if (rc != ESK_OK)
        goto done;
    esk_context ctx = {.bus = bus, .command = *command, .result = result};
    rc = dispatch(&ctx, &err);
done:
    result->status = rc;
    if (rc == ESK_OK) {
        result->domain_code = 0;
        result->message[0] = '\0';
    } else {
        result->domain_code = rc == ESK_EDOMAIN ? err.code : 0;
        if (err.message[0] == '\0')
            snprintf(err.message, sizeof(err.message), "%s",
                     esk_status_str(rc));
        memcpy(result->message, err.message, sizeof(result->message));
    }
    if (bus != NULL)
        memcpy(bus->message, result->message, sizeof(bus->message));
    return rc;
}

/* --- The context -------------------------------------------------------- */

esk_status esk_next(esk_context *context)
{
    if (context == NULL)
        return ESK_EINVAL;
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
        context->result->status = rc;
        return rc;
    }
    /* The end of the chain: a fresh outcome for each run of the handler,
     * so that a retry does not report the previous attempt's failure. */
    esk_command_result *result = context->result;
    reset_outcome(result);
    result->attempts++;
    context->in_handler = true;
    rc = context->handler->fn(context, &context->command,
                              context->handler->data);
    context->in_handler = false;
    if (rc != ESK_OK && result->message[0] == '\0')
        esk_context_fail(context, rc, 0, "the handler of '%s' failed: %s",
                         context->command.type, esk_status_str(rc));
    result->status = rc;
    return rc;
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
        return ESK_EINVAL;
    esk_command_result *result = context->result;
    if (status == ESK_OK) {
        status = ESK_EINVAL;
        snprintf(result->message, sizeof(result->message),
                 "esk_context_fail() was given ESK_OK; give the failure's "
                 "status");
        domain_code = 0;
    } else {
        va_list args;
        va_start(args, format);
        vsnprintf(result->message, sizeof(result->message), format, args);
        va_end(args);
    }
    result->status = status;
    result->domain_code = status == ESK_EDOMAIN ? domain_code : 0;
    return status;
}

esk_status esk_context_fail_with(esk_context *context, const esk_error *err)
{
    if (context == NULL || err == NULL)
        return ESK_EINVAL;
    esk_status status = err->status == ESK_OK ? ESK_EINVAL : err->status;
    return esk_context_fail(context, status, err->code, "%s",
                            err->status == ESK_OK
                                ? "esk_context_fail_with() was given an "
                                  "error whose status is ESK_OK"
                                : err->message);
}

esk_status esk_context_handle(esk_context *context, const esk_decider *decider,
                              const char *id, const void *command)
{
    if (context == NULL)
        return ESK_EINVAL;
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    esk_decision decision = ESK_DECISION_INIT;
    esk_handle_result handled = {0, 0, 0, 0, 0, false};
    esk_error err;

    options.metadata = &context->metadata;
    esk_status rc =
        esk_decider_handle(decider, context->bus->store, id, command, &options,
                           &decision, &handled, &err);
    esk_decision_release(&decision);
    esk_command_result *result = context->result;
    result->event_count = handled.event_count;
    result->version = handled.version;
    result->position = handled.position;
    if (rc != ESK_OK)
        return esk_context_fail_with(context, &err);
    return ESK_OK;
}

esk_status esk_context_save(esk_context *context, esk_repository *repo,
                            void *state)
{
    if (context == NULL)
        return ESK_EINVAL;
    if (repo == NULL || state == NULL)
        return esk_context_fail(context, ESK_EINVAL, 0,
                                "esk_context_save: the %s is NULL",
                                repo == NULL ? "repository" : "aggregate");
    const esk_aggregate *base = state;
    size_t count = esk_aggregate_pending_count(state);
    esk_append_result appended = {base->version, 0};
    esk_status rc =
        esk_repository_save(repo, state, &context->metadata, &appended);
    if (rc != ESK_OK)
        return esk_context_fail(context, rc, 0, "%s",
                                esk_repository_errmsg(repo));
    esk_command_result *result = context->result;
    result->event_count = count;
    result->version = appended.version;
    result->position = appended.position;
    return ESK_OK;
}
