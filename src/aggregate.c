/*
 * src/aggregate.c - the esk_aggregate base: init, raise, apply, pending.
 *
 * The two ways a state changes share one rule: only through the next
 * event. raise() makes that event (and keeps it to be saved); apply()
 * replays one the store recorded. Both leave the state as it was when
 * they fail, so that a refused command never leaves a half-changed
 * aggregate behind.
 */
#include <string.h>

#include "aggregate_internal.h"
#include "internal.h"

esk_status esk__aggregate_type_check(const esk_aggregate_type *type)
{
    if (type == NULL)
        return esk__fail(ESK_EINVAL, "the aggregate type is NULL");
    if (type->name == NULL || type->name[0] == '\0')
        return esk__fail(ESK_EINVAL,
                         "the aggregate type has no name: set .name, "
                         "e.g. \"Workshop\"");
    const char *name = type->name;
    /* The category must leave room for '-' and an id of one byte. */
    if (type->category == NULL ||
        !esk__utf8_valid(type->category, ESK_STREAM_ID_MAX - 2) ||
        strchr(type->category, '-') != NULL)
        return esk__fail(ESK_EINVAL,
                         "%s: the category must be non-empty UTF-8 "
                         "without '-', e.g. \"workshop\"",
                         name);
    if (type->state_size < sizeof(esk_aggregate))
        return esk__fail(
            ESK_EINVAL,
            "%s: state_size is %zu bytes, less than an esk_aggregate: the "
            "state struct must start with an esk_aggregate member",
            name, type->state_size);
    if (type->evolve == NULL)
        return esk__fail(ESK_EINVAL, "%s has no evolve function", name);
    if (type->event_type_count > 0 && type->event_types == NULL)
        return esk__fail(ESK_EINVAL,
                         "%s: event_types is NULL but event_type_count "
                         "is %zu",
                         name, type->event_type_count);
    for (size_t i = 0; i < type->event_type_count; i++)
        if (type->event_types[i] == NULL || type->event_types[i]->name == NULL)
            return esk__fail(ESK_EINVAL,
                             "%s: event_types[%zu] is NULL or has no "
                             "name",
                             name, i);
    return ESK_OK;
}

esk_status esk__aggregate_init(void *state, const esk_aggregate_type *type,
                               const char *id)
{
    if (state == NULL)
        return esk__fail(ESK_EINVAL, "esk_aggregate_init: state is NULL");
    esk_status rc = esk__aggregate_type_check(type);
    if (rc != ESK_OK)
        return rc;
    if (id == NULL || id[0] == '\0')
        return esk__fail(ESK_EINVAL, "%s: the id is %s", type->name,
                         id == NULL ? "NULL" : "empty");
    size_t id_len = strlen(id);
    size_t stream_len = strlen(type->category) + 1 + id_len;
    if (stream_len > ESK_STREAM_ID_MAX)
        return esk__fail(
            ESK_EINVAL,
            "%s: the id is %zu bytes long, which makes a stream id of %zu "
            "bytes; at most %d are allowed: use a shorter id",
            type->name, id_len, stream_len, ESK_STREAM_ID_MAX);
    if (!esk__utf8_valid(id, ESK_STREAM_ID_MAX))
        return esk__fail(ESK_EINVAL, "%s: the id is not valid UTF-8",
                         type->name);

    esk_aggregate *base = state;
    memset(state, 0, type->state_size);
    base->type = type;
    memcpy(base->id, id, id_len + 1);
    memcpy(base->stream_id, type->category, strlen(type->category));
    base->stream_id[strlen(type->category)] = '-';
    memcpy(base->stream_id + strlen(type->category) + 1, id, id_len + 1);
    if (type->init != NULL)
        type->init(state);
    return ESK_OK;
}

esk_status esk_aggregate_init(void *state, const esk_aggregate_type *type,
                              const char *id)
{
    return esk__record(esk__aggregate_init(state, type, id));
}

/* The aggregate's own description of an event type: the same pointer, or
 * the same name and schema version. */
static const esk_event_type *own_type(const esk_aggregate_type *type,
                                      const esk_event_type *event_type)
{
    for (size_t i = 0; i < type->event_type_count; i++)
        if (type->event_types[i] == event_type)
            return event_type;
    if (event_type->name == NULL)
        return NULL;
    return esk__find_type(type->event_types, type->event_type_count,
                          event_type->name, event_type->schema_version);
}

/* The base of an initialised aggregate, or NULL after a failure. */
static esk_aggregate *base_of(void *state, const char *function)
{
    esk_aggregate *base = state;
    if (state == NULL) {
        esk__fail(ESK_EINVAL, "%s: state is NULL", function);
        return NULL;
    }
    if (base->type == NULL) {
        esk__fail(ESK_EINVAL,
                  "%s: the state is not an aggregate yet: initialise "
                  "it with esk_aggregate_init or esk_repository_load",
                  function);
        return NULL;
    }
    return base;
}

