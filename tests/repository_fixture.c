/*
 * tests/repository_fixture.c - what the repository tests share: a store
 * and a repository on it, and workshops saved and loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"
#include "repository_fixture.h"

open_fn open_store;

/* snapshot_every 0: no snapshots. */
void open_fixture(fixture *f, int snapshot_every,
                  const esk_upcasters *upcasters)
{
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    options.snapshot_every = snapshot_every;
    options.upcasters = upcasters;
    f->store = NULL;
    f->repo = NULL;
    assert_int_equal(open_store(&f->store), ESK_OK);
    assert_int_equal(
        esk_repository_new(&f->repo, f->store, &workshop_type, &options),
        ESK_OK);
}

void close_fixture(fixture *f)
{
    esk_repository_free(f->repo);
    esk_store_free(f->store);
}

void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* The state's own bytes, after the esk_aggregate member. */
void assert_same_state(const workshop *a, const workshop *b)
{
    assert_memory_equal((const char *)a + sizeof(esk_aggregate),
                        (const char *)b + sizeof(esk_aggregate),
                        sizeof(workshop) - sizeof(esk_aggregate));
}

/* Register n attendees of one seat each, saving every `per_save`. */
void register_and_save(fixture *f, workshop *w, int n, int per_save)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "attendee %d", i);
        assert_int_equal(workshop_register(w, name, 1), ESK_OK);
        if ((i + 1) % per_save == 0 || i + 1 == n)
            assert_int_equal(esk_repository_save(f->repo, w, NULL, NULL),
                             ESK_OK);
    }
}

/* Stream workshop-<id>: scheduled with room for 5000, then n attendees,
 * saved in batches of per_save. */
void save_workshop(fixture *f, const char *id, int n, int per_save)
{
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, id), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES in C", 5000), ESK_OK);
    assert_int_equal(esk_repository_save(f->repo, &w, NULL, NULL), ESK_OK);
    register_and_save(f, &w, n, per_save);
    esk_aggregate_release(&w);
}

void load(fixture *f, const char *id, workshop *w)
{
    memset(w, 0, sizeof(*w));
    esk_status rc = esk_repository_load(f->repo, id, w);
    if (rc != ESK_OK)
        fail_msg("loading %s: %s", id, esk_errmsg());
}

int64_t stream_version(fixture *f, const char *stream)
{
    int64_t v = -1;
    assert_int_equal(esk_store_stream_version(f->store, stream, &v), ESK_OK);
    return v;
}
