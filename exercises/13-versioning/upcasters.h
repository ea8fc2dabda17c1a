/*
 * upcasters.h - the AttendeeRegistered of earlier releases, read as v3.
 * Provided: you write the functions in upcasters.c.
 *
 * An upcaster is one step, from schema version v to v + 1, over an
 * event's JSON data as a jansson object, which it changes in place
 * (esk/upcast.h). esk chains the steps as the events are read:
 *
 *   stored v1 ──v1_to_v2──► v2 ──v2_to_v3──► v3 ──► the codec (v3 only)
 *   stored v2 ─────────────────┘
 *   stored v3 ─────────────────────────────────┘
 *
 * The step works on a copy, made as the event is read: what is stored
 * never changes.
 */
#ifndef UPCASTERS_H
#define UPCASTERS_H

#include <esk/upcast.h>

/*
 * AttendeeRegistered v1 -> v2: the one "name" of release 1 becomes the
 * "firstName" and "lastName" that release 2 asks for, and the "email" it
 * added, which release 1 never asked for, is "".
 *
 *   {"workshopId":"w-1","attendeeId":"ada","name":"Ada Lovelace"}
 *   {"workshopId":"w-1","attendeeId":"ada","firstName":"Ada",
 *    "lastName":"Lovelace","email":""}
 *
 * The first name is the name up to its first space; the last name is all
 * that follows that space, as it is ("Grace Brewster Murray Hopper":
 * "Grace", "Brewster Murray Hopper"); a name without a space is a first
 * name, with the last name "". "name" is removed: v2 has no such key.
 *
 * @param data the event's data, a JSON object; borrowed, changed in place.
 * @return ESK_OK; ESK_EDECODE when "name" is missing or not a string, with
 *         a message that says what is wrong:
 *         `return esk_error_set(ESK_EDECODE, "...");` (esk/error.h), which
 *         esk quotes after the stream, version and type of the event;
 *         ESK_ENOMEM when jansson cannot allocate a new value.
 */
esk_status attendee_registered_v1_to_v2(json_t *data);

/*
 * AttendeeRegistered v2 -> v3: release 3 sells "early-bird" and
 * "standard" tickets, and records which in "ticket". Every registration
 * before it was for a standard ticket, so a v2 becomes a v3 with
 * "ticket": "standard". The other keys stay as they are.
 *
 * @return ESK_OK; ESK_ENOMEM.
 */
esk_status attendee_registered_v2_to_v3(json_t *data);

/*
 * Register both steps, each for the version it reads:
 * "AttendeeRegistered" from 1 (to 2), and from 2 (to 3).
 *
 * @param upcasters the registry a repository or a reader will use.
 * @return ESK_OK; the failure of esk_upcasters_add().
 */
esk_status add_workshop_upcasters(esk_upcasters *upcasters);

#endif