esk_status esk_aggregate_raise(void *state, const esk_event_type *type,
                               const void *event)
{
    esk_aggregate *base = base_of(state, "esk_aggregate_raise");
    if (base == NULL)
        return ESK_EINVAL;
    const esk_aggregate_type *at = base->type;
    if (type == NULL || event == NULL)
        return esk__fail(ESK_EINVAL, "%s '%s': cannot raise a NULL %s",
                         at->name, base->id,
                         type == NULL ? "event type" : "event");
    const esk_event_type *known = own_type(at, type);
    if (known == NULL) {
        const char *event_name = type->name != NULL ? type->name : "(unnamed)";
        return esk__fail(ESK_EINVAL,
                         "%s does not know the event type %s v%d: add "
                         "it to %s's event_types",
                         at->name, event_name, type->schema_version, at->name);
    }

    /* Keep the event before evolving: evolve cannot fail, so a failure
     * here (the codec refusing a field, memory) leaves the state as it
     * was. */
    if (base->internal == NULL) {
        base->internal = esk__calloc(1, sizeof(*base->internal));
        if (base->internal == NULL)
            return esk__fail(ESK_ENOMEM, "%s '%s': out of memory raising %s",
                             at->name, base->id, known->name);
    }
    struct esk__aggregate *pending = base->internal;
    esk_status rc = esk__pending_push(&pending->items, &pending->count,
                                      &pending->capacity, known, event);
    if (rc != ESK_OK) {
        /* Unchanged means unchanged: not even a new, empty part. */
        if (pending->capacity == 0) {
            esk__free(pending);
            base->internal = NULL;
        }
        return esk__fail_within(rc, "%s '%s': cannot raise", at->name,
                                base->id);
    }
    at->evolve(state, known, event);
    base->version++;
    return esk__ok();
}

esk_status esk_aggregate_apply(void *state, const esk_event *event)
{
    esk_aggregate *base = base_of(state, "esk_aggregate_apply");
    if (base == NULL)
        return ESK_EINVAL;
    const esk_aggregate_type *at = base->type;
    if (event == NULL || event->stream_id == NULL || event->type == NULL ||
        event->data == NULL)
        return esk__fail(ESK_EINVAL,
                         "%s '%s': the event to apply is NULL or lacks "
                         "its stream id, type or data",
                         at->name, base->id);
    if (esk_aggregate_pending_count(state) > 0)
        return esk__fail(
            ESK_EINVAL,
            "%s '%s' has %zu unsaved events: apply recorded events before "
            "raising new ones",
            at->name, base->id, esk_aggregate_pending_count(state));
    if (strcmp(event->stream_id, base->stream_id) != 0)
        return esk__fail(ESK_EINVAL,
                         "event %lld of '%s' does not belong to '%s': "
                         "state changes only through its own events",
                         (long long)event->version, event->stream_id,
                         base->stream_id);
    if (event->version != base->version + 1)
        return esk__fail(ESK_EINVAL,
                         "event %lld of '%s' cannot follow version %lld: "
                         "state changes only through the next event",
                         (long long)event->version, event->stream_id,
                         (long long)base->version);

    esk_status rc =
        esk__fold(at->event_types, at->event_type_count, at->evolve, state,
                  event, 1, at->name, at->skip_unknown_types);
    if (rc != ESK_OK)
        return rc;
    base->version = event->version;
    base->stored_version = event->version;
    return esk__ok();
}

size_t esk_aggregate_pending_count(const void *state)
{
    const esk_aggregate *base = state;
    return base == NULL || base->internal == NULL ? 0 : base->internal->count;
}

esk_status esk_aggregate_pending(const void *state, size_t i,
                                 const esk_event_type **type_out,
                                 const char **json_out)
{
    const esk_aggregate *base = state;
    if (base == NULL || type_out == NULL || json_out == NULL)
        return esk__fail(ESK_EINVAL, "esk_aggregate_pending: a NULL argument");
    size_t count = esk_aggregate_pending_count(state);
    if (i >= count)
        return esk__fail(ESK_EINVAL,
                         "esk_aggregate_pending: event %zu of %zu pending", i,
                         count);
    *type_out = base->internal->items[i].type;
    *json_out = base->internal->items[i].json;
    return esk__ok();
}

void esk_aggregate_clear_pending(void *state)
{
    esk_aggregate *base = state;
    if (base == NULL || base->internal == NULL)
        return;
    esk__pending_clear(base->internal->items, &base->internal->count);
}

void esk_aggregate_release(void *state)
{
    esk_aggregate *base = state;
    if (base == NULL || base->internal == NULL)
        return;
    esk__pending_free(&base->internal->items, &base->internal->count,
                      &base->internal->capacity);
    esk__free(base->internal);
    base->internal = NULL;
}
