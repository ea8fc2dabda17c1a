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
#include "workshop.h"

/* --- Stores: each test gets one of each kind, in turn --------------------- */

typedef enum backend { MEMORY, SQLITE } backend;
static backend memory_backend = MEMORY;
static backend sqlite_backend = SQLITE;

static esk_store *open_store(void **state)
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

static workshop_command scheduling(const char *workshop_id, int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP, .capacity = capacity};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.title, sizeof(c.title), "%s", "Event Sourcing 101");
    snprintf(c.starts_on, sizeof(c.starts_on), "%s", "2026-12-01");
    return c;
}

static workshop_command registration(const char *workshop_id,
                                     const char *attendee_id, const char *name)
{
    workshop_command c = {.kind = REGISTER_ATTENDEE};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee_id);
    snprintf(c.name, sizeof(c.name), "%s", name);
    return c;
}

static workshop_command cancellation(const char *workshop_id,
                                     const char *attendee_id)
{
    workshop_command c = {.kind = CANCEL_REGISTRATION};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee_id);
    return c;
}

static workshop_command promotion(const char *workshop_id)
{
    workshop_command c = {.kind = PROMOTE_FROM_WAITLIST};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    return c;
}

static workshop_command closing(const char *workshop_id)
{
    workshop_command c = {.kind = CLOSE_REGISTRATION};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.reason, sizeof(c.reason), "%s", "trainer");
    return c;
}

/* Dispatch c as a command of its kind's type. correlation_id NULL: the
 * command starts a correlation of its own. */
static esk_status send(esk_bus *bus, const char *id, const char *correlation_id,
                       const workshop_command *c, esk_command_result *result)
{
    const esk_command command = {.type = workshop_command_type(c->kind),
                                 .id = id,
                                 .correlation_id = correlation_id,
                                 .payload = c};
    exercise_say("command: %s %s", command.type, id);
    esk_status rc = esk_bus_dispatch(bus, &command, result);
    exercise_say("  -> %s%s%s", esk_status_str(rc),
                 esk_errmsg()[0] != '\0' ? ": " : "", esk_errmsg());
    return rc;
}

/* What happened before the test, handled by esk itself (not through your
 * bus, so that it writes no log line and no command record). */
