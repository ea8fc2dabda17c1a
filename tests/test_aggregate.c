/*
 * tests/test_aggregate.c - the esk_aggregate base: init, raise, apply and
 * the pending events, without a store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* A recorded event of workshop-1, as a store would return it. */
static esk_event recorded(int64_t version, const char *type, int schema,
                          const char *data)
{
    return (esk_event){"id", "workshop-1", version, version, type, schema,
                       data, "{}",         0,       NULL,    0};
}

static void new_workshop(workshop *w)
{
    memset(w, 0, sizeof(*w));
    assert_int_equal(esk_aggregate_init(w, &workshop_type, "1"), ESK_OK);
}

/* --- init ----------------------------------------------------------------- */

static void init_sets_the_id_and_the_stream_of_an_empty_aggregate(void **state)
{
    (void)state;
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "42"), ESK_OK);
    assert_ptr_equal(w.base.type, &workshop_type);
    assert_string_equal(w.base.id, "42");
    assert_string_equal(w.base.stream_id, "workshop-42");
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.base.stored_version, 0);
    assert_int_equal(w.capacity, 0);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);
}

static int init_calls;
static void count_init(void *state)
{
    workshop *w = state;
    w->capacity = 10;
    init_calls++;
}

static void init_calls_the_types_init_after_zeroing(void **state)
{
    (void)state;
    esk_aggregate_type with_init = workshop_type;
    with_init.init = count_init;
    workshop w;
    init_calls = 0;
    assert_int_equal(esk_aggregate_init(&w, &with_init, "1"), ESK_OK);
    assert_int_equal(init_calls, 1);
    assert_int_equal(w.capacity, 10);
    esk_aggregate_release(&w);
}

static void
init_with_an_over_long_id_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    /* "workshop-" is 9 bytes: 246 more make the longest stream id. */
    char id[248];
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, id), ESK_EINVAL);
    assert_contains(esk_errmsg(), "use a shorter id");
    assert_int_equal(w.capacity, 0x5a5a5a5a5a5a5a5a);

    id[246] = '\0';
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, id), ESK_OK);
    assert_int_equal(strlen(w.base.stream_id), ESK_STREAM_ID_MAX);
    esk_aggregate_release(&w);
}

static void init_refuses_null_arguments_empty_ids_and_bad_types(void **state)
{
    (void)state;
    workshop w;
    assert_int_equal(esk_aggregate_init(NULL, &workshop_type, "1"), ESK_EINVAL);
    assert_int_equal(esk_aggregate_init(&w, NULL, "1"), ESK_EINVAL);
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, NULL), ESK_EINVAL);
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, ""), ESK_EINVAL);
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "\xff"),
                     ESK_EINVAL);

    esk_aggregate_type bad = workshop_type;
    bad.category = "work-shop";
    assert_int_equal(esk_aggregate_init(&w, &bad, "1"), ESK_EINVAL);
    assert_contains(esk_errmsg(), "without '-'");
    bad = workshop_type;
    bad.state_size = sizeof(esk_aggregate) - 1;
    assert_int_equal(esk_aggregate_init(&w, &bad, "1"), ESK_EINVAL);
    assert_contains(esk_errmsg(), "start with an esk_aggregate");
    bad = workshop_type;
    bad.evolve = NULL;
    assert_int_equal(esk_aggregate_init(&w, &bad, "1"), ESK_EINVAL);
    assert_contains(esk_errmsg(), "evolve");
    bad = workshop_type;
    bad.event_types = NULL;
    assert_int_equal(esk_aggregate_init(&w, &bad, "1"), ESK_EINVAL);
}

/* --- raise ---------------------------------------------------------------- */

