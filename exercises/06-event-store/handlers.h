/*
 * handlers.h - what a command handler is made of: load, decide, save.
 *
 * Each handler below is one round trip to the event store through the
 * repository of workshops (esk/aggregate.h):
 *
 *   load "workshop-<id>"  ->  behaviour (workshop.h)  ->  save, expecting
 *   (fold its events)         raises new events           the version loaded
 *
 * You write them in handlers.c. The repository is made for workshop_type,
 * so it knows the stream category ("workshop") and how to fold the events.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <stddef.h>
#include <stdint.h>

#include <esk/aggregate.h>
#include <esk/store.h>

/*
 * ScheduleWorkshop: create the workshop and save its first event.
 *
 * A new workshop is not loaded, it is made: esk_aggregate_init() with
 * workshop_type. Then the behaviour workshop_schedule(), then
 * esk_repository_save(). A new aggregate is saved expecting that its
 * stream does not exist yet (ESK_NO_STREAM), so the save itself refuses a
 * workshop that is already there: that refusal is ESK_ECONCURRENCY, which
 * this handler turns into the domain's answer.
 *
 * Whatever fails says why in the last error (esk_error_last()): a
 * refusal of the behaviour is passed on as it is, with its code and its
 * message; the store's conflict becomes a refusal of the handler's own.
 *
 * @param metadata saved with each event (NULL for none); borrowed.
 * @return ESK_OK: the stream "workshop-<id>" is at version 1;
 *         ESK_EDOMAIN: the behaviour refused (its code, such as
 *         INVALID_CAPACITY, is in the last error), or the workshop already
 *         exists (WORKSHOP_ALREADY_SCHEDULED); nothing is written;
 *         any other status of esk_aggregate_init() or the repository,
 *         as it is (esk_errmsg() says why).
 * The aggregate is released before returning, whatever happened.
 */
esk_status schedule_workshop(esk_repository *repo, const char *workshop_id,
                             const char *title, const char *starts_on,
                             int64_t capacity, const esk_metadata *metadata);

/*
 * RegisterAttendee: load the workshop, register, save.
 *
 * esk_repository_load() folds the stream into the state and remembers its
 * version; workshop_register() raises AttendeeRegistered (or
 * AttendeeWaitlisted when the workshop is full); esk_repository_save()
 * appends it expecting the version loaded.
 *
 * A workshop that was never scheduled has no stream, and the load says
 * ESK_ENOTFOUND. This handler answers in the domain's words instead:
 * ESK_EDOMAIN with WORKSHOP_NOT_SCHEDULED, the answer a registration for
 * an unknown workshop gets from the behaviour itself.
 *
 * @param metadata saved with each event (NULL for none); borrowed.
 * @return ESK_OK: one more event in the stream;
 *         ESK_EDOMAIN: the workshop does not exist (WORKSHOP_NOT_SCHEDULED)
 *         or the behaviour refused (its code and message are in the last
 *         error, passed on as they are); nothing is written;
 *         ESK_ECONCURRENCY: someone saved the workshop between the load
 *         and the save (exercise 07 retries); nothing is written;
 *         any other status of the repository (esk_errmsg()).
 * The aggregate is released before returning, whatever happened.
 */
esk_status register_attendee(esk_repository *repo, const char *workshop_id,
                             const char *attendee_id, const char *name,
                             const esk_metadata *metadata);

/*
 * The story of a workshop: its stream, read back from the store, one line
 * per event, oldest first:
 *
 *   v1 WorkshopScheduled {"workshopId":"w-1","title":...,"capacity":2}
 *   v2 AttendeeRegistered {"workshopId":"w-1","attendeeId":"ada",...}
 *
 * that is "v<version> <type> <data>\n" for each event. The stream's name
 * is workshop_type's category, a '-' and the id: "workshop-w-1".
 *
 * @param buf  receives the text, always ended by a NUL (when size > 0).
 * @param size the size of buf, in bytes.
 * @return ESK_OK;
 *         ESK_ENOTFOUND: the workshop has no events (buf is "");
 *         ESK_EINVAL: the story does not fit in size bytes (buf holds as
 *         much as fits), or buf is NULL or size 0;
 *         the store's errors (esk_errmsg() says why).
 */
esk_status write_story(esk_store *store, const char *workshop_id, char *buf,
                       size_t size);

#endif
