/*
 * test_concurrency_idempotency.c - idempotency: a command sent or delivered
 * twice is handled once.
 */
#include "test_concurrency.h"

/* --- Idempotency ---------------------------------------------------------- */

void the_same_command_sent_twice_is_handled_once(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given_a_workshop(store, "w-1", 2);
    exercise_say("command: RegisterAttendee ada (cmd-ada)");
    esk_status rc = handle_with_retry(store, &ada, "cmd-ada", 3);
    expect_handled(rc, ESK_OK, "The first delivery registers Ada.");
    exercise_say("command: RegisterAttendee ada (cmd-ada) again");
    rc = handle_with_retry(store, &ada, "cmd-ada", 3);
    expect_handled(rc, ESK_OK,
                   "The sender did not hear back and sent cmd-ada again. Its "
                   "event \"cmd-ada/0\" is in the stream: "
                   "command_already_handled() says so, and the answer is the "
                   "same as the first time, ESK_OK, with nothing written.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 2, "Ada is registered once.");

    esk_event_list_release(&stream);
    esk_store_free(store);
}

void another_command_for_the_same_attendee_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given_a_workshop(store, "w-1", 2);
    esk_status rc = handle_with_retry(store, &ada, "cmd-ada", 3);
    expect_handled(rc, ESK_OK, "The first command registers Ada.");
    rc = handle_with_retry(store, &ada, "cmd-ada-again", 3);
    expect_handled(rc, ESK_EDOMAIN,
                   "A new command (a new id) is decided like any other, and "
                   "decide() refuses a second registration of Ada: "
                   "idempotency is about one command, not about one "
                   "attendee.");
    check_int(esk_error_last()->code, ALREADY_REGISTERED,
              "The domain's reason.");

    esk_store_free(store);
}

/* The rival that delivers the same command again, to another server. */
static void same_command_elsewhere(void *ctx, esk_store *store,
                                   const workshop_command *command, int attempt)
{
    const char *command_id = ctx;
    race_window_set_rival(NULL, NULL);
    print_message("    race window, attempt %d: %s is delivered twice, and "
                  "the other delivery is handled first\n",
                  attempt, command_id);
    check_status(handle_with_retry(store, command, command_id, 1), ESK_OK,
                 "The other delivery runs your handle_with_retry() too, on a "
                 "free seat: it succeeds when "
                 "a_free_seat_is_taken_at_the_first_attempt passes.");
}

void a_command_delivered_twice_at_once_is_handled_once(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");
    char command_id[] = "cmd-ada";

    suite_given_a_workshop(store, "w-1", 2);
    race_window_set_rival(same_command_elsewhere, command_id);
    esk_status rc = handle_with_retry(store, &ada, command_id, 3);
    if (rc == ESK_EDOMAIN)
        print_error("esk_errmsg(): %s\n", esk_errmsg());
    expect_handled(rc, ESK_OK,
                   "The other delivery appended \"cmd-ada/0\" first. The "
                   "retry loads it: check command_already_handled() after "
                   "loading and before deciding, and answer ESK_OK.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 2, "Ada is registered once.");

    esk_event_list_release(&stream);
    esk_store_free(store);
}
