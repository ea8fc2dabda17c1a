/*
 * snapshot_table.c - what a snapshot holds, and how events are appended.
 * Provided.
 *
 * A snapshot is described like an event, with a field table: every member
 * of conference_state, under its JSON key. The table describes the whole
 * conference struct, so each member is named through it (state.capacity);
 * the base (id, version, pending events) is esk's own and is never part
 * of a snapshot. A member left out would not be written, and would read
 * as zero after a load from the snapshot.
 *
 * CONFERENCE_LAYOUT_VERSION (conference.h) is the table's schema_version:
 * when conference_state changes (a member added, removed, or meaning
 * something else), add one, and every older snapshot is then ignored.
 */
#include "conference.h"

static const esk_field recent_id = ESK_ELEMENT_STRING(char[ID_SIZE]);

static const esk_field conference_snapshot_fields[] = {
    ESK_FIELD_INT64(conference, state.status, "status"),
    ESK_FIELD_INT64(conference, state.capacity, "capacity"),
    ESK_FIELD_INT64(conference, state.seats_taken, "seatsTaken"),
    ESK_FIELD_INT64(conference, state.waiting, "waiting"),
    ESK_FIELD_ARRAY(conference, state.recent, state.recent_count, "recent",
                    &recent_id),
};

const esk_event_type conference_snapshot_type =
    ESK_EVENT_TYPE(conference, "ConferenceSnapshot", CONFERENCE_LAYOUT_VERSION,
                   conference_snapshot_fields);

/* A repository without snapshots does the append: its expected version,
 * its messages and its bookkeeping of pending events are not this
 * exercise's subject. */
esk_status conference_append(esk_store *store, conference *c)
{
    esk_repository *repo = NULL;
    esk_status rc = esk_repository_new(&repo, store, &conference_type, NULL);
    if (rc != ESK_OK)
        return rc;
    rc = esk_repository_save(repo, c, NULL, NULL);
    esk_repository_free(repo);
    return rc;
}
