/*
 * web/explore_fold_workshop.c - the fold the explorer knows: the workshop
 * of exercises/domain, the one the exercises and the example application
 * store. Time travel (exercise 15) as a page: the state after each event.
 */
#include <esk/error.h>
#include <esk/event.h>

#include "explore.h"
#include "state.h"

static const char *status_name(workshop_status status)
{
    switch (status) {
    case WORKSHOP_OPEN:
        return "open";
    case WORKSHOP_CLOSED:
        return "closed";
    default:
        return "unscheduled";
    }
}

static json_t *ids_json(char ids[][ID_SIZE], size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list != NULL && i < count; i++)
        json_array_append_new(list, json_string(ids[i]));
    return list;
}

static json_t *state_json(workshop_state *s)
{
    return json_pack("{s:s, s:I, s:I, s:o, s:o}", "status",
                     status_name(s->status), "capacity",
                     (json_int_t)s->capacity, "free_seats",
                     (json_int_t)workshop_free_seats(s), "seated",
                     ids_json(s->seated, s->seated_count), "waitlist",
                     ids_json(s->waitlist, s->waitlist_count));
}

esk_status esk__explore_fold_workshop(const esk_event *events, size_t n,
                                      json_t **out)
{
    workshop_state state;
    esk_status rc = workshop_fold(&state, events, n);
    if (rc != ESK_OK)
        return rc;
    json_t *json = state_json(&state);
    if (json == NULL)
        return esk_error_set(ESK_ENOMEM, "folding: out of memory");
    *out = json;
    return ESK_OK;
}
