/*
 * tests/faults_projections.c - the out-of-memory sweep's scenarios
 * of projections: inline, catch-up, live folds and SQL read models.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* -- projections -- */

static esk_status attach_inline(fx *f)
{
    return esk_projection_attach_inline(f->store, &f->projection);
}

static void observe_attached(fx *f, bool done, text *t)
{
    (void)done;
    esk_status rc = esk_projection_detach_inline(f->store, &f->projection);
    add(t, "%s", rc == ESK_OK ? "attached" : "not attached");
    if (rc == ESK_OK)
        assert_int_equal(attach_inline(f), ESK_OK);
}

static void with_an_inline_projection(fx *f)
{
    with_room(f);
    assert_int_equal(attach_inline(f), ESK_OK);
}

static esk_status append_one_booking(fx *f)
{
    return esk_store_append(f->store, "room-1", 2, three_bookings, 1,
                            &f->appended);
}

/* The in-memory model: what was applied. */
static void observe_model(fx *f, bool done, text *t)
{
    (void)done;
    if (f->model.sql)
        return; /* in the store's tables, compared with them */
    add(t, "model:");
    for (int i = 0; i < MAX_POSITION; i++)
        if (f->model.seen[i])
            add(t, " %d", i);
}

static esk_status catchup_new(fx *f)
{
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    return esk_catchup_new(&f->catchup, f->store, &f->projection, &options);
}

static void observe_catchup(fx *f, bool done, text *t)
{
    (void)t;
    if (!done)
        assert_null(f->catchup);
}

static void with_a_catchup(fx *f)
{
    with_many_events(f);
    assert_int_equal(catchup_new(f), ESK_OK);
}

static void with_a_caught_up_catchup(fx *f)
{
    with_a_catchup(f);
    assert_int_equal(esk_catchup_run(f->catchup, NULL), ESK_OK);
}

static esk_status catchup_run(fx *f)
{
    return esk_catchup_run(f->catchup, NULL);
}

static esk_status catchup_step(fx *f)
{
    return esk_catchup_step(f->catchup, NULL);
}

static esk_status catchup_rebuild(fx *f)
{
    return esk_catchup_rebuild(f->catchup, NULL);
}

/* Whether the read model holds each event up to the checkpoint: in SQL,
 * exactly those (they commit together); in memory, perhaps also some past
 * it (they are delivered again, and applying one twice has the effect of
 * applying it once), never fewer. */
static void model_follows_checkpoint(fx *f)
{
    esk_catchup_status status;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_catchup_status_get(f->catchup, &status), ESK_OK);
    assert_int_equal(esk_store_read_all(f->store, 0, 0, NULL, &list), ESK_OK);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        bool due = e->position <= status.checkpoint &&
                   strcmp(e->type, "GuestBooked") == 0;
        bool applied = f->model.seen[e->position];
        if (f->model.sql) {
            sqlite3_stmt *stmt = NULL;
            assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(f->store),
                                                "SELECT count(*) FROM bookings "
                                                "WHERE position = ?",
                                                -1, &stmt, NULL),
                             SQLITE_OK);
            sqlite3_bind_int64(stmt, 1, e->position);
            assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
            applied = sqlite3_column_int(stmt, 0) == 1;
            sqlite3_finalize(stmt);
            if (applied && !due)
                fail_msg("the SQL model holds position %lld, past the "
                         "checkpoint %lld",
                         (long long)e->position, (long long)status.checkpoint);
        }
        if (due && !applied)
            fail_msg("the model misses position %lld, before the "
                     "checkpoint %lld",
                     (long long)e->position, (long long)status.checkpoint);
    }
    esk_event_list_release(&list);
}

static void observe_caught_up(fx *f, bool done, text *t)
{
    if (!done)
        return;
    esk_catchup_status status;
    assert_int_equal(esk_catchup_status_get(f->catchup, &status), ESK_OK);
    add(t, "checkpoint %lld, lag %lld; ", (long long)status.checkpoint,
        (long long)status.lag);
    observe_model(f, done, t);
}

static const char *catchup_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

static esk_status projection_live(fx *f)
{
    return esk_projection_live(f->store, &f->live, "room-1");
}

static void observe_live(fx *f, bool done, text *t)
{
    (void)done;
    add(t, "model:");
    for (int i = 0; i < MAX_POSITION; i++)
        if (f->live_model.seen[i])
            add(t, " %d", i);
}

static esk_status read_model_open_and_prepare(fx *f)
{
    esk_status rc = esk_read_model_open(&f->read_model, f->store);
    if (rc != ESK_OK)
        return rc;
    return esk_read_model_prepare(
        f->read_model, "SELECT data FROM bookings ORDER BY position", &f->stmt);
}

static const char *read_model_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

static void with_a_read_model(fx *f)
{
    with_a_caught_up_catchup(f);
}

static void observe_statement(fx *f, bool done, text *t)
{
    if (!done)
        return;
    assert_non_null(f->stmt);
    while (sqlite3_step(f->stmt) == SQLITE_ROW)
        add(t, "%s;", (const char *)sqlite3_column_text(f->stmt, 0));
}

const scenario projection_scenarios[] = {
    /* Projections. */
    ON_BOTH("attach an inline projection", with_room, attach_inline,
            observe_attached, last_message, ESK_OK),
    ON_BOTH("append through an inline projection", with_an_inline_projection,
            append_one_booking, observe_model, last_message, ESK_OK),
    ON_BOTH("new catch-up projection", with_many_events, catchup_new,
            observe_catchup, last_message, ESK_OK),
    ON_BOTH("run a catch-up projection", with_a_catchup, catchup_run,
            observe_caught_up, catchup_message, ESK_OK),
    ON_BOTH("step a catch-up projection", with_a_catchup, catchup_step,
            observe_caught_up, catchup_message, ESK_OK),
    {"memory: rebuild a catch-up projection", MEMORY, with_a_caught_up_catchup,
     catchup_rebuild, observe_caught_up, catchup_message, ESK_OK,
     model_follows_checkpoint},
    {"sqlite: rebuild a catch-up projection", SQLITE, with_a_caught_up_catchup,
     catchup_rebuild, observe_caught_up, catchup_message, ESK_OK,
     model_follows_checkpoint},
    ON_BOTH("fold a stream live", with_many_events, projection_live,
            observe_live, last_message, ESK_OK),
    {"sqlite: open a read model and prepare a query", SQLITE, with_a_read_model,
     read_model_open_and_prepare, observe_statement, read_model_message, ESK_OK,
     NULL},
};
const size_t projection_scenarios_count =
    sizeof(projection_scenarios) / sizeof(projection_scenarios[0]);
