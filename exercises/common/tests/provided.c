/*
 * provided.c - a function an exercise provides, which hands over what esk
 * allocated: the learner's code must free it.
 */
#include <string.h>

#include <esk/codec.h>

#include "attendee.h"
#include "events.h"

char *schedule_json(const char *workshop_id)
{
    workshop_scheduled e = {.capacity = 1};
    strncpy(e.workshop_id, workshop_id, sizeof(e.workshop_id) - 1);
    char *json = NULL;
    if (esk_codec_encode(&workshop_scheduled_type, &e, &json) != ESK_OK)
        return NULL;
    return json;
}
