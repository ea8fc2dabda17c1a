/*
 * attendee.h - a learner's file with a mistake (attendee.c), and a file
 * the exercise provides (provided.c), for test_messages.c.
 */
#ifndef ATTENDEE_H
#define ATTENDEE_H

#include <stddef.h>

/* The JSON of a WorkshopScheduled, owned by the caller (esk_free). */
char *schedule_json(const char *workshop_id);

/* The length of a WorkshopScheduled's JSON; leaks the JSON. */
size_t json_length_of_schedule(const char *workshop_id);

#endif
