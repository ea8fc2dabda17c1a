/*
 * upcasters.c - AttendeeRegistered v1 and v2, read as v3. YOU EDIT THIS
 * FILE.
 *
 * upcasters.h says exactly what each function must do. The tools, from
 * jansson (https://jansson.readthedocs.io, "API Reference"):
 *
 *   json_object_get(data, "name")          the value of a key, or NULL
 *   json_string_value(value)               its text, or NULL if it is not
 *                                          a string (or value is NULL)
 *   json_string("Ada")                     a new string value
 *   json_stringn("Ada Lovelace", 3)        a new string of the first 3
 *                                          bytes: "Ada"
 *   json_object_set_new(data, "k", value)  set a key; data takes the new
 *                                          value; -1 when value is NULL
 *   json_object_del(data, "name")          remove a key, and free its value
 *
 * and esk_upcasters_add() (esk/upcast.h), esk_error_set() (esk/error.h).
 */
#include <string.h>

#include "events.h"
#include "exercise.h"
#include "upcasters.h"

esk_status attendee_registered_v1_to_v2(json_t *data)
{
    (void)data;
    /* TODO: split "name" into "firstName" and "lastName" at its first
     * space, add "email": "", remove "name". */
    return EXERCISE_TODO("attendee_registered_v1_to_v2");
}

esk_status attendee_registered_v2_to_v3(json_t *data)
{
    (void)data;
    /* TODO: add "ticket": "standard". */
    return EXERCISE_TODO("attendee_registered_v2_to_v3");
}

esk_status add_workshop_upcasters(esk_upcasters *upcasters)
{
    (void)upcasters;
    /* TODO: register both steps with esk_upcasters_add(). */
    return EXERCISE_TODO("add_workshop_upcasters");
}
