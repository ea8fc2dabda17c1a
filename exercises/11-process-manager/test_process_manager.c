/*
 * test_process_manager.c - two workflows that run themselves.
 *
 * Each test tells a story on the application of app.h: commands sent by
 * "clients", then the process runners follow the events (and the clock
 * is moved forward for the deadlines), and the test reads what happened:
 * the workshop's stream, the commands the bus handled, the table of
 * unpaid seats, the metadata of the events.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "app.h"
#include "exercise.h"
#include "processes.h"
#include "test_process_manager.h"
#include "unpaid.h"

/* --- Time ---------------------------------------------------------------- */

esk_time suite_at(const char *iso)
{
    esk_time t = 0;
    check_status(esk_time_parse(iso, &t), ESK_OK, "The test's dates parse.");
    return t;
}

/* ada registers on Monday 2 November at 9:00; her deadline is Monday 9
 * November, 9:00. */
#define REGISTRATION_DAY "2026-11-02T09:00:00Z"

void suite_move_clock(app *a, const char *iso)
{
    a->now = suite_at(iso);
    exercise_say("the clock says %s", iso);
}

/* --- The application ----------------------------------------------------- */

void suite_open_app(app *a)
{
    a->now = suite_at(REGISTRATION_DAY);
    esk_status rc = app_open(a);
    if (rc != ESK_OK)
        print_error("app_open said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The test opens the application (app.c).");
}

/* Send a command as a client, with an id of its own. */
static esk_status send(app *a, workshop_command c, const char *correlation_id)
{
    static int sent;
    char id[32];
    snprintf(id, sizeof(id), "client-%d", ++sent);
    esk_status rc = app_send(a, &c, id, correlation_id, NULL);
    if (rc != ESK_OK)
        print_error("%s: %s\n", workshop_command_type(c.kind), esk_errmsg());
    check_true(rc == ESK_OK || rc == ESK_EDOMAIN,
               "The test's commands reach the workshop (app.c).");
    return rc;
}

void suite_schedule(app *a, int64_t capacity)
{
    send(a,
         (workshop_command){.kind = SCHEDULE_WORKSHOP,
                            .workshop_id = "w-1",
                            .title = "Event Sourcing 101",
                            .starts_on = "2026-12-01",
                            .capacity = capacity},
         NULL);
}

static workshop_command about(workshop_command_kind kind,
                              const char *attendee_id)
{
    workshop_command c = {
        .kind = kind, .workshop_id = "w-1", .name = "Someone"};
    copy_text(c.attendee_id, sizeof(c.attendee_id), attendee_id);
    return c;
}

void suite_enrol(app *a, const char *attendee_id)
{
    check_status(send(a, about(REGISTER_ATTENDEE, attendee_id), NULL), ESK_OK,
                 "The test registers an attendee.");
}

void suite_cancel(app *a, const char *attendee_id)
{
    check_status(send(a, about(CANCEL_REGISTRATION, attendee_id), NULL), ESK_OK,
                 "The test cancels a registration.");
}

void suite_pay(app *a, const char *attendee_id)
{
    check_status(send(a, about(PAY_REGISTRATION, attendee_id), NULL), ESK_OK,
                 "The test pays for a seat.");
}

