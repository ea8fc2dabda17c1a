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
PRINTF_LIKE(2, 3)
static size_t path_push(codec *c, const char *format, ...)
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

static size_t path_push_key(codec *c, const char *key)
{
    return path_push(c, c->path_len > 0 ? ".%s" : "%s", key);
}

static void path_pop(codec *c, size_t mark)
{
    c->path_len = mark;
    c->path[mark] = '\0';
}

/* "AttendeeRegistered v1: field 'seats': <what>" */
PRINTF_LIKE(3, 4)
static esk_status field_error(codec *c, esk_status status, const char *format,
                              ...)
{
    char what[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof(what), format, args);
    va_end(args);
    return esk__fail(status, "%s v%d: field '%s': %s", c->type->name,
                     c->type->schema_version, c->path, what);
}

static esk_status no_memory(codec *c)
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
        return field_error(c, ESK_EINVAL, "invalid table: NULL");
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        const char *key = fields[i].name;
        size_t mark = path_push_key(c, key != NULL ? key : "?");
        if (key == NULL || !esk__utf8_valid(key, SIZE_MAX))
            rc = field_error(c, ESK_EINVAL,
                             "invalid table: the key is NULL, \"\" or not "
                             "UTF-8");
        for (size_t j = 0; j < i && rc == ESK_OK; j++) {
            if (strcmp(fields[j].name, key) == 0)
                rc = field_error(c, ESK_EINVAL,
                                 "invalid table: the key appears twice");
        }
        if (rc == ESK_OK)
            rc = check_field(c, &fields[i], room, depth);
        path_pop(c, mark);
    }
    return rc;
}

/* One field, or an array's element, inside a struct of `room` bytes. */
static esk_status check_field(codec *c, const esk_field *f, size_t room,
                              int depth)
{
    size_t need = 0; /* the member size the kind requires, 0 for any */
    esk_status rc = ESK_OK;

    if (depth >= ESK_JSON_DEPTH_MAX)
        return field_error(c, ESK_EINVAL,
                           "invalid table: nested more than %d deep",
                           ESK_JSON_DEPTH_MAX);
    if (f->size == 0)
        return field_error(c, ESK_EINVAL, "invalid table: a member of size 0");
    if (f->offset > room || f->size > room - f->offset)
        return field_error(c, ESK_EINVAL,
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
            return field_error(c, ESK_EINVAL,
                               "invalid table: an object without fields");
        return check_table(c, f->fields, f->field_count, f->size, depth + 1);
    case ESK_KIND_ARRAY: {
        if (f->fields == NULL || f->field_count != 1 || f->element_size == 0 ||
            f->element_size > f->size)
            return field_error(c, ESK_EINVAL,
                               "invalid table: an array needs one element "
                               "no larger than itself");
        if (f->count_offset > room || room - f->count_offset < sizeof(size_t))
            return field_error(c, ESK_EINVAL,
                               "invalid table: the count at offset %zu does "
                               "not fit in a %zu-byte struct",
                               f->count_offset, room);
        size_t mark = path_push(c, "[]");
        rc = check_field(c, f->fields, f->element_size, depth + 1);
        path_pop(c, mark);
        return rc;
    }
    default:
        return field_error(c, ESK_EINVAL, "invalid table: unknown kind %d",
                           (int)f->kind);
    }
    if (need != 0 && f->size != need)
        return field_error(c, ESK_EINVAL,
                           "invalid table: the member is %zu bytes, not %zu",
                           f->size, need);
    return ESK_OK;
}

/* The checks every entry point starts with. */
static esk_status begin(codec *c, const char *function,
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

/* ---- Encoding ----------------------------------------------------------- */

static esk_status encode_value(codec *c, const esk_field *f,
                               const unsigned char *base, json_t **out);

static esk_status encode_table(codec *c, const esk_field *fields, size_t count,
                               const unsigned char *base, json_t **out)
{
    esk_status rc = ESK_OK;
    json_t *object = json_object();

    if (object == NULL) {
        rc = no_memory(c);
        goto done;
    }
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        json_t *value = NULL;
        size_t mark = path_push_key(c, fields[i].name);
        rc = encode_value(c, &fields[i], base, &value);
        /* set_new takes the value, even when it fails. Keys are checked
         * UTF-8 already. */
        if (rc == ESK_OK &&
            json_object_set_new_nocheck(object, fields[i].name, value) != 0)
            rc = no_memory(c);
        path_pop(c, mark);
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
        rc = field_error(c, ESK_EINVAL,
                         "the count is %zu, the array holds at most %zu", count,
                         capacity);
        goto done;
    }
    array = json_array();
    if (array == NULL) {
        rc = no_memory(c);
        goto done;
    }
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        json_t *item = NULL;
        size_t mark = path_push(c, "[%zu]", i);
        rc = encode_value(c, f->fields, base + f->offset + i * f->element_size,
                          &item);
        if (rc == ESK_OK && json_array_append_new(array, item) != 0)
            rc = no_memory(c);
        path_pop(c, mark);
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
            return field_error(c, ESK_EINVAL,
                               "the string has no NUL within its %zu bytes",
                               f->size);
        size_t len = (size_t)(end - (const char *)member);
        if (len > 0 && !esk__utf8_valid((const char *)member, len))
            return field_error(c, ESK_EINVAL, "the string is not valid UTF-8");
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
            return field_error(c, ESK_EINVAL,
                               "%g is not finite: JSON has no NaN or infinity",
                               real);
        json = json_real(real);
        break;
    case ESK_KIND_OBJECT:
        return encode_table(c, f->fields, f->field_count, member, out);
    case ESK_KIND_ARRAY:
        return encode_array(c, f, base, out);
    }
    if (json == NULL)
        return no_memory(c);
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
    return *len == 0 ? no_memory(c) : ESK_OK;
}

