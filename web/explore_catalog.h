/*
 * web/explore_catalog.h - the three reads the explorer needs and esk has
 * no function for: every stream id, every checkpoint's name, and where
 * the event of an id is. One implementation per backend, each asking its
 * tables directly and leaving nothing open (no statement, no result, no
 * transaction) that would hold a snapshot or a lock while the page polls;
 * everything else about a stream, a checkpoint or an event comes from the
 * store's own reads.
 */
#ifndef ESK_WEB_EXPLORE_CATALOG_H
#define ESK_WEB_EXPLORE_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include <esk/status.h>

#include "explore.h"

struct esk_store;

/* esk__explore_row_fn (explore.h) is called for each row: a name, and a
 * second text ("" when none). A status other than ESK_OK stops the walk
 * and is returned. */

typedef struct esk__explore_catalog {
    /* Every stream id, in byte order (a category's streams together). */
    esk_status (*each_stream)(struct esk_store *store, const char *schema,
                              esk__explore_row_fn *fn, void *ctx);
    /* Every checkpoint's name, in byte order, with when it was written
     * (esk_time_format's text). */
    esk_status (*each_checkpoint)(struct esk_store *store, const char *schema,
                                  esk__explore_row_fn *fn, void *ctx);
    /* The stream and version of the event with this id; ESK_ENOTFOUND
     * when none has it. */
    esk_status (*locate)(struct esk_store *store, const char *schema,
                         const char *event_id, char *stream_id, size_t size,
                         int64_t *version);
} esk__explore_catalog;

/* The tables of a SQLite file (explore_catalog_sqlite.c). */
extern const esk__explore_catalog esk__explore_catalog_sqlite;

#ifdef ESK_HAVE_POSTGRES
/* The tables of a PostgreSQL schema (explore_catalog_postgres.c). */
extern const esk__explore_catalog esk__explore_catalog_postgres;
/* What the page calls a PostgreSQL store: its schema, host, port,
 * database and user, never its password; malloc'd, NULL when out of
 * memory. */
char *esk__explore_postgres_label(const char *conninfo, const char *schema);
#endif

/* The message of an event id no event has: a causation id may name a
 * command. */
esk_status esk__explore_no_event(const char *event_id);

#endif
