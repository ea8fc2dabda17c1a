/*
 * upcast_failed.c - how a step refuses an event it cannot read. Provided.
 */
#include <stdarg.h>
#include <stdio.h>

#include "upcasters.h"

esk_status upcast_failed(esk_error *err, const char *format, ...)
{
    if (err != NULL) {
        va_list args;
        va_start(args, format);
        err->status = ESK_EDECODE;
        esk_error_last()->code = 0;
        vsnprintf(esk_errmsg(), sizeof(esk_errmsg()), format, args);
        va_end(args);
    }
    return ESK_EDECODE;
}
