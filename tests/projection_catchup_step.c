/*
 * tests/projection_catchup_step.c - a catch-up paced by its caller, one
 * batch at a time (esk_catchup_step).
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

static esk_catchup *catchup_in_batches_of(fixture *f, const esk_projection *p,
                                          size_t batch_size)
{
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = batch_size;
    esk_catchup *c = NULL;
    if (esk_catchup_new(&c, f->store, p, &options) != ESK_OK)
        fail_msg("esk_catchup_new: %s", esk_errmsg());
    return c;
}

void a_step_applies_one_batch_and_leaves_the_rest(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-1", "bob");
    register_attendee(&f, "w-2", "cid");
    esk_catchup *c = catchup_in_batches_of(&f, &p, 2);

    esk_catchup_status st;
    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_int_equal(st.applied, 2);
    assert_int_equal(st.checkpoint, 2);
    assert_int_equal(st.head, 3);
    assert_int_equal(st.lag, 1);
    assert_int_equal(checkpoint_of(&f, "agenda"), 2);
    assert_agenda(&a, &f, "ada: w-1\nbob: w-1");

    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_int_equal(st.applied, 1);
    assert_int_equal(st.checkpoint, 3);
    assert_int_equal(st.lag, 0);
    assert_agenda(&a, &f, "ada: w-1\nbob: w-1\ncid: w-2");

    /* Caught up: a step applies nothing and says so. */
    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_int_equal(st.applied, 0);
    assert_int_equal(st.checkpoint, 3);
    assert_int_equal(st.lag, 0);
    assert_int_equal(a.handled, 3);
    esk_catchup_free(c);
    fixture_close(&f);
}

void a_step_moves_past_events_the_projection_skips(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    schedule(&f, "w-1", "ES 101", 10);
    schedule(&f, "w-2", "CQRS 201", 10);
    esk_catchup *c = catchup_in_batches_of(&f, &p, 1);

    /* Nothing it handles up to the head: one step reaches it, so that a
     * query waiting for position 2 is answered. */
    esk_catchup_status st;
    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_int_equal(st.applied, 0);
    assert_int_equal(st.checkpoint, 2);
    assert_int_equal(st.lag, 0);
    esk_catchup_free(c);
    fixture_close(&f);
}

void a_step_rebuilds_first_when_the_version_changed(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-2", "bob");
    esk_catchup *c = new_catchup(&f, &p);
    esk_catchup_status st;
    run_ok(c, &st);
    esk_catchup_free(c);

    a.upper = true;
    p.version = 2;
    c = catchup_in_batches_of(&f, &p, 1);
    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_true(st.rebuilt);
    assert_int_equal(a.resets, 1);
    assert_int_equal(st.applied, 1);
    assert_int_equal(st.checkpoint, 1);
    assert_agenda(&a, &f, "ADA: w-1");

    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_false(st.rebuilt);
    assert_int_equal(a.resets, 1);
    assert_agenda(&a, &f, "ADA: w-1\nBOB: w-2");
    esk_catchup_free(c);
    fixture_close(&f);
}

void a_failing_handler_stops_a_step_at_its_event(void **state)
{
    fixture f;
    agenda a;
    open_store(&f, &a, state);
    esk_projection p = agenda_projection(&a);
    register_attendee(&f, "w-1", "ada");
    register_attendee(&f, "w-1", "mallory");
    register_attendee(&f, "w-1", "bob");
    strcpy(a.banned, "mallory");
    esk_catchup *c = catchup_in_batches_of(&f, &p, 3);

    esk_catchup_status st;
    assert_int_equal(esk_catchup_step(c, &st), ESK_ECALLBACK);
    assert_int_equal(st.failed_position, 2);
    assert_int_equal(st.checkpoint, 1);
    assert_int_equal(st.lag, 2);
    assert_contains(esk_errmsg(), "position 2");

    a.banned[0] = '\0';
    assert_int_equal(esk_catchup_step(c, &st), ESK_OK);
    assert_int_equal(st.applied, 2);
    assert_int_equal(st.failed_position, 0);
    assert_agenda(&a, &f, "ada: w-1\nbob: w-1\nmallory: w-1");
    esk_catchup_free(c);
    fixture_close(&f);
}

void a_step_refuses_a_null_runner(void **state)
{
    (void)state;
    esk_catchup_status st;
    assert_int_equal(esk_catchup_step(NULL, &st), ESK_EINVAL);
    assert_contains(esk_errmsg(), "esk_catchup_step");
}
