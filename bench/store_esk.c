/*
 * bench/store_esk.c - the four store workloads through esk's public API,
 * on either backend.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "esk/store.h"

#include "bench.h"

/* Open the store a workload runs on: a new SQLite file of its own (named
 * after the process, which is the measurement's own), memory, or an
 * emptied schema on PostgreSQL. */
static bool open_store(const bench_config *cfg, const char *backend,
                       const char *name, esk_store **out, char *path,
                       bench_sample *sample)
{
    path[0] = '\0';
#ifdef ESK_HAVE_POSTGRES
    if (strcmp(backend, "postgres") == 0)
        return bench_pg_open_fresh(cfg, "bench_esk", out, sample);
#endif
    if (strcmp(backend, "memory") == 0) {
        if (esk_store_open_memory(out, NULL) != ESK_OK)
            return bench_fail(sample, "opening a memory store failed");
        return true;
    }
    char file[64];
    snprintf(file, sizeof(file), "%s-%ld.db", name, (long)getpid());
    bench_path(cfg, path, BENCH_PATH_MAX, file);
    bench_remove_db(path);
    if (esk_store_open_sqlite(out, path, NULL) != ESK_OK)
        return bench_fail(sample, "opening %s: %s", path, esk_errmsg());
    return true;
}

/* Close, and note what the file came to (after the last connection's
 * checkpoint), then delete it. */
static void close_store(esk_store *store, const char *path,
                        bench_sample *sample)
{
    esk_store_free(store);
    if (path[0] != '\0') {
        sample->db_bytes = bench_db_bytes(path);
        bench_remove_db(path);
    }
}

/* Appends made per transaction while populating a store. */
enum { POPULATE_PER_TX = 1000 };

/*
 * Fill a store with cfg->events events the way command handlers leave
 * them: one event per append, round-robin over the streams, so that the
 * events of a stream lie spread over the table and each has its own
 * recorded_at. Only the commits are grouped, to keep this untimed setup
 * short.
 */
static bool populate(const bench_config *cfg, esk_store *store,
                     const bench_streams *streams, bench_sample *sample)
{
    esk_new_event event = {NULL, BENCH_EVENT_TYPE, 1, NULL, NULL};
    for (long i = 0; i < cfg->events; i++) {
        long s = i % cfg->streams;
        if (i % POPULATE_PER_TX == 0 &&
            ((i > 0 && esk_store_commit(store) != ESK_OK) ||
             esk_store_begin(store) != ESK_OK))
            return bench_fail(sample, "populating: %s", esk_errmsg());
        event.data = streams->data[s];
        if (esk_store_append(store, streams->ids[s], ESK_ANY, &event, 1,
                             NULL) != ESK_OK) {
            bench_fail(sample, "populating: %s", esk_errmsg());
            esk_store_rollback(store);
            return false;
        }
    }
    if (esk_store_commit(store) != ESK_OK)
        return bench_fail(sample, "populating: %s", esk_errmsg());
    return true;
}

bool esk_write_fixture(const bench_config *cfg, const char *path,
                       bench_sample *sample)
{
    esk_store *store = NULL;
    bench_streams streams = {0, NULL, NULL};
    bench_remove_db(path);
    if (!bench_streams_make(&streams, cfg->streams, sample))
        return false;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK) {
        bench_streams_free(&streams);
        return bench_fail(sample, "opening %s: %s", path, esk_errmsg());
    }
    bool ok = populate(cfg, store, &streams, sample);
    /* The last connection to close checkpoints the WAL into the file, so
     * that every reader starts from the same file and no WAL. */
    esk_store_free(store);
    bench_streams_free(&streams);
    return ok;
}

#ifdef ESK_HAVE_POSTGRES
bool esk_write_pg_fixture(const bench_config *cfg, const char *arg,
                          bench_sample *sample)
{
    (void)arg;
    esk_store *store = NULL;
    bench_streams streams = {0, NULL, NULL};
    if (!bench_streams_make(&streams, cfg->streams, sample))
        return false;
    bool ok = bench_pg_open_fresh(cfg, BENCH_PG_FIXTURE, &store, sample) &&
              populate(cfg, store, &streams, sample);
    esk_store_free(store);
    bench_streams_free(&streams);
    return ok;
}
#endif

bool esk_append_one(const bench_config *cfg, const char *arg,
                    bench_sample *sample)
{
    esk_store *store = NULL;
    char path[BENCH_PATH_MAX];
    bench_streams streams = {0, NULL, NULL};
    int64_t *versions = calloc((size_t)cfg->streams, sizeof(*versions));
    bool ok = versions != NULL &&
              bench_streams_make(&streams, cfg->streams, sample) &&
              open_store(cfg, arg, "esk-append-one", &store, path, sample);
    if (!ok) {
        free(versions);
        bench_streams_free(&streams);
        return versions == NULL ? bench_fail(sample, "out of memory") : false;
    }

    esk_new_event event = {NULL, BENCH_EVENT_TYPE, 1, NULL, NULL};
    esk_append_result result;
    bench_start(sample);
    for (long i = 0; i < cfg->events; i++) {
        long s = i % cfg->streams;
        event.data = streams.data[s];
        /* The command-handler path: the version the handler loaded. */
        if (esk_store_append(store, streams.ids[s], versions[s], &event, 1,
                             &result) != ESK_OK) {
            ok = bench_fail(sample, "append: %s", esk_errmsg());
            break;
        }
        versions[s] = result.version;
    }
    bench_stop(sample, cfg->events);

    close_store(store, path, sample);
    free(versions);
    bench_streams_free(&streams);
    return ok;
}

