/*
 * tests/codec_fixture.c - what the codec tests share: event types with
 * every kind of field, and an allocator that fails on request.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codec_fixture.h"
#include "esk/codec.h"

const esk_field attendee_registered_fields[] = {
    ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_registered, attendee, "attendee"),
    ESK_FIELD_INT64(attendee_registered, seats, "seats"),
    ESK_FIELD_BOOL(attendee_registered, paid, "paid"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_registered, "AttendeeRegistered", 1, attendee_registered_fields);

const esk_field venue_fields[] = {
    ESK_FIELD_STRING(venue, city, "city"),
    ESK_FIELD_DOUBLE(venue, lat, "lat"),
};
static const esk_field seat_fields[] = {
    ESK_FIELD_STRING(seat, name, "name"),
    ESK_FIELD_INT64(seat, row, "row"),
};
static const esk_field tag_element = ESK_ELEMENT_STRING(char[16]);
static const esk_field seat_element = ESK_ELEMENT_OBJECT(seat, seat_fields);

static const esk_field every_kind_fields[] = {
    ESK_FIELD_STRING(every_kind, title, "title"),
    ESK_FIELD_INT64(every_kind, count, "count"),
    ESK_FIELD_BOOL(every_kind, open, "open"),
    ESK_FIELD_DOUBLE(every_kind, price, "price"),
    ESK_FIELD_OBJECT(every_kind, venue, "venue", venue_fields),
    ESK_FIELD_ARRAY(every_kind, tags, tag_count, "tags", &tag_element),
    ESK_FIELD_ARRAY(every_kind, seats, seat_count, "seats", &seat_element),
    ESK_FIELD_INT64_OPT(every_kind, extra, "extra"),
    ESK_FIELD_STRING_OPT(every_kind, note, "note"),
    ESK_FIELD_OBJECT_OPT(every_kind, annex, "annex", venue_fields),
};
const esk_event_type every_kind_type =
    ESK_EVENT_TYPE(every_kind, "EveryKind", 2, every_kind_fields);

/* ---- Helpers ------------------------------------------------------------ */

/* esk's allocator in these tests: cmocka's, failing once `fail_in` more
 * allocations have succeeded (never while it is negative). */
int fail_in = -1;

static bool allocation_fails(void)
{
    if (fail_in < 0)
        return false;
    return fail_in-- == 0;
}

static void *test_malloc_fn(size_t size)
{
    return allocation_fails() ? NULL : test_malloc(size);
}

static void *test_realloc_fn(void *ptr, size_t size)
{
    return allocation_fails() ? NULL : test_realloc(ptr, size);
}

static void test_free_fn(void *ptr)
{
    if (ptr != NULL)
        test_free(ptr);
}

int use_test_allocator(void **state)
{
    (void)state;
    static const esk_allocator allocator = {test_malloc_fn, test_realloc_fn,
                                            test_free_fn};
    return esk_set_allocator(&allocator) == ESK_OK ? 0 : -1;
}

int use_standard_allocator(void **state)
{
    (void)state;
    return esk_set_allocator(NULL) == ESK_OK ? 0 : -1;
}

void assert_failure(esk_status rc, esk_status status, const char *message)
{
    assert_int_equal(rc, status);
    assert_int_equal(esk_error_last()->status, status);
    assert_string_equal(esk_errmsg(), message);
}

void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}
