/*
 * src/decider.c - folding a decider's events, and handling a command with
 * it: load, decide, append, retry on conflict.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decision_internal.h"

/* Events are read this many at a time, so that a long stream never needs
 * one allocation of its whole size. */
enum { LOAD_PAGE = 256 };

/* --- Folding ------------------------------------------------------------- */

static const char *owner_of(const esk_decider *decider)
{
    return decider->name != NULL ? decider->name : decider->category;
}

static esk_status check_decider(const esk_decider *decider, bool to_handle)
{
    if (decider == NULL)
        return esk__fail(ESK_EINVAL, "the decider is NULL");
    const char *missing = NULL;
    if (decider->category == NULL || decider->category[0] == '\0')
        missing = "category";
    else if (decider->state_size == 0)
        missing = "state_size";
    else if (decider->evolve == NULL)
        missing = "evolve function";
    else if (decider->event_types == NULL && decider->event_type_count > 0)
        missing = "event_types";
    else if (to_handle && decider->decide == NULL)
        missing = "decide function";
    if (missing != NULL)
        return esk__fail(ESK_EINVAL, "decider %s has no %s",
                         decider->name != NULL ? decider->name : "?", missing);
    if (strchr(decider->category, '-') != NULL)
        return esk__fail(ESK_EINVAL,
                         "decider %s: category '%s' contains '-', which "
                         "ends a stream's category",
                         owner_of(decider), decider->category);
    return esk__ok();
}

static void initialise(const esk_decider *decider, void *state)
{
    memset(state, 0, decider->state_size);
    if (decider->initial_state != NULL)
        decider->initial_state(state);
}

esk_status esk_decider_fold(const esk_decider *decider, void *state,
                            const esk_event *events, size_t n)
{
    esk_status rc = check_decider(decider, false);
    if (rc != ESK_OK)
        return rc;
    if (state == NULL || (events == NULL && n > 0))
        return esk__fail(ESK_EINVAL, "esk_decider_fold: the %s is NULL",
                         state == NULL ? "state" : "event array");
    initialise(decider, state);
    rc = esk__fold(decider->event_types, decider->event_type_count,
                   decider->evolve, state, events, n, owner_of(decider),
                   decider->skip_unknown_types);
    return rc == ESK_OK ? esk__ok() : rc;
}

/* --- Handling a command --------------------------------------------------- */

/* What one handling needs, shared by its steps. */
typedef struct handling {
    const esk_decider *decider;
    esk_store *store;
    const char *id;
    char stream_id[ESK_STREAM_ID_MAX + 1];
    const esk_upcasters *upcasters;
    /* state_size bytes of state, then as many for the copy that tells
     * whether decide() wrote to it. */
    unsigned char *state;
    esk_event_list list;
    int64_t loaded_version;
} handling;

static esk_status load(handling *h)
{
    const esk_decider *d = h->decider;

    initialise(d, h->state);
    h->loaded_version = 0;
    for (;;) {
        esk_status rc = esk_store_read_stream(
            h->store, h->stream_id, h->loaded_version + 1, LOAD_PAGE, &h->list);
        if (rc != ESK_OK)
            return esk__fail_within(rc, "loading %s '%s'", owner_of(d), h->id);
        if (h->list.count == 0)
            return ESK_OK;
        if (h->upcasters != NULL) {
            rc = esk_upcasters_apply(h->upcasters, &h->list);
            if (rc != ESK_OK)
                return rc;
        }
        rc = esk__fold(d->event_types, d->event_type_count, d->evolve, h->state,
                       h->list.events, h->list.count, owner_of(d),
                       d->skip_unknown_types);
        if (rc != ESK_OK)
            return rc;
        h->loaded_version = h->list.events[h->list.count - 1].version;
        if (h->list.count < LOAD_PAGE)
            return ESK_OK;
    }
}

/* What decide() returned, once it is known to have left the state alone:
 * a refusal (made with esk_decision_reject() or esk_domain_error()), a
 * failure, or events. */
static esk_status decide_outcome(handling *h, esk_status rc,
                                 esk_decision *decision)
{
    const esk_decider *d = h->decider;
    const struct esk__decision *made = decision->internal;
    bool refused = made != NULL && made->refused;

    if (refused ||
        (rc == ESK_EDOMAIN && esk_error_last()->status == ESK_EDOMAIN)) {
        esk__decision_drop_events(decision);
        if (esk_error_last()->status != ESK_EDOMAIN)
            return esk__fail(ESK_EDOMAIN, "%s '%s' refused the command",
                             owner_of(d), h->id);
        return ESK_EDOMAIN;
    }
    if (rc == ESK_EDOMAIN)
        return esk__fail(ESK_EINVAL,
                         "decide() of %s returned ESK_EDOMAIN without "
                         "saying why: return esk_decision_reject("
                         "decision, CODE, \"reason\")",
                         owner_of(d));
    if (rc == ESK_OK && made != NULL && made->emit_failed != ESK_OK)
        rc = made->emit_failed;
    if (rc != ESK_OK)
        return esk__fail_within(rc, "decide() of %s for '%s'", owner_of(d),
                                h->id);
    return ESK_OK;
}

