/*
 * web/html.c - HTML escaping (web/html.h).
 */
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>

#include "html.h"

/* The entity for c, or NULL when c stands for itself. */
static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

esk_status esk_html_escape(char **out, const char *text)
{
    if (out == NULL || text == NULL)
        return esk_error_set(ESK_EINVAL, "out or text is NULL");
    size_t size = 1;
    for (const char *p = text; *p != '\0'; p++) {
        const char *e = entity(*p);
        size += e != NULL ? strlen(e) : 1;
    }
    char *escaped = malloc(size);
    if (escaped == NULL)
        return esk_error_set(ESK_ENOMEM, "out of memory to escape %zu bytes",
                             strlen(text));
    char *w = escaped;
    for (const char *p = text; *p != '\0'; p++) {
        const char *e = entity(*p);
        if (e == NULL) {
            *w++ = *p;
            continue;
        }
        size_t n = strlen(e);
        memcpy(w, e, n);
        w += n;
    }
    *w = '\0';
    *out = escaped;
    esk_error_clear();
    return ESK_OK;
}
