/*
 * tests/decider_handle_checks.c - what esk_decider_handle checks and
 * refuses: impure or careless deciders, unknown types, undecodable
 * events, bad arguments, failed allocations; and upcasters on the way.
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

void a_decide_that_changes_the_state_is_caught(void **state)
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

void a_refusal_without_reject_is_explained(void **state)
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

void an_event_type_the_decider_does_not_know_is_refused(void **state)
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

void handle_stops_at_an_unknown_type_unless_told_to_skip(void **state)
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

void an_undecodable_stored_event_names_stream_and_version(void **state)
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

void upcasters_turn_old_events_into_todays_before_folding(void **state)
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

void a_long_stream_is_loaded_whole(void **state)
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

void handle_refuses_bad_arguments_with_a_message(void **state)
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

void success_leaves_an_empty_error(void **state)
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

void every_allocation_failure_is_reported_and_writes_nothing(void **state)
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
