/*
 * outcome.c - a command's first answer, to and from JSON. Provided.
 */
#include "outcome.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

esk_status outcome_capture(esk_context *context, esk_status status,
                           outcome *out)
{
    if (context == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "outcome_capture needs a context "
                                         "and an outcome to fill");
    if (status != ESK_OK && status != ESK_EDOMAIN)
        return esk_error_set(ESK_EINVAL,
                             "%s is a failure, not an answer: only ESK_OK "
                             "and ESK_EDOMAIN are kept as outcomes",
                             esk_status_str(status));
    const esk_command *command = esk_context_command(context);
    const esk_command_result *result = esk_context_result(context);
    const esk_error *last = esk_error_last();
    *out = (outcome){.status = status,
                     .event_count = result->event_count,
                     .version = result->version,
                     .position = result->position};
    copy_text(out->type, sizeof out->type, command->type);
    if (status == ESK_EDOMAIN) {
        out->domain_code = last->code;
        copy_text(out->message, sizeof out->message, last->message);
    }
    if (command->payload_json != NULL) {
        size_t len = strlen(command->payload_json);
        out->payload_json = malloc(len + 1);
        if (out->payload_json == NULL)
            return esk_error_set(ESK_ENOMEM, "out of memory copying the "
                                             "payload_json of an outcome");
        memcpy(out->payload_json, command->payload_json, len + 1);
    }
    return ESK_OK;
}

esk_status outcome_to_json(const outcome *o, char **json)
{
    if (o == NULL || json == NULL)
        return esk_error_set(ESK_EINVAL, "outcome_to_json needs an outcome "
                                         "and a place for the text");
    json_t *object = json_pack(
        "{s:s, s:o, s:i, s:i, s:s, s:I, s:I, s:I}", "type", o->type,
        "payloadJson",
        o->payload_json != NULL ? json_string(o->payload_json) : json_null(),
        "status", (int)o->status, "domainCode", o->domain_code, "message",
        o->message, "eventCount", (json_int_t)o->event_count, "version",
        (json_int_t)o->version, "position", (json_int_t)o->position);
    /* Into memory of malloc(), whatever allocator jansson was given. */
    size_t size =
        object != NULL ? json_dumpb(object, NULL, 0, JSON_COMPACT) : 0;
    char *text = size > 0 ? malloc(size + 1) : NULL;
    if (text != NULL) {
        json_dumpb(object, text, size, JSON_COMPACT);
        text[size] = '\0';
    }
    json_decref(object);
    if (text == NULL)
        return esk_error_set(ESK_ENOMEM,
                             "out of memory writing the outcome "
                             "of a %s command",
                             o->type);
    *json = text;
    return ESK_OK;
}

esk_status outcome_from_json(const char *json, outcome *out)
{
    if (json == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL, "outcome_from_json needs a text and "
                                         "an outcome to fill");
    json_t *object = json_loads(json, 0, NULL);
    json_t *payload = NULL;
    const char *type = NULL;
    const char *message = NULL;
    int status = 0;
    int code = 0;
    json_int_t count = 0, version = 0, position = 0;
    if (object == NULL ||
        json_unpack(object, "{s:s, s:o, s:i, s:i, s:s, s:I, s:I, s:I}", "type",
                    &type, "payloadJson", &payload, "status", &status,
                    "domainCode", &code, "message", &message, "eventCount",
                    &count, "version", &version, "position", &position) != 0 ||
        (status != ESK_OK && status != ESK_EDOMAIN) || count < 0 ||
        (!json_is_null(payload) && !json_is_string(payload))) {
        json_decref(object);
        return esk_error_set(ESK_ECORRUPT,
                             "this record is not an outcome outcome.c "
                             "wrote: %.200s",
                             json);
    }
    *out = (outcome){.status = (esk_status)status,
                     .domain_code = code,
                     .event_count = (size_t)count,
                     .version = (int64_t)version,
                     .position = (int64_t)position};
    copy_text(out->type, sizeof out->type, type);
    copy_text(out->message, sizeof out->message, message);
    if (json_is_string(payload)) {
        size_t len = json_string_length(payload);
        out->payload_json = malloc(len + 1);
        if (out->payload_json != NULL)
            memcpy(out->payload_json, json_string_value(payload), len + 1);
    }
    bool out_of_memory = json_is_string(payload) && out->payload_json == NULL;
    json_decref(object);
    if (out_of_memory)
        return esk_error_set(ESK_ENOMEM, "out of memory reading an outcome");
    esk_error_clear();
    return ESK_OK;
}

esk_status outcome_reply(esk_context *context, const outcome *o)
{
    if (context == NULL || o == NULL)
        return esk_error_set(ESK_EINVAL, "outcome_reply needs a context and "
                                         "an outcome");
    if (o->status == ESK_EDOMAIN)
        return esk_context_fail(context, ESK_EDOMAIN, o->domain_code, "%s",
                                o->message);
    esk_error_clear();
    return o->status;
}

void outcome_release(outcome *o)
{
    if (o == NULL)
        return;
    free(o->payload_json);
    o->payload_json = NULL;
}

esk_status rollback_keeping_error(esk_store *store)
{
    esk_error kept = *esk_error_last();
    esk_status rc = esk_store_rollback(store);
    if (rc != ESK_OK)
        return rc;
    if (kept.status == ESK_EDOMAIN)
        esk_domain_error(kept.code, "%s", kept.message);
    else
        esk_error_set(kept.status, "%s", kept.message);
    return ESK_OK;
}
