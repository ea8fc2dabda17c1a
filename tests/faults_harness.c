/*
 * tests/faults_harness.c - every public operation, run out of memory at
 * every allocation it makes.
 *
 * One harness (this file), one table of scenarios for each part of the
 * API (faults_store.c, faults_codec.c, faults_commands.c,
 * faults_projections.c), sharing the rooms domain (faults_domain.c) and
 * the fixture (faults_fixture.[ch]). test_faults.c runs every table on the
 * memory and SQLite stores; test_postgres_alloc_faults.c runs the store's
 * on PostgreSQL. For each scenario and each k = 1,
 * 2, 3, ... the k-th allocation of the operation fails (esk's own, and
 * jansson's, which follow esk's allocator hook), until a run makes fewer
 * than k allocations and so succeeds without any injected failure. Every
 * run must:
 *
 *   - return ESK_ENOMEM, or the other clean status its header documents
 *     for a failure of that kind, with a message that says "out of
 *     memory" - never crash;
 *   - leak nothing: a counting allocator sees every block freed once the
 *     scenario's objects are freed;
 *   - leave nothing half-written: with the allocator restored, the store
 *     (reopened from its file on SQLite) holds exactly what it held before
 *     the operation, or exactly what a run without failure leaves, and the
 *     operation's outputs are either untouched or exactly those of a run
 *     without failure. A result that "succeeds" with damaged output (which
 *     jansson can produce after a failed allocation) fails this check.
 *
 * SQLite's own allocations do not go through esk's hook, so SQLite's out of
 * memory paths are not reached here; SQLite tests those itself, and esk
 * maps SQLITE_NOMEM to ESK_ENOMEM.
 *
 * The focused allocation loops of test_event, test_codec, test_decider,
 * test_command_bus, test_aggregate, test_repository and test_testing stay
 * where they are, next to the behaviour they test; this file is the one
 * sweep over the whole public API with the same checks everywhere.
 *
 * By default each allocation fails alone (the next one succeeds again).
 * ESK_TEST_LONG=1 also runs every scenario with every allocation from the
 * k-th on failing, which reaches the cleanup paths that themselves
 * allocate. ESK_FAULTS_ONLY='sqlite: *' runs the scenarios whose names
 * match (cmocka's test filter), to replay one failure.
 *
 * A rebuild of a catch-up projection is the one scenario that is not one
 * unit of work: it may stop after its reset, with the read model and its
 * checkpoint consistent (model_follows_checkpoint). A save whose snapshot
 * could not be written succeeds with a note: the one documented partial
 * outcome (observe_save).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* ---- The harness --------------------------------------------------------- */

typedef struct outcome {
    esk_status rc;
    bool injected;
    long allocations;
    char *state;
    char *observed;
} outcome;

/* Set up a fresh world, run the operation with allocation k failing (0:
 * none), and describe what it left, with the allocator restored. */
static void attempt(const scenario *sc, long k, bool all_after, outcome *out,
                    const char *expected_before, const char *observed_before)
{
    fx f;
    long live = live_blocks;
    fx_init(&f, sc->backend);
    if (sc->setup != NULL)
        sc->setup(&f);
    if (expected_before != NULL) {
        char *before = store_state(&f);
        if (strcmp(before, expected_before) != 0)
            fail_msg("%s: the setup is not deterministic:\n%s\n---\n%s",
                     sc->name, before, expected_before);
        free(before);
    }
    text t = {NULL, 0, 0};
    sc->observe(&f, false, &t);
    char *untouched = take(&t);
    if (observed_before != NULL && strcmp(untouched, observed_before) != 0)
        fail_msg("%s: the setup is not deterministic: %s / %s", sc->name,
                 untouched, observed_before);

    arm(k, all_after);
    out->rc = sc->act(&f);
    disarm();
    out->injected = injected;
    out->allocations = allocations;

    const char *message = sc->message != NULL ? sc->message(&f) : NULL;
    if (out->rc != ESK_OK && out->rc != ESK_ENOMEM && out->rc != sc->also)
        fail_msg("%s, allocation %ld failing: status %d (%s): %s", sc->name, k,
                 (int)out->rc, esk_status_str(out->rc),
                 message != NULL ? message : "");
    if (out->rc != ESK_OK && message != NULL &&
        strstr(message, "out of memory") == NULL)
        fail_msg("%s, allocation %ld failing: the message does not say "
                 "\"out of memory\": \"%s\"",
                 sc->name, k, message);

    sc->observe(&f, out->rc == ESK_OK, &t);
    out->observed = take(&t);
    if (sc->consistent != NULL)
        sc->consistent(&f);
    if (out->rc != ESK_OK && strcmp(out->observed, untouched) != 0)
        fail_msg("%s, allocation %ld failing: the failed call changed its "
                 "outputs:\n%s\n---\nwas:\n%s",
                 sc->name, k, out->observed, untouched);
    free(untouched);
    out->state = store_state(&f);
    fx_close(&f);
    if (live_blocks != live)
        fail_msg("%s, allocation %ld failing: %ld blocks leaked", sc->name, k,
                 live_blocks - live);
}

