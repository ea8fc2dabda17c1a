/*
 * tests/test_decider.c - decisions, folding, and handling commands with a
 * decider, on the memory and SQLite stores.
 *
 * esk allocates through cmocka's test_malloc here, so every test also
 * checks that nothing leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "esk/decider.h"
#include "esk/upcast.h"
#include "test_support.h"
#include "workshop_decider.h"

static const workshop_command schedule_ten = {SCHEDULE, "ES 101", 10, ""};
static const workshop_command schedule_two = {SCHEDULE, "ES 101", 2, ""};

static workshop_command register_(const char *attendee)
{
    workshop_command c = {REGISTER, "", 0, {0}};
    snprintf(c.attendee, sizeof(c.attendee), "%s", attendee);
    return c;
}

/* Handle a command on workshop "w-1" with the default options. */
static esk_status handle(esk_store *store, const workshop_command *command,
                         esk_handle_result *result)
{
    esk_status rc = esk_decider_handle(&workshop_decider, store, "w-1", command,
                                       NULL, NULL, result);
    if (rc != ESK_OK && rc != ESK_EDOMAIN)
        print_message("handle: %s\n", esk_errmsg());
    return rc;
}

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

/* --- Handling: on the store -------------------------------------------------
 */

static void handle_appends_expecting_the_loaded_version(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    esk_event_list list = ESK_EVENT_LIST_INIT;

    assert_int_equal(handle(store, &schedule_ten, &r), ESK_OK);
    assert_int_equal(r.loaded_version, 0);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.attempts, 1);

    workshop_command ada = register_("ada");
    assert_int_equal(handle(store, &ada, &r), ESK_OK);
    assert_int_equal(r.loaded_version, 1);
    assert_int_equal(r.version, 2);
    assert_int_equal(r.position, 2);
    assert_int_equal(r.event_count, 1);
    assert_false(r.terminal);

    assert_int_equal(esk_store_read_stream(store, "workshop-w-1", 1, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.events[0].type, "WorkshopScheduled");
    assert_string_equal(list.events[0].data,
                        "{\"title\":\"ES 101\",\"capacity\":10}");
    assert_string_equal(list.events[1].type, "AttendeeRegistered");
    assert_int_equal(list.events[1].schema_version, 2);
    assert_string_equal(list.events[1].data, "{\"attendee\":\"ada\"}");
    esk_event_list_release(&list);
    esk_store_free(store);
}

static void handle_returns_the_decision_it_appended(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decision d = ESK_DECISION_INIT;
    const char *json = NULL;

    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1",
                                        &schedule_ten, NULL, &d, NULL),
                     ESK_OK);
    assert_int_equal(esk_decision_count(&d), 1);
    assert_int_equal(esk_decision_event(&d, 0, NULL, &json), ESK_OK);
    assert_string_equal(json, "{\"title\":\"ES 101\",\"capacity\":10}");
    esk_decision_release(&d);
    esk_store_free(store);
}

static void a_stream_created_meanwhile_is_a_conflict(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    workshop_interloper = (interloper){store, "workshop-w-1", 1};

    /* Loaded at version 0: the append expects no stream. */
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1",
                                        &schedule_ten, NULL, NULL, &r),
                     ESK_ECONCURRENCY);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.event_count, 0);
    test_assert_contains(esk_errmsg(), "saving Workshop 'w-1'");
    assert_int_equal(test_head_of(store), 1); /* the interloper's event only */
    workshop_interloper = (interloper){NULL, NULL, 0};
    esk_store_free(store);
}

static void handle_retries_a_conflict_and_decides_again(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    options.max_attempts = 2;
    options.backoff_ms = 1;
    workshop_command ada = register_("ada");
    esk_event_list list = ESK_EVENT_LIST_INIT;

    assert_int_equal(handle(store, &schedule_ten, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 1};
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &ada,
                                        &options, NULL, &r),
                     ESK_OK);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.loaded_version, 2); /* after the interloper */
    assert_int_equal(r.version, 3);
    assert_int_equal(esk_store_read_stream(store, "workshop-w-1", 1, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 3);
    assert_string_equal(list.events[1].data, "{\"attendee\":\"interloper\"}");
    assert_string_equal(list.events[2].data, "{\"attendee\":\"ada\"}");
    esk_event_list_release(&list);
    esk_store_free(store);
}

