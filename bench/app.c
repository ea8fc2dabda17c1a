/*
 * bench/app.c - the workloads above the store: a catch-up projection
 * rebuild, aggregate loads with and without a snapshot, and the command
 * bus with its standard middleware.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/projection.h"
#include "esk/store.h"

#include "bench.h"

/* --- Catch-up projection rebuild ------------------------------------------ */

/* A read model of one row per workshop, in the store's own database. */
typedef struct seats_model {
    sqlite3_stmt *upsert;
} seats_model;

static esk_status sql_error(esk_store *store, const char *what)
{
    esk_error_set(ESK_EIO, "%s: %s", what,
                  sqlite3_errmsg(esk_store_sqlite_db(store)));
    return ESK_EIO;
}

static esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store), BENCH_READ_MODEL_SQL, NULL,
                     NULL, NULL) != SQLITE_OK)
        return sql_error(store, "creating workshop_seats");
    return ESK_OK;
}

static esk_status seats_reset(void *ctx, esk_store *store)
{
    (void)ctx;
    if (sqlite3_exec(esk_store_sqlite_db(store), "DELETE FROM workshop_seats",
                     NULL, NULL, NULL) != SQLITE_OK)
        return sql_error(store, "emptying workshop_seats");
    return ESK_OK;
}

static esk_status seats_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    seats_model *model = ctx;
    sqlite3_stmt *stmt = model->upsert;
    sqlite3_bind_text(stmt, 1, event->stream_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(stmt, 2, event->version);
    sqlite3_bind_int64(stmt, 3, event->position);
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE)
        return sql_error(store, "writing workshop_seats");
    return ESK_OK;
}

bool esk_catchup_rebuild_bench(const bench_config *cfg, const char *arg,
                               bench_sample *sample)
{
    (void)arg;
    esk_store *store = NULL;
    esk_catchup *catchup = NULL;
    seats_model model = {NULL};
    char path[BENCH_PATH_MAX];
    char file[64];
    bool ok = false;

    /* A copy of the fixture: the read model is written into the file. */
    snprintf(file, sizeof(file), "esk-catchup-%ld.db", (long)getpid());
    bench_path(cfg, path, sizeof(path), file);
    if (!bench_copy_file(cfg->fixture, path, sample))
        goto done;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK) {
        bench_fail(sample, "opening %s: %s", path, esk_errmsg());
        goto done;
    }
    const esk_projection projection = {
        .name = BENCH_PROJECTION_NAME,
        .version = 1,
        .handle = seats_handle,
        .setup = seats_setup,
        .reset = seats_reset,
        .ctx = &model,
    };
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = (size_t)cfg->page;
    options.max_batch_ms = (int)cfg->max_batch_ms;
    if (esk_catchup_new(&catchup, store, &projection, &options) != ESK_OK) {
        bench_fail(sample, "catch-up: %s", esk_errmsg());
        goto done;
    }
    if (sqlite3_prepare_v3(esk_store_sqlite_db(store), BENCH_READ_MODEL_UPSERT,
                           -1, SQLITE_PREPARE_PERSISTENT, &model.upsert,
                           NULL) != SQLITE_OK) {
        bench_fail(sample, "preparing the upsert: %s",
                   sqlite3_errmsg(esk_store_sqlite_db(store)));
        goto done;
    }

    esk_catchup_status status;
    bench_start(sample);
    esk_status rc = esk_catchup_rebuild(catchup, &status);
    bench_stop(sample, (long)status.applied);
    if (rc != ESK_OK) {
        bench_fail(sample, "rebuild: %s", esk_errmsg());
        goto done;
    }
    if ((long)status.applied != cfg->events) {
        bench_fail(sample, "applied %zu events, expected %ld", status.applied,
                   cfg->events);
        goto done;
    }
    ok = true;
done:
    sqlite3_finalize(model.upsert);
    esk_catchup_free(catchup);
    esk_store_free(store);
    bench_remove_db(path);
    return ok;
}

/* --- Aggregate loads ---------------------------------------------------- */

#define BIG_ID "big"

/* A store holding one workshop of cfg->aggregate_events registrations,
 * saved in one go with a snapshot at its last version. */
static bool make_big_aggregate(const bench_config *cfg, const char *backend,
                               esk_store **out, char *path,
                               bench_sample *sample)
{
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    bench_workshop w;
    bool ok = false;

    path[0] = '\0';
    if (strcmp(backend, "memory") == 0) {
        if (esk_store_open_memory(&store, NULL) != ESK_OK)
            return bench_fail(sample, "opening a memory store failed");
    } else {
        char file[64];
        snprintf(file, sizeof(file), "esk-aggregate-%ld.db", (long)getpid());
        bench_path(cfg, path, BENCH_PATH_MAX, file);
        bench_remove_db(path);
        if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
            return bench_fail(sample, "opening %s: %s", path, esk_errmsg());
    }
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    options.snapshot_every = (int)cfg->aggregate_events;
    if (esk_repository_new(&repo, store, &bench_workshop_type, &options) !=
        ESK_OK) {
        bench_fail(sample, "repository: %s", esk_errmsg());
        goto done;
    }
    if (esk_aggregate_init(&w, &bench_workshop_type, BIG_ID) != ESK_OK) {
        bench_fail(sample, "init: %s", esk_errmsg());
        goto done;
    }
    bench_registered event = {"w-big", 1};
    for (long i = 0; i < cfg->aggregate_events; i++) {
        if (esk_aggregate_raise(&w, &bench_registered_type, &event) != ESK_OK) {
            bench_fail(sample, "raise: %s", esk_errmsg());
            goto release;
        }
    }
    if (esk_repository_save(repo, &w, NULL, NULL) != ESK_OK) {
        bench_fail(sample, "save: %s", esk_errmsg());
        goto release;
    }
    /* The save keeps going without its snapshot, with a note. */
    if (esk_errmsg()[0] != '\0') {
        bench_fail(sample, "snapshot: %s", esk_errmsg());
        goto release;
    }
    ok = true;
release:
    esk_aggregate_release(&w);
done:
    esk_repository_free(repo);
    if (ok) {
        *out = store;
    } else {
        esk_store_free(store);
        if (path[0] != '\0')
            bench_remove_db(path);
    }
    return ok;
}

