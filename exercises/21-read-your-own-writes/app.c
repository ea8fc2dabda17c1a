/*
 * app.c - the registration system around your code. Provided.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>

#include "fresh.h"

static bool valid_id(const char *id)
{
    return id && id[0] && strlen(id) < APP_ID_SIZE;
}

esk_status app_register(reg_app *app, const char *attendee_id,
                        const char *workshop_id, int64_t *position)
{
    if (!app || !position || !valid_id(attendee_id) || !valid_id(workshop_id))
        return esk_error_set(ESK_EINVAL, "app_register: NULL or a bad id");
    if (app->log_count == APP_MAX)
        return esk_error_set(ESK_ENOMEM, "app_register: the log is full");
    registration *r = &app->log[app->log_count];
    r->position = (int64_t)app->log_count + 1;
    snprintf(r->attendee_id, sizeof(r->attendee_id), "%s", attendee_id);
    snprintf(r->workshop_id, sizeof(r->workshop_id), "%s", workshop_id);
    app->log_count++;
    *position = r->position;
    return ESK_OK;
}

void app_project(reg_app *app, size_t max)
{
    while (max-- > 0 && app->read_count < app->log_count) {
        app->read_model[app->read_count] = app->log[app->read_count];
        app->read_count++;
        app->checkpoint = (int64_t)app->read_count;
    }
}

esk_status app_status(reg_app *app, esk_catchup_status *status)
{
    if (!app || !status)
        return esk_error_set(ESK_EINVAL, "app_status: NULL argument");
    *status = (esk_catchup_status){
        .checkpoint = app->checkpoint,
        .head = (int64_t)app->log_count,
        .lag = (int64_t)app->log_count - app->checkpoint,
    };
    return ESK_OK;
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
    return select_of(app->read_model, app->read_count, attendee_id, out, max);
}

size_t app_log_registrations(const reg_app *app, const char *attendee_id,
                             registration *out, size_t max)
{
    return select_of(app->log, app->log_count, attendee_id, out, max);
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
