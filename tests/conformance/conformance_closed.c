/*
 * tests/conformance/conformance_closed.c - the rules of closed streams
 * (esk/store.h, "Closing a stream"), run against a backend that can close
 * streams.
 *
 * The story: a workshop's period ends with a summary event that closes its
 * stream; the next period lives in another stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store.h>

#include "conformance.h"

static const esk_conformance_backend *backend;

typedef struct fixture {
    esk_store *store;
    esk_event_list list;
} fixture;

static void open_fixture(fixture *f)
{
    f->list = (esk_event_list)ESK_EVENT_LIST_INIT;
    f->store = NULL;
    assert_int_equal(backend->open(&f->store, NULL, backend->ctx), ESK_OK);
}

static void close_fixture(fixture *f)
{
    esk_event_list_release(&f->list);
    esk_store_free(f->store);
}

static void assert_message_contains(const char *part)
{
    const char *msg = esk_errmsg();
    if (strstr(msg, part) == NULL)
        fail_msg("store message \"%s\" does not contain \"%s\"", msg, part);
}

static esk_status append_one(fixture *f, const char *stream, int64_t expected,
                             const char *type)
{
    esk_new_event e = {NULL, type, 1, "{}", NULL};
    return esk_store_append(f->store, stream, expected, &e, 1, NULL);
}

static esk_status close_with(fixture *f, const char *stream, int64_t expected,
                             const char *event_id)
{
    esk_new_event e = {event_id, "PeriodClosed", 1, "{\"seats\":3}", NULL};
    return esk_store_close_stream(f->store, stream, expected, &e, 1, NULL);
}

static bool is_closed(fixture *f, const char *stream)
{
    bool closed = !false;
    assert_int_equal(esk_store_stream_closed(f->store, stream, &closed),
                     ESK_OK);
    return closed;
}

static int64_t head_of(fixture *f)
{
    int64_t p = -99;
    assert_int_equal(esk_store_head_position(f->store, &p), ESK_OK);
    return p;
}

/* workshop-1 at versions 1..2, then closed by its summary at version 3. */
static void closed_period(fixture *f)
{
    assert_int_equal(append_one(f, "workshop-1", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);
    assert_int_equal(append_one(f, "workshop-1", 1, "SeatBooked"), ESK_OK);
    assert_int_equal(close_with(f, "workshop-1", 2, NULL), ESK_OK);
}

static void a_closed_stream_refuses_every_append_with_eclosed(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    closed_period(&f);

    assert_int_equal(append_one(&f, "workshop-1", 3, "SeatBooked"),
                     ESK_ECLOSED);
    assert_message_contains("'workshop-1' is closed");
    assert_int_equal(append_one(&f, "workshop-1", ESK_ANY, "SeatBooked"),
                     ESK_ECLOSED);
    assert_int_equal(
        append_one(&f, "workshop-1", ESK_STREAM_EXISTS, "SeatBooked"),
        ESK_ECLOSED);
    /* A stale version says closed too: that is the news the caller needs. */
    assert_int_equal(append_one(&f, "workshop-1", 1, "SeatBooked"),
                     ESK_ECLOSED);
    assert_int_equal(close_with(&f, "workshop-1", 3, NULL), ESK_ECLOSED);
    assert_int_equal(head_of(&f), 3);
    close_fixture(&f);
}

static void a_closed_stream_still_reads_and_says_it_is_closed(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    closed_period(&f);
    assert_int_equal(append_one(&f, "workshop-2", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);

    assert_true(is_closed(&f, "workshop-1"));
    assert_false(is_closed(&f, "workshop-2"));
    assert_false(is_closed(&f, "workshop-9"));
    assert_int_equal(
        esk_store_read_stream(f.store, "workshop-1", 1, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 3);
    assert_string_equal(f.list.events[2].type, "PeriodClosed");
    assert_int_equal(f.list.events[2].version, 3);
    int64_t version = 0;
    assert_int_equal(esk_store_stream_version(f.store, "workshop-1", &version),
                     ESK_OK);
    assert_int_equal(version, 3);
    close_fixture(&f);
}

static void
the_global_feed_keeps_every_position_of_a_closed_stream(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    closed_period(&f);
    assert_int_equal(append_one(&f, "workshop-1", ESK_ANY, "Late"),
                     ESK_ECLOSED);
    assert_int_equal(append_one(&f, "workshop-2", ESK_NO_STREAM, "Opened"),
                     ESK_OK);

    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 4);
    for (size_t i = 0; i < f.list.count; i++)
        assert_int_equal(f.list.events[i].position, (int64_t)i + 1);
    assert_string_equal(f.list.events[2].type, "PeriodClosed");
    assert_string_equal(f.list.events[3].stream_id, "workshop-2");
    close_fixture(&f);
}

static void a_close_checks_the_expected_version_and_needs_an_event(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append_one(&f, "workshop-1", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);
    assert_int_equal(append_one(&f, "workshop-1", 1, "SeatBooked"), ESK_OK);

    assert_int_equal(close_with(&f, "workshop-1", 1, NULL), ESK_ECONCURRENCY);
    assert_false(is_closed(&f, "workshop-1"));
    esk_new_event none = {NULL, "PeriodClosed", 1, "{}", NULL};
    assert_int_equal(
        esk_store_close_stream(f.store, "workshop-1", 2, &none, 0, NULL),
        ESK_EINVAL);
    assert_false(is_closed(&f, "workshop-1"));
    assert_int_equal(append_one(&f, "workshop-1", 2, "SeatBooked"), ESK_OK);
    close_fixture(&f);
}

static void a_close_rolled_back_leaves_the_stream_open(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append_one(&f, "workshop-1", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);

    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(close_with(&f, "workshop-1", 1, NULL), ESK_OK);
    assert_true(is_closed(&f, "workshop-1"));
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);

    assert_false(is_closed(&f, "workshop-1"));
    assert_int_equal(head_of(&f), 1);
    /* The version the close took is free again, and no stale mark closes
     * the stream when it comes back. */
    assert_int_equal(append_one(&f, "workshop-1", 1, "SeatBooked"), ESK_OK);
    assert_false(is_closed(&f, "workshop-1"));
    assert_int_equal(append_one(&f, "workshop-1", 2, "SeatBooked"), ESK_OK);
    close_fixture(&f);
}

static void a_close_committed_in_a_transaction_holds(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append_one(&f, "workshop-1", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);

    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(close_with(&f, "workshop-1", 1, NULL), ESK_OK);
    assert_int_equal(append_one(&f, "workshop-1", ESK_ANY, "Late"),
                     ESK_ECLOSED);
    assert_int_equal(append_one(&f, "workshop-2", ESK_NO_STREAM, "Opened"),
                     ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);

    assert_true(is_closed(&f, "workshop-1"));
    assert_int_equal(head_of(&f), 3);
    close_fixture(&f);
}

static void a_retried_close_is_a_replay(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append_one(&f, "workshop-1", ESK_NO_STREAM, "Scheduled"),
                     ESK_OK);
    esk_new_event e = {"close-w1", "PeriodClosed", 1, "{\"seats\":3}", NULL};
    esk_append_result first = {0, 0}, again = {0, 0};
    assert_int_equal(
        esk_store_close_stream(f.store, "workshop-1", 1, &e, 1, &first),
        ESK_OK);
    assert_int_equal(
        esk_store_close_stream(f.store, "workshop-1", 1, &e, 1, &again),
        ESK_OK);
    assert_int_equal(again.version, first.version);
    assert_int_equal(again.position, first.position);
    assert_int_equal(head_of(&f), 2);
    assert_true(is_closed(&f, "workshop-1"));
    close_fixture(&f);
}

