/*
 * tests/decider_handle.c - esk_decider_handle on the store: what
 * it appends, conflicts and retries, refusals and metadata.
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

/* --- Handling: on the store -------------------------------------------------
 */

void handle_appends_expecting_the_loaded_version(void **state)
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

void handle_returns_the_decision_it_appended(void **state)
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

void a_stream_created_meanwhile_is_a_conflict(void **state)
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

void handle_retries_a_conflict_and_decides_again(void **state)
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

void handle_with_one_attempt_returns_the_conflict(void **state)
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

void conflicts_on_every_attempt_give_up_after_max_attempts(void **state)
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

void a_refusal_writes_nothing_and_fills_the_decision(void **state)
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

void stored_events_carry_the_metadata_given(void **state)
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

void the_result_says_when_the_stream_has_ended(void **state)
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

void deciding_nothing_appends_nothing(void **state)
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
