/*
 * web/explore.h - what the explorer's page shows of an esk store (a
 * SQLite file, or a schema of a PostgreSQL database), each view as a
 * jansson object ready to be sent as JSON.
 *
 * The explorer (./kata explore) lets an attendee or a trainer look at a
 * store: its streams by category, one stream's events, the global feed,
 * the checkpoints of projections and process managers with their lag,
 * and a stream's state folded event by event. It never writes: the store
 * is opened with esk_store_options.read_only, so that looking at the
 * store of a running application cannot change it.
 *
 * Every text of the store (stream ids, types, data) goes into the JSON as
 * it is: the page shows it as text (textContent), never as markup.
 *
 * Errors follow esk's convention (esk/error.h): a status, and the message
 * in the thread's last error, which says what to do.
 */
#ifndef ESK_WEB_EXPLORE_H
#define ESK_WEB_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <esk/status.h>

typedef struct esk_explore esk_explore;

/** The most events a feed page or a fold holds. */
#define ESK_EXPLORE_PAGE_MAX 500

/**
 * Whether target names a PostgreSQL database rather than a file: a libpq
 * URI (postgres://, postgresql://) or a keyword=value connection string
 * (it holds '='; a file whose name does is written ./a=b.db). NULL is
 * not.
 */
bool esk_explore_is_conninfo(const char *target);

/**
 * Open a store file for reading: esk_explore_open_in(out, path, NULL).
 */
esk_status esk_explore_open(esk_explore **out, const char *path);

/**
 * Open a store for reading: the SQLite file at target, or, when target is
 * a connection string (esk_explore_is_conninfo), the store in a schema
 * of that PostgreSQL database.
 *
 * @param out    receives the explorer, owned by the caller
 *               (esk_explore_free); untouched on failure.
 * @param target a file's path or a libpq connection string; borrowed.
 * @param schema the PostgreSQL schema, NULL for "esk" (the store's
 *               default, which workshop-demo --pg uses); borrowed. Only
 *               for a connection string.
 * @return ESK_OK; ESK_EINVAL (NULL, a schema with a file, a bad schema
 *         name or conninfo, or a connection string in a build without
 *         libpq: the message says to install libpq-dev and build again);
 *         ESK_ENOTFOUND (no such file: the message says how to make one);
 *         ESK_ESCHEMA (not an esk store, a newer or an older esk's);
 *         ESK_ECORRUPT (not a database); ESK_EIO (also: no server there,
 *         or no esk store in the schema), ESK_EBUSY, ESK_EREADONLY (the
 *         role may not read the tables), ESK_ENOMEM.
 */
esk_status esk_explore_open_in(esk_explore **out, const char *target,
                               const char *schema);

/**
 * Look at the store again before a view (the server calls it before
 * each). A file: when another file is at the path now (an application
 * that started over deleted the old one), open that one instead, so that
 * the page shows what is at the path rather than a deleted file. On
 * PostgreSQL: after a lost connection (a server restarted), the store
 * connects again, so that the page shows the store again as soon as the
 * server is back.
 *
 * @return ESK_OK (the same store, or the new file opened); ESK_EINVAL
 *         (NULL); ESK_ENOTFOUND (nothing at the path now: the views keep
 *         showing the old file) and every failure of esk_explore_open(),
 *         the old file kept; on PostgreSQL ESK_EIO while the server
 *         cannot be reached.
 */
esk_status esk_explore_refresh(esk_explore *explore);

/** Close the store and free the explorer. NULL is a no-op. */
void esk_explore_free(esk_explore *explore);

/** What the page names the store by: the file's path, or for PostgreSQL
 *  the schema, host, port, database and user (never a password);
 *  borrowed. */
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
/** The reads esk has no function for, on the store's backend
 *  (explore_catalog.h says what each gives). */
typedef esk_status esk__explore_row_fn(void *ctx, const char *name,
                                       const char *extra);
esk_status esk__explore_each_stream(esk_explore *explore,
                                    esk__explore_row_fn *fn, void *ctx);
esk_status esk__explore_each_checkpoint(esk_explore *explore,
                                        esk__explore_row_fn *fn, void *ctx);
esk_status esk__explore_locate(esk_explore *explore, const char *event_id,
                               char *stream_id, size_t size, int64_t *version);
/** An event as the page shows it; NULL when out of memory. */
json_t *esk__explore_event_json(const struct esk_event *e);
/** The workshop state after the first n events of a workshop stream
 *  (explore_fold_workshop.c). */
esk_status esk__explore_fold_workshop(const struct esk_event *events, size_t n,
                                      json_t **out);

#endif
