/*
 * runner/error.c - the runner's last error (see error.h).
 */
#include "error.h"

#include <stdarg.h>
#include <stdlib.h>

static kata_status last_status = KATA_OK;
static char *last_message;

kata_status kata_fail(kata_status status, const char *format, ...)
{
    kata_buf b = {0};
    va_list args;
    va_start(args, format);
    kata_buf_vprintf(&b, format, args);
    va_end(args);
    /* Formatted before the old message goes: it may be one of the
     * arguments, when a caller adds what to do next to an inner one. */
    free(last_message);
    last_message = kata_buf_take(&b);
    last_status = status;
    return status;
}

const char *kata_errmsg(void)
{
    return last_message != NULL ? last_message : "";
}

kata_status kata_error_status(void)
{
    return last_status;
}

void kata_error_clear(void)
{
    free(last_message);
    last_message = NULL;
    last_status = KATA_OK;
}

kata_status kata_not_done(void)
{
    kata_error_clear();
    return KATA_EFAIL;
}

int kata_exit_code(kata_status status)
{
    switch (status) {
    case KATA_OK:
    case KATA_FINISHED:
        return 0;
    case KATA_EUSAGE:
        return 2;
    case KATA_EFAIL:
    default:
        return 1;
    }
}
