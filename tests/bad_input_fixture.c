/*
 * tests/bad_input_fixture.c - a temporary folder, both stores with a
 * fixed clock, and whole files read and written as bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "bad_input_fixture.h"
#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/store.h"
#include "esk/store_backend.h"
#include "esk/upcast.h"

/* ---- Helpers ------------------------------------------------------------ */

char temp_dir[64];

void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", temp_dir, name);
}

void remove_store_files(const char *path)
{
    char name[160];
    unlink(path);
    snprintf(name, sizeof(name), "%s-wal", path);
    unlink(name);
    snprintf(name, sizeof(name), "%s-shm", path);
    unlink(name);
}

void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* 2026-11-27T09:00:00Z: every recorded_at is known, so a file is the same
 * bytes from run to run. */
static esk_time fixed_clock(void *ctx)
{
    (void)ctx;
    return INT64_C(1795770000000000);
}

esk_store_options options(void)
{
    esk_store_options o = ESK_STORE_OPTIONS_INIT;
    o.clock = fixed_clock;
    return o;
}

esk_store *open_sqlite(const char *path)
{
    esk_store *store = NULL;
    esk_store_options o = options();
    if (esk_store_open_sqlite(&store, path, &o) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

const backend backends[] = {MEMORY, SQLITE};

esk_store *open_backend(backend b)
{
    if (b == SQLITE)
        return open_sqlite(":memory:");
    esk_store *store = NULL;
    esk_store_options o = options();
    assert_int_equal(esk_store_open_memory(&store, &o), ESK_OK);
    return store;
}

int64_t head_of(esk_store *store)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    return head;
}

esk_status append1(esk_store *store, const char *stream, const char *id,
                   const char *type, const char *data)
{
    esk_new_event e = {id, type, 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, &e, 1, NULL);
}

/* A file's bytes; the caller frees them. */
char *read_whole(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *bytes = malloc((size_t)n);
    assert_non_null(bytes);
    assert_int_equal(fread(bytes, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return bytes;
}

void write_whole(const char *path, const char *bytes, size_t size)
{
    remove_store_files(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, size, f), size);
    fclose(f);
}
