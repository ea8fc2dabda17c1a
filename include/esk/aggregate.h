/*
 * esk/aggregate.h - event-sourced aggregates and their repository.
 *
 * An aggregate is a consistency boundary: one object whose state is the
 * fold of its own stream of events, and which decides, from that state,
 * whether a command is allowed. In esk it is a plain struct of yours that
 * starts with an esk_aggregate member, described once by a type:
 *
 *   typedef struct workshop {
 *       esk_aggregate base;         // first: id, version, pending events
 *       int64_t capacity;
 *       int64_t seats_taken;
 *   } workshop;
 *
 *   static void workshop_evolve(void *state, const esk_event_type *type,
 *                               const void *event) { ... }
 *
 *   const esk_aggregate_type workshop_type = {
 *       .name = "Workshop", .category = "workshop",
 *       .state_size = sizeof(workshop),
 *       .event_types = workshop_events, .event_type_count = 4,
 *       .evolve = workshop_evolve,
 *   };
 *
 * State changes only through events: a behaviour checks the state, then
 * calls esk_aggregate_raise(), which applies the event to the state with
 * evolve and keeps it as pending. The repository loads an aggregate by
 * folding its stream (from a snapshot when there is one) and saves it by
 * appending the pending events with the loaded version as the expected
 * version: optimistic concurrency.
 *
 *   load(id) -> state(v7) -> behaviour -> raise(e8, e9) -> save: append
 *   [e8, e9] to "workshop-<id>" expecting version 7.
 */
#ifndef ESK_AGGREGATE_H
#define ESK_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "error.h"
#include "event.h"
#include "status.h"
#include "store.h"
#include "upcast.h"

