/*
 * src/repository.c - loading aggregates from their streams, saving their
 * pending events, and snapshots.
 *
 * A snapshot only ever saves time: loading gives the same state with or
 * without it. So a snapshot esk cannot trust (another layout version, a
 * value that does not decode, a stream that does not reach it) is ignored
 * and the stream replayed from the start, and a snapshot that cannot be
 * written does not fail the save whose events are already stored.
 */
#include <string.h>

#include "aggregate_internal.h"
#include "internal.h"

/* Events read per page: a long stream is folded page by page through one
 * list, instead of in one list as long as the stream. */
enum { PAGE_SIZE = 512 };

struct esk_repository {
    esk_store *store;
    const esk_aggregate_type *type;
    esk_repository_options options;
    esk_event_list page;
};

/* The snapshot table describes the whole state struct, but only the
 * fields after the esk_aggregate member are the state's own. */
static bool snapshot_is_valid(const esk_aggregate_type *type)
{
    const esk_event_type *s = type->snapshot;
    if (s->name == NULL || s->schema_version < 1 ||
        s->struct_size != type->state_size ||
        (s->field_count > 0 && s->fields == NULL))
        return false;
    for (size_t i = 0; i < s->field_count; i++)
        if (s->fields[i].offset < sizeof(esk_aggregate))
            return false;
    return true;
}

