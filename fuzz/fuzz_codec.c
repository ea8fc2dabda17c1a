/*
 * fuzz/fuzz_codec.c - JSON text to a typed event, and back.
 *
 * The input is JSON text (up to its first NUL), decoded with a field table
 * that has every kind of field: strings, int64, bools, doubles, an object
 * inside an object, arrays of strings, numbers, bools and objects, and
 * optional fields of each kind. What must hold, for any input:
 *   - the decode returns ESK_OK or ESK_EDECODE, and a failure's message
 *     starts with the type's name and schema version;
 *   - a decoded struct is sound: every string ends inside its member,
 *     every count fits its array, every double is finite;
 *   - what decoded encodes, esk_codec_encode() and esk_codec_encode_to()
 *     write the same text, and that text decodes to the very same struct
 *     (byte for byte) and encodes to the very same text again;
 *   - when one allocation of the decode fails, it returns ESK_ENOMEM
 *     (jansson 2.14's parser itself does not survive that: it asserts or
 *     writes past a buffer, akheron/jansson#362; esk must keep it from
 *     seeing the failure);
 *   - no call leaks a block.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/codec.h>

#include "fuzz.h"

typedef struct fz_leaf {
    char code[6];
    int64_t n;
} fz_leaf;

typedef struct fz_inner {
    char name[12];
    int64_t count;
    bool flag;
    double ratio;
    fz_leaf leaf;
    double ratios[3];
    size_t ratio_count;
} fz_inner;

typedef struct fz_point {
    int64_t x;
    double y;
    char label[8];
    bool on;
} fz_point;

typedef struct fz_event {
    char id[16];
    int64_t number;
    bool yes;
    double real;
    fz_inner inner;
    char tags[4][8];
    size_t tag_count;
    fz_point points[3];
    size_t point_count;
    int64_t ints[4];
    size_t int_count;
    bool bools[2];
    size_t bool_count;
    char note[24];
    int64_t opt_int;
    bool opt_bool;
    double opt_real;
    fz_inner extra;
} fz_event;

static const esk_field leaf_fields[] = {
    ESK_FIELD_STRING(fz_leaf, code, "code"),
    ESK_FIELD_INT64_OPT(fz_leaf, n, "n"),
};
static const esk_field ratio_element = ESK_ELEMENT_DOUBLE;
static const esk_field inner_fields[] = {
    ESK_FIELD_STRING(fz_inner, name, "name"),
    ESK_FIELD_INT64(fz_inner, count, "count"),
    ESK_FIELD_BOOL_OPT(fz_inner, flag, "flag"),
    ESK_FIELD_DOUBLE_OPT(fz_inner, ratio, "ratio"),
    ESK_FIELD_OBJECT_OPT(fz_inner, leaf, "leaf", leaf_fields),
    ESK_FIELD_ARRAY(fz_inner, ratios, ratio_count, "ratios", &ratio_element),
};
static const esk_field point_fields[] = {
    ESK_FIELD_INT64(fz_point, x, "x"),
    ESK_FIELD_DOUBLE(fz_point, y, "y"),
    ESK_FIELD_STRING_OPT(fz_point, label, "label"),
    ESK_FIELD_BOOL(fz_point, on, "on"),
};
static const esk_field tag_element = ESK_ELEMENT_STRING(char[8]);
static const esk_field point_element =
    ESK_ELEMENT_OBJECT(fz_point, point_fields);
static const esk_field int_element = ESK_ELEMENT_INT64;
static const esk_field bool_element = ESK_ELEMENT_BOOL;
static const esk_field event_fields[] = {
    ESK_FIELD_STRING(fz_event, id, "id"),
    ESK_FIELD_INT64(fz_event, number, "number"),
    ESK_FIELD_BOOL(fz_event, yes, "yes"),
    ESK_FIELD_DOUBLE(fz_event, real, "real"),
    ESK_FIELD_OBJECT(fz_event, inner, "inner", inner_fields),
    ESK_FIELD_ARRAY(fz_event, tags, tag_count, "tags", &tag_element),
    ESK_FIELD_ARRAY(fz_event, points, point_count, "points", &point_element),
    ESK_FIELD_ARRAY(fz_event, ints, int_count, "ints", &int_element),
    ESK_FIELD_ARRAY(fz_event, bools, bool_count, "bools", &bool_element),
    ESK_FIELD_STRING_OPT(fz_event, note, "note"),
    ESK_FIELD_INT64_OPT(fz_event, opt_int, "optInt"),
    ESK_FIELD_BOOL_OPT(fz_event, opt_bool, "optBool"),
    ESK_FIELD_DOUBLE_OPT(fz_event, opt_real, "optReal"),
    ESK_FIELD_OBJECT_OPT(fz_event, extra, "extra", inner_fields),
};
static const esk_event_type event_type =
    ESK_EVENT_TYPE(fz_event, "FuzzEvent", 3, event_fields);

/* Walk a decoded struct with its table: what the codec wrote must be
 * usable by C code that trusts the table. */
static void check_sound(const esk_field *fields, size_t count,
                        const unsigned char *base);

