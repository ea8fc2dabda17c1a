/*
 * upcasters.c - AttendeeRegistered v1 and v2, read as v3.
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
#include "upcasters.h"

esk_status attendee_registered_v1_to_v2(json_t *data)
{
    const char *name = json_string_value(json_object_get(data, "name"));
    if (name == NULL)
        return esk_error_set(ESK_EDECODE,
                             "a v1 registration needs a 'name' (a string) to "
                             "split into first and last name");

    /* The first word is the first name; all that follows the first space,
     * as it is, the last name. A guess, which the README discusses: the
     * stored v1 keeps the name as it was given, whatever this makes of it. */
    const char *space = strchr(name, ' ');
    size_t first_length = space != NULL ? (size_t)(space - name) : strlen(name);
    const char *last = space != NULL ? space + 1 : "";

    /* Each new value is taken by data; a NULL one (out of memory) makes
     * json_object_set_new fail. */
    if (json_object_set_new(data, "firstName",
                            json_stringn(name, first_length)) != 0 ||
        json_object_set_new(data, "lastName", json_string(last)) != 0 ||
        json_object_set_new(data, "email", json_string("")) != 0)
        return ESK_ENOMEM;

    /* Last: name and last point into the value this frees. */
    json_object_del(data, "name");
    return ESK_OK;
}

esk_status attendee_registered_v2_to_v3(json_t *data)
{
    /* Early-bird tickets came with release 3: every registration before
     * it was for a standard ticket. A default is right only when it is a
     * fact about the past, as this one is. */
    if (json_object_set_new(data, "ticket", json_string("standard")) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

esk_status add_workshop_upcasters(esk_upcasters *upcasters)
{
    const char *type = attendee_registered_type.name;
    esk_status rc =
        esk_upcasters_add(upcasters, type, 1, attendee_registered_v1_to_v2);
    if (rc == ESK_OK)
        rc =
            esk_upcasters_add(upcasters, type, 2, attendee_registered_v2_to_v3);
    return rc;
}