static void handle_with_one_attempt_returns_the_conflict(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    workshop_command ada = register_("ada");

    assert_int_equal(handle(store, &schedule_ten, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 1};
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &ada,
                                        NULL, NULL, &r),
                     ESK_ECONCURRENCY);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.event_count, 0);
    assert_int_equal(esk_error_last()->status, ESK_ECONCURRENCY);
    test_assert_contains(esk_errmsg(), "saving Workshop 'w-1': ");
    test_assert_contains(esk_errmsg(), "version 2");
    assert_int_equal(test_head_of(store), 2); /* scheduled + interloper */
    esk_store_free(store);
}

static void conflicts_on_every_attempt_give_up_after_max_attempts(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    options.max_attempts = 3;
    workshop_command ada = register_("ada");

    assert_int_equal(handle(store, &schedule_ten, NULL), ESK_OK);
    workshop_interloper = (interloper){store, "workshop-w-1", 5};
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &ada,
                                        &options, NULL, &r),
                     ESK_ECONCURRENCY);
    assert_int_equal(workshop_interloper.appends_left, 2);
    workshop_interloper = (interloper){NULL, NULL, 0};
    assert_int_equal(r.attempts, 3);
    test_assert_contains(esk_errmsg(), "still conflicting after 3 attempts");
    esk_store_free(store);
}

static void a_refusal_writes_nothing_and_fills_the_decision(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decision d = ESK_DECISION_INIT;
    esk_handle_result r;
    workshop_command ada = register_("ada");

    assert_int_equal(
        esk_decider_handle(&workshop_decider, store, "w-1", &ada, NULL, &d, &r),
        ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->status, ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->code, WORKSHOP_NOT_SCHEDULED);
    assert_string_equal(esk_errmsg(), "the workshop is not scheduled");
    assert_int_equal(esk_error_last()->code, WORKSHOP_NOT_SCHEDULED);
    assert_string_equal(esk_errmsg(), "the workshop is not scheduled");
    assert_int_equal(esk_decision_count(&d), 0);
    assert_int_equal(r.event_count, 0);
    assert_int_equal(r.version, 0);
    assert_int_equal(test_head_of(store), 0);
    esk_decision_release(&d);
    esk_store_free(store);
}

static void stored_events_carry_the_metadata_given(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    esk_metadata metadata = {"req-9", "cmd-1", "{\"user\":\"eve\"}"};
    options.metadata = &metadata;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    workshop_command ada = register_("ada");
    char buf[32];

    assert_int_equal(handle(store, &schedule_two, NULL), ESK_OK);
    handle(store, &ada, NULL);
    workshop_command bob = register_("bob"); /* fills it: two events */
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &bob,
                                        &options, NULL, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_read_stream(store, "workshop-w-1", 3, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "correlationId", buf, sizeof(buf)),
                         ESK_OK);
        assert_string_equal(buf, "req-9");
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "causationId", buf, sizeof(buf)),
                         ESK_OK);
        assert_string_equal(buf, "cmd-1");
        assert_int_equal(
            esk_metadata_get(list.events[i].metadata, "user", buf, sizeof(buf)),
            ESK_OK);
        assert_string_equal(buf, "eve");
    }
    esk_event_list_release(&list);
    esk_store_free(store);
}

static void the_result_says_when_the_stream_has_ended(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    workshop_command ada = register_("ada");
    workshop_command bob = register_("bob");
    workshop_command eve = register_("eve");

    assert_int_equal(handle(store, &schedule_two, &r), ESK_OK);
    assert_false(r.terminal);
    assert_int_equal(handle(store, &ada, &r), ESK_OK);
    assert_false(r.terminal);
    assert_int_equal(handle(store, &bob, &r), ESK_OK);
    assert_true(r.terminal);
    assert_int_equal(r.event_count, 2); /* registered, closed */
    assert_int_equal(handle(store, &eve, &r), ESK_EDOMAIN);
    assert_false(r.terminal);
    esk_store_free(store);
}

static void deciding_nothing_appends_nothing(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_result r;
    const workshop_command look = {LOOK, "", 0, ""};

    assert_int_equal(handle(store, &schedule_ten, NULL), ESK_OK);
    assert_int_equal(handle(store, &look, &r), ESK_OK);
    assert_int_equal(r.event_count, 0);
    assert_int_equal(r.loaded_version, 1);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 0);
    assert_int_equal(test_head_of(store), 1);
    esk_store_free(store);
}

static esk_status impure_decide(const void *state, const void *command,
                                esk_decision *decision)
{
    (void)command;
    /* What a learner might write: count the seat right away. */
    workshop_state *w = (workshop_state *)state;
    w->seats_taken++;
    return esk_decision_emit(decision, &attendee_registered_type,
                             &(attendee_registered){"ada"});
}

