/*
 * handlers.c - ScheduleWorkshop, RegisterAttendee and the story of a
 * workshop, over the repository and the store. YOU EDIT THIS FILE.
 *
 * handlers.h says exactly what each function must do. The tools:
 *   esk_aggregate_init, esk_repository_load, esk_repository_save,
 *   esk_aggregate_release         (esk/aggregate.h)
 *   workshop_schedule, workshop_register, workshop_type  (workshop.h)
 *   esk_store_read_stream, esk_event_list_release            (esk/store.h)
 *   esk_domain_error                                      (esk/error.h)
 */
#include <stdio.h>

#include "exercise.h"
#include "handlers.h"
#include "workshop.h"

esk_status schedule_workshop(esk_repository *repo, const char *workshop_id,
                             const char *title, const char *starts_on,
                             int64_t capacity, const esk_metadata *metadata)
{
    (void)repo, (void)workshop_id, (void)title, (void)starts_on;
    (void)capacity, (void)metadata;
    /* TODO: init a new workshop, schedule it, save it; turn "the stream
     * already exists" into WORKSHOP_ALREADY_SCHEDULED; release it. */
    return EXERCISE_TODO("schedule_workshop");
}

esk_status register_attendee(esk_repository *repo, const char *workshop_id,
                             const char *attendee_id, const char *name,
                             const esk_metadata *metadata)
{
    (void)repo, (void)workshop_id, (void)attendee_id, (void)name;
    (void)metadata;
    /* TODO: load the workshop (ESK_ENOTFOUND becomes WORKSHOP_NOT_SCHEDULED),
     * register the attendee, save it; release it. */
    return EXERCISE_TODO("register_attendee");
}

esk_status write_story(esk_store *store, const char *workshop_id, char *buf,
                       size_t size)
{
    (void)store, (void)workshop_id;
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    /* TODO: read the stream "workshop-<id>" and write one line per event:
     * "v<version> <type> <data>\n". No events: ESK_ENOTFOUND. */
    return EXERCISE_TODO("write_story");
}
