/*
 * tests/test_postgres_runners.c - three runners of one catch-up projection,
 * and three of one process manager, as separate processes on one
 * PostgreSQL schema: each event is applied (or reacted to) exactly once
 * between them.
 *
 * Each runner begins its batch (which takes the schema's write lock),
 * reads the checkpoint again, and writes its effects with the checkpoint
 * in the same transaction. The projection's effect here is an event of
 * its own per application ("Applied", naming the position applied), in
 * the store's own tables, so that a second application shows as a second
 * event.
 *
 * Needs ESK_TEST_PG (skipped without).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"
#include "process_fixture.h"

enum {
    EVENTS = 1000,
    EVENTS_LONG = 5000,
    RUNNERS = 3,
    CHILD_ALARM_SECONDS = 240,
};

#define SCHEMA "esk_runners"

static const char *conninfo;

/* n events "Noted" in stream "notes", appended 100 at a time. */
static void fill(int n)
{
    pg_drop_schema(conninfo, SCHEMA);
    esk_store *store = pg_open(conninfo, SCHEMA, 5000);
    assert_non_null(store);
    esk_new_event batch[100];
    for (int i = 0; i < 100; i++)
        batch[i] = (esk_new_event){NULL, "Noted", 1, "{}", NULL};
    for (int done = 0; done < n; done += 100) {
        size_t count = (size_t)(n - done < 100 ? n - done : 100);
        assert_int_equal(
            esk_store_append(store, "notes", ESK_ANY, batch, count, NULL),
            ESK_OK);
    }
    esk_store_free(store);
}

static int64_t sql_number(const char *sql)
{
    PGconn *admin = pg_admin(conninfo);
    int64_t n = pg_admin_number(admin, sql);
    PQfinish(admin);
    return n;
}

static void wait_for_children(pid_t *pids, int n)
{
    for (int i = 0; i < n; i++) {
        int status = process_wait(pids[i]);
        char why[64];
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("runner %d %s", i,
                     process_describe(status, why, sizeof why));
    }
}

/* ---- A projection that records each application ------------------------ */

static esk_status applied_handle(void *ctx, esk_store *store,
                                 const esk_event *event)
{
    (void)ctx;
    char data[64];
    snprintf(data, sizeof data, "{\"of\":%" PRId64 "}", event->position);
    const esk_new_event applied = {NULL, "Applied", 1, data, NULL};
    return esk_store_append(store, "applied", ESK_ANY, &applied, 1, NULL);
}

static const char *const noted_types[] = {"Noted"};

static int catchup_child(void *ctx)
{
    const int *events = ctx;
    esk_store *store = pg_open(conninfo, SCHEMA, 10000);
    if (store == NULL)
        return 2;
    esk_projection p = {0};
    p.name = "counter";
    p.event_types = noted_types;
    p.event_type_count = 1;
    p.version = 1;
    p.handle = applied_handle;
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 7; /* small batches: the runners take turns often */
    esk_catchup *c = NULL;
    if (esk_catchup_new(&c, store, &p, &options) != ESK_OK) {
        fprintf(stderr, "catch-up: %s\n", esk_errmsg());
        return 3;
    }
    esk_catchup_status st = {0};
    do {
        if (esk_catchup_run(c, &st) != ESK_OK) {
            fprintf(stderr, "catch-up: %s\n", esk_errmsg());
            return 4;
        }
    } while (st.checkpoint < *events);
    esk_catchup_free(c);
    esk_store_free(store);
    return 0;
}

