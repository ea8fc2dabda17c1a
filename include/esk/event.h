/*
 * esk/event.h - the event envelope, lists of recorded events, ids and time.
 *
 * An event is a fact that happened, named in the past tense. esk keeps it in
 * an envelope:
 *
 *   event_id       unique in the whole store: a UUID v7 the store made, or
 *                  the caller's text
 *   stream_id      the stream it belongs to, e.g. "workshop-42"
 *   version        its place in the stream: 1 for the first event
 *   position       its place in the whole store, in commit order
 *   type           "AttendeeRegistered"
 *   schema_version the version of the type's JSON layout (1, 2, ...)
 *   data           the payload, JSON text
 *   metadata       JSON object text: correlationId, causationId, free keys
 *   recorded_at    when the store recorded it, microseconds since the Unix
 *                  epoch, UTC
 *
 * A stream's version is the number of events in it: an absent stream is at
 * version 0, and after its first event it is at version 1.
 */
#ifndef ESK_EVENT_H
#define ESK_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest stream id, in bytes, without the final NUL. */
#define ESK_STREAM_ID_MAX 255
/** Longest event type name, in bytes, without the final NUL. */
#define ESK_TYPE_MAX 255
/** Length of a generated event id (8-4-4-4-12 hex digits), without NUL. */
#define ESK_EVENT_ID_LEN 36
/** Longest event id a caller may supply, in bytes, without the final NUL. */
#define ESK_EVENT_ID_MAX 64
/** Longest tag, in bytes, without the final NUL. */
#define ESK_TAG_MAX 255
/** Most tags one event may carry. */
#define ESK_EVENT_TAGS_MAX 32
/** Deepest nesting accepted in event data and metadata JSON. */
#define ESK_JSON_DEPTH_MAX 64

/** Microseconds since 1970-01-01T00:00:00Z. */
typedef int64_t esk_time;

/** The first and last times esk can format and store, 0000-01-01T00:00:00Z
 *  and 9999-12-31T23:59:59.999999Z: ISO 8601 text has four year digits. */
#define ESK_TIME_MIN INT64_C(-62167219200000000)
#define ESK_TIME_MAX INT64_C(253402300799999999)

/**
 * A clock: returns the current time. esk calls it with the ctx given next to
 * it. Tests pass a fake one so that recorded times are deterministic.
 */
typedef esk_time (*esk_clock_fn)(void *ctx);

/** The real clock (UTC wall time). ctx is ignored. */
esk_time esk_clock_system(void *ctx);

/**
 * Format a time as ISO 8601 UTC with microseconds:
 * "2026-11-27T12:49:00.000000Z".
 *
 * @param time the time to format.
 * @param buf  at least ESK_TIME_TEXT_SIZE bytes, written with a final NUL.
 * @return ESK_OK, or ESK_EINVAL when buf is NULL or time is outside
 *         ESK_TIME_MIN..ESK_TIME_MAX (years 0000 to 9999); buf is then
 *         untouched.
 */
esk_status esk_time_format(esk_time time, char *buf);
#define ESK_TIME_TEXT_SIZE 28

/**
 * Parse the form esk_time_format writes (the fraction may have 0 to 6
 * digits, and "+00:00" may stand for "Z").
 *
 * @return ESK_OK with *out set, or ESK_EINVAL (out untouched).
 */
esk_status esk_time_parse(const char *text, esk_time *out);

/**
 * Write a new random UUID v4 ("1b4e28ba-2fa1-4d2b-883f-0016d3cca427") from
 * SQLite's cryptographically strong generator. A process reseeds it after
 * fork(), so a parent and its children never draw the same ids, whether or
 * not they open a database. The store no longer makes these (see
 * esk_uuid_v7); ids of this form in existing stores stay valid.
 *
 * @param buf at least ESK_EVENT_ID_LEN + 1 bytes.
 * @return ESK_OK, or ESK_EINVAL when buf is NULL.
 */
esk_status esk_uuid_v4(char *buf);

/**
 * Write a new time-ordered UUID v7 (RFC 9562), the kind of id the store
 * generates for events given without one:
 * "019a4b2c-1d3e-7a5f-8b6c-2d7e8f9a0b1c". Its first 48 bits are the Unix
 * time in milliseconds (esk_clock_system here; an append uses the store's
 * clock, so an event's id carries the millisecond of its recorded_at),
 * followed by a counter and random bits.
 *
 * - The ids one thread makes with this function increase strictly, as
 *   text and as bytes, also when the clock stands still or steps back: the
 *   counter goes on from the last id until the clock passes it again. A
 *   store has a generator of its own, on its own clock: the ids it makes
 *   increase in the order of its appends in the same way. Ids of
 *   different threads, stores and processes are told apart by random
 *   bits: unique, but not ordered among themselves.
 * - A parent and its fork()ed children never make the same ids: a child
 *   seeds its generator again before its first id.
 * - The random bits come from a fast generator seeded from SQLite's
 *   cryptographically strong one (once per thread and after each fork):
 *   they make ids unique, not secret. Do not use an id as a token that
 *   must be hard to guess; use esk_uuid_v4 for that.
 *
 * Ids sorting by time is what lets an append add to the end of the SQLite
 * store's index on event ids instead of a random place in it.
 *
 * @param buf at least ESK_EVENT_ID_LEN + 1 bytes.
 * @return ESK_OK, or ESK_EINVAL when buf is NULL.
 */
