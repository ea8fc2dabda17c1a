/*
 * tests/test_decider.c - decisions, folding, and handling commands with a
 * decider, on the memory and SQLite stores.
 *
 * esk allocates through cmocka's test_malloc here, so every test also
 * checks that nothing leaks. This file has decisions, folding and main();
 * handling commands on the store is in decider_handle.c and
 * decider_handle_checks.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decider_fixture.h"
#include "esk/decider.h"
#include "esk/upcast.h"
#include "test_support.h"
#include "workshop_decider.h"

/* --- Decisions ------------------------------------------------------------ */

static void emitted_events_keep_their_type_and_json_in_order(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    workshop_closed full = {"full"};
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, &ada),
                     ESK_OK);
    assert_int_equal(esk_decision_emit(&d, &workshop_closed_type, &full),
                     ESK_OK);
    assert_int_equal(esk_decision_count(&d), 2);

    const esk_event_type *type = NULL;
    const char *json = NULL;
    assert_int_equal(esk_decision_event(&d, 0, &type, &json), ESK_OK);
    assert_ptr_equal(type, &attendee_registered_type);
    assert_string_equal(json, "{\"attendee\":\"ada\"}");
    assert_int_equal(esk_decision_event(&d, 1, &type, &json), ESK_OK);
    assert_ptr_equal(type, &workshop_closed_type);
    assert_string_equal(json, "{\"reason\":\"full\"}");
    assert_int_equal(esk_error_last()->status, ESK_OK);
    esk_decision_release(&d);
}

static void reject_drops_the_events_and_says_why(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, &ada),
                     ESK_OK);
    assert_int_equal(
        esk_decision_reject(&d, WORKSHOP_FULL, "workshop '%s' is full", "w-1"),
        ESK_EDOMAIN);
    assert_int_equal(esk_decision_count(&d), 0);
    assert_int_equal(esk_error_last()->status, ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->code, WORKSHOP_FULL);
    assert_string_equal(esk_errmsg(), "workshop 'w-1' is full");
    esk_decision_release(&d);
}

static void reject_fills_the_error_as_esk_domain_error_does(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    esk_decision_reject(&d, 7, "seat %d of %s is taken", 3, "w-1");
    esk_domain_error(7, "seat %d of %s is taken", 3, "w-1");
    assert_int_equal(esk_error_last()->status, esk_error_last()->status);
    assert_int_equal(esk_error_last()->code, esk_error_last()->code);
    assert_string_equal(esk_errmsg(), esk_errmsg());
    esk_decision_release(&d);
}

static void
reject_with_code_zero_is_invalid_and_still_drops_events(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, &ada),
                     ESK_OK);
    assert_int_equal(esk_decision_reject(&d, 0, "full"), ESK_EINVAL);
    assert_int_equal(esk_decision_count(&d), 0);
    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "code is 0");
    esk_decision_release(&d);
}

static void nothing_can_be_emitted_after_a_refusal(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    esk_decision_reject(&d, WORKSHOP_FULL, "full");
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, &ada),
                     ESK_EINVAL);
    assert_int_equal(esk_decision_count(&d), 0);
    test_assert_contains(esk_errmsg(), "refused already");
    esk_decision_release(&d);
}

static void an_event_the_codec_refuses_is_not_emitted(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered unterminated;
    memset(unterminated.attendee, 'x', sizeof(unterminated.attendee));
    assert_int_equal(
        esk_decision_emit(&d, &attendee_registered_type, &unterminated),
        ESK_EINVAL);
    assert_int_equal(esk_decision_count(&d), 0);
    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "attendee");
    esk_decision_release(&d);
}

static void decision_functions_refuse_null_and_out_of_range(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    assert_int_equal(esk_decision_emit(NULL, &attendee_registered_type, &ada),
                     ESK_EINVAL);
    assert_int_equal(esk_decision_emit(&d, NULL, &ada), ESK_EINVAL);
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_decision_reject(NULL, 1, "x"), ESK_EINVAL);
    assert_int_equal(esk_decision_reject(&d, 1, NULL), ESK_EINVAL);
    assert_int_equal(esk_decision_count(NULL), 0);
    assert_int_equal(esk_decision_event(NULL, 0, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_decision_event(&d, 0, NULL, NULL), ESK_EINVAL);
    esk_decision_clear(NULL);
    esk_decision_release(NULL);
    esk_decision_release(&d);
}

