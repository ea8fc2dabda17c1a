/*
 * web/http_reply.c - the answers a handler gives (web/http.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>

#include "http_internal.h"

void esk__web_response_clear(esk_web_response *response)
{
    free(response->owned_body);
    free(response->owned_type);
    memset(response, 0, sizeof(*response));
}

static esk_status check_reply(const esk_web_response *response, unsigned status)
{
    if (response == NULL)
        return esk_error_set(ESK_EINVAL, "the response is NULL");
    if (status < 100 || status > 599)
        return esk_error_set(
            ESK_EINVAL, "HTTP status %u is not between 100 and 599", status);
    if (response->answered)
        return esk_error_set(ESK_EINVAL,
                             "this request was answered already (status %u)",
                             response->status);
    return ESK_OK;
}

esk_status esk_web_reply(esk_web_response *response, unsigned status,
                         const char *content_type, const void *body,
                         size_t size)
{
    esk_status rc = check_reply(response, status);
    if (rc != ESK_OK)
        return rc;
    if (content_type == NULL || content_type[0] == '\0')
        return esk_error_set(ESK_EINVAL, "the content type is missing");
    if (body == NULL && size > 0)
        return esk_error_set(ESK_EINVAL, "the body is NULL but its size "
                                         "is not 0");
    /* One byte more, so that an empty body still allocates. */
    char *copy = malloc(size + 1);
    char *type = malloc(strlen(content_type) + 1);
    if (copy == NULL || type == NULL) {
        free(copy);
        free(type);
        return esk_error_set(ESK_ENOMEM,
                             "out of memory for a response of "
                             "%zu bytes",
                             size);
    }
    if (size > 0)
        memcpy(copy, body, size);
    strcpy(type, content_type);
    response->answered = true;
    response->status = status;
    response->owned_type = type;
    response->content_type = type;
    response->owned_body = copy;
    response->body = copy;
    response->size = size;
    esk_error_clear();
    return ESK_OK;
}

esk_status esk_web_reply_json(esk_web_response *response, unsigned status,
                              json_t *body)
{
    esk_status rc = check_reply(response, status);
    if (rc == ESK_OK && body == NULL)
        rc = esk_error_set(ESK_EINVAL, "the JSON body is NULL (a failed "
                                       "json_pack?)");
    if (rc != ESK_OK) {
        json_decref(body);
        return rc;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (text == NULL)
        return esk_error_set(ESK_ENOMEM, "out of memory for a JSON answer");
    rc =
        esk_web_reply(response, status, "application/json", text, strlen(text));
    free(text);
    return rc;
}

esk_status esk_web_reply_error(esk_web_response *response, unsigned status,
                               const char *format, ...)
{
    char message[512] = "";
    if (format != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(message, sizeof(message), format, args);
        va_end(args);
    }
    json_t *body = json_pack("{s:s}", "error", message);
    /* A message quoting the client's bytes may not be UTF-8. */
    if (body == NULL)
        body = json_pack("{s:s}", "error", "the request was refused");
    return esk_web_reply_json(response, status, body);
}

const esk_web_asset *esk_web_asset_find(const esk_web_asset *assets,
                                        size_t count, const char *path)
{
    if (assets == NULL || path == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++)
        if (strcmp(assets[i].path, path) == 0)
            return &assets[i];
    return NULL;
}

esk_status esk_web_reply_asset(esk_web_response *response,
                               const esk_web_asset *asset)
{
    esk_status rc = check_reply(response, 200);
    if (rc != ESK_OK)
        return rc;
    if (asset == NULL)
        return esk_error_set(ESK_EINVAL, "the asset is NULL");
    response->answered = true;
    response->status = 200;
    response->content_type = asset->content_type;
    response->body = asset->data;
    response->size = asset->size;
    esk_error_clear();
    return ESK_OK;
}
