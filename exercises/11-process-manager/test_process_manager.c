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
#include "unpaid.h"

/* --- Time ---------------------------------------------------------------- */

static esk_time at(const char *iso)
{
    esk_time t = 0;
    check_status(esk_time_parse(iso, &t), ESK_OK, "The test's dates parse.");
    return t;
}

/* ada registers on Monday 2 November at 9:00; her deadline is Monday 9
 * November, 9:00. */
#define REGISTRATION_DAY "2026-11-02T09:00:00Z"

static void move_clock(app *a, const char *iso)
{
    a->now = at(iso);
    exercise_say("the clock says %s", iso);
}

/* --- The application ----------------------------------------------------- */

static void open_app(app *a)
{
    a->now = at(REGISTRATION_DAY);
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

static void schedule(app *a, int64_t capacity)
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

static void enrol(app *a, const char *attendee_id)
{
    check_status(send(a, about(REGISTER_ATTENDEE, attendee_id), NULL), ESK_OK,
                 "The test registers an attendee.");
}

static void cancel(app *a, const char *attendee_id)
{
    check_status(send(a, about(CANCEL_REGISTRATION, attendee_id), NULL), ESK_OK,
                 "The test cancels a registration.");
}

static void pay(app *a, const char *attendee_id)
{
    check_status(send(a, about(PAY_REGISTRATION, attendee_id), NULL), ESK_OK,
                 "The test pays for a seat.");
}

/* Let a process follow the events; how many it reacted to. */
static size_t run(esk_process_runner *runner, const char *hint)
{
    size_t reacted = 0;
    esk_status rc = esk_process_run(runner, &reacted);
    if (rc != ESK_OK)
        print_error("esk_process_run said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, hint);
    return reacted;
}

static void tick(app *a, const char *hint)
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

/* What the tests read of an event. */
typedef struct seen_event {
    char id[ESK_EVENT_ID_MAX + 1];
    char metadata[512];
} seen_event;

/* The last event of a type in w-1's stream about attendee_id; whether
 * there is one. out may be NULL. */
static bool find_event(app *a, const char *type, const char *attendee_id,
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

static bool happened(app *a, const char *type, const char *attendee_id)
{
    return find_event(a, type, attendee_id, NULL);
}

/* How many events of a type w-1's stream holds. */
static int count_events(app *a, const char *type)
{
    esk_event_list stream = story(a);
    int n = 0;
    for (size_t i = 0; i < stream.count; i++)
        n += strcmp(stream.events[i].type, type) == 0;
    esk_event_list_release(&stream);
    return n;
}

/* How many times part is in the bus's log (one line per command). */
static int count_commands(const app *a, const char *part)
{
    int n = 0;
    for (const char *found = strstr(a->commands, part); found != NULL;
         found = strstr(found + 1, part))
        n++;
    return n;
}

/* The seat of the table of unpaid seats, or a zero one. */
static unpaid_seat unpaid(app *a, const char *attendee_id)
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

/* A bus middleware that fails every command while *down is true, as a
 * network or a full disk would: a failure, not a refusal. */
static esk_status outage(void *data, esk_context *context, esk_command *command)
{
    (void)command;
    const bool *down = data;
    if (!*down)
        return ESK_OK;
    return esk_context_fail(context, ESK_EIO, 0,
                            "the workshop service cannot be reached");
}

static void install_outage(app *a, bool *down)
{
    const esk_middleware middleware = {
        .name = "outage", .before = outage, .data = down};
    check_status(esk_bus_use(a->bus, &middleware), ESK_OK,
                 "The test adds a middleware that can fail commands.");
}

/* Run SQL on the application's database, behind the processes' back. */
static void sql(app *a, const char *text)
{
    sqlite3 *db = esk_store_sqlite_db(a->store);
    int rc = sqlite3_exec(db, text, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        print_error("SQLite said: %s\n", sqlite3_errmsg(db));
    check_int(rc, SQLITE_OK, "The test's SQL runs.");
}

/* Say what a run or tick that had to fail said, or that it did not fail. */
static void expect_failure(esk_status rc, const char *hint)
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
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    enrol(&a, "cleo");
    cancel(&a, "ada");

    size_t reacted =
        run(a.waitlist,
            "waitlist_react(): ada's cancellation (wasWaitlisted false) "
            "freed a seat: send PromoteFromWaitlist for its workshop with "
            "esk_process_send(pc, &command, NULL, NULL), and return what it "
            "returns.");
    check_int(reacted, 1,
              "The waitlist reacts to one event: the "
              "cancellation.");
    check_true(happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "bob waited longest: the PromoteFromWaitlist your process "
               "sent gave him ada's seat. The command's type is "
               "workshop_command_type(PROMOTE_FROM_WAITLIST), its payload a "
               "workshop_command with kind PROMOTE_FROM_WAITLIST and the "
               "workshop_id of the cancellation.");
    check_true(!happened(&a, "WaitlistedAttendeePromoted", "cleo"),
               "One seat, one promotion: cleo still waits.");
    app_close(&a);
}

static void leaving_the_waitlist_frees_no_seat(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    enrol(&a, "cleo");
    cancel(&a, "bob");

    run(a.waitlist, "waitlist_react() returns ESK_OK for a cancellation "
                    "from the waitlist.");
    check_int(count_commands(&a, "PromoteFromWaitlist"), 0,
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
    open_app(&a);
    schedule(&a, 2);
    enrol(&a, "ada");
    cancel(&a, "ada");

    run(a.waitlist,
        "Nobody waits, so the workshop refuses PromoteFromWaitlist "
        "(NOBODY_WAITING) and esk_process_send() returns ESK_EDOMAIN: an "
        "answer, not a failure. Return it as it is; any other status stops "
        "the process at this event.");
    check_int(count_commands(&a, "PromoteFromWaitlist"), 1,
              "The promotion was sent, and refused: the process cannot know "
              "whether someone waits; the workshop does.");
    check_int(run(a.waitlist, "The next run has nothing to do."), 0,
              "The checkpoint moved past the cancellation: it is not "
              "reacted to again.");
    app_close(&a);
}

static void a_lapsed_seat_goes_to_the_waitlist_too(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    /* As the payments process would, once ada's deadline has passed. */
    check_status(send(&a, about(LAPSE_REGISTRATION, "ada"), NULL), ESK_OK,
                 "The test lets ada's seat lapse.");

    run(a.waitlist,
        "RegistrationLapsed is the other event of waitlist_process: do not "
        "decode it as a RegistrationCancelled (esk_codec_decode_event "
        "checks the type); registration_of() reads the workshopId of "
        "either.");
    check_true(happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "A lapse frees a seat, as a cancellation does: bob gets it.");
    app_close(&a);
}

/* --- Payments: remembering the seats to pay for -------------------------- */

static void a_new_seat_is_remembered_with_its_deadline(void **state)
{
    (void)state;
    app a;
    seen_event seat = {0};
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");

    run(a.payments,
        "payments_react(): for AttendeeRegistered, unpaid_track() the seat "
        "and return ESK_OK.");
    find_event(&a, "AttendeeRegistered", "ada", &seat);
    unpaid_seat tracked = unpaid(&a, "ada");
    check_string(tracked.attendee_id, "ada",
                 "ada has a seat to pay for: unpaid_track() it with the "
                 "workshopId and attendeeId of the event (registration_of()).");
    check_int(tracked.due, at("2026-11-09T09:00:00Z"),
              "Her deadline is 7 days after the seat was given: the time the "
              "store recorded the event (event->recorded_at) plus "
              "PAYMENT_PERIOD.");
    check_string(tracked.seat_event_id, seat.id,
                 "The seat is named by the event that gave it: seat_event_id "
                 "is event->event_id.");
    check_string(unpaid(&a, "bob").attendee_id, "",
                 "bob waits: he has no seat, and nothing to pay yet.");
    app_close(&a);
}

static void paying_forgets_the_seat(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 2);
    enrol(&a, "ada");
    enrol(&a, "bob");
    pay(&a, "ada");
    cancel(&a, "bob");

    run(a.payments, "payments_react() returns ESK_OK for every event.");
    check_string(unpaid(&a, "ada").attendee_id, "",
                 "ada paid: RegistrationPaid means unpaid_forget() her seat.");
    check_string(unpaid(&a, "bob").attendee_id, "",
                 "bob cancelled: RegistrationCancelled means unpaid_forget() "
                 "his seat.");
    app_close(&a);
}

static void
a_promoted_attendee_pays_within_7_days_of_the_promotion(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    move_clock(&a, "2026-11-05T09:00:00Z");
    cancel(&a, "ada");
    run(a.waitlist, "The waitlist promotes bob.");

    run(a.payments,
        "payments_react(): WaitlistedAttendeePromoted gives a seat, as "
        "AttendeeRegistered does.");
    check_int(unpaid(&a, "bob").due, at("2026-11-12T09:00:00Z"),
              "bob got his seat on the 5th: he has until the 12th to pay "
              "(the promotion's recorded_at plus PAYMENT_PERIOD).");
    check_string(unpaid(&a, "ada").attendee_id, "",
                 "ada cancelled: nothing left for her to pay.");
    app_close(&a);
}

/* --- Payments: the deadline ---------------------------------------------- */

static void before_the_deadline_tick_sends_nothing(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-08T09:00:00Z");
    tick(&a, "payments_tick(): ask unpaid_overdue() for the seats past due "
             "(none yet), and return ESK_OK.");
    move_clock(&a, "2026-11-09T09:00:00Z");
    tick(&a, "payments_tick() returns ESK_OK on the deadline itself.");
    check_int(count_commands(&a, "LapseRegistration"), 0,
              "Until her deadline has passed ada's seat is hers: send "
              "LapseRegistration only for the seats unpaid_overdue() lists.");
    app_close(&a);
}

static void after_the_deadline_an_unpaid_seat_lapses(void **state)
{
    (void)state;
    app a;
    seen_event seat = {0};
    char expected_id[128];
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-09T09:00:01Z");
    tick(&a, "payments_tick(): for each seat of unpaid_overdue(), send "
             "LapseRegistration with esk_process_send(pc, &command, key, "
             "NULL); from tick, the key is required.");
    check_true(happened(&a, "RegistrationLapsed", "ada"),
               "A second past her deadline, ada's unpaid seat lapses: the "
               "command is LapseRegistration (workshop_command_type("
               "LAPSE_REGISTRATION)), for her workshop and attendee id.");
    find_event(&a, "AttendeeRegistered", "ada", &seat);
    snprintf(expected_id, sizeof(expected_id), "id=payments/tick/lapse/%s ",
             seat.id);
    check_contains(a.commands, expected_id,
                   "The key names this seat's lapse: \"lapse/\" and the "
                   "seat's seat_event_id; the command's id is "
                   "\"payments/tick/<key>\".");
    app_close(&a);
}

static void a_paid_seat_never_lapses(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    move_clock(&a, "2026-11-04T09:00:00Z");
    pay(&a, "ada");
    run(a.payments, "payments_react() follows ada's seat and payment.");

    move_clock(&a, "2026-12-01T09:00:00Z");
    tick(&a, "payments_tick() returns ESK_OK.");
    check_int(count_commands(&a, "LapseRegistration"), 0,
              "ada paid on the 4th: her seat was forgotten, and no deadline "
              "applies to it.");
    app_close(&a);
}

static void tick_lapses_each_seat_once_however_often_it_runs(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    tick(&a, "The first tick lets ada's seat lapse.");
    move_clock(&a, "2026-11-10T09:05:00Z");
    tick(&a, "The next tick comes before the process has followed the "
             "lapse: the table still lists ada's seat.");
    check_int(count_commands(&a, "LapseRegistration"), 2,
              "Each tick sent LapseRegistration for ada's seat.");
    check_int(count_commands(&a, "-> ok (duplicate)"), 1,
              "The second one has the same id as the first (same key, "
              "\"lapse/<seat_event_id>\"): the idempotency middleware "
              "answered it with the first outcome and wrote nothing.");
    check_int(count_events(&a, "RegistrationLapsed"), 1,
              "ada's seat lapsed once.");
    app_close(&a);
}

static void a_refused_lapse_does_not_stop_the_others(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 2);
    enrol(&a, "ada");
    move_clock(&a, "2026-11-02T10:00:00Z");
    enrol(&a, "bob");
    run(a.payments, "payments_react() remembers both seats.");
    move_clock(&a, "2026-11-08T09:00:00Z");
    pay(&a, "ada"); /* and the process does not follow it before the tick */

    move_clock(&a, "2026-11-10T09:00:00Z");
    tick(&a, "payments_tick(): a refused lapse (ESK_EDOMAIN) is an answer, "
             "not a failure: go on with the next seat, and return ESK_OK.");
    check_true(!happened(&a, "RegistrationLapsed", "ada"),
               "ada paid: the workshop refused her lapse (ALREADY_PAID), "
               "though the process, behind, still listed her seat.");
    check_true(happened(&a, "RegistrationLapsed", "bob"),
               "bob did not pay: his seat lapses, even though ada's lapse, "
               "sent before his, was refused. Do not stop at a refusal.");
    app_close(&a);
}

static void a_second_seat_has_a_deadline_of_its_own(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 2);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's first seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    tick(&a, "ada's first seat lapses.");
    enrol(&a, "ada"); /* she registers again, at once */
    move_clock(&a, "2026-11-10T09:05:00Z");
    tick(&a, "Another tick, before the process has followed any of this.");
    check_int(count_events(&a, "RegistrationLapsed"), 1,
              "The second tick must not take ada's new seat: it only knows "
              "the first one, and its key (lapse/<the first seat's event "
              "id>) makes the same command id, answered as a duplicate. A "
              "key that changes from tick to tick would lapse her new seat "
              "on the spot.");

    run(a.payments, "The process follows the lapse and the new seat.");
    check_int(unpaid(&a, "ada").due, at("2026-11-17T09:00:00Z"),
              "ada's new seat is due 7 days after she registered again.");
    move_clock(&a, "2026-11-17T09:00:01Z");
    tick(&a, "The new seat's deadline has passed.");
    check_int(count_events(&a, "RegistrationLapsed"), 2,
              "Her second seat lapses too: a new seat, a new key. A key per "
              "attendee (\"lapse/w-1/ada\") would make this lapse a "
              "duplicate of the first one, and the seat would never lapse.");
    app_close(&a);
}

/* --- Redelivery, and following the story --------------------------------- */

static void a_redelivered_event_sends_the_same_command_again(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    enrol(&a, "cleo");
    cancel(&a, "ada");
    run(a.waitlist, "The waitlist promotes bob.");

    /* As when an operator replays the events, or when the commands go to
     * a service the process's transaction does not cover: the
     * checkpoint goes back to 0. */
    exercise_say("the waitlist's checkpoint is put back to 0");
    const esk_record back = {"process:waitlist", 0, 1, "{}"};
    check_status(esk_store_put_record(a.store, ESK_RECORD_CHECKPOINT, &back),
                 ESK_OK, "The test puts the checkpoint back.");
    check_int(run(a.waitlist, "The waitlist follows the events again."), 1,
              "ada's cancellation is delivered a second time.");

    check_int(count_commands(&a, "PromoteFromWaitlist"), 2,
              "The process reacted twice, and sent PromoteFromWaitlist twice.");
    check_int(count_commands(&a, "-> ok (duplicate)"), 1,
              "The second has the same id (\"waitlist/<event id>/1\", made "
              "from the event): the bus answered it with the first outcome, "
              "and wrote nothing.");
    check_int(count_events(&a, "WaitlistedAttendeePromoted"), 1,
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
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    /* ada cancels on the web site: request req-7. */
    send(&a, about(CANCEL_REGISTRATION, "ada"), "req-7");
    run(a.waitlist, "The waitlist promotes bob.");

    check_true(find_event(&a, "RegistrationCancelled", "ada", &cancelled),
               "ada's cancellation is in the stream.");
    check_true(find_event(&a, "WaitlistedAttendeePromoted", "bob", &promoted),
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
    snprintf(expected, sizeof(expected), "waitlist/%s/1", cancelled.id);
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
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    run(a.payments, "The payments process remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    tick(&a, "ada's seat lapses.");
    run(a.waitlist, "The waitlist gives the freed seat to bob.");

    check_true(find_event(&a, "RegistrationLapsed", "ada", &lapsed),
               "ada's seat lapsed: payments_tick() sent LapseRegistration.");
    check_true(find_event(&a, "WaitlistedAttendeePromoted", "bob", &promoted),
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

/* --- When the world fails ------------------------------------------------- */

static void a_promotion_that_cannot_be_sent_is_a_failure(void **state)
{
    (void)state;
    app a;
    bool down = false;
    open_app(&a);
    install_outage(&a, &down);
    schedule(&a, 1);
    enrol(&a, "ada");
    enrol(&a, "bob");
    cancel(&a, "ada");

    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_run(a.waitlist, NULL);
    expect_failure(rc,
                   "PromoteFromWaitlist could not be sent (ESK_EIO): that is "
                   "a failure, not an answer. waitlist_react() must return "
                   "what esk_process_send() returned; returning ESK_OK "
                   "whatever it said tells the runner the cancellation is "
                   "done, and bob never gets the seat.");

    exercise_say("the service is back");
    down = false;
    run(a.waitlist, "The waitlist reacts to the cancellation again.");
    check_true(happened(&a, "WaitlistedAttendeePromoted", "bob"),
               "The failed reaction left the checkpoint before the "
               "cancellation, so the next run promoted bob.");
    app_close(&a);
}

static void a_lapse_that_cannot_be_sent_fails_the_tick(void **state)
{
    (void)state;
    app a;
    bool down = false;
    open_app(&a);
    install_outage(&a, &down);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the workshop service goes down");
    down = true;
    esk_status rc = esk_process_tick(a.payments);
    expect_failure(rc, "LapseRegistration could not be sent (ESK_EIO): only a "
                       "refusal (ESK_EDOMAIN) lets the loop go on. Return any "
                       "other failure of esk_process_send(), so that whoever "
                       "calls tick knows the lapses did not happen.");

    exercise_say("the service is back");
    down = false;
    tick(&a, "The next tick sends the lapse again.");
    check_true(happened(&a, "RegistrationLapsed", "ada"),
               "ada's seat lapses once the lapse can be sent.");
    app_close(&a);
}

static void a_seat_that_cannot_be_remembered_stops_payments(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");

    exercise_say("the table of unpaid seats refuses writes");
    sql(&a, "CREATE TRIGGER full BEFORE INSERT ON unpaid "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    esk_status rc = esk_process_run(a.payments, NULL);
    expect_failure(rc, "unpaid_track() failed: payments_react() must return "
                       "its status, whose message is in the last error. "
                       "Returning ESK_OK moves the checkpoint past ada's "
                       "registration, and her seat never lapses.");

    sql(&a, "DROP TRIGGER full");
    run(a.payments, "Once the table accepts writes, the process goes on.");
    check_string(unpaid(&a, "ada").attendee_id, "ada",
                 "The run that failed left the checkpoint before ada's "
                 "registration: the next run remembered her seat.");
    app_close(&a);
}

static void seats_that_cannot_be_read_fail_the_tick(void **state)
{
    (void)state;
    app a;
    open_app(&a);
    schedule(&a, 1);
    enrol(&a, "ada");
    run(a.payments, "payments_react() remembers ada's seat.");

    move_clock(&a, "2026-11-10T09:00:00Z");
    exercise_say("the table of unpaid seats cannot be read");
    sql(&a, "ALTER TABLE unpaid RENAME TO unpaid_away");
    esk_status rc = esk_process_tick(a.payments);
    expect_failure(rc, "unpaid_overdue() failed: payments_tick() must return "
                       "its status, whose message is in the last error. ESK_OK "
                       "says there was nothing overdue, which nobody knows.");

    sql(&a, "ALTER TABLE unpaid_away RENAME TO unpaid");
    tick(&a, "Once the table can be read, tick lets ada's seat lapse.");
    check_true(happened(&a, "RegistrationLapsed", "ada"), "ada's seat lapses.");
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
        cmocka_unit_test(a_promotion_that_cannot_be_sent_is_a_failure),
        cmocka_unit_test(a_lapse_that_cannot_be_sent_fails_the_tick),
        cmocka_unit_test(a_seat_that_cannot_be_remembered_stops_payments),
        cmocka_unit_test(seats_that_cannot_be_read_fail_the_tick),
    };
    return cmocka_run_group_tests_name("11-process-manager", tests, NULL, NULL);
}
