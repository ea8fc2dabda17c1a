/*
 * bench/main.c - esk-bench: esk measured side by side with a baseline in
 * the same run, on the same machine (see bench/README.md).
 *
 * Every measurement runs in a child process of its own (bench_in_child),
 * esk and the baseline take turns, and each side is measured --runs times:
 * the table gives the best and the median run, and the JSON lines give
 * every run.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <sqlite3.h>

#include "bench.h"

enum { RUNS_MAX = 100 };

typedef enum unit {
    UNIT_EVENTS_PER_S,   /* higher is better */
    UNIT_US_PER_LOAD,    /* lower is better */
    UNIT_NS_PER_COMMAND, /* lower is better */
} unit;

static const char *const unit_names[] = {"events/s", "us/load", "ns/command"};

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
} workload;

static const workload workloads[] = {
    {"sqlite.append_1", "SQLite: append, 1 event/tx", esk_append_one, "sqlite",
     raw_append_one, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8, false, false},
    {"sqlite.append_batch", "SQLite: append, %ld events/tx", esk_append_batch,
     "sqlite", raw_append_batch, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8,
     false, false},
    {"sqlite.read_streams", "SQLite: read every stream, fold", esk_read_streams,
     "sqlite", raw_read_streams, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8,
     true, true},
    {"sqlite.read_all", "SQLite: read all, global order", esk_read_all,
     "sqlite", raw_read_all, NULL, UNIT_EVENTS_PER_S, TARGET_RATIO, 0.8, true,
     true},
    {"memory.append_1", "memory: append, 1 event/tx", esk_append_one, "memory",
     NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, false, false},
    {"memory.append_batch", "memory: append, %ld events/tx", esk_append_batch,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_MIN_RATE, 10e6, false,
     false},
    {"memory.read_streams", "memory: read every stream, fold", esk_read_streams,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, true, false},
    {"memory.read_all", "memory: read all, global order", esk_read_all,
     "memory", NULL, NULL, UNIT_EVENTS_PER_S, TARGET_NONE, 0, true, false},
    {"catchup.rebuild", "SQLite: catch-up rebuild, read model",
     esk_catchup_rebuild_bench, NULL, raw_catchup_rebuild, NULL,
     UNIT_EVENTS_PER_S, TARGET_MIN_RATE, 1e6, true, true},
    {"aggregate.sqlite.replay", "SQLite: load aggregate, no snapshot",
     esk_load_replay, "sqlite", NULL, NULL, UNIT_US_PER_LOAD, TARGET_NONE, 0,
     true, false},
    {"aggregate.sqlite.snapshot", "SQLite: load aggregate from snapshot",
     esk_load_snapshot, "sqlite", NULL, NULL, UNIT_US_PER_LOAD, TARGET_MAX_US,
     1000, true, false},
    {"aggregate.memory.replay", "memory: load aggregate, no snapshot",
     esk_load_replay, "memory", NULL, NULL, UNIT_US_PER_LOAD, TARGET_NONE, 0,
     true, false},
    {"aggregate.memory.snapshot", "memory: load aggregate from snapshot",
     esk_load_snapshot, "memory", NULL, NULL, UNIT_US_PER_LOAD, TARGET_MAX_US,
     1000, true, false},
    {"bus.bare", "bus: no middleware vs direct", esk_bus_bench, "bare",
     esk_bus_bench, "direct", UNIT_NS_PER_COMMAND, TARGET_NONE, 0, false,
     false},
    {"bus.middleware", "bus: log+idempotency+retry vs direct", esk_bus_bench,
     "middleware", esk_bus_bench, "direct", UNIT_NS_PER_COMMAND, TARGET_NONE, 0,
     false, false},
};

enum { WORKLOAD_COUNT = sizeof(workloads) / sizeof(workloads[0]) };

/* The runs of one side of a workload. */
typedef struct side {
    int count;
    double per_op[RUNS_MAX];     /* seconds per operation, wall clock */
    double per_op_cpu[RUNS_MAX]; /* the same in CPU time */
    long rss_peak_kib;
    long rss_setup_kib; /* the peak when the timed part began */
    bool failed;
    char error[BENCH_ERROR_MAX];
} side;

typedef struct result {
    const workload *w;
    long ops;
    side esk;
    side limit;
} result;

/* --- Statistics ------------------------------------------------------------
 */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct stats {
    double best, median, worst; /* seconds per operation */
} stats;

