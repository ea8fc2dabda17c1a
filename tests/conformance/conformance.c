/*
 * tests/conformance/conformance.c - every rule of esk/store.h, as tests.
 *
 * Each test opens a fresh store from the backend under test, so tests are
 * independent and can be read one at a time.
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

static const esk_conformance_backend *backend;

/* A clock that starts at 2026-11-27T09:00:00Z and ticks one second per
 * reading, so recorded times are known in advance. */
static esk_time fake_clock(void *ctx)
{
    esk_time *now = ctx;
    esk_time t = *now;
    *now += 1000000;
    return t;
}

#define CLOCK_START INT64_C(1795770000000000)

typedef struct fixture {
    esk_store *store;
    esk_time now;
    esk_event_list list;
} fixture;

static void open_fixture(fixture *f)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    f->now = CLOCK_START;
    options.clock = fake_clock;
    options.clock_ctx = &f->now;
    f->list = (esk_event_list)ESK_EVENT_LIST_INIT;
    f->store = NULL;
    assert_int_equal(backend->open(&f->store, &options, backend->ctx), ESK_OK);
    assert_non_null(f->store);
}

static void close_fixture(fixture *f)
{
    esk_event_list_release(&f->list);
    esk_store_free(f->store);
}

static esk_new_event ev(const char *type, const char *data)
{
    return (esk_new_event){NULL, type, 1, data, NULL};
}

static esk_status append1(fixture *f, const char *stream, int64_t expected,
                          const char *type, const char *data)
{
    esk_new_event e = ev(type, data);
    return esk_store_append(f->store, stream, expected, &e, 1, NULL);
}

static int64_t version_of(fixture *f, const char *stream)
{
    int64_t v = -99;
    assert_int_equal(esk_store_stream_version(f->store, stream, &v), ESK_OK);
    return v;
}

static int64_t head_of(fixture *f)
{
    int64_t p = -99;
    assert_int_equal(esk_store_head_position(f->store, &p), ESK_OK);
    return p;
}

static void assert_message_contains(fixture *f, const char *part)
{
    (void)f;
    const char *msg = esk_errmsg();
    if (strstr(msg, part) == NULL)
        fail_msg("store message \"%s\" does not contain \"%s\"", msg, part);
}

/* Stream "s" with events e1..en of type "T", data {"n":i}. */
static void fill_stream(fixture *f, const char *stream, int n)
{
    for (int i = 1; i <= n; i++) {
        char data[32];
        snprintf(data, sizeof(data), "{\"n\":%d}", i);
        assert_int_equal(append1(f, stream, ESK_ANY, "T", data), ESK_OK);
    }
}

/* --- versions and positions -------------------------------------------- */

static void a_new_stream_is_at_version_zero(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(version_of(&f, "workshop-1"), 0);
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void the_first_event_of_a_stream_has_version_one(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = ev("WorkshopScheduled", "{\"title\":\"ES\"}");
    esk_append_result r = {-1, -1};
    assert_int_equal(
        esk_store_append(f.store, "workshop-1", ESK_NO_STREAM, &e, 1, &r),
        ESK_OK);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    assert_int_equal(version_of(&f, "workshop-1"), 1);
    assert_int_equal(
        esk_store_read_stream(f.store, "workshop-1", 1, 0, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(f.list.events[0].version, 1);
    assert_int_equal(f.list.events[0].position, 1);
    close_fixture(&f);
}

static void a_batch_gets_consecutive_versions_and_positions(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "other-1", 2);
    esk_new_event batch[3] = {ev("A", "1"), ev("B", "2"), ev("C", "3")};
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
    close_fixture(&f);
}

static void positions_increase_without_gaps_across_streams(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *streams[] = {"a-1", "b-1", "a-2", "a-1", "c-9", "b-1"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(append1(&f, streams[i], ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(f.list.events[i].position, (int64_t)i + 1);
        assert_string_equal(f.list.events[i].stream_id, streams[i]);
    }
    assert_int_equal(f.list.events[3].version, 2); /* second event of a-1 */
    assert_int_equal(head_of(&f), 6);
    close_fixture(&f);
}

static void many_streams_keep_their_own_order(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    enum { STREAMS = 97, EVENTS = 3000 };
    char stream[32];
    for (int i = 0; i < EVENTS; i++) {
        snprintf(stream, sizeof(stream), "s-%d", i % STREAMS);
        char data[32];
        snprintf(data, sizeof(data), "{\"i\":%d}", i);
        int64_t expected = i / STREAMS; /* events already in that stream */
        assert_int_equal(append1(&f, stream, expected, "T", data), ESK_OK);
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
    assert_int_equal(head_of(&f), EVENTS);
    close_fixture(&f);
}

/* --- expected versions ------------------------------------------------- */

static void append_expecting_any_succeeds_whatever_the_version(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(version_of(&f, "s-1"), 2);
    close_fixture(&f);
}

static void
append_expecting_no_stream_fails_once_the_stream_exists(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", ESK_NO_STREAM, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_NO_STREAM, "T", "{}"),
                     ESK_ECONCURRENCY);
    assert_message_contains(&f, "stream 's-1' already exists at version 1");
    assert_int_equal(version_of(&f, "s-1"), 1);
    close_fixture(&f);
}

static void expected_version_zero_means_no_stream(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", 0, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", 0, "T", "{}"), ESK_ECONCURRENCY);
    close_fixture(&f);
}

static void append_expecting_stream_exists_fails_on_a_new_stream(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", ESK_STREAM_EXISTS, "T", "{}"),
                     ESK_ECONCURRENCY);
    assert_message_contains(&f, "stream 's-1' does not exist");
    assert_int_equal(version_of(&f, "s-1"), 0);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_STREAM_EXISTS, "T", "{}"), ESK_OK);
    assert_int_equal(version_of(&f, "s-1"), 2);
    close_fixture(&f);
}

