/*
 * src/codec_internal.h - what the codec's files share: the walk's context
 * (the type, and the path of the field being read or written, for
 * messages) and the checks every entry point starts with.
 */
#ifndef ESK_CODEC_INTERNAL_H
#define ESK_CODEC_INTERNAL_H

#include <stddef.h>

#include "esk/codec.h"
#include "internal.h"

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Bytes of a too-long string quoted in its error message. */
enum { PREVIEW_MAX = 24 };

typedef struct codec {
    const esk_event_type *type;
    size_t path_len;
    char path[128];
} codec;

/* Append to the path; returns the length to pop back to. A path too long
 * for the buffer is cut: it only feeds messages. */
size_t esk__codec_path_push(codec *c, const char *format, ...)
    PRINTF_LIKE(2, 3);
/* Append a member's name: "venue" or ".lat". */
size_t esk__codec_path_push_key(codec *c, const char *key);
void esk__codec_path_pop(codec *c, size_t mark);
/* Fail with "AttendeeRegistered v1: field 'seats': <what>". */
esk_status esk__codec_field_error(codec *c, esk_status status,
                                  const char *format, ...) PRINTF_LIKE(3, 4);
/* Fail with "AttendeeRegistered v1: out of memory". */
esk_status esk__codec_no_memory(codec *c);
/* Start a walk: check the type, the struct pointer (named event_name in
 * messages) and the field table. */
esk_status esk__codec_begin(codec *c, const char *function,
                            const esk_event_type *type, const void *event,
                            const char *event_name);

#endif