static void a_plain_append_resent_as_a_close_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = {"summary-w1", "PeriodClosed", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(f.store, "workshop-1", ESK_NO_STREAM, &e, 1, NULL),
        ESK_OK);
    /* The batch is stored, but it did not close the stream: a replay
     * would claim a close that never happened. */
    assert_int_equal(esk_store_close_stream(f.store, "workshop-1",
                                            ESK_NO_STREAM, &e, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains("did not close");
    assert_false(is_closed(&f, "workshop-1"));
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void stream_closed_checks_its_arguments(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    bool closed = true;
    assert_int_equal(esk_store_stream_closed(NULL, "workshop-1", &closed),
                     ESK_EINVAL);
    assert_int_equal(esk_store_stream_closed(f.store, NULL, &closed),
                     ESK_EINVAL);
    assert_int_equal(esk_store_stream_closed(f.store, "", &closed), ESK_EINVAL);
    assert_int_equal(esk_store_stream_closed(f.store, "workshop-1", NULL),
                     ESK_EINVAL);
    assert_int_equal(close_with(&f, NULL, ESK_ANY, NULL), ESK_EINVAL);
    close_fixture(&f);
}

int esk_conformance_run_closed(const esk_conformance_backend *b)
{
    backend = b;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_closed_stream_refuses_every_append_with_eclosed),
        cmocka_unit_test(a_closed_stream_still_reads_and_says_it_is_closed),
        cmocka_unit_test(
            the_global_feed_keeps_every_position_of_a_closed_stream),
        cmocka_unit_test(
            a_close_checks_the_expected_version_and_needs_an_event),
        cmocka_unit_test(a_close_rolled_back_leaves_the_stream_open),
        cmocka_unit_test(a_close_committed_in_a_transaction_holds),
        cmocka_unit_test(a_retried_close_is_a_replay),
        cmocka_unit_test(a_plain_append_resent_as_a_close_is_refused),
        cmocka_unit_test(stream_closed_checks_its_arguments),
    };
    char name[128];
    snprintf(name, sizeof name, "%s: closed streams", backend->name);
    return _cmocka_run_group_tests(
        name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