static void append_with_the_exact_version_succeeds(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", 0, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", 1, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", 2, "T", "{}"), ESK_OK);
    assert_int_equal(version_of(&f, "s-1"), 3);
    close_fixture(&f);
}

static void
append_with_a_stale_version_is_rejected_naming_both_versions(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "workshop-42", 7);
    esk_new_event batch[2] = {ev("A", "{}"), ev("B", "{}")};
    assert_int_equal(
        esk_store_append(f.store, "workshop-42", 5, batch, 2, NULL),
        ESK_ECONCURRENCY);
    assert_string_equal(esk_errmsg(),
                        "stream 'workshop-42' is at version 7, expected 5");
    assert_int_equal(version_of(&f, "workshop-42"), 7);
    assert_int_equal(head_of(&f), 7);
    close_fixture(&f);
}

static void append_with_a_version_ahead_of_the_stream_is_rejected(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 1);
    assert_int_equal(append1(&f, "s-1", 3, "T", "{}"), ESK_ECONCURRENCY);
    assert_message_contains(&f, "is at version 1, expected 3");
    close_fixture(&f);
}

static void unknown_expected_version_values_are_invalid(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-1", -4, "T", "{}"), ESK_EINVAL);
    assert_int_equal(append1(&f, "s-1", INT64_MIN, "T", "{}"), ESK_EINVAL);
    assert_message_contains(&f, "expected version");
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

/* --- bad input ---------------------------------------------------------- */

static void null_arguments_are_refused_without_a_crash(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = ev("T", "{}");
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
    e = ev("T", NULL);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "data is NULL");
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
    assert_message_contains(&f, "esk_store_check_replay");
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void an_empty_batch_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = ev("T", "{}");
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 0, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "no events");
    close_fixture(&f);
}

static void empty_and_over_long_stream_ids_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    char id[ESK_STREAM_ID_MAX + 2];
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    assert_int_equal(append1(&f, "", ESK_ANY, "T", "{}"), ESK_EINVAL);
    assert_message_contains(&f, "stream id is empty");
    assert_int_equal(append1(&f, id, ESK_ANY, "T", "{}"), ESK_EINVAL);
    assert_message_contains(&f, "at most 255");
    id[ESK_STREAM_ID_MAX] = '\0'; /* exactly the limit is fine */
    assert_int_equal(append1(&f, id, ESK_ANY, "T", "{}"), ESK_OK);
    assert_int_equal(version_of(&f, id), 1);
    close_fixture(&f);
}

static void stream_ids_that_are_not_utf8_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "s-\xff", ESK_ANY, "T", "{}"), ESK_EINVAL);
    assert_int_equal(append1(&f, "s-\xc0\xaf", ESK_ANY, "T", "{}"),
                     ESK_EINVAL); /* overlong '/' */
    assert_message_contains(&f, "UTF-8");
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T\xed\xa0\x80", "{}"),
                     ESK_EINVAL); /* surrogate in the type */
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void
data_that_is_not_json_is_refused_and_nothing_is_written(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *bad[] = {"",         "{",
                         "{\"a\":}", "{'a':1}",
                         "[1,2,]",   "{\"a\":1} x",
                         "NaN",      "01",
                         "\"\xff\"", "{\"a\":\"\\ud800\"}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        esk_new_event batch[2] = {ev("Good", "{}"), ev("Bad", bad[i])};
        assert_int_equal(
            esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
            ESK_EINVAL);
        assert_message_contains(&f, "event 1 (Bad): data is not JSON");
    }
    assert_int_equal(head_of(&f), 0);
    /* Any JSON value is valid data, not only objects. */
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", " [1, \"\\u00e9\"] "),
                     ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", "null"), ESK_OK);
    close_fixture(&f);
}

static void deeply_nested_data_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    char deep[2 * ESK_JSON_DEPTH_MAX + 8];
    size_t n = ESK_JSON_DEPTH_MAX + 1;
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    deep[2 * n] = '\0';
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", deep), ESK_EINVAL);
    assert_message_contains(&f, "nested too deep");
    /* One level less is accepted. */
    deep[0] = ' ';
    deep[2 * n - 1] = ' ';
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "T", deep), ESK_OK);
    close_fixture(&f);
}

static void metadata_must_be_a_json_object(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = ev("T", "{}");
    e.metadata = "[1]";
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "metadata is not a JSON object");
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
    close_fixture(&f);
}

static void schema_versions_below_one_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = ev("T", "{}");
    e.schema_version = 0;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "schema version is 0");
    close_fixture(&f);
}

