/*
 * bench/runner.h - what main.c, options.c and report.c share: a
 * workload (esk and its baseline, the unit, the target), the runs of each
 * side, and the command line's options.
 */
#ifndef ESK_BENCH_RUNNER_H
#define ESK_BENCH_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "bench.h"

enum { RUNS_MAX = 100 };

typedef enum unit {
    UNIT_EVENTS_PER_S,   /* higher is better */
    UNIT_US_PER_LOAD,    /* lower is better */
    UNIT_NS_PER_COMMAND, /* lower is better */
    UNIT_US_PER_QUERY,   /* lower is better */
} unit;

typedef enum target_kind {
    TARGET_NONE,
    TARGET_RATIO,    /* esk/limit at least value */
    TARGET_MIN_RATE, /* at least value events/s */
    TARGET_MAX_US,   /* under value microseconds per operation */
} target_kind;

typedef struct workload {
    const char *id;
    const char *title; /* "%ld" in it takes the batch size */
    bench_fn esk;
    const char *esk_arg;
    bench_fn limit; /* NULL: esk alone */
    const char *limit_arg;
    unit unit;
    target_kind target;
    double target_value;
    bool reads;         /* its peak RSS goes into the table */
    bool needs_fixture; /* reads the shared SQLite fixture */
    /* A second limit, shown beside the first without a target: the
     * appends' limit with random UUID v4 ids, the rebuild's limit with a
     * multi-row insert. NULL: none. */
    bench_fn v4_limit;
    const char *v4_limit_arg;
    /* Its line in the table; NULL: "limit with random v4 ids". */
    const char *v4_limit_title;
    /* Runs on the PostgreSQL server of --pg or ESK_TEST_PG, and is skipped
     * without one; a read reads the PostgreSQL fixture. */
    bool postgres;
} workload;

/* The runs of one side of a workload. */
typedef struct side {
    int count;
    double per_op[RUNS_MAX];     /* seconds per operation, wall clock */
    double per_op_cpu[RUNS_MAX]; /* the same in CPU time */
    long rss_peak_kib;
    long rss_setup_kib; /* the peak when the timed part began */
    long db_bytes;      /* the largest database file an append left */
    bool failed;
    char error[BENCH_ERROR_MAX];
} side;

/* What the peer (emmett-sqlite, bench/peer) measured for one workload. */
typedef struct peer_result {
    bool ran;
    bool failed;
    char note[BENCH_ERROR_MAX]; /* why it failed or did not run */
    char version[32];
    int count;
    double rate[RUNS_MAX]; /* events/s of each run */
    long rss_peak_kib;     /* of its Node.js process */
    long db_bytes;         /* its appends' database file, or -1 */
} peer_result;

typedef struct result {
    const workload *w;
    long ops;
    side esk;
    side limit;
    side v4_limit;
    peer_result peer;
} result;

/* --- options.c ------------------------------------------------------------ */

typedef struct options {
    bench_config cfg;
    const char *only;
    const char *dir;
    bool list;
    /* --peer: -1 auto (when it can run), 0 none, 1 emmett (or fail). */
    int peer;
    const char *peer_dir;
    /* --pg CONNINFO; NULL: ESK_TEST_PG, if set. */
    const char *pg;
} options;

/* Whether the workload id starts with one of the comma-separated prefixes
 * in only; NULL selects every workload. */
bool selected(const char *only, const char *id);
/* 0: go on; 1: done (help, list); 2: wrong usage. */
int parse_options(int argc, char **argv, options *o);

/* --- peer.c --------------------------------------------------------------- */

/* Where bench/peer is, as the build knows it. */
const char *peer_default_dir(void);
/* Whether the peer can run from dir; if not, why (a sentence). */
bool peer_available(const char *dir, char *why, size_t size);
/* Run the peer's measurements of one workload. */
void peer_run(const bench_config *cfg, const char *dir, const workload *w,
              peer_result *out);
/* The best and median events/s of its runs (count > 0). */
void peer_stats(const peer_result *p, double *best, double *median);

/* --- report.c ------------------------------------------------------------- */

/* The workload's title, with the batch size where it takes one. */
void title_of(const workload *w, const bench_config *cfg, char *buf,
              size_t size);
/* Where and how the bench runs: a text block, then a JSON line. */
void print_header(const bench_config *cfg);
/* One line of the table. */
void print_row(const result *r, const bench_config *cfg);
/* One JSON line with every run of both sides. */
void print_json(const result *r, const bench_config *cfg);
/* The table of esk against the peer, for the workloads it ran. */
void print_peer_table(const result *results, int count,
                      const bench_config *cfg);
/* The system's load average, "" where it is not known. */
void load_average(char *buf, size_t size);

#endif
