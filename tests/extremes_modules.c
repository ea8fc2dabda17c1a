/*
 * tests/extremes_modules.c - the modules over the store at their
 * extremes: catch-up, snapshots, upcasters, deciders, aggregates and the
 * repository.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "aggregate_fixture.h"
#include "esk/decider.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"
#include "extremes_fixture.h"

/* ---- Modules over the store -------------------------------------------- */

typedef struct counter {
    size_t handled;
} counter;

static esk_status count_event(void *ctx, esk_store *store,
                              const esk_event *event)
{
    (void)store;
    (void)event;
    ((counter *)ctx)->handled++;
    return ESK_OK;
}

void catchup_agrees_with_any_batch_size(void **state)
{
    (void)state;
    /* 0 is refused, alike. */
    for (size_t c = 0; c < COUNT(sizes); c++) {
        both b;
        both_open(&b);
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            counter seen = {0};
            const esk_projection projection = {.name = "counter",
                                               .version = 1,
                                               .handle = count_event,
                                               .ctx = &seen};
            esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
            options.batch_size = sizes[c];
            esk_catchup *runner = NULL;
            esk_catchup_status st = {0, 0, 0, 0, false, 0};
            o[k].status =
                esk_catchup_new(&runner, b.store[k], &projection, &options);
            if (o[k].status == ESK_OK)
                o[k].status = esk_catchup_run(runner, &st);
            snprintf(o[k].summary, sizeof o[k].summary,
                     "%zu handled, checkpoint %lld", seen.handled,
                     (long long)st.checkpoint);
            esk_catchup_free(runner);
        }
        char call[64];
        snprintf(call, sizeof call, "catch-up with batch_size %zu", sizes[c]);
        assert_same(o, call);
        both_close(&b);
    }
}

/* Checkpoints are records anyone may write, so a catch-up meets any
 * number and version there. */
void catchup_agrees_from_any_stored_checkpoint(void **state)
{
    (void)state;
    for (size_t p = 0; p < COUNT(int64s); p++)
        for (size_t v = 0; v < COUNT(ints); v++) {
            both b;
            both_open(&b);
            outcome o[2], s[2];
            for (int k = 0; k < 2; k++) {
                counter seen = {0};
                const esk_projection projection = {.name = "counter",
                                                   .version = 1,
                                                   .handle = count_event,
                                                   .ctx = &seen};
                const esk_record checkpoint = {"counter", int64s[p], ints[v],
                                               "{}"};
                assert_int_equal(esk_store_put_record(b.store[k],
                                                      ESK_RECORD_CHECKPOINT,
                                                      &checkpoint),
                                 ESK_OK);
                esk_catchup *runner = NULL;
                assert_int_equal(
                    esk_catchup_new(&runner, b.store[k], &projection, NULL),
                    ESK_OK);
                esk_catchup_status st = {0, 0, 0, 0, false, 0};
                s[k].status = esk_catchup_status_get(runner, &st);
                snprintf(s[k].summary, sizeof s[k].summary,
                         "checkpoint %lld, lag %lld", (long long)st.checkpoint,
                         (long long)st.lag);
                st = (esk_catchup_status){0, 0, 0, 0, false, 0};
                o[k].status = esk_catchup_run(runner, &st);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "%zu handled, checkpoint %lld, lag %lld", seen.handled,
                         (long long)st.checkpoint, (long long)st.lag);
                /* esk never writes a negative checkpoint: it is damage. */
                if (int64s[p] < 0) {
                    assert_int_equal(s[k].status, ESK_ECORRUPT);
                    assert_int_equal(o[k].status, ESK_ECORRUPT);
                    assert_non_null(strstr(esk_errmsg(), "is damaged"));
                }
                esk_catchup_free(runner);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "catch-up status from checkpoint %lld version %d",
                     (long long)int64s[p], ints[v]);
            assert_same(s, call);
            snprintf(call, sizeof call,
                     "catch-up run from checkpoint %lld version %d",
                     (long long)int64s[p], ints[v]);
            assert_same(o, call);
            both_close(&b);
        }
}

void a_snapshot_of_any_version_loads_alike(void **state)
{
    (void)state;
    for (size_t n = 0; n < COUNT(int64s); n++)
        for (size_t v = 0; v < COUNT(ints); v++) {
            both b;
            both_open_empty(&b, INT64_C(1795770000000000));
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_repository *repo = NULL;
                assert_int_equal(
                    esk_repository_new(&repo, b.store[k], &workshop_type, NULL),
                    ESK_OK);
                workshop w;
                assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"),
                                 ESK_OK);
                assert_int_equal(workshop_schedule(&w, "Event Sourcing", 9),
                                 ESK_OK);
                assert_int_equal(esk_repository_save(repo, &w, NULL, NULL),
                                 ESK_OK);
                esk_aggregate_release(&w);
                const esk_record snapshot = {
                    "workshop-7", int64s[n], ints[v],
                    "{\"title\":\"Snap\",\"capacity\":1,\"seatsTaken\":0,"
                    "\"attendees\":0}"};
                assert_int_equal(esk_store_put_record(b.store[k],
                                                      ESK_RECORD_SNAPSHOT,
                                                      &snapshot),
                                 ESK_OK);
                o[k].status = esk_repository_load(repo, "7", &w);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "'%s' at version %lld", w.title,
                         (long long)w.base.version);
                esk_aggregate_release(&w);
                esk_repository_free(repo);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "load from a snapshot at %lld, layout %d",
                     (long long)int64s[n], ints[v]);
            assert_same(o, call);
            both_close(&b);
        }
}

static esk_status no_step(json_t *data)
{
    (void)data;
    return ESK_OK;
}

