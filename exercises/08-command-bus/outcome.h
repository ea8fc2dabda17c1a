/*
 * outcome.h - a command's first answer, as the idempotency middleware
 * keeps it: what the command was (type, payload_json) and what came of it
 * (status, a refusal's code and message, events written, version,
 * position). Provided: the JSON it is stored as is not the point.
 *
 *   outcome_capture()   the command being handled and its answer so far
 *   outcome_to_json()   the text to put in the record's value
 *   outcome_from_json() the text of a record read back
 *   outcome_reply()     give the outcome back to the sender
 */
#ifndef OUTCOME_H
#define OUTCOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/command_bus.h>

typedef struct outcome {
    /** The command this answered. */
    char type[ESK_COMMAND_TYPE_MAX + 1];
    /** Its payload_json, owned (outcome_release); NULL when it had none. */
    char *payload_json;
    /** ESK_OK or ESK_EDOMAIN: only answers are kept, never failures. */
    esk_status status;
    /** A refusal's domain code and message; 0 and "" for ESK_OK. */
    int domain_code;
    char message[ESK_ERROR_MESSAGE_MAX];
    /** What the command wrote (esk_command_result's fields). */
    size_t event_count;
    int64_t version;
    int64_t position;
} outcome;

/*
 * The outcome of the command being handled: the context's command and
 * result, with status and, for ESK_EDOMAIN, the last error's code and
 * message. Call it right after esk_next(), before any other esk call
 * replaces the last error.
 *
 * @param status ESK_OK or ESK_EDOMAIN.
 * @param out    filled; release it with outcome_release().
 * @return ESK_OK; ESK_EINVAL (a NULL argument, a status that is no
 *         answer); ESK_ENOMEM.
 */
esk_status outcome_capture(esk_context *context, esk_status status,
                           outcome *out);

/*
 * The outcome as the JSON text of a record's value.
 *
 * @param json receives the text, owned by the caller (free()).
 * @return ESK_OK; ESK_EINVAL; ESK_ENOMEM.
 */
esk_status outcome_to_json(const outcome *o, char **json);

/*
 * An outcome read back from a record's value.
 *
 * @param out filled on ESK_OK; release it with outcome_release().
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_ECORRUPT (not an outcome this
 *         file wrote); ESK_ENOMEM.
 */
esk_status outcome_from_json(const char *json, outcome *out);

/*
 * Give the outcome back as the dispatch's answer: its status, returned,
 * and for a refusal its code and message set again as the last error
 * (esk calls that succeed clear the last error, so a refusal's reason
 * must be set again after the record is written). The result is not
 * touched: fill it yourself.
 *
 * @return o->status; ESK_EINVAL for a NULL argument.
 */
esk_status outcome_reply(esk_context *context, const outcome *o);

/* Free what the outcome owns; a zeroed outcome or NULL is fine. */
void outcome_release(outcome *o);

/*
 * Roll back the innermost transaction and keep the last error as it was
 * (a rollback that succeeds would clear it). For the paths that end in a
 * failure or a duplicate's answer.
 *
 * @return ESK_OK; the rollback's failure (its message then replaces the
 *         last error).
 */
esk_status rollback_keeping_error(esk_store *store);

#endif
