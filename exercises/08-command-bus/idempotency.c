/*
 * idempotency.c - handle each command once. YOU EDIT THIS FILE.
 *
 * idempotency.h says exactly what each function must do. Write
 * idempotency_around() first, then record_outcome(): the first tests
 * need both. answer_duplicate() comes with the duplicates. The tools:
 *   esk_store_begin, esk_store_commit, esk_store_rollback,
 *   esk_store_get_record, esk_store_put_record     (esk/store.h)
 *   esk_next, esk_context_store, esk_context_command,
 *   esk_context_result, esk_context_fail           (esk/command_bus.h)
 *   outcome_capture, outcome_to_json, outcome_from_json, outcome_reply,
 *   outcome_release, rollback_keeping_error        (outcome.h)
 */
#include <stdlib.h>
#include <string.h>

#include <esk/record.h>
#include <esk/store.h>

#include "exercise.h"
#include "idempotency.h"

esk_status idempotency_around(void *data, esk_context *context)
{
    (void)data, (void)context;
    /* TODO: begin; look the command id up; found: answer_duplicate() and
     * roll back; not found: esk_next(), then record_outcome() for an
     * answer, or roll back for a failure. */
    return EXERCISE_TODO("idempotency_around");
}

esk_status record_outcome(esk_context *context, esk_status status)
{
    (void)context, (void)status;
    /* TODO: capture the outcome, put it in a record keyed by the command
     * id, commit; on a failure, roll back. Then give the answer back with
     * outcome_reply(). */
    return EXERCISE_TODO("record_outcome");
}

esk_status answer_duplicate(esk_context *context, const outcome *first)
{
    (void)context, (void)first;
    /* TODO: the same command (type and payload_json) gets first's answer:
     * fill the result, duplicate = true, return outcome_reply(). Another
     * command under this id: ESK_EDUPLICATE with esk_context_fail(). */
    return EXERCISE_TODO("answer_duplicate");
}
