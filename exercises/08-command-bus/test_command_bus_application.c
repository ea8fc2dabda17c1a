/*
 * test_command_bus_application.c - the application's bus: every command, its
 * log, its idempotency, its retries.
 */
#include "test_command_bus.h"

/* --- The application's bus ------------------------------------------------ */

void the_bus_has_a_handler_for_every_workshop_command(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    const workshop_command story[] = {
        suite_scheduling("w-1", 1),
        suite_registration("w-1", "ada", "Ada Lovelace"),
        suite_registration("w-1", "bob", "Bob"),
        suite_cancellation("w-1", "ada"),
        suite_promotion("w-1"),
        suite_closing("w-1"),
    };
    const char *const ids[] = {"cmd-1", "cmd-2", "cmd-3",
                               "cmd-4", "cmd-5", "cmd-6"};

    for (size_t i = 0; i < sizeof(story) / sizeof(story[0]); i++) {
        esk_status rc = suite_send(a.bus, ids[i], NULL, &story[i], &result);
        if (rc != ESK_OK)
            print_error("%s said: %s\n", workshop_command_type(story[i].kind),
                        esk_errmsg());
        check_status(rc, ESK_OK,
                     "Register handle_workshop_command for each of the "
                     "workshop_command_types: one esk_bus_register() per "
                     "type, all with the same handler.");
    }
    expect_story(a.store,
                 "WorkshopScheduled, AttendeeRegistered, AttendeeWaitlisted, "
                 "RegistrationCancelled, WaitlistedAttendeePromoted, "
                 "RegistrationClosed",
                 "Each command went to the workshop decider.");

    suite_close_app(&a);
}

void an_unknown_command_is_answered_with_the_known_ones(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");
    const esk_command typo = {
        .type = "RegisterAtendee", .id = "cmd-1", .payload = &ada};

    check_status(esk_bus_dispatch(a.bus, &typo, &result), ESK_ENOHANDLER,
                 "No handler is registered for 'RegisterAtendee' (a typo): "
                 "the bus says so rather than guess.");
    check_contains(esk_errmsg(), "RegisterAtendee",
                   "The message names the type that has no handler.");
    for (size_t i = 0; i < WORKSHOP_COMMAND_TYPE_COUNT; i++)
        check_contains(esk_errmsg(), workshop_command_types[i],
                       "The message lists the registered types, so that the "
                       "sender can see the typo: register every one of the "
                       "workshop_command_types.");
    check_int(suite_head(a.store), 0, "Nothing was written.");

    suite_close_app(&a);
}

void every_command_is_logged_with_its_correlation_id(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");
    workshop_command bob = suite_registration("w-1", "bob", "Bob");

    suite_given(a.store, suite_scheduling("w-1", 2));
    suite_send(a.bus, "cmd-ada", "web-42", &ada, &result);
    check_int(a.log.count, 1,
              "One log line per command: add esk_logging_middleware(log) to "
              "the bus, with the log workshop_bus_new() was given.");
    check_contains(a.log.lines[0], "RegisterAttendee id=cmd-ada",
                   "The line names the command's type and id.");
    check_contains(a.log.lines[0], "correlation=web-42",
                   "The line carries the correlation id: grep the logs for "
                   "web-42 and find every command one request caused.");
    check_contains(a.log.lines[0], "-> ok", "Ada's registration succeeded.");

    suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    suite_send(a.bus, "cmd-ada-again", NULL, &ada, &result);
    check_int(a.log.count, 3,
              "Three commands, three lines: one per command, whatever "
              "happened to it.");
    check_contains(a.log.lines[1], "correlation=cmd-bob",
                   "A command without a correlation id starts its own.");
    check_contains(a.log.lines[2], "refused",
                   "A domain refusal (Ada is already registered) is logged "
                   "too, as refused.");

    suite_close_app(&a);
}

void a_command_sent_twice_is_handled_once(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result first;
    esk_command_result again;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given(a.store, suite_scheduling("w-1", 2));
    check_status(suite_send(a.bus, "cmd-ada", NULL, &ada, &first), ESK_OK,
                 "Ada's first registration should succeed.");
    int64_t before = suite_head(a.store);

    /* The reply got lost; Ada's browser sends the same command again. */
    esk_status rc = suite_send(a.bus, "cmd-ada", NULL, &ada, &again);
    check_status(rc, ESK_OK,
                 "The same command id again gets the first answer, ok, not "
                 "ALREADY_REGISTERED: add esk_idempotency_middleware() to "
                 "the bus.");
    check_true(again.duplicate,
               "The result says that this was a duplicate: the idempotency "
               "middleware recognised the command id.");
    check_int(again.version, first.version,
              "A duplicate gets the first outcome: the version Ada's "
              "registration wrote.");
    check_int(suite_head(a.store), before, "A duplicate writes nothing.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Ada is registered once.");
    check_int(a.log.count, 2,
              "The duplicate is logged too. The idempotency middleware "
              "answers a duplicate itself, without calling the middleware "
              "after it: logging must come before idempotency.");
    check_contains(a.log.lines[1], "ok (duplicate)",
                   "The line says that the command was a duplicate.");

    suite_close_app(&a);
}