static void
clear_forgets_events_and_error_and_the_decision_is_reusable(void **state)
{
    (void)state;
    esk_decision d = ESK_DECISION_INIT;
    attendee_registered ada = {"ada"};
    esk_decision_emit(&d, &attendee_registered_type, &ada);
    esk_decision_reject(&d, WORKSHOP_FULL, "full");
    esk_decision_clear(&d);
    assert_int_equal(esk_decision_count(&d), 0);
    /* The refusal is forgotten: emitting works again, and succeeds. */
    assert_int_equal(esk_decision_emit(&d, &attendee_registered_type, &ada),
                     ESK_OK);
    assert_int_equal(esk_error_last()->status, ESK_OK);
    assert_string_equal(esk_errmsg(), "");
    assert_int_equal(esk_decision_count(&d), 1);
    esk_decision_release(&d);
    assert_int_equal(esk_decision_count(&d), 0);
}

/* --- Folding ------------------------------------------------------------- */

static esk_event recorded(int64_t version, const char *type, int schema,
                          const char *data)
{
    return (esk_event){"id", "workshop-w-1", version, version, type, schema,
                       data, "{}",           0,       NULL,    0};
}

static void
fold_starts_from_the_initial_state_and_applies_in_order(void **state)
{
    (void)state;
    esk_event events[] = {
        recorded(1, "WorkshopScheduled", 1,
                 "{\"title\":\"ES\",\"capacity\":3}"),
        recorded(2, "AttendeeRegistered", 2, "{\"attendee\":\"ada\"}"),
        recorded(3, "AttendeeRegistered", 2, "{\"attendee\":\"bob\"}"),
    };
    workshop_state w;
    memset(&w, 0xAB, sizeof(w));
    assert_int_equal(esk_decider_fold(&workshop_decider, &w, events, 3),
                     ESK_OK);
    assert_true(w.scheduled);
    assert_int_equal(w.capacity, 3);
    assert_int_equal(w.seats_taken, 2);
    assert_false(w.closed);
    assert_string_equal(w.last_attendee, "bob");

    assert_int_equal(esk_decider_fold(&workshop_decider, &w, NULL, 0), ESK_OK);
    assert_false(w.scheduled);
    assert_string_equal(w.last_attendee, "nobody");
}

static void fold_of_an_unknown_type_names_the_event(void **state)
{
    (void)state;
    esk_event events[] = {
        recorded(1, "WorkshopScheduled", 1,
                 "{\"title\":\"ES\",\"capacity\":3}"),
        recorded(2, "WorkshopMoved", 1, "{}"),
    };
    workshop_state w;
    assert_int_equal(esk_decider_fold(&workshop_decider, &w, events, 2),
                     ESK_EDECODE);
    assert_string_equal(esk_errmsg(),
                        "event 2 of stream 'workshop-w-1' is WorkshopMoved "
                        "v1, which Workshop does not know: add its type to "
                        "the event types, or set skip_unknown_types to skip "
                        "such events");
}

/* What an older build of the program reads when a newer one has added
 * WorkshopMoved. */
static void a_decider_that_skips_unknown_types_folds_past_them(void **state)
{
    (void)state;
    esk_decider older = workshop_decider;
    older.skip_unknown_types = true;
    esk_event events[] = {
        recorded(1, "WorkshopScheduled", 1,
                 "{\"title\":\"ES\",\"capacity\":3}"),
        recorded(2, "WorkshopMoved", 1, "{\"room\":\"B\"}"),
        recorded(3, "AttendeeRegistered", 2, "{\"attendee\":\"ada\"}"),
    };
    workshop_state w;
    assert_int_equal(esk_decider_fold(&older, &w, events, 3), ESK_OK);
    assert_true(w.scheduled);
    assert_int_equal(w.seats_taken, 1);
    assert_string_equal(w.last_attendee, "ada");

    /* A known type at an unknown version still needs its upcaster. */
    esk_event old = recorded(4, "AttendeeRegistered", 1, "{\"name\":\"bob\"}");
    assert_int_equal(esk_decider_fold(&older, &w, &old, 1), ESK_EDECODE);
    test_assert_contains(esk_errmsg(), "register an upcaster from v1");
}

static void fold_of_an_unknown_version_points_at_an_upcaster(void **state)
{
    (void)state;
    esk_event events[] = {
        recorded(1, "AttendeeRegistered", 1, "{\"name\":\"ada\"}"),
    };
    workshop_state w;
    assert_int_equal(esk_decider_fold(&workshop_decider, &w, events, 1),
                     ESK_EDECODE);
    assert_string_equal(esk_errmsg(),
                        "event 1 of stream 'workshop-w-1' is "
                        "AttendeeRegistered v1, but Workshop knows v2: "
                        "register an upcaster from v1");
}