static void quotes_percent_signs_and_unicode_are_stored_verbatim(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *stream =
        "workshop-'; DROP TABLE events; --%s%n\"\xc3\xa9\xe2\x82\xac";
    const char *type = "Attendee\"Registered'%d \xf0\x9f\x8e\x89";
    const char *data = "{\"name\":\"Zo\xc3\xab O'Brien \\\"%s\\\"\"}";
    assert_int_equal(append1(&f, stream, ESK_NO_STREAM, type, data), ESK_OK);
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
    close_fixture(&f);
}

/* A backend that pastes the stream id into its SQL reads another stream,
 * or none: with a quote and a semicolon in the id, the first statement of
 * the pasted text is still valid SQL, so only the numbers tell. */
static void a_stream_id_with_quotes_keeps_its_own_version(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *stream = "workshop-o'brien'; --";
    assert_int_equal(append1(&f, "workshop-o", ESK_NO_STREAM, "T", "{}"),
                     ESK_OK);
    assert_int_equal(append1(&f, stream, ESK_NO_STREAM, "T", "{}"), ESK_OK);
    assert_int_equal(version_of(&f, stream), 1);
    assert_int_equal(append1(&f, stream, 1, "T", "{}"), ESK_OK);
    assert_int_equal(append1(&f, stream, 1, "T", "{}"), ESK_ECONCURRENCY);
    assert_int_equal(version_of(&f, stream), 2);
    assert_int_equal(esk_store_read_stream(f.store, stream, 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_string_equal(f.list.events[1].stream_id, stream);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, stream, ESK_END, 1, &f.list),
        ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(f.list.events[0].version, 2);
    assert_int_equal(version_of(&f, "workshop-o"), 1);
    close_fixture(&f);
}

/* --- the envelope ------------------------------------------------------- */

static bool is_uuid_v4(const char *id)
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
    return id[14] == '4' && strchr("89ab", id[19]) != NULL;
}

static void generated_event_ids_are_unique_uuid_v4(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    enum { N = 300 };
    esk_new_event batch[N];
    for (int i = 0; i < N; i++)
        batch[i] = ev("T", "{}");
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, N, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, N);
    for (size_t i = 0; i < N; i++) {
        if (!is_uuid_v4(f.list.events[i].event_id))
            fail_msg("'%s' is not a UUID v4", f.list.events[i].event_id);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(f.list.events[i].event_id,
                                    f.list.events[j].event_id);
    }
    close_fixture(&f);
}

static void recorded_at_comes_from_the_injected_clock(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[2] = {ev("A", "{}"), ev("B", "{}")};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "C", "{}"), ESK_OK);
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
    close_fixture(&f);
}

static void every_envelope_field_reads_back_as_written(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
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
    close_fixture(&f);
}

/* --- idempotent appends --------------------------------------------------- */

static void sending_the_same_batch_again_returns_the_first_result(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "other-1", 1);
    esk_new_event batch[2] = {{"id-1", "A", 1, "{}", NULL},
                              {"id-2", "B", 1, "{}", NULL}};
    esk_append_result first, again;
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &first),
        ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &again),
        ESK_OK);
    assert_int_equal(again.version, first.version);
    assert_int_equal(again.position, first.position);
    assert_int_equal(first.position, 3);
    assert_int_equal(version_of(&f, "s-1"), 2);
    assert_int_equal(head_of(&f), 3);
    close_fixture(&f);
}

static void sending_the_same_batch_again_with_any_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = {"only-once", "A", 1, "{}", NULL};
    esk_append_result first, again;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, &first),
                     ESK_OK);
    fill_stream(&f, "s-1", 2); /* the stream moves on */
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, &again),
                     ESK_OK);
    assert_int_equal(again.version, 1);
    assert_int_equal(again.position, 1);
    assert_int_equal(version_of(&f, "s-1"), 3);
    close_fixture(&f);
}

static void a_batch_that_partly_overlaps_stored_ids_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event first[2] = {{"id-1", "A", 1, "{}", NULL},
                              {"id-2", "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, first, 2, NULL),
                     ESK_OK);
    /* Starts with a new id, then reuses a stored one. */
    esk_new_event tail[2] = {{"id-3", "C", 1, "{}", NULL},
                             {"id-2", "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, tail, 2, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "id-2");
    /* Starts with a stored id, then goes on with a new one. */
    esk_new_event head[2] = {{"id-1", "A", 1, "{}", NULL},
                             {"id-4", "D", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, head, 2, NULL),
                     ESK_EDUPLICATE);
    /* The stored batch in another order is not the stored batch. */
    esk_new_event swapped[2] = {first[1], first[0]};
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, swapped, 2, NULL),
        ESK_EDUPLICATE);
    assert_int_equal(head_of(&f), 2);
    assert_int_equal(version_of(&f, "s-1"), 2);
    close_fixture(&f);
}

static void a_stored_id_sent_to_another_stream_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event e = {"id-1", "A", 1, "{}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-2", ESK_ANY, &e, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "stream 's-1'");
    assert_int_equal(version_of(&f, "s-2"), 0);
    close_fixture(&f);
}

