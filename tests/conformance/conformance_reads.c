/*
 * tests/conformance/conformance_reads.c - reading a stream forward and
 * backward, and every event in global order with filters.
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

/* --- reading streams ------------------------------------------------------ */

void a_stream_reads_forward_from_a_version_up_to_a_count(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 10);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 4, 3, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 3);
    assert_int_equal(f.list.events[0].version, 4);
    assert_string_equal(f.list.events[2].data, "{\"n\":6}");
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 9, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 11, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 0, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 10); /* version 0 reads from the start */
    assert_int_equal(esk_store_read_stream(f.store, "s-1", -1, 0, &f.list),
                     ESK_EINVAL);
    assert_int_equal(f.list.count, 0);
    conformance_close_fixture(&f);
}

void an_absent_stream_reads_as_empty(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 2);
    assert_int_equal(esk_store_read_stream(f.store, "s-2", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-2", ESK_END, 0, &f.list),
        ESK_OK);
    assert_int_equal(f.list.count, 0);
    conformance_close_fixture(&f);
}

void a_stream_reads_backward_from_the_end_or_a_version(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 5);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-1", ESK_END, 2, &f.list),
        ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(f.list.events[0].version, 5);
    assert_int_equal(f.list.events[1].version, 4);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-1", 3, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 3);
    assert_int_equal(f.list.events[0].version, 3);
    assert_int_equal(f.list.events[2].version, 1);
    /* From beyond the end means from the end. */
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-1", 99, 1, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(f.list.events[0].version, 5);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-1", 0, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-1", -7, 0, &f.list),
        ESK_EINVAL);
    conformance_close_fixture(&f);
}

void a_list_can_be_reused_and_keeps_earlier_strings_until_then(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 3);
    conformance_fill_stream(&f, "s-2", 3);
    esk_event_list other = ESK_EVENT_LIST_INIT;
    for (int round = 0; round < 5; round++) {
        assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                         ESK_OK);
        assert_int_equal(esk_store_read_stream(f.store, "s-2", 2, 0, &other),
                         ESK_OK);
        conformance_fill_stream(&f, "s-3",
                                1); /* appends do not disturb read lists */
        assert_int_equal(f.list.count, 3);
        assert_string_equal(f.list.events[2].data, "{\"n\":3}");
        assert_string_equal(f.list.events[0].stream_id, "s-1");
        assert_int_equal(other.count, 2);
        assert_string_equal(other.events[0].data, "{\"n\":2}");
    }
    esk_event_list_release(&other);
    esk_event_list_release(&other); /* freeing twice is harmless */
    esk_event_list_release(NULL);
    conformance_close_fixture(&f);
}

/* --- reading everything ----------------------------------------------------
 */

void all_events_read_in_global_order_after_a_position(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "a-1", 2);
    conformance_fill_stream(&f, "b-1", 2);
    conformance_fill_stream(&f, "a-1", 1);
    assert_int_equal(esk_store_read_all(f.store, 2, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 3);
    assert_int_equal(f.list.events[0].position, 3);
    assert_string_equal(f.list.events[0].stream_id, "b-1");
    assert_string_equal(f.list.events[2].stream_id, "a-1");
    assert_int_equal(f.list.events[2].version, 3);
    assert_int_equal(esk_store_read_all(f.store, 5, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(esk_store_read_all(f.store, -1, 0, NULL, &f.list),
                     ESK_EINVAL);
    conformance_close_fixture(&f);
}

void paging_through_all_events_sees_each_exactly_once(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    for (int i = 0; i < 10; i++) {
        char stream[16];
        snprintf(stream, sizeof(stream), "p-%d", i % 3);
        assert_int_equal(conformance_append1(&f, stream, ESK_ANY, "T", "{}"),
                         ESK_OK);
    }
    int64_t checkpoint = 0;
    int seen = 0;
    for (;;) {
        assert_int_equal(
            esk_store_read_all(f.store, checkpoint, 3, NULL, &f.list), ESK_OK);
        if (f.list.count == 0)
            break;
        assert_true(f.list.count <= 3);
        for (size_t i = 0; i < f.list.count; i++)
            assert_int_equal(f.list.events[i].position,
                             checkpoint + 1 + (int64_t)i);
        seen += (int)f.list.count;
        checkpoint = f.list.events[f.list.count - 1].position;
    }
    assert_int_equal(seen, 10);
    conformance_close_fixture(&f);
}

void all_events_filter_by_category(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *streams[] = {"workshop-1", "attendee-1",   "workshops-1",
                             "workshop",   "workshop-2-b", "work-1"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(
            conformance_append1(&f, streams[i], ESK_ANY, "T", "{}"), ESK_OK);
    esk_filter filter = {"workshop", NULL, 0};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &filter, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 3);
    assert_string_equal(f.list.events[0].stream_id, "workshop-1");
    assert_string_equal(f.list.events[1].stream_id, "workshop");
    assert_string_equal(f.list.events[2].stream_id, "workshop-2-b");
    char category[32];
    assert_int_equal(esk_stream_category("workshop-2-b", category, 32), ESK_OK);
    assert_string_equal(category, "workshop");
    assert_int_equal(esk_stream_category("workshop-2-b", category, 8),
                     ESK_EINVAL);
    conformance_close_fixture(&f);
}

void all_events_filter_by_type_and_count_after_filtering(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *types[] = {"A", "B", "C", "A", "B", "A"};
    const char *streams[] = {"x-1", "x-1", "y-1", "y-1", "x-2", "x-3"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(
            conformance_append1(&f, streams[i], ESK_ANY, types[i], "{}"),
            ESK_OK);
    const char *wanted[] = {"A", "C"};
    esk_filter by_type = {NULL, wanted, 2};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &by_type, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 4);
    assert_int_equal(esk_store_read_all(f.store, 1, 2, &by_type, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(f.list.events[0].position, 3);
    assert_int_equal(f.list.events[1].position, 4);
    esk_filter both = {"x", wanted, 2};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &both, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(f.list.events[0].position, 1);
    assert_int_equal(f.list.events[1].position, 6);
    conformance_close_fixture(&f);
}

void malformed_filters_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_filter no_list = {NULL, NULL, 2};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &no_list, &f.list),
                     ESK_EINVAL);
    const char *types[] = {"A", NULL};
    esk_filter null_type = {NULL, types, 2};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &null_type, &f.list),
                     ESK_EINVAL);
    esk_filter dashed = {"workshop-1", NULL, 0};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &dashed, &f.list),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "before the first '-'");
    conformance_close_fixture(&f);
}