static void check_value(const esk_field *f, const unsigned char *base)
{
    const unsigned char *member = base + f->offset;
    double real;
    size_t n;

    switch (f->kind) {
    case ESK_KIND_STRING:
        FUZZ_CHECK(memchr(member, '\0', f->size) != NULL,
                   "string '%s' has no NUL in its %zu bytes", f->name, f->size);
        break;
    case ESK_KIND_DOUBLE:
        memcpy(&real, member, sizeof(real));
        FUZZ_CHECK(isfinite(real), "double '%s' is %g", f->name, real);
        break;
    case ESK_KIND_OBJECT:
        check_sound(f->fields, f->field_count, member);
        break;
    case ESK_KIND_ARRAY:
        memcpy(&n, base + f->count_offset, sizeof(n));
        FUZZ_CHECK(n <= f->size / f->element_size,
                   "array '%s' counts %zu, holds %zu", f->name, n,
                   f->size / f->element_size);
        for (size_t i = 0; i < n; i++)
            check_value(f->fields, member + i * f->element_size);
        break;
    case ESK_KIND_INT64:
    case ESK_KIND_BOOL:
        break;
    }
}

static void check_sound(const esk_field *fields, size_t count,
                        const unsigned char *base)
{
    for (size_t i = 0; i < count; i++)
        check_value(&fields[i], base);
}

/* The same text from both encoders; the buffer one refuses a buffer one
 * byte short without touching it. Returns the text (esk_free it). */
static char *encode(const fz_event *event)
{
    char *text = NULL;
    esk_status rc = esk_codec_encode(&event_type, event, &text);
    FUZZ_CHECK(rc == ESK_OK, "a decoded event does not encode: %s",
               esk_errmsg());

    size_t len = 0, measured = 0;
    len = strlen(text);
    rc = esk_codec_encode_to(&event_type, event, NULL, 0, &measured);
    FUZZ_CHECK(rc == ESK_EINVAL && measured == len,
               "measuring gives %d and %zu, the text is %zu bytes", (int)rc,
               measured, len);

    char *buf = malloc(len + 1);
    FUZZ_CHECK(buf != NULL, "out of memory");
    memset(buf, '#', len + 1);
    rc = esk_codec_encode_to(&event_type, event, buf, len, &measured);
    FUZZ_CHECK(rc == ESK_EINVAL, "a buffer one byte short is accepted");
    for (size_t i = 0; i < len; i++)
        FUZZ_CHECK(buf[i] == '#', "a refused buffer was written at %zu", i);
    rc = esk_codec_encode_to(&event_type, event, buf, len + 1, &measured);
    FUZZ_CHECK(rc == ESK_OK && measured == len && strcmp(buf, text) == 0,
               "esk_codec_encode_to gives '%s', esk_codec_encode '%s'", buf,
               text);
    free(buf);
    return text;
}

/* Decode again with the k-th allocation failing: ESK_ENOMEM, whatever
 * the plain decode gave. k is chosen from the text so that a replay
 * repeats it. */
static void decode_without_memory(const char *json, unsigned long allocations)
{
    if (allocations == 0)
        return;
    unsigned long hash = 5381;
    for (const char *p = json; *p != '\0'; p++)
        hash = hash * 33 + (unsigned char)*p;
    unsigned long k = 1 + hash % allocations;

    fz_event event;
    fuzz_alloc_fail_at(k);
    esk_status rc = esk_codec_decode(&event_type, json, &event);
    fuzz_alloc_fail_at(0);
    FUZZ_CHECK(rc == ESK_ENOMEM && esk_error_last()->status == ESK_ENOMEM,
               "allocation %lu of %lu failed, the decode gave %d: %s", k,
               allocations, (int)rc, esk_errmsg());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_alloc_install();
    long live = fuzz_alloc_live();
    char *json = fuzz_text(data, size);
    fz_event first, second;

    unsigned long before = fuzz_alloc_count();
    esk_status rc = esk_codec_decode(&event_type, json, &first);
    unsigned long allocations = fuzz_alloc_count() - before;

    FUZZ_CHECK(rc == ESK_OK || rc == ESK_EDECODE, "decoding gave %d (%s): %s",
               (int)rc, esk_status_str(rc), esk_errmsg());
    if (rc == ESK_EDECODE) {
        FUZZ_CHECK(esk_error_last()->status == ESK_EDECODE &&
                       strncmp(esk_errmsg(), "FuzzEvent v3: ", 14) == 0,
                   "the message does not name the type: '%s'", esk_errmsg());
    } else {
        check_sound(event_fields,
                    sizeof(event_fields) / sizeof(event_fields[0]),
                    (const unsigned char *)&first);
        char *text = encode(&first);
        rc = esk_codec_decode(&event_type, text, &second);
        FUZZ_CHECK(rc == ESK_OK, "'%s' does not decode: %s", text,
                   esk_errmsg());
        FUZZ_CHECK(memcmp(&first, &second, sizeof(first)) == 0,
                   "'%s' decodes to another struct than '%s' did", text, json);
        char *again = encode(&second);
        FUZZ_CHECK(strcmp(text, again) == 0, "'%s' encodes again as '%s'", text,
                   again);
        esk_free(again);
        esk_free(text);
    }
    decode_without_memory(json, allocations);

    free(json);
    FUZZ_CHECK(fuzz_alloc_live() == live, "%ld blocks leaked",
               fuzz_alloc_live() - live);
    return 0;
}