static stats side_stats(const side *s, bool cpu)
{
    double sorted[RUNS_MAX];
    memcpy(sorted, cpu ? s->per_op_cpu : s->per_op,
           (size_t)s->count * sizeof(double));
    qsort(sorted, (size_t)s->count, sizeof(double), compare_doubles);
    int n = s->count;
    double median =
        n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return (stats){sorted[0], median, sorted[n - 1]};
}

/* Seconds per operation in the workload's unit. */
static double in_unit(unit u, double per_op)
{
    switch (u) {
    case UNIT_EVENTS_PER_S:
        return per_op > 0 ? 1.0 / per_op : 0;
    case UNIT_US_PER_LOAD:
        return per_op * 1e6;
    case UNIT_NS_PER_COMMAND:
        return per_op * 1e9;
    }
    return 0;
}

static bool target_met(const workload *w, double esk_per_op,
                       double limit_per_op)
{
    switch (w->target) {
    case TARGET_RATIO:
        return limit_per_op / esk_per_op >= w->target_value;
    case TARGET_MIN_RATE:
        return 1.0 / esk_per_op >= w->target_value;
    case TARGET_MAX_US:
        return esk_per_op * 1e6 < w->target_value;
    case TARGET_NONE:
        break;
    }
    return true;
}

/* --- Formatting ------------------------------------------------------------
 */