bool esk_append_batch(const bench_config *cfg, const char *arg,
                      bench_sample *sample)
{
    esk_store *store = NULL;
    char path[BENCH_PATH_MAX];
    bench_streams streams = {0, NULL, NULL};
    int64_t *versions = calloc((size_t)cfg->streams, sizeof(*versions));
    esk_new_event *events = calloc((size_t)cfg->batch, sizeof(*events));
    bool ok = versions != NULL && events != NULL &&
              bench_streams_make(&streams, cfg->streams, sample) &&
              open_store(cfg, arg, "esk-append-batch", &store, path, sample);
    if (!ok) {
        bool oom = versions == NULL || events == NULL;
        free(versions);
        free(events);
        bench_streams_free(&streams);
        return oom ? bench_fail(sample, "out of memory") : false;
    }

    esk_append_result result;
    bench_start(sample);
    long b = 0;
    for (long done = 0; done < cfg->events; b++) {
        long n =
            cfg->events - done < cfg->batch ? cfg->events - done : cfg->batch;
        long s = b % cfg->streams;
        for (long i = 0; i < n; i++)
            events[i] = (esk_new_event){NULL, BENCH_EVENT_TYPE, 1,
                                        streams.data[s], NULL};
        if (esk_store_append(store, streams.ids[s], versions[s], events,
                             (size_t)n, &result) != ESK_OK) {
            ok = bench_fail(sample, "append: %s", esk_errmsg());
            break;
        }
        versions[s] = result.version;
        done += n;
    }
    bench_stop(sample, cfg->events);

    close_store(store, path, sample);
    free(versions);
    free(events);
    bench_streams_free(&streams);
    return ok;
}

/* The store a read workload reads: the shared fixture file on SQLite, a
 * memory store filled now (untimed) otherwise. */
static bool open_for_reading(const bench_config *cfg, const char *backend,
                             const bench_streams *streams, esk_store **out,
                             bench_sample *sample)
{
    if (strcmp(backend, "memory") == 0) {
        if (esk_store_open_memory(out, NULL) != ESK_OK)
            return bench_fail(sample, "opening a memory store failed");
        if (!populate(cfg, *out, streams, sample)) {
            esk_store_free(*out);
            return false;
        }
        return true;
    }
#ifdef ESK_HAVE_POSTGRES
    if (strcmp(backend, "postgres") == 0)
        return bench_pg_open(cfg, BENCH_PG_FIXTURE, out, sample);
#endif
    if (esk_store_open_sqlite(out, cfg->fixture, NULL) != ESK_OK)
        return bench_fail(sample, "opening %s: %s", cfg->fixture, esk_errmsg());
    return true;
}

bool esk_read_streams(const bench_config *cfg, const char *arg,
                      bench_sample *sample)
{
    esk_store *store = NULL;
    bench_streams streams = {0, NULL, NULL};
    if (!bench_streams_make(&streams, cfg->streams, sample))
        return false;
    if (!open_for_reading(cfg, arg, &streams, &store, sample)) {
        bench_streams_free(&streams);
        return false;
    }

    esk_event_list list = ESK_EVENT_LIST_INIT;
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    bool ok = true;
    bench_start(sample);
    for (long pass = 0; pass < cfg->passes && ok; pass++) {
        for (long s = 0; s < cfg->streams && ok; s++) {
            if (esk_store_read_stream(store, streams.ids[s], 1, 0, &list) !=
                ESK_OK) {
                ok = bench_fail(sample, "read: %s", esk_errmsg());
                break;
            }
            for (size_t i = 0; i < list.count; i++)
                bench_fold_event(&fold, list.events[i].data,
                                 list.events[i].version);
        }
    }
    bench_stop(sample, cfg->events * cfg->passes);

    esk_event_list_release(&list);
    esk_store_free(store);
    bench_streams_free(&streams);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}

bool esk_read_all(const bench_config *cfg, const char *arg,
                  bench_sample *sample)
{
    esk_store *store = NULL;
    bench_streams streams = {0, NULL, NULL};
    if (!bench_streams_make(&streams, cfg->streams, sample))
        return false;
    if (!open_for_reading(cfg, arg, &streams, &store, sample)) {
        bench_streams_free(&streams);
        return false;
    }

    esk_event_list list = ESK_EVENT_LIST_INIT;
    bench_fold fold = {cfg->fold, 0, 0, 0, 0};
    bool ok = true;
    bench_start(sample);
    for (long pass = 0; pass < cfg->passes && ok; pass++) {
        /* Page by page from a checkpoint, as a projection rebuild reads. */
        for (int64_t after = 0;;) {
            if (esk_store_read_all(store, after, (size_t)cfg->page, NULL,
                                   &list) != ESK_OK) {
                ok = bench_fail(sample, "read: %s", esk_errmsg());
                break;
            }
            for (size_t i = 0; i < list.count; i++)
                bench_fold_event(&fold, list.events[i].data,
                                 list.events[i].version);
            if (list.count < (size_t)cfg->page)
                break;
            after = list.events[list.count - 1].position;
        }
    }
    bench_stop(sample, cfg->events * cfg->passes);

    esk_event_list_release(&list);
    esk_store_free(store);
    bench_streams_free(&streams);
    return ok && bench_fold_check(&fold, cfg->events * cfg->passes, sample);
}
