/*
 * src/decision.c - what decide() concludes: events emitted, or a refusal.
 *
 * The decision keeps the events only; a refusal's reason is the thread's
 * last error, where esk_decision_reject() puts it like esk_domain_error().
 */
#include <stdio.h>
#include <string.h>

#include "decision_internal.h"

/* The private part, made on first use: an empty decision owns nothing. */
static struct esk__decision *private_part(esk_decision *decision)
{
    if (decision->internal == NULL)
        decision->internal = esk__calloc(1, sizeof(*decision->internal));
    return decision->internal;
}

esk_status esk_decision_emit(esk_decision *decision, const esk_event_type *type,
                             const void *event)
{
    if (decision == NULL || type == NULL || event == NULL)
        return esk__fail(ESK_EINVAL, "esk_decision_emit: the %s is NULL",
                         decision == NULL ? "decision"
                         : type == NULL   ? "event type"
                                          : "event struct");
    struct esk__decision *d = private_part(decision);
    if (d == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory emitting a %s event",
                         type->name != NULL ? type->name : "(unnamed)");
    /* A refusal stands: what is emitted after it is not an outcome. */
    if (d->refused)
        return esk__fail(ESK_EINVAL,
                         "esk_decision_emit: the command was refused already; "
                         "a refusal emits nothing");
    esk_status rc =
        esk__pending_push(&d->events, &d->count, &d->capacity, type, event);
    if (rc != ESK_OK)
        d->emit_failed = rc;
    return rc == ESK_OK ? esk__ok() : rc;
}

esk_status esk_decision_reject(esk_decision *decision, int code,
                               const char *format, ...)
{
    if (decision == NULL)
        return esk__fail(ESK_EINVAL, "esk_decision_reject: the decision is "
                                     "NULL");
    esk__decision_drop_events(decision);
    if (code == 0 || format == NULL)
        return esk__fail(ESK_EINVAL, "esk_decision_reject: %s",
                         code == 0 ? "the domain error code is 0; give "
                                     "the domain's own code"
                                   : "the message is NULL");
    struct esk__decision *d = private_part(decision);
    if (d != NULL)
        d->refused = true;
    char message[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    return esk_domain_error(code, "%s", message);
}

size_t esk_decision_count(const esk_decision *decision)
{
    return esk__decision_count(decision);
}

size_t esk__decision_count(const esk_decision *decision)
{
    return decision == NULL || decision->internal == NULL
               ? 0
               : decision->internal->count;
}

const esk__pending *esk__decision_events(const esk_decision *decision)
{
    return decision == NULL || decision->internal == NULL
               ? NULL
               : decision->internal->events;
}

esk_status esk_decision_event(const esk_decision *decision, size_t i,
                              const esk_event_type **type_out,
                              const char **json_out)
{
    size_t count = esk__decision_count(decision);
    if (decision == NULL || i >= count)
        return esk__fail(ESK_EINVAL,
                         "esk_decision_event: event %zu of %zu emitted", i,
                         count);
    const esk__pending *p = &decision->internal->events[i];
    if (type_out != NULL)
        *type_out = p->type;
    if (json_out != NULL)
        *json_out = p->json;
    return esk__ok();
}

void esk__decision_drop_events(esk_decision *decision)
{
    if (decision->internal != NULL)
        esk__pending_clear(decision->internal->events,
                           &decision->internal->count);
}

void esk_decision_clear(esk_decision *decision)
{
    if (decision == NULL || decision->internal == NULL)
        return;
    esk__decision_drop_events(decision);
    decision->internal->refused = false;
    decision->internal->emit_failed = ESK_OK;
}

void esk_decision_release(esk_decision *decision)
{
    if (decision == NULL || decision->internal == NULL)
        return;
    struct esk__decision *d = decision->internal;
    esk__pending_free(&d->events, &d->count, &d->capacity);
    esk__free(d);
    decision->internal = NULL;
}
