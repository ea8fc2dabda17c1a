/*
 * app.c - the registration system around your code: a memory store, a
 * catch-up projection and its read model, the CLI. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>

#include "events.h"
#include "fresh.h"

#define STREAM_PREFIX "attendee-"

static esk_status check_id(const char *what, const char *id)
{
    if (!id || !id[0] || strlen(id) >= APP_ID_SIZE)
        return esk_error_set(ESK_EINVAL,
                             "%s must be 1 to %d characters, not %s", what,
                             APP_ID_SIZE - 1, id ? "that" : "NULL");
    return ESK_OK;
}

esk_status app_registered_event(const char *attendee_id,
                                const char *workshop_id, app_event *out)
{
    esk_status rc;
    if (!out)
        return esk_error_set(ESK_EINVAL, "app_registered_event: out is NULL");
    if ((rc = check_id("the attendee id", attendee_id)) != ESK_OK ||
        (rc = check_id("the workshop id", workshop_id)) != ESK_OK)
        return rc;
    attendee_registered e = {0};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", attendee_id);
    rc = esk_codec_encode_to(&attendee_registered_type, &e, out->data,
                             sizeof(out->data), NULL);
    if (rc != ESK_OK)
        return rc;
    snprintf(out->stream_id, sizeof(out->stream_id), STREAM_PREFIX "%s",
             attendee_id);
    out->event = (esk_new_event){
        .type = attendee_registered_type.name,
        .schema_version = attendee_registered_type.schema_version,
        .data = out->data,
    };
    return ESK_OK;
}

static esk_status row_of(const esk_event *event, registration *row)
{
    attendee_registered e;
    esk_status rc =
        esk_codec_decode_event(&attendee_registered_type, event, &e);
    if (rc != ESK_OK)
        return rc;
    *row = (registration){.position = event->position};
    /* app_registered_event() keeps ids below APP_ID_SIZE. */
    snprintf(row->attendee_id, sizeof(row->attendee_id), "%.*s",
             APP_ID_SIZE - 1, e.attendee_id);
    snprintf(row->workshop_id, sizeof(row->workshop_id), "%.*s",
             APP_ID_SIZE - 1, e.workshop_id);
    return ESK_OK;
}

/* The projection's handler. A memory store may deliver an event again
 * (esk/projection.h): a row it already has is not added twice. */
static esk_status project_registered(void *ctx, esk_store *store,
                                     const esk_event *event)
{
    (void)store;
    reg_app *app = ctx;
    if (app->read_count > 0 &&
        app->read_model[app->read_count - 1].position >= event->position)
        return ESK_OK;
    if (app->read_count == APP_MAX)
        return esk_error_set(ESK_ENOMEM, "the read model is full (%d rows)",
                             APP_MAX);
    esk_status rc = row_of(event, &app->read_model[app->read_count]);
    if (rc == ESK_OK)
        app->read_count++;
    return rc;
}

static esk_status reset_read_model(void *ctx, esk_store *store)
{
    (void)store;
    ((reg_app *)ctx)->read_count = 0;
    return ESK_OK;
}

static const char *const projected_types[] = {"AttendeeRegistered"};

esk_status app_open(reg_app *app)
{
    if (!app)
        return esk_error_set(ESK_EINVAL, "app_open: app is NULL");
    memset(app, 0, sizeof(*app));
    esk_status rc = esk_store_open_memory(&app->store, NULL);
    if (rc != ESK_OK)
        return rc;
    app->projection = (esk_projection){
        .name = "registrations",
        .version = 1,
        .event_types = projected_types,
        .event_type_count = 1,
        .handle = project_registered,
        .reset = reset_read_model,
        .ctx = app,
    };
    /* One event per batch: each step of the runner moves the checkpoint
     * by one event, so the suite holds the read model exactly so far
     * behind. */
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 1;
    rc = esk_catchup_new(&app->runner, app->store, &app->projection, &options);
    if (rc != ESK_OK) {
        esk_store_free(app->store);
        app->store = NULL;
    }
    return rc;
}

void app_close(reg_app *app)
{
    if (!app)
        return;
    esk_catchup_free(app->runner);
    esk_store_free(app->store);
    app->runner = NULL;
    app->store = NULL;
}

esk_status app_project(reg_app *app, size_t events)
{
    if (!app || !app->runner)
        return esk_error_set(ESK_EINVAL, "app_project: the app is not open");
    /* A step of a runner in batches of one applies one event. */
    for (size_t i = 0; i < events; i++) {
        esk_catchup_status status;
        esk_status rc = esk_catchup_step(app->runner, &status);
        if (rc != ESK_OK)
            return rc;
        if (status.lag == 0)
            break;
    }
    return ESK_OK;
}

esk_status app_status(reg_app *app, esk_catchup_status *status)
{
    if (!app || !app->runner || !status)
        return esk_error_set(ESK_EINVAL, "app_status: NULL argument");
    return esk_catchup_status_get(app->runner, status);
}

static size_t select_of(const registration *rows, size_t count,
                        const char *attendee_id, registration *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < count && n < max; i++)
        if (attendee_id && strcmp(rows[i].attendee_id, attendee_id) == 0)
            out[n++] = rows[i];
    return n;
}

size_t app_read_registrations(const reg_app *app, const char *attendee_id,
                              registration *out, size_t max)
{
    if (!app || !out)
        return 0;
    return select_of(app->read_model, app->read_count, attendee_id, out, max);
}

esk_status app_log_registrations(reg_app *app, const char *attendee_id,
                                 registration *out, size_t max, size_t *count)
{
    if (count)
        *count = 0;
    if (!app || !app->store || !out || !count)
        return esk_error_set(ESK_EINVAL,
                             "app_log_registrations: NULL argument");
    esk_status rc = check_id("the attendee id", attendee_id);
    if (rc != ESK_OK)
        return rc;
    char stream_id[APP_ID_SIZE + 16];
    snprintf(stream_id, sizeof(stream_id), STREAM_PREFIX "%s", attendee_id);
    esk_event_list events = ESK_EVENT_LIST_INIT;
    rc = esk_store_read_stream(app->store, stream_id, 1, max, &events);
    size_t n = 0;
    for (size_t i = 0; rc == ESK_OK && i < events.count; i++)
        if ((rc = row_of(&events.events[i], &out[n])) == ESK_OK)
            n++;
    esk_event_list_release(&events);
    if (rc == ESK_OK)
        *count = n;
    return rc;
}

esk_status cli_my_registrations(reg_app *app, const wait_clock *clock,
                                const char *attendee_id, int64_t position,
                                bool own_stream_when_stale, char *out,
                                size_t size)
{
    my_view view = {0};
    esk_status rc = my_registrations(app, clock, attendee_id, position,
                                     own_stream_when_stale, &view);
    if (rc == ESK_OK)
        format_my_registrations(attendee_id, &view, out, size);
    else
        snprintf(out, size, "%s", esk_errmsg());
    return rc;
}
