/*
 * tests/runners.c - several runners of one projection or process manager,
 * and writers beside a slow projection, as separate processes on one
 * store under test (store_under_test.h): a SQLite file in test_runners.c,
 * a PostgreSQL schema in test_postgres_runners.c.
 *
 * Exactly once with any number of runners: each runner reads the
 * checkpoint again once it holds the write lock, and goes on from there,
 * so two processes running the same catch-up projection (or process
 * manager) apply each event once between them. The projection's effect
 * is an event of its own per application ("Applied", naming the position
 * applied), written in the batch's transaction, so that a second
 * application shows as a second event.
 *
 * Writers get through: a catch-up batch holds the write lock for at most
 * max_batch_ms plus one handler call, then lets go long enough for a
 * waiting writer, so a writer with a short busy timeout never fails while
 * a projection with a slow handler catches up.
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
#include "esk/store.h"
#include "process_fixture.h"
#include "runners.h"
#include "store_under_test.h"

enum {
    EVENTS = 1000,
    EVENTS_LONG = 5000,
    RUNNERS = 3,
    CHILD_ALARM_SECONDS = 120,
};

static esk_store *open_store(const char *where, int busy_timeout_ms)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = busy_timeout_ms;
    esk_store *store = NULL;
    if (under_test->open(&store, where, &options) != ESK_OK) {
        fprintf(stderr, "opening %s: %s\n", where, esk_errmsg());
        return NULL;
    }
    return store;
}

/* n events "Noted" in stream "notes", appended 100 at a time. */
static void fill(const char *path, int n)
{
    esk_store *store = open_store(path, 5000);
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

static int64_t sql_number(const char *where, const char *sql)
{
    void *conn = under_test->inspect(where, sql);
    int64_t n = under_test->number(conn, sql, -1);
    under_test->close(conn);
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

/* ---- A projection that records each application ------------------------
 */

typedef struct child_args {
    char path[128]; /* where the store is */
    int events;
    /* Milliseconds each handler call sleeps. */
    int handler_ms;
} child_args;

static esk_status applied_handle(void *ctx, esk_store *store,
                                 const esk_event *event)
{
    const child_args *args = ctx;
    if (args->handler_ms > 0)
        process_sleep_us((int64_t)args->handler_ms * 1000);
    char data[64];
    snprintf(data, sizeof data, "{\"of\":%" PRId64 "}", event->position);
    const esk_new_event applied = {NULL, "Applied", 1, data, NULL};
    return esk_store_append(store, "applied", ESK_ANY, &applied, 1, NULL);
}

static const char *const noted_types[] = {"Noted"};

static esk_projection count_projection(child_args *args)
{
    esk_projection p = {0};
    p.name = "counter";
    p.event_types = noted_types;
    p.event_type_count = 1;
    p.version = 1;
    p.handle = applied_handle;
    p.ctx = args;
    return p;
}

/* Run the projection until it has caught up with every event; small
 * batches, so that the runners take turns often. */
static int catchup_child(void *ctx)
{
    child_args *args = ctx;
    esk_store *store = open_store(args->path, 10000);
    if (store == NULL)
        return 2;
    esk_projection p = count_projection(args);
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 7;
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
    } while (st.checkpoint < args->events);
    esk_catchup_free(c);
    esk_store_free(store);
    return 0;
}

void runners_of_one_projection_apply_each_event_once(const char *where)
{
    child_args args = {{0}, process_long_form() ? EVENTS_LONG : EVENTS, 0};
    snprintf(args.path, sizeof args.path, "%s", where);
    fill(args.path, args.events);

    pid_t pids[RUNNERS];
    for (int i = 0; i < RUNNERS; i++)
        pids[i] = process_spawn(catchup_child, &args, CHILD_ALARM_SECONDS);
    wait_for_children(pids, RUNNERS);

    assert_int_equal(sql_number(where, "SELECT count(*) FROM events WHERE "
                                       "stream_id = 'applied'"),
                     args.events);
    assert_int_equal(sql_number(where, "SELECT count(DISTINCT data) FROM "
                                       "events WHERE stream_id = 'applied'"),
                     args.events);
    /* The checkpoint has passed every "Noted"; the "Applied" events that
     * follow them may carry it further. */
    assert_true(sql_number(where, "SELECT position FROM checkpoints WHERE "
                                  "name = 'counter'") >= args.events);
}

/* ---- Process managers ------------------------------------------------------
 */

/* The command handler: one "Echoed" event per command, naming the event
 * that caused it. */
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
    child_args *args = ctx;
    esk_store *store = open_store(args->path, 10000);
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
        /* Every runner stops once the echoes are all there (or more, which
         * the parent reports). */
        if (version >= args->events)
            break;
    }
    esk_process_runner_free(runner);
    esk_bus_free(bus);
    esk_store_free(store);
    return 0;
}

