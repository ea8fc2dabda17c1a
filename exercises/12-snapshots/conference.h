/*
 * conference.h - the Conference aggregate: a workshop with a very large
 * room. Provided.
 *
 * The company's yearly conference, Event Sourcing Days, is sold like a
 * workshop: the same commands, the same six events (its id goes in their
 * workshopId), but 9,500 seats and thousands of registrations. The lists
 * of exercise 03, an id per seat, would not fit in a state that is folded
 * on every command, so this state keeps counts, and the ids of the last
 * few registrations:
 *
 *   conference
 *   ├── base   esk_aggregate: id "es-days", stream "conference-es-days"
 *   └── state  conference_state: status, capacity, seats taken, people
 *              waiting, the RECENT_MAX latest registrations
 *
 * Every member of the state is of a kind the codec can write (int64_t,
 * bool, char arrays, arrays with a size_t count), so that the whole state
 * can be written as JSON: a snapshot (snapshot_table.c, snapshot.c).
 */
#ifndef CONFERENCE_H
#define CONFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/aggregate.h>
#include <esk/store.h>

#include "events.h"

#define MAX_CAPACITY 100000 /* the largest room the company can hire */
#define RECENT_MAX 8        /* how many latest registrations are kept */

typedef enum conference_status {
    CONFERENCE_UNSCHEDULED, /* nothing has happened yet: the zero state */
    CONFERENCE_OPEN,        /* scheduled, taking registrations */
    CONFERENCE_CLOSED,      /* no more registrations */
} conference_status;

typedef struct conference_state {
    /* A conference_status, kept in an int64_t: the size of an enum is the
     * compiler's choice, and the codec writes int64_t. */
    int64_t status;
    int64_t capacity;
    int64_t seats_taken;
    int64_t waiting; /* on the waitlist */
    /* The ids of the latest registrations, seated or waitlisted, oldest
     * first: a double submit (the same person again within the last
     * RECENT_MAX registrations) is refused. A person registered long ago
     * is not found here: that check belongs to a read model of all the
     * attendees, which can answer without being folded on every command. */
    char recent[RECENT_MAX][ID_SIZE];
    size_t recent_count;
} conference_state;

typedef struct conference {
    esk_aggregate base; /* first: esk sees a conference as an esk_aggregate */
    conference_state state;
} conference;

/* How esk folds and saves a conference (conference_type.c). It names no
 * snapshot: loading from one, and writing one, is yours (snapshot.c). */
extern const esk_aggregate_type conference_type;

/* Why a command is refused: the code esk_domain_error() records in the
 * last error (esk_error_last()->code). */
enum conference_error {
    CONFERENCE_NOT_SCHEDULED = 1,
    CONFERENCE_ALREADY_SCHEDULED,
    INVALID_CAPACITY,
    REGISTRATION_IS_CLOSED,
    ALREADY_REGISTERED,
};

/* The name of an error code, for reports: "ALREADY_REGISTERED". */
const char *conference_error_name(int code);

/*
 * The behaviours (conference.c). Each returns ESK_OK after raising its
 * event; ESK_EDOMAIN when the rules refuse the command, having raised
 * nothing, with the code and the reason in the last error
 * (esk_domain_error()); or the failure of esk_aggregate_raise().
 */

/* Put the conference on the calendar: WorkshopScheduled. Refused when it
 * is scheduled already, or for a capacity outside 1 to MAX_CAPACITY. */
esk_status conference_schedule(conference *c, const char *title,
                               const char *starts_on, int64_t capacity);

/* Take a seat, or a place on the waitlist when every seat is taken:
 * AttendeeRegistered or AttendeeWaitlisted. Refused before scheduling,
 * after closing, and for someone among the latest registrations. */
esk_status conference_register(conference *c, const char *attendee_id,
                               const char *name);

/* --- The fold (evolve.c) --------------------------------------------------
 */

/*
 * Apply one event to the state. Total: any event, in any state, gives a
 * state; it never fails, checks or refuses.
 */
void conference_evolve(conference_state *state, const esk_event_type *type,
                       const void *event);

/* The six events of a conference's stream, all of which evolve folds. */
#define CONFERENCE_EVENT_TYPE_COUNT 6
extern const esk_event_type
    *const conference_event_types[CONFERENCE_EVENT_TYPE_COUNT];

/* --- Saving, and the snapshot's layout (provided) -------------------------
 */

/*
 * Append the conference's pending events to its stream, expecting the
 * version it was loaded at (snapshot_table.c). On success the events are
 * stored, the conference holds none pending, and c->base.stored_version
 * is c->base.version. ESK_ECONCURRENCY when someone else appended since
 * the load; otherwise the store's failure. Inside a transaction of the
 * caller's, the append is part of it.
 */
esk_status conference_append(esk_store *store, conference *c);

/*
 * The state as a snapshot: a field table over the whole conference struct
 * that describes every member of its state (snapshot_table.c). Its
 * schema_version is the state's layout version, CONFERENCE_LAYOUT_VERSION:
 * esk_codec_encode(&conference_snapshot_type, c, &json) writes a
 * conference's state as JSON, esk_codec_decode() reads it back.
 */
#define CONFERENCE_LAYOUT_VERSION 1
extern const esk_event_type conference_snapshot_type;

/* The policy: a save writes a snapshot when the stream crosses a multiple
 * of this many events (the README says why 1,000). */
#define SNAPSHOT_EVERY 1000

/* --- The snapshot (snapshot.c: you write it) -------------------------------
 */

/*
 * Load conference id into c: from its snapshot, when there is one to
 * trust, and then the events after it; otherwise from every event.
 *
 * The snapshot is the store's record of kind ESK_RECORD_SNAPSHOT under
 * the stream id ("conference-<id>", c->base.stream_id after
 * esk_aggregate_init): record.at is the stream version it was taken at,
 * record.tag its layout version, record.value the state as JSON. A
 * snapshot is a cache: one of another layout, one that does not decode,
 * one beyond the end of the stream is ignored, without a failure.
 *
 * On ESK_OK, c is initialised, its state is the state of the stream's
 * last event, and c->base.version and c->base.stored_version are that
 * event's version. ESK_ENOTFOUND when the stream has no events; the
 * store's failure otherwise. On failure c is initialised and empty.
 * Release c with esk_aggregate_release().
 */
esk_status snapshot_load(esk_store *store, const char *id, conference *c);

/*
 * Save c's pending events (conference_append()) and, when they cross a
 * multiple of SNAPSHOT_EVERY, write the state at its new version as the
 * stream's snapshot: both in one transaction, so that either both are
 * stored or neither. ESK_OK; the failure of the append or of the snapshot
 * otherwise, with nothing written.
 */
esk_status snapshot_save_if_due(esk_store *store, conference *c);

/* --- Text ---------------------------------------------------------------- */

/* Copy from into the char array to of size bytes, cut to size - 1 bytes,
 * and fill the rest with zeros (so that equal texts are equal arrays). */
void copy_text(char *to, size_t size, const char *from);

#endif