/* Run decide() and make sure that it kept the rules: state untouched, a
 * refusal said why, only known event types. */
static esk_status decide(handling *h, const void *command,
                         esk_decision *decision)
{
    const esk_decider *d = h->decider;
    unsigned char *copy = h->state + d->state_size;

    memcpy(copy, h->state, d->state_size);
    esk_error_clear();
    esk_status rc = d->decide(h->state, command, decision);
    if (memcmp(copy, h->state, d->state_size) != 0)
        return esk__fail(ESK_EINVAL,
                         "decide() changed the state of %s '%s': it may "
                         "only read it; evolve() changes the state",
                         owner_of(d), h->id);
    rc = decide_outcome(h, rc, decision);
    if (rc != ESK_OK)
        return rc;
    const esk__pending *events = esk__decision_events(decision);
    for (size_t i = 0; i < esk__decision_count(decision); i++) {
        const esk_event_type *t = events[i].type;
        if (esk__find_type(d->event_types, d->event_type_count, t->name,
                           t->schema_version) == NULL)
            return esk__fail(ESK_EINVAL,
                             "decide() of %s emitted %s v%d, which is "
                             "not among its event types: add it to "
                             "event_types",
                             owner_of(d), t->name, t->schema_version);
    }
    return ESK_OK;
}

/* Apply the new events to the state, as they will be read back: this
 * proves they decode before anything is written, and gives is_terminal
 * the state after the command. */
static esk_status evolve_new(handling *h, const esk_decision *decision)
{
    const esk_decider *d = h->decider;
    size_t n = esk__decision_count(decision);
    esk_event *events = esk__calloc(n, sizeof(*events));
    if (events == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory handling %s '%s'",
                         owner_of(d), h->id);
    for (size_t i = 0; i < n; i++) {
        const esk__pending *p = &esk__decision_events(decision)[i];
        events[i] = (esk_event){
            .event_id = "",
            .stream_id = h->stream_id,
            .version = h->loaded_version + (int64_t)i + 1,
            .type = p->type->name,
            .schema_version = p->type->schema_version,
            .data = p->json,
            .metadata = "{}",
        };
    }
    esk_status rc =
        esk__fold(d->event_types, d->event_type_count, d->evolve, h->state,
                  events, n, owner_of(d), d->skip_unknown_types);
    esk__free(events);
    return rc;
}

static esk_status append(handling *h, const esk_decision *decision,
                         const char *metadata, esk_append_result *out)
{
    size_t n = esk__decision_count(decision);
    const esk__pending *events = esk__decision_events(decision);
    esk_new_event *batch = esk__calloc(n, sizeof(*batch));
    if (batch == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory handling %s '%s'",
                         owner_of(h->decider), h->id);
    for (size_t i = 0; i < n; i++)
        batch[i] = (esk_new_event){NULL, events[i].type->name,
                                   events[i].type->schema_version,
                                   events[i].json, metadata};
    int64_t expected =
        h->loaded_version == 0 ? ESK_NO_STREAM : h->loaded_version;
    esk_status rc =
        esk_store_append(h->store, h->stream_id, expected, batch, n, out);
    if (rc != ESK_OK)
        esk__fail_within(rc, "saving %s '%s'", owner_of(h->decider), h->id);
    esk__free(batch);
    return rc;
}

static esk_status check_handle_arguments(const esk_decider *decider,
                                         esk_store *store, const char *id,
                                         const esk_handle_options *options)
{
    esk_status rc = check_decider(decider, true);
    if (rc != ESK_OK)
        return rc;
    if (store == NULL)
        return esk__fail(ESK_EINVAL, "handling %s: the store is NULL",
                         owner_of(decider));
    if (id == NULL || id[0] == '\0')
        return esk__fail(ESK_EINVAL,
                         "handling %s: the id is %s; give the id of the "
                         "%s to change",
                         owner_of(decider), id == NULL ? "NULL" : "empty",
                         owner_of(decider));
    if (options->version != ESK_HANDLE_OPTIONS_VERSION)
        return esk__fail(ESK_EINVAL,
                         "handling %s: options version %d is unknown; "
                         "start from ESK_HANDLE_OPTIONS_INIT",
                         owner_of(decider), options->version);
    if (options->max_attempts < 1 || options->backoff_ms < 0)
        return esk__fail(ESK_EINVAL,
                         "handling %s: max_attempts must be 1 or more "
                         "and backoff_ms 0 or more (got %d and %d)",
                         owner_of(decider), options->max_attempts,
                         options->backoff_ms);
    if (decider->state_size > SIZE_MAX / 2)
        return esk__fail(ESK_EINVAL, "handling %s: state_size is too large",
                         owner_of(decider));
    return ESK_OK;
}

