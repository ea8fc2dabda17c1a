/*
 * bench/main.c - esk-bench: esk measured side by side with a baseline in
 * the same run, on the same machine (see bench/README.md).
 *
 * Every measurement runs in a child process of its own (bench_in_child),
 * esk and the baseline take turns, and each side is measured --runs times:
 * the table gives the best and the median run, and the JSON lines give
 * every run.
 *
 * This file holds the workloads and runs them; the command line is in
 * options.c, what is printed in report.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>

#include "runner.h"

static const workload workloads[] = {
    /* The appends' limit writes increasing ids, as esk does; the second,
     * with random ids, shows what those cost. */
    {"sqlite.append_1", "SQLite: append, 1 event/tx", esk_append_one, "sqlite",
     raw_append_one, "sequential", UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8, false,
     false, raw_append_one, "random", NULL, false},
    {"sqlite.append_batch", "SQLite: append, %ld events/tx", esk_append_batch,
     "sqlite", raw_append_batch, "sequential", UNIT_EVENTS_PER_S, TARGET_RATIO,
     0.8, false, false, raw_append_batch, "random", NULL, false},
    {"sqlite.read_streams", "SQLite: read every stream, fold", esk_read_streams,
     "sqlite", raw_read_streams, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8,
     true, true, NULL, NULL, NULL, false},
    {"sqlite.read_all", "SQLite: read all, global order", esk_read_all,
     "sqlite", raw_read_all, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8, true,
     true, NULL, NULL, NULL, false},
#ifdef ESK_HAVE_POSTGRES
    /* The limit sends esk's own statements with libpq (store_pg.c). */
    {"postgres.append_1", "PostgreSQL: append, 1 event/tx", esk_append_one,
     "postgres", pg_raw_append_one, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8,
     false, false, pg_raw_append_one, "no-notify", "limit without NOTIFY",
     true},
    {"postgres.append_batch", "PostgreSQL: append, %ld events/tx",
     esk_append_batch, "postgres", pg_raw_append_batch, NULL, UNIT_EVENTS_PER_S,
     TARGET_RATIO, 0.8, false, false, NULL, NULL, NULL, true},
    {"postgres.read_streams", "PostgreSQL: read every stream, fold",
     esk_read_streams, "postgres", pg_raw_read_streams, NULL, UNIT_EVENTS_PER_S,
     TARGET_RATIO, 0.8, true, false, NULL, NULL, NULL, true},
    {"postgres.read_all", "PostgreSQL: read all, global order", esk_read_all,
     "postgres", pg_raw_read_all, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8,
     true, false, NULL, NULL, NULL, true},
    /* The query handle's checks against the bare query: a price shown,
     * not a target. */
    {"postgres.query", "PostgreSQL: read-model query, handle", esk_pg_query,
     NULL, pg_raw_query, NULL, UNIT_US_PER_QUERY, TARGET_NONE, 0, false, false,
     NULL, NULL, NULL, true},
#endif
    {"memory.append_1", "memory: append, 1 event/tx", esk_append_one, "memory",
     NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, false, false, NULL, NULL,
     NULL, false},
    {"memory.append_batch", "memory: append, %ld events/tx", esk_append_batch,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_MIN_RATE, 10e6, false,
     false, NULL, NULL, NULL, false},
    {"memory.read_streams", "memory: read every stream, fold", esk_read_streams,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, true, false, NULL,
     NULL, NULL, false},
    {"memory.read_all", "memory: read all, global order", esk_read_all,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, true, false, NULL,
     NULL, NULL, false},
    {"catchup.rebuild", "SQLite: catch-up rebuild, read model",
     esk_catchup_rebuild_bench, NULL, raw_catchup_rebuild, NULL,
     UNIT_EVENTS_PER_S, TARGET_MIN_RATE, 1e6, true, true, raw_catchup_rebuild,
     "multirow", "limit, one multi-row insert per batch", false},
    {"aggregate.sqlite.replay", "SQLite: load aggregate, no snapshot",
     esk_load_replay, "sqlite", NULL, NULL, UNIT_US_PER_LOAD, TARGET_NONE, 0,
     true, false, NULL, NULL, NULL, false},
    {"aggregate.sqlite.snapshot", "SQLite: load aggregate from snapshot",
     esk_load_snapshot, "sqlite", NULL, NULL, UNIT_US_PER_LOAD, TARGET_MAX_US,
     1000, true, false, NULL, NULL, NULL, false},
    {"aggregate.memory.replay", "memory: load aggregate, no snapshot",
     esk_load_replay, "memory", NULL, NULL, UNIT_US_PER_LOAD, TARGET_NONE, 0,
     true, false, NULL, NULL, NULL, false},
    {"aggregate.memory.snapshot", "memory: load aggregate from snapshot",
     esk_load_snapshot, "memory", NULL, NULL, UNIT_US_PER_LOAD, TARGET_MAX_US,
     1000, true, false, NULL, NULL, NULL, false},
    {"bus.bare", "bus: no middleware vs direct", esk_bus_bench, "bare",
     esk_bus_bench, "direct", UNIT_NS_PER_COMMAND, TARGET_NONE, 0, false, false,
     NULL, NULL, NULL, false},
    {"bus.middleware", "bus: log+idempotency+retry vs direct", esk_bus_bench,
     "middleware", esk_bus_bench, "direct", UNIT_NS_PER_COMMAND, TARGET_NONE, 0,
     false, false, NULL, NULL, NULL, false},
};

