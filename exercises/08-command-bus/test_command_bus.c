/*
 * test_command_bus.c - commands in through the front door.
 *
 * The first tests build a bare bus around your handler (and then your
 * validation), so that each function can be tried as soon as it is
 * written; from "the bus has a handler for every workshop command" on,
 * they use the bus of workshop_bus_new(), with its middleware, and read
 * its log.
 *
 * Every test runs twice, on the memory store and on SQLite: the bus and
 * its middleware must not care which.
 */
#include <stdio.h>
#include <string.h>

#include <esk/command_bus.h>
#include <esk/decider.h>
#include <esk/store.h>

#include "bus.h"
#include "exercise.h"
#include "race.h"
#include "test_command_bus.h"
#include "workshop.h"

/* --- Stores: each test gets one of each kind, in turn --------------------- */

typedef enum backend { MEMORY, SQLITE } backend;
static backend memory_backend = MEMORY;
static backend sqlite_backend = SQLITE;

esk_store *suite_open_store(void **state)
{
    const backend *kind = *state;
    esk_store *store = NULL;
    if (*kind == MEMORY)
        check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                     "An in-memory store should always open.");
    else
        check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                     "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    return store;
}

/* --- Commands ------------------------------------------------------------- */

workshop_command suite_scheduling(const char *workshop_id, int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP, .capacity = capacity};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.title, sizeof(c.title), "%s", "Event Sourcing 101");
    snprintf(c.starts_on, sizeof(c.starts_on), "%s", "2026-12-01");
    return c;
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

workshop_command suite_cancellation(const char *workshop_id,
                                    const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee_id);
    return c;
}

workshop_command suite_promotion(const char *workshop_id)
{
    workshop_command c = {.kind = PROMOTE_FROM_WAITLIST};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    return c;
}

workshop_command suite_closing(const char *workshop_id)
{
    workshop_command c = {.kind = CLOSE_REGISTRATION};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.reason, sizeof(c.reason), "%s", "trainer");
    return c;
}

/* What happened before the test, handled by esk itself (not through your
 * bus, so that it writes no log line and no command record). */
void suite_given(esk_store *store, workshop_command c)
{
    esk_status rc = esk_decider_handle(&workshop_decider, store, c.workshop_id,
                                       &c, NULL, NULL, NULL);
    if (rc != ESK_OK)
        print_error("esk_decider_handle said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The test's own commands should succeed.");
}

/* --- What the store holds ------------------------------------------------- */

/* The types of a stream's events, as "WorkshopScheduled,
 * AttendeeRegistered". */
void suite_read_story(esk_store *store, const char *stream_id, char *buf,
                      size_t size)
{
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    size_t used = 0;
    buf[0] = '\0';
    check_status(esk_store_read_stream(store, stream_id, 1, 0, &stream), ESK_OK,
                 "Reading the stream back should work.");
    for (size_t i = 0; i < stream.count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
                         stream.events[i].type);
        used += n > 0 ? (size_t)n : 0;
    }
    esk_event_list_release(&stream);
}

int64_t suite_head(esk_store *store)
{
    int64_t position = -1;
    check_status(esk_store_head_position(store, &position), ESK_OK,
                 "The store should say where its last event is.");
    return position;
}

/* One key of the metadata of event `version` of workshop-w-1. */
static void read_metadata(esk_store *store, int64_t version, const char *key,
                          char *buf, size_t size)
{
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    buf[0] = '\0';
    check_status(
        esk_store_read_stream(store, "workshop-w-1", version, 1, &stream),
        ESK_OK, "Reading the stream back should work.");
    check_int(stream.count, 1, "The command should have written this event.");
    if (esk_metadata_get(stream.events[0].metadata, key, buf, size) != ESK_OK)
        snprintf(buf, size, "(no %s in %s)", key, stream.events[0].metadata);
    esk_event_list_release(&stream);
}

/* --- A bare bus: your handler, with or without your validation ------------ */

esk_bus *suite_bare_bus(esk_store *store, bool with_validation)
{
    const esk_middleware validation = {"validation", validate_workshop_command,
                                       NULL, NULL};
    esk_bus *bus = NULL;
    check_status(esk_bus_new(&bus, store), ESK_OK, "A bus should be made.");
    if (with_validation)
        check_status(esk_bus_use(bus, &validation), ESK_OK,
                     "The validation middleware should be added.");
    for (size_t i = 0; i < WORKSHOP_COMMAND_TYPE_COUNT; i++)
        check_status(esk_bus_register(bus, workshop_command_types[i],
                                      handle_workshop_command, NULL),
                     ESK_OK, "Your handler should be registered.");
    return bus;
}

/* --- The application's bus, and its log ----------------------------------- */

static void capture(void *ctx, const char *line)
{
    log_capture *log = ctx;
    exercise_say("log: %s", line);
    if (log->count < LOG_LINES)
        snprintf(log->lines[log->count], sizeof(log->lines[0]), "%s", line);
    log->count++;
}

/* The last line logged, or "" when there is none. */
const char *suite_last_line(const log_capture *log)
{
    if (log->count == 0)
        return "";
    size_t last = log->count < LOG_LINES ? log->count - 1 : LOG_LINES - 1;
    return log->lines[last];
}

void suite_open_app(app *a, void **state)
{
    memset(a, 0, sizeof(*a));
    a->store = suite_open_store(state);
    a->sink = (esk_log_sink){capture, &a->log};
    check_status(workshop_bus_new(&a->bus, a->store, &a->sink), ESK_OK,
                 "workshop_bus_new(): esk_bus_new(), then esk_bus_use() for "
                 "each middleware and esk_bus_register() for each command "
                 "type; *out = the bus.");
    check_true(a->bus != NULL, "On success, *out receives the bus.");
}

