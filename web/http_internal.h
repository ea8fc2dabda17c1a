/*
 * web/http_internal.h - what http.c and http_reply.c share: the answer a
 * handler builds, before the server turns it into libmicrohttpd's.
 */
#ifndef ESK_WEB_HTTP_INTERNAL_H
#define ESK_WEB_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct esk_web_response {
    bool answered;
    unsigned status;
    const char *content_type; /* static, or the asset's */
    char *owned_type;         /* a copy, when the caller's */
    const void *body;         /* owned_body, or an asset's data */
    void *owned_body;
    size_t size;
};

/* Frees what the response owns and makes it unanswered again. */
void esk__web_response_clear(esk_web_response *response);

#endif
