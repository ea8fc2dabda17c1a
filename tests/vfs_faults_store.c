/*
 * tests/vfs_faults_store.c - the store's own write operations under I/O
 * faults: appends, tags and conditions, transactions, records.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "fault_vfs.h"
#include "test_support.h"
#include "vfs_faults_fixture.h"

/* ---- Appends ------------------------------------------------------------ */

void append_one(world *w)
{
    append(w, "order-1", 1);
}

void check_one(world *w)
{
    const part unit[] = {{"order-1", 1}};
    expect_whole_or_none(w, unit, 1);
}

void append_a_batch(world *w)
{
    append(w, "order-1", BATCH);
}

void check_batch(world *w)
{
    const part unit[] = {{"order-1", BATCH}};
    expect_whole_or_none(w, unit, 1);
}

/* ---- Tags and conditions ------------------------------------------------ */

static const char *const customer_tag[] = {"customer:1"};
static const esk_query_item by_customer = {NULL, 0, customer_tag, 1};

/* One tagged event, which the condition below reads and passes. */
void with_a_tagged_order(world *w)
{
    const esk_tags tags = {customer_tag, 1};
    const esk_new_event e = {NULL, "Ordered", 1, w->data, NULL};
    if (esk_store_append_if(w->store, "order-1", ESK_ANY, &e, &tags, 1, NULL,
                            NULL) != ESK_OK)
        fail_msg("%s: seeding a tagged order: %s", where, esk_errmsg());
}

/* A batch, each event tagged with the customer and its own tag, on the
 * condition that nothing of the customer's came after the seeded one. */
void append_tagged_on_a_condition(world *w)
{
    char names[BATCH][16];
    const char *pairs[BATCH][2];
    esk_tags tags[BATCH];
    esk_new_event events[BATCH];
    for (size_t i = 0; i < BATCH; i++) {
        snprintf(names[i], sizeof names[i], "line:%zu", i);
        pairs[i][0] = customer_tag[0];
        pairs[i][1] = names[i];
        tags[i] = (esk_tags){pairs[i], 2};
        events[i] = (esk_new_event){NULL, "Ordered", 1, w->data, NULL};
    }
    const esk_append_condition condition = {{&by_customer, 1}, 1};
    store_step(w,
               esk_store_append_if(w->store, "order-2", ESK_ANY, events, tags,
                                   BATCH, &condition, NULL),
               "appending tagged events on a condition");
}

/* The batch whole or not at all, and its tags with it: no tag of an
 * undone event is left behind (a later event would take its position). */
void check_tagged(world *w)
{
    const part unit[] = {{"order-2", BATCH}};
    expect_whole_or_none(w, unit, 1);
    int64_t stored = count_of(w, "order-2");
    int64_t tags = sql_number(w, "SELECT count(*) FROM event_tags");
    if (tags != 1 + 2 * stored)
        problem("the file holds %lld tags for %lld tagged events",
                (long long)tags, (long long)(1 + stored));
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const esk_query q = {&by_customer, 1};
    if (esk_store_read_query(w->store, &q, 0, 0, &list, NULL) != ESK_OK)
        problem("a query read fails: %s", esk_errmsg());
    else if ((int64_t)list.count != 1 + stored)
        problem("a query finds %zu events of the customer, %lld expected",
                list.count, (long long)(1 + stored));
    esk_event_list_release(&list);
}

/* ---- Transactions ------------------------------------------------------- */

static const part two_appends[] = {{"order-1", 2}, {"order-2", 2}};

void check_two_appends(world *w)
{
    expect_whole_or_none(w, two_appends, 2);
}

/* begin, append A, append B, commit; the caller stops at the first
 * failure and rolls back. */
void append_in_a_transaction(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") == ESK_OK &&
        append(w, "order-1", 2) == ESK_OK && append(w, "order-2", 2) == ESK_OK)
        store_step(w, esk_store_commit(s), "committing");
    roll_back_open(w);
}

/* begin, begin, append A, commit, append B, commit. */
void append_in_nested_units(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") == ESK_OK &&
        store_step(w, esk_store_begin(s), "beginning the inner unit") ==
            ESK_OK &&
        append(w, "order-1", 2) == ESK_OK &&
        store_step(w, esk_store_commit(s), "committing the inner unit") ==
            ESK_OK &&
        append(w, "order-2", 2) == ESK_OK)
        store_step(w, esk_store_commit(s), "committing");
    roll_back_open(w);
}