static bool time_loads(const bench_config *cfg, const char *backend,
                       const esk_aggregate_type *type, long loads,
                       bench_sample *sample)
{
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    char path[BENCH_PATH_MAX];
    bench_workshop w;
    bool ok = false;

    if (!make_big_aggregate(cfg, backend, &store, path, sample))
        return false;
    if (esk_repository_new(&repo, store, type, NULL) != ESK_OK) {
        bench_fail(sample, "repository: %s", esk_errmsg());
        goto done;
    }
    ok = true;
    bench_start(sample);
    for (long i = 0; i < loads && ok; i++) {
        if (esk_repository_load(repo, BIG_ID, &w) != ESK_OK)
            ok = bench_fail(sample, "load: %s", esk_errmsg());
        else if (w.registrations != cfg->aggregate_events ||
                 w.base.version != cfg->aggregate_events)
            ok = bench_fail(sample,
                            "loaded %lld registrations at version "
                            "%lld, expected %ld",
                            (long long)w.registrations,
                            (long long)w.base.version, cfg->aggregate_events);
        esk_aggregate_release(&w);
    }
    bench_stop(sample, loads);
done:
    esk_repository_free(repo);
    esk_store_free(store);
    if (path[0] != '\0')
        bench_remove_db(path);
    return ok;
}

bool esk_load_replay(const bench_config *cfg, const char *arg,
                     bench_sample *sample)
{
    return time_loads(cfg, arg, &bench_workshop_type_no_snapshot, cfg->loads,
                      sample);
}

bool esk_load_snapshot(const bench_config *cfg, const char *arg,
                       bench_sample *sample)
{
    return time_loads(cfg, arg, &bench_workshop_type, cfg->snapshot_loads,
                      sample);
}

/* --- Command bus ---------------------------------------------------------- */

/* The work of the handler, the same whether the bus calls it or not:
 * append one registration to the workshop's stream. */
static esk_status register_seat(esk_store *store, const bench_streams *streams,
                                long s, esk_append_result *out)
{
    esk_new_event event = {NULL, BENCH_EVENT_TYPE, 1, streams->data[s], NULL};
    return esk_store_append(store, streams->ids[s], ESK_ANY, &event, 1, out);
}

static esk_status on_register(esk_context *context, const esk_command *command,
                              void *data)
{
    const bench_streams *streams = data;
    const long *s = command->payload;
    esk_store *store = esk_context_store(context);
    esk_append_result appended;
    esk_status rc = register_seat(store, streams, *s, &appended);
    if (rc != ESK_OK)
        return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
    esk_command_result *result = esk_context_result(context);
    result->event_count = 1;
    result->version = appended.version;
    result->position = appended.position;
    return ESK_OK;
}

/* The logging middleware's sink: formats every line, writes it nowhere. */
static void discard_line(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

bool esk_bus_bench(const bench_config *cfg, const char *arg,
                   bench_sample *sample)
{
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    bench_streams streams = {0, NULL, NULL};
    char(*ids)[24] = calloc((size_t)cfg->commands, sizeof(*ids));
    const esk_log_sink sink = {discard_line, NULL};
    bool direct = strcmp(arg, "direct") == 0;
    bool ok = false;

    if (ids == NULL) {
        bench_fail(sample, "out of memory");
        goto done;
    }
    for (long i = 0; i < cfg->commands; i++)
        snprintf(ids[i], sizeof(ids[i]), "cmd-%ld", i);
    if (!bench_streams_make(&streams, cfg->streams, sample))
        goto done;
    if (esk_store_open_memory(&store, NULL) != ESK_OK ||
        esk_bus_new(&bus, store) != ESK_OK ||
        esk_bus_register(bus, "RegisterAttendee", on_register, &streams) !=
            ESK_OK) {
        bench_fail(sample, "setting up the bus failed");
        goto done;
    }
    if (strcmp(arg, "middleware") == 0) {
        /* The standard chain, in the documented order. */
        const esk_middleware chain[] = {
            esk_logging_middleware(&sink),
            esk_idempotency_middleware(),
            esk_retry_middleware(NULL),
        };
        for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
            if (esk_bus_use(bus, &chain[i]) != ESK_OK) {
                bench_fail(sample, "middleware: %s", esk_errmsg());
                goto done;
            }
    }

    ok = true;
    esk_command command = {"RegisterAttendee", NULL, NULL, NULL, NULL};
    esk_command_result result;
    esk_append_result appended;
    bench_start(sample);
    for (long i = 0; i < cfg->commands && ok; i++) {
        long s = i % cfg->streams;
        if (direct) {
            if (register_seat(store, &streams, s, &appended) != ESK_OK)
                ok = bench_fail(sample, "%s", esk_errmsg());
            continue;
        }
        command.id = ids[i];
        command.payload = &s;
        if (esk_bus_dispatch(bus, &command, &result) != ESK_OK)
            ok = bench_fail(sample, "dispatch: %s", esk_errmsg());
    }
    bench_stop(sample, cfg->commands);
done:
    esk_bus_free(bus);
    esk_store_free(store);
    bench_streams_free(&streams);
    free(ids);
    return ok;
}
