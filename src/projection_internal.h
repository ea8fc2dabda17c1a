/*
 * src/projection_internal.h - what projections, catch-up runners and
 * process managers share: type filters, checkpoints, event descriptions.
 */
#ifndef ESK_PROJECTION_INTERNAL_H
#define ESK_PROJECTION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/projection.h"
#include "esk/store.h"

/* Process managers keep their checkpoints in the same records as
 * catch-up projections, under this prefix and their name; projection names
 * may not start with it, so the two kinds of key never meet. */
#define ESK__PROCESS_CHECKPOINT_PREFIX "process:"

/* Whether type is one of types; true when there are none (every event). */
bool esk__type_wanted(const char *const *types, size_t count, const char *type);

/* Check a projection's members; on failure the message says what to
 * fix. */
esk_status esk__projection_check(const esk_projection *projection);

/* Run the projection's setup() (if any) in a transaction of its own:
 * ESK_ECALLBACK when it failed, or the store's status. */
esk_status esk__projection_setup(esk_store *store,
                                 const esk_projection *projection);

/* "position 12 (stream 'workshop-1', version 3, AttendeeRegistered)",
 * for messages about the event a handler failed on. */
void esk__describe_event(const esk_event *event, char *buf, size_t size);

/* After a callback (handler, setup, reset, react) returned rc, a failure:
 * make sure the last error says why, in the callback's own words or, when
 * it left none, with the status's name. Returns rc. Call it before
 * anything that may overwrite the last error. */
esk_status esk__callback_failed(esk_status rc);

/*
 * A checkpoint record: key, the position gone past, and the version of
 * whoever wrote it. get gives position 0 and *found false when there is
 * none; both return the store's status. get
 * refuses a negative position, which esk never writes, as ESK_ECORRUPT.
 */
esk_status esk__checkpoint_get(esk_store *store, const char *key,
                               int64_t *position, int *version, bool *found);
esk_status esk__checkpoint_put(esk_store *store, const char *key,
                               int64_t position, int version);

/*
 * Read the next batch of events a follower wants after `after`, up to
 * `head` (the head when its run started), with the type filter done by the
 * store. Sets *next to the position the follower may move its checkpoint
 * to once it has handled every event of out: the last event's when the
 * batch was full, else head, because no wanted event lies in between.
 * Events after head are dropped from out.
 */
esk_status esk__read_batch(esk_store *store, const char *const *types,
                           size_t type_count, int64_t after, int64_t head,
                           size_t batch_size, esk_event_list *out,
                           int64_t *next);

#endif
