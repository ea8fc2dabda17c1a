/*
 * test_concurrency.c - the last seat, two people, one store.
 *
 * The race is staged: your handler calls race_window() between deciding
 * and appending, and a test's rival appends to the stream right there, as
 * another server would. Each race prints a line, so that the output tells
 * the story of who got there first.
 */
#include <stdio.h>
#include <string.h>

#include <esk/decider.h>
#include <esk/store.h>

#include "exercise.h"
#include "handler.h"
#include "race.h"
#include "test_concurrency.h"
#include "workshop.h"

/* --- Stores and workshops ------------------------------------------------- */

esk_store *suite_open_memory_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store should always open.");
    exercise_watch_store(store);
    return store;
}

esk_store *suite_open_sqlite_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    return store;
}

workshop_command suite_registration(const char *workshop_id,
                                    const char *attendee_id, const char *name)
{
    workshop_command c = {.kind = REGISTER_ATTENDEE};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee_id);
    snprintf(c.name, sizeof(c.name), "%s", name);
    return c;
}

/* Handle a command with esk's own handler, not yours: what happened
 * before the test, or what another server does. Returns the stream's
 * version after it. */
static int64_t handled_elsewhere(esk_store *store,
                                 const workshop_command *command)
{
    esk_handle_result result = {0};
    esk_status rc =
        esk_decider_handle(&workshop_decider, store, command->workshop_id,
                           command, NULL, NULL, &result);
    if (rc != ESK_OK)
        print_error("esk_decider_handle said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The test's own commands should succeed.");
    return result.version;
}

void suite_given_a_workshop(esk_store *store, const char *workshop_id,
                            int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP, .capacity = capacity};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.title, sizeof(c.title), "%s", "Event Sourcing 101");
    snprintf(c.starts_on, sizeof(c.starts_on), "%s", "2026-12-01");
    handled_elsewhere(store, &c);
}

void suite_given_registered(esk_store *store, const char *workshop_id,
                            const char *attendee_id)
{
    workshop_command c =
        suite_registration(workshop_id, attendee_id, attendee_id);
    handled_elsewhere(store, &c);
}

/* Read a workshop's stream and fold it, as a handler would. The caller
 * frees the list. */
workshop_state suite_load(esk_store *store, const char *stream_id,
                          esk_event_list *stream)
{
    workshop_state state;
    check_status(esk_store_read_stream(store, stream_id, 1, 0, stream), ESK_OK,
                 "Reading the stream back should work.");
    check_status(esk_decider_fold(&workshop_decider, &state, stream->events,
                                  stream->count),
                 ESK_OK, "The stream should fold into a workshop.");
    return state;
}

/* The last event of a stream, after suite_load(). */
const esk_event *suite_last_event(const esk_event_list *stream)
{
    check_true(stream->count > 0, "The stream should not be empty.");
    return &stream->events[stream->count - 1];
}

/* --- The rival ------------------------------------------------------------ */

void suite_rival_registers(void *ctx, esk_store *store,
                           const workshop_command *command, int attempt)
{
    rival *r = ctx;
    r->windows++;
    if (attempt > r->attendee_count) {
        print_message("    race window, attempt %d: nobody else is there\n",
                      attempt);
        return;
    }
    const char *who = r->attendees[attempt - 1];
    workshop_command theirs =
        suite_registration(command->workshop_id, who, who);
    int64_t version = handled_elsewhere(store, &theirs);
    print_message("    race window, attempt %d: %s's handler has decided; "
                  "before it appends, %s registers: workshop-%s is now at "
                  "v%lld\n",
                  attempt, command->attendee_id, who, command->workshop_id,
                  (long long)version);
}

/* Every test starts without a rival, even after one that failed midway. */
static int no_rival(void **state)
{
    (void)state;
    race_window_set_rival(NULL, NULL);
    return 0;
}

/* --- command_already_handled ---------------------------------------------- */

/* A stream whose events have these ids. */
static void append_with_ids(esk_store *store, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        esk_new_event e = {.event_id = ids[i],
                           .type = "RegistrationClosed",
                           .schema_version = 1,
                           .data = "{\"workshopId\":\"w-1\",\"reason\":\"x\"}"};
        check_status(
            esk_store_append(store, "workshop-w-1", ESK_ANY, &e, 1, NULL),
            ESK_OK, "The test's events should append.");
    }
}

static void a_command_is_known_by_the_ids_of_its_events(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    const char *const ids[] = {"cmd-1/0", "cmd-2/0", "cmd-2/1"};

    append_with_ids(store, ids, 3);
    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading the stream should work.");
    check_true(command_already_handled(&stream, "cmd-2"),
               "The stream holds \"cmd-2/0\": command cmd-2 was handled. Look "
               "at each event's event_id.");
    check_true(command_already_handled(&stream, "cmd-1"),
               "\"cmd-1/0\" is the first event: look at every event.");
    check_true(!command_already_handled(&stream, "cmd-3"),
               "No event of cmd-3 in the stream: it was never handled.");

    esk_event_list_release(&stream);
    esk_store_free(store);
}

