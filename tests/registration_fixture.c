/*
 * tests/registration_fixture.c - see registration_fixture.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "registration_fixture.h"

static const esk_field workshop_scheduled_fields[] = {
    ESK_FIELD_STRING(workshop_scheduled, workshop_id, "workshopId"),
    ESK_FIELD_STRING(workshop_scheduled, title, "title"),
    ESK_FIELD_INT64(workshop_scheduled, capacity, "capacity"),
};
const esk_event_type workshop_scheduled_type = ESK_EVENT_TYPE(
    workshop_scheduled, "WorkshopScheduled", 1, workshop_scheduled_fields);

static const esk_field attendee_event_fields[] = {
    ESK_FIELD_STRING(attendee_event, workshop_id, "workshopId"),
    ESK_FIELD_STRING(attendee_event, attendee, "attendee"),
};
const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
    attendee_event, "AttendeeRegistered", 1, attendee_event_fields);
const esk_event_type attendee_cancelled_type = ESK_EVENT_TYPE(
    attendee_event, "AttendeeCancelled", 1, attendee_event_fields);

const backend memory_backend = {"memory", false};
const backend sqlite_backend = {"sqlite", true};

static esk_time fixture_clock(void *ctx)
{
    const fixture *f = ctx;
    return f->now;
}

void fixture_open(fixture *f, const backend *b)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = fixture_clock;
    options.clock_ctx = f;
    f->store = NULL;
    f->backend = b;
    f->now = CLOCK_START;
    if (b->sqlite)
        assert_int_equal(esk_store_open_sqlite(&f->store, ":memory:", &options),
                         ESK_OK);
    else
        assert_int_equal(esk_store_open_memory(&f->store, &options), ESK_OK);
}

void fixture_open_file(fixture *f, const char *path)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = fixture_clock;
    options.clock_ctx = f;
    f->store = NULL;
    f->backend = &sqlite_backend;
    f->now = CLOCK_START;
    if (esk_store_open_sqlite(&f->store, path, &options) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
}

void fixture_close(fixture *f)
{
    esk_store_free(f->store);
    f->store = NULL;
}

void append_typed(fixture *f, const char *workshop_id,
                  const esk_event_type *type, const void *event,
                  const char *metadata)
{
    char stream[64];
    char *json = NULL;
    snprintf(stream, sizeof(stream), "workshop-%s", workshop_id);
    assert_int_equal(esk_codec_encode(type, event, &json), ESK_OK);
    esk_new_event e = {NULL, type->name, type->schema_version, json, metadata};
    esk_status rc = esk_store_append(f->store, stream, ESK_ANY, &e, 1, NULL);
    esk_free(json);
    if (rc != ESK_OK)
        fail_msg("append to %s: %s", stream, esk_errmsg());
}

void schedule(fixture *f, const char *workshop_id, const char *title,
              int64_t capacity)
{
    workshop_scheduled e = {{0}, {0}, capacity};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.title, sizeof(e.title), "%s", title);
    append_typed(f, workshop_id, &workshop_scheduled_type, &e, NULL);
}

static void append_attendee(fixture *f, const esk_event_type *type,
                            const char *workshop_id, const char *attendee)
{
    attendee_event e = {{0}, {0}};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee, sizeof(e.attendee), "%s", attendee);
    append_typed(f, workshop_id, type, &e, NULL);
}

void register_attendee(fixture *f, const char *workshop_id,
                       const char *attendee)
{
    append_attendee(f, &attendee_registered_type, workshop_id, attendee);
}

void cancel_attendee(fixture *f, const char *workshop_id, const char *attendee)
{
    append_attendee(f, &attendee_cancelled_type, workshop_id, attendee);
}

int64_t head_of(fixture *f)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(f->store, &head), ESK_OK);
    return head;
}

int64_t checkpoint_of(fixture *f, const char *key)
{
    esk_record record;
    char *owned = NULL;
    esk_status rc = esk_store_get_record(f->store, ESK_RECORD_CHECKPOINT, key,
                                         &record, &owned);
    if (rc == ESK_ENOTFOUND)
        return -1;
    assert_int_equal(rc, ESK_OK);
    int64_t position = record.at;
    esk_free(owned);
    return position;
}

void set_checkpoint(fixture *f, const char *key, int64_t position, int version)
{
    const esk_record record = {key, position, version, "{}"};
    assert_int_equal(
        esk_store_put_record(f->store, ESK_RECORD_CHECKPOINT, &record), ESK_OK);
}

void assert_contains(const char *text, const char *part)
{
    if (text == NULL || strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"",
                 text != NULL ? text : "(null)", part);
}

static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

void use_checked_allocator(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);
}