/* One attempt: load, decide, append. Fills what it learns into res. */
static esk_status attempt(handling *h, const void *command,
                          const char *metadata, esk_decision *decision,
                          esk_handle_result *res)
{
    esk_decision_clear(decision);
    esk_status rc = load(h);
    if (rc != ESK_OK)
        return rc;
    res->loaded_version = res->version = h->loaded_version;
    rc = decide(h, command, decision);
    size_t count = esk__decision_count(decision);
    if (rc == ESK_OK && count > 0)
        rc = evolve_new(h, decision);
    if (rc != ESK_OK)
        return rc;
    res->terminal =
        h->decider->is_terminal != NULL && h->decider->is_terminal(h->state);
    if (count == 0)
        return ESK_OK;
    esk_append_result appended = {0, 0};
    rc = append(h, decision, metadata, &appended);
    if (rc == ESK_OK) {
        res->version = appended.version;
        res->position = appended.position;
        res->event_count = count;
    }
    return rc;
}

/* Everything a handling needs before its first attempt: the stream id,
 * the metadata encoded once (every attempt appends the same), and room
 * for the state and its copy. */
static esk_status prepare(handling *h, const esk_handle_options *options,
                          char **metadata)
{
    const esk_decider *decider = h->decider;
    int len = snprintf(h->stream_id, sizeof(h->stream_id), "%s-%s",
                       decider->category, h->id);
    if (len < 0 || (size_t)len >= sizeof(h->stream_id))
        return esk__fail(ESK_EINVAL,
                         "handling %s: the stream id '%s-<id>' would be "
                         "longer than %d bytes; use a shorter id",
                         owner_of(decider), decider->category,
                         ESK_STREAM_ID_MAX);
    /* jansson may drop a byte when an allocation fails and still succeed,
     * so a failure counted during the call means the text cannot be
     * trusted. */
    unsigned long failures = esk__allocation_failures();
    esk_status rc = esk_metadata_encode(options->metadata, metadata);
    if (rc == ESK_OK && esk__allocation_failures() != failures)
        rc = esk__fail(ESK_ENOMEM,
                       "out of memory encoding the metadata of %s '%s'",
                       owner_of(decider), h->id);
    if (rc != ESK_OK)
        return rc;
    h->state = esk__malloc(2 * decider->state_size);
    if (h->state == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory handling %s '%s'",
                         owner_of(decider), h->id);
    return ESK_OK;
}

/* Attempt until it does not conflict, or max_attempts are made. */
static esk_status attempts(handling *h, const void *command,
                           const esk_handle_options *options,
                           const char *metadata, esk_decision *decision,
                           esk_handle_result *res)
{
    esk_status rc = ESK_OK;
    for (int k = 1;; k++) {
        res->attempts = k;
        if (k > 1)
            esk__sleep_ms((long long)options->backoff_ms * (k - 1));
        rc = attempt(h, command, metadata, decision, res);
        if (rc != ESK_ECONCURRENCY || k >= options->max_attempts)
            break;
    }
    if (rc == ESK_ECONCURRENCY && res->attempts > 1)
        esk__fail_ext(rc, esk_error_last()->ext,
                      "%s (still conflicting after %d attempts)", esk_errmsg(),
                      res->attempts);
    return rc;
}

esk_status esk_decider_handle(const esk_decider *decider, esk_store *store,
                              const char *id, const void *command,
                              const esk_handle_options *options,
                              esk_decision *decision, esk_handle_result *result)
{
    static const esk_handle_options defaults = ESK_HANDLE_OPTIONS_INIT;
    esk_decision own = ESK_DECISION_INIT;
    char *metadata = NULL;
    esk_handle_result res = {0, 0, 0, 0, 0, false};
    handling h = {.list = ESK_EVENT_LIST_INIT};

    if (decision == NULL)
        decision = &own;
    esk_decision_clear(decision);
    if (options == NULL)
        options = &defaults;
    esk_status rc = check_handle_arguments(decider, store, id, options);
    if (rc == ESK_OK) {
        h = (handling){.decider = decider,
                       .store = store,
                       .id = id,
                       .upcasters = options->upcasters,
                       .list = ESK_EVENT_LIST_INIT};
        rc = prepare(&h, options, &metadata);
    }
    if (rc == ESK_OK)
        rc = attempts(&h, command, options, metadata, decision, &res);
    /* Nothing was appended: the decision keeps only a refusal. */
    if (rc != ESK_OK) {
        esk__decision_drop_events(decision);
        res.terminal = false;
    }
    if (result != NULL)
        *result = res;
    esk_decision_release(&own);
    esk_event_list_release(&h.list);
    esk__free(h.state);
    esk__free(metadata);
    return rc == ESK_OK ? esk__ok() : rc;
}