static void
a_stored_batch_sent_at_another_expected_version_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 2);
    esk_new_event e = {"id-1", "A", 1, "{}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", 2, &e, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", 2, &e, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", 0, &e, 1, NULL),
                     ESK_EDUPLICATE);
    assert_int_equal(head_of(&f), 3);
    close_fixture(&f);
}

/* Stream "s-1" holding one event "A" of type "T", schema version 1, data
 * {"n":1}, no metadata: what the content tests below send again, changed. */
static void store_event_a(fixture *f)
{
    esk_new_event a = {"A", "T", 1, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f->store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_OK);
}

static void a_stored_id_sent_with_another_type_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "U", 1, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 with another type "
                                "(stored 'T', sent 'U')");
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void a_stored_id_sent_with_other_data_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    store_event_a(&f);
    /* The same JSON value, written otherwise, is other bytes. */
    esk_new_event a = {"A", "T", 1, "{\"n\": 1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 with other data");
    assert_message_contains(&f, "{\"n\": 1}");
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void a_stored_id_sent_with_other_metadata_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "T", 1, "{\"n\":1}", "{\"userId\":\"ada\"}"};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 with other metadata");
    /* No metadata is stored as "{}": sending "{}" is the same content. */
    a.metadata = "{}";
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_OK);
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void
a_stored_id_sent_with_another_schema_version_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "T", 2, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 with schema version 1; "
                                "this batch sends 2");
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void part_of_a_stored_batch_sent_alone_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[2] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 1, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 as part of a batch of 2 "
                                "events; this batch has 1");
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 1, 1, NULL),
        ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'B' is already stored in stream "
                                "'s-1' at version 2 as event 2 of a batch of "
                                "2 events; this batch sends it as event 1");
    assert_int_equal(head_of(&f), 2);
    close_fixture(&f);
}

static void two_stored_batches_sent_as_one_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[3] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL},
                              {"C", "T", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 2, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 3, NULL),
                     ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1 as part of a batch of 2 "
                                "events; this batch has 3");
    /* Each batch, as it was appended, is a replay. */
    esk_append_result r;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, &r),
                     ESK_OK);
    assert_int_equal(r.version, 2);
    assert_int_equal(r.position, 2);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 2, 1, &r), ESK_OK);
    assert_int_equal(r.version, 3);
    assert_int_equal(r.position, 3);
    assert_int_equal(head_of(&f), 3);
    close_fixture(&f);
}

static void a_stored_batch_sent_in_another_order_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[2] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL}};
    esk_new_event swapped[2] = {batch[1], batch[0]};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, swapped, 2, NULL),
        ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'B' is already stored in stream "
                                "'s-1' at version 2 as event 2 of a batch of "
                                "2 events; this batch sends it as event 1");
    assert_int_equal(head_of(&f), 2);
    close_fixture(&f);
}

static void
an_exact_resend_returns_the_first_result_after_other_appends(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "other-1", 1);
    esk_new_event batch[2] = {{"A", "T", 1, "{\"n\":1}", "{\"k\":\"v\"}"},
                              {"B", "U", 2, "[1,2]", NULL}};
    esk_append_result first, again;
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &first),
        ESK_OK);
    fill_stream(&f, "s-1", 2);
    fill_stream(&f, "other-1", 2);
    /* The clock has moved on: recorded_at is the store's, not content. */
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &again),
        ESK_OK);
    assert_int_equal(first.version, 2);
    assert_int_equal(first.position, 3);
    assert_int_equal(again.version, first.version);
    assert_int_equal(again.position, first.position);
    assert_int_equal(head_of(&f), 7);
    assert_int_equal(version_of(&f, "s-1"), 4);
    close_fixture(&f);
}

static void a_batch_that_created_its_stream_is_no_replay_for_an_existing_stream(
    void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event a = {"A", "T", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, &a, 1, NULL), ESK_OK);
    fill_stream(&f, "s-1", 1);
    /* Checked against ESK_STREAM_EXISTS, the first append would have
     * failed: this cannot be a retry of it. */
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_STREAM_EXISTS, &a, 1, NULL),
        ESK_EDUPLICATE);
    assert_message_contains(&f, "event id 'A' is already stored in stream "
                                "'s-1' at version 1");
    assert_int_equal(head_of(&f), 2);
    close_fixture(&f);
}

