/*
 * tests/conformance/conformance_appends.c - appending: versions and
 * positions, expected versions, the input refused, the envelope as
 * written, and the message a success clears.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store_backend.h>

#include "conformance.h"
#include "conformance_fixture.h"

/* --- versions and positions -------------------------------------------- */

void a_new_stream_is_at_version_zero(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_version_of(&f, "workshop-1"), 0);
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void the_first_event_of_a_stream_has_version_one(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = conformance_ev("WorkshopScheduled", "{\"title\":\"ES\"}");
    esk_append_result r = {-1, -1};
    assert_int_equal(
        esk_store_append(f.store, "workshop-1", ESK_NO_STREAM, &e, 1, &r),
        ESK_OK);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    assert_int_equal(conformance_version_of(&f, "workshop-1"), 1);
    assert_int_equal(
        esk_store_read_stream(f.store, "workshop-1", 1, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(f.list.events[0].version, 1);
    assert_int_equal(f.list.events[0].position, 1);
    conformance_close_fixture(&f);
}

void a_batch_gets_consecutive_versions_and_positions(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "other-1", 2);
    esk_new_event batch[3] = {conformance_ev("A", "1"),
                              conformance_ev("B", "2"),
                              conformance_ev("C", "3")};
    esk_append_result r;
    assert_int_equal(
        esk_store_append(f.store, "workshop-1", ESK_ANY, batch, 3, &r), ESK_OK);
    assert_int_equal(r.version, 3);
    assert_int_equal(r.position, 5);
    assert_int_equal(
        esk_store_read_stream(f.store, "workshop-1", 1, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(f.list.events[i].version, (int64_t)i + 1);
        assert_int_equal(f.list.events[i].position, (int64_t)i + 3);
    }
    assert_string_equal(f.list.events[2].type, "C");
    conformance_close_fixture(&f);
}

void positions_increase_without_gaps_across_streams(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *streams[] = {"a-1", "b-1", "a-2", "a-1", "c-9", "b-1"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(
            conformance_append1(&f, streams[i], ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(f.list.events[i].position, (int64_t)i + 1);
        assert_string_equal(f.list.events[i].stream_id, streams[i]);
    }
    assert_int_equal(f.list.events[3].version, 2); /* second event of a-1 */
    assert_int_equal(conformance_head_of(&f), 6);
    conformance_close_fixture(&f);
}

void many_streams_keep_their_own_order(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    enum { STREAMS = 97, EVENTS = 3000 };
    char stream[32];
    for (int i = 0; i < EVENTS; i++) {
        snprintf(stream, sizeof(stream), "s-%d", i % STREAMS);
        char data[32];
        snprintf(data, sizeof(data), "{\"i\":%d}", i);
        int64_t expected = i / STREAMS; /* events already in that stream */
        assert_int_equal(conformance_append1(&f, stream, expected, "T", data),
                         ESK_OK);
    }
    for (int s = 0; s < STREAMS; s++) {
        snprintf(stream, sizeof(stream), "s-%d", s);
        assert_int_equal(esk_store_read_stream(f.store, stream, 1, 0, &f.list),
                         ESK_OK);
        for (size_t k = 0; k < f.list.count; k++) {
            char data[32];
            snprintf(data, sizeof(data), "{\"i\":%d}", (int)k * STREAMS + s);
            assert_int_equal(f.list.events[k].version, (int64_t)k + 1);
            assert_int_equal(f.list.events[k].position,
                             (int64_t)k * STREAMS + s + 1);
            assert_string_equal(f.list.events[k].data, data);
        }
    }
    assert_int_equal(conformance_head_of(&f), EVENTS);
    conformance_close_fixture(&f);
}

/* --- expected versions ------------------------------------------------- */

void append_expecting_any_succeeds_whatever_the_version(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_version_of(&f, "s-1"), 2);
    conformance_close_fixture(&f);
}

void append_expecting_no_stream_fails_once_the_stream_exists(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_NO_STREAM, "T", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_NO_STREAM, "T", "{}"),
                     ESK_ECONCURRENCY);
    conformance_assert_message_contains(
        &f, "stream 's-1' already exists at version 1");
    assert_int_equal(conformance_version_of(&f, "s-1"), 1);
    conformance_close_fixture(&f);
}

void expected_version_zero_means_no_stream(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", 0, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", 0, "T", "{}"),
                     ESK_ECONCURRENCY);
    conformance_close_fixture(&f);
}

