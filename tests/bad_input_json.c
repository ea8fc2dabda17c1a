/*
 * tests/bad_input_json.c - bad JSON data and metadata, deep nesting, and
 * events too large for SQLite or just within what it holds.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "bad_input_fixture.h"
#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/store.h"
#include "esk/store_backend.h"
#include "esk/upcast.h"

/* ---- JSON --------------------------------------------------------------- */

static const esk_field guest_fields[] = {
    ESK_FIELD_STRING_OPT(guest, name, "name"),
};
const esk_event_type guest_type =
    ESK_EVENT_TYPE(guest, "GuestBooked", 1, guest_fields);

/* Text that is not JSON, and what each reader says about it. */
void invalid_json_is_refused_everywhere_with_its_place(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        const char *why; /* esk's own check */
    } cases[] = {
        {"{\"name\":", "unexpected end of text"},
        {"{\"name\":\"Ada\",}", "expected a string key"},
        {"{'name':'Ada'}", "expected a string key"},
        {"{\"name\":\"Ada\"} trailing", "unexpected text after the value"},
        {"{\"name\":\"\xff\"}", "invalid UTF-8 in string"},
        {"{\"name\":\"\\ud800\"}", "lone high surrogate"},
        {"{\"name\":NaN}", "unexpected character"},
        {"{\"n\":01}", "expected ',' or '}'"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *json = cases[i].json;
        assert_int_equal(esk_json_validate(json), ESK_EINVAL);
        assert_contains(esk_errmsg(), "invalid JSON at byte");
        assert_contains(esk_errmsg(), cases[i].why);

        guest g;
        assert_int_equal(esk_codec_decode(&guest_type, json, &g), ESK_EDECODE);
        assert_contains(esk_errmsg(), "GuestBooked v1: ");
        assert_contains(esk_errmsg(), "at line 1, column");

        esk_metadata m = {NULL, NULL, json};
        char *out = NULL;
        assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
        assert_contains(esk_errmsg(), "extra is not a JSON object");
        assert_null(out);

        char buf[16];
        assert_int_equal(esk_metadata_get(json, "name", buf, sizeof(buf)),
                         ESK_EINVAL);

        for (size_t b = 0; b < 2; b++) {
            esk_store *store = open_backend(backends[b]);
            assert_int_equal(append1(store, "s-1", NULL, "T", "1"), ESK_OK);
            assert_int_equal(append1(store, "s-1", NULL, "T", json),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "data is not JSON");
            assert_contains(esk_errmsg(), cases[i].why);
            esk_new_event e = {NULL, "T", 1, "{}", json};
            assert_int_equal(
                esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL),
                ESK_EINVAL);
            assert_contains(esk_errmsg(), "metadata is not a JSON object");
            esk_record r = {"catalogue", 1, 1, json};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "record 'catalogue': value is not JSON");
            assert_int_equal(head_of(store), 1);
            esk_store_free(store);
        }
    }
}

/* "[[[[...1...]]]]", depth brackets deep, inside {"name": ...}. */
char *nested(size_t depth)
{
    char *json = malloc(2 * depth + 16);
    assert_non_null(json);
    strcpy(json, "{\"x\":");
    size_t at = strlen(json);
    memset(json + at, '[', depth);
    at += depth;
    json[at++] = '1';
    memset(json + at, ']', depth);
    at += depth;
    strcpy(json + at, "}");
    return json;
}

/* Deeper than ESK_JSON_DEPTH_MAX is refused by every reader, without
 * recursing that deep: 100000 levels would overflow a recursive parser's
 * stack. */
void json_nested_a_thousand_deep_is_refused_without_recursion(void **state)
{
    (void)state;
    const size_t depths[] = {1000, 100000};
    for (size_t d = 0; d < 2; d++) {
        char *json = nested(depths[d]);
        assert_int_equal(esk_json_validate(json), ESK_EINVAL);
        assert_contains(esk_errmsg(), "nested too deep");

        guest g;
        assert_int_equal(esk_codec_decode(&guest_type, json, &g), ESK_EDECODE);
        assert_contains(esk_errmsg(), "GuestBooked v1: ");
        assert_contains(esk_errmsg(), "nested");

        esk_metadata m = {NULL, NULL, json};
        char *out = NULL;
        assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
        assert_contains(esk_errmsg(), "nested too deep");
        char buf[16];
        assert_int_equal(esk_metadata_get(json, "x", buf, sizeof(buf)),
                         ESK_EINVAL);

        for (size_t b = 0; b < 2; b++) {
            esk_store *store = open_backend(backends[b]);
            assert_int_equal(append1(store, "s-1", NULL, "T", json),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "nested too deep");
            assert_int_equal(head_of(store), 0);
            esk_store_free(store);
        }
        free(json);
    }
}

