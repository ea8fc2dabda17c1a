/*
 * tests/conformance/conformance_hooks.c - subscribers, told after a
 * commit, and inline handlers, run inside the append: each called once
 * per batch, and registrations changed during a call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store_backend.h>

#include "conformance.h"
#include "conformance_fixture.h"

/* --- subscribers ---------------------------------------------------------- */

void conformance_record(void *ctx, const esk_event *events, size_t n)
{
    recorder *r = ctx;
    r->calls++;
    r->events += n;
    r->last_position = events[n - 1].position;
    r->last_version = events[n - 1].version;
    snprintf(r->last_type, sizeof(r->last_type), "%s", events[n - 1].type);
}

void subscribers_see_each_committed_batch_once(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &r),
                     ESK_OK);
    esk_new_event batch[2] = {{"i-1", "A", 1, "{}", NULL},
                              {"i-2", "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.events, 2);
    assert_int_equal(r.last_position, 2);
    assert_int_equal(r.last_version, 2);
    assert_string_equal(r.last_type, "B");
    /* Neither a replay nor a refused append is news. */
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", 0, "C", "{}"),
                     ESK_ECONCURRENCY);
    assert_int_equal(r.calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, conformance_record, &r),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "C", "{}"),
                     ESK_OK);
    assert_int_equal(r.calls, 1);
    conformance_close_fixture(&f);
}

void a_subscriber_is_registered_once(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    recorder a = {0}, b = {0};
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &a),
                     ESK_OK);
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &a),
                     ESK_EEXISTS);
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &b),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, conformance_record, &a),
                     ESK_OK);
    assert_int_equal(esk_store_unsubscribe(f.store, conformance_record, &a),
                     ESK_ENOTFOUND);
    conformance_close_fixture(&f);
}

/*
 * A hook (subscriber or inline handler) that changes the registrations
 * from inside its own call, once: removes one probe (itself or another)
 * and registers another.
 */
typedef struct hook_probe {
    esk_store *store;
    int calls;
    struct hook_probe *remove;
    struct hook_probe *add;
} hook_probe;

static void probe_subscriber(void *ctx, const esk_event *events, size_t n)
{
    hook_probe *p = ctx;
    (void)events;
    (void)n;
    p->calls++;
    if (p->remove != NULL)
        assert_int_equal(
            esk_store_unsubscribe(p->store, probe_subscriber, p->remove),
            ESK_OK);
    if (p->add != NULL)
        assert_int_equal(
            esk_store_subscribe(p->store, probe_subscriber, p->add), ESK_OK);
    p->remove = p->add = NULL;
}

static void subscribe_probes(fixture *f, hook_probe *probes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        probes[i].store = f->store;
        assert_int_equal(
            esk_store_subscribe(f->store, probe_subscriber, &probes[i]),
            ESK_OK);
    }
}

void a_subscriber_removing_itself_leaves_the_others_their_batch(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    hook_probe p[3] = {{0}};
    subscribe_probes(&f, p, 3);
    p[0].remove = &p[0];
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 1);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "B", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 2);
    assert_int_equal(p[2].calls, 2);

    /* The same at a commit that announces two batches: the removal takes
     * effect from the next batch. */
    p[1].remove = &p[1];
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "C", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-2", ESK_ANY, "D", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(p[1].calls, 3);
    assert_int_equal(p[2].calls, 4);
    conformance_close_fixture(&f);
}

void a_subscriber_removed_before_its_turn_is_not_called(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    hook_probe p[3] = {{0}};
    subscribe_probes(&f, p, 3);
    p[0].remove = &p[1];
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, probe_subscriber, &p[1]),
                     ESK_ENOTFOUND);
    conformance_close_fixture(&f);
}

void a_subscriber_added_during_a_call_hears_from_the_next_batch(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    hook_probe p[2] = {{0}};
    hook_probe late = {f.store, 0, NULL, NULL};
    subscribe_probes(&f, p, 2);
    /* The first removes the second and adds a third, which takes the
     * last place: this batch still reaches neither. */
    p[0].remove = &p[1];
    p[0].add = &late;
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(late.calls, 0);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "B", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 2);
    assert_int_equal(late.calls, 1);
    assert_int_equal(esk_store_subscribe(f.store, probe_subscriber, &late),
                     ESK_EEXISTS);
    conformance_close_fixture(&f);
}

/* --- inline handlers
 * ---------------------------------------------------------- */

typedef struct inline_probe {
    int calls;
    int depth_seen;
    int64_t last_position;
    const char *fail_on_type; /* fail when a batch holds this type */
} inline_probe;