void a_refusal_is_remembered_as_the_first_answer(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command cancel_bob = suite_cancellation("w-1", "bob");
    workshop_command bob = suite_registration("w-1", "bob", "Bob");

    suite_given(a.store, suite_scheduling("w-1", 2));
    check_status(suite_send(a.bus, "cmd-cancel", NULL, &cancel_bob, &result),
                 ESK_EDOMAIN, "Bob cannot cancel: he is not registered.");
    check_int(esk_error_last()->code, NOT_REGISTERED,
              "The domain's reason comes back in the last error.");
    check_status(suite_send(a.bus, "cmd-bob", NULL, &bob, &result), ESK_OK,
                 "Then Bob registers.");

    /* The cancellation's first reply got lost, and it is sent again. */
    check_status(suite_send(a.bus, "cmd-cancel", NULL, &cancel_bob, &result),
                 ESK_EDOMAIN,
                 "The same command id gets its first answer, the refusal, "
                 "even though Bob is registered now: a resend is the same "
                 "request, not a new one. The idempotency middleware records "
                 "refusals as well as successes.");
    check_true(result.duplicate, "The result says it was a duplicate.");
    check_int(esk_error_last()->code, NOT_REGISTERED,
              "The duplicate carries the first answer's domain code.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Bob is still registered: the duplicate did nothing.");
    check_contains(suite_last_line(&a.log), "refused (duplicate)",
                   "The log says so too.");

    check_status(suite_send(a.bus, "cmd-cancel-2", NULL, &cancel_bob, &result),
                 ESK_OK,
                 "A new cancellation, with a new id, is a new request: it "
                 "is handled.");

    suite_close_app(&a);
}

static const char *const cleo[] = {"cleo"};

void a_conflict_between_load_and_append_is_retried(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    rival other_server = {a.store, cleo, 1, 0};
    workshop_command bob = suite_registration("w-1", "bob", "Bob");

    suite_given(a.store, suite_scheduling("w-1", 2));
    suite_given(a.store, suite_registration("w-1", "ada", "Ada Lovelace"));
    race_window_set_rival(suite_rival_registers, &other_server);
    esk_status rc = suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    race_window_set_rival(NULL, NULL);

    if (rc != ESK_OK)
        print_error("the bus said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Cleo took the last seat between Bob's load and his append, "
                 "so his append was refused (ESK_ECONCURRENCY). Add "
                 "esk_retry_middleware() to the bus: it runs the handler "
                 "again, which loads the newer stream and decides anew.");
    check_int(result.attempts, 2,
              "Two attempts: the one that lost the race, and the one that "
              "decided again.");
    expect_story(a.store,
                 "WorkshopScheduled, AttendeeRegistered, AttendeeRegistered, "
                 "AttendeeWaitlisted",
                 "Cleo has the last seat and Bob waits. If Cleo's "
                 "registration is missing, the failed attempt was undone "
                 "whole, with what happened during it: here the rival "
                 "appended inside your transaction (same process, same "
                 "store handle), and the idempotency middleware rolls back "
                 "its transaction when what it calls fails. With retry after "
                 "idempotency, all attempts share one transaction and a "
                 "conflict undoes only the refused append.");
    check_int(a.log.count, 1,
              "One line for the command, however many attempts it took: "
              "logging must come before retry, or it logs every attempt.");
    check_contains(a.log.lines[0], "2 attempts",
                   "The line says how many attempts the command took.");

    suite_close_app(&a);
}

static const char *const crowd[] = {"cleo", "dan", "eve", "fay"};

void a_conflict_that_does_not_end_is_reported_not_remembered(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    rival other_server = {a.store, crowd, 4, 0};
    workshop_command bob = suite_registration("w-1", "bob", "Bob");

    suite_given(a.store, suite_scheduling("w-1", 10));
    race_window_set_rival(suite_rival_registers, &other_server);
    esk_status rc = suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    race_window_set_rival(NULL, NULL);

    check_status(rc, ESK_ECONCURRENCY,
                 "Someone else appends before every one of Bob's appends: "
                 "after the last attempt, the conflict is the answer.");
    check_int(result.attempts, 3,
              "Three attempts in all: give esk_retry_middleware() a policy "
              "with max_attempts = 3 (a static const esk_retry_policy, as "
              "the bus keeps a pointer to it).");
    check_contains(suite_last_line(&a.log), "failed",
                   "The log reports the failure.");

    /* Later, the client sends the command again: a conflict is not an
     * answer about Bob, so the idempotency middleware did not record it. */
    rc = suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    check_status(rc, ESK_OK,
                 "A technical failure is not an outcome: the command may be "
                 "sent again, and is handled this time.");
    check_true(!result.duplicate,
               "Not a duplicate: nothing was recorded for cmd-bob.");
    check_int(result.event_count, 1, "Bob's registration is written now.");

    suite_close_app(&a);
}