esk_status esk_codec_encode(const esk_event_type *type, const void *event,
                            char **out)
{
    codec c;
    json_t *root = NULL;
    char *text = NULL;
    size_t flags = 0, len = 0;
    esk_status rc = begin(&c, "esk_codec_encode", type, event, "event");

    if (rc == ESK_OK && out == NULL)
        rc = esk__fail(ESK_EINVAL, "esk_codec_encode: out is NULL");
    if (rc == ESK_OK)
        rc = encode_tree(&c, event, &root, &flags, &len);
    if (rc != ESK_OK)
        goto done;
    text = esk__malloc(len + 1);
    if (text == NULL || json_dumpb(root, text, len, flags) != len) {
        rc = no_memory(&c);
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
    esk_status rc = begin(&c, "esk_codec_encode_to", type, event, "event");

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
        rc = no_memory(&c);
        goto done;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
done:
    esk__free(text);
    json_decref(root);
    return rc == ESK_OK ? esk__ok() : rc;
}

/* ---- Decoding ----------------------------------------------------------- */

static esk_status wrong_kind(codec *c, const char *expected, const json_t *json)
{
    return field_error(c, ESK_EDECODE, "expected %s, got %s", expected,
                       esk__json_kind(json));
}

static esk_status decode_string(codec *c, const esk_field *f,
                                const json_t *json, unsigned char *member)
{
    const char *text = json_string_value(json);
    size_t len = json_string_length(json);

    if (memchr(text, '\0', len) != NULL)
        return field_error(c, ESK_EDECODE,
                           "the string contains a NUL character (\\u0000)");
    if (len >= f->size) {
        /* Quote the start of the string, cut on a character boundary. */
        size_t shown = len < PREVIEW_MAX ? len : PREVIEW_MAX;
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--;
        return field_error(c, ESK_EDECODE,
                           "'%.*s%s' is %zu bytes, the field holds at most %zu",
                           (int)shown, text, len > shown ? "..." : "", len,
                           f->size - 1);
    }
    memcpy(member, text, len + 1);
    return ESK_OK;
}

/* jansson keeps no number text: 2.0 and 2e0 both arrive as reals. */
static esk_status real_for_integer(codec *c, double x)
{
    if (x > -9.2e18 && x < 9.2e18 && x == (double)(int64_t)x)
        return field_error(c, ESK_EDECODE,
                           "expected an integer, got a real number: write "
                           "%.0f without a decimal point or exponent",
                           x);
    return field_error(c, ESK_EDECODE,
                       "expected an integer, got a real number (%g)", x);
}

static esk_status decode_value(codec *c, const esk_field *f, const json_t *json,
                               unsigned char *base);

static esk_status decode_table(codec *c, const esk_field *fields, size_t count,
                               const json_t *object, unsigned char *base)
{
    esk_status rc = ESK_OK;

    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        size_t mark = path_push_key(c, fields[i].name);
        const json_t *value = json_object_get(object, fields[i].name);
        /* An optional field left out or null stays zero. A required null
         * is "expected an integer, got null". */
        if (value == NULL && !fields[i].optional)
            rc = field_error(c, ESK_EDECODE, "missing");
        else if (value != NULL && !(json_is_null(value) && fields[i].optional))
            rc = decode_value(c, &fields[i], value, base);
        path_pop(c, mark);
    }
    return rc;
}

static esk_status decode_array(codec *c, const esk_field *f, const json_t *json,
                               unsigned char *base)
{
    esk_status rc = ESK_OK;
    size_t count = json_array_size(json);
    size_t capacity = f->size / f->element_size;

    if (count > capacity)
        return field_error(c, ESK_EDECODE,
                           "%zu elements, the field holds at most %zu", count,
                           capacity);
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        size_t mark = path_push(c, "[%zu]", i);
        rc = decode_value(c, f->fields, json_array_get(json, i),
                          base + f->offset + i * f->element_size);
        path_pop(c, mark);
    }
    memcpy(base + f->count_offset, &count, sizeof(count));
    return rc;
}

