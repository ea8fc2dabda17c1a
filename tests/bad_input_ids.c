/*
 * tests/bad_input_ids.c - ids and names: nasty but valid ones stored
 * verbatim, a NUL byte, and text that is not UTF-8.
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

/* ---- Ids and names ------------------------------------------------------ */

/* Characters that break naive SQL, printf, JSON or LIKE code. */
static const char *const nasty[] = {
    "quote-'\"`",
    "percent-%s%n%d%%",
    "backslash-\\\\n\\0\\",
    "sql-'); DROP TABLE events; --",
    "like-%_[]*?",
    "json-{\"a\":[1]}",
    "unicode-\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\xe4\xb8\xad",
    "control-\t\n\r\x01\x7f",
    "-leading-dash",
    "trailing-dash-",
};

enum { NASTY = sizeof(nasty) / sizeof(nasty[0]) };

void nasty_ids_are_stored_verbatim_and_read_back_identically(void **state)
{
    (void)state;
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        for (size_t i = 0; i < NASTY; i++) {
            /* As stream id, type, event id and data, twice. */
            char data[256];
            snprintf(data, sizeof(data), "{\"i\":%zu}", i);
            esk_new_event e[2] = {{nasty[i], nasty[i], 1, data, NULL},
                                  {"second", nasty[i], 1, data, NULL}};
            char second[64];
            snprintf(second, sizeof(second), "%zu-%s", i, nasty[i]);
            e[1].event_id = second;
            assert_int_equal(
                esk_store_append(store, nasty[i], ESK_NO_STREAM, e, 2, NULL),
                ESK_OK);
            esk_record r = {nasty[i], (int64_t)i, 1, data};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r), ESK_OK);
        }
        esk_event_list list = ESK_EVENT_LIST_INIT;
        for (size_t i = 0; i < NASTY; i++) {
            int64_t version = 0;
            assert_int_equal(
                esk_store_stream_version(store, nasty[i], &version), ESK_OK);
            assert_int_equal(version, 2);
            assert_int_equal(
                esk_store_read_stream(store, nasty[i], 1, 0, &list), ESK_OK);
            assert_int_equal(list.count, 2);
            assert_string_equal(list.events[0].stream_id, nasty[i]);
            assert_string_equal(list.events[0].event_id, nasty[i]);
            assert_string_equal(list.events[0].type, nasty[i]);
            assert_string_equal(list.events[1].type, nasty[i]);
            assert_int_equal(esk_store_read_stream_backward(store, nasty[i],
                                                            ESK_END, 1, &list),
                             ESK_OK);
            assert_int_equal(list.count, 1);
            assert_int_equal(list.events[0].version, 2);

            /* Filtering by that type finds exactly its two events. */
            esk_filter by_type = {NULL, &nasty[i], 1};
            assert_int_equal(esk_store_read_all(store, 0, 0, &by_type, &list),
                             ESK_OK);
            assert_int_equal(list.count, 2);
            char second[64];
            snprintf(second, sizeof(second), "%zu-%s", i, nasty[i]);
            assert_string_equal(list.events[0].event_id, nasty[i]);
            assert_string_equal(list.events[1].event_id, second);

            esk_record got;
            char *owned = NULL;
            assert_int_equal(esk_store_get_record(store, ESK_RECORD_CHECKPOINT,
                                                  nasty[i], &got, &owned),
                             ESK_OK);
            assert_string_equal(got.key, nasty[i]);
            assert_int_equal(got.at, (int64_t)i);
            esk_free(owned);
        }
        /* "like-%_[]*?" is its own category, and matches nothing else. */
        esk_filter like = {"like", NULL, 0};
        assert_int_equal(esk_store_read_all(store, 0, 0, &like, &list), ESK_OK);
        assert_int_equal(list.count, 2);
        assert_string_equal(list.events[0].stream_id, "like-%_[]*?");
        assert_int_equal(head_of(store), 2 * NASTY);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
}

/* An id is a C string: it ends at the first NUL, so "abc\0def" is "abc",
 * the same way in every call. */
