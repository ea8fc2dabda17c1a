/*
 * attendee.c - code written the way a learner might: it measures an
 * event's JSON, and forgets to free the text it was handed.
 */
#include <string.h>

#include "attendee.h"

size_t json_length_of_schedule(const char *workshop_id)
{
    const char *json = schedule_json(workshop_id);
    return json != NULL ? strlen(json) : 0; /* json is never freed */
}