void append_expecting_stream_exists_fails_on_a_new_stream(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(
        conformance_append1(&f, "s-1", ESK_STREAM_EXISTS, "T", "{}"),
        ESK_ECONCURRENCY);
    conformance_assert_message_contains(&f, "stream 's-1' does not exist");
    assert_int_equal(conformance_version_of(&f, "s-1"), 0);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "{}"),
                     ESK_OK);
    assert_int_equal(
        conformance_append1(&f, "s-1", ESK_STREAM_EXISTS, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_version_of(&f, "s-1"), 2);
    conformance_close_fixture(&f);
}

void append_with_the_exact_version_succeeds(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", 0, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", 1, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", 2, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_version_of(&f, "s-1"), 3);
    conformance_close_fixture(&f);
}

void append_with_a_stale_version_is_rejected_naming_both_versions(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "workshop-42", 7);
    esk_new_event batch[2] = {conformance_ev("A", "{}"),
                              conformance_ev("B", "{}")};
    assert_int_equal(
        esk_store_append(f.store, "workshop-42", 5, batch, 2, NULL),
        ESK_ECONCURRENCY);
    assert_string_equal(esk_errmsg(),
                        "stream 'workshop-42' is at version 7, expected 5");
    assert_int_equal(conformance_version_of(&f, "workshop-42"), 7);
    assert_int_equal(conformance_head_of(&f), 7);
    conformance_close_fixture(&f);
}

void append_with_a_version_ahead_of_the_stream_is_rejected(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 1);
    assert_int_equal(conformance_append1(&f, "s-1", 3, "T", "{}"),
                     ESK_ECONCURRENCY);
    conformance_assert_message_contains(&f, "is at version 1, expected 3");
    conformance_close_fixture(&f);
}

void unknown_expected_version_values_are_invalid(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-1", -4, "T", "{}"), ESK_EINVAL);
    assert_int_equal(conformance_append1(&f, "s-1", INT64_MIN, "T", "{}"),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "expected version");
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

/* --- bad input ---------------------------------------------------------- */

void null_arguments_are_refused_without_a_crash(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = conformance_ev("T", "{}");
    int64_t v;
    assert_int_equal(esk_store_append(NULL, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_append(f.store, NULL, ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, NULL, 1, NULL),
                     ESK_EINVAL);
    e.type = NULL;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    e = conformance_ev("T", NULL);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "data is NULL");
    assert_int_equal(esk_store_read_stream(f.store, NULL, 1, 0, &f.list),
                     ESK_EINVAL);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_read_stream(NULL, "s-1", 1, 0, &f.list),
                     ESK_EINVAL);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_store_stream_version(f.store, "s-1", NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_stream_version(NULL, "s-1", &v), ESK_EINVAL);
    assert_int_equal(esk_store_head_position(f.store, NULL), ESK_EINVAL);
    assert_int_equal(esk_store_subscribe(f.store, NULL, NULL), ESK_EINVAL);
    assert_non_null(esk_errmsg());
    /* And the replay rule, which backends call. */
    esk_event stored = {0};
    esk_append_request request = {.stream_id = "s-1", .events = &stored};
    assert_int_equal(esk_store_check_replay(NULL, &request, NULL, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_check_replay(f.store, NULL, NULL, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_check_replay(f.store, &request, NULL, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "esk_store_check_replay");
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void an_empty_batch_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = conformance_ev("T", "{}");
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 0, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "no events");
    conformance_close_fixture(&f);
}

void empty_and_over_long_stream_ids_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    char id[ESK_STREAM_ID_MAX + 2];
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    assert_int_equal(conformance_append1(&f, "", ESK_ANY, "T", "{}"),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "stream id is empty");
    assert_int_equal(conformance_append1(&f, id, ESK_ANY, "T", "{}"),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "at most 255");
    id[ESK_STREAM_ID_MAX] = '\0'; /* exactly the limit is fine */
    assert_int_equal(conformance_append1(&f, id, ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_version_of(&f, id), 1);
    conformance_close_fixture(&f);
}

void stream_ids_that_are_not_utf8_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "s-\xff", ESK_ANY, "T", "{}"),
                     ESK_EINVAL);
    assert_int_equal(conformance_append1(&f, "s-\xc0\xaf", ESK_ANY, "T", "{}"),
                     ESK_EINVAL); /* overlong '/' */
    conformance_assert_message_contains(&f, "UTF-8");
    assert_int_equal(
        conformance_append1(&f, "s-1", ESK_ANY, "T\xed\xa0\x80", "{}"),
        ESK_EINVAL); /* surrogate in the type */
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void data_that_is_not_json_is_refused_and_nothing_is_written(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *bad[] = {"",         "{",
                         "{\"a\":}", "{'a':1}",
                         "[1,2,]",   "{\"a\":1} x",
                         "NaN",      "01",
                         "\"\xff\"", "{\"a\":\"\\ud800\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        esk_new_event batch[2] = {conformance_ev("Good", "{}"),
                                  conformance_ev("Bad", bad[i])};
        assert_int_equal(
            esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
            ESK_EINVAL);
        conformance_assert_message_contains(&f,
                                            "event 1 (Bad): data is not JSON");
    }
    assert_int_equal(conformance_head_of(&f), 0);
    /* Any JSON value is valid data, not only objects. */
    assert_int_equal(
        conformance_append1(&f, "s-1", ESK_ANY, "T", " [1, \"\\u00e9\"] "),
        ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", "null"),
                     ESK_OK);
    conformance_close_fixture(&f);
}

