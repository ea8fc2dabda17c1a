/*
 * test_command_bus_failures.c - what must not be remembered, and what must
 * not be mistaken for a resend: conflicts, retried or not, and another
 * command under an id already used.
 */
#include <sqlite3.h>

#include "test_command_bus.h"

/* --- Conflicts ------------------------------------------------------------ */

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
                 "so his append was refused (ESK_ECONCURRENCY), and the retry "
                 "middleware inside yours ran the handler again: "
                 "idempotency_around() returns what esk_next() finally "
                 "answered.");
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
                 "store handle). Retry runs inside your middleware, so "
                 "idempotency_around() sees only the last attempt's answer: "
                 "record it, and roll back only when that answer is a "
                 "failure.");
    check_int(a.log.count, 1,
              "One line for the command, however many attempts it took.");
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
              "Three attempts in all, each a run of the handler.");
    check_contains(suite_last_line(&a.log), "failed",
                   "The log reports the failure.");
    check_true(!suite_has_outcome(a.store, "cmd-bob"),
               "A conflict is no answer about Bob: nothing is recorded for "
               "cmd-bob. Only ESK_OK and ESK_EDOMAIN go to "
               "record_outcome(); after any other status, roll back.");
    check_int(esk_store_transaction_depth(a.store), 0,
              "The failure ended the transaction: roll it back.");
    expect_story(a.store, "WorkshopScheduled",
                 "Nothing of the failed command stays: the rollback undid "
                 "what happened inside its transaction (here the rivals' "
                 "registrations, made through the same store handle). "
                 "Committing after a failure would keep half a command.");

    /* Later, the client sends the command again: a conflict is not an
     * answer about Bob, so the idempotency middleware did not record it. */
    rc = suite_send(a.bus, "cmd-bob", NULL, &bob, &result);
    check_status(rc, ESK_OK,
                 "A technical failure is not an outcome: the command may be "
                 "sent again, and is handled this time.");
    check_true(!result.duplicate,
               "Not a duplicate: nothing was recorded for cmd-bob.");
    check_int(result.attempts, 1, "The handler ran, once.");
    check_int(result.event_count, 1, "Bob's registration is written now.");

    suite_close_app(&a);
}

/* --- Another command under a used id -------------------------------------- */

void another_command_under_a_used_id_is_refused(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");
    workshop_command cancel_ada = suite_cancellation("w-1", "ada");

    suite_given(a.store, suite_scheduling("w-1", 2));
    check_status(suite_send(a.bus, "cmd-7", NULL, &ada, &result), ESK_OK,
                 "Ada registers with command id cmd-7.");
    int64_t before = suite_head(a.store);

    /* A sender that counts its ids from 1 again, after a restart. */
    esk_status rc = suite_send(a.bus, "cmd-7", NULL, &cancel_ada, &result);
    check_status(rc, ESK_EDUPLICATE,
                 "cmd-7 was a RegisterAttendee; a CancelRegistration under "
                 "the same id is not a resend, and answering it with the "
                 "registration's ok would tell the sender Ada was cancelled. "
                 "answer_duplicate() compares the recorded type with the "
                 "command's and refuses with ESK_EDUPLICATE.");
    check_contains(esk_errmsg(), "cmd-7",
                   "The message names the command id used twice.");
    check_contains(esk_errmsg(), "RegisterAttendee",
                   "The message names the command that used it first.");
    check_true(!result.duplicate,
               "Not a duplicate: duplicate stays false when the id is "
               "refused.");
    check_int(result.attempts, 0, "The handler did not run.");
    check_int(suite_head(a.store), before, "Nothing was written.");
    check_int(esk_store_transaction_depth(a.store), 0,
              "The transaction is ended after the refusal too.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Ada is still registered.");

    check_status(suite_send(a.bus, "cmd-7", NULL, &ada, &result), ESK_OK,
                 "The registration itself sent again is still a duplicate, "
                 "with its first answer: the refused command recorded "
                 "nothing over it.");
    check_true(result.duplicate, "It is a duplicate.");

    suite_close_app(&a);
}

