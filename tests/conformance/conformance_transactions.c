/*
 * tests/conformance/conformance_transactions.c - transactions: commit,
 * rollback, nesting, and subscribers told only of a commit.
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

/* --- transactions ----------------------------------------------------------
 */

void a_committed_transaction_keeps_all_its_appends(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_NO_STREAM, "A", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-2", ESK_NO_STREAM, "B", "{}"),
                     ESK_OK);
    /* The transaction reads its own writes. */
    assert_int_equal(conformance_version_of(&f, "s-1"), 1);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 0);
    assert_int_equal(conformance_head_of(&f), 2);
    conformance_close_fixture(&f);
}

void a_rolled_back_transaction_keeps_none_of_its_appends(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 1);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    enum { N = 200 };
    char ids[N][16];
    esk_new_event batch[N];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof(ids[i]), "tx-%d", i);
        batch[i] = (esk_new_event){ids[i], "A", 1, "{}", NULL};
    }
    assert_int_equal(esk_store_append(f.store, "s-1", 1, batch, N / 2, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-2", ESK_ANY, batch + N / 2, N / 2, NULL),
        ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(conformance_version_of(&f, "s-1"), 1);
    assert_int_equal(conformance_version_of(&f, "s-2"), 0);
    assert_int_equal(conformance_head_of(&f), 1);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 1);
    /* The undone ids are free again, and positions go on without a gap. */
    esk_append_result r;
    assert_int_equal(esk_store_append(f.store, "s-3", ESK_ANY, batch, N, &r),
                     ESK_OK);
    assert_int_equal(r.position, N + 1);
    assert_int_equal(esk_store_append(f.store, "s-3", ESK_ANY, batch, N, &r),
                     ESK_OK); /* and a replay is recognised */
    assert_int_equal(conformance_head_of(&f), N + 1);
    conformance_close_fixture(&f);
}

void a_failed_append_inside_a_transaction_undoes_only_itself(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_NO_STREAM, "A", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_NO_STREAM, "B", "{}"),
                     ESK_ECONCURRENCY);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(conformance_append1(&f, "s-1", 1, "C", "{}"), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_string_equal(f.list.events[1].type, "C");
    conformance_close_fixture(&f);
}

void a_nested_rollback_undoes_only_the_inner_part(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_record rec = {"p-1", 1, 1, "{}"};
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "Outer", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 2);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "Inner", "{}"),
                     ESK_OK);
    rec.at = 2;
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(conformance_version_of(&f, "s-1"), 1);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT, "p-1",
                                          &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 1);
    esk_free(owned);
    conformance_close_fixture(&f);
}

void commit_and_rollback_need_an_open_transaction(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(esk_store_commit(f.store), ESK_EINVAL);
    conformance_assert_message_contains(&f, "esk_store_begin");
    assert_int_equal(esk_store_rollback(f.store), ESK_EINVAL);
    assert_int_equal(esk_store_begin(NULL), ESK_EINVAL);
    assert_int_equal(esk_store_transaction_depth(NULL), 0);
    conformance_close_fixture(&f);
}

void subscribers_hear_of_a_transaction_only_when_it_commits(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, conformance_record, &r),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "Undone", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-2", ESK_ANY, "B", "{}"),
                     ESK_OK);
    assert_int_equal(r.calls, 0);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(r.calls, 2);
    assert_int_equal(r.events, 2);
    assert_string_equal(r.last_type, "B");
    assert_int_equal(r.last_position, 2);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "C", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(r.calls, 2);
    conformance_close_fixture(&f);
}
