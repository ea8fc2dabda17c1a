/*
 * tests/test_store_conformance.c - the conformance suite on every backend.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conformance/conformance.h"

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
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

static esk_status open_memory(esk_store **out, const esk_store_options *o,
                              void *ctx)
{
    (void)ctx;
    return esk_store_open_memory(out, o);
}

static esk_status open_sqlite_memory(esk_store **out,
                                     const esk_store_options *o, void *ctx)
{
    (void)ctx;
    return esk_store_open_sqlite(out, ":memory:", o);
}

/* Each test gets a new file in one temporary folder. */
typedef struct file_backend {
    char dir[64];
    int next;
} file_backend;

static esk_status open_sqlite_file(esk_store **out, const esk_store_options *o,
                                   void *ctx)
{
    file_backend *fb = ctx;
    char path[128];
    snprintf(path, sizeof(path), "%s/store-%d.db", fb->dir, fb->next++);
    esk_status rc = esk_store_open_sqlite(out, path, o);
    if (rc != ESK_OK)
        fprintf(stderr, "opening %s: %s\n", path, esk_errmsg());
    return rc;
}

int main(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    file_backend fb = {"/tmp/esk-conformance-XXXXXX", 0};
    if (mkdtemp(fb.dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    const esk_conformance_backend backends[] = {
        {"memory", open_memory, NULL},
        {"sqlite :memory:", open_sqlite_memory, NULL},
        {"sqlite file", open_sqlite_file, &fb},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
        failures += esk_conformance_run(&backends[i]) +
                    esk_conformance_run_tags(&backends[i]) +
                    esk_conformance_run_closed(&backends[i]);

    char command[128];
    snprintf(command, sizeof(command), "rm -rf '%s'", fb.dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", fb.dir);
    return failures == 0 ? 0 : 1;
}