static void given(esk_store *store, workshop_command c)
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
static void read_story(esk_store *store, const char *stream_id, char *buf,
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

#define expect_story(store, expected, hint)                                    \
    do {                                                                       \
        char story_[512];                                                      \
        read_story((store), "workshop-w-1", story_, sizeof(story_));           \
        exercise_expect_string(story_, (expected), "the story of w-1", (hint), \
                               __FILE__, __LINE__);                            \
    } while (0)

static int64_t head(esk_store *store)
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

static esk_bus *bare_bus(esk_store *store, bool with_validation)
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

#define LOG_LINES 8

typedef struct log_capture {
    char lines[LOG_LINES][512];
    size_t count;
} log_capture;

static void capture(void *ctx, const char *line)
{
    log_capture *log = ctx;
    exercise_say("log: %s", line);
    if (log->count < LOG_LINES)
        snprintf(log->lines[log->count], sizeof(log->lines[0]), "%s", line);
    log->count++;
}

/* The last line logged, or "" when there is none. */
static const char *last_line(const log_capture *log)
{
    if (log->count == 0)
        return "";
    size_t last = log->count < LOG_LINES ? log->count - 1 : LOG_LINES - 1;
    return log->lines[last];
}

typedef struct app {
    esk_store *store;
    esk_bus *bus;
    esk_log_sink sink;
    log_capture log;
} app;

static void open_app(app *a, void **state)
{
    memset(a, 0, sizeof(*a));
    a->store = open_store(state);
    a->sink = (esk_log_sink){capture, &a->log};
    check_status(workshop_bus_new(&a->bus, a->store, &a->sink), ESK_OK,
                 "workshop_bus_new(): esk_bus_new(), then esk_bus_use() for "
                 "each middleware and esk_bus_register() for each command "
                 "type; *out = the bus.");
    check_true(a->bus != NULL, "On success, *out receives the bus.");
}

static void close_app(app *a)
{
    esk_bus_free(a->bus);
    esk_store_free(a->store);
}

/* --- The rival: another server, registering at the worst moment ----------- */

/*
 * In the race window of the first decision, attendees[0] registers on the
 * same workshop; in the second, attendees[1]; and so on while there are
 * names.
 */
typedef struct rival {
    esk_store *store;
    const char *const *attendees;
    int attendee_count;
    int windows; /* how many times the window opened */
} rival;

static void rival_registers(void *ctx, const workshop_command *command)
{
    rival *r = ctx;
    int window = ++r->windows;
    if (window > r->attendee_count) {
        print_message("    race window %d: nobody else is there\n", window);
        return;
    }
    const char *who = r->attendees[window - 1];
    workshop_command theirs = registration(command->workshop_id, who, who);
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
    esk_store *store = open_store(state);
    esk_bus *bus = bare_bus(store, false);
    esk_command_result result;
    workshop_command schedule = scheduling("w-1", 2);
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");

    check_status(send(bus, "cmd-1", NULL, &schedule, &result), ESK_OK,
                 "command->payload is the workshop_command: "
                 "esk_context_handle(context, &workshop_decider, "
                 "c->workshop_id, c) loads, decides and appends.");
    check_int(result.event_count, 1,
              "esk_context_handle() fills the result: one event written.");
    expect_story(store, "WorkshopScheduled",
                 "The decider's stream is \"workshop-\" + the id you give "
                 "esk_context_handle(): give it c->workshop_id, \"w-1\".");

    check_status(send(bus, "cmd-2", NULL, &ada, &result), ESK_OK,
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
    esk_store *store = open_store(state);
    esk_bus *bus = bare_bus(store, false);
    esk_command_result result;
    char value[128];
    workshop_command schedule = scheduling("w-1", 2);
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");

    /* A command sent on behalf of a web request, which started the
     * correlation... */
    check_status(send(bus, "cmd-7", "web-42", &schedule, &result), ESK_OK,
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
    check_status(send(bus, "cmd-8", NULL, &ada, &result), ESK_OK,
                 "Ada's registration should succeed.");
    read_metadata(store, 2, "correlationId", value, sizeof(value));
    check_string(value, "cmd-8",
                 "A command without a correlation id starts one: its own "
                 "id.");

    esk_bus_free(bus);
    esk_store_free(store);
}

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

    esk_status rc = send(bus, "cmd-malformed", NULL, c, &result);
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

static void
a_registration_without_a_name_is_refused_before_its_handler(void **state)
{
    esk_store *store = open_store(state);
    esk_bus *bus = bare_bus(store, true);
    esk_command_result result;
    workshop_command nameless = registration("w-1", "ada", "");
    workshop_command nobody = registration("w-1", "", "Ada Lovelace");
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");

    given(store, scheduling("w-1", 2));
    int64_t before = head(store);

    expect_malformed(bus, &nameless, "a RegisterAttendee whose name is \"\"",
                     "name",
                     "A registration without the attendee's name is not a "
                     "well-formed command: refuse it with "
                     "esk_context_fail(context, ESK_EINVAL, 0, \"...\").");
    check_int(head(store), before, "A refused command writes nothing.");
    expect_malformed(bus, &nobody,
                     "a RegisterAttendee whose attendee_id is \"\"", "attendee",
                     "A registration names who registers: refuse an empty "
                     "attendee_id too.");

    check_status(send(bus, "cmd-ada", NULL, &ada, &result), ESK_OK,
                 "A well-formed registration goes through: return ESK_OK "
                 "when every check passes.");

    esk_bus_free(bus);
    esk_store_free(store);
}

static void
a_workshop_needs_seats_but_how_many_is_the_domains_call(void **state)
{
    esk_store *store = open_store(state);
    esk_bus *bus = bare_bus(store, true);
    esk_command_result result;
    workshop_command untitled = scheduling("w-1", 10);
    workshop_command seatless = scheduling("w-1", 0);
    workshop_command stadium = scheduling("w-1", 500);
    untitled.title[0] = '\0';

    expect_malformed(bus, &untitled, "a ScheduleWorkshop whose title is \"\"",
                     "title", "A workshop needs a title: refuse it without.");
    expect_malformed(bus, &seatless, "a ScheduleWorkshop with capacity 0",
                     "capacity",
                     "A capacity of 0 is no capacity at all: refuse a "
                     "ScheduleWorkshop whose capacity is below 1.");

    check_status(send(bus, "cmd-stadium", NULL, &stadium, &result), ESK_EDOMAIN,
                 "A ScheduleWorkshop with 500 seats is well formed: let it "
                 "through. Whether a workshop may have that many is a rule "
                 "of the business, and the decider keeps it "
                 "(INVALID_CAPACITY): the validation checks only that the "
                 "capacity is at least 1.");
    check_int(esk_error_last()->code, INVALID_CAPACITY,
              "The decider refuses more than MAX_SEATS seats.");
    check_int(head(store), 0, "Nothing was written.");

    esk_bus_free(bus);
    esk_store_free(store);
}

static void a_command_without_payload_or_workshop_is_refused(void **state)
{
    esk_store *store = open_store(state);
    esk_bus *bus = bare_bus(store, true);
    esk_command_result result;
    const esk_command empty = {.type = "CancelRegistration", .id = "cmd-1"};
    workshop_command nowhere = cancellation("", "ada");
    workshop_command nobody = cancellation("w-1", "");
    workshop_command promote = promotion("w-1");
    workshop_command close = closing("w-1");

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

    send(bus, "cmd-promote", NULL, &promote, &result);
    check_int(result.attempts, 1,
              "A PromoteFromWaitlist needs only its workshop id: let it "
              "through to the handler (which refuses it here: the workshop "
              "is not scheduled; that is the domain's answer).");
    send(bus, "cmd-close", NULL, &close, &result);
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

/* --- The application's bus ------------------------------------------------ */

static void the_bus_has_a_handler_for_every_workshop_command(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    const workshop_command story[] = {
        scheduling("w-1", 1),
        registration("w-1", "ada", "Ada Lovelace"),
        registration("w-1", "bob", "Bob"),
        cancellation("w-1", "ada"),
        promotion("w-1"),
        closing("w-1"),
    };
    const char *const ids[] = {"cmd-1", "cmd-2", "cmd-3",
                               "cmd-4", "cmd-5", "cmd-6"};

    for (size_t i = 0; i < sizeof(story) / sizeof(story[0]); i++) {
        esk_status rc = send(a.bus, ids[i], NULL, &story[i], &result);
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

    close_app(&a);
}

static void an_unknown_command_is_answered_with_the_known_ones(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");
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
    check_int(head(a.store), 0, "Nothing was written.");

    close_app(&a);
}

static void every_command_is_logged_with_its_correlation_id(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");
    workshop_command bob = registration("w-1", "bob", "Bob");

    given(a.store, scheduling("w-1", 2));
    send(a.bus, "cmd-ada", "web-42", &ada, &result);
    check_int(a.log.count, 1,
              "One log line per command: add esk_logging_middleware(log) to "
              "the bus, with the log workshop_bus_new() was given.");
    check_contains(a.log.lines[0], "RegisterAttendee id=cmd-ada",
                   "The line names the command's type and id.");
    check_contains(a.log.lines[0], "correlation=web-42",
                   "The line carries the correlation id: grep the logs for "
                   "web-42 and find every command one request caused.");
    check_contains(a.log.lines[0], "-> ok", "Ada's registration succeeded.");

    send(a.bus, "cmd-bob", NULL, &bob, &result);
    send(a.bus, "cmd-ada-again", NULL, &ada, &result);
    check_int(a.log.count, 3,
              "Three commands, three lines: one per command, whatever "
              "happened to it.");
    check_contains(a.log.lines[1], "correlation=cmd-bob",
                   "A command without a correlation id starts its own.");
    check_contains(a.log.lines[2], "refused",
                   "A domain refusal (Ada is already registered) is logged "
                   "too, as refused.");

    close_app(&a);
}

static void a_command_sent_twice_is_handled_once(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result first;
    esk_command_result again;
    workshop_command ada = registration("w-1", "ada", "Ada Lovelace");

    given(a.store, scheduling("w-1", 2));
    check_status(send(a.bus, "cmd-ada", NULL, &ada, &first), ESK_OK,
                 "Ada's first registration should succeed.");
    int64_t before = head(a.store);

    /* The reply got lost; Ada's browser sends the same command again. */
    esk_status rc = send(a.bus, "cmd-ada", NULL, &ada, &again);
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
    check_int(head(a.store), before, "A duplicate writes nothing.");
    expect_story(a.store, "WorkshopScheduled, AttendeeRegistered",
                 "Ada is registered once.");
    check_int(a.log.count, 2,
              "The duplicate is logged too. The idempotency middleware "
              "answers a duplicate itself, without calling the middleware "
              "after it: logging must come before idempotency.");
    check_contains(a.log.lines[1], "ok (duplicate)",
                   "The line says that the command was a duplicate.");

    close_app(&a);
}

static void a_refusal_is_remembered_as_the_first_answer(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    workshop_command cancel_bob = cancellation("w-1", "bob");
    workshop_command bob = registration("w-1", "bob", "Bob");

    given(a.store, scheduling("w-1", 2));
    check_status(send(a.bus, "cmd-cancel", NULL, &cancel_bob, &result),
                 ESK_EDOMAIN, "Bob cannot cancel: he is not registered.");
    check_int(esk_error_last()->code, NOT_REGISTERED,
              "The domain's reason comes back in the last error.");
    check_status(send(a.bus, "cmd-bob", NULL, &bob, &result), ESK_OK,
                 "Then Bob registers.");

    /* The cancellation's first reply got lost, and it is sent again. */
    check_status(send(a.bus, "cmd-cancel", NULL, &cancel_bob, &result),
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
    check_contains(last_line(&a.log), "refused (duplicate)",
                   "The log says so too.");

    check_status(send(a.bus, "cmd-cancel-2", NULL, &cancel_bob, &result),
                 ESK_OK,
                 "A new cancellation, with a new id, is a new request: it "
                 "is handled.");

    close_app(&a);
}

static const char *const cleo[] = {"cleo"};

static void a_conflict_between_load_and_append_is_retried(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    rival other_server = {a.store, cleo, 1, 0};
    workshop_command bob = registration("w-1", "bob", "Bob");

    given(a.store, scheduling("w-1", 2));
    given(a.store, registration("w-1", "ada", "Ada Lovelace"));
    race_window_set_rival(rival_registers, &other_server);
    esk_status rc = send(a.bus, "cmd-bob", NULL, &bob, &result);
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

    close_app(&a);
}

static const char *const crowd[] = {"cleo", "dan", "eve", "fay"};

static void
a_conflict_that_does_not_end_is_reported_not_remembered(void **state)
{
    app a;
    open_app(&a, state);
    esk_command_result result;
    rival other_server = {a.store, crowd, 4, 0};
    workshop_command bob = registration("w-1", "bob", "Bob");

    given(a.store, scheduling("w-1", 10));
    race_window_set_rival(rival_registers, &other_server);
    esk_status rc = send(a.bus, "cmd-bob", NULL, &bob, &result);
    race_window_set_rival(NULL, NULL);

    check_status(rc, ESK_ECONCURRENCY,
                 "Someone else appends before every one of Bob's appends: "
                 "after the last attempt, the conflict is the answer.");
    check_int(result.attempts, 3,
              "Three attempts in all: give esk_retry_middleware() a policy "
              "with max_attempts = 3 (a static const esk_retry_policy, as "
              "the bus keeps a pointer to it).");
    check_contains(last_line(&a.log), "failed", "The log reports the failure.");

    /* Later, the client sends the command again: a conflict is not an
     * answer about Bob, so the idempotency middleware did not record it. */
    rc = send(a.bus, "cmd-bob", NULL, &bob, &result);
    check_status(rc, ESK_OK,
                 "A technical failure is not an outcome: the command may be "
                 "sent again, and is handled this time.");
    check_true(!result.duplicate,
               "Not a duplicate: nothing was recorded for cmd-bob.");
    check_int(result.event_count, 1, "Bob's registration is written now.");

    close_app(&a);
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
