/*
 * parked.h - where a process puts an event it can never handle, so that
 * it can go on with the next one. Provided.
 *
 * Some failures go away by themselves: the workshop service is busy or
 * cannot be reached for a moment. Others never will: an event whose data
 * does not fit its type (written by a buggy version years ago), a command
 * the service rejects as malformed. A process that stops at such an
 * event, as it must at a passing failure, stops for good: every later
 * cancellation waits behind it. So it is parked: recorded here, with why,
 * and the process moves on. Nothing is lost: an operator reads the table,
 * mends the cause and replays the event.
 *
 *   parked
 *   process    event_id     position  type                    reason
 *   "waitlist" "legacy-7"   12        "RegistrationCancelled"  "... has
 *                                                             no workshopId"
 *
 * The table lives in the store's own SQLite database: a row written by
 * react() commits with the process's checkpoint moving past the event,
 * or neither does.
 */
#ifndef PARKED_H
#define PARKED_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/event.h>
#include <esk/store.h>

/* One parked event. */
typedef struct parked_event {
    char process[65];
    char event_id[ESK_EVENT_ID_MAX + 1];
    int64_t position;
    char type[64];
    char reason[512];
} parked_event;

/*
 * Whether a failure will come again however often it is retried: the
 * event or the command itself is wrong (ESK_EDECODE: data that does not
 * fit its type; ESK_EINVAL: a command the service rejects as malformed).
 * Anything else (ESK_EBUSY, ESK_EIO, ESK_ECONCURRENCY, ESK_ENOMEM...) may
 * go away: counted as passing. When in doubt, passing is the safe guess:
 * a passing failure stops the process until it goes away, while parking
 * takes the event out of the flow until someone replays it.
 */
bool failure_is_permanent(esk_status status);

/*
 * Create the table if it is not there. The application calls it once
 * (app.c).
 *
 * @return ESK_OK; ESK_EINVAL (not a SQLite store); ESK_EIO.
 */
esk_status parked_setup(esk_store *store);

/*
 * Park an event: record it for process, with the reason it could not be
 * handled. Parking the same event twice keeps the last reason.
 *
 * @param event  borrowed; its id, position and type are copied.
 * @param reason why, in words (esk_errmsg() of the failure); copied.
 * @return ESK_OK; ESK_EINVAL (NULL, not a SQLite store); ESK_EIO (the
 *         table refused: nothing parked). Each says why in the last error.
 */
esk_status parked_add(esk_store *store, const char *process,
                      const esk_event *event, const char *reason);

/*
 * The parked event with this id, if there is one.
 *
 * @return ESK_OK; ESK_ENOTFOUND; ESK_EINVAL; ESK_EIO.
 */
esk_status parked_find(esk_store *store, const char *event_id,
                       parked_event *out);

/*
 * How many events are parked, for every process.
 *
 * @return ESK_OK; ESK_EINVAL; ESK_EIO.
 */
esk_status parked_count(esk_store *store, int64_t *out);

#endif