static void a_decide_that_changes_the_state_is_caught(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decider impure = workshop_decider;
    impure.decide = impure_decide;

    assert_int_equal(
        esk_decider_handle(&impure, store, "w-1", NULL, NULL, NULL, NULL),
        ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "decide() changed the state of Workshop 'w-1': it "
                        "may only read it; evolve() changes the state");
    assert_int_equal(test_head_of(store), 0);
    esk_store_free(store);
}

static esk_status refuse_without_reason(const void *state, const void *command,
                                        esk_decision *decision)
{
    (void)state;
    (void)command;
    (void)decision;
    return ESK_EDOMAIN;
}

static void a_refusal_without_reject_is_explained(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decider careless = workshop_decider;
    careless.decide = refuse_without_reason;

    assert_int_equal(
        esk_decider_handle(&careless, store, "w-1", NULL, NULL, NULL, NULL),
        ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "esk_decision_reject(decision, CODE");
    esk_store_free(store);
}

static esk_status emit_a_stranger(const void *state, const void *command,
                                  esk_decision *decision)
{
    (void)state;
    (void)command;
    static const esk_field fields[] = {
        ESK_FIELD_STRING(workshop_closed, reason, "reason"),
    };
    static const esk_event_type stranger =
        ESK_EVENT_TYPE(workshop_closed, "WorkshopCancelled", 1, fields);
    return esk_decision_emit(decision, &stranger, &(workshop_closed){"rain"});
}

static void an_event_type_the_decider_does_not_know_is_refused(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decider d = workshop_decider;
    d.decide = emit_a_stranger;

    assert_int_equal(
        esk_decider_handle(&d, store, "w-1", NULL, NULL, NULL, NULL),
        ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "decide() of Workshop emitted WorkshopCancelled v1, "
                        "which is not among its event types: add it to "
                        "event_types");
    assert_int_equal(test_head_of(store), 0);
    esk_store_free(store);
}

static void handle_stops_at_an_unknown_type_unless_told_to_skip(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_decider older = workshop_decider;
    older.skip_unknown_types = true;
    const esk_new_event newer[] = {
        {NULL, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":2}",
         NULL},
        {NULL, "WorkshopMoved", 1, "{\"room\":\"B\"}", NULL},
    };
    workshop_command ada = register_("ada");
    esk_handle_result r;

    assert_int_equal(
        esk_store_append(store, "workshop-w-1", ESK_ANY, newer, 2, NULL),
        ESK_OK);
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &ada,
                                        NULL, NULL, &r),
                     ESK_EDECODE);
    test_assert_contains(esk_errmsg(), "event 2 of stream 'workshop-w-1' is "
                                       "WorkshopMoved v1");
    test_assert_contains(esk_errmsg(), "skip_unknown_types");
    assert_int_equal(test_head_of(store), 2);

    /* Skipped, the event still counts: the append expects version 2. */
    assert_int_equal(
        esk_decider_handle(&older, store, "w-1", &ada, NULL, NULL, &r), ESK_OK);
    assert_int_equal(r.loaded_version, 2);
    assert_int_equal(r.version, 3);
    assert_int_equal(test_head_of(store), 3);
    esk_store_free(store);
}

static void an_undecodable_stored_event_names_stream_and_version(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_new_event bad = {NULL, "WorkshopScheduled", 1, "{\"title\":\"ES\"}",
                         NULL};
    workshop_command ada = register_("ada");

    assert_int_equal(
        esk_store_append(store, "workshop-w-1", ESK_ANY, &bad, 1, NULL),
        ESK_OK);
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &ada,
                                        NULL, NULL, NULL),
                     ESK_EDECODE);
    test_assert_contains(esk_errmsg(), "event 1 of stream 'workshop-w-1'");
    test_assert_contains(esk_errmsg(), "capacity");
    assert_int_equal(test_head_of(store), 1);
    esk_store_free(store);
}

static esk_status name_to_attendee(json_t *data)
{
    json_t *name = json_object_get(data, "name");
    if (json_object_set(data, "attendee", name) != 0 ||
        json_object_del(data, "name") != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

static void upcasters_turn_old_events_into_todays_before_folding(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_upcasters *upcasters = NULL;
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    esk_decision d = ESK_DECISION_INIT;
    esk_new_event old[] = {
        {NULL, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":2}",
         NULL},
        {NULL, "AttendeeRegistered", 1, "{\"name\":\"ada\"}", NULL},
    };
    workshop_command bob = register_("bob");

    assert_int_equal(
        esk_store_append(store, "workshop-w-1", ESK_ANY, old, 2, NULL), ESK_OK);
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(upcasters, "AttendeeRegistered", 1, name_to_attendee),
        ESK_OK);
    /* Without the upcaster the old event cannot be read. */
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &bob,
                                        &options, &d, NULL),
                     ESK_EDECODE);
    options.upcasters = upcasters;
    /* With it, ada's seat counts: bob takes the last one. */
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", &bob,
                                        &options, &d, NULL),
                     ESK_OK);
    assert_int_equal(esk_decision_count(&d), 2);
    esk_decision_release(&d);
    esk_upcasters_free(upcasters);
    esk_store_free(store);
}

