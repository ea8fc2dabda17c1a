/*
 * idempotency.h - handle each command once: the middleware you write.
 *
 * A sender whose reply got lost sends the same command again, with the
 * same id. The middleware looks the id up among the outcomes it recorded
 * and, when it finds one, answers with it instead of handling the command
 * again; else it runs the rest of the chain and records the outcome in
 * the same store transaction as the command's events:
 *
 *   idempotency_around
 *     begin
 *     esk_store_get_record(COMMAND, id)
 *       found     -> answer_duplicate: the first answer, nothing written;
 *                    rollback
 *       not found -> esk_next: retry, handler (appends, in the transaction)
 *                    an answer (ESK_OK, ESK_EDOMAIN) -> record_outcome:
 *                                   put_record + commit, events and record
 *                                   together
 *                    a failure (conflict, I/O)  -> rollback: nothing stays
 *
 * You write the three functions below, in idempotency.c. Your tools:
 * esk_store_begin/commit/rollback, esk_store_get_record/put_record
 * (esk/store.h, esk/record.h), esk_next, esk_context_* (esk/command_bus.h),
 * and outcome.h.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

#include <esk/command_bus.h>

#include "outcome.h"

/*
 * Answer a command whose id has a recorded outcome, first.
 *
 * The same command sent again (same type, same payload_json byte for
 * byte, or NULL both times) gets the first answer: fill the context's
 * result from first (event_count, version, position) with duplicate =
 * true, and return first's status with its reason (outcome_reply()).
 *
 * Another command under the same id (another type, or another
 * payload_json, or payload_json on one and not the other) is a sender's
 * mistake, not a resend: refuse it with
 *   esk_context_fail(context, ESK_EDUPLICATE, 0, "...")
 * and a message that names the command id and the type it was used by;
 * the result stays as it is (duplicate = false).
 *
 * Nothing is written either way, and the handler does not run.
 *
 * @return first->status (ESK_OK or ESK_EDOMAIN, with first's code and
 *         message as the last error); ESK_EDUPLICATE.
 */
esk_status answer_duplicate(esk_context *context, const outcome *first);

/*
 * Record the answer the chain just gave (status, with its reason still
 * the last error) and commit the transaction idempotency_around() began:
 * the command's events and its outcome become durable together, or not
 * at all.
 *
 * The record: kind ESK_RECORD_COMMAND, key the command's id, at the
 * result's position, tag the status, value outcome_to_json() of
 * outcome_capture(). If writing the record or committing fails, nothing
 * of the command may stay: roll back if the transaction is still open,
 * and return that failure.
 *
 * @param status ESK_OK or ESK_EDOMAIN.
 * @return status, with the answer's reason as the last error
 *         (outcome_reply()); or the failure to record it (nothing
 *         written).
 */
esk_status record_outcome(esk_context *context, esk_status status);

/*
 * The middleware's around function, as above: begin a transaction, look
 * the command id up, then answer a duplicate (and roll back), or run the
 * rest of the chain with esk_next() and either record its answer
 * (record_outcome) or, after a technical failure, roll back and return
 * the failure, recording nothing (the sender may try again).
 *
 * Every path ends the transaction it began.
 *
 * @param data the middleware's data (NULL).
 * @return what the sender gets: the first answer, this answer, or the
 *         failure; ESK_EDUPLICATE for another command under a used id.
 */
esk_status idempotency_around(void *data, esk_context *context);

#endif