static void
raise_evolves_the_state_and_keeps_the_events_pending_in_order(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    assert_int_equal(workshop_schedule(&w, "Event Sourcing in C", 10), ESK_OK);
    assert_int_equal(workshop_register(&w, "Ada", 2), ESK_OK);
    assert_int_equal(w.capacity, 10);
    assert_int_equal(w.seats_taken, 2);
    assert_int_equal(w.base.version, 2);
    assert_int_equal(w.base.stored_version, 0);

    const esk_event_type *type = NULL;
    const char *json = NULL;
    assert_int_equal(esk_aggregate_pending_count(&w), 2);
    assert_int_equal(esk_aggregate_pending(&w, 0, &type, &json), ESK_OK);
    assert_ptr_equal(type, &workshop_scheduled_type);
    assert_string_equal(json,
                        "{\"title\":\"Event Sourcing in C\",\"capacity\":10}");
    assert_int_equal(esk_aggregate_pending(&w, 1, &type, &json), ESK_OK);
    assert_ptr_equal(type, &attendee_registered_type);
    assert_string_equal(json, "{\"attendee\":\"Ada\",\"seats\":2}");
    esk_aggregate_release(&w);
}

static void
raise_accepts_a_copy_of_a_known_type_as_the_aggregates_own(void **state)
{
    (void)state;
    const esk_event_type copy = attendee_registered_type;
    attendee_registered e = {"Ada", 1};
    workshop w;
    new_workshop(&w);
    w.capacity = 5;
    assert_int_equal(esk_aggregate_raise(&w, &copy, &e), ESK_OK);
    assert_int_equal(w.seats_taken, 1);

    const esk_event_type *type = NULL;
    const char *json = NULL;
    assert_int_equal(esk_aggregate_pending(&w, 0, &type, &json), ESK_OK);
    assert_ptr_equal(type, &attendee_registered_type);
    esk_aggregate_release(&w);
}

static void
raise_of_a_type_the_aggregate_does_not_know_changes_nothing(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    memcpy(&before, &w, sizeof(w));

    workshop_cancelled e = {"snow"};
    assert_int_equal(esk_aggregate_raise(&w, &workshop_cancelled_type, &e),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "WorkshopCancelled v1");
    assert_contains(esk_errmsg(), "add it to Workshop's event_types");
    assert_memory_equal(&w, &before, sizeof(w));

    /* The same name in another schema version is another type. */
    esk_event_type v1 = attendee_registered_type;
    v1.schema_version = 1;
    attendee_registered a = {"Ada", 1};
    assert_int_equal(esk_aggregate_raise(&w, &v1, &a), ESK_EINVAL);
    assert_contains(esk_errmsg(), "AttendeeRegistered v1");
    assert_memory_equal(&w, &before, sizeof(w));
    esk_aggregate_release(&w);
}

static void a_codec_error_names_the_field_and_changes_nothing(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    memcpy(&before, &w, sizeof(w));
    workshop_scheduled e;
    memset(e.title, 'x', sizeof(e.title)); /* no final NUL */
    e.capacity = 3;
    evolve_calls = 0;
    assert_int_equal(esk_aggregate_raise(&w, &workshop_scheduled_type, &e),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "Workshop '1'");
    assert_contains(esk_errmsg(), "field 'title'");
    assert_int_equal(evolve_calls, 0);
    assert_memory_equal(&w, &before, sizeof(w));
}