/*
 * The caller goes on after a failure, as the header allows: begin,
 * append A, begin, append B (rolled back if it failed), commit, append C,
 * commit. Whatever SQLite did underneath, the file must then hold
 * exactly the parts the store said it kept when the last commit
 * succeeded, and nothing when it failed.
 */
void go_on_after_a_failed_inner_step(world *w)
{
    esk_store *s = w->store;
    if (store_step(w, esk_store_begin(s), "beginning") != ESK_OK)
        return;
    w->kept[0] = append(w, "order-1", 2) == ESK_OK;
    if (store_step(w, esk_store_begin(s), "beginning the inner unit") ==
        ESK_OK) {
        if (append(w, "order-2", 2) == ESK_OK)
            w->kept[1] = store_step(w, esk_store_commit(s),
                                    "committing the inner unit") == ESK_OK;
        else
            store_step(w, esk_store_rollback(s), "rolling back the inner unit");
    }
    w->kept[2] = append(w, "order-3", 1) == ESK_OK;
    w->fired_before_commit = fault_vfs_fired();
    w->committed = store_step(w, esk_store_commit(s), "committing") == ESK_OK;
    roll_back_open(w);
}

void check_what_was_kept(world *w)
{
    static const part parts[] = {
        {"order-1", 2}, {"order-2", 2}, {"order-3", 1}};
    char held[256] = "";
    bool as_kept = true;
    bool empty = true;
    for (size_t i = 0; i < 3; i++) {
        int64_t count = count_of(w, parts[i].stream);
        as_kept = as_kept && count == (w->kept[i] ? parts[i].events : 0);
        empty = empty && count == 0;
        size_t used = strlen(held);
        snprintf(held + used, sizeof(held) - used, "%s'%s' %lld (%s)",
                 i > 0 ? ", " : "", parts[i].stream, (long long)count,
                 w->kept[i] ? "kept" : "not kept");
    }
    if (w->committed && !as_kept)
        problem("the commit succeeded, but the file holds %s", held);
    /* A commit that failed in its own writes may yet have reached the
     * file, whole; never in part, and never after an earlier failure. */
    bool unseen_commit = as_kept && !w->fired_before_commit;
    if (!w->committed && !empty && !unseen_commit)
        problem("the commit failed, but the file holds %s", held);
}

/* ---- Records ------------------------------------------------------------ */

static const char *const record_key[] = {"tally", "deposit-9", "order-9"};

static void put_record(world *w, esk_record_kind kind)
{
    const esk_record record = {record_key[kind], 7, 1, w->data};
    store_step(w, esk_store_put_record(w->store, kind, &record),
               "writing a record");
}

void put_checkpoint(world *w)
{
    put_record(w, ESK_RECORD_CHECKPOINT);
}

void put_command(world *w)
{
    put_record(w, ESK_RECORD_COMMAND);
}

void put_snapshot(world *w)
{
    put_record(w, ESK_RECORD_SNAPSHOT);
}

/* An older snapshot, for the put to replace. */
void with_a_snapshot(world *w)
{
    const esk_record old = {record_key[ESK_RECORD_SNAPSHOT], 3, 1, "{}"};
    assert_int_equal(esk_store_put_record(w->store, ESK_RECORD_SNAPSHOT, &old),
                     ESK_OK);
}

/* The record is the new one, or what was there before (none, or the
 * older snapshot). */
static void check_record(world *w, esk_record_kind kind)
{
    bool same_data = false;
    int64_t number = record_number(w, kind, record_key[kind], &same_data);
    bool is_new = number == 7 && same_data;
    bool is_old = number == -1 || (number == 3 && !same_data);
    if (w->rc == ESK_OK && !is_new)
        problem("the put succeeded, but the record is not in the file");
    else if (!is_new && !is_old)
        problem("the record is damaged (number %lld)", (long long)number);
}

void check_checkpoint(world *w)
{
    check_record(w, ESK_RECORD_CHECKPOINT);
}

void check_command(world *w)
{
    check_record(w, ESK_RECORD_COMMAND);
}

void check_snapshot(world *w)
{
    check_record(w, ESK_RECORD_SNAPSHOT);
}