static esk_status probe_inline(void *ctx, esk_store *store,
                               const esk_event *events, size_t n)
{
    inline_probe *p = ctx;
    p->calls++;
    p->depth_seen = esk_store_transaction_depth(store);
    p->last_position = events[n - 1].position;
    esk_record rec = {"inline", events[n - 1].position, 1, "{}"};
    esk_status rc = esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &rec);
    if (rc != ESK_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (p->fail_on_type && strcmp(events[i].type, p->fail_on_type) == 0)
            return esk_store_set_error(
                store, ESK_EINVAL, "the read model refuses %s", events[i].type);
    return ESK_OK;
}

void an_inline_handler_runs_inside_the_append(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    inline_probe p = {0, 0, 0, NULL};
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p), ESK_OK);
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p),
                     ESK_EEXISTS);
    conformance_fill_stream(&f, "s-1", 3);
    assert_int_equal(p.calls, 3);
    assert_int_equal(p.depth_seen, 1);
    assert_int_equal(p.last_position, 3);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "inline", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 3);
    esk_free(owned);
    assert_int_equal(esk_store_remove_inline(f.store, probe_inline, &p),
                     ESK_OK);
    assert_int_equal(esk_store_remove_inline(f.store, probe_inline, &p),
                     ESK_ENOTFOUND);
    conformance_fill_stream(&f, "s-1", 1);
    assert_int_equal(p.calls, 3);
    conformance_close_fixture(&f);
}

static esk_status probe_handler(void *ctx, esk_store *store,
                                const esk_event *events, size_t n)
{
    hook_probe *p = ctx;
    (void)events;
    (void)n;
    p->calls++;
    esk_status rc = ESK_OK;
    if (p->remove != NULL)
        rc = esk_store_remove_inline(store, probe_handler, p->remove);
    if (rc == ESK_OK && p->add != NULL)
        rc = esk_store_add_inline(store, probe_handler, p->add);
    p->remove = p->add = NULL;
    return rc;
}

static void add_handlers(fixture *f, hook_probe *probes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        probes[i].store = f->store;
        assert_int_equal(
            esk_store_add_inline(f->store, probe_handler, &probes[i]), ESK_OK);
    }
}

void an_inline_handler_removing_itself_leaves_the_others_their_batch(
    void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    hook_probe p[3] = {{0}};
    add_handlers(&f, p, 3);
    p[0].remove = &p[0];
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 1);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "B", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 2);
    assert_int_equal(p[2].calls, 2);
    conformance_close_fixture(&f);
}

/* An inline handler that tries to end the append's transaction, or
 * begins one of its own and leaves it open. */
typedef struct unruly_handler {
    bool commit;
    bool begin;
    esk_status seen;
} unruly_handler;

static esk_status unruly_inline(void *ctx, esk_store *store,
                                const esk_event *events, size_t count)
{
    unruly_handler *h = ctx;
    (void)events;
    (void)count;
    if (h->commit)
        h->seen = esk_store_commit(store);
    if (h->begin)
        h->seen = esk_store_begin(store);
    return ESK_OK;
}

void an_inline_handler_cannot_end_the_appends_transaction(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    unruly_handler h = {true, false, ESK_OK};
    assert_int_equal(esk_store_add_inline(f.store, unruly_inline, &h), ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(h.seen, ESK_EINVAL);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    /* The caller still decides: its rollback undoes the append. */
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void an_inline_handler_leaving_a_transaction_open_fails_the_append(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    unruly_handler h = {false, true, ESK_OK};
    assert_int_equal(esk_store_add_inline(f.store, unruly_inline, &h), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_ECALLBACK);
    assert_non_null(strstr(esk_errmsg(), "left it open"));
    assert_int_equal(esk_store_transaction_depth(f.store), 0);
    assert_int_equal(conformance_head_of(&f), 0);

    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_ECALLBACK);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void an_inline_handler_removed_or_added_during_a_call_waits_its_turn(
    void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    hook_probe p[3] = {{0}};
    hook_probe late = {f.store, 0, NULL, NULL};
    add_handlers(&f, p, 3);
    p[0].remove = &p[1];
    p[0].add = &late;
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(late.calls, 0);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "B", "{}"),
                     ESK_OK);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 2);
    assert_int_equal(late.calls, 1);
    conformance_close_fixture(&f);
}

void a_failing_inline_handler_fails_the_append_and_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    inline_probe p = {0, 0, 0, "Poison"};
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &r),
                     ESK_OK);
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "Fine", "{}"),
                     ESK_OK);
    esk_new_event batch[2] = {conformance_ev("Fine", "{}"),
                              conformance_ev("Poison", "{}")};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_ECALLBACK);
    conformance_assert_message_contains(&f, "the read model refuses Poison");
    conformance_assert_message_contains(&f, "nothing was written");
    assert_int_equal(conformance_head_of(&f), 1);
    assert_int_equal(r.calls, 1);
    /* What the handler wrote during the failed append is undone too. */
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "inline", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 1);
    esk_free(owned);
    conformance_close_fixture(&f);
}
