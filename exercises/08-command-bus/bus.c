/*
 * bus.c - the workshop application's bus: one handler for the workshop's
 * commands, a validation middleware, and the bus that ties them to your
 * idempotency middleware and esk's logging and retry, in an order that
 * makes each of them right. Provided: read it, you do not edit it.
 */
#include "bus.h"
#include "idempotency.h"

esk_status handle_workshop_command(esk_context *context,
                                   const esk_command *command, void *data)
{
    (void)data;
    /* The decider does the work; esk_context_handle() adds the store, the
     * command's metadata and the result. One handler serves every kind:
     * the decider chooses by c->kind. */
    const workshop_command *c = command->payload;
    return esk_context_handle(context, &workshop_decider, c->workshop_id, c);
}

esk_status validate_workshop_command(void *data, esk_context *context,
                                     esk_command *command)
{
    (void)data;
    const workshop_command *c = command->payload;

    if (c == NULL)
        return esk_context_fail(context, ESK_EINVAL, 0,
                                "%s '%s' has no payload: send a "
                                "workshop_command",
                                command->type, command->id);
    if (c->workshop_id[0] == '\0')
        return esk_context_fail(context, ESK_EINVAL, 0,
                                "%s needs a workshop id", command->type);
    switch (c->kind) {
    case SCHEDULE_WORKSHOP:
        if (c->title[0] == '\0')
            return esk_context_fail(context, ESK_EINVAL, 0,
                                    "ScheduleWorkshop needs a title");
        /* Shape, not policy: a capacity of 0 or less is no capacity at
         * all. How many seats a workshop may have is the domain's rule
         * (INVALID_CAPACITY), which the decider keeps. */
        if (c->capacity < 1)
            return esk_context_fail(context, ESK_EINVAL, 0,
                                    "ScheduleWorkshop needs a capacity of at "
                                    "least 1, not %lld",
                                    (long long)c->capacity);
        break;
    case REGISTER_ATTENDEE:
        if (c->attendee_id[0] == '\0')
            return esk_context_fail(context, ESK_EINVAL, 0,
                                    "RegisterAttendee needs an attendee id");
        if (c->name[0] == '\0')
            return esk_context_fail(context, ESK_EINVAL, 0,
                                    "RegisterAttendee needs the attendee's "
                                    "name");
        break;
    case CANCEL_REGISTRATION:
        if (c->attendee_id[0] == '\0')
            return esk_context_fail(context, ESK_EINVAL, 0,
                                    "CancelRegistration needs an attendee "
                                    "id");
        break;
    case PROMOTE_FROM_WAITLIST:
    case CLOSE_REGISTRATION:
        break;
    }
    return ESK_OK;
}

/* Read by the retry middleware on every dispatch: it must outlive the
 * bus. A short pause between attempts lets the winner of a race finish. */
static const esk_retry_policy retry_policy = {.max_attempts = 3,
                                              .backoff_ms = 1};

esk_status workshop_bus_new(esk_bus **out, esk_store *store,
                            const esk_log_sink *log)
{
    const esk_middleware chain[] = {
        /* Before the around chain, whatever its place in the list: a
         * malformed command never reaches logging, idempotency or a
         * handler. */
        {"validation", validate_workshop_command, NULL, NULL},
        /* Outermost: it times and reports what the rest of the chain did,
         * duplicates and retries included, in one line per command. */
        esk_logging_middleware(log),
        /* Yours. Before retry: the attempts run inside its one
         * transaction, so a conflict undoes the failed append only, and
         * the outcome is recorded once, with the events of the attempt
         * that succeeded. */
        {"idempotency", NULL, idempotency_around, NULL},
        /* Innermost: it reruns only the handler. */
        esk_retry_middleware(&retry_policy),
    };
    esk_bus *bus = NULL;
    esk_status rc = esk_bus_new(&bus, store);

    for (size_t i = 0; rc == ESK_OK && i < sizeof(chain) / sizeof(chain[0]);
         i++)
        rc = esk_bus_use(bus, &chain[i]);
    for (size_t i = 0; rc == ESK_OK && i < WORKSHOP_COMMAND_TYPE_COUNT; i++)
        rc = esk_bus_register(bus, workshop_command_types[i],
                              handle_workshop_command, NULL);
    if (rc != ESK_OK) {
        esk_bus_free(bus);
        return rc;
    }
    *out = bus;
    return ESK_OK;
}
