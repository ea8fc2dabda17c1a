/*
 * time_travel.h - questions about the past, answered from the events.
 *
 * A state is never stored: it is the fold of a stream's events. Fold fewer
 * of them and you get the state as it was back then, exactly: at a
 * version, at a time, or just before the command that went wrong. Nothing
 * had to be planned for it, no history table, no audit log: the events
 * are the history.
 *
 * You write the five functions in time_travel.c. A failure they pass on
 * (of the store, of workshop_fold()) keeps its message in the last error
 * (esk_errmsg()): return its status as it is.
 */
#ifndef TIME_TRAVEL_H
#define TIME_TRAVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/event.h>
#include <esk/store.h>

#include "state.h"

/*
 * The state of workshop workshop_id right after its version-th event:
 * the first `version` events of stream "workshop-<workshop_id>", folded
 * with workshop_fold() (state.h). Version 0 is the state before anything
 * happened: the zero, unscheduled workshop.
 *
 * @param out receives the state.
 * @return ESK_OK;
 *         ESK_EINVAL: version is negative;
 *         ESK_ENOTFOUND: the stream has not reached that version (yet);
 *         ESK_EDECODE: an event does not decode (the last error says
 *         which, and why);
 *         the store's errors.
 */
esk_status workshop_as_of_version(esk_store *store, const char *workshop_id,
                                  int64_t version, workshop_state *out);

/*
 * The state of the workshop as it stood at time `at`: the events recorded
 * at or before `at`, folded.
 *
 * A state is always a beginning of the stream, never a selection from
 * it: the stream's order is the order in which things happened. So stop
 * at the first event recorded after `at`, even if an event after it
 * carries an earlier time (two servers whose clocks disagree can record
 * that; folding around the gap would build a state that never existed).
 *
 * @param at          microseconds since the epoch, as recorded_at.
 * @param out         receives the state.
 * @param out_version optional: the version of that state, 0 when nothing
 *                    was recorded yet.
 * @return ESK_OK, also when nothing was recorded by then (the unscheduled
 *         state, version 0); ESK_EDECODE; the store's errors.
 */
esk_status workshop_as_of_time(esk_store *store, const char *workshop_id,
                               esk_time at, workshop_state *out,
                               int64_t *out_version);

/* A yes-or-no question about a state, for first_version_where(). */
typedef bool (*state_question)(const workshop_state *state);

/*
 * Debugging by replay: the first version after which the answer to
 * `holds` is yes. Fold the stream one more event at a time (version 1,
 * then 2...) and ask after each.
 *
 * @param out_version receives the version.
 * @return ESK_OK; ESK_ENOTFOUND: the answer is no at every version;
 *         ESK_EDECODE; the store's errors.
 */
esk_status first_version_where(esk_store *store, const char *workshop_id,
                               state_question holds, int64_t *out_version);

/*
 * The rule Bob's report is about: whether a seat is free while someone is
 * waiting for one. Whenever it is true, someone should be promoted.
 */
bool seat_free_while_someone_waits(const workshop_state *state);

/*
 * The audit trail of one attendee: every event of every workshop whose
 * data names attendee_id (its "attendeeId"), in the order the store
 * recorded them (global position), one line each:
 *
 *   <recorded_at> <stream> v<version> <type> user=<u> command=<c> request=<r>
 *   2026-11-27T10:42:01.000000Z workshop-w-1 v5 RegistrationCancelled
 * user=frontdesk command=cmd-7 request=req-7
 *
 * recorded_at as esk_time_format() writes it; u, c and r the metadata's
 * "user", "causationId" and "correlationId", or "-" when absent.
 *
 * @param buf  receives the lines, each ending in '\n'; "" when there are
 *             none.
 * @param size the size of buf.
 * @return ESK_OK; ESK_EINVAL: the trail does not fit in size bytes (buf
 *         then holds an unspecified beginning); the store's errors.
 */
esk_status audit_trail_for(esk_store *store, const char *attendee_id, char *buf,
                           size_t size);

#endif
