/*
 * src/codec_encode.c - typed events: C structs to JSON (see codec.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec_internal.h"

/* ---- Encoding ----------------------------------------------------------- */

static esk_status encode_value(codec *c, const esk_field *f,
                               const unsigned char *base, json_t **out);

static esk_status encode_table(codec *c, const esk_field *fields, size_t count,
                               const unsigned char *base, json_t **out)
{
    esk_status rc = ESK_OK;
    json_t *object = json_object();

    if (object == NULL) {
        rc = esk__codec_no_memory(c);
        goto done;
    }
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        json_t *value = NULL;
        size_t mark = esk__codec_path_push_key(c, fields[i].name);
        rc = encode_value(c, &fields[i], base, &value);
        /* set_new takes the value, even when it fails. Keys are checked
         * UTF-8 already. */
        if (rc == ESK_OK &&
            json_object_set_new_nocheck(object, fields[i].name, value) != 0)
            rc = esk__codec_no_memory(c);
        esk__codec_path_pop(c, mark);
    }
done:
    if (rc == ESK_OK)
        *out = object;
    else
        json_decref(object);
    return rc;
}

static esk_status encode_array(codec *c, const esk_field *f,
                               const unsigned char *base, json_t **out)
{
    esk_status rc = ESK_OK;
    json_t *array = NULL;
    size_t count, capacity = f->size / f->element_size;

    memcpy(&count, base + f->count_offset, sizeof(count));
    if (count > capacity) {
        rc = esk__codec_field_error(
            c, ESK_EINVAL, "the count is %zu, the array holds at most %zu",
            count, capacity);
        goto done;
    }
    array = json_array();
    if (array == NULL) {
        rc = esk__codec_no_memory(c);
        goto done;
    }
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        json_t *item = NULL;
        size_t mark = esk__codec_path_push(c, "[%zu]", i);
        rc = encode_value(c, f->fields, base + f->offset + i * f->element_size,
                          &item);
        if (rc == ESK_OK && json_array_append_new(array, item) != 0)
            rc = esk__codec_no_memory(c);
        esk__codec_path_pop(c, mark);
    }
done:
    if (rc == ESK_OK)
        *out = array;
    else
        json_decref(array);
    return rc;
}

/* The member is at base + f->offset, an array's count at base +
 * f->count_offset. */
static esk_status encode_value(codec *c, const esk_field *f,
                               const unsigned char *base, json_t **out)
{
    const unsigned char *member = base + f->offset;
    json_t *json = NULL;
    int64_t integer;
    bool boolean;
    double real;

    switch (f->kind) {
    case ESK_KIND_STRING: {
        const char *end = memchr(member, '\0', f->size);
        if (end == NULL)
            return esk__codec_field_error(
                c, ESK_EINVAL, "the string has no NUL within its %zu bytes",
                f->size);
        size_t len = (size_t)(end - (const char *)member);
        if (len > 0 && !esk__utf8_valid((const char *)member, len))
            return esk__codec_field_error(c, ESK_EINVAL,
                                          "the string is not valid UTF-8");
        json = json_stringn_nocheck((const char *)member, len);
        break;
    }
    case ESK_KIND_INT64:
        memcpy(&integer, member, sizeof(integer));
        json = json_integer((json_int_t)integer);
        break;
    case ESK_KIND_BOOL:
        memcpy(&boolean, member, sizeof(boolean));
        json = json_boolean(boolean);
        break;
    case ESK_KIND_DOUBLE:
        memcpy(&real, member, sizeof(real));
        if (!isfinite(real))
            return esk__codec_field_error(
                c, ESK_EINVAL, "%g is not finite: JSON has no NaN or infinity",
                real);
        json = json_real(real);
        break;
    case ESK_KIND_OBJECT:
        return encode_table(c, f->fields, f->field_count, member, out);
    case ESK_KIND_ARRAY:
        return encode_array(c, f, base, out);
    }
    if (json == NULL)
        return esk__codec_no_memory(c);
    *out = json;
    return ESK_OK;
}

/* Whether every real in the tree reads back as the same double when
 * written with this many significant digits, in the notation 17 digits
 * would use (so that 100.0 is written "100.0", not "1e2"). */
