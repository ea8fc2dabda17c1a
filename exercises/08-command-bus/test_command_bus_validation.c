/*
 * test_command_bus_validation.c - validation: a malformed command is refused
 * before its handler runs.
 */
#include "test_command_bus.h"

/* --- Validation ----------------------------------------------------------- */

/*
 * Dispatch a malformed command and expect it refused by the validation:
 * ESK_EINVAL, before the handler ran, with a message that contains
 * `missing` (the name of what is missing). `what` describes the command
 * in the failure's first line.
 */
#define expect_malformed(bus, c, what, missing, hint)                          \
    expect_malformed_at((bus), (c), (what), (missing), (hint), __FILE__,       \
                        __LINE__)

static void expect_malformed_at(esk_bus *bus, const workshop_command *c,
                                const char *what, const char *missing,
                                const char *hint, const char *file, int line)
{
    esk_command_result result;
    char described[160];

    esk_status rc = suite_send(bus, "cmd-malformed", NULL, c, &result);
    snprintf(described, sizeof(described), "dispatching %s", what);
    exercise_expect_status(rc, ESK_EINVAL, described, hint, file, line);
    snprintf(described, sizeof(described),
             "after %s, result.attempts (the handler's runs)", what);
    exercise_expect_int(result.attempts, 0, described,
                        "The validation must refuse it, so that the handler "
                        "never runs: here the handler ran, and the refusal "
                        "came from further in.",
                        file, line);
    snprintf(described, sizeof(described), "the message about %s", what);
    exercise_expect_contains(esk_errmsg(), missing, described,
                             "The message says what is missing, in words "
                             "the sender understands.",
                             file, line);
}

void a_registration_without_a_name_is_refused_before_its_handler(void **state)
{
    esk_store *store = suite_open_store(state);
    esk_bus *bus = suite_bare_bus(store, true);
    esk_command_result result;
    workshop_command nameless = suite_registration("w-1", "ada", "");
    workshop_command nobody = suite_registration("w-1", "", "Ada Lovelace");
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    suite_given(store, suite_scheduling("w-1", 2));
    int64_t before = suite_head(store);

    expect_malformed(bus, &nameless, "a RegisterAttendee whose name is \"\"",
                     "name",
                     "A registration without the attendee's name is not a "
                     "well-formed command: refuse it with "
                     "esk_context_fail(context, ESK_EINVAL, 0, \"...\").");
    check_int(suite_head(store), before, "A refused command writes nothing.");
    expect_malformed(bus, &nobody,
                     "a RegisterAttendee whose attendee_id is \"\"", "attendee",
                     "A registration names who registers: refuse an empty "
                     "attendee_id too.");

    check_status(suite_send(bus, "cmd-ada", NULL, &ada, &result), ESK_OK,
                 "A well-formed registration goes through: return ESK_OK "
                 "when every check passes.");

    esk_bus_free(bus);
    esk_store_free(store);
}

void a_workshop_needs_seats_but_how_many_is_the_domains_call(void **state)
{
    esk_store *store = suite_open_store(state);
    esk_bus *bus = suite_bare_bus(store, true);
    esk_command_result result;
    workshop_command untitled = suite_scheduling("w-1", 10);
    workshop_command seatless = suite_scheduling("w-1", 0);
    workshop_command stadium = suite_scheduling("w-1", 500);
    untitled.title[0] = '\0';

    expect_malformed(bus, &untitled, "a ScheduleWorkshop whose title is \"\"",
                     "title", "A workshop needs a title: refuse it without.");
    expect_malformed(bus, &seatless, "a ScheduleWorkshop with capacity 0",
                     "capacity",
                     "A capacity of 0 is no capacity at all: refuse a "
                     "ScheduleWorkshop whose capacity is below 1.");

    check_status(suite_send(bus, "cmd-stadium", NULL, &stadium, &result),
                 ESK_EDOMAIN,
                 "A ScheduleWorkshop with 500 seats is well formed: let it "
                 "through. Whether a workshop may have that many is a rule "
                 "of the business, and the decider keeps it "
                 "(INVALID_CAPACITY): the validation checks only that the "
                 "capacity is at least 1.");
    check_int(esk_error_last()->code, INVALID_CAPACITY,
              "The decider refuses more than MAX_SEATS seats.");
    check_int(suite_head(store), 0, "Nothing was written.");

    esk_bus_free(bus);
    esk_store_free(store);
}

void a_command_without_payload_or_workshop_is_refused(void **state)
{
    esk_store *store = suite_open_store(state);
    esk_bus *bus = suite_bare_bus(store, true);
    esk_command_result result;
    const esk_command empty = {.type = "CancelRegistration", .id = "cmd-1"};
    workshop_command nowhere = suite_cancellation("", "ada");
    workshop_command nobody = suite_cancellation("w-1", "");
    workshop_command promote = suite_promotion("w-1");
    workshop_command close = suite_closing("w-1");

    expect_malformed(bus, &nowhere,
                     "a CancelRegistration whose workshop_id is \"\"",
                     "workshop",
                     "Every command names its workshop: refuse an empty "
                     "workshop_id, whatever the kind.");
    expect_malformed(bus, &nobody,
                     "a CancelRegistration whose attendee_id is \"\"",
                     "attendee",
                     "A cancellation names who cancels: refuse an empty "
                     "attendee_id.");

    suite_send(bus, "cmd-promote", NULL, &promote, &result);
    check_int(result.attempts, 1,
              "A PromoteFromWaitlist needs only its workshop id: let it "
              "through to the handler (which refuses it here: the workshop "
              "is not scheduled; that is the domain's answer).");
    suite_send(bus, "cmd-close", NULL, &close, &result);
    check_int(result.attempts, 1,
              "A CloseRegistration needs only its workshop id: let it "
              "through to the handler.");

    /* Last, as reading a NULL payload would end the program. */
    check_status(esk_bus_dispatch(bus, &empty, &result), ESK_EINVAL,
                 "A command without payload cannot be handled: check that "
                 "command->payload is not NULL before reading it.");
    check_contains(esk_errmsg(), "payload",
                   "Say what is missing: the payload.");

    esk_bus_free(bus);
    esk_store_free(store);
}
