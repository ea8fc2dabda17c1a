/*
 * tests/faults_store.c - the out-of-memory sweep's scenarios
 * of the store itself: open, append, read, hooks, transactions and
 * records, on both backends.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* -- the store: open -- */

static esk_status open_the_store(fx *f)
{
    return open_backend(f, &f->store);
}

static void observe_open(fx *f, bool done, text *t)
{
    if (!done) {
        assert_null(f->store);
        return;
    }
    assert_non_null(f->store);
    add(t, "%s", esk_store_backend_name(f->store));
}

static const char *open_message(fx *f)
{
    /* esk_store_open_memory() has no message to give. */
    return f->backend != MEMORY ? esk_errmsg() : NULL;
}

/* A file that already holds events, opened again. */
static void with_room_file(fx *f)
{
    with_room(f);
    esk_store_free(f->store);
    f->store = NULL;
}

/* -- the store: append -- */

static void count_announced(void *ctx, const esk_event *events, size_t n)
{
    (void)events;
    *(int *)ctx += (int)n;
}

static void with_room_and_subscriber(fx *f)
{
    with_room(f);
    assert_int_equal(
        esk_store_subscribe(f->store, count_announced, &f->announced), ESK_OK);
}

static esk_status append_generated(fx *f)
{
    return esk_store_append(f->store, "room-1", 2, three_bookings, 3,
                            &f->appended);
}

static esk_status append_given(fx *f)
{
    esk_new_event batch[3];
    memcpy(batch, three_bookings, sizeof(batch));
    batch[0].event_id = "booking-0001";
    batch[1].event_id = "booking-0002";
    batch[2].event_id = "cleaning-0001";
    return esk_store_append(f->store, "room-1", 2, batch, 3, &f->appended);
}

/* Enough events at once that the store's arrays and indexes grow. */
/* The three bookings tagged with the room and each guest, on the
 * condition that nothing of the room came after position 2 (it holds, or
 * fails when setup has put a tagged event there). */
static const char *const room_tag[] = {"room:1"};
static const esk_query_item room_item = {NULL, 0, room_tag, 1};

static esk_status append_tagged_if(fx *f)
{
    static const char *const tags[3][2] = {{"room:1", "guest:ada"},
                                           {"room:1", "guest:bob"},
                                           {"room:1", "staff:cleaning"}};
    const esk_tags per_event[3] = {{tags[0], 2}, {tags[1], 2}, {tags[2], 2}};
    const esk_append_condition condition = {{&room_item, 1}, 2};
    esk_new_event batch[3];
    memcpy(batch, three_bookings, sizeof(batch));
    batch[0].event_id = "booking-0001";
    batch[1].event_id = "booking-0002";
    batch[2].event_id = "cleaning-0001";
    return esk_store_append_if(f->store, "room-1", 2, batch, per_event, 3,
                               &condition, &f->appended);
}

static void with_a_tagged_batch_stored(fx *f)
{
    with_room_and_subscriber(f);
    assert_int_equal(append_tagged_if(f), ESK_OK);
    f->announced = 0;
}

/* A tagged event of the room after position 2: the condition fails. */
static void with_a_later_room_event(fx *f)
{
    with_room_and_subscriber(f);
    const esk_tags tags = {room_tag, 1};
    const esk_new_event e = {NULL, "RoomCleaned", 1, "{}", NULL};
    assert_int_equal(esk_store_append_if(f->store, "hall-1", ESK_ANY, &e, &tags,
                                         1, NULL, NULL),
                     ESK_OK);
    f->announced = 0;
}

/* The refusal is what a run without failure gives: reported as ESK_OK,
 * so that every other outcome must be a clean ESK_ENOMEM. */
static esk_status append_refused_by_condition(fx *f)
{
    esk_status rc = append_tagged_if(f);
    if (rc == ESK_ECONCURRENCY &&
        strstr(esk_errmsg(), "append condition failed") != NULL)
        return ESK_OK;
    return rc == ESK_OK ? ESK_EIO : rc;
}

static esk_status read_by_query(fx *f)
{
    static const char *const types[] = {"GuestBooked"};
    const esk_query_item items[] = {room_item, {types, 1, NULL, 0}};
    const esk_query q = {items, 2};
    return esk_store_read_query(f->store, &q, 0, 0, &f->list, &f->number);
}

enum { BIG_BATCH = 150 };

static esk_status append_a_big_batch(fx *f)
{
    static esk_new_event batch[BIG_BATCH];
    static char ids[BIG_BATCH][16];
    for (int i = 0; i < BIG_BATCH; i++) {
        snprintf(ids[i], sizeof(ids[i]), "big-%03d", i);
        batch[i] = three_bookings[i % 3];
        batch[i].event_id = ids[i];
    }
    return esk_store_append(f->store, "room-1", 2, batch, BIG_BATCH,
                            &f->appended);
}

static void with_a_big_stream(fx *f)
{
    with_room(f);
    assert_int_equal(append_a_big_batch(f), ESK_OK);
}