/*
 * Enormous data. esk sets no limit of its own on the size of an event: a
 * 16 MiB JSON string is stored and read back byte for byte on both
 * backends. The SQLite store refuses a value beyond SQLite's length limit
 * (SQLITE_LIMIT_LENGTH, 1e9 bytes unless lowered) with ESK_EINVAL, and
 * writes nothing of that append.
 */
enum { ENORMOUS = 16 * 1024 * 1024 };

static char *enormous_json(void)
{
    char *json = malloc(ENORMOUS + 16);
    assert_non_null(json);
    strcpy(json, "{\"s\":\"");
    size_t at = strlen(json);
    for (size_t i = 0; i < ENORMOUS; i++)
        json[at + i] = (char)('a' + i % 26);
    strcpy(json + at + ENORMOUS, "\"}");
    return json;
}

void a_sixteen_mebibyte_event_is_stored_and_read_back_whole(void **state)
{
    (void)state;
    char *json = enormous_json();
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        assert_int_equal(append1(store, "big-1", NULL, "Big", json), ESK_OK);
        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_stream(store, "big-1", 1, 0, &list),
                         ESK_OK);
        assert_int_equal(list.count, 1);
        assert_int_equal(strlen(list.events[0].data), strlen(json));
        assert_true(strcmp(list.events[0].data, json) == 0);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
    /* A decode into a struct says how long the string is. */
    guest g;
    typedef struct big {
        char s[64];
    } big;
    static const esk_field big_fields[] = {ESK_FIELD_STRING(big, s, "s")};
    static const esk_event_type big_type =
        ESK_EVENT_TYPE(big, "Big", 1, big_fields);
    big out;
    assert_int_equal(esk_codec_decode(&big_type, json, &out), ESK_EDECODE);
    assert_contains(esk_errmsg(), "field 's'");
    assert_contains(esk_errmsg(),
                    "is 16777216 bytes, the field holds at most 63");
    (void)g;
    free(json);
}

void data_beyond_the_sqlite_length_limit_is_refused_cleanly(void **state)
{
    (void)state;
    char *json = enormous_json();
    esk_store *store = open_sqlite(":memory:");
    assert_int_equal(append1(store, "big-1", NULL, "Big", "1"), ESK_OK);
    sqlite3_limit(esk_store_sqlite_db(store), SQLITE_LIMIT_LENGTH, 1 << 20);

    assert_int_equal(append1(store, "big-1", NULL, "Big", json), ESK_EINVAL);
    assert_contains(esk_errmsg(), "appending to stream 'big-1'");
    assert_contains(esk_errmsg(), "too big");
    assert_int_equal(head_of(store), 1);
    assert_int_equal(append1(store, "big-1", NULL, "Big", "2"), ESK_OK);
    assert_int_equal(head_of(store), 2);
    esk_store_free(store);
    free(json);
}

void invalid_metadata_is_refused_with_what_is_wrong(void **state)
{
    (void)state;
    char *out = NULL;

    esk_metadata not_object = {"c-1", NULL, "[\"a\"]"};
    assert_int_equal(esk_metadata_encode(&not_object, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "metadata: extra is not a JSON object");
    esk_metadata bad_id = {"c-\xc0\xaf", NULL, NULL};
    assert_int_equal(esk_metadata_encode(&bad_id, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "correlationId is empty or not UTF-8");
    esk_metadata empty_id = {NULL, "", NULL};
    assert_int_equal(esk_metadata_encode(&empty_id, &out), ESK_EINVAL);
    assert_contains(esk_errmsg(), "causationId is empty or not UTF-8");
    assert_null(out);

    /* esk_metadata_get has no message to give: its statuses say it. */
    char buf[8];
    assert_int_equal(
        esk_metadata_get("{\"c\":\"too long for it\"}", "c", buf, sizeof(buf)),
        ESK_EINVAL);
    assert_int_equal(esk_metadata_get("{\"c\":1}", "c", buf, sizeof(buf)),
                     ESK_ENOTFOUND);

    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        const char *bad[] = {"{",           "[]",   "\"text\"",
                             "{\"a\":1}{}", "null", "{\"a\":\"\xed\xa0\x80\"}"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            esk_new_event e = {NULL, "T", 1, "{}", bad[i]};
            assert_int_equal(
                esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL),
                ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "event 0 (T): metadata is not a JSON object");
        }
        assert_int_equal(head_of(store), 0);
        esk_store_free(store);
    }
}