static void the_same_id_twice_in_one_batch_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[3] = {{"a", "A", 1, "{}", NULL},
                              {"b", "B", 1, "{}", NULL},
                              {"a", "C", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 3, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "share the id 'a'");
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void a_batch_mixing_given_and_missing_ids_is_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_new_event batch[2] = {{"a", "A", 1, "{}", NULL},
                              {NULL, "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_EINVAL);
    assert_message_contains(&f, "every event of a batch an id, or none");
    close_fixture(&f);
}

/* --- reading streams ------------------------------------------------------ */

static void a_stream_reads_forward_from_a_version_up_to_a_count(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 10);
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
    close_fixture(&f);
}

static void an_absent_stream_reads_as_empty(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 2);
    assert_int_equal(esk_store_read_stream(f.store, "s-2", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(
        esk_store_read_stream_backward(f.store, "s-2", ESK_END, 0, &f.list),
        ESK_OK);
    assert_int_equal(f.list.count, 0);
    close_fixture(&f);
}

static void a_stream_reads_backward_from_the_end_or_a_version(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 5);
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
    close_fixture(&f);
}

static void
a_list_can_be_reused_and_keeps_earlier_strings_until_then(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 3);
    fill_stream(&f, "s-2", 3);
    esk_event_list other = ESK_EVENT_LIST_INIT;
    for (int round = 0; round < 5; round++) {
        assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                         ESK_OK);
        assert_int_equal(esk_store_read_stream(f.store, "s-2", 2, 0, &other),
                         ESK_OK);
        fill_stream(&f, "s-3", 1); /* appends do not disturb read lists */
        assert_int_equal(f.list.count, 3);
        assert_string_equal(f.list.events[2].data, "{\"n\":3}");
        assert_string_equal(f.list.events[0].stream_id, "s-1");
        assert_int_equal(other.count, 2);
        assert_string_equal(other.events[0].data, "{\"n\":2}");
    }
    esk_event_list_release(&other);
    esk_event_list_release(&other); /* freeing twice is harmless */
    esk_event_list_release(NULL);
    close_fixture(&f);
}

/* --- reading everything ----------------------------------------------------
 */

static void all_events_read_in_global_order_after_a_position(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "a-1", 2);
    fill_stream(&f, "b-1", 2);
    fill_stream(&f, "a-1", 1);
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
    close_fixture(&f);
}

static void paging_through_all_events_sees_each_exactly_once(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    for (int i = 0; i < 10; i++) {
        char stream[16];
        snprintf(stream, sizeof(stream), "p-%d", i % 3);
        assert_int_equal(append1(&f, stream, ESK_ANY, "T", "{}"), ESK_OK);
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
    close_fixture(&f);
}

static void all_events_filter_by_category(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *streams[] = {"workshop-1", "attendee-1",   "workshops-1",
                             "workshop",   "workshop-2-b", "work-1"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(append1(&f, streams[i], ESK_ANY, "T", "{}"), ESK_OK);
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
    close_fixture(&f);
}

static void all_events_filter_by_type_and_count_after_filtering(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *types[] = {"A", "B", "C", "A", "B", "A"};
    const char *streams[] = {"x-1", "x-1", "y-1", "y-1", "x-2", "x-3"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(append1(&f, streams[i], ESK_ANY, types[i], "{}"),
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
    close_fixture(&f);
}

static void malformed_filters_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
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
    assert_message_contains(&f, "before the first '-'");
    close_fixture(&f);
}

/* --- subscribers ---------------------------------------------------------- */

typedef struct recorder {
    int calls;
    size_t events;
    int64_t last_position;
    int64_t last_version;
    char last_type[32];
} recorder;

static void record(void *ctx, const esk_event *events, size_t n)
{
    recorder *r = ctx;
    r->calls++;
    r->events += n;
    r->last_position = events[n - 1].position;
    r->last_version = events[n - 1].version;
    snprintf(r->last_type, sizeof(r->last_type), "%s", events[n - 1].type);
}

static void subscribers_see_each_committed_batch_once(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, record, &r), ESK_OK);
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
    assert_int_equal(append1(&f, "s-1", 0, "C", "{}"), ESK_ECONCURRENCY);
    assert_int_equal(r.calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, record, &r), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "C", "{}"), ESK_OK);
    assert_int_equal(r.calls, 1);
    close_fixture(&f);
}

static void a_subscriber_is_registered_once(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    recorder a = {0}, b = {0};
    assert_int_equal(esk_store_subscribe(f.store, record, &a), ESK_OK);
    assert_int_equal(esk_store_subscribe(f.store, record, &a), ESK_EEXISTS);
    assert_int_equal(esk_store_subscribe(f.store, record, &b), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(a.calls, 1);
    assert_int_equal(b.calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, record, &a), ESK_OK);
    assert_int_equal(esk_store_unsubscribe(f.store, record, &a), ESK_ENOTFOUND);
    close_fixture(&f);
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

static void
a_subscriber_removing_itself_leaves_the_others_their_batch(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    hook_probe p[3] = {{0}};
    subscribe_probes(&f, p, 3);
    p[0].remove = &p[0];
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 1);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "B", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 2);
    assert_int_equal(p[2].calls, 2);

    /* The same at a commit that announces two batches: the removal takes
     * effect from the next batch. */
    p[1].remove = &p[1];
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "C", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-2", ESK_ANY, "D", "{}"), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(p[1].calls, 3);
    assert_int_equal(p[2].calls, 4);
    close_fixture(&f);
}

static void a_subscriber_removed_before_its_turn_is_not_called(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    hook_probe p[3] = {{0}};
    subscribe_probes(&f, p, 3);
    p[0].remove = &p[1];
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(esk_store_unsubscribe(f.store, probe_subscriber, &p[1]),
                     ESK_ENOTFOUND);
    close_fixture(&f);
}

static void
a_subscriber_added_during_a_call_hears_from_the_next_batch(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    hook_probe p[2] = {{0}};
    hook_probe late = {f.store, 0, NULL, NULL};
    subscribe_probes(&f, p, 2);
    /* The first removes the second and adds a third, which takes the
     * last place: this batch still reaches neither. */
    p[0].remove = &p[1];
    p[0].add = &late;
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(late.calls, 0);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "B", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 2);
    assert_int_equal(late.calls, 1);
    assert_int_equal(esk_store_subscribe(f.store, probe_subscriber, &late),
                     ESK_EEXISTS);
    close_fixture(&f);
}

