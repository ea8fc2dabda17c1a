/*
 * snapshot.c - loading a conference from its snapshot, and writing one
 * every SNAPSHOT_EVERY events.
 *
 * A snapshot is a cache: the events are the truth. So the load trusts a
 * snapshot only when it is of this layout, decodes, and stands on an
 * event the stream has; anything else is ignored and every event folded.
 */
#include <string.h>

#include "conference.h"

/* Fold the events from version `from` on, one page at a time. */
static esk_status fold_from(esk_store *store, conference *c, int64_t from)
{
    enum { PAGE = 500 };
    esk_event_list page = ESK_EVENT_LIST_INIT;
    esk_status rc = ESK_OK;

    for (;;) {
        rc = esk_store_read_stream(store, c->base.stream_id, from, PAGE, &page);
        for (size_t i = 0; rc == ESK_OK && i < page.count; i++)
            rc = esk_aggregate_apply(c, &page.events[i]);
        if (rc != ESK_OK || page.count < PAGE)
            break;
        from = page.events[page.count - 1].version + 1;
    }
    esk_event_list_release(&page);
    return rc;
}

/* Start c from its snapshot when it can be trusted, and say at which
 * version (0: none). Only the store failing is an error. */
static esk_status start_from_snapshot(esk_store *store, conference *c,
                                      int64_t *version)
{
    esk_record record;
    char *owned = NULL;
    int64_t last = 0;

    *version = 0;
    esk_status rc = esk_store_get_record(store, ESK_RECORD_SNAPSHOT,
                                         c->base.stream_id, &record, &owned);
    if (rc == ESK_ENOTFOUND)
        return ESK_OK;
    if (rc != ESK_OK)
        return rc;
    rc = esk_store_stream_version(store, c->base.stream_id, &last);
    /* Another layout is read wrongly; a snapshot beyond the stream (a
     * store restored from an older backup) describes events that are not
     * there. */
    if (rc == ESK_OK && record.tag == conference_snapshot_type.schema_version &&
        record.at >= 1 && record.at <= last) {
        /* Decoded aside, so that a value that fails halfway leaves
         * nothing in c. */
        conference decoded;
        memset(&decoded, 0, sizeof(decoded));
        if (esk_codec_decode(&conference_snapshot_type, record.value,
                             &decoded) == ESK_OK) {
            c->state = decoded.state;
            /* Both: the next event applied must be record.at + 1, and a
             * save expects the stream to be at the version loaded. */
            c->base.version = record.at;
            c->base.stored_version = record.at;
            *version = record.at;
        }
    }
    esk_free(owned);
    return rc;
}

esk_status snapshot_load(esk_store *store, const char *id, conference *c)
{
    int64_t version = 0;

    esk_status rc = esk_aggregate_init(c, &conference_type, id);
    if (rc != ESK_OK)
        return rc;
    rc = start_from_snapshot(store, c, &version);
    if (rc == ESK_OK)
        rc = fold_from(store, c, version + 1);
    if (rc == ESK_OK && c->base.version == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "conference '%s' has no events", id);
    if (rc != ESK_OK) {
        /* Never half-loaded; the message of the failure is kept. */
        esk_error failure = *esk_error_last();
        esk_aggregate_init(c, &conference_type, id);
        esk_error_set(rc, "%s", failure.message);
    }
    return rc;
}

/* Write c's state as the stream's snapshot, at c's version. */
static esk_status put_snapshot(esk_store *store, const conference *c)
{
    char *json = NULL;
    esk_status rc = esk_codec_encode(&conference_snapshot_type, c, &json);
    if (rc != ESK_OK)
        return rc;
    esk_record record = {c->base.stream_id, c->base.version,
                         conference_snapshot_type.schema_version, json};
    rc = esk_store_put_record(store, ESK_RECORD_SNAPSHOT, &record);
    esk_free(json);
    return rc;
}

esk_status snapshot_save_if_due(esk_store *store, conference *c)
{
    int64_t before = c->base.stored_version;

    esk_status rc = esk_store_begin(store);
    if (rc != ESK_OK)
        return rc;
    rc = conference_append(store, c);
    /* A save of several events may jump over the multiple: compare which
     * multiple each side is past. */
    if (rc == ESK_OK &&
        before / SNAPSHOT_EVERY != c->base.version / SNAPSHOT_EVERY)
        rc = put_snapshot(store, c);
    if (rc != ESK_OK) {
        /* Neither the events nor the snapshot; the message of the failure
         * is kept. */
        esk_error failure = *esk_error_last();
        esk_store_rollback(store);
        esk_error_set(rc, "%s", failure.message);
        return rc;
    }
    return esk_store_commit(store);
}