void an_id_with_a_nul_byte_ends_there_consistently(void **state)
{
    (void)state;
    static const char with_nul[] = "abc\0def";
    static const char type_with_nul[] = "Booked\0Cancelled";
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        esk_new_event e = {"id\0hidden", type_with_nul, 1, "{}", NULL};
        assert_int_equal(
            esk_store_append(store, with_nul, ESK_NO_STREAM, &e, 1, NULL),
            ESK_OK);
        int64_t version = 0;
        assert_int_equal(esk_store_stream_version(store, "abc", &version),
                         ESK_OK);
        assert_int_equal(version, 1);
        assert_int_equal(esk_store_stream_version(store, with_nul, &version),
                         ESK_OK);
        assert_int_equal(version, 1);

        esk_event_list list = ESK_EVENT_LIST_INIT;
        assert_int_equal(esk_store_read_all(store, 0, 0, NULL, &list), ESK_OK);
        assert_int_equal(list.count, 1);
        assert_string_equal(list.events[0].stream_id, "abc");
        assert_string_equal(list.events[0].type, "Booked");
        assert_string_equal(list.events[0].event_id, "id");
        /* The same batch sent again is the same batch: "id" is its id. */
        assert_int_equal(
            esk_store_append(store, "abc", ESK_NO_STREAM, &e, 1, NULL), ESK_OK);
        assert_int_equal(head_of(store), 1);
        esk_event_list_release(&list);
        esk_store_free(store);
    }
}

/* Byte sequences that are not UTF-8, each one refused wherever an id or a
 * name is taken, with a message, and nothing written. */
static const char *const not_utf8[] = {
    "s-\xff",                 /* never valid */
    "s-\xc0\xaf",             /* overlong '/' */
    "s-\xe0\x80\xaf",         /* overlong '/' in three bytes */
    "s-\xed\xa0\x80",         /* a lone high surrogate, U+D800 */
    "s-\xed\xbf\xbf",         /* a lone low surrogate, U+DFFF */
    "s-\xf4\x90\x80\x80",     /* beyond U+10FFFF */
    "s-\xf8\x88\x80\x80\x80", /* a five-byte form */
    "s-\xe2\x82",             /* cut short at the end */
    "s-\x80",                 /* a continuation byte alone */
};

void text_that_is_not_utf8_is_refused_wherever_a_name_is_taken(void **state)
{
    (void)state;
    for (size_t b = 0; b < 2; b++) {
        esk_store *store = open_backend(backends[b]);
        esk_bus *bus = NULL;
        assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
        esk_upcasters *upcasters = NULL;
        assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
        esk_event_list list = ESK_EVENT_LIST_INIT;

        for (size_t i = 0; i < sizeof(not_utf8) / sizeof(not_utf8[0]); i++) {
            const char *bad = not_utf8[i];
            int64_t version = 0;
            assert_int_equal(append1(store, bad, NULL, "T", "{}"), ESK_EINVAL);
            assert_contains(esk_errmsg(), "stream id is not valid UTF-8");
            assert_int_equal(esk_store_stream_version(store, bad, &version),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(esk_store_read_stream(store, bad, 1, 0, &list),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(append1(store, "s-1", NULL, bad, "{}"),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "type name is not valid UTF-8");
            assert_int_equal(append1(store, "s-1", bad, "T", "{}"), ESK_EINVAL);
            assert_contains(esk_errmsg(),
                            "event id must be 1 to 64 bytes of UTF-8");
            esk_record r = {bad, 1, 1, "{}"};
            assert_int_equal(
                esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");

            /* The same bytes inside JSON text. */
            char data[64];
            snprintf(data, sizeof(data), "{\"name\":\"%s\"}", bad);
            assert_int_equal(append1(store, "s-1", NULL, "T", data),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "invalid UTF-8 in string");

            esk_command c = {bad, "c-1", NULL, NULL, NULL};
            esk_command_result result;
            assert_int_equal(esk_bus_dispatch(bus, &c, &result), ESK_EINVAL);
            assert_contains(esk_errmsg(), "UTF-8");
            assert_int_equal(esk_bus_register(bus, bad, NULL, NULL),
                             ESK_EINVAL);
            /* No message channel: the status says it. */
            assert_int_equal(esk_upcasters_add(upcasters, bad, 1, NULL),
                             ESK_EINVAL);

            esk_metadata m = {bad, NULL, NULL};
            char *out = NULL;
            assert_int_equal(esk_metadata_encode(&m, &out), ESK_EINVAL);
            assert_contains(esk_errmsg(), "not UTF-8");

            guest g;
            memset(&g, 0, sizeof(g));
            snprintf(g.name, sizeof(g.name), "%s", bad);
            assert_int_equal(esk_codec_encode(&guest_type, &g, &out),
                             ESK_EINVAL);
            assert_contains(esk_errmsg(), "field 'name'");
            assert_contains(esk_errmsg(), "not valid UTF-8");
            assert_null(out);
            (void)version;
        }
        assert_int_equal(head_of(store), 0);
        esk_event_list_release(&list);
        esk_upcasters_free(upcasters);
        esk_bus_free(bus);
        esk_store_free(store);
    }
}
