/*
 * fuzz/fuzz_json.c - esk's JSON checker against jansson, and the metadata
 * functions that use both.
 *
 * esk_json_validate() guards every append: the text it accepts is stored
 * for good, and read back by jansson (the codec, upcasters, metadata). So
 * the two must agree on what JSON is. For any input text:
 *   - what esk accepts, json_loads(JSON_DECODE_ANY | JSON_ALLOW_NUL)
 *     parses, and the other way round, except for three documented
 *     differences: esk refuses nesting deeper than ESK_JSON_DEPTH_MAX
 *     (jansson allows 2048); jansson refuses integers beyond 64 bits and
 *     reals beyond a double, and "\u0000" in an object key, which
 *     RFC 8259 allows and esk accepts;
 *   - esk_json_validate_object() accepts exactly the accepted objects;
 *   - esk's fast check and the reader that explains a refusal agree
 *     (a refusal always names a byte);
 *   - esk_metadata_get() and esk_metadata_encode() never claim to be out
 *     of memory when no allocation failed: text that esk accepts but
 *     jansson cannot read is ESK_EINVAL, and text both read gives the
 *     values jansson sees;
 *   - nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <esk/event.h>

#include "fuzz.h"

/* Containers nested in value, counting value itself. */
static int depth_of(const json_t *value)
{
    int deepest = 0;
    const char *key;
    size_t i;
    json_t *item;

    if (!json_is_object(value) && !json_is_array(value))
        return 0;
    /* The casts: jansson's iteration macros want a non-const pointer. */
    json_object_foreach((json_t *)value, key, item)
    {
        int d = depth_of(item);
        deepest = d > deepest ? d : deepest;
    }
    json_array_foreach((json_t *)value, i, item)
    {
        int d = depth_of(item);
        deepest = d > deepest ? d : deepest;
    }
    return deepest + 1;
}

static void check_metadata_get(const char *text, const json_t *parsed,
                               bool esk_object)
{
    char buf[16];
    esk_status rc = esk_metadata_get(text, "k", buf, sizeof(buf));

    if (!esk_object || parsed == NULL) {
        FUZZ_CHECK(rc == ESK_EINVAL,
                   "esk_metadata_get on text it cannot read gave %d (%s)",
                   (int)rc, esk_status_str(rc));
        return;
    }
    const json_t *value = json_object_get(parsed, "k");
    if (!json_is_string(value)) {
        FUZZ_CHECK(rc == ESK_ENOTFOUND,
                   "esk_metadata_get of a missing or non-string key gave %d "
                   "(%s)",
                   (int)rc, esk_status_str(rc));
        return;
    }
    size_t len = json_string_length(value);
    if (len + 1 > sizeof(buf) || strlen(json_string_value(value)) != len) {
        FUZZ_CHECK(rc == ESK_EINVAL,
                   "esk_metadata_get of a long string or one with a NUL "
                   "gave %d (%s)",
                   (int)rc, esk_status_str(rc));
        return;
    }
    FUZZ_CHECK(rc == ESK_OK && strcmp(buf, json_string_value(value)) == 0,
               "esk_metadata_get gave %d (%s) and '%s', jansson reads '%s'",
               (int)rc, esk_status_str(rc), rc == ESK_OK ? buf : "",
               json_string_value(value));
}

static void check_metadata_encode(const char *text, const json_t *parsed,
                                  bool esk_object)
{
    const esk_metadata metadata = {"corr", NULL, text};
    char *out = NULL;
    esk_status rc = esk_metadata_encode(&metadata, &out);

    if (!esk_object || parsed == NULL) {
        FUZZ_CHECK(rc == ESK_EINVAL,
                   "esk_metadata_encode with extra it cannot read gave %d "
                   "(%s): %s",
                   (int)rc, esk_status_str(rc), esk_errmsg());
        return;
    }
    FUZZ_CHECK(rc == ESK_OK, "esk_metadata_encode gave %d (%s): %s", (int)rc,
               esk_status_str(rc), esk_errmsg());
    FUZZ_CHECK(esk_json_validate_object(out) == ESK_OK,
               "esk_metadata_encode wrote '%s', not a JSON object", out);
    json_t *written = json_loads(out, JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(written != NULL, "jansson cannot read back '%s'", out);
    const char *corr =
        json_string_value(json_object_get(written, "correlationId"));
    FUZZ_CHECK(corr != NULL && strcmp(corr, "corr") == 0,
               "'%s' lost the correlation id", out);
    /* extra's keys are added as they are, but for the ids, which win. */
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)parsed, key, value)
    {
        if (strcmp(key, "correlationId") == 0)
            continue;
        FUZZ_CHECK(json_equal(json_object_get(written, key), value) == 1,
                   "'%s' lost or changed key '%s' of extra", out, key);
    }
    json_decref(written);
    esk_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_alloc_install();
    long live = fuzz_alloc_live();
    char *text = fuzz_text(data, size);
    json_error_t jerr;

    bool esk_ok = esk_json_validate(text) == ESK_OK;
    /* esk checks in two ways: a fast scan that says yes or no, then, for
     * a no, the full reader that says what and where. They must agree. */
    if (!esk_ok)
        FUZZ_CHECK(strstr(esk_errmsg(), "invalid JSON at byte") != NULL,
                   "the fast check refuses what the full one accepts: %s",
                   esk_errmsg());
    json_t *parsed = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

    if (esk_ok && parsed == NULL) {
        enum json_error_code code = json_error_code(&jerr);
        FUZZ_CHECK(code == json_error_numeric_overflow ||
                       code == json_error_null_byte_in_key,
                   "esk accepts what jansson refuses: %s", jerr.text);
    }
    if (!esk_ok && parsed != NULL)
        FUZZ_CHECK(strstr(esk_errmsg(), "nested too deep") != NULL &&
                       depth_of(parsed) > ESK_JSON_DEPTH_MAX,
                   "jansson reads (%d deep) what esk refuses: %s",
                   depth_of(parsed), esk_errmsg());

    bool esk_object = esk_json_validate_object(text) == ESK_OK;
    FUZZ_CHECK(esk_object == (esk_ok && text[strspn(text, " \t\r\n")] == '{'),
               "esk_json_validate_object gives %d, esk_json_validate %d",
               esk_object, esk_ok);
    if (esk_object && parsed != NULL)
        FUZZ_CHECK(json_is_object(parsed), "an accepted object is not one");

    json_t *object = json_is_object(parsed) ? parsed : NULL;
    check_metadata_get(text, object, esk_object);
    check_metadata_encode(text, object, esk_object);

    json_decref(parsed);
    free(text);
    FUZZ_CHECK(fuzz_alloc_live() == live, "%ld blocks leaked",
               fuzz_alloc_live() - live);
    return 0;
}