static void the_message_is_cleared_by_a_success(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(append1(&f, "", ESK_ANY, "A", "{}"), ESK_EINVAL);
    assert_string_not_equal(esk_errmsg(), "");
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_string_equal(esk_errmsg(), "");
    close_fixture(&f);
}

/* --- transactions ----------------------------------------------------------
 */

static void a_committed_transaction_keeps_all_its_appends(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(append1(&f, "s-1", ESK_NO_STREAM, "A", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-2", ESK_NO_STREAM, "B", "{}"), ESK_OK);
    /* The transaction reads its own writes. */
    assert_int_equal(version_of(&f, "s-1"), 1);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 0);
    assert_int_equal(head_of(&f), 2);
    close_fixture(&f);
}

static void a_rolled_back_transaction_keeps_none_of_its_appends(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    fill_stream(&f, "s-1", 1);
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
    assert_int_equal(version_of(&f, "s-1"), 1);
    assert_int_equal(version_of(&f, "s-2"), 0);
    assert_int_equal(head_of(&f), 1);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_int_equal(f.list.count, 1);
    /* The undone ids are free again, and positions go on without a gap. */
    esk_append_result r;
    assert_int_equal(esk_store_append(f.store, "s-3", ESK_ANY, batch, N, &r),
                     ESK_OK);
    assert_int_equal(r.position, N + 1);
    assert_int_equal(esk_store_append(f.store, "s-3", ESK_ANY, batch, N, &r),
                     ESK_OK); /* and a replay is recognised */
    assert_int_equal(head_of(&f), N + 1);
    close_fixture(&f);
}

static void
a_failed_append_inside_a_transaction_undoes_only_itself(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_NO_STREAM, "A", "{}"), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_NO_STREAM, "B", "{}"),
                     ESK_ECONCURRENCY);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(append1(&f, "s-1", 1, "C", "{}"), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_string_equal(f.list.events[1].type, "C");
    close_fixture(&f);
}

static void a_nested_rollback_undoes_only_the_inner_part(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_record rec = {"p-1", 1, 1, "{}"};
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "Outer", "{}"), ESK_OK);
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(f.store), 2);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "Inner", "{}"), ESK_OK);
    rec.at = 2;
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(version_of(&f, "s-1"), 1);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT, "p-1",
                                          &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 1);
    esk_free(owned);
    close_fixture(&f);
}

static void commit_and_rollback_need_an_open_transaction(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(esk_store_commit(f.store), ESK_EINVAL);
    assert_message_contains(&f, "esk_store_begin");
    assert_int_equal(esk_store_rollback(f.store), ESK_EINVAL);
    assert_int_equal(esk_store_begin(NULL), ESK_EINVAL);
    assert_int_equal(esk_store_transaction_depth(NULL), 0);
    close_fixture(&f);
}

static void subscribers_hear_of_a_transaction_only_when_it_commits(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, record, &r), ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "Undone", "{}"), ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-2", ESK_ANY, "B", "{}"), ESK_OK);
    assert_int_equal(r.calls, 0);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(r.calls, 2);
    assert_int_equal(r.events, 2);
    assert_string_equal(r.last_type, "B");
    assert_int_equal(r.last_position, 2);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "C", "{}"), ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(r.calls, 2);
    close_fixture(&f);
}

/* --- records
 * ------------------------------------------------------------------- */

static void records_of_each_kind_read_back_as_written(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const esk_record_kind kinds[] = {ESK_RECORD_CHECKPOINT, ESK_RECORD_COMMAND,
                                     ESK_RECORD_SNAPSHOT};
    for (int k = 0; k < 3; k++) {
        char value[32];
        snprintf(value, sizeof(value), "{\"kind\":%d}", k);
        esk_record rec = {"same-key", 100 + k, k + 1, value};
        assert_int_equal(esk_store_put_record(f.store, kinds[k], &rec), ESK_OK);
    }
    for (int k = 0; k < 3; k++) {
        char value[32];
        snprintf(value, sizeof(value), "{\"kind\":%d}", k);
        esk_record got = {0};
        char *owned = NULL;
        assert_int_equal(
            esk_store_get_record(f.store, kinds[k], "same-key", &got, &owned),
            ESK_OK);
        assert_string_equal(got.key, "same-key");
        assert_int_equal(got.at, 100 + k);
        assert_int_equal(got.tag, k + 1);
        assert_string_equal(got.value, value);
        esk_free(owned);
    }
    close_fixture(&f);
}

static void a_missing_record_is_not_found(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_record got = {"untouched", 7, 7, "untouched"};
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT, "nope",
                                          &got, &owned),
                     ESK_ENOTFOUND);
    assert_null(owned);
    assert_int_equal(got.at, 7);
    assert_message_contains(&f, "nope");
    close_fixture(&f);
}