void a_resend_is_told_apart_by_its_payload_json(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command two = suite_scheduling("w-1", 2);
    workshop_command three = suite_scheduling("w-1", 3);
    const char *two_json = "{\"workshopId\":\"w-1\",\"capacity\":2}";
    const char *three_json = "{\"workshopId\":\"w-1\",\"capacity\":3}";
    workshop_command bob = suite_registration("w-1", "bob", "Bob");

    check_status(suite_send_json(a.bus, "cmd-1", NULL, &two, two_json, &result),
                 ESK_OK, "The workshop is scheduled with 2 seats.");
    int64_t before = suite_head(a.store);

    /* The same id, the same type, but 3 seats this time. */
    check_status(
        suite_send_json(a.bus, "cmd-1", NULL, &three, three_json, &result),
        ESK_EDUPLICATE,
        "Same id and type, another payload_json: another command. The "
        "outcome keeps the payload_json it answered (first->payload_json); "
        "answer_duplicate() compares it with the command's, byte for byte "
        "(strcmp), and refuses with ESK_EDUPLICATE.");
    check_contains(esk_errmsg(), "cmd-1",
                   "The message names the command id used twice.");
    check_true(!result.duplicate, "Not a duplicate.");

    check_status(
        suite_send_json(a.bus, "cmd-1", NULL, &two, NULL, &result),
        ESK_EDUPLICATE,
        "The first had a payload_json, this one has none (NULL): they "
        "cannot be shown to be the same command. Only NULL matches NULL; "
        "check for NULL before strcmp().");

    check_status(
        suite_send_json(a.bus, "cmd-1", NULL, &two, two_json, &result), ESK_OK,
        "The same payload_json byte for byte: a resend, with the first "
        "answer.");
    check_true(result.duplicate, "It is a duplicate.");
    check_int(suite_head(a.store), before, "Nothing more was written.");

    /* The other way round: recorded without payload_json, sent with. */
    check_status(suite_send(a.bus, "cmd-bob", NULL, &bob, &result), ESK_OK,
                 "Bob registers, without payload_json.");
    check_status(suite_send_json(a.bus, "cmd-bob", NULL, &bob,
                                 "{\"attendeeId\":\"bob\"}", &result),
                 ESK_EDUPLICATE,
                 "Recorded without payload_json, sent with one: another "
                 "command, as far as anyone can tell.");
    check_status(suite_send(a.bus, "cmd-bob", NULL, &bob, &result), ESK_OK,
                 "Without payload_json both times: the same command.");
    check_true(result.duplicate, "It is a duplicate.");

    suite_close_app(&a);
}

/* --- An answer that cannot be recorded ----------------------------------- */

/* Run SQL on the store's own SQLite connection. */
static void on_the_file(esk_store *store, const char *sql)
{
    char *error = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &error) !=
        SQLITE_OK)
        print_error("%s: %s\n", sql, error != NULL ? error : "?");
    sqlite3_free(error);
}

void an_answer_that_cannot_be_recorded_keeps_nothing(void **state)
{
    app a;
    suite_open_app(&a, state);
    esk_command_result result;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given(a.store, suite_scheduling("w-1", 2));
    /* The disk fills up just as Ada's answer is recorded: SQLite refuses
     * the record (a trigger plays the full disk). */
    on_the_file(a.store, "CREATE TEMP TRIGGER full_disk BEFORE INSERT ON "
                         "commands BEGIN SELECT RAISE(ABORT, 'database or "
                         "disk is full'); END");
    esk_status rc = suite_send(a.bus, "cmd-ada", NULL, &ada, &result);
    on_the_file(a.store, "DROP TRIGGER full_disk");

    check_true(rc != ESK_OK,
               "The answer could not be recorded, so the command did not "
               "happen: record_outcome() returns esk_store_put_record()'s "
               "failure, not ok.");
    check_int(esk_store_transaction_depth(a.store), 0,
              "The failure ended the transaction: roll it back.");
    check_true(!suite_has_outcome(a.store, "cmd-ada"),
               "No answer is recorded for cmd-ada.");
    expect_story(a.store, "WorkshopScheduled",
                 "Ada's registration went with its answer: committed without "
                 "its record, the client (told it failed) sends it again and "
                 "Ada is registered twice. When esk_store_put_record() "
                 "fails, roll back instead of committing.");

    rc = suite_send(a.bus, "cmd-ada", NULL, &ada, &result);
    check_status(rc, ESK_OK,
                 "Sent again once the disk has room, the command is handled.");
    check_true(!result.duplicate,
               "Not a duplicate: the failed attempt recorded nothing.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Ada is registered once.");

    suite_close_app(&a);
}
