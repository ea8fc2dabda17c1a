/*
 * bench/measure.c - clocks, peak RSS, child processes, files.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu_now(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long bench_peak_rss_kib(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return -1;
#ifdef __APPLE__
    return (long)(usage.ru_maxrss / 1024); /* bytes on macOS */
#else
    return (long)usage.ru_maxrss; /* KiB on Linux and the BSDs */
#endif
}

void bench_start(bench_sample *sample)
{
    sample->rss_setup_kib = bench_peak_rss_kib();
    sample->cpu_started = bench_cpu_now();
    sample->started = bench_now();
}

void bench_stop(bench_sample *sample, long ops)
{
    sample->seconds = bench_now() - sample->started;
    sample->cpu_seconds = bench_cpu_now() - sample->cpu_started;
    sample->ops = ops;
    sample->rss_peak_kib = bench_peak_rss_kib();
}

bool bench_fail(bench_sample *sample, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(sample->error, sizeof(sample->error), format, args);
    va_end(args);
    sample->failed = true;
    return false;
}

/* Write all of buf, through short writes and signals. */
static bool write_all(int fd, const void *buf, size_t size)
{
    const char *p = buf;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= (size_t)n;
    }
    return true;
}

static size_t read_all(int fd, void *buf, size_t size)
{
    char *p = buf;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

bool bench_in_child(bench_fn fn, const bench_config *cfg, const char *arg,
                    bench_sample *sample)
{
    int fds[2];
    memset(sample, 0, sizeof(*sample));
    if (pipe(fds) != 0)
        return bench_fail(sample, "pipe: %s", strerror(errno));
    /* Whatever stdio holds would otherwise be written twice. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return bench_fail(sample, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        bench_sample own;
        memset(&own, 0, sizeof(own));
        fn(cfg, arg, &own);
        _exit(write_all(fds[1], &own, sizeof(own)) ? 0 : 1);
    }
    close(fds[1]);
    size_t got = read_all(fds[0], sample, sizeof(*sample));
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (got != sizeof(*sample)) {
        memset(sample, 0, sizeof(*sample));
        if (WIFSIGNALED(status))
            return bench_fail(sample, "the measuring process died of signal %d",
                              WTERMSIG(status));
        return bench_fail(sample,
                          "the measuring process reported nothing "
                          "(exit status %d)",
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    return !sample->failed;
}

void bench_path(const bench_config *cfg, char *buf, size_t size,
                const char *name)
{
    snprintf(buf, size, "%s/%s", cfg->dir, name);
}

long bench_db_bytes(const char *path)
{
    char wal[BENCH_PATH_MAX + 8];
    struct stat st;
    long total = 0;
    snprintf(wal, sizeof(wal), "%s-wal", path);
    if (stat(path, &st) == 0)
        total += (long)st.st_size;
    if (stat(wal, &st) == 0)
        total += (long)st.st_size;
    return total;
}

void bench_remove_db(const char *path)
{
    char extra[BENCH_PATH_MAX + 8];
    unlink(path);
    snprintf(extra, sizeof(extra), "%s-wal", path);
    unlink(extra);
    snprintf(extra, sizeof(extra), "%s-shm", path);
    unlink(extra);
}

bool bench_copy_file(const char *from, const char *to, bench_sample *sample)
{
    static char buf[1 << 16];
    bool ok = false;
    int in = open(from, O_RDONLY);
    int out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0) {
        bench_fail(sample, "copying %s to %s: %s", from, to, strerror(errno));
        goto done;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            bench_fail(sample, "reading %s: %s", from, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        if (!write_all(out, buf, (size_t)n)) {
            bench_fail(sample, "writing %s: %s", to, strerror(errno));
            goto done;
        }
    }
    ok = true;
done:
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return ok;
}
