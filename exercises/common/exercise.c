/*
 * exercises/common/exercise.c - stubs' TODO messages and tests' hints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/store.h>

#include "exercise.h"

/* The part of a source path from "exercises/" or "solutions/" on, so that
 * messages name files the way the README does. */
static const char *repo_path(const char *file)
{
    const char *roots[] = {"exercises/", "solutions/"};
    for (size_t i = 0; i < 2; i++) {
        const char *at = strstr(file, roots[i]);
        if (at != NULL)
            return at;
    }
    return file;
}

esk_status exercise_todo(const char *function, const char *file)
{
    /* Once per function: a test may call it many times. */
    static const char *told[64];
    static size_t told_count;
    for (size_t i = 0; i < told_count; i++)
        if (told[i] == function)
            return ESK_ENOTIMPL;
    if (told_count < sizeof(told) / sizeof(told[0]))
        told[told_count++] = function;
    print_message("TODO: write %s() in %s\n", function, repo_path(file));
    return ESK_ENOTIMPL;
}

static void report(const char *hint, const char *file, int line,
                   const char *format, ...)
{
    va_list args;
    char what[1024];
    va_start(args, format);
    vsnprintf(what, sizeof(what), format, args);
    va_end(args);
    print_error("%s\n", what);
    if (hint != NULL && hint[0] != '\0')
        print_error("HINT: %s\n", hint);
    _fail(repo_path(file), line);
}

void exercise_expect_true(bool condition, const char *what, const char *hint,
                          const char *file, int line)
{
    if (!condition)
        report(hint, file, line, "expected %s to be true", what);
}

void exercise_expect_int(int64_t actual, int64_t expected, const char *what,
                         const char *hint, const char *file, int line)
{
    if (actual != expected)
        report(hint, file, line, "%s is %lld, expected %lld", what,
               (long long)actual, (long long)expected);
}

void exercise_expect_string(const char *actual, const char *expected,
                            const char *what, const char *hint,
                            const char *file, int line)
{
    if (actual == NULL || strcmp(actual, expected) != 0)
        report(hint, file, line, "%s is\n    %s%s%s\nexpected\n    \"%s\"",
               what, actual ? "\"" : "", actual ? actual : "NULL",
               actual ? "\"" : "", expected);
}

void exercise_expect_contains(const char *text, const char *part,
                              const char *what, const char *hint,
                              const char *file, int line)
{
    if (text == NULL || strstr(text, part) == NULL)
        report(hint, file, line,
               "%s is\n    \"%s\"\nand does not contain\n"
               "    \"%s\"",
               what, text ? text : "(NULL)", part);
}

void exercise_expect_status(esk_status actual, esk_status expected,
                            const char *what, const char *hint,
                            const char *file, int line)
{
    if (actual == expected)
        return;
    if (actual == ESK_ENOTIMPL)
        report(hint, file, line,
               "%s is ESK_ENOTIMPL: the function is still a stub (see the "
               "TODO above)",
               what);
    else
        report(hint, file, line, "%s is %d (%s), expected %d (%s)", what,
               (int)actual, esk_status_str(actual), (int)expected,
               esk_status_str(expected));
}

static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}

static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}

static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

void exercise_check_leaks(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);
}

static bool verbose(void)
{
    const char *v = getenv("EXERCISE_VERBOSE");
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

static void print_events(void *ctx, const esk_event *events, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        printf("    event  %s v%lld @%lld %s %s\n", events[i].stream_id,
               (long long)events[i].version, (long long)events[i].position,
               events[i].type, events[i].data);
}

void exercise_watch_store(struct esk_store *store)
{
    if (verbose() && store != NULL)
        esk_store_subscribe(store, print_events, NULL);
}

void exercise_say(const char *format, ...)
{
    if (!verbose())
        return;
    va_list args;
    va_start(args, format);
    printf("    ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
}
