/*
 * web/explore.h - what the explorer's page shows of an esk SQLite file,
 * each view as a jansson object ready to be sent as JSON.
 *
 * The explorer (./kata explore) lets an attendee or a trainer look at a
 * store: its streams by category, one stream's events, the global feed,
 * the checkpoints of projections and process managers with their lag,
 * and a stream's state folded event by event. It never writes: the file
 * is opened with esk_store_options.read_only, so that looking at the
 * store of a running application cannot change it.
 *
 * Every text of the file (stream ids, types, data) goes into the JSON as
 * it is: the page shows it as text (textContent), never as markup.
 *
 * Errors follow esk's convention (esk/error.h): a status, and the message
 * in the thread's last error, which says what to do.
 */
#ifndef ESK_WEB_EXPLORE_H
#define ESK_WEB_EXPLORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <esk/status.h>

typedef struct esk_explore esk_explore;

/** The most events a feed page or a fold holds. */
#define ESK_EXPLORE_PAGE_MAX 500

/**
 * Open a store file for reading.
 *
 * @param out  receives the explorer, owned by the caller (esk_explore_free);
 *             untouched on failure.
 * @param path the file; borrowed.
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_ENOTFOUND (no such file: the
 *         message says how to make one); ESK_ESCHEMA (not an esk store,
 *         a newer or an older esk's); ESK_ECORRUPT (not a database);
 *         ESK_EIO, ESK_EBUSY, ESK_ENOMEM.
 */
esk_status esk_explore_open(esk_explore **out, const char *path);

/**
 * Look at the path again: when another file is there now (an application
 * that started over deleted the old one), open that one instead, so that
 * the page shows what is at the path rather than a deleted file. The
 * server calls it before each view.
 *
 * @return ESK_OK (the same file, or the new one opened); ESK_EINVAL
 *         (NULL); ESK_ENOTFOUND (nothing at the path now: the views keep
 *         showing the old file) and every failure of esk_explore_open(),
 *         the old file kept.
 */
esk_status esk_explore_refresh(esk_explore *explore);

/** Close the file and free the explorer. NULL is a no-op. */
void esk_explore_free(esk_explore *explore);

/** The path the explorer was opened on; borrowed. */
const char *esk_explore_path(const esk_explore *explore);

/*
 * The views. Each fills *out with a new reference owned by the caller
 * (json_decref), and leaves it untouched on failure. Each returns
 * ESK_OK; ESK_EINVAL (NULL arguments, a bad stream id or page); the
 * store's read errors (ESK_EBUSY, ESK_EIO, ESK_ECORRUPT); ESK_ENOMEM.
 */

/** {"path", "head", "categories": [{"name", "streams": [{"id",
 *  "version", "closed"}]}]}, categories and streams by name. */
esk_status esk_explore_streams(esk_explore *explore, json_t **out);

/** {"id", "version", "closed", "events": [event...]}: the stream's events,
 *  oldest first. An event is {"position", "version", "stream", "type",
 *  "id", "schema", "recorded_at", "data", "metadata", "tags",
 *  "correlation", "causation"}; data and metadata as JSON values.
 *  ESK_ENOTFOUND when the stream has no event. */
esk_status esk_explore_stream(esk_explore *explore, const char *stream_id,
                              json_t **out);

/** {"head", "after", "next", "events": [...]}: at most limit (1 to
 *  ESK_EXPLORE_PAGE_MAX) events after position after, in global order;
 *  next is the position to ask after for the next page, null at the
 *  head. */
esk_status esk_explore_feed(esk_explore *explore, int64_t after, size_t limit,
                            json_t **out);

/** One event by its id: ESK_ENOTFOUND when no event has it (a causation
 *  id may name a command). */
esk_status esk_explore_event(esk_explore *explore, const char *event_id,
                             json_t **out);

/** {"id", "events": [...]}: every event whose metadata's correlationId is
 *  id, in global order (at most ESK_EXPLORE_PAGE_MAX). */
esk_status esk_explore_correlation(esk_explore *explore, const char *id,
                                   json_t **out);

/** {"head", "checkpoints": [{"name", "kind": "projection" or "process",
 *  "position", "version", "lag", "updated_at"}]}, by name; lag is how
 *  many events the runner has yet to handle. */
esk_status esk_explore_checkpoints(esk_explore *explore, json_t **out);

/** {"id", "fold", "steps": [{"version", "type", "state"}], "error"}: the
 *  stream's state after each of its first ESK_EXPLORE_PAGE_MAX events,
 *  with the fold the explorer knows for its category. An event that does
 *  not decode ends the steps, and error says which and why (else null).
 *  ESK_ENOTFOUND when it knows no fold for this category, or the stream
 *  has no event. */
esk_status esk_explore_fold(esk_explore *explore, const char *stream_id,
                            json_t **out);

/* --- Between the explorer's files --------------------------------------- */

struct esk_store;
struct esk_event;
/** The explorer's store; borrowed. */
struct esk_store *esk__explore_store(esk_explore *explore);
/** An event as the page shows it; NULL when out of memory. */
json_t *esk__explore_event_json(const struct esk_event *e);
/** The workshop state after the first n events of a workshop stream
 *  (explore_fold_workshop.c). */
esk_status esk__explore_fold_workshop(const struct esk_event *events, size_t n,
                                      json_t **out);

#endif