void upcasters_take_any_version(void **state)
{
    (void)state;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    for (size_t v = 0; v < COUNT(ints); v++) {
        esk_status rc = esk_upcasters_add(upcasters, "Rang", ints[v], no_step);
        assert_int_equal(rc, ints[v] >= 1 && ints[v] < INT_MAX ? ESK_OK
                                                               : ESK_EINVAL);
    }
    for (size_t v = 0; v < COUNT(ints); v++) {
        int target = esk_upcasters_target(upcasters, "Rang", ints[v]);
        /* Steps from 1, 2 and INT_MAX - 1: versions 1 to 3 climb to 3. */
        int want = ints[v] >= 1 && ints[v] <= 2 ? 3 : ints[v];
        if (ints[v] == INT_MAX - 1)
            want = INT_MAX;
        assert_int_equal(target, want);
    }
    esk_upcasters_free(upcasters);
}

void indexes_past_the_end_are_refused(void **state)
{
    (void)state;
    workshop w;
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "Event Sourcing", 9), ESK_OK);
    for (size_t i = 0; i < COUNT(sizes); i++) {
        const esk_event_type *type = NULL;
        const char *json = NULL;
        esk_status rc = esk_aggregate_pending(&w, sizes[i], &type, &json);
        assert_int_equal(rc, sizes[i] == 0 ? ESK_OK : ESK_EINVAL);
    }
    esk_aggregate_release(&w);

    for (size_t i = 0; i < COUNT(sizes); i++) {
        char buf[16] = "";
        size_t size = sizes[i] < sizeof buf ? sizes[i] : sizeof buf;
        esk_status rc = esk_stream_category("ring-1", buf, size);
        assert_int_equal(rc, size >= 5 ? ESK_OK : ESK_EINVAL);
    }
}

/* A bell rung by each command: the smallest decider there is. */
typedef struct bell_rung {
    int64_t times;
} bell_rung;
static const esk_field bell_rung_fields[] = {
    ESK_FIELD_INT64(bell_rung, times, "times"),
};
static const esk_event_type bell_rung_type =
    ESK_EVENT_TYPE(bell_rung, "BellRung", 1, bell_rung_fields);
static const esk_event_type *const bell_events[] = {&bell_rung_type};

typedef struct bell {
    int64_t rung;
} bell;

static void bell_evolve(void *state, const esk_event_type *type,
                        const void *event)
{
    (void)type;
    ((bell *)state)->rung = ((const bell_rung *)event)->times;
}

static esk_status bell_decide(const void *state, const void *command,
                              esk_decision *decision)
{
    (void)command;
    const bell_rung rung = {((const bell *)state)->rung + 1};
    return esk_decision_emit(decision, &bell_rung_type, &rung);
}

static const esk_decider bell_decider = {
    .name = "Bell",
    .category = "bell",
    .state_size = sizeof(bell),
    .event_types = bell_events,
    .event_type_count = 1,
    .evolve = bell_evolve,
    .decide = bell_decide,
};

void handle_options_agree_at_any_attempts_and_backoff(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    for (size_t a = 0; a < COUNT(ints); a++)
        for (size_t p = 0; p < COUNT(ints); p++) {
            esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
            options.max_attempts = ints[a];
            options.backoff_ms = ints[p];
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_decision decision = ESK_DECISION_INIT;
                esk_handle_result r = {0, 0, 0, 0, 0, false};
                o[k].status = esk_decider_handle(&bell_decider, b.store[k], "1",
                                                 NULL, &options, &decision, &r);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "%lld -> %lld, %zu events, %d attempts",
                         (long long)r.loaded_version, (long long)r.version,
                         esk_decision_count(&decision), r.attempts);
                assert_int_equal(
                    esk_decision_event(&decision, SIZE_MAX, NULL, NULL),
                    ESK_EINVAL);
                esk_decision_release(&decision);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "handle with max_attempts %d, backoff_ms %d", ints[a],
                     ints[p]);
            assert_same(o, call);
        }
    both_close(&b);
}

void an_aggregate_applies_only_the_next_version(void **state)
{
    (void)state;
    for (size_t v = 0; v < COUNT(int64s); v++) {
        workshop w;
        assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"), ESK_OK);
        const esk_event event = {
            .event_id = "e1",
            .stream_id = "workshop-7",
            .version = int64s[v],
            .position = int64s[v],
            .type = "WorkshopScheduled",
            .schema_version = 1,
            .data = "{\"title\":\"T\",\"capacity\":3}",
            .metadata = "{}",
        };
        assert_int_equal(esk_aggregate_apply(&w, &event),
                         int64s[v] == 1 ? ESK_OK : ESK_EINVAL);
        esk_aggregate_release(&w);
    }
}

void repository_options_take_any_snapshot_interval(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    for (size_t e = 0; e < COUNT(ints); e++) {
        esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
        options.snapshot_every = ints[e];
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            esk_repository *repo = NULL;
            char id[16];
            snprintf(id, sizeof id, "%zu", e);
            o[k].status =
                esk_repository_new(&repo, b.store[k], &workshop_type, &options);
            workshop w;
            assert_int_equal(esk_aggregate_init(&w, &workshop_type, id),
                             ESK_OK);
            assert_int_equal(workshop_schedule(&w, "T", 3), ESK_OK);
            if (o[k].status == ESK_OK)
                o[k].status = esk_repository_save(repo, &w, NULL, NULL);
            snprintf(o[k].summary, sizeof o[k].summary, "version %lld",
                     (long long)w.base.version);
            esk_aggregate_release(&w);
            esk_repository_free(repo);
        }
        char call[64];
        snprintf(call, sizeof call, "repository with snapshot_every %d",
                 ints[e]);
        assert_same(o, call);
    }
    both_close(&b);
}