static esk_status read_a_big_stream(fx *f)
{
    return esk_store_read_stream(f->store, "room-1", 1, 0, &f->list);
}

static void with_a_given_batch_stored(fx *f)
{
    with_room_and_subscriber(f);
    assert_int_equal(append_given(f), ESK_OK);
    f->announced = 0;
}

static void observe_append(fx *f, bool done, text *t)
{
    add(t, "announced %d", f->announced);
    if (done)
        add(t, ", v%lld @%lld", (long long)f->appended.version,
            (long long)f->appended.position);
}

/* The three bookings close the room's stream. */
static esk_status close_given(fx *f)
{
    esk_new_event batch[3];
    memcpy(batch, three_bookings, sizeof(batch));
    batch[0].event_id = "booking-0001";
    batch[1].event_id = "booking-0002";
    batch[2].event_id = "cleaning-0001";
    return esk_store_close_stream(f->store, "room-1", 2, batch, 3,
                                  &f->appended);
}

/* A failed close leaves the stream open, a close that worked closed. */
static void observe_close(fx *f, bool done, text *t)
{
    observe_append(f, done, t);
    bool closed = !done;
    assert_int_equal(esk_store_stream_closed(f->store, "room-1", &closed),
                     ESK_OK);
    assert_int_equal(closed, done);
    add(t, ", %s", closed ? "closed" : "open");
}

/* -- the store: reads -- */

static esk_status read_forward(fx *f)
{
    return esk_store_read_stream(f->store, "room-1", 2, 0, &f->list);
}

static esk_status read_backward(fx *f)
{
    return esk_store_read_stream_backward(f->store, "room-1", ESK_END, 9,
                                          &f->list);
}

static esk_status read_all(fx *f)
{
    return esk_store_read_all(f->store, 1, 0, NULL, &f->list);
}

static esk_status read_all_filtered(fx *f)
{
    esk_filter filter = {"room", booking_types, 1};
    return esk_store_read_all(f->store, 0, 0, &filter, &f->list);
}

static void observe_list(fx *f, bool done, text *t)
{
    /* On failure the list is left empty. */
    if (!done)
        assert_int_equal(f->list.count, 0);
    describe_list(&f->list, t);
}

static esk_status stream_version(fx *f)
{
    return esk_store_stream_version(f->store, "room-1", &f->number);
}

static esk_status head_position(fx *f)
{
    return esk_store_head_position(f->store, &f->number);
}

static void observe_number(fx *f, bool done, text *t)
{
    if (done)
        add(t, "%lld", (long long)f->number);
}

/* -- the store: hooks -- */

static esk_status subscribe(fx *f)
{
    return esk_store_subscribe(f->store, count_announced, &f->announced);
}

static void observe_subscribed(fx *f, bool done, text *t)
{
    (void)done;
    /* Registering again says whether the first one took. */
    esk_status rc =
        esk_store_subscribe(f->store, count_announced, &f->announced);
    add(t, "%s", rc == ESK_EEXISTS ? "subscribed" : "not subscribed");
    if (rc == ESK_OK)
        esk_store_unsubscribe(f->store, count_announced, &f->announced);
}

static esk_status count_inline(void *ctx, esk_store *store,
                               const esk_event *events, size_t n)
{
    (void)store;
    (void)events;
    *(int *)ctx += (int)n;
    return ESK_OK;
}

static esk_status add_inline(fx *f)
{
    return esk_store_add_inline(f->store, count_inline, &f->announced);
}

static void observe_inline(fx *f, bool done, text *t)
{
    (void)done;
    esk_status rc = esk_store_add_inline(f->store, count_inline, &f->announced);
    add(t, "%s", rc == ESK_EEXISTS ? "added" : "not added");
    if (rc == ESK_OK)
        esk_store_remove_inline(f->store, count_inline, &f->announced);
}

/* -- the store: transactions -- */

/* What a caller does: any failure inside rolls the whole unit back. The
 * failure's message is kept before the rollback clears it. */
static esk_status undo(fx *f, esk_status rc)
{
    snprintf(f->buffer, sizeof(f->buffer), "%s", esk_errmsg());
    while (esk_store_transaction_depth(f->store) > 0)
        esk_store_rollback(f->store);
    return rc;
}

static esk_status commit_two_appends(fx *f)
{
    esk_status rc = esk_store_begin(f->store);
    if (rc != ESK_OK)
        return undo(f, rc);
    if ((rc = esk_store_append(f->store, "room-1", 2, three_bookings, 2,
                               NULL)) != ESK_OK ||
        (rc = esk_store_append(f->store, "hall-1", ESK_NO_STREAM,
                               three_bookings + 2, 1, NULL)) != ESK_OK)
        return undo(f, rc);
    esk_record kept = {"kept", 4, 1, "{\"why\":\"in the same unit\"}"};
    if ((rc = esk_store_put_record(f->store, ESK_RECORD_CHECKPOINT, &kept)) !=
        ESK_OK)
        return undo(f, rc);
    rc = esk_store_commit(f->store);
    return rc == ESK_OK ? ESK_OK : undo(f, rc);
}

