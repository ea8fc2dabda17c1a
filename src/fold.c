/*
 * src/fold.c - what aggregates and deciders share: pending events, and
 * folding recorded events into a state.
 */
#include <string.h>

#include "esk/codec.h"
#include "internal.h"

esk_status esk__pending_push(esk__pending **items, size_t *count,
                             size_t *capacity, const esk_event_type *type,
                             const void *event)
{
    char *json = NULL;
    esk_status rc = esk_codec_encode(type, event, &json);
    if (rc != ESK_OK)
        return rc;
    if (*count == *capacity) {
        size_t grown = *capacity == 0 ? 8 : *capacity * 2;
        esk__pending *more = esk__realloc(*items, grown * sizeof(*more));
        if (more == NULL) {
            esk__free(json);
            return esk__fail(ESK_ENOMEM, "out of memory keeping a %s event",
                             type->name);
        }
        *items = more;
        *capacity = grown;
    }
    (*items)[(*count)++] = (esk__pending){type, json};
    return ESK_OK;
}

void esk__pending_clear(esk__pending *items, size_t *count)
{
    for (size_t i = 0; i < *count; i++)
        esk__free(items[i].json);
    *count = 0;
}

void esk__pending_free(esk__pending **items, size_t *count, size_t *capacity)
{
    esk__pending_clear(*items, count);
    esk__free(*items);
    *items = NULL;
    *capacity = 0;
}

const esk_event_type *esk__find_type(const esk_event_type *const *types,
                                     size_t n, const char *name,
                                     int schema_version)
{
    for (size_t i = 0; i < n; i++)
        if (types[i] != NULL && types[i]->schema_version == schema_version &&
            strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}

/* The name of a type known in another schema version, for a message that
 * points at the missing upcaster. */
static int known_version(const esk_event_type *const *types, size_t n,
                         const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (types[i] != NULL && strcmp(types[i]->name, name) == 0)
            return types[i]->schema_version;
    return 0;
}

esk_status esk__fold(const esk_event_type *const *types, size_t n,
                     esk__evolve_fn evolve, void *state,
                     const esk_event *events, size_t count, const char *owner,
                     bool skip_unknown)
{
    esk_status rc = ESK_OK;
    void *scratch = NULL;
    size_t scratch_size = 0;

    /* One decode buffer, as large as the largest type, for every event. */
    for (size_t i = 0; i < n; i++)
        if (types[i] != NULL && types[i]->struct_size > scratch_size)
            scratch_size = types[i]->struct_size;
    if (count > 0) {
        scratch = esk__malloc(scratch_size);
        if (scratch == NULL)
            return esk__fail(ESK_ENOMEM, "out of memory folding %s events",
                             owner);
    }
    for (size_t i = 0; i < count; i++) {
        const esk_event *e = &events[i];
        const esk_event_type *type =
            esk__find_type(types, n, e->type, e->schema_version);
        if (type == NULL) {
            int known = known_version(types, n, e->type);
            /* Only a type never heard of: a known one at another version
             * would be folded wrongly without its upcaster. */
            if (known == 0 && skip_unknown)
                continue;
            if (known != 0)
                rc = esk__fail(
                    ESK_EDECODE,
                    "event %lld of stream '%s' is %s v%d, but %s knows v%d: "
                    "register an upcaster from v%d",
                    (long long)e->version, e->stream_id, e->type,
                    e->schema_version, owner, known, e->schema_version);
            else
                rc = esk__fail(
                    ESK_EDECODE,
                    "event %lld of stream '%s' is %s v%d, which %s does not "
                    "know: add its type to the event types, or set "
                    "skip_unknown_types to skip such events",
                    (long long)e->version, e->stream_id, e->type,
                    e->schema_version, owner);
            break;
        }
        rc = esk_codec_decode(type, e->data, scratch);
        if (rc != ESK_OK) {
            rc = esk__fail_within(rc, "event %lld of stream '%s'",
                                  (long long)e->version, e->stream_id);
            break;
        }
        evolve(state, type, scratch);
    }
    esk__free(scratch);
    return rc;
}