static void a_record_is_replaced_and_a_rollback_restores_it(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_record rec = {"catalogue", 10, 1, "{\"a\":1}"};
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    rec.at = 20;
    rec.value = "{\"a\":2}";
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    rec.at = 30;
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    esk_record fresh = {"new-one", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &fresh), ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "catalogue", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 20);
    assert_string_equal(got.value, "{\"a\":2}");
    esk_free(owned);
    owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "new-one", &got, &owned),
                     ESK_ENOTFOUND);
    close_fixture(&f);
}

static void malformed_records_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    esk_record got;
    char *owned = NULL;
    esk_record bad_value = {"k", 1, 1, "{oops}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_COMMAND, &bad_value),
        ESK_EINVAL);
    assert_message_contains(&f, "not JSON");
    esk_record no_key = {NULL, 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_COMMAND, &no_key),
                     ESK_EINVAL);
    esk_record empty_key = {"", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_COMMAND, &empty_key),
        ESK_EINVAL);
    esk_record ok_rec = {"k", 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(f.store, (esk_record_kind)9, &ok_rec),
                     ESK_EINVAL);
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_COMMAND, NULL),
                     ESK_EINVAL);
    assert_int_equal(
        esk_store_get_record(f.store, ESK_RECORD_COMMAND, "k", NULL, &owned),
        ESK_EINVAL);
    assert_int_equal(
        esk_store_get_record(f.store, ESK_RECORD_COMMAND, "k", &got, NULL),
        ESK_EINVAL);
    close_fixture(&f);
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

static void an_inline_handler_runs_inside_the_append(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    inline_probe p = {0, 0, 0, NULL};
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p), ESK_OK);
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p),
                     ESK_EEXISTS);
    fill_stream(&f, "s-1", 3);
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
    fill_stream(&f, "s-1", 1);
    assert_int_equal(p.calls, 3);
    close_fixture(&f);
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

static void
an_inline_handler_removing_itself_leaves_the_others_their_batch(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    hook_probe p[3] = {{0}};
    add_handlers(&f, p, 3);
    p[0].remove = &p[0];
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 1);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "B", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 2);
    assert_int_equal(p[2].calls, 2);
    close_fixture(&f);
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

static void an_inline_handler_cannot_end_the_appends_transaction(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    unruly_handler h = {true, false, ESK_OK};
    assert_int_equal(esk_store_add_inline(f.store, unruly_inline, &h), ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(h.seen, ESK_EINVAL);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    /* The caller still decides: its rollback undoes the append. */
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void
an_inline_handler_leaving_a_transaction_open_fails_the_append(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    unruly_handler h = {false, true, ESK_OK};
    assert_int_equal(esk_store_add_inline(f.store, unruly_inline, &h), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_ECALLBACK);
    assert_non_null(strstr(esk_errmsg(), "left it open"));
    assert_int_equal(esk_store_transaction_depth(f.store), 0);
    assert_int_equal(head_of(&f), 0);

    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_ECALLBACK);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void
an_inline_handler_removed_or_added_during_a_call_waits_its_turn(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    hook_probe p[3] = {{0}};
    hook_probe late = {f.store, 0, NULL, NULL};
    add_handlers(&f, p, 3);
    p[0].remove = &p[1];
    p[0].add = &late;
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "A", "{}"), ESK_OK);
    assert_int_equal(p[0].calls, 1);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 1);
    assert_int_equal(late.calls, 0);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "B", "{}"), ESK_OK);
    assert_int_equal(p[1].calls, 0);
    assert_int_equal(p[2].calls, 2);
    assert_int_equal(late.calls, 1);
    close_fixture(&f);
}

static void
a_failing_inline_handler_fails_the_append_and_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    inline_probe p = {0, 0, 0, "Poison"};
    recorder r = {0};
    assert_int_equal(esk_store_subscribe(f.store, record, &r), ESK_OK);
    assert_int_equal(esk_store_add_inline(f.store, probe_inline, &p), ESK_OK);
    assert_int_equal(append1(&f, "s-1", ESK_ANY, "Fine", "{}"), ESK_OK);
    esk_new_event batch[2] = {ev("Fine", "{}"), ev("Poison", "{}")};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_ECALLBACK);
    assert_message_contains(&f, "the read model refuses Poison");
    assert_message_contains(&f, "nothing was written");
    assert_int_equal(head_of(&f), 1);
    assert_int_equal(r.calls, 1);
    /* What the handler wrote during the failed append is undone too. */
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "inline", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 1);
    esk_free(owned);
    close_fixture(&f);
}

