/*
 * src/upcast.c - the upcaster registry: old event layouts read as new.
 *
 * Most events need no upcasting, so an event is parsed only when a step
 * is registered for its type and schema version; the others keep their
 * data pointer untouched and cost one lookup each.
 */
#include <limits.h>
#include <string.h>

#include <jansson.h>

#include "esk/upcast.h"
#include "internal.h"

typedef struct step {
    char *type;
    int from_version;
    esk_upcast_fn fn;
} step;

struct esk_upcasters {
    step *steps;
    size_t count;
    size_t capacity;
};

esk_status esk_upcasters_new(esk_upcasters **out)
{
    if (out == NULL)
        return esk__fail(ESK_EINVAL, "esk_upcasters_new: out is NULL");
    esk_upcasters *upcasters = esk__calloc(1, sizeof(*upcasters));
    if (upcasters == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory creating upcasters");
    *out = upcasters;
    return esk__ok();
}

void esk_upcasters_free(esk_upcasters *upcasters)
{
    if (upcasters == NULL)
        return;
    for (size_t i = 0; i < upcasters->count; i++)
        esk__free(upcasters->steps[i].type);
    esk__free(upcasters->steps);
    esk__free(upcasters);
}

static const step *find_step(const esk_upcasters *upcasters, const char *type,
                             int from_version)
{
    for (size_t i = 0; i < upcasters->count; i++) {
        const step *s = &upcasters->steps[i];
        if (s->from_version == from_version && strcmp(s->type, type) == 0)
            return s;
    }
    return NULL;
}

esk_status esk_upcasters_add(esk_upcasters *upcasters, const char *type,
                             int from_version, esk_upcast_fn fn)
{
    if (upcasters == NULL || type == NULL || fn == NULL)
        return esk__fail(ESK_EINVAL, "esk_upcasters_add: %s is NULL",
                         upcasters == NULL ? "the registry"
                         : type == NULL    ? "the type"
                                           : "the step");
    if (!esk__utf8_valid(type, ESK_TYPE_MAX))
        return esk__fail(ESK_EINVAL,
                         "esk_upcasters_add: the type is empty, not UTF-8 or "
                         "longer than %d bytes",
                         ESK_TYPE_MAX);
    /* A step from INT_MAX would lead to a version an int cannot hold. */
    if (from_version < 1 || from_version == INT_MAX)
        return esk__fail(ESK_EINVAL,
                         "%s: a step from v%d cannot be: versions start at 1 "
                         "and the step leads to v%d + 1",
                         type, from_version, from_version);
    if (find_step(upcasters, type, from_version) != NULL)
        return esk__fail(ESK_EEXISTS,
                         "%s already has an upcaster from v%d: a version has "
                         "one step to the next",
                         type, from_version);
    if (upcasters->count == upcasters->capacity) {
        size_t grown = upcasters->capacity == 0 ? 8 : upcasters->capacity * 2;
        step *more = esk__realloc(upcasters->steps, grown * sizeof(*more));
        if (more == NULL)
            return esk__fail(ESK_ENOMEM, "out of memory adding an upcaster");
        upcasters->steps = more;
        upcasters->capacity = grown;
    }
    char *copy = esk__strdup(type);
    if (copy == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory adding an upcaster");
    upcasters->steps[upcasters->count++] = (step){copy, from_version, fn};
    return esk__ok();
}

int esk_upcasters_target(const esk_upcasters *upcasters, const char *type,
                         int version)
{
    if (upcasters == NULL || type == NULL)
        return version;
    while (version < INT_MAX && find_step(upcasters, type, version) != NULL)
        version++;
    return version;
}

/* Run every step that applies to one event, and point it at the result. */
static esk_status upcast_event(const esk_upcasters *upcasters,
                               esk_event_list *list, esk_event *e)
{
    esk_status rc = ESK_OK;
    json_t *data = NULL;
    char *dumped = NULL;
    json_error_t parse_error;
    int version = e->schema_version;
    const step *s = find_step(upcasters, e->type, version);

    if (s == NULL)
        return ESK_OK;
    bool out_of_memory = false;
    data = esk__json_loads(e->data, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                           &parse_error, &out_of_memory);
    if (out_of_memory)
        goto nomem;
    if (data == NULL || !json_is_object(data)) {
        rc = esk__fail(
            ESK_EDECODE,
            "event %lld of stream '%s' (%s v%d) cannot be upcast: its data "
            "is %s, not a JSON object",
            (long long)e->version, e->stream_id, e->type, version,
            data == NULL ? "not valid JSON" : esk__json_kind(data));
        goto done;
    }
    /* A step may not notice that jansson failed to allocate (a member it
     * set is then missing): any failure from here on voids the result. */
    unsigned long failures = esk__allocation_failures();
    for (; s != NULL; s = find_step(upcasters, e->type, version)) {
        esk_error_clear();
        rc = s->fn(data);
        if (rc != ESK_OK) {
            /* Out of memory is not the data's fault: say so as it is. */
            rc = esk__fail_within(
                rc == ESK_ENOMEM ? ESK_ENOMEM : ESK_EDECODE,
                "event %lld of stream '%s' (%s v%d): upcaster v%d -> v%d "
                "failed",
                (long long)e->version, e->stream_id, e->type, e->schema_version,
                version, version + 1);
            goto done;
        }
        version++;
    }
    dumped = json_dumps(data, JSON_COMPACT);
    char *copy = dumped == NULL || esk__allocation_failures() != failures
                     ? NULL
                     : esk__event_list_strndup(list, dumped, strlen(dumped));
    if (copy == NULL)
        goto nomem;
    e->data = copy;
    e->schema_version = version;
    goto done;
nomem:
    rc = esk__fail(ESK_ENOMEM, "out of memory upcasting event %lld of '%s'",
                   (long long)e->version, e->stream_id);
done:
    json_decref(data);
    if (dumped != NULL)
        esk__jansson_free(dumped);
    return rc;
}

esk_status esk_upcasters_apply(const esk_upcasters *upcasters,
                               esk_event_list *list)
{
    if (list == NULL)
        return esk__fail(ESK_EINVAL, "esk_upcasters_apply: list is NULL");
    if (upcasters == NULL || upcasters->count == 0)
        return esk__ok();
    for (size_t i = 0; i < list->count; i++) {
        const esk_event *e = &list->events[i];
        if (e->stream_id == NULL || e->type == NULL || e->data == NULL)
            return esk__fail(ESK_EINVAL,
                             "esk_upcasters_apply: event %zu of the "
                             "list has no stream id, type or data",
                             i);
        esk_status rc = upcast_event(upcasters, list, &list->events[i]);
        if (rc != ESK_OK)
            return rc;
    }
    return esk__ok();
}
