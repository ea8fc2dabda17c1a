/*
 * test_decider_on_a_store.c - the decider on a store: load, decide, append, as
 * an application does.
 */
#include "test_decider.h"

/* --- On a store: load, decide, append ------------------------------------- */

static const char *command_name(workshop_command_kind kind)
{
    switch (kind) {
    case SCHEDULE_WORKSHOP:
        return "ScheduleWorkshop";
    case REGISTER_ATTENDEE:
        return "RegisterAttendee";
    case CANCEL_REGISTRATION:
        return "CancelRegistration";
    case PROMOTE_FROM_WAITLIST:
        return "PromoteFromWaitlist";
    case CLOSE_REGISTRATION:
        return "CloseRegistration";
    }
    return "?";
}

/* What an application does with a command: one call, which loads stream
 * workshop-w-1, decides, and appends expecting the version it loaded.
 * The handler's message is shown when the outcome is not the expected
 * one. */
static esk_status handle(esk_store *store, const workshop_command *command,
                         esk_status expected, esk_decision *decision,
                         esk_handle_result *result)
{
    exercise_say("command  %s%s%s", command_name(command->kind),
                 command->attendee_id[0] != '\0' ? " " : "",
                 command->attendee_id);
    esk_status rc = esk_decider_handle(&workshop_decider, store, "w-1", command,
                                       NULL, decision, result);
    if (rc != expected)
        print_message("    esk_decider_handle said: %s\n", esk_errmsg());
    else if (rc == ESK_EDOMAIN)
        exercise_say("refused  %s", esk_errmsg());
    return rc;
}

void on_a_store_each_command_appends_what_decide_said(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_decision decision = ESK_DECISION_INIT;
    esk_handle_result result = {0, 0, 0, 0, 0, false};
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_status rc = esk_store_open_memory(&store, NULL);
    check_status(rc, ESK_OK, "An in-memory store opens without a file.");
    exercise_watch_store(store);

    rc = handle(store,
                &(workshop_command){.kind = SCHEDULE_WORKSHOP,
                                    .workshop_id = "w-1",
                                    .title = "Event Sourcing 101",
                                    .starts_on = "2026-12-01",
                                    .capacity = 1},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK,
                 "The handler loads an empty stream, asks decide() and "
                 "appends its WorkshopScheduled.");
    check_int(result.version, 1, "One event appended: the stream is at 1.");

    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada",
                                    .name = "Ada Lovelace"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "ada takes the only seat.");
    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada",
                                    .name = "Ada Lovelace"},
                ESK_EDOMAIN, &decision, &result);
    check_status(rc, ESK_EDOMAIN,
                 "Registering ada twice is refused: the handler returns "
                 "ESK_EDOMAIN and appends nothing.");
    check_error_code(esk_error_last()->code, ALREADY_REGISTERED,
                     workshop_decider.error_name,
                     "The refusal leaves the domain's code of "
                     "esk_decision_reject in the last error.");
    check_int(result.version, 2, "A refused command appends nothing.");

    rc = handle(store,
                &(workshop_command){.kind = REGISTER_ATTENDEE,
                                    .workshop_id = "w-1",
                                    .attendee_id = "bob",
                                    .name = "Bob"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob goes on the waitlist.");
    rc = handle(store,
                &(workshop_command){.kind = CLOSE_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .reason = "trainer"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "The trainer closes registration.");
    check_true(
        !result.terminal,
        "result.terminal is what workshop_is_terminal() says of the state "
        "after the command: closed, with ada and bob on it, is not over.");
    rc = handle(store,
                &(workshop_command){.kind = CANCEL_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .attendee_id = "ada"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "ada may cancel after closing.");
    rc = handle(store,
                &(workshop_command){.kind = PROMOTE_FROM_WAITLIST,
                                    .workshop_id = "w-1"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob gets ada's seat.");
    rc = handle(store,
                &(workshop_command){.kind = CANCEL_REGISTRATION,
                                    .workshop_id = "w-1",
                                    .attendee_id = "bob"},
                ESK_OK, &decision, &result);
    check_status(rc, ESK_OK, "bob cancels too.");
    check_true(result.terminal,
               "Closed and empty: esk_decider_handle asks is_terminal on the "
               "state after the command and says the story is over.");

    rc = esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream);
    check_status(rc, ESK_OK, "The stream reads back.");
    const char *expected[] = {
        "WorkshopScheduled",     "AttendeeRegistered",
        "AttendeeWaitlisted",    "RegistrationClosed",
        "RegistrationCancelled", "WaitlistedAttendeePromoted",
        "RegistrationCancelled"};
    size_t n = sizeof(expected) / sizeof(expected[0]);
    check_int(stream.count, n,
              "Seven commands were accepted, each with one event; the "
              "refused one left no trace.");
    for (size_t i = 0; i < n; i++)
        check_string(stream.events[i].type, expected[i],
                     "The stream is the story, in the order it happened.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}