enum { WORKLOAD_COUNT = sizeof(workloads) / sizeof(workloads[0]) };

/* --- Running ---------------------------------------------------------------
 */

static void record(side *s, const bench_sample *sample)
{
    if (sample->failed || sample->ops <= 0 || sample->seconds <= 0) {
        if (!s->failed)
            snprintf(s->error, sizeof(s->error), "%s",
                     sample->failed ? sample->error : "nothing was measured");
        s->failed = true;
        return;
    }
    s->per_op[s->count] = sample->seconds / (double)sample->ops;
    /* A clock too coarse to see the work would divide by zero later. */
    s->per_op_cpu[s->count] =
        (sample->cpu_seconds > 0 ? sample->cpu_seconds : sample->seconds) /
        (double)sample->ops;
    s->count++;
    if (sample->rss_peak_kib > s->rss_peak_kib)
        s->rss_peak_kib = sample->rss_peak_kib;
    if (sample->db_bytes > s->db_bytes)
        s->db_bytes = sample->db_bytes;
    if (sample->rss_setup_kib > s->rss_setup_kib)
        s->rss_setup_kib = sample->rss_setup_kib;
}

static void progress(const workload *w, const char *who, int run,
                     const bench_config *cfg, const bench_sample *sample)
{
    if (sample->failed)
        fprintf(stderr, "  %-26s %-5s run %d/%d: FAILED: %s\n", w->id, who,
                run + 1, cfg->runs, sample->error);
    else
        fprintf(stderr, "  %-26s %-5s run %d/%d: %.3f s (%.3f s CPU)\n", w->id,
                who, run + 1, cfg->runs, sample->seconds, sample->cpu_seconds);
}

static void run_workload(const workload *w, const bench_config *cfg, result *r)
{
    memset(r, 0, sizeof(*r));
    r->w = w;
    struct {
        const char *who;
        bench_fn fn;
        const char *arg;
        side *side;
    } sides[3] = {{"esk", w->esk, w->esk_arg, &r->esk},
                  {"limit", w->limit, w->limit_arg, &r->limit},
                  {"v4", w->v4_limit, w->v4_limit_arg, &r->v4_limit}};
    int count = w->limit == NULL ? 1 : w->v4_limit == NULL ? 2 : 3;
    for (int run = 0; run < cfg->runs; run++) {
        /* Take turns: each run starts with the next side. */
        for (int turn = 0; turn < count; turn++) {
            int i = (run + turn) % count;
            bench_sample sample;
            bench_in_child(sides[i].fn, cfg, sides[i].arg, &sample);
            progress(w, sides[i].who, run, cfg, &sample);
            record(sides[i].side, &sample);
            if (i == 0 && !sample.failed)
                r->ops = sample.ops;
        }
    }
}

static bool write_fixture(const bench_config *cfg, const char *arg,
                          bench_sample *sample)
{
    (void)arg;
    return esk_write_fixture(cfg, cfg->fixture, sample);
}

