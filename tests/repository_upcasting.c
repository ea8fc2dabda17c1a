/*
 * tests/repository_upcasting.c - loading old and bad events: upcasters,
 * unknown types and events that do not decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"
#include "repository_fixture.h"

/* --- upcasting and bad events --------------------------------------------- */

/* AttendeeRegistered v1 {"name": N} -> v2 {"attendee": N, "seats": 1} */
static esk_status registered_v1_to_v2(json_t *data)
{
    json_t *name = json_object_get(data, "name");
    if (json_object_set(data, "attendee", name) != 0 ||
        json_object_del(data, "name") != 0 ||
        json_object_set_new(data, "seats", json_integer(1)) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

static void append_raw(fixture *f, const char *type, int schema,
                       const char *data)
{
    esk_new_event e = {NULL, type, schema, data, NULL};
    assert_int_equal(
        esk_store_append(f->store, "workshop-1", ESK_ANY, &e, 1, NULL), ESK_OK);
}

void old_events_are_upcast_when_loading(void **state)
{
    (void)state;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(esk_upcasters_add(upcasters, "AttendeeRegistered", 1,
                                       registered_v1_to_v2),
                     ESK_OK);
    fixture f;
    open_fixture(&f, 0, upcasters);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    append_raw(&f, "AttendeeRegistered", 2,
               "{\"attendee\":\"Bob\",\"seats\":2}");
    workshop w;
    load(&f, "1", &w);
    assert_int_equal(w.seats_taken, 3);
    assert_int_equal(w.attendees, 2);
    esk_aggregate_release(&w);
    close_fixture(&f);
    esk_upcasters_free(upcasters);
}

void an_old_event_without_its_upcaster_fails_the_load_and_says_so(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(),
                    "event 2 of stream 'workshop-1' is AttendeeRegistered v1");
    assert_contains(esk_errmsg(), "register an upcaster from v1");
    /* Never half-loaded. */
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    assert_string_equal(w.base.stream_id, "workshop-1");
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* A newer build of the program has added WorkshopMoved to the stream. */
void an_unknown_event_type_fails_the_load_naming_it(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "WorkshopMoved", 1, "{\"room\":\"B\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(),
                    "event 2 of stream 'workshop-1' is WorkshopMoved v1, "
                    "which Workshop does not know");
    assert_contains(esk_errmsg(), "skip_unknown_types");
    assert_int_equal(w.base.version, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

void a_type_that_skips_unknown_types_loads_and_saves_past_them(void **state)
{
    (void)state;
    esk_aggregate_type older = workshop_type_without_snapshot;
    older.skip_unknown_types = true;
    fixture f;
    open_fixture(&f, 0, NULL);
    esk_repository *repo = NULL;
    assert_int_equal(esk_repository_new(&repo, f.store, &older, NULL), ESK_OK);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "WorkshopMoved", 1, "{\"room\":\"B\"}");
    append_raw(&f, "AttendeeRegistered", 2,
               "{\"attendee\":\"Ada\",\"seats\":2}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(repo, "1", &w), ESK_OK);
    assert_int_equal(w.base.version, 3);
    assert_int_equal(w.capacity, 9);
    assert_int_equal(w.seats_taken, 2);
    /* The save expects version 3, the skipped event included. */
    assert_int_equal(workshop_register(&w, "Bob", 1), ESK_OK);
    esk_append_result r;
    assert_int_equal(esk_repository_save(repo, &w, NULL, &r), ESK_OK);
    assert_int_equal(r.version, 4);
    esk_aggregate_release(&w);
    esk_repository_free(repo);
    close_fixture(&f);
}

void an_event_that_does_not_decode_fails_the_load_naming_the_field(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 2, "{\"attendee\":\"Ada\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(), "loading Workshop '1'");
    assert_contains(esk_errmsg(), "field 'seats'");
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}