static void fold_of_bad_data_names_the_field(void **state)
{
    (void)state;
    esk_event events[] = {
        recorded(1, "AttendeeRegistered", 2, "{\"attendee\":42}"),
    };
    workshop_state w;
    assert_int_equal(esk_decider_fold(&workshop_decider, &w, events, 1),
                     ESK_EDECODE);
    test_assert_contains(esk_errmsg(), "event 1 of stream 'workshop-w-1'");
    test_assert_contains(esk_errmsg(), "attendee");
}

static void fold_refuses_null_and_incomplete_deciders(void **state)
{
    (void)state;
    workshop_state w;
    esk_event e = recorded(1, "WorkshopScheduled", 1, "{}");
    esk_decider no_evolve = workshop_decider;
    no_evolve.evolve = NULL;
    esk_decider dashed = workshop_decider;
    dashed.category = "work-shop";

    assert_int_equal(esk_decider_fold(NULL, &w, &e, 1), ESK_EINVAL);
    assert_int_equal(esk_decider_fold(&workshop_decider, NULL, &e, 1),
                     ESK_EINVAL);
    assert_int_equal(esk_decider_fold(&workshop_decider, &w, NULL, 1),
                     ESK_EINVAL);
    assert_int_equal(esk_decider_fold(&no_evolve, &w, &e, 1), ESK_EINVAL);
    assert_string_equal(esk_errmsg(), "decider Workshop has no evolve "
                                      "function");
    assert_int_equal(esk_decider_fold(&dashed, &w, &e, 1), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "'work-shop' contains '-'");
}

int main(void)
{
    test_use_checked_allocator();

    const struct CMUnitTest pure[] = {
        cmocka_unit_test(emitted_events_keep_their_type_and_json_in_order),
        cmocka_unit_test(reject_drops_the_events_and_says_why),
        cmocka_unit_test(reject_fills_the_error_as_esk_domain_error_does),
        cmocka_unit_test(
            reject_with_code_zero_is_invalid_and_still_drops_events),
        cmocka_unit_test(nothing_can_be_emitted_after_a_refusal),
        cmocka_unit_test(an_event_the_codec_refuses_is_not_emitted),
        cmocka_unit_test(decision_functions_refuse_null_and_out_of_range),
        cmocka_unit_test(
            clear_forgets_events_and_error_and_the_decision_is_reusable),
        cmocka_unit_test(
            fold_starts_from_the_initial_state_and_applies_in_order),
        cmocka_unit_test(fold_of_an_unknown_type_names_the_event),
        cmocka_unit_test(a_decider_that_skips_unknown_types_folds_past_them),
        cmocka_unit_test(fold_of_an_unknown_version_points_at_an_upcaster),
        cmocka_unit_test(fold_of_bad_data_names_the_field),
        cmocka_unit_test(fold_refuses_null_and_incomplete_deciders),
    };
    const struct CMUnitTest on_store[] = {
        cmocka_unit_test(handle_appends_expecting_the_loaded_version),
        cmocka_unit_test(handle_returns_the_decision_it_appended),
        cmocka_unit_test(a_stream_created_meanwhile_is_a_conflict),
        cmocka_unit_test(handle_retries_a_conflict_and_decides_again),
        cmocka_unit_test(handle_with_one_attempt_returns_the_conflict),
        cmocka_unit_test(conflicts_on_every_attempt_give_up_after_max_attempts),
        cmocka_unit_test(a_refusal_writes_nothing_and_fills_the_decision),
        cmocka_unit_test(stored_events_carry_the_metadata_given),
        cmocka_unit_test(the_result_says_when_the_stream_has_ended),
        cmocka_unit_test(deciding_nothing_appends_nothing),
        cmocka_unit_test(a_decide_that_changes_the_state_is_caught),
        cmocka_unit_test(a_refusal_without_reject_is_explained),
        cmocka_unit_test(an_event_type_the_decider_does_not_know_is_refused),
        cmocka_unit_test(handle_stops_at_an_unknown_type_unless_told_to_skip),
        cmocka_unit_test(an_undecodable_stored_event_names_stream_and_version),
        cmocka_unit_test(upcasters_turn_old_events_into_todays_before_folding),
        cmocka_unit_test(a_long_stream_is_loaded_whole),
        cmocka_unit_test(handle_refuses_bad_arguments_with_a_message),
        cmocka_unit_test(success_leaves_an_empty_error),
        cmocka_unit_test(
            every_allocation_failure_is_reported_and_writes_nothing),
    };
    int failures =
        cmocka_run_group_tests_name("decisions and folds", pure, NULL, NULL);
    test_on_sqlite = false;
    failures +=
        cmocka_run_group_tests_name("handle on memory", on_store, NULL, NULL);
    test_on_sqlite = true;
    failures +=
        cmocka_run_group_tests_name("handle on sqlite", on_store, NULL, NULL);
    return failures == 0 ? 0 : 1;
}
