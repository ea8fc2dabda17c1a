/*
 * tests/conformance/conformance_fixture.c - the backend under test, a
 * fresh store on a clock that ticks one second per reading, and the small
 * helpers every rule uses.
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

const esk_conformance_backend *conformance_backend;

/* A clock that starts at 2026-11-27T09:00:00Z and ticks one second per
 * reading, so recorded times are known in advance. */
static esk_time fake_clock(void *ctx)
{
    esk_time *now = ctx;
    esk_time t = *now;
    *now += 1000000;
    return t;
}

void conformance_open_fixture(fixture *f)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    f->now = CLOCK_START;
    options.clock = fake_clock;
    options.clock_ctx = &f->now;
    f->list = (esk_event_list)ESK_EVENT_LIST_INIT;
    f->store = NULL;
    assert_int_equal(conformance_backend->open(&f->store, &options,
                                               conformance_backend->ctx),
                     ESK_OK);
    assert_non_null(f->store);
}

void conformance_close_fixture(fixture *f)
{
    esk_event_list_release(&f->list);
    esk_store_free(f->store);
}

esk_new_event conformance_ev(const char *type, const char *data)
{
    return (esk_new_event){NULL, type, 1, data, NULL};
}

esk_status conformance_append1(fixture *f, const char *stream, int64_t expected,
                               const char *type, const char *data)
{
    esk_new_event e = conformance_ev(type, data);
    return esk_store_append(f->store, stream, expected, &e, 1, NULL);
}

int64_t conformance_version_of(fixture *f, const char *stream)
{
    int64_t v = -99;
    assert_int_equal(esk_store_stream_version(f->store, stream, &v), ESK_OK);
    return v;
}

int64_t conformance_head_of(fixture *f)
{
    int64_t p = -99;
    assert_int_equal(esk_store_head_position(f->store, &p), ESK_OK);
    return p;
}

void conformance_assert_message_contains(fixture *f, const char *part)
{
    (void)f;
    const char *msg = esk_errmsg();
    if (strstr(msg, part) == NULL)
        fail_msg("store message \"%s\" does not contain \"%s\"", msg, part);
}

/* Stream "s" with events e1..en of type "T", data {"n":i}. */
void conformance_fill_stream(fixture *f, const char *stream, int n)
{
    for (int i = 1; i <= n; i++) {
        char data[32];
        snprintf(data, sizeof(data), "{\"n\":%d}", i);
        assert_int_equal(conformance_append1(f, stream, ESK_ANY, "T", data),
                         ESK_OK);
    }
}
