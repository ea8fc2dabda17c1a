/*
 * tests/test_command_bus.c - the command bus, its middleware and the
 * esk_context_* functions, on the memory and SQLite stores.
 *
 * esk allocates through cmocka's test_malloc here, so every test also
 * checks that nothing leaks. Dispatch, middleware and idempotency have
 * their files (command_bus_*.c); this one has aggregates through the
 * context, allocation failures, a restart, and main().
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "command_bus_fixture.h"
#include "esk/aggregate.h"
#include "esk/command_bus.h"
#include "test_support.h"
#include "workshop_decider.h"

#include "command_bus_fixture.h"

/* --- Aggregates through the context ----------------------------------------
 */

typedef struct roster {
    esk_aggregate base;
    int64_t attendees;
} roster;

static void roster_evolve(void *state, const esk_event_type *type,
                          const void *event)
{
    (void)type;
    (void)event;
    roster *r = state;
    r->attendees++;
}

static const esk_event_type *const roster_events[] = {
    &attendee_registered_type,
};

static const esk_aggregate_type roster_type = {
    .name = "Roster",
    .category = "roster",
    .state_size = sizeof(roster),
    .event_types = roster_events,
    .event_type_count = 1,
    .evolve = roster_evolve,
};

static esk_status on_enrol(esk_context *ctx, const esk_command *cmd, void *data)
{
    roster r;
    esk_status rc = esk_aggregate_init(&r, &roster_type, "r-1");
    if (rc == ESK_OK)
        rc = esk_aggregate_raise(&r, &attendee_registered_type, cmd->payload);
    rc = rc == ESK_OK ? esk_context_save(ctx, data, &r)
                      : esk_context_fail_with(ctx, rc);
    esk_aggregate_release(&r);
    return rc;
}

static void a_handler_saves_an_aggregate_with_the_command_metadata(void **state)
{
    (void)state;
    esk_store *store = test_open_store();
    esk_bus *bus = new_bus(store);
    esk_repository *repo = NULL;
    attendee_registered ada = {"ada"};
    attendee_registered unterminated;
    memset(unterminated.attendee, 'x', sizeof(unterminated.attendee));
    esk_command c = command("Enrol", "c-1", &ada);
    c.correlation_id = "req-1";
    esk_command_result r;
    char buf[64];

    assert_int_equal(esk_repository_new(&repo, store, &roster_type, NULL),
                     ESK_OK);
    assert_int_equal(esk_bus_register(bus, "Enrol", on_enrol, repo), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    metadata_of_first_event(store, "correlationId", buf, sizeof(buf));
    assert_string_equal(buf, "req-1");
    metadata_of_first_event(store, "causationId", buf, sizeof(buf));
    assert_string_equal(buf, "c-1");

    c = command("Enrol", "c-2", &unterminated);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_EINVAL);
    test_assert_contains(esk_errmsg(), "attendee");
    assert_int_equal(test_head_of(store), 1);
    esk_repository_free(repo);
    esk_bus_free(bus);
    esk_store_free(store);
}

/* --- Allocation failures ------------------------------------------------ */