/* Let a process follow the events; how many it reacted to. */
size_t suite_run(esk_process_runner *runner, const char *hint)
{
    size_t reacted = 0;
    esk_status rc = esk_process_run(runner, &reacted);
    if (rc != ESK_OK)
        print_error("esk_process_run said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    return reacted;
}

void suite_tick(app *a, const char *hint)
{
    esk_status rc = esk_process_tick(a->payments);
    if (rc != ESK_OK)
        print_error("esk_process_tick said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
}

/* --- What happened ------------------------------------------------------- */

/* The events of w-1's stream; the caller frees them. */
static esk_event_list story(app *a)
{
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_stream(a->store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "The test reads the stream of w-1.");
    return stream;
}

/* The last event of a type in w-1's stream about attendee_id; whether
 * there is one. out may be NULL. */
bool suite_find_event(app *a, const char *type, const char *attendee_id,
                      seen_event *out)
{
    esk_event_list stream = story(a);
    bool found = false;
    char who[96];
    snprintf(who, sizeof(who), "\"attendeeId\":\"%s\"", attendee_id);
    for (size_t i = 0; i < stream.count; i++) {
        const esk_event *e = &stream.events[i];
        if (strcmp(e->type, type) != 0 || strstr(e->data, who) == NULL)
            continue;
        found = true;
        if (out != NULL) {
            snprintf(out->id, sizeof(out->id), "%s", e->event_id);
            snprintf(out->metadata, sizeof(out->metadata), "%s", e->metadata);
        }
    }
    esk_event_list_release(&stream);
    return found;
}

bool suite_happened(app *a, const char *type, const char *attendee_id)
{
    return suite_find_event(a, type, attendee_id, NULL);
}

/* How many events of a type w-1's stream holds. */
int suite_count_events(app *a, const char *type)
{
    esk_event_list stream = story(a);
    int n = 0;
    for (size_t i = 0; i < stream.count; i++)
        n += strcmp(stream.events[i].type, type) == 0;
    esk_event_list_release(&stream);
    return n;
}

/* How many times part is in the bus's log (one line per command). */
int suite_count_commands(const app *a, const char *part)
{
    int n = 0;
    for (const char *found = strstr(a->commands, part); found != NULL;
         found = strstr(found + 1, part))
        n++;
    return n;
}

/* The seat of the table of unpaid seats, or a zero one. */
unpaid_seat suite_unpaid(app *a, const char *attendee_id)
{
    unpaid_seat seat = {0};
    esk_status rc = unpaid_find(a->store, "w-1", attendee_id, &seat);
    check_true(rc == ESK_OK || rc == ESK_ENOTFOUND,
               "The test reads the table of unpaid seats.");
    return seat;
}

/* One key of an event's metadata, or "(no <key>)". */
static void meta(const char *metadata, const char *key, char *buf, size_t size)
{
    esk_status rc = esk_metadata_get(metadata, key, buf, size);
    if (rc != ESK_OK)
        snprintf(buf, size, "(no %s)", key);
}

/* --- Technical failures --------------------------------------------------- */

/* A bus middleware standing for the workshop service behind the bus: it
 * counts the commands of service->type that reach it, and fails the next
 * service->fail_next of them (all of them while it is -1) with
 * service->failure. Past 10 attempts at one step it rejects the command
 * as malformed: a loop that never gives up ends there rather than hang. */
static esk_status service(void *data, esk_context *context,
                          esk_command *command)
{
    suite_service *s = data;
    if (strcmp(command->type, s->type) != 0)
        return ESK_OK;
    s->calls++;
    if (s->calls > 10 && s->fail_next != 0)
        return esk_context_fail(context, ESK_EINVAL, 0,
                                "more than 10 attempts at %s: the process "
                                "never gives up",
                                s->type);
    if (s->fail_next == 0)
        return ESK_OK;
    if (s->fail_next > 0)
        s->fail_next--;
    const char *reason = s->reason != NULL
                             ? s->reason
                             : "the workshop service cannot be reached";
    exercise_say("  service  %s attempt %d fails: %s", s->type, s->calls,
                 reason);
    return esk_context_fail(context, s->failure, 0, "%s", reason);
}

void suite_install_service(app *a, suite_service *s)
{
    const esk_middleware middleware = {
        .name = "service", .before = service, .data = s};
    check_status(esk_bus_use(a->bus, &middleware), ESK_OK,
                 "The test adds a middleware that can fail commands.");
}

/* Run SQL on the application's database, behind the processes' back. */
void suite_sql(app *a, const char *text)
{
    sqlite3 *db = esk_store_sqlite_db(a->store);
    int rc = sqlite3_exec(db, text, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        print_error("SQLite said: %s\n", sqlite3_errmsg(db));
    check_int(rc, SQLITE_OK, "The test's SQL runs.");
}

/* Say what a run or tick that had to fail said, or that it did not fail. */
void suite_expect_failure(esk_status rc, const char *hint)
{
    if (rc == ESK_OK)
        print_error("it returned ESK_OK\n");
    else
        exercise_say("it failed, as it must: %s", esk_errmsg());
    check_true(rc != ESK_OK, hint);
}

/* --- The waitlist -------------------------------------------------------- */

static void a_freed_seat_goes_to_the_first_in_line(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_enrol(&a, "cleo");
    suite_cancel(&a, "ada");

    size_t reacted = suite_run(
        a.waitlist,
        "waitlist_react(): ada's cancellation (wasWaitlisted false) "
        "freed a seat: send PromoteFromWaitlist for its workshop with "
        "esk_process_send(pc, &command, NULL, NULL), and return what it "
        "returns.");
    check_int(reacted, 1,
              "The waitlist reacts to one event: the "
              "cancellation.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "bob waited longest: the PromoteFromWaitlist your process "
               "sent gave him ada's seat. The command's type is "
               "workshop_command_type(PROMOTE_FROM_WAITLIST), its payload a "
               "workshop_command with kind PROMOTE_FROM_WAITLIST and the "
               "workshop_id of the cancellation.");
    check_true(!suite_happened(&a, "WaitlistedAttendeePromoted", "cleo"),
               "One seat, one promotion: cleo still waits.");
    app_close(&a);
}

static void leaving_the_waitlist_frees_no_seat(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_enrol(&a, "cleo");
    suite_cancel(&a, "bob");

    suite_run(a.waitlist, "waitlist_react() returns ESK_OK for a cancellation "
                          "from the waitlist.");
    check_int(suite_count_commands(&a, "PromoteFromWaitlist"), 0,
              "bob gave up his place in line, not a seat: when wasWaitlisted "
              "is true, send nothing. (The workshop would refuse, "
              "NO_FREE_SEAT, but a refused command is still a command "
              "sent, handled and logged.)");
    app_close(&a);
}

static void nobody_waiting_is_an_answer_not_a_failure(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 2);
    suite_enrol(&a, "ada");
    suite_cancel(&a, "ada");

    suite_run(
        a.waitlist,
        "Nobody waits, so the workshop refuses PromoteFromWaitlist "
        "(NOBODY_WAITING) and esk_process_send() returns ESK_EDOMAIN: an "
        "answer, not a failure. Return it as it is; any other status stops "
        "the process at this event.");
    check_int(suite_count_commands(&a, "PromoteFromWaitlist"), 1,
              "The promotion was sent once, and refused: the process cannot "
              "know whether someone waits; the workshop does. Its answer "
              "(ESK_EDOMAIN) ends send_with_retry() at once: asking again "
              "gets the same answer.");
    check_int(suite_run(a.waitlist, "The next run has nothing to do."), 0,
              "The checkpoint moved past the cancellation: it is not "
              "reacted to again.");
    app_close(&a);
}

static void a_lapsed_seat_goes_to_the_waitlist_too(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    /* As the payments process would, once ada's deadline has passed. */
    check_status(send(&a, about(LAPSE_REGISTRATION, "ada"), NULL), ESK_OK,
                 "The test lets ada's seat lapse.");

    suite_run(
        a.waitlist,
        "RegistrationLapsed is the other event of waitlist_process: do not "
        "decode it as a RegistrationCancelled (esk_codec_decode_event "
        "checks the type); registration_of() reads the workshopId of "
        "either.");
    check_true(suite_happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "A lapse frees a seat, as a cancellation does: bob gets it.");
    app_close(&a);
}

/* --- Redelivery, and following the story --------------------------------- */

static void a_redelivered_event_sends_the_same_command_again(void **state)
{
    (void)state;
    app a;
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_enrol(&a, "cleo");
    suite_cancel(&a, "ada");
    suite_run(a.waitlist, "The waitlist promotes bob.");

    /* As when an operator replays the events, or when the commands go to
     * a service the process's transaction does not cover: the
     * checkpoint goes back to 0. */
    exercise_say("the waitlist's checkpoint is put back to 0");
    const esk_record back = {"process:waitlist", 0, 1, "{}"};
    check_status(esk_store_put_record(a.store, ESK_RECORD_CHECKPOINT, &back),
                 ESK_OK, "The test puts the checkpoint back.");
    check_int(suite_run(a.waitlist, "The waitlist follows the events again."),
              1, "ada's cancellation is delivered a second time.");

    check_int(suite_count_commands(&a, "PromoteFromWaitlist"), 2,
              "The process reacted twice, and sent PromoteFromWaitlist twice.");
    check_int(suite_count_commands(&a, "-> ok (duplicate)"), 1,
              "The second has the same id (\"waitlist/<event id>/promote\", "
              "made "
              "from the event): the bus answered it with the first outcome, "
              "and wrote nothing.");
    check_int(suite_count_events(&a, "WaitlistedAttendeePromoted"), 1,
              "bob was promoted once; cleo still waits.");
    app_close(&a);
}

static void a_promotion_carries_the_cancellations_correlation_id(void **state)
{
    (void)state;
    app a;
    seen_event cancelled = {0};
    seen_event promoted = {0};
    char value[160];
    char expected[160];
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    /* ada cancels on the web site: request req-7. */
    send(&a, about(CANCEL_REGISTRATION, "ada"), "req-7");
    suite_run(a.waitlist, "The waitlist promotes bob.");

    check_true(suite_find_event(&a, "RegistrationCancelled", "ada", &cancelled),
               "ada's cancellation is in the stream.");
    check_true(
        suite_find_event(&a, "WaitlistedAttendeePromoted", "bob", &promoted),
        "bob's promotion is in the stream: waitlist_react() sent "
        "PromoteFromWaitlist.");
    exercise_say("RegistrationCancelled      %s", cancelled.metadata);
    exercise_say("WaitlistedAttendeePromoted %s", promoted.metadata);

    meta(promoted.metadata, "correlationId", value, sizeof(value));
    check_string(value, "req-7",
                 "bob's promotion belongs to ada's request: the command sent "
                 "from react() carries the correlation id of the event it "
                 "reacts to, and its events keep it.");
    meta(promoted.metadata, "causationId", value, sizeof(value));
    snprintf(expected, sizeof(expected), "waitlist/%s/" PROMOTE_KEY,
             cancelled.id);
    check_string(value, expected,
                 "Its cause is the command the waitlist sent, whose id names "
                 "the process and the event it reacted to: follow the "
                 "causation ids back from any event to the request.");
    app_close(&a);
}

static void
a_lapse_and_the_promotion_it_causes_share_a_correlation(void **state)
{
    (void)state;
    app a;
    seen_event lapsed = {0};
    seen_event promoted = {0};
    char correlation[160];
    char value[160];
    suite_open_app(&a);
    suite_schedule(&a, 1);
    suite_enrol(&a, "ada");
    suite_enrol(&a, "bob");
    suite_run(a.payments, "The payments process remembers ada's seat.");

    suite_move_clock(&a, "2026-11-10T09:00:00Z");
    suite_tick(&a, "ada's seat lapses.");
    suite_run(a.waitlist, "The waitlist gives the freed seat to bob.");

    check_true(suite_find_event(&a, "RegistrationLapsed", "ada", &lapsed),
               "ada's seat lapsed: payments_tick() sent LapseRegistration.");
    check_true(
        suite_find_event(&a, "WaitlistedAttendeePromoted", "bob", &promoted),
        "bob got the seat: waitlist_react() reacts to "
        "RegistrationLapsed too.");
    exercise_say("RegistrationLapsed         %s", lapsed.metadata);
    exercise_say("WaitlistedAttendeePromoted %s", promoted.metadata);

    meta(lapsed.metadata, "correlationId", correlation, sizeof(correlation));
    check_contains(correlation, "payments/tick/lapse/",
                   "No request started the lapse: the clock did. A command "
                   "sent from tick starts a correlation of its own, named "
                   "after it.");
    meta(promoted.metadata, "correlationId", value, sizeof(value));
    check_string(value, correlation,
                 "The promotion that follows carries the lapse's correlation "
                 "id: the whole chain, tick -> lapse -> promotion, is one "
                 "story to search for.");
    app_close(&a);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_freed_seat_goes_to_the_first_in_line),
        cmocka_unit_test(leaving_the_waitlist_frees_no_seat),
        cmocka_unit_test(nobody_waiting_is_an_answer_not_a_failure),
        cmocka_unit_test(a_lapsed_seat_goes_to_the_waitlist_too),
        cmocka_unit_test(a_new_seat_is_remembered_with_its_deadline),
        cmocka_unit_test(paying_forgets_the_seat),
        cmocka_unit_test(
            a_promoted_attendee_pays_within_7_days_of_the_promotion),
        cmocka_unit_test(before_the_deadline_tick_sends_nothing),
        cmocka_unit_test(after_the_deadline_an_unpaid_seat_lapses),
        cmocka_unit_test(a_paid_seat_never_lapses),
        cmocka_unit_test(tick_lapses_each_seat_once_however_often_it_runs),
        cmocka_unit_test(a_refused_lapse_does_not_stop_the_others),
        cmocka_unit_test(a_second_seat_has_a_deadline_of_its_own),
        cmocka_unit_test(a_redelivered_event_sends_the_same_command_again),
        cmocka_unit_test(a_promotion_carries_the_cancellations_correlation_id),
        cmocka_unit_test(
            a_lapse_and_the_promotion_it_causes_share_a_correlation),
        cmocka_unit_test(a_lapse_that_cannot_be_sent_fails_the_tick),
        cmocka_unit_test(a_seat_that_cannot_be_remembered_stops_payments),
        cmocka_unit_test(seats_that_cannot_be_read_fail_the_tick),
        cmocka_unit_test(
            a_busy_service_is_tried_again_and_the_promotion_goes_through),
        cmocka_unit_test(
            a_service_out_of_reach_is_tried_three_times_then_the_run_stops),
        cmocka_unit_test(a_refusal_is_an_answer_and_is_not_tried_again),
        cmocka_unit_test(a_command_rejected_as_malformed_is_parked_not_retried),
        cmocka_unit_test(
            an_event_that_cannot_be_read_is_parked_and_the_process_moves_on),
        cmocka_unit_test(an_event_that_cannot_be_parked_stops_the_process),
        cmocka_unit_test(a_retried_promotion_redelivered_is_a_duplicate),
    };
    return cmocka_run_group_tests_name("11-process-manager", tests, NULL, NULL);
}
