/*
 * tests/conformance/conformance_wait.c - esk_store_wait_for() within one
 * store: an event already there wakes at once, a timeout leaves the head
 * as it was. Waiting for other processes is backend work, tested with
 * each backend (store_sqlite_sharing.c, test_store_postgres.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <esk/store_backend.h>

#include "conformance.h"
#include "conformance_fixture.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void waiting_for_an_event_already_stored_returns_at_once(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    int64_t head = -1;
    int64_t start = now_ms();
    assert_int_equal(esk_store_wait_for(f.store, 1, 10000, &head), ESK_OK);
    assert_int_equal(head, 2);
    assert_int_equal(esk_store_wait_for(f.store, 0, 10000, &head), ESK_OK);
    assert_int_equal(head, 2);
    /* Far less than the timeout, even on a loaded machine. */
    assert_true(now_ms() - start < 5000);
    conformance_close_fixture(&f);
}

void a_wait_that_times_out_leaves_the_head_as_it_was(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    int64_t head = -1;
    assert_int_equal(esk_store_wait_for(f.store, 0, 0, &head), ESK_OK);
    assert_int_equal(head, 0);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    int64_t start = now_ms();
    assert_int_equal(esk_store_wait_for(f.store, 1, 60, &head), ESK_OK);
    assert_int_equal(head, 1);
    assert_true(now_ms() - start >= 60);
    conformance_close_fixture(&f);
}

void waiting_inside_a_transaction_or_with_bad_arguments_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    int64_t head = -1;
    assert_int_equal(esk_store_wait_for(NULL, 0, 0, &head), ESK_EINVAL);
    assert_int_equal(esk_store_wait_for(f.store, 0, 0, NULL), ESK_EINVAL);
    assert_int_equal(esk_store_wait_for(f.store, -1, 0, &head), ESK_EINVAL);
    conformance_assert_message_contains(&f, "after_position -1 is negative");
    assert_int_equal(esk_store_wait_for(f.store, 0, -5, &head), ESK_EINVAL);
    conformance_assert_message_contains(&f, "timeout_ms -5 is negative");
    /* Other writers would wait for this transaction's lock while it
     * waits for them. */
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_store_wait_for(f.store, 0, 1000, &head), ESK_EINVAL);
    conformance_assert_message_contains(&f, "commit or roll back");
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(head, -1);
    conformance_close_fixture(&f);
}