/* Delete the bench folder: only files this program wrote are in it. */
static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *entry;
        char path[BENCH_PATH_MAX + 256];
        while ((entry = readdir(d)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 ||
                strcmp(entry->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, entry->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    options o = {
        .cfg = {.events = 100000,
                .streams = 1000,
                .batch = 100,
                .page = 500,
                .passes = 5,
                .runs = 3,
                .aggregate_events = 10000,
                .loads = 20,
                .snapshot_loads = 1000,
                .commands = 100000,
                .max_batch_ms = 100,
                .fold = BENCH_FOLD_TRIVIAL},
        .peer = -1,
    };
    int parsed = parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed == 1 ? 0 : 2;
    if (o.list) {
        for (int i = 0; i < WORKLOAD_COUNT; i++) {
            char title[96];
            title_of(&workloads[i], &o.cfg, title, sizeof(title));
            printf("%-26s %s\n", workloads[i].id, title);
        }
        return 0;
    }

    const char *pg = o.pg != NULL ? o.pg : getenv("ESK_TEST_PG");
    if (pg != NULL)
        snprintf(o.cfg.pg, sizeof(o.cfg.pg), "%s", pg);
    bool any = false, fixture = false, pg_fixture = false;
    for (int i = 0; i < WORKLOAD_COUNT; i++) {
        if (selected(o.only, workloads[i].id)) {
            any = true;
            fixture = fixture || workloads[i].needs_fixture;
            pg_fixture =
                pg_fixture || (workloads[i].postgres && workloads[i].reads);
        }
    }
    pg_fixture = pg_fixture && o.cfg.pg[0] != '\0';
    if (!any) {
        fprintf(stderr,
                "esk-bench: no workload id starts with '%s' "
                "(see --list)\n",
                o.only);
        return 2;
    }

    const char *base = o.dir;
    if (base == NULL)
        base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    bench_config *cfg = &o.cfg;
    snprintf(cfg->dir, sizeof(cfg->dir), "%s/esk-bench.XXXXXX", base);
    if (mkdtemp(cfg->dir) == NULL) {
        fprintf(stderr, "esk-bench: cannot make a folder in %s: %s\n", base,
                strerror(errno));
        return 1;
    }
    bench_path(cfg, cfg->fixture, sizeof(cfg->fixture), "fixture.db");

    const char *peer_dir = o.peer_dir != NULL ? o.peer_dir : peer_default_dir();
    char peer_why[BENCH_ERROR_MAX] = "";
    bool peer =
        o.peer != 0 && peer_available(peer_dir, peer_why, sizeof(peer_why));
    if (o.peer == 1 && !peer) {
        fprintf(stderr, "esk-bench: --peer emmett: %s\n", peer_why);
        remove_dir(cfg->dir);
        return 1;
    }

    print_header(cfg);
    if (o.peer == 0)
        printf("peer:    none (--peer none)\n");
    else if (!peer)
        printf("peer:    emmett-sqlite skipped: %s\n", peer_why);
#ifdef ESK_HAVE_POSTGRES
    if (cfg->pg[0] == '\0')
        printf("postgres: skipped (no --pg CONNINFO, no ESK_TEST_PG)\n");
#else
    printf("postgres: skipped (this build has no PostgreSQL backend)\n");
#endif
    int status = 0;
#ifdef ESK_HAVE_POSTGRES
    if (pg_fixture) {
        bench_sample sample;
        fprintf(stderr, "  writing the PostgreSQL read fixture (%ld events)\n",
                cfg->events);
        if (!bench_in_child(esk_write_pg_fixture, cfg, NULL, &sample)) {
            fprintf(stderr, "esk-bench: %s\n", sample.error);
            remove_dir(cfg->dir);
            return 1;
        }
    }
#else
    (void)pg_fixture;
#endif
    if (fixture) {
        bench_sample sample;
        fprintf(stderr, "  writing the read fixture (%ld events)\n",
                cfg->events);
        if (!bench_in_child(write_fixture, cfg, NULL, &sample)) {
            fprintf(stderr, "esk-bench: %s\n", sample.error);
            remove_dir(cfg->dir);
            return 1;
        }
    }

    static result results[WORKLOAD_COUNT];
    int count = 0;
    for (int i = 0; i < WORKLOAD_COUNT; i++)
        if (selected(o.only, workloads[i].id) &&
            (!workloads[i].postgres || cfg->pg[0] != '\0')) {
            result *r = &results[count++];
            run_workload(&workloads[i], cfg, r);
            /* The peer runs the SQLite store's own four workloads. */
            if (peer && strncmp(workloads[i].id, "sqlite.", 7) == 0)
                peer_run(cfg, peer_dir, &workloads[i], &r->peer);
        }

    printf("\n%-38s %-10s %12s %12s %12s %12s %12s %11s  %s\n", "workload",
           "unit", "esk best", "esk median", "limit best", "limit median",
           "esk/limit", "RSS MiB", "target");
    for (int i = 0; i < count; i++) {
        print_row(&results[i], cfg);
        if (results[i].esk.failed || results[i].limit.failed ||
            results[i].v4_limit.failed)
            status = 1;
    }
    if (peer)
        print_peer_table(results, count, cfg);
    for (int i = 0; i < count; i++)
        if (results[i].peer.ran && results[i].peer.failed)
            status = 1;
    char load[64];
    load_average(load, sizeof(load));
    if (load[0] != '\0')
        printf("load average after the run: %s\n", load);
    printf("\n");
    for (int i = 0; i < count; i++)
        print_json(&results[i], cfg);

    remove_dir(cfg->dir);
    return status;
}
