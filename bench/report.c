/*
 * bench/report.c - what esk-bench prints: the header that says where and
 * how it ran, the table (best and median of each side, the ratio, the
 * target) and one JSON line per workload.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "runner.h"

static const char *const unit_names[] = {"events/s", "us/load", "ns/command",
                                         "us/query"};

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
    case UNIT_US_PER_QUERY:
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

void title_of(const workload *w, const bench_config *cfg, char *buf,
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

void print_row(const result *r, const bench_config *cfg)
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
    const char *second = w->v4_limit_title != NULL ? w->v4_limit_title
                                                   : "limit with random v4 ids";
    char second_title[64];
    snprintf(second_title, sizeof(second_title), "  ...%s", second);
    if (w->v4_limit != NULL && !r->v4_limit.failed) {
        stats v = side_stats(&r->v4_limit, cfg->cpu_clock);
        format_number(in_unit(w->unit, v.best), lb, sizeof(lb));
        format_number(in_unit(w->unit, v.median), lm, sizeof(lm));
        snprintf(ratio, sizeof(ratio), "%.2f (%.2f)", v.best / e.best,
                 v.median / e.median);
        printf("%-38s %-10s %12s %12s %12s %12s %12s\n", second_title, "", "",
               "", lb, lm, ratio);
    } else if (w->v4_limit != NULL) {
        printf("%s FAILED: %s\n", second_title, r->v4_limit.error);
    }
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

void print_json(const result *r, const bench_config *cfg)
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
    if (w->v4_limit != NULL && !r->v4_limit.failed) {
        stats ew = side_stats(&r->esk, false),
              vw = side_stats(&r->v4_limit, false);
        printf(",\"v4_limit\":");
        print_json_side(&r->v4_limit, w->unit);
        printf(",\"v4_ratio\":{\"best\":%.4f,\"median\":%.4f}",
               vw.best / ew.best, vw.median / ew.median);
    }
    if (r->esk.db_bytes > 0)
        printf(",\"esk_db_bytes\":%ld", r->esk.db_bytes);
    if (r->peer.ran && !r->peer.failed) {
        printf(",\"peer\":{\"name\":\"emmett-sqlite\",\"version\":");
        print_json_string(r->peer.version);
        printf(",\"unit\":\"events/s\",\"runs\":[");
        for (int i = 0; i < r->peer.count; i++)
            printf("%s%.6g", i ? "," : "", r->peer.rate[i]);
        printf("],\"peak_rss_kib\":%ld", r->peer.rss_peak_kib);
        if (r->peer.db_bytes > 0)
            printf(",\"db_bytes\":%ld", r->peer.db_bytes);
        printf("}");
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

/* --- The peer --------------------------------------------------------------
 */

void print_peer_table(const result *results, int count, const bench_config *cfg)
{
    const char *version = "";
    for (int i = 0; i < count; i++)
        if (results[i].peer.version[0] != '\0')
            version = results[i].peer.version;
    printf("\nthe peer, emmett-sqlite %s on Node.js, measured after esk in "
           "each workload (%s time):\n",
           version, "wall-clock");
    printf("%-38s %12s %12s %12s %12s %12s %13s\n", "workload", "esk best",
           "esk median", "peer best", "peer median", "esk/peer",
           "RSS MiB esk/peer");
    long esk_bytes = 0, peer_bytes = 0;
    for (int i = 0; i < count; i++) {
        const result *r = &results[i];
        char title[96], eb[32], em[32], pb[32], pm[32];
        if (!r->peer.ran)
            continue;
        title_of(r->w, cfg, title, sizeof(title));
        if (r->peer.failed || r->esk.failed) {
            printf("%-38s peer: %s\n", title,
                   r->peer.failed ? r->peer.note : r->esk.error);
            continue;
        }
        /* Wall clock on both sides: the peer's CPU time is not known. */
        stats e = side_stats(&r->esk, false);
        double best, median;
        peer_stats(&r->peer, &best, &median);
        format_number(1.0 / e.best, eb, sizeof(eb));
        format_number(1.0 / e.median, em, sizeof(em));
        format_number(best, pb, sizeof(pb));
        format_number(median, pm, sizeof(pm));
        char ratio[32], rss[32];
        snprintf(ratio, sizeof(ratio), "%.1f (%.1f)", (1.0 / e.best) / best,
                 (1.0 / e.median) / median);
        snprintf(rss, sizeof(rss), "%.1f/%.1f",
                 (double)r->esk.rss_peak_kib / 1024.0,
                 (double)r->peer.rss_peak_kib / 1024.0);
        printf("%-38s %12s %12s %12s %12s %12s %13s\n", title, eb, em, pb, pm,
               ratio, rss);
        if (strcmp(r->w->id, "sqlite.append_batch") == 0) {
            esk_bytes = r->esk.db_bytes;
            peer_bytes = r->peer.db_bytes;
        }
    }
    if (esk_bytes > 0 && peer_bytes > 0)
        printf("database file per 100,000 events, after the batched "
               "append: esk %.1f MiB, emmett-sqlite %.1f MiB\n",
               (double)esk_bytes * 100000.0 / (double)cfg->events / 1048576.0,
               (double)peer_bytes * 100000.0 / (double)cfg->events / 1048576.0);
}

/* --- The report's header ---------------------------------------------------
 */

void load_average(char *buf, size_t size)
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

void print_header(const bench_config *cfg)
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