/* Decode a value into the member at base + f->offset. */
static esk_status decode_value(codec *c, const esk_field *f, const json_t *json,
                               unsigned char *base)
{
    unsigned char *member = base + f->offset;
    int64_t integer;
    bool boolean;
    double real;

    switch (f->kind) {
    case ESK_KIND_STRING:
        if (!json_is_string(json))
            return wrong_kind(c, "a string", json);
        return decode_string(c, f, json, member);
    case ESK_KIND_INT64:
        if (json_is_real(json))
            return real_for_integer(c, json_real_value(json));
        if (!json_is_integer(json))
            return wrong_kind(c, "an integer", json);
        integer = json_integer_value(json);
        memcpy(member, &integer, sizeof(integer));
        return ESK_OK;
    case ESK_KIND_BOOL:
        if (!json_is_boolean(json))
            return wrong_kind(c, "true or false", json);
        boolean = json_is_true(json);
        memcpy(member, &boolean, sizeof(boolean));
        return ESK_OK;
    case ESK_KIND_DOUBLE:
        if (!json_is_number(json))
            return wrong_kind(c, "a number", json);
        real = json_number_value(json);
        memcpy(member, &real, sizeof(real));
        return ESK_OK;
    case ESK_KIND_OBJECT:
        if (!json_is_object(json))
            return wrong_kind(c, "an object", json);
        return decode_table(c, f->fields, f->field_count, json, member);
    case ESK_KIND_ARRAY:
        if (!json_is_array(json))
            return wrong_kind(c, "an array", json);
        return decode_array(c, f, json, base);
    }
    return ESK_EINVAL; /* ruled out by check_field() */
}

/* Report text that jansson refused, with jansson's position and reason. */
static esk_status parse_error(codec *c, const char *json,
                              const json_error_t *jerr)
{
    const char *what = "invalid JSON";

    switch (json_error_code(jerr)) {
    case json_error_duplicate_key:
        what = "ambiguous JSON"; /* valid, but which value is meant? */
        break;
    case json_error_numeric_overflow:
        what = "number out of range"; /* integers are 64-bit at most */
        break;
    case json_error_invalid_syntax:
        /* jansson reports a failed allocation in a string as a syntax
         * error ("invalid token"). Text that esk's own checker, which
         * allocates nothing, accepts is not at fault. */
        if (esk__json_valid(json))
            return no_memory(c);
        break;
    default:
        /* ...and one of its lexer's with no reason at all. */
        if (jerr->text[0] == '\0')
            return no_memory(c);
        break;
    }
    return esk__fail(ESK_EDECODE, "%s v%d: %s at line %d, column %d: %s",
                     c->type->name, c->type->schema_version, what, jerr->line,
                     jerr->column, jerr->text);
}

/* Decode json into out, once begin() has checked the type and out. */
static esk_status decode(codec *c, const char *json, void *out)
{
    esk_status rc = ESK_OK;
    json_error_t jerr = {0};
    json_t *root = NULL;

    memset(out, 0, c->type->struct_size);
    /* jansson would follow 2048 levels before it gives up; event data
     * stops at ESK_JSON_DEPTH_MAX, as the store's own check does. */
    size_t at = 0;
    if (esk__json_too_deep(json, &at))
        return esk__fail(ESK_EDECODE,
                         "%s v%d: invalid JSON at byte %zu: nested more "
                         "than %d deep",
                         c->type->name, c->type->schema_version, at,
                         ESK_JSON_DEPTH_MAX);
    /* Any value and "\u0000" are let through for the clearer messages
     * below: "got an array", "contains a NUL character". */
    bool out_of_memory = false;
    root = esk__json_loads(
        json, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr,
        &out_of_memory);
    if (out_of_memory)
        rc = no_memory(c);
    else if (root == NULL)
        rc = parse_error(c, json, &jerr);
    else if (!json_is_object(root))
        rc = esk__fail(ESK_EDECODE, "%s v%d: expected a JSON object, got %s",
                       c->type->name, c->type->schema_version,
                       esk__json_kind(root));
    else
        rc = decode_table(c, c->type->fields, c->type->field_count, root, out);
    json_decref(root);
    return rc == ESK_OK ? esk__ok() : rc;
}

esk_status esk_codec_decode(const esk_event_type *type, const char *json,
                            void *out)
{
    codec c;
    esk_status rc = begin(&c, "esk_codec_decode", type, out, "out");

    if (rc == ESK_OK && json == NULL)
        rc = esk__fail(ESK_EINVAL, "esk_codec_decode: json is NULL");
    return rc == ESK_OK ? decode(&c, json, out) : rc;
}

esk_status esk_codec_decode_event(const esk_event_type *type,
                                  const esk_event *event, void *out)
{
    codec c;
    esk_status rc = begin(&c, "esk_codec_decode_event", type, out, "out");

    if (rc != ESK_OK)
        return rc;
    if (event == NULL || event->type == NULL || event->data == NULL)
        return esk__fail(ESK_EINVAL,
                         "esk_codec_decode_event: the event, its type or "
                         "its data is NULL");
    if (strcmp(event->type, type->name) != 0 ||
        event->schema_version != type->schema_version)
        return esk__fail(
            ESK_EDECODE, "event %lld of stream '%s' is %s v%d, not %s v%d",
            (long long)event->version, event->stream_id ? event->stream_id : "",
            event->type, event->schema_version, type->name,
            type->schema_version);
    return decode(&c, event->data, out);
}
