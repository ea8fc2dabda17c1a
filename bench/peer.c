/*
 * bench/peer.c - the peer: the SQLite store workloads run on emmett-sqlite
 * (an event store for Node.js on SQLite) by bench/peer/emmett/bench.mjs,
 * so that "N times emmett" comes out of the same run as esk's figures.
 *
 * The peer is optional: it runs when Node.js is on the PATH and the
 * script's packages are installed (npm ci in bench/peer/emmett), and is
 * skipped with a note otherwise. Each workload is one Node.js process,
 * started after esk's measurements of that workload, which reports one
 * JSON line: the events/s of each run, its peak RSS, and for appends the
 * size of the database it wrote.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runner.h"

#ifndef ESK_BENCH_PEER_DIR
#define ESK_BENCH_PEER_DIR "bench/peer"
#endif

/* Whether an executable called name is on the PATH. */
static bool on_path(const char *name)
{
    const char *path = getenv("PATH");
    char file[BENCH_PATH_MAX];
    while (path != NULL && *path != '\0') {
        size_t len = strcspn(path, ":");
        snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, name);
        if (len > 0 && access(file, X_OK) == 0)
            return true;
        path += len;
        if (*path == ':')
            path++;
    }
    return false;
}

bool peer_available(const char *dir, char *why, size_t size)
{
    char file[BENCH_PATH_MAX];
    if (!on_path("node")) {
        snprintf(why, size, "Node.js (node) is not on the PATH");
        return false;
    }
    snprintf(file, sizeof(file),
             "%s/emmett/node_modules/@event-driven-io/emmett-sqlite/"
             "package.json",
             dir);
    if (access(file, R_OK) != 0) {
        snprintf(why, size,
                 "its packages are not installed: run npm ci in "
                 "%s/emmett",
                 dir);
        return false;
    }
    return true;
}

const char *peer_default_dir(void)
{
    return ESK_BENCH_PEER_DIR;
}

/* Run the script for one workload and read its line into buf. */
static bool run_script(const bench_config *cfg, const char *dir,
                       const char *workload_id, char *buf, size_t size,
                       char *why, size_t why_size)
{
    char script[BENCH_PATH_MAX], events[24], streams[24], batch[24], page[24],
        passes[24], runs[24];
    snprintf(script, sizeof(script), "%s/emmett/bench.mjs", dir);
    snprintf(events, sizeof(events), "%ld", cfg->events);
    snprintf(streams, sizeof(streams), "%ld", cfg->streams);
    snprintf(batch, sizeof(batch), "%ld", cfg->batch);
    snprintf(page, sizeof(page), "%ld", cfg->page);
    snprintf(passes, sizeof(passes), "%ld", cfg->passes);
    snprintf(runs, sizeof(runs), "%d", cfg->runs);
    char *const argv[] = {"node",       script,
                          "--workload", (char *)workload_id,
                          "--events",   events,
                          "--streams",  streams,
                          "--batch",    batch,
                          "--page",     page,
                          "--passes",   passes,
                          "--runs",     runs,
                          "--dir",      (char *)cfg->dir,
                          NULL};

    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_size, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[1]);
        execvp("node", argv);
        _exit(127);
    }
    close(fds[1]);
    size_t got = 0;
    for (ssize_t n; got + 1 < size &&
                    (n = read(fds[0], buf + got, size - 1 - got)) != 0;) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got == 0) {
        const char *failed = strstr(buf, "\"failed\":");
        if (failed != NULL)
            snprintf(why, why_size, "the script failed: %.200s", failed + 9);
        else
            snprintf(why, why_size,
                     "the script failed (exit status %d; its messages are "
                     "above)",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return false;
    }
    return true;
}

/* The number after "key": in a JSON line, or -1. */
static double json_number(const char *line, const char *key)
{
    char pattern[64];
    snprintf(pattern, sizeof(pattern), "\"%s\":", key);
    const char *at = strstr(line, pattern);
    return at != NULL ? strtod(at + strlen(pattern), NULL) : -1;
}

void peer_run(const bench_config *cfg, const char *dir, const workload *w,
              peer_result *out)
{
    static char line[1 << 14];
    memset(out, 0, sizeof(*out));
    out->ran = true;
    fprintf(stderr, "  %-26s peer  emmett-sqlite, %d runs\n", w->id, cfg->runs);
    if (!run_script(cfg, dir, w->id, line, sizeof(line), out->note,
                    sizeof(out->note))) {
        out->failed = true;
        return;
    }
    const char *version = strstr(line, "\"version\":\"");
    if (version != NULL)
        snprintf(out->version, sizeof(out->version), "%.*s",
                 (int)strcspn(version + 11, "\""), version + 11);
    if (strstr(line, "\"unsupported\"") != NULL) {
        snprintf(out->note, sizeof(out->note), "not supported by the peer");
        out->failed = true;
        return;
    }
    const char *runs = strstr(line, "\"runs\":[");
    for (const char *p = runs != NULL ? runs + 8 : NULL;
         p != NULL && *p != ']' && out->count < RUNS_MAX;) {
        char *end = NULL;
        double v = strtod(p, &end);
        if (end == p)
            break;
        out->rate[out->count++] = v;
        p = *end == ',' ? end + 1 : end;
    }
    if (out->count == 0) {
        snprintf(out->note, sizeof(out->note), "no runs in: %.200s", line);
        out->failed = true;
        return;
    }
    out->rss_peak_kib = (long)json_number(line, "peak_rss_kib");
    out->db_bytes = (long)json_number(line, "db_bytes");
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void peer_stats(const peer_result *p, double *best, double *median)
{
    double sorted[RUNS_MAX];
    memcpy(sorted, p->rate, sizeof(double) * (size_t)p->count);
    qsort(sorted, (size_t)p->count, sizeof(double), compare_doubles);
    *best = sorted[p->count - 1];
    *median = p->count % 2
                  ? sorted[p->count / 2]
                  : (sorted[p->count / 2 - 1] + sorted[p->count / 2]) / 2;
}
