/*
 * tests/projection_inline_and_live.c - inline projections, updated inside
 * the append, and live ones, folded from a stream when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "projection_fixture.h"
#include "registration_fixture.h"

/* --- inline -------------------------------------------------------------- */

void an_inline_projection_updates_the_read_model_in_the_append(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_OK);
    assert_int_equal(a.setups, 1);

    schedule(&f, "w-1", "Event Sourcing 101", 10);
    register_attendee(&f, "w-1", "ada");
    assert_agenda(&a, &f, "ada: w-1");

    assert_int_equal(esk_projection_detach_inline(f.store, &p), ESK_OK);
    fixture_close(&f);
}

void a_failing_inline_handler_fails_the_append_and_stores_nothing(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_OK);
    register_attendee(&f, "w-1", "ada");
    strcpy(a.banned, "mallory");

    /* carol's event is handled (her row written) before mallory's fails. */
    char *carol = NULL;
    char *mallory = NULL;
    attendee_event e1 = {"w-1", "carol"};
    attendee_event e2 = {"w-1", "mallory"};
    assert_int_equal(esk_codec_encode(&attendee_registered_type, &e1, &carol),
                     ESK_OK);
    assert_int_equal(esk_codec_encode(&attendee_registered_type, &e2, &mallory),
                     ESK_OK);
    esk_new_event batch[] = {{NULL, "AttendeeRegistered", 1, carol, NULL},
                             {NULL, "AttendeeRegistered", 1, mallory, NULL}};
    esk_status rc =
        esk_store_append(f.store, "workshop-w-1", ESK_ANY, batch, 2, NULL);
    esk_free(carol);
    esk_free(mallory);

    assert_int_equal(rc, ESK_ECALLBACK);
    const char *msg = esk_errmsg();
    assert_contains(msg, "projection 'agenda'");
    assert_contains(msg, "position 3");
    assert_contains(msg, "stream 'workshop-w-1', version 3");
    assert_contains(msg, "AttendeeRegistered");
    assert_contains(msg, "banned attendee: mallory");
    assert_int_equal(head_of(&f), 1);
    /* In SQL, carol's row was undone with the events; in memory only the
     * events are (the memory is the handler's own). */
    if (a.in_sql)
        assert_agenda(&a, &f, "ada: w-1");

    assert_int_equal(esk_projection_detach_inline(f.store, &p), ESK_OK);
    fixture_close(&f);
}

void a_detached_projection_no_longer_sees_appends(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_OK);
    register_attendee(&f, "w-1", "ada");
    assert_int_equal(esk_projection_detach_inline(f.store, &p), ESK_OK);

    register_attendee(&f, "w-1", "bob");
    assert_agenda(&a, &f, "ada: w-1");
    assert_int_equal(esk_projection_detach_inline(f.store, &p), ESK_ENOTFOUND);
    assert_contains(esk_errmsg(), "'agenda' is not attached");
    fixture_close(&f);
}

void attaching_a_projection_twice_is_refused(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_OK);
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_EEXISTS);
    assert_contains(esk_errmsg(), "already attached");

    register_attendee(&f, "w-1", "ada");
    assert_int_equal(a.handled, 1);
    assert_int_equal(esk_projection_detach_inline(f.store, &p), ESK_OK);
    fixture_close(&f);
}

void a_projection_without_handler_is_refused(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    p.handle = NULL;
    esk_catchup *c = NULL;
    assert_int_equal(esk_projection_attach_inline(f.store, &p), ESK_EINVAL);
    assert_contains(esk_errmsg(), "'agenda' has no handle function");
    assert_int_equal(esk_catchup_new(&c, f.store, &p, NULL), ESK_EINVAL);
    assert_null(c);
    assert_int_equal(esk_projection_attach_inline(NULL, &p), ESK_EINVAL);
    assert_int_equal(esk_projection_detach_inline(f.store, NULL), ESK_EINVAL);
    assert_int_equal(a.setups, 0);
    fixture_close(&f);
}

/* --- live ---------------------------------------------------------------- */

void a_live_projection_folds_one_stream(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    /* A live read keeps its result in memory, on either store. */
    a.in_sql = false;
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-2", "ada");
    register_attendee(&f, "w-1", "bob");
    cancel_attendee(&f, "w-1", "bob");

    assert_int_equal(esk_projection_live(f.store, &p, "workshop-w-1"), ESK_OK);
    assert_agenda(&a, &f, "ada: w-1");
    assert_int_equal(a.handled, 3);
    assert_int_equal(a.setups, 0);
    fixture_close(&f);
}

esk_status record_event(void *ctx, esk_store *store, const esk_event *event)
{
    recorder *r = ctx;
    (void)store;
    r->calls++;
    r->last_schema_version = event->schema_version;
    snprintf(r->last_data, sizeof(r->last_data), "%s", event->data);
    return ESK_OK;
}

void a_live_projection_reads_a_long_stream_page_by_page(void **state)
{
    fixture f;
    recorder r = {0, 0, {0}};
    fixture_open(&f, *state);
    const esk_projection p = {"count",      1,    NULL, 0,
                              record_event, NULL, NULL, &r};
    for (int i = 0; i < 600; i++)
        register_attendee(&f, "w-1", "ada");
    assert_int_equal(esk_projection_live(f.store, &p, "workshop-w-1"), ESK_OK);
    assert_int_equal(r.calls, 600);
    fixture_close(&f);
}

void a_live_handler_failure_names_the_event(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    a.in_sql = false;
    strcpy(a.banned, "bob");
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-1", "bob");
    assert_int_equal(esk_projection_live(f.store, &p, "workshop-w-1"),
                     ESK_ECALLBACK);
    assert_contains(esk_errmsg(), "position 2 (stream 'workshop-w-1', "
                                  "version 2, AttendeeRegistered)");
    assert_contains(esk_errmsg(), "banned attendee: bob");
    fixture_close(&f);
}
