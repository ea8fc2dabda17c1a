/*
 * src/decider.c - decisions, and handling a command with a decider: load,
 * decide, append, retry on conflict.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "esk/decider.h"
#include "internal.h"

/* Events are read this many at a time, so that a long stream never needs
 * one allocation of its whole size. */
enum { LOAD_PAGE = 256 };

/* --- Decisions ------------------------------------------------------------ */

esk_status esk_decision_emit(esk_decision *decision, const esk_event_type *type,
                             const void *event)
{
    if (decision == NULL)
        return ESK_EINVAL;
    if (type == NULL || event == NULL)
        return esk__error_set(&decision->error, ESK_EINVAL,
                              "esk_decision_emit: the event %s is NULL",
                              type == NULL ? "type" : "struct");
    /* A refusal stands: what is emitted after it is not an outcome. */
    if (decision->error.status == ESK_EDOMAIN)
        return ESK_EINVAL;
    return esk__pending_push(&decision->events_, &decision->count_,
                             &decision->capacity_, type, event,
                             &decision->error);
}

esk_status esk_decision_reject(esk_decision *decision, int code,
                               const char *format, ...)
{
    if (decision == NULL)
        return ESK_EINVAL;
    esk__pending_clear(decision->events_, &decision->count_);
    if (code == 0 || format == NULL)
        return esk__error_set(&decision->error, ESK_EINVAL,
                              "esk_decision_reject: %s",
                              code == 0 ? "the domain error code is 0; give "
                                          "the domain's own code"
                                        : "the message is NULL");
    /* The same record esk_domain_error_into() fills, so both read alike. */
    va_list args;
    va_start(args, format);
    esk__error_vset(&decision->error, ESK_EDOMAIN, format, args);
    va_end(args);
    decision->error.code = code;
    return ESK_EDOMAIN;
}

size_t esk_decision_count(const esk_decision *decision)
{
    return decision == NULL ? 0 : decision->count_;
}

esk_status esk_decision_event(const esk_decision *decision, size_t i,
                              const esk_event_type **type_out,
                              const char **json_out)
{
    if (decision == NULL || i >= decision->count_)
        return ESK_EINVAL;
    if (type_out != NULL)
        *type_out = decision->events_[i].type;
    if (json_out != NULL)
        *json_out = decision->events_[i].json;
    return ESK_OK;
}

void esk_decision_clear(esk_decision *decision)
{
    if (decision == NULL)
        return;
    esk__pending_clear(decision->events_, &decision->count_);
    decision->error = (esk_error){ESK_OK, ESK_EXT_NONE, 0, {0}};
}

void esk_decision_release(esk_decision *decision)
{
    if (decision == NULL)
        return;
    esk__pending_free(&decision->events_, &decision->count_,
                      &decision->capacity_);
    decision->error = (esk_error){ESK_OK, ESK_EXT_NONE, 0, {0}};
}

/* --- Folding ------------------------------------------------------------- */

static const char *owner_of(const esk_decider *decider)
{
    return decider->name != NULL ? decider->name : decider->category;
}

static esk_status check_decider(const esk_decider *decider, bool to_handle,
                                esk_error *err)
{
    if (decider == NULL)
        return esk__error_set(err, ESK_EINVAL, "the decider is NULL");
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
        return esk__error_set(err, ESK_EINVAL, "decider %s has no %s",
                              decider->name != NULL ? decider->name : "?",
                              missing);
    if (strchr(decider->category, '-') != NULL)
        return esk__error_set(err, ESK_EINVAL,
                              "decider %s: category '%s' contains '-', which "
                              "ends a stream's category",
                              owner_of(decider), decider->category);
    return ESK_OK;
}

static void initialise(const esk_decider *decider, void *state)
{
    memset(state, 0, decider->state_size);
    if (decider->initial_state != NULL)
        decider->initial_state(state);
}

