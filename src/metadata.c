/*
 * src/metadata.c - correlation and causation ids as metadata JSON.
 */
#include <string.h>

#include <jansson.h>

#include "internal.h"

static esk_status set_id(json_t *object, const char *key, const char *value)
{
    if (value == NULL)
        return ESK_OK;
    if (!esk__utf8_valid(value, SIZE_MAX))
        return esk__fail(ESK_EINVAL, "metadata: %s is empty or not UTF-8", key);
    json_t *text = json_string(value);
    if (text == NULL || json_object_set_new(object, key, text) != 0)
        return esk__fail(ESK_ENOMEM, "metadata: out of memory");
    return ESK_OK;
}

esk_status esk_metadata_encode(const esk_metadata *metadata, char **out)
{
    esk_status rc = ESK_OK;
    json_t *object = NULL;
    json_t *extra = NULL;
    char *dumped = NULL;

    if (out == NULL)
        return esk__fail(ESK_EINVAL, "metadata: out is NULL");
    if (metadata != NULL && metadata->extra != NULL) {
        if (esk_json_validate_object(metadata->extra) != ESK_OK)
            return esk__fail_within(ESK_EINVAL,
                                    "metadata: extra is not a JSON object");
    }
    /* jansson may carry on after a failed allocation with damaged output,
     * so any failure while building counts as out of memory. */
    unsigned long failures = esk__allocation_failures();
    object = json_object();
    if (object == NULL)
        goto nomem;
    /* The ids first, so that they lead when a person reads the row. */
    if (metadata != NULL) {
        rc = set_id(object, "correlationId", metadata->correlation_id);
        if (rc == ESK_OK)
            rc = set_id(object, "causationId", metadata->causation_id);
        if (rc != ESK_OK)
            goto done;
        if (metadata->extra != NULL) {
            /* Valid JSON that jansson still refuses: a number beyond 64-bit
             * integers and doubles, or "\u0000" in a key. */
            json_error_t jerr;
            bool out_of_memory = false;
            extra = esk__json_loads(metadata->extra, JSON_ALLOW_NUL, &jerr,
                                    &out_of_memory);
            if (extra == NULL && !out_of_memory) {
                rc = esk__fail(ESK_EINVAL, "metadata: extra cannot be read: %s",
                               jerr.text);
                goto done;
            }
            if (extra == NULL || json_object_update_missing(object, extra))
                goto nomem;
        }
    }
    dumped = json_dumps(object, JSON_COMPACT);
    if (dumped == NULL || esk__allocation_failures() != failures)
        goto nomem;
    char *copy = esk__strdup(dumped);
    if (copy == NULL)
        goto nomem;
    *out = copy;
    rc = esk__ok();
    goto done;
nomem:
    rc = esk__fail(ESK_ENOMEM, "metadata: out of memory");
done:
    json_decref(object);
    json_decref(extra);
    if (dumped != NULL)
        esk__jansson_free(dumped);
    return rc;
}

esk_status esk_metadata_get(const char *json, const char *key, char *buf,
                            size_t size)
{
    esk_status rc = ESK_OK;

    if (json == NULL || key == NULL || buf == NULL || size == 0)
        return esk__fail(ESK_EINVAL, "esk_metadata_get: a NULL argument or "
                                     "an empty buffer");
    if (esk_json_validate_object(json) != ESK_OK)
        return esk__fail_within(ESK_EINVAL, "metadata is not a JSON object");
    /* The text is valid JSON (NULs allowed), but jansson refuses a number
     * beyond 64-bit integers and doubles, and "\u0000" in a key. */
    bool out_of_memory = false;
    json_t *object =
        esk__json_loads(json, JSON_ALLOW_NUL, NULL, &out_of_memory);
    if (object == NULL)
        return out_of_memory
                   ? esk__fail(ESK_ENOMEM, "metadata: out of memory")
                   : esk__fail(ESK_EINVAL, "metadata cannot be read: a "
                                           "number out of range or a NUL "
                                           "in a key");
    json_t *value = json_object_get(object, key);
    if (!json_is_string(value)) {
        rc = esk__fail(ESK_ENOTFOUND, "metadata has no text '%s'", key);
    } else if (json_string_length(value) + 1 > size ||
               strlen(json_string_value(value)) != json_string_length(value)) {
        rc = esk__fail(ESK_EINVAL,
                       "metadata '%s' holds %zu bytes or a NUL: the buffer "
                       "holds %zu with the final NUL",
                       key, json_string_length(value), size);
    } else {
        memcpy(buf, json_string_value(value), json_string_length(value) + 1);
        rc = esk__ok();
    }
    json_decref(object);
    return rc;
}