/* The length of a store state's events (and head), before its records
 * and tables. */
static size_t events_length(const char *state)
{
    const char *record = strstr(state, "\nrecord ");
    const char *table = strstr(state, "\ntable ");
    if (record != NULL)
        return (size_t)(record - state);
    if (table != NULL)
        return (size_t)(table - state);
    return strlen(state);
}

static bool same_events(const char *a, const char *b)
{
    size_t len = events_length(a);
    return len == events_length(b) && memcmp(a, b, len) == 0;
}

static void sweep(const scenario *sc, bool all_after)
{
    /* A run without failure: how many allocations, and what is done. */
    fx f;
    fx_init(&f, sc->backend);
    if (sc->setup != NULL)
        sc->setup(&f);
    char *before = store_state(&f);
    text t = {NULL, 0, 0};
    sc->observe(&f, false, &t);
    char *observed_before = take(&t);
    fx_close(&f);

    outcome done;
    attempt(sc, 0, false, &done, before, observed_before);
    if (done.rc != ESK_OK)
        fail_msg("%s: fails without any failed allocation", sc->name);

    long k = 1;
    for (;; k++) {
        outcome o;
        attempt(sc, k, all_after, &o, before, observed_before);
        bool matches_before = strcmp(o.state, before) == 0;
        bool matches_done = strcmp(o.state, done.state) == 0;
        bool consistent = sc->consistent != NULL &&
                          same_events(o.state, before) &&
                          same_events(o.state, done.state);
        if (!matches_before && !matches_done && !consistent)
            fail_msg("%s, allocation %ld failing (status %d): the store is "
                     "half-written:\n%s\n--- before:\n%s\n--- done:\n%s",
                     sc->name, k, (int)o.rc, o.state, before, done.state);
        if (o.rc == ESK_OK) {
            if (!matches_done || strcmp(o.observed, done.observed) != 0)
                fail_msg("%s, allocation %ld failing: succeeded with other "
                         "results:\n%s\n%s\n--- without failure:\n%s\n%s",
                         sc->name, k, o.observed, o.state, done.observed,
                         done.state);
        }
        free(o.state);
        free(o.observed);
        if (!o.injected)
            break;
        if (k > 100000)
            fail_msg("%s: more than 100000 allocations", sc->name);
    }
    /* Every run up to the last made at least one allocation fail. */
    if (k <= done.allocations)
        fail_msg("%s: the sweep stopped at allocation %ld of %ld", sc->name, k,
                 done.allocations);
    free(done.state);
    free(done.observed);
    free(before);
    free(observed_before);
}

static bool long_form;

static void every_allocation_failure_is_clean(void **state)
{
    const scenario *sc = *state;
    sweep(sc, false);
    if (long_form)
        sweep(sc, true);
}

static void remove_temp_dir(void)
{
    char name[160];
    snprintf(name, sizeof(name), "%s/store.db", temp_dir);
    remove_store_files(name);
    rmdir(temp_dir);
}

/* Room for every part's scenarios. */
enum { MAX_SCENARIOS = 128 };

int faults_run(const char *name, const faults_part *parts, size_t n_parts)
{
    const char *only = getenv("ESK_FAULTS_ONLY");
    if (only != NULL)
        cmocka_set_test_filter(only);
    const char *env = getenv("ESK_TEST_LONG");
    long_form = env != NULL && strcmp(env, "1") == 0;
    const esk_allocator counting = {counting_malloc, counting_realloc,
                                    counting_free};
    esk_set_allocator(&counting);

    /* Thousands of small databases are made and synced: in memory when
     * the system offers a folder there (Linux's /dev/shm). */
    const char *tmp = getenv("TMPDIR");
    if (access("/dev/shm", W_OK) == 0)
        tmp = "/dev/shm";
    snprintf(temp_dir, sizeof(temp_dir), "%s/esk-faults-XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    static struct CMUnitTest tests[MAX_SCENARIOS];
    size_t count = 0;
    for (size_t p = 0; p < n_parts; p++)
        for (size_t i = 0; i < parts[p].count; i++, count++)
            if (count < MAX_SCENARIOS)
                tests[count] = (struct CMUnitTest){
                    parts[p].list[i].name, every_allocation_failure_is_clean,
                    NULL, NULL, (void *)&parts[p].list[i]};
    if (count > MAX_SCENARIOS) {
        fprintf(stderr, "%zu scenarios: raise MAX_SCENARIOS\n", count);
        return 1;
    }
    char group[160];
    snprintf(group, sizeof group, "%s: %s", name,
             long_form ? "every allocation failing, alone and from there on"
                       : "every allocation failing");
    int failures = _cmocka_run_group_tests(group, tests, count, NULL, NULL);
    remove_temp_dir();
    return failures;
}