esk_status esk_decider_fold(const esk_decider *decider, void *state,
                            const esk_event *events, size_t n, esk_error *err)
{
    esk_status rc = check_decider(decider, false, err);
    if (rc != ESK_OK)
        return rc;
    if (state == NULL || (events == NULL && n > 0))
        return esk__error_set(err, ESK_EINVAL,
                              "esk_decider_fold: the %s is NULL",
                              state == NULL ? "state" : "event array");
    initialise(decider, state);
    return esk__fold(decider->event_types, decider->event_type_count,
                     decider->evolve, state, events, n, owner_of(decider),
                     decider->skip_unknown_types, err);
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

static esk_status load(handling *h, esk_error *err)
{
    const esk_decider *d = h->decider;

    initialise(d, h->state);
    h->loaded_version = 0;
    for (;;) {
        esk_status rc = esk_store_read_stream(
            h->store, h->stream_id, h->loaded_version + 1, LOAD_PAGE, &h->list);
        if (rc != ESK_OK)
            return esk__error_set(err, rc, "loading %s '%s': %s", owner_of(d),
                                  h->id, esk_store_errmsg(h->store));
        if (h->list.count == 0)
            return ESK_OK;
        if (h->upcasters != NULL) {
            rc = esk_upcasters_apply(h->upcasters, &h->list, err);
            if (rc != ESK_OK)
                return rc;
        }
        rc = esk__fold(d->event_types, d->event_type_count, d->evolve, h->state,
                       h->list.events, h->list.count, owner_of(d),
                       d->skip_unknown_types, err);
        if (rc != ESK_OK)
            return rc;
        h->loaded_version = h->list.events[h->list.count - 1].version;
        if (h->list.count < LOAD_PAGE)
            return ESK_OK;
    }
}

/* Run decide() and make sure that it kept the rules: state untouched, a
 * refusal made with esk_decision_reject(), only known event types. */
static esk_status decide(handling *h, const void *command,
                         esk_decision *decision, esk_error *err)
{
    const esk_decider *d = h->decider;
    unsigned char *copy = h->state + d->state_size;

    memcpy(copy, h->state, d->state_size);
    esk_status rc = d->decide(h->state, command, decision);
    if (memcmp(copy, h->state, d->state_size) != 0)
        return esk__error_set(err, ESK_EINVAL,
                              "decide() changed the state of %s '%s': it may "
                              "only read it; evolve() changes the state",
                              owner_of(d), h->id);
    if (decision->error.status == ESK_EDOMAIN) {
        esk__pending_clear(decision->events_, &decision->count_);
        if (err != NULL)
            *err = decision->error;
        return ESK_EDOMAIN;
    }
    if (rc == ESK_EDOMAIN)
        return esk__error_set(err, ESK_EINVAL,
                              "decide() of %s returned ESK_EDOMAIN without "
                              "saying why: return esk_decision_reject("
                              "decision, CODE, \"reason\")",
                              owner_of(d));
    if (decision->error.status != ESK_OK)
        return esk__error_set(err, decision->error.status,
                              "decide() of %s for '%s': %s", owner_of(d), h->id,
                              decision->error.message);
    if (rc != ESK_OK)
        return esk__error_set(err, rc, "decide() of %s for '%s' failed: %s",
                              owner_of(d), h->id, esk_status_str(rc));
    for (size_t i = 0; i < decision->count_; i++) {
        const esk_event_type *t = decision->events_[i].type;
        if (esk__find_type(d->event_types, d->event_type_count, t->name,
                           t->schema_version) == NULL)
            return esk__error_set(err, ESK_EINVAL,
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
static esk_status evolve_new(handling *h, const esk_decision *decision,
                             esk_error *err)
{
    const esk_decider *d = h->decider;
    size_t n = decision->count_;
    esk_event *events = esk__calloc(n, sizeof(*events));
    if (events == NULL)
        return esk__error_set(err, ESK_ENOMEM, "out of memory handling %s '%s'",
                              owner_of(d), h->id);
    for (size_t i = 0; i < n; i++) {
        const esk__pending *p = &decision->events_[i];
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
                  events, n, owner_of(d), d->skip_unknown_types, err);
    esk__free(events);
    return rc;
}

static esk_status append(handling *h, const esk_decision *decision,
                         const char *metadata, esk_append_result *out,
                         esk_error *err)
{
    size_t n = decision->count_;
    esk_new_event *batch = esk__calloc(n, sizeof(*batch));
    if (batch == NULL)
        return esk__error_set(err, ESK_ENOMEM, "out of memory handling %s '%s'",
                              owner_of(h->decider), h->id);
    for (size_t i = 0; i < n; i++)
        batch[i] = (esk_new_event){NULL, decision->events_[i].type->name,
                                   decision->events_[i].type->schema_version,
                                   decision->events_[i].json, metadata};
    int64_t expected =
        h->loaded_version == 0 ? ESK_NO_STREAM : h->loaded_version;
    esk_status rc =
        esk_store_append(h->store, h->stream_id, expected, batch, n, out);
    if (rc != ESK_OK)
        esk__error_set(err, rc, "saving %s '%s': %s", owner_of(h->decider),
                       h->id, esk_store_errmsg(h->store));
    esk__free(batch);
    return rc;
}

static esk_status check_handle_arguments(const esk_decider *decider,
                                         esk_store *store, const char *id,
                                         const esk_handle_options *options,
                                         esk_error *err)
{
    esk_status rc = check_decider(decider, true, err);
    if (rc != ESK_OK)
        return rc;
    if (store == NULL)
        return esk__error_set(err, ESK_EINVAL, "handling %s: the store is NULL",
                              owner_of(decider));
    if (id == NULL || id[0] == '\0')
        return esk__error_set(err, ESK_EINVAL,
                              "handling %s: the id is %s; give the id of the "
                              "%s to change",
                              owner_of(decider), id == NULL ? "NULL" : "empty",
                              owner_of(decider));
    if (options->version != ESK_HANDLE_OPTIONS_VERSION)
        return esk__error_set(err, ESK_EINVAL,
                              "handling %s: options version %d is unknown; "
                              "start from ESK_HANDLE_OPTIONS_INIT",
                              owner_of(decider), options->version);
    if (options->max_attempts < 1 || options->backoff_ms < 0)
        return esk__error_set(err, ESK_EINVAL,
                              "handling %s: max_attempts must be 1 or more "
                              "and backoff_ms 0 or more (got %d and %d)",
                              owner_of(decider), options->max_attempts,
                              options->backoff_ms);
    if (decider->state_size > SIZE_MAX / 2)
        return esk__error_set(err, ESK_EINVAL,
                              "handling %s: state_size is too large",
                              owner_of(decider));
    return ESK_OK;
}

/* One attempt: load, decide, append. Fills what it learns into res. */
static esk_status attempt(handling *h, const void *command,
                          const char *metadata, esk_decision *decision,
                          esk_handle_result *res, esk_error *err)
{
    esk_decision_clear(decision);
    esk_status rc = load(h, err);
    if (rc != ESK_OK)
        return rc;
    res->loaded_version = res->version = h->loaded_version;
    rc = decide(h, command, decision, err);
    if (rc == ESK_OK && decision->count_ > 0)
        rc = evolve_new(h, decision, err);
    if (rc != ESK_OK)
        return rc;
    res->terminal =
        h->decider->is_terminal != NULL && h->decider->is_terminal(h->state);
    if (decision->count_ == 0)
        return ESK_OK;
    esk_append_result appended = {0, 0};
    rc = append(h, decision, metadata, &appended, err);
    if (rc == ESK_OK) {
        res->version = appended.version;
        res->position = appended.position;
        res->event_count = decision->count_;
    }
    return rc;
}

esk_status esk_decider_handle(const esk_decider *decider, esk_store *store,
                              const char *id, const void *command,
                              const esk_handle_options *options,
                              esk_decision *decision, esk_handle_result *result,
                              esk_error *err)
{
    static const esk_handle_options defaults = ESK_HANDLE_OPTIONS_INIT;
    esk_status rc = ESK_OK;
    esk_decision own = ESK_DECISION_INIT;
    char *metadata = NULL;
    esk_handle_result res = {0, 0, 0, 0, 0, false};
    handling h = {.list = ESK_EVENT_LIST_INIT};

    if (err != NULL)
        *err = (esk_error){ESK_OK, ESK_EXT_NONE, 0, {0}};
    if (decision == NULL)
        decision = &own;
    esk_decision_clear(decision);
    if (options == NULL)
        options = &defaults;
    rc = check_handle_arguments(decider, store, id, options, err);
    if (rc != ESK_OK)
        goto done;
    h.decider = decider;
    h.store = store;
    h.id = id;
    h.upcasters = options->upcasters;
    int len = snprintf(h.stream_id, sizeof(h.stream_id), "%s-%s",
                       decider->category, id);
    if (len < 0 || (size_t)len >= sizeof(h.stream_id)) {
        rc = esk__error_set(err, ESK_EINVAL,
                            "handling %s: the stream id '%s-<id>' would be "
                            "longer than %d bytes; use a shorter id",
                            owner_of(decider), decider->category,
                            ESK_STREAM_ID_MAX);
        goto done;
    }
    /* Encoded once: every attempt appends the same metadata. jansson may
     * drop a byte when an allocation fails and still succeed, so a
     * failure counted during the call means the text cannot be trusted. */
    unsigned long failures = esk__allocation_failures();
    rc = esk_metadata_encode(options->metadata, &metadata, err);
    if (rc == ESK_OK && esk__allocation_failures() != failures)
        rc = esk__error_set(err, ESK_ENOMEM,
                            "out of memory encoding the metadata of %s '%s'",
                            owner_of(decider), id);
    if (rc != ESK_OK)
        goto done;
    h.state = esk__malloc(2 * decider->state_size);
    if (h.state == NULL) {
        rc = esk__error_set(err, ESK_ENOMEM, "out of memory handling %s '%s'",
                            owner_of(decider), id);
        goto done;
    }
    for (int k = 1;; k++) {
        res.attempts = k;
        if (k > 1)
            esk__sleep_ms((long long)options->backoff_ms * (k - 1));
        rc = attempt(&h, command, metadata, decision, &res, err);
        if (rc != ESK_ECONCURRENCY || k >= options->max_attempts)
            break;
    }
done:
    if (rc == ESK_ECONCURRENCY && res.attempts > 1 && err != NULL) {
        char reason[ESK_ERROR_MESSAGE_MAX];
        memcpy(reason, err->message, sizeof(reason));
        esk__error_set(err, rc, "%s (still conflicting after %d attempts)",
                       reason, res.attempts);
    }
    /* Nothing was appended: the decision keeps only a refusal. */
    if (rc != ESK_OK) {
        esk__pending_clear(decision->events_, &decision->count_);
        res.terminal = false;
    }
    if (result != NULL)
        *result = res;
    esk_decision_release(&own);
    esk_event_list_release(&h.list);
    esk__free(h.state);
    esk__free(metadata);
    return rc;
}