static void raise_refuses_null_arguments_and_uninitialised_states(void **state)
{
    (void)state;
    workshop w;
    workshop_scheduled e = {"ES", 3};
    assert_int_equal(esk_aggregate_raise(NULL, &workshop_scheduled_type, &e),
                     ESK_EINVAL);
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_raise(&w, &workshop_scheduled_type, &e),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "esk_aggregate_init");
    new_workshop(&w);
    assert_int_equal(esk_aggregate_raise(&w, NULL, &e), ESK_EINVAL);
    assert_int_equal(esk_aggregate_raise(&w, &workshop_scheduled_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(w.base.version, 0);
    esk_aggregate_release(&w);
}

static void raise_that_runs_out_of_memory_changes_nothing(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    memcpy(&before, &w, sizeof(w));
    workshop_scheduled e = {"ES", 3};
    int failed = 0;
    for (long k = 0; k < 50; k++) {
        allocations_before_failure = k;
        esk_status rc = esk_aggregate_raise(&w, &workshop_scheduled_type, &e);
        allocations_before_failure = -1;
        if (rc == ESK_OK)
            break;
        failed++;
        assert_int_equal(rc, ESK_ENOMEM);
        assert_memory_equal(&w, &before, sizeof(w));
    }
    assert_true(failed > 0);
    assert_int_equal(w.base.version, 1);
    esk_aggregate_release(&w);
}

/* --- apply ---------------------------------------------------------------- */

static void apply_folds_the_next_event_and_sets_both_versions(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    esk_event e1 = recorded(1, "WorkshopScheduled", 1,
                            "{\"title\":\"ES\",\"capacity\":8}");
    esk_event e2 = recorded(2, "AttendeeRegistered", 2,
                            "{\"attendee\":\"Ada\",\"seats\":3}");
    assert_int_equal(esk_aggregate_apply(&w, &e1), ESK_OK);
    assert_int_equal(esk_aggregate_apply(&w, &e2), ESK_OK);
    assert_string_equal(w.title, "ES");
    assert_int_equal(w.seats_taken, 3);
    assert_int_equal(w.base.version, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);
}

static void apply_of_a_version_gap_is_refused(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    esk_event e1 = recorded(1, "WorkshopScheduled", 1,
                            "{\"title\":\"ES\",\"capacity\":8}");
    assert_int_equal(esk_aggregate_apply(&w, &e1), ESK_OK);
    memcpy(&before, &w, sizeof(w));
    esk_event e3 = recorded(3, "AttendeeRegistered", 2,
                            "{\"attendee\":\"Ada\",\"seats\":3}");
    assert_int_equal(esk_aggregate_apply(&w, &e3), ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "event 3 of 'workshop-1' cannot follow version 1: "
                        "state changes only through the next event");
    assert_int_equal(esk_aggregate_apply(&w, &e1), ESK_EINVAL);
    assert_memory_equal(&w, &before, sizeof(w));
    esk_aggregate_release(&w);
}

static void apply_of_another_streams_event_is_refused(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    memcpy(&before, &w, sizeof(w));
    esk_event e = recorded(1, "WorkshopScheduled", 1,
                           "{\"title\":\"ES\",\"capacity\":8}");
    e.stream_id = "workshop-2";
    assert_int_equal(esk_aggregate_apply(&w, &e), ESK_EINVAL);
    assert_contains(esk_errmsg(), "'workshop-2' does not belong to "
                                  "'workshop-1'");
    assert_memory_equal(&w, &before, sizeof(w));
}

static void apply_while_events_are_pending_is_refused(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    esk_event e2 = recorded(2, "AttendeeRegistered", 2,
                            "{\"attendee\":\"Ada\",\"seats\":3}");
    assert_int_equal(esk_aggregate_apply(&w, &e2), ESK_EINVAL);
    assert_contains(esk_errmsg(), "1 unsaved events");
    assert_int_equal(w.seats_taken, 0);
    esk_aggregate_release(&w);
}

static void apply_of_an_event_that_does_not_decode_changes_nothing(void **state)
{
    (void)state;
    workshop w, before;
    new_workshop(&w);
    memcpy(&before, &w, sizeof(w));
    esk_event unknown = recorded(1, "WorkshopCancelled", 1, "{}");
    assert_int_equal(esk_aggregate_apply(&w, &unknown), ESK_EDECODE);
    assert_contains(esk_errmsg(), "WorkshopCancelled v1");
    esk_event old = recorded(1, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    assert_int_equal(esk_aggregate_apply(&w, &old), ESK_EDECODE);
    assert_contains(esk_errmsg(), "register an upcaster from v1");
    esk_event bad = recorded(1, "WorkshopScheduled", 1, "{\"title\":5}");
    assert_int_equal(esk_aggregate_apply(&w, &bad), ESK_EDECODE);
    assert_contains(esk_errmsg(), "field 'title'");
    assert_memory_equal(&w, &before, sizeof(w));
}

static void apply_skips_an_unknown_type_when_the_type_says_so(void **state)
{
    (void)state;
    esk_aggregate_type older = workshop_type;
    older.skip_unknown_types = true;
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &older, "1"), ESK_OK);
    esk_event e1 = recorded(1, "WorkshopScheduled", 1,
                            "{\"title\":\"ES\",\"capacity\":9}");
    esk_event e2 = recorded(2, "WorkshopMoved", 1, "{\"room\":\"B\"}");
    assert_int_equal(esk_aggregate_apply(&w, &e1), ESK_OK);
    assert_int_equal(esk_aggregate_apply(&w, &e2), ESK_OK);
    assert_int_equal(w.base.version, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(w.capacity, 9);
    esk_event old = recorded(3, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    assert_int_equal(esk_aggregate_apply(&w, &old), ESK_EDECODE);
    assert_int_equal(w.base.version, 2);
    esk_aggregate_release(&w);
}

static void apply_refuses_null_arguments(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    esk_event e = recorded(1, "WorkshopScheduled", 1, "{}");
    assert_int_equal(esk_aggregate_apply(NULL, &e), ESK_EINVAL);
    assert_int_equal(esk_aggregate_apply(&w, NULL), ESK_EINVAL);
    e.data = NULL;
    assert_int_equal(esk_aggregate_apply(&w, &e), ESK_EINVAL);
}

/* --- pending -------------------------------------------------------------- */

static void
pending_accessors_refuse_an_index_out_of_range_and_null(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    const esk_event_type *type = NULL;
    const char *json = NULL;
    assert_int_equal(esk_aggregate_pending(&w, 0, &type, &json), ESK_EINVAL);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    assert_int_equal(esk_aggregate_pending(&w, 1, &type, &json), ESK_EINVAL);
    assert_int_equal(esk_aggregate_pending(&w, 0, NULL, &json), ESK_EINVAL);
    assert_int_equal(esk_aggregate_pending(&w, 0, &type, NULL), ESK_EINVAL);
    assert_int_equal(esk_aggregate_pending(NULL, 0, &type, &json), ESK_EINVAL);
    assert_null(type);
    assert_null(json);
    assert_int_equal(esk_aggregate_pending_count(NULL), 0);
    esk_aggregate_release(&w);
}

static void clear_pending_drops_the_events_and_keeps_the_state(void **state)
{
    (void)state;
    workshop w;
    new_workshop(&w);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    esk_aggregate_clear_pending(&w);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    assert_int_equal(w.capacity, 10);
    assert_int_equal(w.base.version, 1);
    /* The array is kept for the next events: release frees it. */
    assert_int_equal(workshop_register(&w, "Ada", 1), ESK_OK);
    assert_int_equal(esk_aggregate_pending_count(&w), 1);
    esk_aggregate_clear_pending(NULL);
    esk_aggregate_release(&w);
}

static void
release_of_null_is_a_no_op_and_a_second_release_is_safe(void **state)
{
    (void)state;
    esk_aggregate_release(NULL);
    workshop w;
    new_workshop(&w);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    esk_aggregate_release(&w);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);
}

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_sets_the_id_and_the_stream_of_an_empty_aggregate),
        cmocka_unit_test(init_calls_the_types_init_after_zeroing),
        cmocka_unit_test(
            init_with_an_over_long_id_is_refused_and_changes_nothing),
        cmocka_unit_test(init_refuses_null_arguments_empty_ids_and_bad_types),
        cmocka_unit_test(
            raise_evolves_the_state_and_keeps_the_events_pending_in_order),
        cmocka_unit_test(
            raise_accepts_a_copy_of_a_known_type_as_the_aggregates_own),
        cmocka_unit_test(
            raise_of_a_type_the_aggregate_does_not_know_changes_nothing),
        cmocka_unit_test(a_codec_error_names_the_field_and_changes_nothing),
        cmocka_unit_test(raise_refuses_null_arguments_and_uninitialised_states),
        cmocka_unit_test(raise_that_runs_out_of_memory_changes_nothing),
        cmocka_unit_test(apply_folds_the_next_event_and_sets_both_versions),
        cmocka_unit_test(apply_of_a_version_gap_is_refused),
        cmocka_unit_test(apply_of_another_streams_event_is_refused),
        cmocka_unit_test(apply_while_events_are_pending_is_refused),
        cmocka_unit_test(
            apply_of_an_event_that_does_not_decode_changes_nothing),
        cmocka_unit_test(apply_skips_an_unknown_type_when_the_type_says_so),
        cmocka_unit_test(apply_refuses_null_arguments),
        cmocka_unit_test(
            pending_accessors_refuse_an_index_out_of_range_and_null),
        cmocka_unit_test(clear_pending_drops_the_events_and_keeps_the_state),
        cmocka_unit_test(
            release_of_null_is_a_no_op_and_a_second_release_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
