/*
 * esk/upcast.h - reading old events in today's shape.
 *
 * Stored events are never rewritten: they are facts. When an event type's
 * JSON layout changes, its schema version goes up, and an upcaster turns
 * the JSON of version v into version v + 1 as it is read. Upcasters chain,
 * so an event stored as v1 is read as v3 through v1 -> v2 -> v3,
 * and the codec only ever sees the current layout.
 *
 *   static esk_status registered_v1_to_v2(json_t *data)
 *   {
 *       // split "name" into "firstName" and "lastName", add "email": ""
 *   }
 *   esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2);
 *
 * An upcaster works on a jansson object (jansson is esk's JSON library)
 * that it may change in place.
 */
#ifndef ESK_UPCAST_H
#define ESK_UPCAST_H

#include <jansson.h>

#include "error.h"
#include "event.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Turn the data of one event from schema version v into v + 1, in place.
 * data is a JSON object, borrowed: change its members, do not decref it.
 * Return ESK_OK, or a failure status after esk_error_set() to say what was
 * wrong: esk_upcasters_apply() quotes it.
 */
typedef esk_status (*esk_upcast_fn)(json_t *data);

typedef struct esk_upcasters esk_upcasters;

/**
 * Create an empty registry.
 *
 * @param out receives it, owned by the caller (esk_upcasters_free);
 *            untouched on failure.
 * @return ESK_OK; ESK_EINVAL; ESK_ENOMEM.
 */
esk_status esk_upcasters_new(esk_upcasters **out);

/** Free a registry. NULL is a no-op. */
void esk_upcasters_free(esk_upcasters *upcasters);

/**
 * Register the step from from_version to from_version + 1 of a type.
 *
 * @param type         the event type name; copied.
 * @param from_version 1 to INT_MAX - 1 (the step leads to from_version + 1).
 * @param fn           the step.
 * @return ESK_OK; ESK_EINVAL (NULL, type empty, not UTF-8 or longer than
 *         ESK_TYPE_MAX, version < 1 or INT_MAX); ESK_EEXISTS (that step
 *         is registered already); ESK_ENOMEM.
 */
esk_status esk_upcasters_add(esk_upcasters *upcasters, const char *type,
                             int from_version, esk_upcast_fn fn);

/**
 * The schema version an event of this type and version is read as after
 * every registered step (version itself when no step applies, or when
 * upcasters or type is NULL).
 */
int esk_upcasters_target(const esk_upcasters *upcasters, const char *type,
                         int version);

/**
 * Upcast every event of a list in place: each one with registered steps
 * gets new data (in the list's memory) and its new schema version. Events
 * with no step are left as they are, without copying.
 *
 * @param upcasters NULL does nothing.
 *
 * A failure's message names the event (stream, version, type, schema
 * version) and the step that failed.
 * @return ESK_OK; ESK_EINVAL (NULL list, an event without stream id,
 *         type or data); ESK_EDECODE (data that is not a JSON object, or a
 *         step that failed: its message is quoted); ESK_ENOMEM (also when
 *         a step returns it). On failure the events already upcast stay
 *         upcast; the list is still valid.
 */
esk_status esk_upcasters_apply(const esk_upcasters *upcasters,
                               esk_event_list *list);

#ifdef __cplusplus
}
#endif

#endif