void runners_of_one_process_manager_react_to_each_event_once(const char *where)
{
    child_args args = {
        {0}, process_long_form() ? EVENTS_LONG / 5 : EVENTS / 5, 0};
    snprintf(args.path, sizeof args.path, "%s", where);
    fill(args.path, args.events);

    pid_t pids[RUNNERS];
    for (int i = 0; i < RUNNERS; i++)
        pids[i] = process_spawn(process_child, &args, CHILD_ALARM_SECONDS);
    wait_for_children(pids, RUNNERS);

    assert_int_equal(sql_number(where, "SELECT count(*) FROM events WHERE "
                                       "stream_id = 'echoes'"),
                     args.events);
    assert_int_equal(sql_number(where, "SELECT count(DISTINCT data) FROM "
                                       "events WHERE stream_id = 'echoes'"),
                     args.events);
}

/* ---- Writers beside a slow projection --------------------------------------
 */

enum {
    SLOW_EVENTS = 60,
    SLOW_HANDLER_MS = 20,
    WRITER_TIMEOUT_MS = 300,
    WRITER_APPENDS = 15,
    WRITER_PAUSE_MS = 50,
};

typedef struct writer_args {
    char path[128];
} writer_args;

/* Appends with a short busy timeout while the projection runs: exits 0
 * when every append went through, 1 at the first that did not. */
static int writer_child(void *ctx)
{
    writer_args *args = ctx;
    esk_store *store = open_store(args->path, WRITER_TIMEOUT_MS);
    if (store == NULL)
        return 2;
    for (int i = 0; i < WRITER_APPENDS; i++) {
        process_sleep_us(WRITER_PAUSE_MS * 1000);
        const esk_new_event event = {NULL, "Written", 1, "{}", NULL};
        int64_t started = process_now_us();
        if (esk_store_append(store, "writer", ESK_ANY, &event, 1, NULL) !=
            ESK_OK) {
            fprintf(stderr, "append %d failed after %lld ms: %s\n", i,
                    (long long)((process_now_us() - started) / 1000),
                    esk_errmsg());
            return 1;
        }
    }
    esk_store_free(store);
    return 0;
}

void a_slow_projection_lets_writers_in(const char *where)
{
    child_args args = {{0}, SLOW_EVENTS, SLOW_HANDLER_MS};
    snprintf(args.path, sizeof args.path, "%s", where);
    fill(args.path, args.events);
    writer_args writer;
    memcpy(writer.path, args.path, sizeof writer.path);

    pid_t runner = process_spawn(catchup_child, &args, CHILD_ALARM_SECONDS);
    pid_t pid = process_spawn(writer_child, &writer, CHILD_ALARM_SECONDS);
    int status = process_wait(pid);
    char why[64];
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the writer %s: it was kept out of the store (see above)",
                 process_describe(status, why, sizeof why));
    wait_for_children(&runner, 1);
    assert_int_equal(sql_number(where, "SELECT count(*) FROM events WHERE "
                                       "stream_id = 'applied'"),
                     SLOW_EVENTS);
}
