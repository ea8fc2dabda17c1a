/*
 * src/error.c - the calling thread's last error (esk/error.h).
 *
 * One record per thread, so that a call can report without a handle (a
 * constructor that failed has none) and without a parameter on every
 * function. libgit2 keeps its errors the same way.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local esk_error last_error;

const esk_error *esk_error_last(void)
{
    return &last_error;
}

const char *esk_errmsg(void)
{
    return last_error.message;
}

void esk_error_clear(void)
{
    last_error.status = ESK_OK;
    last_error.ext = ESK_EXT_NONE;
    last_error.code = 0;
    last_error.message[0] = '\0';
}

const char *esk_ext_str(esk_ext ext)
{
    switch (ext) {
    case ESK_EXT_NONE:
        return "no finer cause";
    case ESK_EXT_DISK_FULL:
        return "disk full";
    case ESK_EXT_BUSY_TIMEOUT:
        return "lock held past the busy timeout";
    case ESK_EXT_BUSY_SNAPSHOT:
        return "read snapshot is stale";
    case ESK_EXT_TRANSACTION_LOST:
        return "transaction ended by the database";
    }
    return "unknown extended code";
}

esk_status esk__vfail_ext(esk_status status, esk_ext ext, const char *format,
                          va_list args)
{
    if (status == ESK_OK)
        return esk__ok();
    /* The message may quote the last one (a callback's reason): format
     * into a copy first. */
    char message[ESK_ERROR_MESSAGE_MAX];
    vsnprintf(message, sizeof(message), format, args);
    last_error.status = status;
    last_error.ext = ext;
    last_error.code = 0;
    memcpy(last_error.message, message, sizeof(message));
    return status;
}

esk_status esk_error_set_ext(esk_status status, esk_ext ext, const char *format,
                             ...)
{
    va_list args;
    va_start(args, format);
    esk__vfail_ext(status, ext, format, args);
    va_end(args);
    return status;
}

esk_status esk__fail_within(esk_status status, const char *format, ...)
{
    char where[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(where, sizeof(where), format, args);
    va_end(args);

    /* Keep the inner cause's extended and domain codes when it is the
     * failure being passed on. */
    bool inner = last_error.status == status && last_error.message[0] != '\0';
    esk_ext ext = inner ? last_error.ext : ESK_EXT_NONE;
    int code = inner ? last_error.code : 0;
    if (last_error.message[0] != '\0')
        esk__fail_ext(status, ext, "%s: %s", where, last_error.message);
    else
        esk__fail_ext(status, ext, "%s (%s)", where, esk_status_str(status));
    last_error.code = code;
    return status;
}

esk_status esk__ok(void)
{
    esk_error_clear();
    return ESK_OK;
}

esk_status esk__record(esk_status rc)
{
    return rc == ESK_OK ? esk__ok() : rc;
}

void esk__note(const char *format, ...)
{
    char message[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    esk_error_clear();
    memcpy(last_error.message, message, sizeof(message));
}

void esk__error_save(esk_error *copy)
{
    *copy = last_error;
}

void esk__error_restore(const esk_error *copy)
{
    last_error = *copy;
}

esk_status esk_error_set(esk_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    esk__vfail_ext(status, ESK_EXT_NONE, format, args);
    va_end(args);
    return status;
}

esk_status esk_domain_error(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    esk__vfail_ext(ESK_EDOMAIN, ESK_EXT_NONE, format, args);
    va_end(args);
    last_error.code = code;
    return ESK_EDOMAIN;
}
