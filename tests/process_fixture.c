/*
 * tests/process_fixture.c - scratch folders, reaped children, seeds and
 * pipes of records for the crash and contention tests.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/status.h"
#include "process_fixture.h"

/* ---- The scratch folder -------------------------------------------------- */

static process_scratch the_scratch;

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *entry;
            while ((entry = readdir(d)) != NULL) {
                if (strcmp(entry->d_name, ".") == 0 ||
                    strcmp(entry->d_name, "..") == 0)
                    continue;
                char child[512];
                snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

int process_setup(void **state)
{
    snprintf(the_scratch.dir, sizeof the_scratch.dir,
             "/tmp/esk-process-XXXXXX");
    if (mkdtemp(the_scratch.dir) == NULL) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    *state = &the_scratch;
    return 0;
}

int process_teardown(void **state)
{
    (void)state;
    process_kill_all();
    remove_tree(the_scratch.dir);
    return 0;
}

void process_path(const process_scratch *scratch, const char *name, char *buf,
                  size_t size)
{
    snprintf(buf, size, "%s/%s", scratch->dir, name);
}

/* ---- Long form and seeds ------------------------------------------------- */

bool process_long_form(void)
{
    const char *value = getenv("ESK_TEST_LONG");
    return value != NULL && strcmp(value, "1") == 0;
}

uint64_t process_seed(const char *test_name)
{
    uint64_t seed;
    const char *given = getenv("ESK_TEST_SEED");
    if (given != NULL && given[0] != '\0') {
        seed = strtoull(given, NULL, 10);
    } else {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        seed = (uint64_t)now.tv_sec * 1000003u ^ (uint64_t)now.tv_nsec ^
               (uint64_t)getpid() << 32;
        seed %= 1000000000u; /* short enough to type */
    }
    printf("%s: seed %llu (replay with ESK_TEST_SEED=%llu)\n", test_name,
           (unsigned long long)seed, (unsigned long long)seed);
    fflush(stdout);
    return seed;
}

void process_rng_init(process_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t process_rng_next(process_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

uint64_t process_rng_below(process_rng *rng, uint64_t n)
{
    /* The bias of a plain modulo is far below anything a test notices. */
    return process_rng_next(rng) % n;
}

/* ---- Children ------------------------------------------------------------ */

enum { CHILDREN_MAX = 64 };
static pid_t live[CHILDREN_MAX];
static size_t live_count;

static void forget(pid_t pid)
{
    for (size_t i = 0; i < live_count; i++) {
        if (live[i] == pid) {
            live[i] = live[--live_count];
            return;
        }
    }
}

pid_t process_spawn(int (*child_main)(void *ctx), void *ctx,
                    unsigned alarm_seconds)
{
    assert_true(live_count < CHILDREN_MAX);
    /* Whatever stdio holds would otherwise be printed twice. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        /* cmocka catches these to report a crashing test; in a child they
         * would jump back into the test runner. */
        static const int caught[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS};
        for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++)
            signal(caught[i], SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        alarm(alarm_seconds);
        esk_set_allocator(NULL);
        _exit(child_main(ctx));
    }
    live[live_count++] = pid;
    return pid;
}

int process_wait(pid_t pid)
{
    int status = 0;
    pid_t got;
    do {
        got = waitpid(pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    forget(pid);
    if (got != pid)
        fail_msg("waitpid(%d): %s", (int)pid, strerror(errno));
    return status;
}

int process_kill(pid_t pid)
{
    kill(pid, SIGKILL);
    return process_wait(pid);
}

void process_kill_all(void)
{
    while (live_count > 0) {
        pid_t pid = live[live_count - 1];
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        forget(pid);
    }
}

const char *process_describe(int status, char *buf, size_t size)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exited with %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, size, "ended with wait status %d", status);
    return buf;
}

/* ---- Pipes and time ------------------------------------------------------ */

bool process_write_all(int fd, const void *buf, size_t size)
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

ssize_t process_read_record(int fd, void *buf, size_t size)
{
    char *p = buf;
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            return got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

bool process_readable(int fd, int64_t timeout_us)
{
    fd_set set;
    FD_ZERO(&set);
    FD_SET(fd, &set);
    struct timeval tv = {(time_t)(timeout_us / 1000000),
                         (suseconds_t)(timeout_us % 1000000)};
    int n;
    do {
        n = select(fd + 1, &set, NULL, NULL, &tv);
    } while (n < 0 && errno == EINTR);
    return n > 0;
}

int64_t process_now_us(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

void process_sleep_us(int64_t us)
{
    struct timespec left = {(time_t)(us / 1000000),
                            (long)(us % 1000000) * 1000};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}