/* A bus with every shipped middleware, whose store already has c-1. */
static esk_bus *new_full_bus(esk_store *store, esk_middleware *mw)
{
    esk_bus *bus = new_bus(store);
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(esk_bus_use(bus, &mw[i]), ESK_OK);
    assert_int_equal(esk_bus_dispatch(bus, &c, NULL), ESK_OK);
    return bus;
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

static void every_allocation_failure_is_reported_and_undone(void **state)
{
    (void)state;
    const esk_log_sink sink = {quiet, NULL};
    esk_middleware mw[3] = {esk_logging_middleware(&sink),
                            esk_idempotency_middleware(),
                            esk_retry_middleware(NULL)};
    workshop_command ada = {REGISTER, "", 0, "ada"};
    /* A new command (c-2), then a repeated one (c-1). */
    esk_command commands[2] = {
        command("RegisterAttendee", "c-2", &ada),
        command("ScheduleWorkshop", "c-1", &schedule_ten),
    };

    for (size_t i = 0; i < 2; i++) {
        for (long k = 1;; k++) {
            esk_store *store = test_open_store();
            esk_bus *bus = new_full_bus(store, mw);
            esk_command_result r;
            test_fail_allocation(k);
            esk_status rc = esk_bus_dispatch(bus, &commands[i], &r);
            bool failed = test_allocation_failed();
            assert_int_equal(esk_error_last()->status, rc);
            assert_int_equal(esk_store_transaction_depth(store), 0);
            if (rc != ESK_OK) {
                if (rc != ESK_ENOMEM)
                    fail_msg("allocation %ld: %s", k, esk_errmsg());
                assert_true(failed);
                assert_int_equal(test_head_of(store), 1);
            }
            esk_bus_free(bus);
            esk_store_free(store);
            if (!failed)
                break;
        }
    }
}

/* --- A restart, on a SQLite file --------------------------------------------
 */

static char temp_dir[64];

static void the_outcome_of_a_command_survives_a_restart(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/commands.db", temp_dir);
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    esk_command c = command("ScheduleWorkshop", "c-1", &schedule_ten);
    esk_command_result r;

    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    bus = new_idempotent_bus(store);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_false(r.duplicate);
    esk_bus_free(bus);
    esk_store_free(store);

    store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    bus = new_idempotent_bus(store);
    assert_int_equal(esk_bus_dispatch(bus, &c, &r), ESK_OK);
    assert_true(r.duplicate);
    assert_int_equal(r.event_count, 1);
    assert_int_equal(r.version, 1);
    assert_int_equal(r.position, 1);
    assert_int_equal(handler_calls, 0);
    assert_int_equal(test_head_of(store), 1);
    esk_bus_free(bus);
    esk_store_free(store);
}

int main(void)
{
    test_use_checked_allocator();

    const struct CMUnitTest on_store[] = {
        cmocka_unit_test(registering_a_type_twice_is_refused),
        cmocka_unit_test(an_unknown_type_lists_the_registered_types),
        cmocka_unit_test(an_empty_bus_says_that_nothing_is_registered),
        cmocka_unit_test(the_list_of_types_is_cut_when_it_is_too_long),
        cmocka_unit_test(malformed_commands_are_invalid_and_say_why),
        cmocka_unit_test(null_arguments_are_refused),
        cmocka_unit_test(the_result_tells_what_the_handler_wrote),
        cmocka_unit_test(a_domain_refusal_fills_code_and_message),
        cmocka_unit_test(a_failing_handler_without_a_message_gets_one),
        cmocka_unit_test(a_handler_may_not_call_esk_next),
        cmocka_unit_test(failing_with_esk_ok_is_itself_an_error),
        cmocka_unit_test(
            a_refusing_before_middleware_keeps_the_handler_from_running),
        cmocka_unit_test(a_silent_refusal_names_the_middleware),
        cmocka_unit_test(a_before_middleware_can_set_the_correlation_id),
        cmocka_unit_test(a_before_middleware_can_map_a_type_to_another_handler),
        cmocka_unit_test(middleware_runs_in_registration_order),
        cmocka_unit_test(events_carry_the_correlation_and_causation_ids),
        cmocka_unit_test(a_command_without_correlation_starts_its_own),
        cmocka_unit_test(logging_writes_one_line_per_command),
        cmocka_unit_test(logging_names_empty_outcomes_and_attempts),
        cmocka_unit_test(retry_runs_a_conflicting_handler_again),
        cmocka_unit_test(retry_gives_up_after_max_attempts),
        cmocka_unit_test(each_retry_starts_from_a_fresh_outcome),
        cmocka_unit_test(
            a_repeated_command_gets_its_first_outcome_and_writes_nothing),
        cmocka_unit_test(a_domain_refusal_is_recorded_too),
        cmocka_unit_test(
            a_conflict_is_not_recorded_so_the_command_can_be_sent_again),
        cmocka_unit_test(a_failed_handler_leaves_none_of_its_writes),
        cmocka_unit_test(a_command_id_reused_for_another_type_is_refused),
        cmocka_unit_test(a_command_id_reused_with_another_payload_is_refused),
        cmocka_unit_test(the_recorded_outcome_is_the_json_jansson_writes),
        cmocka_unit_test(
            a_command_id_resent_with_or_without_payload_json_is_refused),
        cmocka_unit_test(
            an_outcome_recorded_without_its_payload_is_compared_by_type),
        cmocka_unit_test(an_outcome_record_esk_did_not_write_is_reported),
        cmocka_unit_test(logging_marks_a_duplicate),
        cmocka_unit_test(
            a_handler_saves_an_aggregate_with_the_command_metadata),
        cmocka_unit_test(every_allocation_failure_is_reported_and_undone),
    };
    const struct CMUnitTest on_file[] = {
        cmocka_unit_test(the_outcome_of_a_command_survives_a_restart),
    };

    snprintf(temp_dir, sizeof(temp_dir), "/tmp/esk-bus-XXXXXX");
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_on_sqlite = false;
    int failures =
        cmocka_run_group_tests_name("bus on memory", on_store, NULL, NULL);
    test_on_sqlite = true;
    failures +=
        cmocka_run_group_tests_name("bus on sqlite", on_store, NULL, NULL);
    failures += cmocka_run_group_tests_name("bus on a sqlite file", on_file,
                                            NULL, NULL);

    char rm[128];
    snprintf(rm, sizeof(rm), "rm -rf '%s'", temp_dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", temp_dir);
    return failures == 0 ? 0 : 1;
}