esk_status esk_repository_new(esk_repository **out, esk_store *store,
                              const esk_aggregate_type *type,
                              const esk_repository_options *options)
{
    esk_repository_options chosen = ESK_REPOSITORY_OPTIONS_INIT;
    esk_status rc;

    if (out == NULL || store == NULL)
        return esk__fail(ESK_EINVAL, "esk_repository_new: %s is NULL",
                         out == NULL ? "out" : "store");
    if ((rc = esk__aggregate_type_check(type)) != ESK_OK)
        return rc;
    if (options != NULL) {
        if (options->version != ESK_REPOSITORY_OPTIONS_VERSION)
            return esk__fail(ESK_EINVAL,
                             "repository options version %d is not %d: "
                             "start from ESK_REPOSITORY_OPTIONS_INIT",
                             options->version, ESK_REPOSITORY_OPTIONS_VERSION);
        if (options->snapshot_every < 0)
            return esk__fail(ESK_EINVAL,
                             "snapshot_every is %d: use 0 for no "
                             "snapshots, or a number of events",
                             options->snapshot_every);
        chosen = *options;
    }
    if (type->snapshot != NULL && !snapshot_is_valid(type))
        return esk__fail(
            ESK_EINVAL,
            "%s's snapshot table must describe the whole state struct "
            "(struct_size = state_size) and only fields after the "
            "esk_aggregate member",
            type->name);
    if (chosen.snapshot_every > 0 && type->snapshot == NULL)
        return esk__fail(ESK_EINVAL,
                         "snapshots every %d events need %s to "
                         "describe its state: set its snapshot type",
                         chosen.snapshot_every, type->name);

    esk_repository *repo = esk__calloc(1, sizeof(*repo));
    if (repo == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory creating a repository");
    repo->store = store;
    repo->type = type;
    repo->options = chosen;
    repo->page = (esk_event_list)ESK_EVENT_LIST_INIT;
    *out = repo;
    return esk__ok();
}

void esk_repository_free(esk_repository *repo)
{
    if (repo == NULL)
        return;
    esk_event_list_release(&repo->page);
    esk__free(repo);
}

/* --- Loading -------------------------------------------------------------- */

/* Start the state from its snapshot when there is one esk can use: then
 * base->version is the snapshot's version. Only the store failing is an
 * error. */
static esk_status load_snapshot(esk_repository *repo, void *state)
{
    esk_aggregate *base = state;
    const esk_event_type *layout = repo->type->snapshot;
    esk_record record;
    char *owned = NULL;
    void *scratch = NULL;
    esk_status rc = ESK_OK;

    if (layout == NULL)
        return ESK_OK;
    rc = esk_store_get_record(repo->store, ESK_RECORD_SNAPSHOT, base->stream_id,
                              &record, &owned);
    if (rc == ESK_ENOTFOUND)
        return ESK_OK;
    if (rc != ESK_OK)
        return esk__fail_within(rc, "loading %s '%s': reading its snapshot",
                                repo->type->name, base->id);
    if (record.tag != layout->schema_version || record.at < 1)
        goto done;
    scratch = esk__malloc(repo->type->state_size);
    if (scratch == NULL) {
        rc = esk__fail(ESK_ENOMEM, "loading %s '%s': out of memory",
                       repo->type->name, base->id);
        goto done;
    }
    /* Decoded into a scratch copy, so that a value that fails halfway
     * leaves nothing in the state. */
    esk_status decoded = esk_codec_decode(layout, record.value, scratch);
    if (decoded == ESK_ENOMEM) {
        rc = esk__fail_within(ESK_ENOMEM, "loading %s '%s'", repo->type->name,
                              base->id);
        goto done;
    }
    if (decoded != ESK_OK)
        goto done;
    memcpy((char *)state + sizeof(esk_aggregate),
           (char *)scratch + sizeof(esk_aggregate),
           repo->type->state_size - sizeof(esk_aggregate));
    base->version = record.at;
done:
    esk__free(scratch);
    esk_free(owned);
    return rc;
}

/* Make sure each event is the next one: a store that skips or repeats a
 * version would otherwise produce a state that no stream describes. */
static esk_status check_sequence(const esk_event *events, size_t count,
                                 int64_t after)
{
    for (size_t i = 0; i < count; i++) {
        int64_t expected = after + 1 + (int64_t)i;
        if (events[i].version != expected)
            return esk__fail(ESK_ECORRUPT,
                             "stream '%s' has version %lld where %lld was "
                             "expected: the store is damaged",
                             events[i].stream_id, (long long)events[i].version,
                             (long long)expected);
    }
    return ESK_OK;
}

/* Fold one page of events (already upcast) into the state. */
static esk_status fold_page(esk_repository *repo, void *state,
                            const esk_event *events, size_t count)
{
    esk_aggregate *base = state;
    const esk_aggregate_type *type = repo->type;

    if (count == 0)
        return ESK_OK;
    esk_status rc = check_sequence(events, count, base->version);
    if (rc != ESK_OK)
        return rc;
    rc = esk__fold(type->event_types, type->event_type_count, type->evolve,
                   state, events, count, type->name, type->skip_unknown_types);
    if (rc != ESK_OK)
        return esk__fail_within(rc, "loading %s '%s'", type->name, base->id);
    base->version = events[count - 1].version;
    return ESK_OK;
}

/* Fold the stream from where the state is (0, or a snapshot's version),
 * page by page. */
static esk_status replay(esk_repository *repo, void *state)
{
    esk_aggregate *base = state;
    esk_event_list *page = &repo->page;
    /* A snapshot is trusted only if the stream still has the event it
     * was taken at: its page starts there, and that event is skipped. */
    bool from_snapshot = base->version > 0;
    int64_t from = from_snapshot ? base->version : 1;

    for (;;) {
        esk_status rc = esk_store_read_stream(repo->store, base->stream_id,
                                              from, PAGE_SIZE, page);
        if (rc != ESK_OK)
            return esk__fail_within(rc, "loading %s '%s'", repo->type->name,
                                    base->id);
        size_t skip = 0;
        if (from_snapshot) {
            from_snapshot = false;
            if (page->count == 0 || page->events[0].version != from) {
                char id[sizeof(base->id)];
                memcpy(id, base->id, sizeof(id));
                esk_aggregate_init(state, repo->type, id);
                from = 1;
                continue;
            }
            skip = 1;
        }
        rc = esk_upcasters_apply(repo->options.upcasters, page);
        if (rc != ESK_OK)
            return esk__fail_within(rc, "loading %s '%s'", repo->type->name,
                                    base->id);
        rc = fold_page(repo, state, page->events + skip, page->count - skip);
        if (rc != ESK_OK)
            return rc;
        if (page->count < PAGE_SIZE)
            return ESK_OK;
        from = page->events[page->count - 1].version + 1;
    }
}

esk_status esk_repository_load(esk_repository *repo, const char *id,
                               void *state)
{
    esk_status rc = ESK_OK;

    if (repo == NULL || state == NULL)
        return esk__fail(ESK_EINVAL, "esk_repository_load: %s is NULL",
                         repo == NULL ? "the repository" : "state");
    rc = esk_aggregate_init(state, repo->type, id);
    if (rc != ESK_OK) {
        /* Zeroed, the state is safe to release like a loaded one. */
        memset(state, 0, repo->type->state_size);
        return rc;
    }
    esk_aggregate *base = state;
    rc = load_snapshot(repo, state);
    if (rc == ESK_OK)
        rc = replay(repo, state);
    esk_event_list_clear(&repo->page);
    if (rc == ESK_OK && base->version == 0)
        rc = esk__fail(ESK_ENOTFOUND,
                       "%s '%s' does not exist: stream '%s' has no events",
                       repo->type->name, base->id, base->stream_id);
    if (rc != ESK_OK) {
        /* Never half-loaded: a failure gives a new, empty aggregate (which
         * holds no pending events to release). The id was accepted above,
         * so this init succeeds. */
        char kept_id[sizeof(base->id)];
        memcpy(kept_id, base->id, sizeof(kept_id));
        esk__aggregate_init(state, repo->type, kept_id);
        return rc;
    }
    base->stored_version = base->version;
    return esk__ok();
}

/* --- Saving --------------------------------------------------------------- */

/* Write a snapshot at the state's version. A failure only leaves a note
 * in the last error, whose status stays ESK_OK: the events it follows are
 * stored, and the next load replays them. */
static void write_snapshot(esk_repository *repo, void *state)
{
    esk_aggregate *base = state;
    const esk_event_type *layout = repo->type->snapshot;
    char *json = NULL;

    esk_status rc = esk_codec_encode(layout, state, &json);
    if (rc == ESK_OK) {
        esk_record record = {base->stream_id, base->version,
                             layout->schema_version, json};
        rc = esk_store_put_record(repo->store, ESK_RECORD_SNAPSHOT, &record);
        esk__free(json);
    }
    if (rc != ESK_OK)
        esk__note("the events of %s '%s' are saved, but its snapshot at "
                  "version %lld was not written: %s",
                  repo->type->name, base->id, (long long)base->version,
                  esk_errmsg());
}

static esk_status append_pending(esk_repository *repo, esk_aggregate *base,
                                 const esk_metadata *metadata,
                                 esk_append_result *result)
{
    esk_status rc = ESK_OK;
    char *meta = NULL;
    esk_new_event *events = NULL;
    size_t n = esk_aggregate_pending_count(base);

    if (metadata != NULL) {
        rc = esk_metadata_encode(metadata, &meta);
        if (rc != ESK_OK) {
            rc = esk__fail_within(rc, "saving %s '%s'", repo->type->name,
                                  base->id);
            goto done;
        }
    }
    events = esk__calloc(n, sizeof(*events));
    if (events == NULL) {
        rc = esk__fail(ESK_ENOMEM, "saving %s '%s': out of memory",
                       repo->type->name, base->id);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const esk__pending *p = &base->internal->items[i];
        events[i] = (esk_new_event){NULL, p->type->name,
                                    p->type->schema_version, p->json, meta};
    }
    int64_t expected =
        base->stored_version == 0 ? ESK_NO_STREAM : base->stored_version;
    rc = esk_store_append(repo->store, base->stream_id, expected, events, n,
                          result);
    if (rc == ESK_ECONCURRENCY && expected == ESK_NO_STREAM)
        rc = esk__fail_ext(rc, esk_error_last()->ext,
                           "%s '%s' already exists (%s): it was created by "
                           "someone else, so load it instead of creating it; "
                           "its %zu pending events are kept",
                           repo->type->name, base->id, esk_errmsg(), n);
    else if (rc == ESK_ECONCURRENCY)
        rc = esk__fail_ext(rc, esk_error_last()->ext,
                           "%s '%s' was changed by someone else since it was "
                           "loaded (%s): load it again and retry the command; "
                           "its %zu pending events are kept",
                           repo->type->name, base->id, esk_errmsg(), n);
    else if (rc != ESK_OK)
        rc = esk__fail_within(rc, "saving %s '%s'", repo->type->name, base->id);
done:
    esk__free(events);
    esk__free(meta);
    return rc;
}

esk_status esk_repository_save(esk_repository *repo, void *state,
                               const esk_metadata *metadata,
                               esk_append_result *out)
{
    esk_aggregate *base = state;
    if (repo == NULL || base == NULL)
        return esk__fail(ESK_EINVAL, "esk_repository_save: %s is NULL",
                         repo == NULL ? "the repository" : "state");
    if (base->type != repo->type)
        return esk__fail(ESK_EINVAL,
                         "this repository saves %s aggregates, and the state "
                         "is %s%s",
                         repo->type->name,
                         base->type == NULL ? "not an initialised aggregate"
                                            : "of type ",
                         base->type == NULL ? "" : base->type->name);
    size_t n = esk_aggregate_pending_count(base);
    /* The state must be what the store has plus exactly the pending
     * events; pending events dropped unsaved leave it ahead of any
     * stream. */
    if (base->version != base->stored_version + (int64_t)n)
        return esk__fail(ESK_EINVAL,
                         "%s '%s' is at version %lld but holds %zu pending "
                         "events over stored version %lld: events were "
                         "cleared unsaved; load it again",
                         repo->type->name, base->id, (long long)base->version,
                         n, (long long)base->stored_version);
    if (n == 0) {
        if (out != NULL)
            *out = (esk_append_result){base->stored_version, 0};
        return esk__ok();
    }

    esk_append_result result;
    esk_status rc = append_pending(repo, base, metadata, &result);
    if (rc != ESK_OK)
        return rc;
    int64_t before = base->stored_version;
    esk_aggregate_clear_pending(state);
    base->stored_version = base->version;
    if (out != NULL)
        *out = result;
    esk__ok();
    int every = repo->options.snapshot_every;
    if (every > 0 && before / every != base->version / every)
        write_snapshot(repo, state);
    return ESK_OK;
}