static void
runners_of_one_projection_apply_each_event_exactly_once(void **state)
{
    (void)state;
    int events = process_long_form() ? EVENTS_LONG : EVENTS;
    fill(events);
    pid_t pids[RUNNERS];
    for (int i = 0; i < RUNNERS; i++)
        pids[i] = process_spawn(catchup_child, &events, CHILD_ALARM_SECONDS);
    wait_for_children(pids, RUNNERS);

    assert_int_equal(sql_number("SELECT count(*) FROM " SCHEMA ".events "
                                "WHERE stream_id = 'applied'"),
                     events);
    assert_int_equal(sql_number("SELECT count(DISTINCT data) FROM " SCHEMA
                                ".events WHERE stream_id = 'applied'"),
                     events);
    /* The checkpoint has passed every "Noted"; the "Applied" events that
     * follow them may carry it further. */
    assert_true(sql_number("SELECT position FROM " SCHEMA
                           ".checkpoints WHERE name = 'counter'") >= events);
    pg_drop_schema(conninfo, SCHEMA);
}

/* ---- Process managers ---------------------------------------------------- */

/* One "Echoed" event per command, naming the event that caused it. */
static esk_status echo_handle(esk_context *context, const esk_command *command,
                              void *data)
{
    (void)data;
    const esk_event *cause = command->payload;
    char json[64];
    snprintf(json, sizeof json, "{\"of\":%" PRId64 "}", cause->position);
    const esk_new_event event = {NULL, "Echoed", 1, json, NULL};
    return esk_store_append(esk_context_store(context), "echoes", ESK_ANY,
                            &event, 1, NULL);
}

static esk_status echo_react(void *ctx, esk_process_context *pc,
                             const esk_event *event)
{
    (void)ctx;
    const esk_command command = {"Echo", NULL, NULL, event, NULL};
    return esk_process_send(pc, &command, NULL, NULL);
}

static int process_child(void *ctx)
{
    const int *events = ctx;
    esk_store *store = pg_open(conninfo, SCHEMA, 10000);
    esk_bus *bus = NULL;
    esk_process_runner *runner = NULL;
    if (store == NULL || esk_bus_new(&bus, store) != ESK_OK ||
        esk_bus_register(bus, "Echo", echo_handle, NULL) != ESK_OK)
        return 2;
    const esk_process p = {"echo", noted_types, 1, echo_react, NULL, NULL};
    if (esk_process_runner_new(&runner, store, bus, &p) != ESK_OK)
        return 3;
    for (;;) {
        size_t reacted = 0;
        if (esk_process_run(runner, &reacted) != ESK_OK) {
            fprintf(stderr, "process: %s\n", esk_errmsg());
            return 4;
        }
        int64_t version = 0;
        if (esk_store_stream_version(store, "echoes", &version) != ESK_OK)
            return 5;
        if (version >= *events)
            break;
    }
    esk_process_runner_free(runner);
    esk_bus_free(bus);
    esk_store_free(store);
    return 0;
}

static void
runners_of_one_process_manager_react_to_each_event_exactly_once(void **state)
{
    (void)state;
    int events = (process_long_form() ? EVENTS_LONG : EVENTS) / 5;
    fill(events);
    pid_t pids[RUNNERS];
    for (int i = 0; i < RUNNERS; i++)
        pids[i] = process_spawn(process_child, &events, CHILD_ALARM_SECONDS);
    wait_for_children(pids, RUNNERS);

    assert_int_equal(sql_number("SELECT count(*) FROM " SCHEMA ".events "
                                "WHERE stream_id = 'echoes'"),
                     events);
    assert_int_equal(sql_number("SELECT count(DISTINCT data) FROM " SCHEMA
                                ".events WHERE stream_id = 'echoes'"),
                     events);
    pg_drop_schema(conninfo, SCHEMA);
}

int main(void)
{
    conninfo = pg_conninfo("test_postgres_runners");
    if (conninfo == NULL)
        return PG_SKIP;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            runners_of_one_projection_apply_each_event_exactly_once,
            process_setup, process_teardown),
        cmocka_unit_test_setup_teardown(
            runners_of_one_process_manager_react_to_each_event_exactly_once,
            process_setup, process_teardown),
    };
    return cmocka_run_group_tests_name("postgres runners", tests, NULL, NULL);
}
