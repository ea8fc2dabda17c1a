/*
 * handler.c - load, decide, append expecting the version loaded; on a
 * conflict, all over again. Commands are recognised by the ids of their
 * events, so that one delivered twice is handled once.
 */
#include <stdio.h>
#include <string.h>

#include "handler.h"
#include "race.h"

bool command_already_handled(const esk_event_list *stream,
                             const char *command_id)
{
    size_t length = strlen(command_id);
    for (size_t i = 0; i < stream->count; i++) {
        const char *id = stream->events[i].event_id;
        /* The '/' matters: "cmd-10/0" starts with "cmd-1" too. */
        if (strncmp(id, command_id, length) == 0 && id[length] == '/')
            return true;
    }
    return false;
}

esk_status append_decision(esk_store *store, const char *stream_id,
                           int64_t expected_version,
                           const esk_decision *decision, const char *command_id)
{
    esk_new_event events[MAX_EVENTS_PER_COMMAND];
    /* One byte more than an event id may have: an id cut by snprintf is
     * still too long, and the store refuses it rather than store a key
     * that another command could share. */
    char ids[MAX_EVENTS_PER_COMMAND][ESK_EVENT_ID_MAX + 2];
    size_t n = esk_decision_count(decision);

    /* The store refuses an empty batch; accepting a command that changes
     * nothing is a success with nothing to write. */
    if (n == 0)
        return ESK_OK;
    if (n > MAX_EVENTS_PER_COMMAND)
        return esk_error_set(ESK_EINVAL,
                             "command '%s' makes %zu events, more than the %d "
                             "a command may make (MAX_EVENTS_PER_COMMAND)",
                             command_id, n, MAX_EVENTS_PER_COMMAND);
    for (size_t i = 0; i < n; i++) {
        const esk_event_type *type = NULL;
        const char *data = NULL;
        esk_decision_event(decision, i, &type, &data);
        snprintf(ids[i], sizeof(ids[i]), "%s/%zu", command_id, i);
        events[i] = (esk_new_event){.event_id = ids[i],
                                    .type = type->name,
                                    .schema_version = type->schema_version,
                                    .data = data};
    }
    return esk_store_append(store, stream_id, expected_version, events, n,
                            NULL);
}

esk_status handle_with_retry(esk_store *store, const workshop_command *command,
                             const char *command_id, int max_attempts)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;
    workshop_state state;
    esk_status rc = ESK_ECONCURRENCY;

    if (max_attempts < 1)
        return esk_error_set(ESK_EINVAL,
                             "max_attempts is %d: give 1 or more (1 is no "
                             "retry)",
                             max_attempts);
    snprintf(stream_id, sizeof(stream_id), "%s-%s", workshop_decider.category,
             command->workshop_id);
    for (int attempt = 1; attempt <= max_attempts && rc == ESK_ECONCURRENCY;
         attempt++) {
        rc = esk_store_read_stream(store, stream_id, 1, 0, &stream);
        if (rc == ESK_OK)
            rc = esk_decider_fold(&workshop_decider, &state, stream.events,
                                  stream.count);
        if (rc != ESK_OK || command_already_handled(&stream, command_id))
            break;
        /* Every attempt decides afresh: the last decision was made on a
         * state that is no longer true. */
        esk_decision_clear(&decision);
        rc = workshop_decider.decide(&state, command, &decision);
        /* A refusal is in the last error already, with the domain's code:
         * leave without calling anything that could fail and replace it. */
        if (rc != ESK_OK)
            break;
        race_window(store, command, attempt);
        rc = append_decision(store, stream_id, (int64_t)stream.count, &decision,
                             command_id);
    }
    esk_decision_release(&decision);
    esk_event_list_release(&stream);
    return rc;
}