void deeply_nested_data_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    char deep[2 * ESK_JSON_DEPTH_MAX + 8];
    size_t n = ESK_JSON_DEPTH_MAX + 1;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", deep),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "nested too deep");
    /* One level less is accepted. */
    deep[0] = ' ';
    deep[2 * n - 1] = ' ';
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "T", deep),
                     ESK_OK);
    conformance_close_fixture(&f);
}

void metadata_must_be_a_json_object(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = conformance_ev("T", "{}");
    e.metadata = "[1]";
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "metadata is not a JSON object");
    e.metadata = "{\"correlationId\":\"c-1\",\"causationId\":\"k-1\"}";
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    e.metadata = NULL;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_string_equal(f.list.events[0].metadata,
                        "{\"correlationId\":\"c-1\",\"causationId\":\"k-1\"}");
    assert_string_equal(f.list.events[1].metadata, "{}");
    conformance_close_fixture(&f);
}

void schema_versions_below_one_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = conformance_ev("T", "{}");
    e.schema_version = 0;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "schema version is 0");
    conformance_close_fixture(&f);
}

void quotes_percent_signs_and_unicode_are_stored_verbatim(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *stream =
        "workshop-'; DROP TABLE events; --%s%n\"\xc3\xa9\xe2\x82\xac";
    const char *type = "Attendee\"Registered'%d \xf0\x9f\x8e\x89";
    const char *data = "{\"name\":\"Zo\xc3\xab O'Brien \\\"%s\\\"\"}";
    assert_int_equal(conformance_append1(&f, stream, ESK_NO_STREAM, type, data),
                     ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, stream, 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_string_equal(f.list.events[0].stream_id, stream);
    assert_string_equal(f.list.events[0].type, type);
    assert_string_equal(f.list.events[0].data, data);
    esk_filter filter = {"workshop", &type, 1};
    assert_int_equal(esk_store_read_all(f.store, 0, 0, &filter, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 1);
    conformance_close_fixture(&f);
}

/* A backend that pastes the stream id into its SQL reads another stream,
 * or none: with a quote and a semicolon in the id, the first statement of
 * the pasted text is still valid SQL, so only the numbers tell. */
void a_stream_id_with_quotes_keeps_its_own_version(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const char *stream = "workshop-o'brien'; --";
    assert_int_equal(
        conformance_append1(&f, "workshop-o", ESK_NO_STREAM, "T", "{}"),
        ESK_OK);
    assert_int_equal(conformance_append1(&f, stream, ESK_NO_STREAM, "T", "{}"),
                     ESK_OK);
    assert_int_equal(conformance_version_of(&f, stream), 1);
    assert_int_equal(conformance_append1(&f, stream, 1, "T", "{}"), ESK_OK);
    assert_int_equal(conformance_append1(&f, stream, 1, "T", "{}"),
                     ESK_ECONCURRENCY);
    assert_int_equal(conformance_version_of(&f, stream), 2);
    assert_int_equal(esk_store_read_stream(f.store, stream, 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_string_equal(f.list.events[1].stream_id, stream);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, stream, ESK_END, 1, &f.list),
        ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(f.list.events[0].version, 2);
    assert_int_equal(conformance_version_of(&f, "workshop-o"), 1);
    conformance_close_fixture(&f);
}

/* --- the envelope ------------------------------------------------------- */

static bool is_uuid_v7(const char *id)
{
    if (strlen(id) != ESK_EVENT_ID_LEN)
        return false;
    for (int i = 0; i < ESK_EVENT_ID_LEN; i++) {
        char c = id[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return id[14] == '7' && strchr("89ab", id[19]) != NULL;
}

/* The 48-bit Unix millisecond at the front of a UUID v7 text. */
static int64_t uuid_v7_millisecond(const char *id)
{
    char hex[13];
    memcpy(hex, id, 8);
    memcpy(hex + 8, id + 9, 4);
    hex[12] = '\0';
    return (int64_t)strtoll(hex, NULL, 16);
}

void generated_event_ids_are_increasing_uuid_v7_of_the_recorded_millisecond(
    void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    enum { N = 300 };
    esk_new_event batch[N];
    for (int i = 0; i < N; i++)
        batch[i] = conformance_ev("T", "{}");
    /* Two batches: the clock ticks between them. */
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch, N / 2, NULL), ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch, N / 2, NULL), ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, N);
    for (size_t i = 0; i < N; i++) {
        const esk_event *e = &f.list.events[i];
        if (!is_uuid_v7(e->event_id))
            fail_msg("'%s' is not a UUID v7", e->event_id);
        assert_int_equal(uuid_v7_millisecond(e->event_id),
                         e->recorded_at / 1000);
        /* Increasing, so no two alike. */
        if (i > 0 && strcmp(f.list.events[i - 1].event_id, e->event_id) >= 0)
            fail_msg("id %zu '%s' does not follow '%s'", i, e->event_id,
                     f.list.events[i - 1].event_id);
    }
    conformance_close_fixture(&f);
}

void recorded_at_comes_from_the_injected_clock(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[2] = {conformance_ev("A", "{}"),
                              conformance_ev("B", "{}")};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "C", "{}"),
                     ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    /* One reading of the clock per batch: a batch is one moment. */
    assert_int_equal(f.list.events[0].recorded_at, CLOCK_START);
    assert_int_equal(f.list.events[1].recorded_at, CLOCK_START);
    assert_true(f.list.events[2].recorded_at > CLOCK_START);
    char text[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(f.list.events[0].recorded_at, text),
                     ESK_OK);
    assert_string_equal(text, "2026-11-27T09:00:00.000000Z");
    conformance_close_fixture(&f);
}

/* Times before 1970 are negative: a backend that keeps them as text or
 * parses them back must keep the sign, down to the range's first moment. */
void times_before_1970_and_at_the_range_ends_read_back(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const esk_time times[3] = {ESK_TIME_MIN, -1, ESK_TIME_MAX};
    for (int i = 0; i < 3; i++) {
        f.now = times[i];
        assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                         ESK_OK);
    }
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(f.list.events[i].recorded_at, times[i]);
    char text[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(f.list.events[1].recorded_at, text),
                     ESK_OK);
    assert_string_equal(text, "1969-12-31T23:59:59.999999Z");
    conformance_close_fixture(&f);
}

