/*
 * tests/vfs_faults_runners.c - what runs on the store under I/O faults: a
 * catch-up projection with a SQL read model, an idempotent command, a
 * process manager.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "fault_vfs.h"
#include "test_support.h"
#include "vfs_faults_fixture.h"

/* ---- A catch-up projection with a SQL read model ------------------------
 *
 * The read model counts how often each event was applied, so that an
 * event applied twice shows.
 */

static esk_status tally_error(esk_store *store)
{
    esk_error_set(ESK_EIO, "tally: %s",
                  sqlite3_errmsg(esk_store_sqlite_db(store)));
    return ESK_EIO;
}

static esk_status tally_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store),
                     "CREATE TABLE IF NOT EXISTS tally("
                     "position INTEGER PRIMARY KEY, times INTEGER NOT NULL, "
                     "data TEXT NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK)
        return tally_error(store);
    return ESK_OK;
}

static esk_status tally_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                "INSERT INTO tally VALUES(?1, 1, ?2) "
                                "ON CONFLICT(position) DO UPDATE "
                                "SET times = times + 1",
                                -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 1, event->position);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 2, event->data, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    esk_status status = rc == SQLITE_OK ? ESK_OK : tally_error(store);
    sqlite3_finalize(stmt);
    return status;
}

static const char *const ordered_types[] = {"Ordered"};

static const esk_projection tally_projection = {
    "tally", 1, ordered_types, 1, tally_handle, tally_setup, NULL, NULL};

static void open_catchup(world *w)
{
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 2;
    if (esk_catchup_new(&w->catchup, w->store, &tally_projection, &options) !=
        ESK_OK)
        fail_msg("%s: esk_catchup_new: %s", where, esk_errmsg());
}

/* Ordered events at 1, 2, 4, 5, 6; one the projection skips at 3. */
void with_orders_to_project(world *w)
{
    seed(w, "order-1", "Ordered", 2);
    seed(w, "noise-1", "Noise", 1);
    seed(w, "order-2", "Ordered", 2);
    seed(w, "order-3", "Ordered", 1);
    open_catchup(w);
}

void run_the_catchup(world *w)
{
    step(w, esk_catchup_run(w->catchup, NULL), "running the catch-up",
         esk_errmsg());
}

static int64_t times_applied(world *w, int64_t position)
{
    char query[96];
    snprintf(query, sizeof(query),
             "SELECT times FROM tally WHERE position = %lld",
             (long long)position);
    int64_t times = sql_number(w, query);
    return times < 0 ? 0 : times;
}

/* Every Ordered event at or below the checkpoint applied once, none
 * above; returns the last Ordered event's position. */
static int64_t expect_tally_follows_checkpoint(world *w, const char *state)
{
    int64_t checkpoint = checkpoint_of(w, "tally");
    int64_t last = 0;
    char wrong[256] = "";
    esk_event_list list = ESK_EVENT_LIST_INIT;
    read_everything(w, &list);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        if (strcmp(e->type, "Ordered") != 0)
            continue;
        last = e->position;
        int64_t times = times_applied(w, e->position);
        if (times != (e->position <= checkpoint ? 1 : 0)) {
            size_t used = strlen(wrong);
            snprintf(wrong + used, sizeof(wrong) - used, " %lld: %lld times",
                     (long long)e->position, (long long)times);
        }
    }
    esk_event_list_release(&list);
    if (wrong[0] != '\0')
        problem("%s, the checkpoint is at %lld, and the events at%s", state,
                (long long)checkpoint, wrong);
    return last;
}

void check_catchup(world *w)
{
    int64_t last = expect_tally_follows_checkpoint(w, "on reopening");
    if (w->rc == ESK_OK && checkpoint_of(w, "tally") < last)
        problem("the run succeeded, but its checkpoint is at %lld",
                (long long)checkpoint_of(w, "tally"));
    /* Run again, without the fault: it finishes the work, and applies
     * nothing twice. */
    open_catchup(w);
    if (esk_catchup_run(w->catchup, NULL) != ESK_OK)
        problem("running again fails: %s", esk_errmsg());
    expect_tally_follows_checkpoint(w, "after running again");
    if (checkpoint_of(w, "tally") < last)
        problem("running again stops short, at %lld",
                (long long)checkpoint_of(w, "tally"));
}

/* ---- The command bus and a process manager ------------------------------ */

static esk_status fail_from_store(esk_context *context, esk_store *store,
                                  esk_status rc)
{
    (void)store;
    return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
}

/* Deposit: two events on account-1. */
static esk_status on_deposit(esk_context *context, const esk_command *command,
                             void *data)
{
    (void)command;
    world *w = data;
    esk_store *store = esk_context_store(context);
    esk_status rc = append_typed(store, "account-1", "Deposited", 2, w->data);
    return rc == ESK_OK ? ESK_OK : fail_from_store(context, store, rc);
}

/* Ship: one event on the shipment of the order named by the payload
 * ("order-2" ships as "shipment-2"). */
static esk_status on_ship(esk_context *context, const esk_command *command,
                          void *data)
{
    world *w = data;
    esk_store *store = esk_context_store(context);
    const char *order = command->payload;
    char stream[64];
    snprintf(stream, sizeof(stream), "shipment-%s", strchr(order, '-') + 1);
    esk_status rc = append_typed(store, stream, "Shipped", 1, w->data);
    return rc == ESK_OK ? ESK_OK : fail_from_store(context, store, rc);
}