void suite_close_app(app *a)
{
    esk_bus_free(a->bus);
    esk_store_free(a->store);
}

/* --- The rival: another server, registering at the worst moment ----------- */

void suite_rival_registers(void *ctx, const workshop_command *command)
{
    rival *r = ctx;
    int window = ++r->windows;
    if (window > r->attendee_count) {
        print_message("    race window %d: nobody else is there\n", window);
        return;
    }
    const char *who = r->attendees[window - 1];
    workshop_command theirs =
        suite_registration(command->workshop_id, who, who);
    esk_handle_result result = {0};
    esk_status rc =
        esk_decider_handle(&workshop_decider, r->store, command->workshop_id,
                           &theirs, NULL, NULL, &result);
    check_status(rc, ESK_OK, "The rival's registration should succeed.");
    print_message("    race window %d: %s's handler has decided; before it "
                  "appends, %s registers: workshop-%s is now at v%lld\n",
                  window, command->attendee_id, who, command->workshop_id,
                  (long long)result.version);
}

/* Every test starts without a rival, even after one that failed midway. */
static int no_rival(void **state)
{
    (void)state;
    race_window_set_rival(NULL, NULL);
    return 0;
}

/* --- The handler ---------------------------------------------------------- */

static void
the_handler_runs_the_workshop_decider_and_writes_events(void **state)
{
    esk_store *store = suite_open_store(state);
    esk_bus *bus = suite_bare_bus(store, false);
    esk_command_result result;
    workshop_command schedule = suite_scheduling("w-1", 2);
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    check_status(suite_send(bus, "cmd-1", NULL, &schedule, &result), ESK_OK,
                 "command->payload is the workshop_command: "
                 "esk_context_handle(context, &workshop_decider, "
                 "c->workshop_id, c) loads, decides and appends.");
    check_int(result.event_count, 1,
              "esk_context_handle() fills the result: one event written.");
    expect_story(store, "WorkshopScheduled",
                 "The decider's stream is \"workshop-\" + the id you give "
                 "esk_context_handle(): give it c->workshop_id, \"w-1\".");

    check_status(suite_send(bus, "cmd-2", NULL, &ada, &result), ESK_OK,
                 "Ada registers for a scheduled workshop with free seats.");
    check_int(result.version, 2,
              "The workshop's stream is at version 2 after Ada's "
              "registration.");
    expect_story(store, "WorkshopScheduled, AttendeeRegistered",
                 "One handler serves every kind: the decider reads c->kind.");

    esk_bus_free(bus);
    esk_store_free(store);
}

static void the_events_name_the_command_that_caused_them(void **state)
{
    esk_store *store = suite_open_store(state);
    esk_bus *bus = suite_bare_bus(store, false);
    esk_command_result result;
    char value[128];
    workshop_command schedule = suite_scheduling("w-1", 2);
    workshop_command ada = suite_registration("w-1", "ada", "Ada Lovelace");

    /* A command sent on behalf of a web request, which started the
     * correlation... */
    check_status(suite_send(bus, "cmd-7", "web-42", &schedule, &result), ESK_OK,
                 "Scheduling a new workshop should succeed.");
    read_metadata(store, 1, "correlationId", value, sizeof(value));
    check_string(value, "web-42",
                 "Events carry the correlation id of the command that wrote "
                 "them, so that everything one request caused can be found. "
                 "esk_context_handle() writes it for you: use it rather than "
                 "esk_decider_handle().");
    read_metadata(store, 1, "causationId", value, sizeof(value));
    check_string(value, "cmd-7",
                 "An event's causation id is the id of the command that "
                 "wrote it.");

    /* ...and one that starts its own. */
    check_status(suite_send(bus, "cmd-8", NULL, &ada, &result), ESK_OK,
                 "Ada's registration should succeed.");
    read_metadata(store, 2, "correlationId", value, sizeof(value));
    check_string(value, "cmd-8",
                 "A command without a correlation id starts one: its own "
                 "id.");

    esk_bus_free(bus);
    esk_store_free(store);
}

/* Each test, once on each store. */
#define ON_BOTH_STORES(test)                                                   \
    {#test "_on_memory", test, no_rival, NULL, &memory_backend},               \
    {                                                                          \
#test "_on_sqlite", test, no_rival, NULL, &sqlite_backend              \
    }

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        ON_BOTH_STORES(the_handler_runs_the_workshop_decider_and_writes_events),
        ON_BOTH_STORES(the_events_name_the_command_that_caused_them),
        ON_BOTH_STORES(
            a_registration_without_a_name_is_refused_before_its_handler),
        ON_BOTH_STORES(a_workshop_needs_seats_but_how_many_is_the_domains_call),
        ON_BOTH_STORES(a_command_without_payload_or_workshop_is_refused),
        ON_BOTH_STORES(the_bus_has_a_handler_for_every_workshop_command),
        ON_BOTH_STORES(an_unknown_command_is_answered_with_the_known_ones),
        ON_BOTH_STORES(every_command_is_logged_with_its_correlation_id),
        ON_BOTH_STORES(a_command_sent_twice_is_handled_once),
        ON_BOTH_STORES(a_refusal_is_remembered_as_the_first_answer),
        ON_BOTH_STORES(a_conflict_between_load_and_append_is_retried),
        ON_BOTH_STORES(a_conflict_that_does_not_end_is_reported_not_remembered),
    };
    return cmocka_run_group_tests_name("08-command-bus", tests, NULL, NULL);
}