static void a_command_id_is_not_mistaken_for_a_longer_one(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    const char *const ids[] = {"cmd-10/0"};

    append_with_ids(store, ids, 1);
    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading the stream should work.");
    check_true(command_already_handled(&stream, "cmd-10"),
               "The stream holds \"cmd-10/0\": command cmd-10 was handled.");
    check_true(!command_already_handled(&stream, "cmd-1"),
               "\"cmd-10/0\" starts with \"cmd-1\", but it is another "
               "command's event: after the command id must come a '/'.");

    esk_event_list_release(&stream);
    esk_store_free(store);
}

/* --- append_decision ------------------------------------------------------ */

/* The decision to register someone on a workshop with free seats. */
static void decide_registration(esk_decision *decision, const char *who)
{
    workshop_state open = {.status = WORKSHOP_OPEN, .capacity = 2};
    workshop_command c = suite_registration("w-1", who, who);
    check_status(workshop_decider.decide(&open, &c, decision), ESK_OK,
                 "An open workshop with free seats takes a registration.");
}

static void
a_decision_is_appended_with_ids_made_from_the_command_id(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;

    suite_given_a_workshop(store, "w-1", 2);
    decide_registration(&decision, "ada");
    esk_status rc =
        append_decision(store, "workshop-w-1", 1, &decision, "cmd-7");
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the store said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Make one esk_new_event per event of the decision "
                 "(esk_decision_count(), esk_decision_event()), then "
                 "esk_store_append() them, expecting version 1.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 2, "One event appended after the schedule.");
    check_string(stream.events[1].type, "AttendeeRegistered",
                 "The type name comes from the event type: type->name.");
    check_string(stream.events[1].event_id, "cmd-7/0",
                 "Event i of command cmd-7 has the id \"cmd-7/<i>\": "
                 "snprintf(id, sizeof(id), \"%s/%zu\", command_id, i).");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

static void a_decision_made_on_a_stale_version_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;

    suite_given_a_workshop(store, "w-1", 2);
    suite_given_registered(store, "w-1", "cleo");
    decide_registration(&decision, "bob");
    /* Bob's decision was made on version 1; the stream is at 2. */
    esk_status rc =
        append_decision(store, "workshop-w-1", 1, &decision, "cmd-8");
    check_status(rc, ESK_ECONCURRENCY,
                 "Pass expected_version to esk_store_append() as it is: the "
                 "store then refuses a decision made on an old version.");
    check_contains(esk_errmsg(), "workshop-w-1",
                   "The store's message names the stream and both versions.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 2, "A refused append writes nothing.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

static void a_decision_without_events_appends_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision nothing = ESK_DECISION_INIT;

    suite_given_a_workshop(store, "w-1", 2);
    esk_status rc =
        append_decision(store, "workshop-w-1", 1, &nothing, "cmd-9");
    check_status(rc, ESK_OK,
                 "A decision may accept a command and change nothing (closing "
                 "a closed workshop). The store refuses an empty batch: when "
                 "esk_decision_count() is 0, return ESK_OK without "
                 "appending.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 1, "Nothing to append: nothing appended.");

    esk_event_list_release(&stream);
    esk_store_free(store);
}

static void a_decision_of_two_events_is_appended_as_one_batch(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;
    const attendee_registered ada = {
        .workshop_id = "w-1", .attendee_id = "ada", .name = "Ada"};
    const registration_closed full = {.workshop_id = "w-1", .reason = "full"};

    suite_given_a_workshop(store, "w-1", 1);
    /* The workshop's own commands make one event each; a command may make
     * more, and they belong together. */
    check_status(esk_decision_emit(&decision, &attendee_registered_type, &ada),
                 ESK_OK, "The test's decision should take its first event.");
    check_status(esk_decision_emit(&decision, &registration_closed_type, &full),
                 ESK_OK, "The test's decision should take its second event.");
    esk_status rc =
        append_decision(store, "workshop-w-1", 1, &decision, "cmd-5");
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the store said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Both events go in one esk_store_append(), expecting version "
                 "1: one append per event would expect version 1 for the "
                 "second too, and find the stream at 2.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 3, "The schedule, then both events of cmd-5.");
    check_string(stream.events[1].event_id, "cmd-5/0",
                 "The first event of cmd-5 is \"cmd-5/0\".");
    check_string(stream.events[2].event_id, "cmd-5/1",
                 "The second is \"cmd-5/1\": i counts the events of the "
                 "decision, each id is unique.");
    check_string(stream.events[2].type, "RegistrationClosed",
                 "Each event keeps its own type, in the decision's order.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

static void
a_decision_of_more_events_than_a_command_may_make_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;
    const registration_closed closed = {.workshop_id = "w-1",
                                        .reason = "again"};

    suite_given_a_workshop(store, "w-1", 2);
    for (int i = 0; i <= MAX_EVENTS_PER_COMMAND; i++)
        check_status(
            esk_decision_emit(&decision, &registration_closed_type, &closed),
            ESK_OK, "The test's decision should take its events.");
    check_status(
        append_decision(store, "workshop-w-1", 1, &decision, "cmd-6"),
        ESK_EINVAL,
        "MAX_EVENTS_PER_COMMAND + 1 events do not fit in arrays of "
        "MAX_EVENTS_PER_COMMAND: check esk_decision_count() against it "
        "before filling them, and refuse with ESK_EINVAL rather than write "
        "past their end.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 1, "A refused decision writes nothing.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

/* A command id of this many bytes, "cmd-xxx...". */
static void command_id_of(char *id, size_t length)
{
    memset(id, 'x', length);
    memcpy(id, "cmd-", 4);
    id[length] = '\0';
}

static void a_command_id_too_long_for_its_event_ids_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    esk_decision decision = ESK_DECISION_INIT;
    char longest[ESK_EVENT_ID_MAX + 1];
    char too_long[ESK_EVENT_ID_MAX + 1];

    /* "<id>/0" is two bytes longer than the id. */
    command_id_of(longest, ESK_EVENT_ID_MAX - 2);
    command_id_of(too_long, ESK_EVENT_ID_MAX - 1);
    suite_given_a_workshop(store, "w-1", 2);
    decide_registration(&decision, "ada");
    check_status(
        append_decision(store, "workshop-w-1", 1, &decision, too_long),
        ESK_EINVAL,
        "With this command id, \"<id>/0\" is ESK_EVENT_ID_MAX + 1 bytes: "
        "too long to be an event id. Cut to fit, it would become the id of "
        "another command's event, and a retry of one would pass for the "
        "other. Make the id buffers one byte longer than an id may be, so "
        "that the store sees the id too long and refuses it.");
    check_status(append_decision(store, "workshop-w-1", 1, &decision, longest),
                 ESK_OK,
                 "With a command id one byte shorter, \"<id>/0\" is exactly "
                 "ESK_EVENT_ID_MAX bytes: it fits.");
    suite_load(store, "workshop-w-1", &stream);
    check_int(stream.count, 2, "Only the command whose ids fit is written.");
    check_int(strlen(stream.events[1].event_id), ESK_EVENT_ID_MAX,
              "Its event id is whole: ESK_EVENT_ID_MAX bytes.");

    esk_event_list_release(&stream);
    esk_decision_release(&decision);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(a_command_is_known_by_the_ids_of_its_events,
                               no_rival),
        cmocka_unit_test_setup(a_command_id_is_not_mistaken_for_a_longer_one,
                               no_rival),
        cmocka_unit_test_setup(
            a_decision_is_appended_with_ids_made_from_the_command_id, no_rival),
        cmocka_unit_test_setup(a_decision_made_on_a_stale_version_is_refused,
                               no_rival),
        cmocka_unit_test_setup(a_decision_without_events_appends_nothing,
                               no_rival),
        cmocka_unit_test_setup(
            a_decision_of_two_events_is_appended_as_one_batch, no_rival),
        cmocka_unit_test_setup(
            a_command_id_too_long_for_its_event_ids_is_refused, no_rival),
        cmocka_unit_test_setup(
            a_decision_of_more_events_than_a_command_may_make_is_refused,
            no_rival),
        cmocka_unit_test_setup(a_free_seat_is_taken_at_the_first_attempt,
                               no_rival),
        cmocka_unit_test_setup(
            a_command_for_a_workshop_never_scheduled_is_refused, no_rival),
        cmocka_unit_test_setup(
            without_retry_the_loser_of_the_race_gets_a_version_conflict,
            no_rival),
        cmocka_unit_test_setup(with_retry_the_loser_decides_again_and_waits,
                               no_rival),
        cmocka_unit_test_setup(the_handler_gives_up_after_max_attempts,
                               no_rival),
        cmocka_unit_test_setup(a_workshop_that_cannot_be_read_is_not_decided_on,
                               no_rival),
        cmocka_unit_test_setup(the_same_command_sent_twice_is_handled_once,
                               no_rival),
        cmocka_unit_test_setup(another_command_for_the_same_attendee_is_refused,
                               no_rival),
        cmocka_unit_test_setup(
            a_command_delivered_twice_at_once_is_handled_once, no_rival),
        cmocka_unit_test_setup(
            on_sqlite_the_race_for_the_last_seat_ends_the_same_way, no_rival),
    };
    return cmocka_run_group_tests_name("07-concurrency", tests, NULL, NULL);
}
