/*
 * handler.c - load, decide, append expecting the version loaded; on a
 * conflict, all over again. YOU EDIT THIS FILE.
 *
 * handler.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_decision_count, esk_decision_event, esk_decision_clear,
 *   esk_decision_release                          (esk/decider.h)
 *   esk_decider_fold, workshop_decider            (esk/decider.h, workshop.h)
 *   esk_store_read_stream, esk_store_append,
 *   esk_event_list_release                           (esk/store.h)
 *   race_window                                   (race.h)
 */
#include <stdio.h>
#include <string.h>

#include "exercise.h"
#include "handler.h"
#include "race.h"

bool command_already_handled(const esk_event_list *stream,
                             const char *command_id)
{
    (void)stream, (void)command_id;
    /* TODO: true when an event's id is "<command_id>/" followed by
     * anything. */
    EXERCISE_TODO("command_already_handled");
    return false;
}

esk_status append_decision(esk_store *store, const char *stream_id,
                           int64_t expected_version,
                           const esk_decision *decision, const char *command_id)
{
    (void)store, (void)stream_id, (void)expected_version, (void)decision;
    (void)command_id;
    /* TODO: one esk_new_event per event of the decision, with the id
     * "<command_id>/<i>" and no metadata (NULL); then one
     * esk_store_append() expecting expected_version. No events: ESK_OK,
     * nothing to append. */
    return EXERCISE_TODO("append_decision");
}

esk_status handle_with_retry(esk_store *store, const workshop_command *command,
                             const char *command_id, int max_attempts)
{
    (void)store, (void)command, (void)command_id, (void)max_attempts;
    /* TODO: up to max_attempts times: load, stop if already handled,
     * decide, race_window(), append_decision(); again only on
     * ESK_ECONCURRENCY. */
    return EXERCISE_TODO("handle_with_retry");
}
