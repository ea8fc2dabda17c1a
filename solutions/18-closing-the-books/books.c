/*
 * books.c - closing a period with its summary, and opening the next one
 * from it. YOU EDIT THIS FILE.
 *
 * books.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_read_stream, esk_store_read_stream_backward,
 *   esk_store_close_stream, esk_store_stream_closed, esk_store_append,
 *   esk_event_list_release                          (esk/store.h)
 *   esk_codec_decode_event, esk_codec_encode, esk_free (esk/codec.h)
 *   esk_error_set, esk_domain_error                 (esk/error.h)
 *   books_stream_id, books_evolve_recorded, copy_text (books.h, state.h)
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>

#include "books.h"
#include "exercise.h"

/* The state a summary stands for: all the next period starts from. */
static void state_from_summary(workshop_state *state, const period_summary *s)
{
    *state = (workshop_state){0};
    state->status = s->open ? WORKSHOP_OPEN : WORKSHOP_CLOSED;
    state->capacity = s->capacity;
    for (size_t i = 0; i < s->seated_count && i < MAX_SEATS; i++)
        copy_text(state->seated[i], ID_SIZE, s->seated[i]);
    state->seated_count = s->seated_count;
    for (size_t i = 0; i < s->waitlist_count && i < MAX_WAITING; i++)
        copy_text(state->waitlist[i], ID_SIZE, s->waitlist[i]);
    state->waitlist_count = s->waitlist_count;
}

static esk_status fold_period(workshop_state *state, const esk_event_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const esk_event *e = &l->events[i];
        esk_status rc = ESK_OK;
        if (strcmp(e->type, period_opened_type.name) == 0) {
            period_summary s;
            rc = esk_codec_decode_event(&period_opened_type, e, &s);
            if (rc == ESK_OK)
                state_from_summary(state, &s);
        } else if (strcmp(e->type, period_closed_type.name) != 0) {
            rc = books_evolve_recorded(state, e);
        }
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

esk_status books_load_period(esk_store *store, const char *workshop_id,
                             int64_t period, workshop_state *state,
                             int64_t *version)
{
    char stream[BOOKS_STREAM_SIZE];
    books_stream_id(workshop_id, period, stream);
    *state = (workshop_state){0};
    *version = 0;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    esk_status rc = esk_store_read_stream(store, stream, 1, 0, &list);
    if (rc == ESK_OK && list.count == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "period stream '%s' does not exist",
                           stream);
    if (rc == ESK_OK)
        rc = fold_period(state, &list);
    if (rc == ESK_OK)
        *version = list.events[list.count - 1].version;
    esk_event_list_release(&list);
    return rc;
}

void books_summarize(const workshop_state *state, const char *workshop_id,
                     int64_t period, period_summary *out)
{
    memset(out, 0, sizeof(*out));
    copy_text(out->workshop_id, ID_SIZE, workshop_id);
    out->period = period;
    out->open = state->status == WORKSHOP_OPEN;
    out->capacity = state->capacity;
    for (size_t i = 0; i < state->seated_count; i++)
        copy_text(out->seated[i], ID_SIZE, state->seated[i]);
    out->seated_count = state->seated_count;
    for (size_t i = 0; i < state->waitlist_count; i++)
        copy_text(out->waitlist[i], ID_SIZE, state->waitlist[i]);
    out->waitlist_count = state->waitlist_count;
}

esk_status books_close_period(esk_store *store, const char *workshop_id,
                              int64_t period)
{
    workshop_state state;
    int64_t version = 0;
    esk_status rc =
        books_load_period(store, workshop_id, period, &state, &version);
    if (rc != ESK_OK)
        return rc;
    period_summary summary;
    books_summarize(&state, workshop_id, period, &summary);
    char *data = NULL;
    rc = esk_codec_encode(&period_closed_type, &summary, &data);
    if (rc != ESK_OK)
        return rc;
    char stream[BOOKS_STREAM_SIZE];
    books_stream_id(workshop_id, period, stream);
    esk_new_event e = {.type = period_closed_type.name,
                       .schema_version = period_closed_type.schema_version,
                       .data = data};
    rc = esk_store_close_stream(store, stream, version, &e, 1, NULL);
    esk_free(data);
    return rc;
}

/* The summary a closed period ends with. */
static esk_status read_summary(esk_store *store, const char *stream,
                               period_summary *summary)
{
    bool closed = false;
    esk_status rc = esk_store_stream_closed(store, stream, &closed);
    if (rc != ESK_OK)
        return rc;
    if (!closed)
        return esk_domain_error(BOOKS_PERIOD_NOT_CLOSED,
                                "period '%s' is not closed: close it first",
                                stream);
    esk_event_list last = ESK_EVENT_LIST_INIT;
    rc = esk_store_read_stream_backward(store, stream, ESK_END, 1, &last);
    if (rc == ESK_OK &&
        (last.count != 1 ||
         strcmp(last.events[0].type, period_closed_type.name) != 0))
        rc = esk_domain_error(BOOKS_NO_SUMMARY,
                              "period '%s' is closed but does not end with a "
                              "WorkshopPeriodClosed",
                              stream);
    if (rc == ESK_OK)
        rc = esk_codec_decode_event(&period_closed_type, &last.events[0],
                                    summary);
    esk_event_list_release(&last);
    return rc;
}

esk_status books_open_next_period(esk_store *store, const char *workshop_id,
                                  int64_t closed_period)
{
    char old_stream[BOOKS_STREAM_SIZE], new_stream[BOOKS_STREAM_SIZE];
    books_stream_id(workshop_id, closed_period, old_stream);
    books_stream_id(workshop_id, closed_period + 1, new_stream);
    period_summary summary;
    esk_status rc = read_summary(store, old_stream, &summary);
    if (rc != ESK_OK)
        return rc;
    char *data = NULL;
    rc = esk_codec_encode(&period_opened_type, &summary, &data);
    if (rc != ESK_OK)
        return rc;
    char id[BOOKS_STREAM_SIZE + 8];
    snprintf(id, sizeof(id), "opened-%s", new_stream);
    esk_new_event e = {.event_id = id,
                       .type = period_opened_type.name,
                       .schema_version = period_opened_type.schema_version,
                       .data = data};
    rc = esk_store_append(store, new_stream, ESK_NO_STREAM, &e, 1, NULL);
    esk_free(data);
    return rc;
}
