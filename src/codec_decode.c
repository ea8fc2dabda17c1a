/*
 * src/codec_decode.c - typed events: JSON to C structs (see codec.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "codec_internal.h"

/* ---- Decoding ----------------------------------------------------------- */

static esk_status wrong_kind(codec *c, const char *expected, const json_t *json)
{
    return esk__codec_field_error(c, ESK_EDECODE, "expected %s, got %s",
                                  expected, esk__json_kind(json));
}

static esk_status decode_string(codec *c, const esk_field *f,
                                const json_t *json, unsigned char *member)
{
    const char *text = json_string_value(json);
    size_t len = json_string_length(json);

    if (memchr(text, '\0', len) != NULL)
        return esk__codec_field_error(
            c, ESK_EDECODE, "the string contains a NUL character (\\u0000)");
    if (len >= f->size) {
        /* Quote the start of the string, cut on a character boundary. */
        size_t shown = len < PREVIEW_MAX ? len : PREVIEW_MAX;
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--;
        return esk__codec_field_error(
            c, ESK_EDECODE,
            "'%.*s%s' is %zu bytes, the field holds at most %zu", (int)shown,
            text, len > shown ? "..." : "", len, f->size - 1);
    }
    memcpy(member, text, len + 1);
    return ESK_OK;
}

/* jansson keeps no number text: 2.0 and 2e0 both arrive as reals. */
static esk_status real_for_integer(codec *c, double x)
{
    if (x > -9.2e18 && x < 9.2e18 && x == (double)(int64_t)x)
        return esk__codec_field_error(
            c, ESK_EDECODE,
            "expected an integer, got a real number: write "
            "%.0f without a decimal point or exponent",
            x);
    return esk__codec_field_error(
        c, ESK_EDECODE, "expected an integer, got a real number (%g)", x);
}

static esk_status decode_value(codec *c, const esk_field *f, const json_t *json,
                               unsigned char *base);

static esk_status decode_table(codec *c, const esk_field *fields, size_t count,
                               const json_t *object, unsigned char *base)
{
    esk_status rc = ESK_OK;

    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        size_t mark = esk__codec_path_push_key(c, fields[i].name);
        const json_t *value = json_object_get(object, fields[i].name);
        /* An optional field left out or null stays zero. A required null
         * is "expected an integer, got null". */
        if (value == NULL && !fields[i].optional)
            rc = esk__codec_field_error(c, ESK_EDECODE, "missing");
        else if (value != NULL && !(json_is_null(value) && fields[i].optional))
            rc = decode_value(c, &fields[i], value, base);
        esk__codec_path_pop(c, mark);
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
        return esk__codec_field_error(
            c, ESK_EDECODE, "%zu elements, the field holds at most %zu", count,
            capacity);
    for (size_t i = 0; i < count && rc == ESK_OK; i++) {
        size_t mark = esk__codec_path_push(c, "[%zu]", i);
        rc = decode_value(c, f->fields, json_array_get(json, i),
                          base + f->offset + i * f->element_size);
        esk__codec_path_pop(c, mark);
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
            return esk__codec_no_memory(c);
        break;
    default:
        /* ...and one of its lexer's with no reason at all. */
        if (jerr->text[0] == '\0')
            return esk__codec_no_memory(c);
        break;
    }
    return esk__fail(ESK_EDECODE, "%s v%d: %s at line %d, column %d: %s",
                     c->type->name, c->type->schema_version, what, jerr->line,
                     jerr->column, jerr->text);
}

/* Decode json into out, once esk__codec_begin() has checked the type and out.
 */
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
        rc = esk__codec_no_memory(c);
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
    esk_status rc = esk__codec_begin(&c, "esk_codec_decode", type, out, "out");

    if (rc == ESK_OK && json == NULL)
        rc = esk__fail(ESK_EINVAL, "esk_codec_decode: json is NULL");
    return rc == ESK_OK ? decode(&c, json, out) : rc;
}

esk_status esk_codec_decode_event(const esk_event_type *type,
                                  const esk_event *event, void *out)
{
    codec c;
    esk_status rc =
        esk__codec_begin(&c, "esk_codec_decode_event", type, out, "out");

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
