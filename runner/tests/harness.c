/*
 * runner/tests/harness.c - a throwaway kit and the runner run on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../fs.h"
#include "../text.h"
#include "harness.h"

static const char *runner;
static const char *fixture;
static const char *generator;
static const char *compiler;

void harness_init(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr,
                "usage: %s RUNNER FIXTURE GENERATOR C_COMPILER (ctest "
                "passes them)\n",
                argv[0]);
        exit(2);
    }
    runner = argv[1];
    fixture = argv[2];
    generator = argv[3];
    compiler = argv[4];
    /* One test, or a few, by a pattern of their names: while working on
     * them, the others need not run. */
    const char *only = getenv("RUNNER_TESTS");
    if (only != NULL && only[0] != '\0')
        cmocka_set_test_filter(only);
    /* A broken pipe is an error to report, not a reason to die. */
    signal(SIGPIPE, SIG_IGN);
}

const char *harness_runner(void)
{
    return runner;
}

int harness_system(const char *const *argv, const char *cwd)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (cwd != NULL && chdir(cwd) != 0)
            _exit(127);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int kit_create(kit *k)
{
    return kit_create_without(k, NULL);
}

int kit_create_without(kit *k, const char *removed)
{
    memset(k, 0, sizeof(*k));
    const char *tmp = getenv("TMPDIR");
    char *pattern =
        kata_format("%s/kata-runner-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(pattern) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", pattern, strerror(errno));
        free(pattern);
        return -1;
    }
    /* The resolved path (macOS's /tmp is a link to /private/tmp), as the
     * runner and the compiler will see it. */
    k->dir = kata_absolute(pattern);
    free(pattern);
    if (k->dir == NULL)
        return -1;
    k->root = kata_path(k->dir, "kit");
    k->build = kata_path(k->root, "build/dev");
    char *from = kata_path(fixture, ".");
    const char *copy[] = {"cp", "-R", from, k->root, NULL};
    int rc = harness_system(copy, NULL);
    free(from);
    if (rc != 0) {
        fprintf(stderr, "could not copy %s to %s\n", fixture, k->root);
        return -1;
    }
    if (removed != NULL) {
        char *path = kata_path(k->root, removed);
        const char *rm[] = {"rm", "-rf", path, NULL};
        rc = harness_system(rm, NULL);
        free(path);
        if (rc != 0)
            return -1;
    }
    char *cc = kata_format("-DCMAKE_C_COMPILER=%s", compiler);
    const char *configure[] = {"cmake", "-S",      k->root, "-B", k->build,
                               "-G",    generator, cc,      NULL};
    rc = harness_system(configure, NULL);
    free(cc);
    if (rc != 0) {
        fprintf(stderr, "could not configure the fixture in %s\n", k->build);
        return -1;
    }
    return 0;
}

void kit_destroy(kit *k)
{
    if (k->dir != NULL && getenv("KATA_TEST_KEEP") == NULL) {
        const char *rm[] = {"rm", "-rf", k->dir, NULL};
        harness_system(rm, NULL);
    }
    free(k->dir);
    free(k->root);
    free(k->build);
    memset(k, 0, sizeof(*k));
}

outcome kit_run(const kit *k, const char *input, const char *const *env, ...)
{
    const char *argv[32] = {runner, "--root", k->root, "--build", k->build};
    size_t n = 5;
    va_list args;
    va_start(args, env);
    const char *a;
    while ((a = va_arg(args, const char *)) != NULL && n < 31)
        argv[n++] = a;
    va_end(args);
    argv[n] = NULL;

    outcome o = {-1, NULL};
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return o;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        setenv("NO_COLOR", "1", 1);
        for (; env != NULL && *env != NULL; env++) {
            char *name = kata_xstrdup(*env);
            char *eq = strchr(name, '=');
            if (eq != NULL) {
                *eq = '\0';
                setenv(name, eq + 1, 1);
            }
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (input != NULL) {
        ssize_t ignored = write(in[1], input, strlen(input));
        (void)ignored;
    }
    close(in[1]);
    kata_buf b = {0};
    char chunk[4096];
    ssize_t got;
    while ((got = read(out[0], chunk, sizeof(chunk))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        kata_buf_add(&b, chunk, (size_t)got);
    }
    close(out[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.out = kata_buf_take(&b);
    return o;
}

void outcome_free(outcome *o)
{
    free(o->out);
    o->out = NULL;
}

void kit_write(const kit *k, const char *path, const char *text)
{
    char *full = kata_path(k->root, path);
    if (kata_write_file(full, text, strlen(text)) != 0) {
        fprintf(stderr, "%s\n", kata_errmsg());
        abort();
    }
    free(full);
}

char *kit_read(const kit *k, const char *path)
{
    char *full = kata_path(k->root, path);
    char *text = NULL;
    if (kata_read_file(full, &text, NULL) != 0)
        text = kata_xstrdup("");
    free(full);
    return text;
}

void kit_copy(const kit *k, const char *from, const char *to)
{
    char *text = kit_read(k, from);
    kit_write(k, to, text);
    free(text);
}

bool kit_exists(const kit *k, const char *path)
{
    char *full = kata_path(k->root, path);
    bool there = kata_exists(full);
    free(full);
    return there;
}

bool contains(const outcome *o, const char *text)
{
    if (o->out != NULL && strstr(o->out, text) != NULL)
        return true;
    fprintf(
        stderr,
        "---- expected \"%s\" in the runner's output (exit %d):\n%s\n----\n",
        text, o->code, o->out ? o->out : "(nothing)");
    return false;
}
