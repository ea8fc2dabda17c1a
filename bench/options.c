/*
 * bench/options.c - esk-bench's command line: --help, the sizes, and
 * which workloads --only selects.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

/* --- Options ---------------------------------------------------------------
 */

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: esk-bench [options]\n"
        "\n"
        "Measures esk against a raw-SQLite baseline in the same run and\n"
        "prints a table, then one JSON line per workload.\n"
        "\n"
        "  --events N            events per store workload (100000)\n"
        "  --streams N           streams they are spread over (1000)\n"
        "  --batch N             events per transaction of the batched\n"
        "                        append (100)\n"
        "  --page N              events per read of the global feed and\n"
        "                        per catch-up batch (500)\n"
        "  --passes N            times each read workload reads every\n"
        "                        event per measurement (5)\n"
        "  --runs N              measurements per side (3)\n"
        "  --aggregate-events N  events of the loaded aggregate (10000)\n"
        "  --loads N             loads per measurement, no snapshot (20)\n"
        "  --snapshot-loads N    loads per measurement, snapshot (1000)\n"
        "  --commands N          commands per bus measurement (100000)\n"
        "  --max-batch-ms N      the catch-up's max_batch_ms (100); raise\n"
        "                        it under valgrind, where batches would\n"
        "                        stop early\n"
        "  --fold trivial|codec  what reads do with each event (trivial)\n"
        "  --clock wall|cpu      what the table reports: wall-clock time,\n"
        "                        or the CPU time of the measuring process\n"
        "                        (steadier on a busy machine; leaves out\n"
        "                        waiting for the disk) (wall)\n"
        "  --only LIST           workloads whose id starts with one of\n"
        "                        the comma-separated prefixes\n"
        "  --dir DIR             where the databases go ($TMPDIR or /tmp)\n"
        "  --peer emmett|none    run the SQLite workloads on emmett-sqlite\n"
        "                        too (bench/peer/emmett: Node.js and npm\n"
        "                        ci); by default it runs when it can\n"
        "  --peer-dir DIR        where bench/peer is (the source tree's)\n"
        "  --pg CONNINFO         run the postgres.* workloads on this server\n"
        "                        ($ESK_TEST_PG by default; skipped without)\n"
        "  --list                list the workloads and exit\n"
        "  --help                this text\n");
}

static bool parse_long(const char *name, const char *text, long min, long max,
                       long *out)
{
    char *end = NULL;
    errno = 0;
    long v = text != NULL ? strtol(text, &end, 10) : 0;
    if (text == NULL || errno != 0 || end == text || *end != '\0' || v < min ||
        v > max) {
        fprintf(stderr,
                "esk-bench: %s wants a whole number from %ld to %ld, "
                "not '%s'\n",
                name, min, max, text != NULL ? text : "");
        return false;
    }
    *out = v;
    return true;
}

bool selected(const char *only, const char *id)
{
    if (only == NULL)
        return true;
    const char *p = only;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        if (len > 0 && strncmp(id, p, len) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

/* 0: go on; 1: done (help, list); 2: wrong usage. */
int parse_options(int argc, char **argv, options *o)
{
    static const struct {
        const char *name;
        size_t offset;
        long min, max;
    } numbers[] = {
        {"--events", offsetof(bench_config, events), 1, 100000000},
        {"--streams", offsetof(bench_config, streams), 1, 10000000},
        {"--batch", offsetof(bench_config, batch), 1, 1000000},
        {"--page", offsetof(bench_config, page), 1, 1000000},
        {"--passes", offsetof(bench_config, passes), 1, 1000000},
        {"--aggregate-events", offsetof(bench_config, aggregate_events), 1,
         INT_MAX},
        {"--loads", offsetof(bench_config, loads), 1, 1000000},
        {"--snapshot-loads", offsetof(bench_config, snapshot_loads), 1,
         100000000},
        {"--commands", offsetof(bench_config, commands), 1, 100000000},
        {"--max-batch-ms", offsetof(bench_config, max_batch_ms), 1, INT_MAX},
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool done = false;
        for (size_t k = 0; k < sizeof(numbers) / sizeof(numbers[0]); k++) {
            if (strcmp(arg, numbers[k].name) != 0)
                continue;
            long *field = (long *)((char *)&o->cfg + numbers[k].offset);
            if (!parse_long(arg, value, numbers[k].min, numbers[k].max, field))
                return 2;
            i++;
            done = true;
        }
        if (done)
            continue;
        if (strcmp(arg, "--runs") == 0) {
            long runs = 0;
            if (!parse_long(arg, value, 1, RUNS_MAX, &runs))
                return 2;
            o->cfg.runs = (int)runs;
            i++;
        } else if (strcmp(arg, "--fold") == 0 && value != NULL &&
                   (strcmp(value, "trivial") == 0 ||
                    strcmp(value, "codec") == 0)) {
            o->cfg.fold = strcmp(value, "codec") == 0 ? BENCH_FOLD_CODEC
                                                      : BENCH_FOLD_TRIVIAL;
            i++;
        } else if (strcmp(arg, "--clock") == 0 && value != NULL &&
                   (strcmp(value, "wall") == 0 || strcmp(value, "cpu") == 0)) {
            o->cfg.cpu_clock = strcmp(value, "cpu") == 0;
            i++;
        } else if (strcmp(arg, "--only") == 0 && value != NULL) {
            o->only = value;
            i++;
        } else if (strcmp(arg, "--dir") == 0 && value != NULL) {
            o->dir = value;
            i++;
        } else if (strcmp(arg, "--peer") == 0 && value != NULL &&
                   (strcmp(value, "emmett") == 0 ||
                    strcmp(value, "none") == 0)) {
            o->peer = strcmp(value, "emmett") == 0 ? 1 : 0;
            i++;
        } else if (strcmp(arg, "--pg") == 0 && value != NULL) {
            o->pg = value;
            i++;
        } else if (strcmp(arg, "--peer-dir") == 0 && value != NULL) {
            o->peer_dir = value;
            i++;
        } else if (strcmp(arg, "--list") == 0) {
            o->list = true;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        } else {
            fprintf(stderr, "esk-bench: unknown or incomplete option '%s'\n\n",
                    arg);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}