static bool reals_fit(json_t *json, int digits)
{
    const char *key;
    size_t i;
    json_t *value;
    char text[40], full[40];

    if (json_is_real(json)) {
        double x = json_real_value(json);
        snprintf(text, sizeof(text), "%.*g", digits, x);
        snprintf(full, sizeof(full), "%.17g", x);
        return strtod(text, NULL) == x &&
               (strchr(text, 'e') == NULL) == (strchr(full, 'e') == NULL);
    }
    /* Each loop is empty for a value of another kind. */
    json_object_foreach(json, key, value)
    {
        if (!reals_fit(value, digits))
            return false;
    }
    json_array_foreach(json, i, value)
    {
        if (!reals_fit(value, digits))
            return false;
    }
    return true;
}

/* Build the event's JSON and measure it (*len, without a NUL). jansson
 * writes every real with one precision: take the smallest that gives back
 * each double exactly, so that 0.1 is written "0.1" and not
 * "0.10000000000000001". 17 digits always do. */
static esk_status encode_tree(codec *c, const void *event, json_t **root,
                              size_t *flags, size_t *len)
{
    int digits = 1;
    esk_status rc =
        encode_table(c, c->type->fields, c->type->field_count, event, root);

    if (rc != ESK_OK)
        return rc;
    while (digits < 17 && !reals_fit(*root, digits))
        digits++;
    *flags = JSON_COMPACT | (size_t)JSON_REAL_PRECISION(digits);
    /* An object writes at least "{}": 0 means jansson ran out of memory. */
    *len = json_dumpb(*root, NULL, 0, *flags);
    return *len == 0 ? esk__codec_no_memory(c) : ESK_OK;
}

esk_status esk_codec_encode(const esk_event_type *type, const void *event,
                            char **out)
{
    codec c;
    json_t *root = NULL;
    char *text = NULL;
    size_t flags = 0, len = 0;
    esk_status rc =
        esk__codec_begin(&c, "esk_codec_encode", type, event, "event");

    if (rc == ESK_OK && out == NULL)
        rc = esk__fail(ESK_EINVAL, "esk_codec_encode: out is NULL");
    if (rc == ESK_OK)
        rc = encode_tree(&c, event, &root, &flags, &len);
    if (rc != ESK_OK)
        goto done;
    text = esk__malloc(len + 1);
    if (text == NULL || json_dumpb(root, text, len, flags) != len) {
        rc = esk__codec_no_memory(&c);
        goto done;
    }
    text[len] = '\0';
    *out = text;
    text = NULL;
done:
    esk__free(text);
    json_decref(root);
    return rc == ESK_OK ? esk__ok() : rc;
}

esk_status esk_codec_encode_to(const esk_event_type *type, const void *event,
                               char *buf, size_t size, size_t *out_len)
{
    codec c;
    json_t *root = NULL;
    char *text = NULL;
    size_t flags = 0, len = 0;
    esk_status rc =
        esk__codec_begin(&c, "esk_codec_encode_to", type, event, "event");

    if (rc == ESK_OK && buf == NULL && size > 0)
        rc = esk__fail(ESK_EINVAL, "esk_codec_encode_to: buf is NULL");
    if (rc == ESK_OK)
        rc = encode_tree(&c, event, &root, &flags, &len);
    if (rc != ESK_OK)
        goto done;
    if (out_len != NULL)
        *out_len = len;
    if (len >= size) {
        rc = esk__fail(ESK_EINVAL,
                       "%s v%d: the buffer holds %zu bytes, the JSON "
                       "needs %zu with its NUL",
                       type->name, type->schema_version, size, len + 1);
        goto done;
    }
    /* jansson allocates while it writes, and a failure would leave the
     * buffer half-written: the text is made aside and copied whole. */
    text = esk__malloc(len + 1);
    if (text == NULL || json_dumpb(root, text, len, flags) != len) {
        rc = esk__codec_no_memory(&c);
        goto done;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
done:
    esk__free(text);
    json_decref(root);
    return rc == ESK_OK ? esk__ok() : rc;
}