void open_bus(world *w)
{
    const esk_middleware idempotency = esk_idempotency_middleware();
    assert_int_equal(esk_bus_new(&w->bus, w->store), ESK_OK);
    assert_int_equal(esk_bus_use(w->bus, &idempotency), ESK_OK);
    assert_int_equal(esk_bus_register(w->bus, "Deposit", on_deposit, w),
                     ESK_OK);
    assert_int_equal(esk_bus_register(w->bus, "Ship", on_ship, w), ESK_OK);
}

const esk_command deposit = {"Deposit", "deposit-1", NULL, NULL, NULL};

void dispatch_a_deposit(world *w)
{
    esk_status rc = esk_bus_dispatch(w->bus, &deposit, &w->result);
    step(w, rc, "dispatching", esk_errmsg());
}

void check_deposit(world *w)
{
    int64_t events = count_of(w, "account-1");
    bool recorded =
        record_number(w, ESK_RECORD_COMMAND, "deposit-1", NULL) >= 0;
    if (w->rc == ESK_OK && !(events == 2 && recorded))
        problem("the command succeeded, but the file holds %lld of its "
                "events and %s outcome",
                (long long)events, recorded ? "its" : "no");
    else if (!(events == 2 && recorded) && !(events == 0 && !recorded))
        problem("the file holds %lld of the command's events and %s outcome",
                (long long)events, recorded ? "its" : "no");
    /* Sent again without the fault: answered from the record if it was
     * kept, handled now if not; deposited once either way. */
    open_bus(w);
    esk_command_result again;
    if (esk_bus_dispatch(w->bus, &deposit, &again) != ESK_OK)
        problem("sending the command again fails: %s", esk_errmsg());
    else if (again.duplicate != recorded)
        problem("sent again, the command is%s a duplicate",
                again.duplicate ? "" : " not");
    int64_t deposits = count_of(w, "account-1");
    if (deposits != 2)
        problem("sent again, the account holds %lld deposits",
                (long long)deposits);
}

static esk_status ship_order(void *ctx, esk_process_context *pc,
                             const esk_event *event)
{
    (void)ctx;
    const esk_command ship = {"Ship", NULL, NULL, event->stream_id, NULL};
    return esk_process_send(pc, &ship, NULL, NULL);
}

static const esk_process shipping = {"shipping", ordered_types, 1,
                                     ship_order, NULL,          NULL};

static void open_runner(world *w)
{
    open_bus(w);
    if (esk_process_runner_new(&w->runner, w->store, w->bus, &shipping) !=
        ESK_OK)
        fail_msg("%s: esk_process_runner_new: %s", where, esk_errmsg());
}

/* Three orders to ship, and an event the process ignores. */
void with_orders_to_ship(world *w)
{
    seed(w, "order-1", "Ordered", 1);
    seed(w, "noise-1", "Noise", 1);
    seed(w, "order-2", "Ordered", 1);
    seed(w, "order-3", "Ordered", 1);
    open_runner(w);
}

void run_the_process(world *w)
{
    step(w, esk_process_run(w->runner, NULL), "running the process",
         esk_errmsg());
}

/* Every order at or below the checkpoint shipped once, with its command's
 * outcome; none above. Returns the last order's position. */
static int64_t expect_shipping_follows_checkpoint(world *w, const char *state)
{
    int64_t checkpoint = checkpoint_of(w, "process:shipping");
    int64_t last = 0;
    char wrong[384] = "";
    esk_event_list list = ESK_EVENT_LIST_INIT;
    read_everything(w, &list);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        if (strcmp(e->type, "Ordered") != 0)
            continue;
        last = e->position;
        char shipment[64];
        char command_id[ESK_COMMAND_ID_MAX + 1];
        snprintf(shipment, sizeof(shipment), "shipment-%s",
                 strchr(e->stream_id, '-') + 1);
        snprintf(command_id, sizeof(command_id), "shipping/%s/1", e->event_id);
        int64_t shipped = count_of(w, shipment);
        bool recorded =
            record_number(w, ESK_RECORD_COMMAND, command_id, NULL) >= 0;
        int64_t expected = e->position <= checkpoint ? 1 : 0;
        if (shipped != expected || recorded != (expected == 1)) {
            size_t used = strlen(wrong);
            snprintf(wrong + used, sizeof(wrong) - used,
                     " %lld: shipped %lld times, %s its command's outcome;",
                     (long long)e->position, (long long)shipped,
                     recorded ? "with" : "without");
        }
    }
    esk_event_list_release(&list);
    if (wrong[0] != '\0')
        problem("%s, the checkpoint is at %lld, and the orders at%s", state,
                (long long)checkpoint, wrong);
    return last;
}

void check_shipping(world *w)
{
    int64_t last = expect_shipping_follows_checkpoint(w, "on reopening");
    if (w->rc == ESK_OK && checkpoint_of(w, "process:shipping") < last)
        problem("the run succeeded, but its checkpoint is at %lld",
                (long long)checkpoint_of(w, "process:shipping"));
    open_runner(w);
    if (esk_process_run(w->runner, NULL) != ESK_OK)
        problem("running again fails: %s", esk_errmsg());
    expect_shipping_follows_checkpoint(w, "after running again");
    if (checkpoint_of(w, "process:shipping") < last)
        problem("running again stops short, at %lld",
                (long long)checkpoint_of(w, "process:shipping"));
}
