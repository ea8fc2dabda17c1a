/*
 * idempotency.c - handle each command once: look its id up, answer a
 * duplicate with the first outcome, and record a new outcome in the same
 * transaction as the events it wrote.
 */
#include <stdlib.h>
#include <string.h>

#include <esk/record.h>
#include <esk/store.h>

#include "idempotency.h"

/* NULL matches only NULL: a payload sent once and not the other time is
 * another command. */
static bool same_text(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

esk_status answer_duplicate(esk_context *context, const outcome *first)
{
    const esk_command *command = esk_context_command(context);
    if (strcmp(first->type, command->type) != 0 ||
        !same_text(first->payload_json, command->payload_json))
        return esk_context_fail(context, ESK_EDUPLICATE, 0,
                                "command id '%s' was already used by another "
                                "%s command: give each command its own id",
                                command->id, first->type);
    esk_command_result *result = esk_context_result(context);
    result->event_count = first->event_count;
    result->version = first->version;
    result->position = first->position;
    result->duplicate = true;
    return outcome_reply(context, first);
}

esk_status record_outcome(esk_context *context, esk_status status)
{
    esk_store *store = esk_context_store(context);
    const esk_command *command = esk_context_command(context);
    outcome answer = {0};
    char *json = NULL;

    /* First, while the last error still holds a refusal's reason. */
    esk_status rc = outcome_capture(context, status, &answer);
    if (rc == ESK_OK)
        rc = outcome_to_json(&answer, &json);
    if (rc == ESK_OK) {
        const esk_record record = {command->id, answer.position, (int)status,
                                   json};
        rc = esk_store_put_record(store, ESK_RECORD_COMMAND, &record);
    }
    if (rc == ESK_OK) {
        /* A commit that fails rolls back by itself. */
        rc = esk_store_commit(store);
    } else {
        rollback_keeping_error(store);
    }
    if (rc == ESK_OK)
        rc = outcome_reply(context, &answer);
    free(json);
    outcome_release(&answer);
    return rc;
}

esk_status idempotency_around(void *data, esk_context *context)
{
    (void)data;
    esk_store *store = esk_context_store(context);
    const esk_command *command = esk_context_command(context);
    esk_record found;
    char *owned = NULL;

    /* The look-up, the handler's appends and the record in one unit. */
    esk_status rc = esk_store_begin(store);
    if (rc != ESK_OK)
        return rc;
    rc = esk_store_get_record(store, ESK_RECORD_COMMAND, command->id, &found,
                              &owned);
    if (rc == ESK_OK) {
        outcome first = {0};
        rc = outcome_from_json(found.value, &first);
        if (rc == ESK_OK)
            rc = answer_duplicate(context, &first);
        outcome_release(&first);
        esk_free(owned);
        esk_status ended = rollback_keeping_error(store);
        return ended != ESK_OK ? ended : rc;
    }
    if (rc != ESK_ENOTFOUND) {
        rollback_keeping_error(store);
        return rc;
    }
    rc = esk_next(context);
    if (rc == ESK_OK || rc == ESK_EDOMAIN)
        return record_outcome(context, rc);
    /* A conflict or an I/O error is no answer about the command: undo
     * what the attempts wrote, and record nothing, so that it can be sent
     * again. */
    rollback_keeping_error(store);
    return rc;
}
