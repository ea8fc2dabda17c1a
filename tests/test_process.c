/*
 * tests/test_process.c - process managers, on both stores.
 *
 * The domain: workshops as a decider (register, cancel), behind a bus
 * with the idempotency middleware. Two process managers:
 *   follow-up  whoever registers for w-1 gets a seat in the lab w-2;
 *   deadline   a registration still unpaid an hour later lapses
 *              (tick() cancels it).
 *
 * Each has its file (process_manager_follow_up.c,
 * process_manager_deadline.c); this file holds the checks of names, ids
 * and stores, and runs every test on each store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "esk/command_bus.h"
#include "esk/decider.h"
#include "esk/process.h"
#include "process_manager_fixture.h"
#include "registration_fixture.h"

static void a_badly_named_process_is_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    esk_process_runner *runner = NULL;
    p.name = "follow/up";
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, w.bus, &p),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "without '/'");
    p.name = "follow-up";
    p.react = NULL;
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, w.bus, &p),
                     ESK_EINVAL);
    assert_contains(esk_errmsg(), "no react function");
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, NULL, &p),
                     ESK_EINVAL);
    assert_null(runner);
    assert_int_equal(esk_process_run(NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_process_tick(NULL), ESK_EINVAL);
    assert_int_equal(esk_process_send(NULL, NULL, NULL, NULL), ESK_EINVAL);
    assert_null(esk_process_store(NULL));
    esk_process_runner_free(NULL);
    close_world(&w);
}

/* The longest name, the longest event id and a correlation id from another
 * system: the derived ids stay within the bus's limits, so the process
 * never stalls on an event it can do nothing about, and they are the same
 * when the event comes again. */
static void long_ids_are_digested_not_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    char name[65];
    memset(name, 'p', 64);
    name[64] = '\0';
    p.name = name;
    world w;
    open_world(&w, state, &p);
    schedule(&w.f, "w-1", "ES 101", 10);
    schedule(&w.f, "w-2", "ES lab", 10);
    char event_id[65];
    memset(event_id, 'e', 64);
    event_id[64] = '\0';
    char metadata[300];
    char correlation[201];
    memset(correlation, 'c', 200);
    correlation[200] = '\0';
    snprintf(metadata, sizeof(metadata), "{\"correlationId\":\"%s\"}",
             correlation);
    const esk_new_event registered = {
        event_id, "AttendeeRegistered", 1,
        "{\"workshopId\":\"w-1\",\"attendee\":\"ada\"}", metadata};
    assert_int_equal(esk_store_append(w.f.store, "workshop-w-1", ESK_ANY,
                                      &registered, 1, NULL),
                     ESK_OK);

    assert_int_equal(run_ok(&w), 1);
    assert_story(&w, "w-2", "+ada");
    esk_event_list effect = ESK_EVENT_LIST_INIT;
    const esk_event *seat = event_at(&w, 4, &effect);
    char causation[256];
    char correlated[256];
    assert_int_equal(esk_metadata_get(seat->metadata, "causationId", causation,
                                      sizeof(causation)),
                     ESK_OK);
    assert_int_equal(esk_metadata_get(seat->metadata, "correlationId",
                                      correlated, sizeof(correlated)),
                     ESK_OK);
    assert_true(strlen(causation) <= ESK_COMMAND_ID_MAX);
    assert_true(strncmp(causation, name, 64) == 0);
    assert_true(strlen(correlated) <= ESK_COMMAND_ID_MAX);
    assert_int_equal(correlated[0], '#');

    /* Delivered again (a checkpoint lost): the same ids, so the
     * idempotency middleware answers from the first outcome. */
    char key[80];
    snprintf(key, sizeof(key), "process:%s", name);
    set_checkpoint(&w.f, key, 0, 1);
    assert_int_equal(run_ok(&w), 2); /* ada's registration and lab seat */
    assert_true(fu.last.duplicate);
    assert_story(&w, "w-2", "+ada");
    esk_event_list_release(&effect);
    close_world(&w);
}

/* Two handles on one SQLite file are two connections: a runner holding
 * the write lock on one would wait for a bus writing through the other
 * until the busy timeout. On any store the commands would land apart from
 * the events the runner follows. */
static void a_bus_over_another_store_handle_is_refused(void **state)
{
    follow_up fu = {{0}, 0, {0}, ESK_OK, 0};
    esk_process p = follow_up_process(&fu);
    world w;
    open_world(&w, state, &p);
    fixture other;
    fixture_open(&other, *state);
    esk_bus *other_bus = NULL;
    assert_int_equal(esk_bus_new(&other_bus, other.store), ESK_OK);

    esk_process_runner *runner = NULL;
    assert_int_equal(esk_process_runner_new(&runner, w.f.store, other_bus, &p),
                     ESK_EINVAL);
    assert_null(runner);
    assert_contains(esk_errmsg(),
                    "the bus and the runner must share one store handle");

    esk_bus_free(other_bus);
    fixture_close(&other);
    close_world(&w);
}

#define ON_BOTH_STORES(b)                                                      \
    cmocka_unit_test_prestate(                                                 \
        react_sends_commands_with_derived_ids_and_correlation, (b)),           \
        cmocka_unit_test_prestate(                                             \
            events_written_by_its_commands_are_for_the_next_run, (b)),         \
        cmocka_unit_test_prestate(a_redelivered_event_writes_nothing_twice,    \
                                  (b)),                                        \
        cmocka_unit_test_prestate(a_domain_refusal_is_not_a_failure, (b)),     \
        cmocka_unit_test_prestate(                                             \
            a_react_failure_undoes_its_commands_and_keeps_the_checkpoint,      \
            (b)),                                                              \
        cmocka_unit_test_prestate(                                             \
            a_deadline_command_is_sent_once_however_often_tick_runs, (b)),     \
        cmocka_unit_test_prestate(a_command_from_tick_needs_a_key, (b)),       \
        cmocka_unit_test_prestate(a_process_without_tick_ticks_quietly, (b)),  \
        cmocka_unit_test_prestate(a_badly_named_process_is_refused, (b)),      \
        cmocka_unit_test_prestate(long_ids_are_digested_not_refused, (b)),     \
        cmocka_unit_test_prestate(a_bus_over_another_store_handle_is_refused,  \
                                  (b))

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest on_memory[] = {
        ON_BOTH_STORES((void *)&memory_backend),
    };
    const struct CMUnitTest on_sqlite[] = {
        ON_BOTH_STORES((void *)&sqlite_backend),
    };
    int failed = cmocka_run_group_tests_name(
        "process managers on the memory store", on_memory, NULL, NULL);
    failed += cmocka_run_group_tests_name(
        "process managers on the SQLite store", on_sqlite, NULL, NULL);
    return failed;
}