#ifdef __cplusplus
extern "C" {
#endif

struct esk_aggregate_type;
struct esk__aggregate;

/**
 * The part of every aggregate that esk manages. Read it, never write it.
 */
typedef struct esk_aggregate {
    const struct esk_aggregate_type *type;
    /** The aggregate's id, e.g. "42". */
    char id[ESK_STREAM_ID_MAX + 1];
    /** Its stream: category + '-' + id, e.g. "workshop-42". */
    char stream_id[ESK_STREAM_ID_MAX + 1];
    /** The version of the last event applied, stored or pending. */
    int64_t version;
    /** The stream version when loaded or last saved: save expects it. */
    int64_t stored_version;
    /** esk's own (the events raised but not saved): never read or write
     *  it. */
    struct esk__aggregate *internal;
} esk_aggregate;

/** Describes an aggregate type. Usually a static const of yours. */
typedef struct esk_aggregate_type {
    /** For messages: "Workshop". */
    const char *name;
    /** The stream category: ids become "<category>-<id>". No '-' in it. */
    const char *category;
    /** sizeof your struct, which starts with an esk_aggregate. */
    size_t state_size;
    /** Every event type the aggregate raises and folds. */
    const esk_event_type *const *event_types;
    size_t event_type_count;
    /** Optional: set the state of a new aggregate (after zeroing). */
    void (*init)(void *state);
    /**
     * Apply one event to the state: no checks, no side effects, no
     * failure (the event happened; the state must follow). type is one of
     * event_types, and event a struct of that type.
     */
    void (*evolve)(void *state, const esk_event_type *type, const void *event);
    /**
     * Optional, for snapshots: describes the state's own fields (after the
     * esk_aggregate member) as a table over your whole struct:
     *
     *   ESK_EVENT_TYPE(workshop, "WorkshopSnapshot", 1, workshop_fields)
     *
     * Its name is for messages; its schema_version is the layout version:
     * bump it when the state's layout changes, and older snapshots are
     * ignored. Describe every field: one left out reads as zero after a
     * load from a snapshot.
     */
    const esk_event_type *snapshot;
    /** Optional: the name of one of the domain's error codes
     *  ("WORKSHOP_FULL"), for test reports; NULL for an unknown code. */
    const char *(*error_name)(int code);
    /**
     * What a fold does with a recorded event whose type name is none of
     * event_types, as a newer version of the program may write: false
     * (the default) fails with ESK_EDECODE and a message naming the type,
     * the stream and the event's version; true skips the event, which
     * still counts for the version (so appends expect the right one).
     *
     * The trade-off: failing stops an older reader at the first event it
     * does not understand, so that it never acts on a state that may be
     * wrong, but it stops until it is upgraded. Skipping keeps it going,
     * with a state that ignores whatever those events changed: its
     * decisions may then be wrong (it may accept a command a newer reader
     * would refuse). Skip only where the new types cannot matter to this
     * state. Snapshots written by a reader that skips hold that state
     * too: bump the snapshot layout version when a new version adds
     * event types, so that no reader trusts another's snapshot. An event
     * of a known type at an unknown schema version is never skipped:
     * register an upcaster for it.
     */
    bool skip_unknown_types;
} esk_aggregate_type;

/**
 * Make state a new, empty aggregate of type with this id: zero it, set the
 * base, call type->init.
 *
 * @param state a struct of type->state_size bytes, starting with an
 *              esk_aggregate. Release it with esk_aggregate_release().
 * @param type  borrowed; must outlive the state.
 * @param id    1 or more bytes; the stream id "<category>-<id>" must be at
 *              most ESK_STREAM_ID_MAX bytes. Copied.
 * @return ESK_OK; ESK_EINVAL (NULL pointer, bad type, id empty, not UTF-8
 *         or too long); the state is then untouched.
 *
 * Init forgets pending events the state may hold: release it first.
 */
esk_status esk_aggregate_init(void *state, const esk_aggregate_type *type,
                              const char *id);

/**
 * Record that an event happened: apply it to the state with evolve and
 * keep it as pending, to be saved.
 *
 * @param state an initialised aggregate.
 * @param type  one of the aggregate type's event_types (the same pointer,
 *              or the same name and schema version).
 * @param event a struct of that type; borrowed (encoded to JSON now).
 * @return ESK_OK; ESK_EINVAL (NULL, a type the aggregate does not know, an
 *         event the codec refuses: the message says which field);
 *         ESK_ENOMEM. On failure the state is unchanged.
 */
esk_status esk_aggregate_raise(void *state, const esk_event_type *type,
                               const void *event);

/**
 * Apply a recorded event (as read from the store) to the state: decode it
 * with the matching event type and evolve. Used when loading; on success
 * version and stored_version are the event's version.
 *
 * @param state an initialised aggregate with no pending events.
 * @param event borrowed.
 * @return ESK_OK; ESK_EINVAL (NULL; the event's version is not the
 *         aggregate's version + 1, or it belongs to another stream: state
 *         changes only through the next event; the aggregate has pending
 *         events); ESK_EDECODE (unknown type or schema version, bad data;
 *         the message names them); ESK_ENOMEM. On failure the state is
 *         unchanged.
 */
esk_status esk_aggregate_apply(void *state, const esk_event *event);

/** The number of events raised and not yet saved. NULL gives 0. */
size_t esk_aggregate_pending_count(const void *state);

/**
 * A pending event, i counting from 0.
 *
 * @param type_out receives its event type (borrowed from the aggregate's).
 * @param json_out receives its data as JSON, borrowed: valid until the
 *                 aggregate is saved or released.
 * @return ESK_OK; ESK_EINVAL (NULL, i out of range).
 */
esk_status esk_aggregate_pending(const void *state, size_t i,
                                 const esk_event_type **type_out,
                                 const char **json_out);

/**
 * Drop the pending events. The state keeps what they did, so it is then
 * ahead of its stream and esk_repository_save() refuses it: load the
 * aggregate again to go on. NULL is a no-op.
 */
void esk_aggregate_clear_pending(void *state);

/** Free what the aggregate holds (its pending events). NULL is a no-op,
 *  and so is a second release; the state itself is yours. */
void esk_aggregate_release(void *state);

/* --- Repository ----------------------------------------------------------- */

typedef struct esk_repository esk_repository;

#define ESK_REPOSITORY_OPTIONS_VERSION 1

typedef struct esk_repository_options {
    int version;
    /** Write a snapshot each time the stream crosses a multiple of this
     *  many events; 0 for never. Needs type->snapshot. */
    int snapshot_every;
    /** Optional: upcasters applied to events before decoding; borrowed. */
    const esk_upcasters *upcasters;
} esk_repository_options;

/* clang-format off */
#define ESK_REPOSITORY_OPTIONS_INIT {ESK_REPOSITORY_OPTIONS_VERSION, 0, NULL}
/* clang-format on */

/**
 * Create a repository of one aggregate type over a store.
 *
 * The repository keeps the memory of its last load's page of events to
 * reuse it; like the store, use it from one thread at a time.
 *
 * @param out     receives the repository, owned by the caller (free it
 *                with esk_repository_free); untouched on failure.
 * @param store   borrowed; must outlive the repository.
 * @param type    borrowed; must outlive the repository.
 * @param options NULL for defaults; copied.
 * @return ESK_OK; ESK_EINVAL (NULL, bad type or options, snapshots asked
 *         without a snapshot description, a snapshot description whose
 *         struct_size is not the state_size or with a field inside the
 *         esk_aggregate member); ESK_ENOMEM.
 */
esk_status esk_repository_new(esk_repository **out, esk_store *store,
                              const esk_aggregate_type *type,
                              const esk_repository_options *options);

/** Free a repository. NULL is a no-op. */
void esk_repository_free(esk_repository *repo);

/**
 * Load an aggregate: init state, then fold its stream (from the latest
 * snapshot whose layout version is current, else from the start), reading
 * it in pages and upcasting each page first.
 *
 * A snapshot only saves time: one with another layout version, one whose
 * value does not decode, and one taken at a version the stream does not
 * reach are ignored without a word, and the stream is replayed from its
 * first event.
 *
 * @param id    the aggregate's id, as for esk_aggregate_init().
 * @param state a struct of type->state_size bytes (its content is
 *              overwritten, not released). On success an initialised
 *              aggregate (release it). On failure it is initialised empty
 *              (only zeroed when the id is invalid), never half-loaded,
 *              and may be released either way. With repo NULL it is
 *              untouched.
 * @return ESK_OK; ESK_ENOTFOUND (the stream has no events: a missing
 *         aggregate is not an empty one); ESK_EINVAL (NULL, bad id);
 *         ESK_EDECODE (an event cannot be upcast or decoded: the message
 *         names stream, version, type and field); ESK_ECORRUPT (the store
 *         skipped a version); the store's errors.
 */
esk_status esk_repository_load(esk_repository *repo, const char *id,
                               void *state);

/**
 * Save the pending events: append them to the aggregate's stream expecting
 * the stored version, with this metadata on each; then clear them and
 * advance stored_version. Nothing pending is a successful no-op.
 *
 * The first save of a new aggregate expects no stream. When the save
 * crosses a multiple of the snapshot_every option, a snapshot of the state
 * at its new version is written too. A snapshot that cannot be written
 * does not fail the save, whose events are stored: it returns ESK_OK and
 * leaves a note as the last error's message, with status ESK_OK ("the
 * events of Workshop '42' are saved, but its snapshot at version 100 was
 * not written: ...").
 *
 * @param state    an aggregate of the repository's type.
 * @param metadata optional; borrowed.
 * @param out      optional: where the events landed; with nothing pending,
 *                 the stored version and position 0.
 * @return ESK_OK; ESK_ECONCURRENCY (someone saved the aggregate since it
 *         was loaded: load again and retry the command; the pending events
 *         are kept); ESK_EINVAL (NULL, an aggregate of another type, bad
 *         metadata, pending events cleared unsaved); the store's errors.
 *         On failure the state is unchanged.
 */
esk_status esk_repository_save(esk_repository *repo, void *state,
                               const esk_metadata *metadata,
                               esk_append_result *out);

#ifdef __cplusplus
}
#endif

#endif