int esk_conformance_run(const esk_conformance_backend *under_test)
{
    backend = under_test;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_new_stream_is_at_version_zero),
        cmocka_unit_test(the_first_event_of_a_stream_has_version_one),
        cmocka_unit_test(a_batch_gets_consecutive_versions_and_positions),
        cmocka_unit_test(positions_increase_without_gaps_across_streams),
        cmocka_unit_test(many_streams_keep_their_own_order),
        cmocka_unit_test(append_expecting_any_succeeds_whatever_the_version),
        cmocka_unit_test(
            append_expecting_no_stream_fails_once_the_stream_exists),
        cmocka_unit_test(expected_version_zero_means_no_stream),
        cmocka_unit_test(append_expecting_stream_exists_fails_on_a_new_stream),
        cmocka_unit_test(append_with_the_exact_version_succeeds),
        cmocka_unit_test(
            append_with_a_stale_version_is_rejected_naming_both_versions),
        cmocka_unit_test(append_with_a_version_ahead_of_the_stream_is_rejected),
        cmocka_unit_test(unknown_expected_version_values_are_invalid),
        cmocka_unit_test(null_arguments_are_refused_without_a_crash),
        cmocka_unit_test(an_empty_batch_is_refused),
        cmocka_unit_test(empty_and_over_long_stream_ids_are_refused),
        cmocka_unit_test(stream_ids_that_are_not_utf8_are_refused),
        cmocka_unit_test(
            data_that_is_not_json_is_refused_and_nothing_is_written),
        cmocka_unit_test(deeply_nested_data_is_refused),
        cmocka_unit_test(metadata_must_be_a_json_object),
        cmocka_unit_test(schema_versions_below_one_are_refused),
        cmocka_unit_test(quotes_percent_signs_and_unicode_are_stored_verbatim),
        cmocka_unit_test(a_stream_id_with_quotes_keeps_its_own_version),
        cmocka_unit_test(generated_event_ids_are_unique_uuid_v4),
        cmocka_unit_test(recorded_at_comes_from_the_injected_clock),
        cmocka_unit_test(every_envelope_field_reads_back_as_written),
        cmocka_unit_test(sending_the_same_batch_again_returns_the_first_result),
        cmocka_unit_test(sending_the_same_batch_again_with_any_writes_nothing),
        cmocka_unit_test(a_batch_that_partly_overlaps_stored_ids_is_refused),
        cmocka_unit_test(a_stored_id_sent_to_another_stream_is_refused),
        cmocka_unit_test(
            a_stored_batch_sent_at_another_expected_version_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_another_type_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_other_data_is_refused),
        cmocka_unit_test(a_stored_id_sent_with_other_metadata_is_refused),
        cmocka_unit_test(
            a_stored_id_sent_with_another_schema_version_is_refused),
        cmocka_unit_test(part_of_a_stored_batch_sent_alone_is_refused),
        cmocka_unit_test(two_stored_batches_sent_as_one_are_refused),
        cmocka_unit_test(a_stored_batch_sent_in_another_order_is_refused),
        cmocka_unit_test(
            an_exact_resend_returns_the_first_result_after_other_appends),
        cmocka_unit_test(
            a_batch_that_created_its_stream_is_no_replay_for_an_existing_stream),
        cmocka_unit_test(the_same_id_twice_in_one_batch_is_refused),
        cmocka_unit_test(a_batch_mixing_given_and_missing_ids_is_refused),
        cmocka_unit_test(a_stream_reads_forward_from_a_version_up_to_a_count),
        cmocka_unit_test(an_absent_stream_reads_as_empty),
        cmocka_unit_test(a_stream_reads_backward_from_the_end_or_a_version),
        cmocka_unit_test(
            a_list_can_be_reused_and_keeps_earlier_strings_until_then),
        cmocka_unit_test(all_events_read_in_global_order_after_a_position),
        cmocka_unit_test(paging_through_all_events_sees_each_exactly_once),
        cmocka_unit_test(all_events_filter_by_category),
        cmocka_unit_test(all_events_filter_by_type_and_count_after_filtering),
        cmocka_unit_test(malformed_filters_are_refused),
        cmocka_unit_test(subscribers_see_each_committed_batch_once),
        cmocka_unit_test(a_subscriber_is_registered_once),
        cmocka_unit_test(
            a_subscriber_removing_itself_leaves_the_others_their_batch),
        cmocka_unit_test(a_subscriber_removed_before_its_turn_is_not_called),
        cmocka_unit_test(
            a_subscriber_added_during_a_call_hears_from_the_next_batch),
        cmocka_unit_test(the_message_is_cleared_by_a_success),
        cmocka_unit_test(a_committed_transaction_keeps_all_its_appends),
        cmocka_unit_test(a_rolled_back_transaction_keeps_none_of_its_appends),
        cmocka_unit_test(
            a_failed_append_inside_a_transaction_undoes_only_itself),
        cmocka_unit_test(a_nested_rollback_undoes_only_the_inner_part),
        cmocka_unit_test(commit_and_rollback_need_an_open_transaction),
        cmocka_unit_test(
            subscribers_hear_of_a_transaction_only_when_it_commits),
        cmocka_unit_test(records_of_each_kind_read_back_as_written),
        cmocka_unit_test(a_missing_record_is_not_found),
        cmocka_unit_test(a_record_is_replaced_and_a_rollback_restores_it),
        cmocka_unit_test(malformed_records_are_refused),
        cmocka_unit_test(an_inline_handler_runs_inside_the_append),
        cmocka_unit_test(
            a_failing_inline_handler_fails_the_append_and_writes_nothing),
        cmocka_unit_test(
            an_inline_handler_removing_itself_leaves_the_others_their_batch),
        cmocka_unit_test(
            an_inline_handler_removed_or_added_during_a_call_waits_its_turn),
        cmocka_unit_test(an_inline_handler_cannot_end_the_appends_transaction),
        cmocka_unit_test(
            an_inline_handler_leaving_a_transaction_open_fails_the_append),
    };
    return _cmocka_run_group_tests(
        backend->name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
