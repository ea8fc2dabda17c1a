/*
 * src/codec.c - typed events: C structs to and from JSON, with jansson.
 *
 * Every call first checks the field table (a mistake in a table is the
 * caller's bug: ESK_EINVAL, never a crash), then walks the table and the
 * struct together. Messages name the event type, its schema version and
 * the path of the field ("attendees[2].name"), which the codec context
 * keeps up to date as the walk goes down and back up.
 *
 * Members are read and written with memcpy, so that a hand-written table
 * with an odd offset costs a wrong value, not an unaligned access.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec_internal.h"

/* Append to the path; returns the length to pop back to. A path too long
 * for the buffer is cut: it only feeds messages. */
size_t esk__codec_path_push(codec *c, const char *format, ...)
{
    size_t mark = c->path_len;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(c->path + mark, sizeof(c->path) - mark, format, args);
    va_end(args);
    c->path_len += n > 0 ? (size_t)n : 0;
    if (c->path_len >= sizeof(c->path))
        c->path_len = sizeof(c->path) - 1;
    return mark;
}

size_t esk__codec_path_push_key(codec *c, const char *key)
{
    return esk__codec_path_push(c, c->path_len > 0 ? ".%s" : "%s", key);
}

void esk__codec_path_pop(codec *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

/* "AttendeeRegistered v1: field 'seats': <what>" */
esk_status esk__codec_field_error(codec *c, esk_status status,
                                  const char *format, ...)
{
    char what[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof(what), format, args);
    va_end(args);
    return esk__fail(status, "%s v%d: field '%s': %s", c->type->name,
                     c->type->schema_version, c->path, what);
}

esk_status esk__codec_no_memory(codec *c)
{
    return esk__fail(ESK_ENOMEM, "%s v%d: out of memory", c->type->name,
                     c->type->schema_version);
}

/* ---- The field table ---------------------------------------------------- */

static esk_status check_field(codec *c, const esk_field *f, size_t room,
                              int depth);

/* A table of named fields, all inside a struct of `room` bytes. */
static esk_status check_table(codec *c, const esk_field *fields, size_t count,
                              size_t room, int depth)
{
    esk_status rc = ESK_OK;

    if (count > 0 && fields == NULL)
        return esk__codec_field_error(c, ESK_EINVAL, "invalid table: NULL");
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        const char *key = fields[i].name;
        size_t mark = esk__codec_path_push_key(c, key != NULL ? key : "?");
        if (key == NULL || !esk__utf8_valid(key, SIZE_MAX))
            rc = esk__codec_field_error(
                c, ESK_EINVAL,
                "invalid table: the key is NULL, \"\" or not "
                "UTF-8");
        for (size_t j = 0; j < i && rc == ESK_OK; j++) {
            if (strcmp(fields[j].name, key) == 0)
                rc = esk__codec_field_error(
                    c, ESK_EINVAL, "invalid table: the key appears twice");
        }
        if (rc == ESK_OK)
            rc = check_field(c, &fields[i], room, depth);
        esk__codec_path_pop(c, mark);
    }
    return rc;
}

/* One field, or an array's element, inside a struct of `room` bytes. One
 * switch over the field kinds, kept whole so that every kind's rule reads
 * in one place. */
static esk_status check_field(codec *c, const esk_field *f, size_t room,
                              int depth)
{
    size_t need = 0; /* the member size the kind requires, 0 for any */
    esk_status rc = ESK_OK;

    if (depth >= ESK_JSON_DEPTH_MAX)
        return esk__codec_field_error(c, ESK_EINVAL,
                                      "invalid table: nested more than %d deep",
                                      ESK_JSON_DEPTH_MAX);
    if (f->size == 0)
        return esk__codec_field_error(c, ESK_EINVAL,
                                      "invalid table: a member of size 0");
    if (f->offset > room || f->size > room - f->offset)
        return esk__codec_field_error(
            c, ESK_EINVAL,
            "invalid table: %zu bytes at offset %zu do not "
            "fit in a %zu-byte struct",
            f->size, f->offset, room);
    switch (f->kind) {
    case ESK_KIND_STRING:
        break;
    case ESK_KIND_INT64:
        need = sizeof(int64_t);
        break;
    case ESK_KIND_BOOL:
        need = sizeof(bool);
        break;
    case ESK_KIND_DOUBLE:
        need = sizeof(double);
        break;
    case ESK_KIND_OBJECT:
        if (f->fields == NULL || f->field_count == 0)
            return esk__codec_field_error(
                c, ESK_EINVAL, "invalid table: an object without fields");
        return check_table(c, f->fields, f->field_count, f->size, depth + 1);
    case ESK_KIND_ARRAY: {
        if (f->fields == NULL || f->field_count != 1 || f->element_size == 0 ||
            f->element_size > f->size)
            return esk__codec_field_error(
                c, ESK_EINVAL,
                "invalid table: an array needs one element "
                "no larger than itself");
        if (f->count_offset > room || room - f->count_offset < sizeof(size_t))
            return esk__codec_field_error(
                c, ESK_EINVAL,
                "invalid table: the count at offset %zu does "
                "not fit in a %zu-byte struct",
                f->count_offset, room);
        size_t mark = esk__codec_path_push(c, "[]");
        rc = check_field(c, f->fields, f->element_size, depth + 1);
        esk__codec_path_pop(c, mark);
        return rc;
    }
    default:
        return esk__codec_field_error(
            c, ESK_EINVAL, "invalid table: unknown kind %d", (int)f->kind);
    }
    if (need != 0 && f->size != need)
        return esk__codec_field_error(
            c, ESK_EINVAL, "invalid table: the member is %zu bytes, not %zu",
            f->size, need);
    return ESK_OK;
}

/* The checks every entry point starts with. */
esk_status esk__codec_begin(codec *c, const char *function,
                            const esk_event_type *type, const void *event,
                            const char *event_name)
{
    *c = (codec){type, 0, {0}};
    if (type == NULL || type->name == NULL)
        return esk__fail(ESK_EINVAL, "%s: the event type or its name is NULL",
                         function);
    if (event == NULL)
        return esk__fail(ESK_EINVAL, "%s: %s is NULL", function, event_name);
    return check_table(c, type->fields, type->field_count, type->struct_size,
                       0);
}