esk_status esk_uuid_v7(char *buf);

/**
 * An event to append. All pointers are borrowed for the duration of the
 * append call only; the store copies what it keeps.
 */
typedef struct esk_new_event {
    /** NULL to let the store generate a UUID v7 (esk_uuid_v7). Set it (any
     * unique text of 1 to ESK_EVENT_ID_MAX bytes) to make the append
     * idempotent: sending the same batch again, with the same content, returns
     * the first result and writes nothing (see esk_store_append). */
    const char *event_id;
    /** The event type name, required. */
    const char *type;
    /** The JSON layout version of the type, 1 or more. */
    int schema_version;
    /** The payload: valid JSON text, required. */
    const char *data;
    /** A JSON object, or NULL for "{}". */
    const char *metadata;
} esk_new_event;

/** A recorded event, as a read returns it. See the top of this file. */
typedef struct esk_event {
    const char *event_id;
    const char *stream_id;
    int64_t version;
    int64_t position;
    const char *type;
    int schema_version;
    const char *data;
    const char *metadata;
    esk_time recorded_at;
    /** The event's tags (see esk_store_append_if() in esk/store.h), in the
     *  order appended: tag_count of them; NULL and 0 when it has none. */
    const char *const *tags;
    size_t tag_count;
} esk_event;

struct esk__arena_block;

/**
 * The events a read returned, in the order read.
 *
 * The caller owns the list: declare it with ESK_EVENT_LIST_INIT, pass it to
 * as many reads as you like (each read replaces the content and reuses the
 * memory), and release it with esk_event_list_release(). The events and their
 * strings stay valid until the next read into the same list, its free, or
 * the close of the store that filled it, whichever comes first.
 */
typedef struct esk_event_list {
    esk_event *events;
    size_t count;
    /** esk's own (the storage behind the events): never read or write
     *  it. */
    struct esk__event_list *internal;
} esk_event_list;

/* clang-format off */
#define ESK_EVENT_LIST_INIT {NULL, 0, NULL}
/* clang-format on */

/** Release a list's memory and leave it empty and reusable. NULL is a no-op. */
void esk_event_list_release(esk_event_list *list);

/** Empty a list but keep its memory for the next read. NULL is a no-op. */
void esk_event_list_clear(esk_event_list *list);

/**
 * Append a copy of an event (and of its strings and tags) to a list. Store
 * backends use it to fill read results; it is public so that other backends and
 * tests can too.
 *
 * @return ESK_OK, ESK_EINVAL when an argument or one of the event's string
 *         fields is NULL (or tags, or one of them, while tag_count > 0),
 *         or ESK_ENOMEM (the list is unchanged).
 */
esk_status esk_event_list_push(esk_event_list *list, const esk_event *event);

/**
 * Check that text is one complete, valid JSON value (RFC 8259) nested at
 * most ESK_JSON_DEPTH_MAX deep. It allocates nothing.
 *
 * @param text  the JSON text, NUL-terminated.
 * @return ESK_OK or ESK_EINVAL (the message gives the byte offset of the
 *         problem).
 */
esk_status esk_json_validate(const char *text);

/**
 * Like esk_json_validate(), and also require a JSON object ("{...}").
 */
esk_status esk_json_validate_object(const char *text);

/**
 * What an event says about why it happened, stored as its metadata JSON:
 * {"correlationId": "...", "causationId": "...", ...extra keys}.
 *
 * The correlation id is shared by everything one request set off; the
 * causation id names the message (command or event) that directly caused
 * this event. Together they let you draw the story of a request.
 */
typedef struct esk_metadata {
    /** NULL to leave out. */
    const char *correlation_id;
    /** NULL to leave out. */
    const char *causation_id;
    /** NULL, or a JSON object whose keys are added as they are. */
    const char *extra;
} esk_metadata;

/**
 * Encode metadata as a JSON object.
 *
 * @param metadata NULL gives "{}".
 * @param out      receives the JSON, owned by the caller (esk_free);
 *                 untouched on failure.
 * @return ESK_OK; ESK_EINVAL (out NULL, extra not a JSON object or one
 *         that jansson cannot read: a number beyond 64-bit integers and
 *         doubles, "\u0000" in a key; ids not UTF-8); ESK_ENOMEM.
 */
esk_status esk_metadata_encode(const esk_metadata *metadata, char **out);

/**
 * Read one string key of a metadata object, e.g. "correlationId".
 *
 * @param json metadata JSON text.
 * @param buf  receives the value with a final NUL, at most size bytes.
 * @return ESK_OK; ESK_ENOTFOUND (no such key, or not a string);
 *         ESK_EINVAL (NULL, invalid JSON or JSON that jansson cannot read,
 *         as for esk_metadata_encode(); value longer than size - 1);
 *         ESK_ENOMEM.
 */
esk_status esk_metadata_get(const char *json, const char *key, char *buf,
                            size_t size);

#ifdef __cplusplus
}
#endif

#endif
