/*
 * fresh.c - a command that says where its event went, and a query that
 * waits for it, for a while. The reference answer.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>

#include "fresh.h"

esk_status register_attendee(reg_app *app, const char *attendee_id,
                             const char *workshop_id, int64_t *position)
{
    if (!app || !position)
        return esk_error_set(ESK_EINVAL,
                             "register_attendee: app or position is NULL");
    app_event registered;
    esk_status rc = app_registered_event(attendee_id, workshop_id, &registered);
    if (rc != ESK_OK)
        return rc;
    esk_append_result result;
    rc = esk_store_append(app->store, registered.stream_id, ESK_ANY,
                          &registered.event, 1, &result);
    if (rc != ESK_OK)
        return rc;
    /* The global position, which the projection's checkpoint counts in;
     * the version counts in bob's stream only. */
    *position = result.position;
    return ESK_OK;
}

static esk_status verdict_fresh(int64_t checkpoint, freshness *out)
{
    *out = (freshness){.fresh = true, .checkpoint = checkpoint};
    return ESK_OK;
}

esk_status wait_for_position(reg_app *app, const wait_clock *clock,
                             int64_t position, int64_t timeout_ms,
                             freshness *out)
{
    if (!app || !clock || !clock->now || !clock->sleep || !out ||
        position < 0 || timeout_ms < 0)
        return esk_error_set(ESK_EINVAL, "wait_for_position: NULL argument, "
                                         "or a negative position or timeout");
    esk_catchup_status status;
    esk_status rc = app_status(app, &status);
    if (rc != ESK_OK)
        return rc;
    if (position > status.head)
        return esk_error_set(ESK_EINVAL,
                             "wait_for_position: position %lld is past the "
                             "head %lld: no event was written there, it "
                             "will never be projected; pass the position "
                             "the command returned",
                             (long long)position, (long long)status.head);
    if (position == 0 || status.checkpoint >= position)
        return verdict_fresh(status.checkpoint, out);

    /* The deadline is counted from the first look: whoever runs the
     * projection gets timeout_ms, and the user never waits longer. */
    int64_t start = clock->now(clock->context);
    int64_t deadline = start + timeout_ms;
    for (;;) {
        int64_t now = clock->now(clock->context);
        if (now >= deadline) {
            *out = (freshness){.fresh = false,
                               .lag = position - status.checkpoint,
                               .stale_since = start,
                               .checkpoint = status.checkpoint};
            return ESK_OK;
        }
        int64_t nap = deadline - now < POLL_INTERVAL_MS ? deadline - now
                                                        : POLL_INTERVAL_MS;
        clock->sleep(clock->context, nap);
        rc = app_status(app, &status);
        if (rc != ESK_OK)
            return rc;
        if (status.checkpoint >= position)
            return verdict_fresh(status.checkpoint, out);
    }
}

static bool shows(const my_view *view, int64_t position)
{
    for (size_t i = 0; i < view->count; i++)
        if (view->items[i].position == position)
            return true;
    return false;
}

esk_status my_registrations(reg_app *app, const wait_clock *clock,
                            const char *attendee_id, int64_t position,
                            bool own_stream_when_stale, my_view *out)
{
    if (!attendee_id || !out)
        return esk_error_set(ESK_EINVAL, "my_registrations: NULL argument");
    freshness verdict;
    esk_status rc =
        wait_for_position(app, clock, position, QUERY_TIMEOUT_MS, &verdict);
    if (rc != ESK_OK)
        return rc;
    my_view view = {.freshness = verdict};
    if (!verdict.fresh && own_stream_when_stale) {
        /* The user's own stream is the write model: always up to date,
         * and only theirs, so cheap to read for this one answer. */
        rc = app_log_registrations(app, attendee_id, view.items, APP_MAX,
                                   &view.count);
        if (rc != ESK_OK)
            return rc;
        view.freshness.fresh = true;
        view.freshness.lag = 0;
        view.freshness.stale_since = 0;
    } else {
        view.count =
            app_read_registrations(app, attendee_id, view.items, APP_MAX);
    }
    if (position > 0 && shows(&view, position))
        view.just_now = position;
    *out = view;
    return ESK_OK;
}

void format_my_registrations(const char *attendee_id, const my_view *view,
                             char *out, size_t size)
{
    if (!out || size == 0)
        return;
    if (!attendee_id || !view) {
        out[0] = '\0';
        return;
    }
    size_t used = (size_t)snprintf(out, size, "%s:", attendee_id);
    if (view->count == 0 && used < size)
        used += (size_t)snprintf(out + used, size - used, " none yet");
    for (size_t i = 0; i < view->count && used < size; i++) {
        const registration *r = &view->items[i];
        used += (size_t)snprintf(
            out + used, size - used, "%s %s%s", i > 0 ? "," : "",
            r->workshop_id, r->position == view->just_now ? " (just now)" : "");
    }
    if (!view->freshness.fresh && used < size)
        snprintf(out + used, size - used,
                 " (updating: %lld registration%s not shown yet)",
                 (long long)view->freshness.lag,
                 view->freshness.lag == 1 ? "" : "s");
}