static esk_status roll_back_a_nested_append(fx *f)
{
    esk_status rc = esk_store_begin(f->store);
    if (rc != ESK_OK)
        return undo(f, rc);
    if ((rc = esk_store_append(f->store, "room-1", 2, three_bookings, 1,
                               NULL)) != ESK_OK ||
        (rc = esk_store_begin(f->store)) != ESK_OK ||
        (rc = esk_store_append(f->store, "hall-1", ESK_NO_STREAM,
                               three_bookings + 2, 1, NULL)) != ESK_OK ||
        (rc = esk_store_rollback(f->store)) != ESK_OK)
        return undo(f, rc);
    rc = esk_store_commit(f->store);
    return rc == ESK_OK ? ESK_OK : undo(f, rc);
}

static const char *unit_message(fx *f)
{
    return f->buffer;
}

static void observe_announced(fx *f, bool done, text *t)
{
    (void)done;
    add(t, "announced %d", f->announced);
}

/* -- the store: records -- */

static esk_status put_record(fx *f)
{
    esk_record r = {"bookings", 2, 1,
                    "{\"note\":\"caught up with every booking of the day\"}"};
    return esk_store_put_record(f->store, ESK_RECORD_CHECKPOINT, &r);
}

static void with_a_record(fx *f)
{
    with_room(f);
    assert_int_equal(put_record(f), ESK_OK);
}

static esk_status get_record(fx *f)
{
    return esk_store_get_record(f->store, ESK_RECORD_CHECKPOINT, "bookings",
                                &f->record, &f->owned);
}

static void observe_record(fx *f, bool done, text *t)
{
    if (!done) {
        assert_null(f->owned);
        return;
    }
    add(t, "%s %lld v%d %s", f->record.key, (long long)f->record.at,
        f->record.tag, f->record.value);
}

const scenario store_scenarios[] = {
    /* The store. */
    ON_BOTH("open a new store", NULL, open_the_store, observe_open,
            open_message, ESK_OK),
    {"sqlite: open a file that holds events", SQLITE, with_room_file,
     open_the_store, observe_open, open_message, ESK_OK, NULL},
    ON_BOTH("append with generated ids", with_room_and_subscriber,
            append_generated, observe_append, last_message, ESK_OK),
    ON_BOTH("append with given ids", with_room_and_subscriber, append_given,
            observe_append, last_message, ESK_OK),
    ON_BOTH("append a stored batch again (replay)", with_a_given_batch_stored,
            append_given, observe_append, last_message, ESK_OK),
    ON_BOTH("append tagged events on a condition", with_room_and_subscriber,
            append_tagged_if, observe_append, last_message, ESK_OK),
    ON_BOTH("append a stored tagged batch again (replay)",
            with_a_tagged_batch_stored, append_tagged_if, observe_append,
            last_message, ESK_OK),
    ON_BOTH("append on a condition that fails", with_a_later_room_event,
            append_refused_by_condition, observe_append, last_message, ESK_OK),
    ON_BOTH("close a stream with its last events", with_room_and_subscriber,
            close_given, observe_close, last_message, ESK_OK),
    ON_BOTH("append a batch big enough to grow the store",
            with_room_and_subscriber, append_a_big_batch, observe_append,
            last_message, ESK_OK),
    ON_BOTH("read a stream big enough to grow the list", with_a_big_stream,
            read_a_big_stream, observe_list, last_message, ESK_OK),
    ON_BOTH("read a stream forward", with_many_events, read_forward,
            observe_list, last_message, ESK_OK),
    ON_BOTH("read a stream backward", with_many_events, read_backward,
            observe_list, last_message, ESK_OK),
    ON_BOTH("read all events", with_many_events, read_all, observe_list,
            last_message, ESK_OK),
    ON_BOTH("read all events of a category and type", with_many_events,
            read_all_filtered, observe_list, last_message, ESK_OK),
    ON_BOTH("read by query", with_a_tagged_batch_stored, read_by_query,
            observe_list, last_message, ESK_OK),
    ON_BOTH("stream version", with_room, stream_version, observe_number,
            last_message, ESK_OK),
    ON_BOTH("head position", with_room, head_position, observe_number,
            last_message, ESK_OK),
    ON_BOTH("subscribe", with_store, subscribe, observe_subscribed,
            last_message, ESK_OK),
    ON_BOTH("add an inline handler", with_store, add_inline, observe_inline,
            last_message, ESK_OK),
    ON_BOTH("commit a transaction of appends and a record",
            with_room_and_subscriber, commit_two_appends, observe_announced,
            unit_message, ESK_OK),
    ON_BOTH("roll back a nested transaction", with_room_and_subscriber,
            roll_back_a_nested_append, observe_announced, unit_message, ESK_OK),
    ON_BOTH("put a record", with_room, put_record, observe_nothing,
            last_message, ESK_OK),
    ON_BOTH("get a record", with_a_record, get_record, observe_record,
            last_message, ESK_OK),
};
const size_t store_scenarios_count =
    sizeof(store_scenarios) / sizeof(store_scenarios[0]);
