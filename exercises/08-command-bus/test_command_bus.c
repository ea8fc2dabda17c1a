/*
 * test_command_bus.c - commands in through the front door.
 *
 * Every test uses the bus of workshop_bus_new() (provided, in bus.c),
 * with your idempotency middleware between esk's logging and retry, and
 * reads its log and the outcomes your middleware recorded.
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

/* The outcome recorded for command id: ESK_OK (record filled, *owned to
 * esk_free) or ESK_ENOTFOUND. */
esk_status suite_find_outcome(esk_store *store, const char *id,
                              esk_record *record, char **owned)
{
    esk_status rc =
        esk_store_get_record(store, ESK_RECORD_COMMAND, id, record, owned);
    if (rc != ESK_OK && rc != ESK_ENOTFOUND)
        check_status(rc, ESK_OK, "The store should read its records.");
    return rc;
}

bool suite_has_outcome(esk_store *store, const char *id)
{
    esk_record record;
    char *owned = NULL;
    esk_status rc = suite_find_outcome(store, id, &record, &owned);
    esk_free(owned);
    return rc == ESK_OK;
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
                 "workshop_bus_new() (provided, in bus.c) should build the "
                 "bus.");
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
        ON_BOTH_STORES(a_new_command_is_handled_and_its_answer_recorded),
        ON_BOTH_STORES(the_bus_has_a_handler_for_every_workshop_command),
        ON_BOTH_STORES(every_command_is_logged_with_its_correlation_id),
        ON_BOTH_STORES(the_events_and_their_answer_are_committed_together),
        ON_BOTH_STORES(a_command_sent_twice_is_handled_once),
        ON_BOTH_STORES(a_refusal_is_remembered_as_the_first_answer),
        ON_BOTH_STORES(a_conflict_between_load_and_append_is_retried),
        ON_BOTH_STORES(a_conflict_that_does_not_end_is_reported_not_remembered),
        ON_BOTH_STORES(another_command_under_a_used_id_is_refused),
        ON_BOTH_STORES(a_resend_is_told_apart_by_its_payload_json),
        /* Only SQLite can be made to refuse a record. */
        {"an_answer_that_cannot_be_recorded_keeps_nothing_on_sqlite",
         an_answer_that_cannot_be_recorded_keeps_nothing, no_rival, NULL,
         &sqlite_backend},
    };
    return cmocka_run_group_tests_name("08-command-bus", tests, NULL, NULL);
}
