/*
 * tests/units_runners.c - catch-up projections and process managers whose
 * unit SQLite ends: no checkpoint past the read model, no event lost.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "units_fixture.h"

/* ---- Catch-up projections ----------------------------------------------- */

/* A read model that counts applications: one row per handler call, with
 * padding so that it needs pages. With `unique`, a row per attendee key
 * that must be unique, ON CONFLICT ROLLBACK. */
typedef struct counting_model {
    const char *pad;
    bool unique;
    /* Write "same" as every key (so the second event conflicts). */
    bool collide;
} counting_model;

static esk_status counting_setup(void *ctx, esk_store *store)
{
    counting_model *m = ctx;
    const char *sql = m->unique ? "CREATE TABLE IF NOT EXISTS applied("
                                  "position INTEGER, pad TEXT, "
                                  "k TEXT UNIQUE ON CONFLICT ROLLBACK)"
                                : "CREATE TABLE IF NOT EXISTS applied("
                                  "position INTEGER, pad TEXT, k TEXT)";
    return sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, NULL) ==
                   SQLITE_OK
               ? ESK_OK
               : ESK_EIO;
}

static esk_status counting_handle(void *ctx, esk_store *store,
                                  const esk_event *event)
{
    counting_model *m = ctx;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                "INSERT INTO applied VALUES(?1, ?2, ?3)", -1,
                                &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, event->position);
        sqlite3_bind_text(stmt, 2, m->pad, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, m->collide ? "same" : event->event_id, -1,
                          SQLITE_TRANSIENT);
        rc = sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return ESK_OK;
    return esk_error_set(ESK_EIO, "writing the read model: %s",
                         sqlite3_errmsg(esk_store_sqlite_db(store)));
}

static esk_projection counting_projection(counting_model *m)
{
    esk_projection p = {0};
    p.name = "counting";
    p.version = 1;
    p.handle = counting_handle;
    p.setup = counting_setup;
    p.ctx = m;
    return p;
}

/* Every event up to the checkpoint applied exactly once, none after. */
static void assert_model_matches_checkpoint(esk_store *store)
{
    int64_t checkpoint = sql_number(
        store, "SELECT position FROM checkpoints WHERE name = 'counting'");
    if (checkpoint < 0)
        checkpoint = 0;
    assert_int_equal(sql_number(store, "SELECT count(*) FROM applied"),
                     checkpoint);
    assert_int_equal(
        sql_number(store, "SELECT count(DISTINCT position) FROM applied"),
        checkpoint);
    if (checkpoint > 0)
        assert_int_equal(sql_number(store, "SELECT max(position) FROM applied"),
                         checkpoint);
}

void a_full_disk_mid_batch_moves_no_checkpoint_past_the_read_model(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *pad = padding(2000);
    counting_model m = {pad, false, false};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 40; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);

    limit_growth(store, 8);
    esk_catchup_status st;
    esk_status rc = esk_catchup_run(c, &st);
    assert_int_not_equal(rc, ESK_OK);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);

    lift_limit(store);
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 40);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
    free(pad);
}

void a_read_model_that_rolls_back_keeps_its_events_for_later(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", true, true};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 10; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);

    esk_catchup_status st;
    assert_int_not_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_contains(esk_errmsg(), "rolled back");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);

    m.collide = false;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 10);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
}

static esk_status committing_handle(void *ctx, esk_store *store,
                                    const esk_event *event)
{
    esk_status rc = counting_handle(ctx, store, event);
    if (rc == ESK_OK && event->position == 3)
        esk_store_commit(store); /* a bug: ends the event's savepoint */
    return rc;
}

void a_handler_that_ends_a_transaction_stops_the_batch(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", false, false};
    esk_projection p = counting_projection(&m);
    p.handle = committing_handle;
    for (int i = 0; i < 5; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);
    assert_int_equal(esk_catchup_run(c, NULL), ESK_ECALLBACK);
    assert_contains(esk_errmsg(), "must commit or roll back");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
}

void a_checkpoint_past_the_head_is_reported_not_ignored(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", false, false};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 3; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    /* As if the store came back from a backup older than the model. */
    const esk_record ahead = {"counting", 50, 1, "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &ahead),
                     ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_status_get(c, &st), ESK_ECORRUPT);
    assert_int_equal(st.lag, -47);
    assert_int_equal(esk_catchup_run(c, &st), ESK_ECORRUPT);
    assert_contains(esk_errmsg(), "past the store's last position");
    assert_int_equal(esk_catchup_rebuild(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 3);
    esk_catchup_free(c);
    esk_store_free(store);
}

/* ---- Process managers -----------------------------------------------------
 */

static esk_status big_handle(esk_context *context, const esk_command *command,
                             void *data)
{
    (void)command;
    esk_store *store = esk_context_store(context);
    const esk_new_event answer = {NULL, "Answered", 1, data, NULL};
    esk_status rc =
        esk_store_append(store, "answers", ESK_ANY, &answer, 1, NULL);
    if (rc != ESK_OK)
        return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
    return ESK_OK;
}

static esk_status answer_react(void *ctx, esk_process_context *pc,
                               const esk_event *event)
{
    (void)ctx;
    (void)event;
    const esk_command command = {"Answer", NULL, NULL, NULL, NULL};
    return esk_process_send(pc, &command, NULL, NULL);
}

void a_full_disk_in_a_reaction_keeps_the_event_for_later(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(16 * 1024);
    esk_bus *bus = NULL;
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_bus_register(bus, "Answer", big_handle, big), ESK_OK);
    static const char *const types[] = {"Noted"};
    const esk_process p = {"answer", types, 1, answer_react, NULL, NULL};
    esk_process_runner *runner = NULL;
    assert_int_equal(esk_process_runner_new(&runner, store, bus, &p), ESK_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);

    limit_growth(store, 12);
    size_t reacted = 0;
    assert_int_not_equal(esk_process_run(runner, &reacted), ESK_OK);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    int64_t answers = sql_number(
        store, "SELECT count(*) FROM events WHERE stream_id = 'answers'");
    int64_t checkpoint = sql_number(
        store,
        "SELECT position FROM checkpoints WHERE name = 'process:answer'");
    assert_int_equal(answers, checkpoint < 0 ? 0 : checkpoint);

    lift_limit(store);
    assert_int_equal(esk_process_run(runner, &reacted), ESK_OK);
    assert_int_equal(
        sql_number(store,
                   "SELECT count(*) FROM events WHERE stream_id = 'answers'"),
        6);
    esk_process_runner_free(runner);
    esk_bus_free(bus);
    esk_store_free(store);
    free(big);
}
