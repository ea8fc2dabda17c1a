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
        return ESK_EINVAL;
    esk_upcasters *upcasters = esk__calloc(1, sizeof(*upcasters));
    if (upcasters == NULL)
        return ESK_ENOMEM;
    *out = upcasters;
    return ESK_OK;
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
    /* A step from INT_MAX would lead to a version an int cannot hold. */
    if (upcasters == NULL || type == NULL || fn == NULL || from_version < 1 ||
        from_version == INT_MAX || !esk__utf8_valid(type, ESK_TYPE_MAX))
        return ESK_EINVAL;
    if (find_step(upcasters, type, from_version) != NULL)
        return ESK_EEXISTS;
    if (upcasters->count == upcasters->capacity) {
        size_t grown = upcasters->capacity == 0 ? 8 : upcasters->capacity * 2;
        step *more = esk__realloc(upcasters->steps, grown * sizeof(*more));
        if (more == NULL)
            return ESK_ENOMEM;
        upcasters->steps = more;
        upcasters->capacity = grown;
    }
    char *copy = esk__strdup(type);
    if (copy == NULL)
        return ESK_ENOMEM;
    upcasters->steps[upcasters->count++] = (step){copy, from_version, fn};
    return ESK_OK;
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

/* Free what jansson allocated for us (json_dumps): with its own free. */
static void jansson_free(void *ptr)
{
    json_malloc_t malloc_fn;
    json_free_t free_fn;
    json_get_alloc_funcs(&malloc_fn, &free_fn);
    free_fn(ptr);
}

static const char *kind_of(const json_t *json)
{
    switch (json_typeof(json)) {
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    default:
        return "an object";
    }
}

/* Run every step that applies to one event, and point it at the result. */
static esk_status upcast_event(const esk_upcasters *upcasters,
                               esk_event_list *list, esk_event *e,
                               esk_error *err)
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
        rc = esk__error_set(
            err, ESK_EDECODE,
            "event %lld of stream '%s' (%s v%d) cannot be upcast: its data "
            "is %s, not a JSON object",
            (long long)e->version, e->stream_id, e->type, version,
            data == NULL ? "not valid JSON" : kind_of(data));
        goto done;
    }
    /* A step may not notice that jansson failed to allocate (a member it
     * set is then missing): any failure from here on voids the result. */
    unsigned long failures = esk__allocation_failures();
    for (; s != NULL; s = find_step(upcasters, e->type, version)) {
        esk_error step_err = {ESK_OK, ESK_EXT_NONE, 0, ""};
        rc = s->fn(data, &step_err);
        if (rc != ESK_OK) {
            /* Out of memory is not the data's fault: say so as it is. */
            rc = esk__error_set(
                err, rc == ESK_ENOMEM ? ESK_ENOMEM : ESK_EDECODE,
                "event %lld of stream '%s' (%s v%d): upcaster v%d -> v%d "
                "failed: %s",
                (long long)e->version, e->stream_id, e->type, e->schema_version,
                version, version + 1,
                step_err.message[0] != '\0' ? step_err.message
                                            : esk_status_str(rc));
            goto done;
        }
        version++;
    }
    dumped = json_dumps(data, JSON_COMPACT);
    char *copy =
        dumped == NULL || esk__allocation_failures() != failures
            ? NULL
            : esk__arena_strndup(&list->arena_, dumped, strlen(dumped));
    if (copy == NULL)
        goto nomem;
    e->data = copy;
    e->schema_version = version;
    goto done;
nomem:
    rc = esk__error_set(err, ESK_ENOMEM,
                        "out of memory upcasting event %lld of '%s'",
                        (long long)e->version, e->stream_id);
done:
    json_decref(data);
    if (dumped != NULL)
        jansson_free(dumped);
    return rc;
}

esk_status esk_upcasters_apply(const esk_upcasters *upcasters,
                               esk_event_list *list, esk_error *err)
{
    if (list == NULL)
        return esk__error_set(err, ESK_EINVAL,
                              "esk_upcasters_apply: list is NULL");
    if (upcasters == NULL || upcasters->count == 0)
        return ESK_OK;
    for (size_t i = 0; i < list->count; i++) {
        const esk_event *e = &list->events[i];
        if (e->stream_id == NULL || e->type == NULL || e->data == NULL)
            return esk__error_set(err, ESK_EINVAL,
                                  "esk_upcasters_apply: event %zu of the "
                                  "list has no stream id, type or data",
                                  i);
        esk_status rc = upcast_event(upcasters, list, &list->events[i], err);
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}