static void a_long_stream_is_loaded_whole(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    enum { EVENTS = 700 };
    esk_new_event batch[EVENTS];
    esk_handle_result r;
    const workshop_command look = {LOOK, "", 0, ""};

    batch[0] = (esk_new_event){NULL, "WorkshopScheduled", 1,
                               "{\"title\":\"ES\",\"capacity\":1000}", NULL};
    for (size_t i = 1; i < EVENTS; i++)
        batch[i] = (esk_new_event){NULL, "AttendeeRegistered", 2,
                                   "{\"attendee\":\"a\"}", NULL};
    assert_int_equal(
        esk_store_append(store, "workshop-w-1", ESK_ANY, batch, EVENTS, NULL),
        ESK_OK);
    workshop_command ada = register_("ada");
    assert_int_equal(handle(store, &look, &r), ESK_OK);
    assert_int_equal(r.loaded_version, EVENTS);
    assert_int_equal(handle(store, &ada, &r), ESK_OK);
    assert_int_equal(r.version, EVENTS + 1);
    esk_store_free(store);
}

static void handle_refuses_bad_arguments_with_a_message(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    char long_id[300];
    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    esk_decider undecided = workshop_decider;
    undecided.decide = NULL;
    esk_handle_result r = {9, 9, 9, 9, 9, true};

    assert_int_equal(
        esk_decider_handle(NULL, store, "w-1", NULL, NULL, NULL, &r),
        ESK_EINVAL);
    assert_int_equal(r.attempts, 0);
    assert_int_equal(r.version, 0);
    assert_int_equal(esk_decider_handle(&workshop_decider, NULL, "w-1", NULL,
                                        NULL, NULL, NULL),
                     ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "store is NULL");
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "", NULL,
                                        NULL, NULL, NULL),
                     ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "the id is empty");
    assert_int_equal(esk_decider_handle(&workshop_decider, store, long_id, NULL,
                                        NULL, NULL, NULL),
                     ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "use a shorter id");
    assert_int_equal(
        esk_decider_handle(&undecided, store, "w-1", NULL, NULL, NULL, NULL),
        ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "has no decide function");
    options.max_attempts = 0;
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", NULL,
                                        &options, NULL, NULL),
                     ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "max_attempts");
    options = (esk_handle_options)ESK_HANDLE_OPTIONS_INIT;
    options.version = 99;
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1", NULL,
                                        &options, NULL, NULL),
                     ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "ESK_HANDLE_OPTIONS_INIT");
    assert_int_equal(test_head_of(store), 0);
    esk_store_free(store);
}

static void success_leaves_an_empty_error(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    assert_int_equal(esk_decider_handle(&workshop_decider, store, "w-1",
                                        &schedule_ten, NULL, NULL, NULL),
                     ESK_OK);
    assert_int_equal(esk_error_last()->status, ESK_OK);
    assert_int_equal(esk_error_last()->code, 0);
    assert_string_equal(esk_errmsg(), "");
    esk_store_free(store);
}

static void
every_allocation_failure_is_reported_and_writes_nothing(void **state)
{
    (void)state;
    workshop_command ada = register_("ada");
    esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
    esk_metadata metadata = {"req-1", "c-1", NULL};
    options.metadata = &metadata;

    for (long k = 1;; k++) {
        esk_store *store = test_open_store();
        esk_decision d = ESK_DECISION_INIT;
        assert_int_equal(handle(store, &schedule_two, NULL), ESK_OK);
        test_fail_allocation(k);
        esk_status rc = esk_decider_handle(&workshop_decider, store, "w-1",
                                           &ada, &options, &d, NULL);
        bool failed = test_allocation_failed();
        if (rc != ESK_OK) {
            if (rc != ESK_ENOMEM)
                fail_msg("allocation %ld: %s", k, esk_errmsg());
            assert_true(failed);
            assert_int_equal(esk_decision_count(&d), 0);
            assert_int_equal(test_head_of(store), 1);
        }
        esk_decision_release(&d);
        esk_store_free(store);
        if (!failed)
            break;
    }
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
