/*
 * test_command_bus_application.c - the application's bus with your
 * idempotency middleware: a new command is handled and its answer
 * recorded with its events; the same command again gets that answer.
 */
#include "test_command_bus.h"

/* --- A new command -------------------------------------------------------- */

void a_new_command_is_handled_and_its_answer_recorded(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given(a.store, suite_scheduling("w-1", 2));
    esk_status rc = suite_send(a.bus, "cmd-ada", NULL, &ada, &result);
    if (rc != ESK_OK)
        print_error("the bus said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "A command id never seen before goes on down the chain: "
                 "esk_next() runs retry and the handler, and their answer "
                 "is what idempotency_around() returns.");
    check_true(!result.duplicate, "The first time, it is no duplicate.");
    check_int(result.event_count, 1, "Ada's registration wrote one event.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "The handler's event is in the store once the dispatch "
                 "returns: record_outcome() commits the transaction that "
                 "idempotency_around() began.");
    check_int(esk_store_transaction_depth(a.store), 0,
              "Every path of idempotency_around() ends the transaction it "
              "began.");

    esk_record record;
    char *owned = NULL;
    check_status(suite_find_outcome(a.store, "cmd-ada", &record, &owned),
                 ESK_OK,
                 "The answer is recorded, kind ESK_RECORD_COMMAND, under the "
                 "command's id: esk_store_put_record() in record_outcome().");
    if (owned != NULL) {
        check_int(record.tag, ESK_OK, "The record's tag is the status.");
        check_int(record.at, result.position,
                  "The record stands at the position of the command's last "
                  "event.");
        check_contains(record.value, "RegisterAttendee",
                       "The value is outcome_to_json() of the captured "
                       "outcome: it names the command's type.");
    }
    esk_free(owned);

    suite_close_app(&a);
}

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
                     "Six commands, six new ids: each goes down the chain "
                     "and is handled. Look the record up by command->id, "
                     "the one thing that tells a resend from a new command.");
    }
    expect_story(a.store,
                 "WorkshopScheduled, AttendeeRegistered, AttendeeWaitlisted, "
                 "RegistrationCancelled, WaitlistedAttendeePromoted, "
                 "RegistrationClosed",
                 "Each command went to the workshop decider.");

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
              "One log line per command: logging is the outermost "
              "middleware.");
    check_contains(a.log.lines[0], "RegisterAttendee id=cmd-ada",
                   "The line names the command's type and id.");
    check_contains(a.log.lines[0], "correlation=web-42",
                   "The line carries the correlation id: grep the logs for "
                   "web-42 and find every command one request caused.");
    check_contains(a.log.lines[0], "-> ok",
                   "Ada's registration succeeded: your middleware returns "
                   "the answer of esk_next(), and logging, outside it, "
                   "reports it.");

    suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    suite_send(a.bus, "cmd-ada-again", NULL, &ada, &result);
    check_int(a.log.count, 3,
              "Three commands, three lines: one per command, whatever "
              "happened to it.");
    check_contains(a.log.lines[1], "correlation=cmd-bob",
                   "A command without a correlation id starts its own.");
    check_contains(a.log.lines[2], "refused",
                   "A domain refusal (Ada is already registered) comes back "
                   "through your middleware as ESK_EDOMAIN and is logged as "
                   "refused: record_outcome() returns the status it "
                   "recorded.");

    suite_close_app(&a);
}

/* What a subscriber saw: whether the answer was recorded when the events
 * were committed. */
typedef struct delivery {
    esk_store *store;
    const char *id;
    int batches;
    int with_outcome;
} delivery;

static void on_commit(void *ctx, const esk_event *events, size_t n)
{
    (void)events, (void)n;
    delivery *d = ctx;
    d->batches++;
    if (suite_has_outcome(d->store, d->id))
        d->with_outcome++;
}

void the_events_and_their_answer_are_committed_together(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");
    delivery seen = {a.store, "cmd-ada", 0, 0};

    suite_given(a.store, suite_scheduling("w-1", 2));
    check_status(esk_store_subscribe(a.store, on_commit, &seen), ESK_OK,
                 "A subscriber hears of each commit.");
    check_status(suite_send(a.bus, "cmd-ada", NULL, &ada, &result), ESK_OK,
                 "Ada's registration should succeed.");
    esk_store_unsubscribe(a.store, on_commit, &seen);

    check_int(seen.batches, 1, "Ada's event was committed once.");
    check_int(seen.with_outcome, 1,
              "When Ada's event was committed, her command's answer was "
              "already recorded: the event and the record are one unit of "
              "work. If the events are committed first and the process "
              "dies before the record, a resend registers Ada twice. "
              "esk_store_begin() before esk_next(), and commit only after "
              "esk_store_put_record().");

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
                 "ALREADY_REGISTERED: idempotency_around() finds its record "
                 "(esk_store_get_record) and answer_duplicate() gives its "
                 "outcome back.");
    check_true(again.duplicate,
               "The result says that this was a duplicate: set "
               "result->duplicate in answer_duplicate().");
    check_int(again.attempts, 0,
              "The handler did not run: answer_duplicate() answers from the "
              "record, and idempotency_around() does not call esk_next().");
    check_int(again.event_count, first.event_count,
              "A duplicate gets the first outcome: the events Ada's "
              "registration wrote.");
    check_int(again.version, first.version,
              "A duplicate gets the first outcome: the version Ada's "
              "registration wrote.");
    check_int(again.position, first.position,
              "A duplicate gets the first outcome: the position of Ada's "
              "event, where the sender can wait for it.");
    check_int(suite_head(a.store), before, "A duplicate writes nothing.");
    check_int(esk_store_transaction_depth(a.store), 0,
              "The look-up's transaction is ended after a duplicate too: "
              "roll it back (nothing was written).");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Ada is registered once.");
    check_int(a.log.count, 2,
              "The duplicate is logged too: logging is outside your "
              "middleware.");
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
                 ESK_EDOMAIN,
                 "Bob cannot cancel: he is not registered. A refusal is an "
                 "answer: record_outcome() records it and returns it.");
    check_int(esk_error_last()->code, NOT_REGISTERED,
              "The domain's reason comes back in the last error, after the "
              "record was written: the store's calls that succeed clear "
              "it, so give the answer back with outcome_reply() of the "
              "outcome you captured before them.");
    check_true(suite_has_outcome(a.store, "cmd-cancel"),
               "The refusal is recorded, as a success is.");
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
