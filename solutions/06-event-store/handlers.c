/*
 * handlers.c - ScheduleWorkshop, RegisterAttendee and the story of a
 * workshop, over the repository and the store.
 */
#include <stdio.h>

#include "handlers.h"
#include "workshop.h"

esk_status schedule_workshop(esk_repository *repo, const char *workshop_id,
                             const char *title, const char *starts_on,
                             int64_t capacity, const esk_metadata *metadata)
{
    workshop w;
    esk_status rc = esk_aggregate_init(&w, &workshop_type, workshop_id);
    if (rc != ESK_OK)
        return rc;
    rc = workshop_schedule(&w, title, starts_on, capacity);
    if (rc == ESK_OK)
        rc = esk_repository_save(repo, &w, metadata, NULL);
    /* A new aggregate is saved expecting no stream: a conflict means the
     * workshop exists. The store checked it atomically, so two trainers
     * scheduling "w-1" at once cannot both succeed. */
    if (rc == ESK_ECONCURRENCY)
        rc = esk_domain_error(WORKSHOP_ALREADY_SCHEDULED,
                              "workshop '%s' exists already", workshop_id);
    esk_aggregate_release(&w);
    return rc;
}

esk_status register_attendee(esk_repository *repo, const char *workshop_id,
                             const char *attendee_id, const char *name,
                             const esk_metadata *metadata)
{
    /* Zeroed, so that it can be released even if the load never got to
     * initialise it. */
    workshop w = {0};
    esk_status rc = esk_repository_load(repo, workshop_id, &w);
    /* The repository speaks of streams; the person registering asked
     * about a workshop. */
    if (rc == ESK_ENOTFOUND)
        rc = esk_domain_error(WORKSHOP_NOT_SCHEDULED,
                              "workshop '%s' is not scheduled", workshop_id);
    if (rc == ESK_OK)
        rc = workshop_register(&w, attendee_id, name);
    if (rc == ESK_OK)
        rc = esk_repository_save(repo, &w, metadata, NULL);
    esk_aggregate_release(&w);
    return rc;
}

esk_status write_story(esk_store *store, const char *workshop_id, char *buf,
                       size_t size)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    size_t used = 0;

    if (buf == NULL || size == 0)
        return esk_error_set(ESK_EINVAL, "write_story needs a buffer");
    buf[0] = '\0';
    snprintf(stream_id, sizeof(stream_id), "%s-%s", workshop_type.category,
             workshop_id);
    esk_status rc = esk_store_read_stream(store, stream_id, 1, 0, &stream);
    /* A stream with no events does not exist: no workshop, no story. */
    if (rc == ESK_OK && stream.count == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "workshop '%s' has no events",
                           workshop_id);
    for (size_t i = 0; rc == ESK_OK && i < stream.count; i++) {
        const esk_event *e = &stream.events[i];
        int n = snprintf(buf + used, size - used, "v%lld %s %s\n",
                         (long long)e->version, e->type, e->data);
        if (n < 0 || (size_t)n >= size - used)
            rc = esk_error_set(ESK_EINVAL,
                               "the story of '%s' needs more than %zu bytes",
                               workshop_id, size);
        else
            used += (size_t)n;
    }
    esk_event_list_release(&stream);
    return rc;
}