void every_envelope_field_reads_back_as_written(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = {"evt-0001", "AttendeeRegistered", 3,
                       "{\"attendee\":\"ada\",\"seats\":1}",
                       "{\"correlationId\":\"c-9\"}"};
    assert_int_equal(
        esk_store_append(f.store, "workshop-7", ESK_ANY, &e, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    const esk_event *r = &f.list.events[0];
    assert_string_equal(r->event_id, "evt-0001");
    assert_string_equal(r->stream_id, "workshop-7");
    assert_int_equal(r->version, 1);
    assert_int_equal(r->position, 1);
    assert_string_equal(r->type, "AttendeeRegistered");
    assert_int_equal(r->schema_version, 3);
    assert_string_equal(r->data, "{\"attendee\":\"ada\",\"seats\":1}");
    assert_string_equal(r->metadata, "{\"correlationId\":\"c-9\"}");
    assert_int_equal(r->recorded_at, CLOCK_START);
    conformance_close_fixture(&f);
}

void the_message_is_cleared_by_a_success(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    assert_int_equal(conformance_append1(&f, "", ESK_ANY, "A", "{}"),
                     ESK_EINVAL);
    assert_string_not_equal(esk_errmsg(), "");
    assert_int_equal(conformance_append1(&f, "s-1", ESK_ANY, "A", "{}"),
                     ESK_OK);
    assert_string_equal(esk_errmsg(), "");
    conformance_close_fixture(&f);
}