/* 1234567 -> "1,234,567"; small values keep three significant digits. */
static void format_number(double v, char *buf, size_t size)
{
    if (v < 0 || v >= 1e15) {
        snprintf(buf, size, "%.3g", v);
        return;
    }
    if (v < 1000) {
        snprintf(buf, size, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof(digits), "%.0f", v);
    size_t len = strlen(digits);
    size_t out = 0;
    for (size_t i = 0; i < len && out + 2 < size; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
}

static void title_of(const workload *w, const bench_config *cfg, char *buf,
                     size_t size)
{
    const char *mark = strstr(w->title, "%ld");
    if (mark == NULL) {
        snprintf(buf, size, "%s", w->title);
        return;
    }
    snprintf(buf, size, "%.*s%ld%s", (int)(mark - w->title), w->title,
             cfg->batch, mark + 3);
}

static void describe_target(const workload *w, char *buf, size_t size)
{
    char v[32];
    switch (w->target) {
    case TARGET_RATIO:
        snprintf(buf, size, ">= %.2f x limit", w->target_value);
        break;
    case TARGET_MIN_RATE:
        format_number(w->target_value, v, sizeof(v));
        snprintf(buf, size, ">= %s ev/s", v);
        break;
    case TARGET_MAX_US:
        format_number(w->target_value, v, sizeof(v));
        snprintf(buf, size, "< %s us", v);
        break;
    case TARGET_NONE:
        snprintf(buf, size, "-");
        break;
    }
}

static void print_row(const result *r, const bench_config *cfg)
{
    const workload *w = r->w;
    char title[96], eb[32], em[32], lb[32] = "-", lm[32] = "-", ratio[32] = "-";
    char rss[32] = "-", target[64], verdict[32] = "";

    title_of(w, cfg, title, sizeof(title));
    if (r->esk.failed || (w->limit != NULL && r->limit.failed)) {
        printf("%-38s %-10s FAILED: %s\n", title, unit_names[w->unit],
               r->esk.failed ? r->esk.error : r->limit.error);
        return;
    }
    stats e = side_stats(&r->esk, cfg->cpu_clock);
    format_number(in_unit(w->unit, e.best), eb, sizeof(eb));
    format_number(in_unit(w->unit, e.median), em, sizeof(em));
    stats l = {0, 0, 0};
    if (w->limit != NULL) {
        l = side_stats(&r->limit, cfg->cpu_clock);
        format_number(in_unit(w->unit, l.best), lb, sizeof(lb));
        format_number(in_unit(w->unit, l.median), lm, sizeof(lm));
        snprintf(ratio, sizeof(ratio), "%.2f (%.2f)", l.best / e.best,
                 l.median / e.median);
    }
    if (w->reads) {
        if (w->limit != NULL)
            snprintf(rss, sizeof(rss), "%.1f/%.1f",
                     (double)r->esk.rss_peak_kib / 1024.0,
                     (double)r->limit.rss_peak_kib / 1024.0);
        else
            snprintf(rss, sizeof(rss), "%.1f",
                     (double)r->esk.rss_peak_kib / 1024.0);
    }
    describe_target(w, target, sizeof(target));
    if (w->target != TARGET_NONE) {
        bool best = target_met(w, e.best, l.best);
        bool median = target_met(w, e.median, l.median);
        snprintf(verdict, sizeof(verdict), "%s",
                 best && median ? "met"
                 : best         ? "met (best run only)"
                                : "MISSED");
    }
    printf("%-38s %-10s %12s %12s %12s %12s %12s %11s  %s %s\n", title,
           unit_names[w->unit], eb, em, lb, lm, ratio, rss, target, verdict);
}

static void print_json_stats(const side *s, unit u, bool cpu)
{
    stats st = side_stats(s, cpu);
    const double *runs = cpu ? s->per_op_cpu : s->per_op;
    printf("\"best\":%.6g,\"median\":%.6g,\"worst\":%.6g,\"runs\":[",
           in_unit(u, st.best), in_unit(u, st.median), in_unit(u, st.worst));
    for (int i = 0; i < s->count; i++)
        printf("%s%.6g", i ? "," : "", in_unit(u, runs[i]));
    printf("]");
}

/* Wall-clock figures, then the same in CPU time under "cpu". */
static void print_json_side(const side *s, unit u)
{
    printf("{");
    print_json_stats(s, u, false);
    printf(",\"cpu\":{");
    print_json_stats(s, u, true);
    printf("},\"peak_rss_kib\":%ld,\"rss_at_start_kib\":%ld}", s->rss_peak_kib,
           s->rss_setup_kib);
}

/* Text for a JSON string: the messages are ours, but may quote a path. */
static void print_json_string(const char *text)
{
    putchar('"');
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            printf("\\u%04x", (unsigned char)*p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_json(const result *r, const bench_config *cfg)
{
    const workload *w = r->w;
    char title[96];
    title_of(w, cfg, title, sizeof(title));
    printf("{\"bench\":\"esk\",\"workload\":\"%s\",\"title\":", w->id);
    print_json_string(title);
    printf(",\"unit\":\"%s\",\"ops\":%ld,", unit_names[w->unit], r->ops);
    if (r->esk.failed || (w->limit != NULL && r->limit.failed)) {
        printf("\"failed\":");
        print_json_string(r->esk.failed ? r->esk.error : r->limit.error);
        printf("}\n");
        return;
    }
    printf("\"clock\":\"%s\",\"esk\":", cfg->cpu_clock ? "cpu" : "wall");
    print_json_side(&r->esk, w->unit);
    stats e = side_stats(&r->esk, cfg->cpu_clock);
    stats l = {0, 0, 0};
    if (w->limit != NULL) {
        l = side_stats(&r->limit, cfg->cpu_clock);
        stats ew = side_stats(&r->esk, false),
              lw = side_stats(&r->limit, false);
        stats ec = side_stats(&r->esk, true), lc = side_stats(&r->limit, true);
        printf(",\"limit\":");
        print_json_side(&r->limit, w->unit);
        printf(",\"ratio\":{\"best\":%.4f,\"median\":%.4f,"
               "\"cpu_best\":%.4f,\"cpu_median\":%.4f}",
               lw.best / ew.best, lw.median / ew.median, lc.best / ec.best,
               lc.median / ec.median);
    } else {
        printf(",\"limit\":null,\"ratio\":null");
    }
    if (w->target != TARGET_NONE) {
        char target[64];
        describe_target(w, target, sizeof(target));
        printf(",\"target\":{\"text\":");
        print_json_string(target);
        printf(",\"met\":%s,\"met_median\":%s}",
               target_met(w, e.best, l.best) ? "true" : "false",
               target_met(w, e.median, l.median) ? "true" : "false");
    } else {
        printf(",\"target\":null");
    }
    printf("}\n");
}

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
    for (int run = 0; run < cfg->runs; run++) {
        /* Take turns: whoever went first last time goes second now. */
        for (int turn = 0; turn < 2; turn++) {
            bool esk_turn = (turn == 0) == (run % 2 == 0);
            if (!esk_turn && w->limit == NULL)
                continue;
            bench_sample sample;
            if (esk_turn)
                bench_in_child(w->esk, cfg, w->esk_arg, &sample);
            else
                bench_in_child(w->limit, cfg, w->limit_arg, &sample);
            progress(w, esk_turn ? "esk" : "limit", run, cfg, &sample);
            record(esk_turn ? &r->esk : &r->limit, &sample);
            if (esk_turn && !sample.failed)
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

/* --- Options ---------------------------------------------------------------
 */

static void usage(FILE *out)
{
    fprintf(out,
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
            "  --fold trivial|codec  what reads do with each event (trivial)\n"
            "  --clock wall|cpu      what the table reports: wall-clock time,\n"
            "                        or the CPU time of the measuring process\n"
            "                        (steadier on a busy machine; leaves out\n"
            "                        waiting for the disk) (wall)\n"
            "  --only LIST           workloads whose id starts with one of\n"
            "                        the comma-separated prefixes\n"
            "  --dir DIR             where the databases go ($TMPDIR or /tmp)\n"
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

static bool selected(const char *only, const char *id)
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

typedef struct options {
    bench_config cfg;
    const char *only;
    const char *dir;
    bool list;
} options;

/* 0: go on; 1: done (help, list); 2: wrong usage. */
static int parse_options(int argc, char **argv, options *o)
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

/* --- The report's header ---------------------------------------------------
 */

static void load_average(char *buf, size_t size)
{
    /* Linux only; elsewhere the line just goes without it. */
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = '\0';
    if (f == NULL)
        return;
    double a = 0, b = 0, c = 0;
    if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
        snprintf(buf, size, "%.2f %.2f %.2f", a, b, c);
    fclose(f);
}

static void print_header(const bench_config *cfg)
{
    struct utsname u;
    char when[32] = "?";
    char load[64];
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (uname(&u) != 0)
        memset(&u, 0, sizeof(u));
    load_average(load, sizeof(load));
#ifdef __VERSION__
    const char *compiler = __VERSION__;
#else
    const char *compiler = "unknown compiler";
#endif
#ifdef NDEBUG
    const char *build = "release (NDEBUG)";
#else
    const char *build = "NOT a release build: use the release preset";
#endif
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    printf("esk-bench %s\n", when);
    printf("machine: %s %s %s, %ld CPUs online, load average %s\n", u.sysname,
           u.release, u.machine, cpus, load[0] ? load : "unknown");
    printf("build:   %s, %s; SQLite %s\n", build, compiler,
           sqlite3_libversion());
    printf("sizes:   %ld events over %ld streams, %ld events/tx in batches, "
           "pages of %ld, %ld read passes, %s fold\n",
           cfg->events, cfg->streams, cfg->batch, cfg->page, cfg->passes,
           cfg->fold == BENCH_FOLD_CODEC ? "codec" : "trivial");
    printf("         aggregate of %ld events (%ld loads, %ld from the "
           "snapshot), %ld commands; %d runs per side\n",
           cfg->aggregate_events, cfg->loads, cfg->snapshot_loads,
           cfg->commands, cfg->runs);
    printf("files:   %s; the table shows %s time\n", cfg->dir,
           cfg->cpu_clock ? "CPU" : "wall-clock");
    printf("{\"bench\":\"esk\",\"header\":{\"date\":\"%s\",\"system\":\"%s %s "
           "%s\",\"cpus\":%ld,\"load\":\"%s\",\"sqlite\":\"%s\",\"events\":%ld,"
           "\"streams\":%ld,\"batch\":%ld,\"page\":%ld,\"passes\":%ld,"
           "\"runs\":%d,"
           "\"fold\":\"%s\",\"aggregate_events\":%ld,\"commands\":%ld}}\n",
           when, u.sysname, u.release, u.machine, cpus, load,
           sqlite3_libversion(), cfg->events, cfg->streams, cfg->batch,
           cfg->page, cfg->passes, cfg->runs,
           cfg->fold == BENCH_FOLD_CODEC ? "codec" : "trivial",
           cfg->aggregate_events, cfg->commands);
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
                .fold = BENCH_FOLD_TRIVIAL},
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

    bool any = false, fixture = false;
    for (int i = 0; i < WORKLOAD_COUNT; i++) {
        if (selected(o.only, workloads[i].id)) {
            any = true;
            fixture = fixture || workloads[i].needs_fixture;
        }
    }
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

    print_header(cfg);
    int status = 0;
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
        if (selected(o.only, workloads[i].id))
            run_workload(&workloads[i], cfg, &results[count++]);

    printf("\n%-38s %-10s %12s %12s %12s %12s %12s %11s  %s\n", "workload",
           "unit", "esk best", "esk median", "limit best", "limit median",
           "esk/limit", "RSS MiB", "target");
    for (int i = 0; i < count; i++) {
        print_row(&results[i], cfg);
        if (results[i].esk.failed || results[i].limit.failed)
            status = 1;
    }
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
