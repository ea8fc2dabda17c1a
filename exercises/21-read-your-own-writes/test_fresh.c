/*
 * test_fresh.c - a command that says where its event went, and a query
 * that waits for it, no longer than it may.
 *
 * The projection is a real esk catch-up over the app's store, run by
 * someone else. Here that someone is the fake clock: each sleep advances
 * the time by what was asked and lets the runner apply a few events
 * (esk_catchup_step, one event a step), so a test knows exactly how far
 * the projection got during a wait, and nothing really waits.
 */
#include <stdio.h>
#include <string.h>

#include <esk/error.h>

#include "exercise.h"
#include "fresh.h"

/* --- The world around your code ------------------------------------------ */

typedef struct fake_clock {
    int64_t now;
    size_t sleeps;
    int64_t longest_sleep;
    reg_app *app;
    size_t events_per_sleep; /* what the runner applies while you sleep */
} fake_clock;

static int64_t fake_now(void *context)
{
    return ((fake_clock *)context)->now;
}

static void fake_sleep(void *context, int64_t ms)
{
    fake_clock *clock = context;
    clock->sleeps++;
    clock->now += ms;
    if (ms > clock->longest_sleep)
        clock->longest_sleep = ms;
    check_status(app_project(clock->app, clock->events_per_sleep), ESK_OK,
                 "The provided projection runner should apply its events.");
}

static wait_clock clock_of(fake_clock *fake)
{
    return (wait_clock){.now = fake_now, .sleep = fake_sleep, .context = fake};
}

static void open_app(reg_app *app)
{
    check_status(app_open(app), ESK_OK,
                 "The provided app should open its store and runner.");
}

/* Your command, as the tests after its own use it. */
static int64_t given_registered(reg_app *app, const char *attendee_id,
                                const char *workshop_id)
{
    int64_t position = 0;
    check_status(register_attendee(app, attendee_id, workshop_id, &position),
                 ESK_OK,
                 "register_attendee() (the first tests) should append and "
                 "succeed.");
    return position;
}

/* The projection runner, moved by hand: events more events applied. */
static void given_projected(reg_app *app, size_t events)
{
    check_status(app_project(app, events), ESK_OK,
                 "The provided projection runner should apply its events.");
}

static int64_t head_of(reg_app *app)
{
    int64_t head = -1;
    check_status(esk_store_head_position(app->store, &head), ESK_OK,
                 "Reading the store's head should work.");
    return head;
}

/* --- register_attendee --------------------------------------------------- */

static void the_command_returns_the_position_of_its_event(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t first = 0;
    check_status(register_attendee(&app, "ann", "w-1", &first), ESK_OK,
                 "register_attendee: build the event with "
                 "app_registered_event(), append it to app->store with "
                 "esk_store_append(), return ESK_OK.");
    check_int(first, 1,
              "The first event of the store is at position 1: hand back "
              "the position the append gave it.");
    check_int(head_of(&app), 1,
              "register_attendee appends one event to app->store.");
    int64_t position = given_registered(&app, "bob", "w-1");
    check_int(head_of(&app), 2, "Each registration appends one event.");
    check_int(position, 2,
              "bob's event is the second of the store: position 2 "
              "(esk_append_result.position). Not his stream's version, 1: "
              "the checkpoint a query waits on counts positions.");
    app_close(&app);
}

static void the_command_appends_to_the_attendees_own_stream(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t w1 = given_registered(&app, "bob", "w-1");
    given_registered(&app, "ann", "w-1");
    int64_t w2 = given_registered(&app, "bob", "w-2");
    registration rows[APP_MAX];
    size_t count = 0;
    check_status(app_log_registrations(&app, "bob", rows, APP_MAX, &count),
                 ESK_OK, "Reading bob's own stream should work.");
    check_int((int64_t)count, 2,
              "bob's stream, \"attendee-bob\", holds his two registrations: "
              "append app_registered_event()'s event to its stream_id, "
              "whatever version that stream is at (ESK_ANY).");
    check_int(rows[0].position, w1, "The first at the first position.");
    check_string(rows[1].workshop_id, "w-2", "The second is for w-2.");
    check_int(rows[1].position, w2,
              "The second registration returned the position of its "
              "own event.");
    app_close(&app);
}

static void a_refused_registration_hands_back_no_position(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t position = -1;
    check_status(register_attendee(&app, "", "w-1", &position), ESK_EINVAL,
                 "An empty attendee id is refused: pass "
                 "app_registered_event()'s failure on.");
    check_int(position, -1, "Nothing was appended: position is untouched.");
    check_int(head_of(&app), 0, "Nothing was appended.");
    check_status(register_attendee(&app, "bob", "w-1", NULL), ESK_EINVAL,
                 "A NULL position is refused.");
    check_int(head_of(&app), 0,
              "Refuse a NULL position before appending: a command "
              "whose caller cannot learn its position is of no use here.");
    app_close(&app);
}

/* --- wait_for_position --------------------------------------------------- */

static void a_query_without_a_position_answers_at_once(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-1");
    fake_clock fake = {.now = 1000, .app = &app};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, 0, 200, &verdict), ESK_OK,
                 "Position 0 means the caller wrote nothing: answer.");
    check_true(verdict.fresh, "Nothing to wait for is fresh: the caller "
                              "asked for no write of its own.");
    check_int((int64_t)fake.sleeps, 0,
              "Without a position a query must not sleep at all.");
    app_close(&app);
}

static void a_reached_position_answers_fresh_without_waiting(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t position = given_registered(&app, "bob", "w-1");
    given_projected(&app, 10);
    fake_clock fake = {.now = 1000, .app = &app};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, position, 200, &verdict),
                 ESK_OK, "A reached position is a normal answer.");
    check_true(verdict.fresh, "The checkpoint is at the position: fresh.");
    check_int(verdict.checkpoint, 1,
              "freshness.checkpoint: the checkpoint "
              "app_status() said.");
    check_int((int64_t)fake.sleeps, 0,
              "Look at the checkpoint before sleeping: it is already "
              "there, a sleep would only slow the user down.");
    app_close(&app);
}

static void a_position_reached_during_the_wait_answers_fresh(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "ann", "w-1");
    int64_t position = given_registered(&app, "bob", "w-1");
    check_int(position, 2,
              "The command hands back where its event went: the second "
              "event of the log is at 2. The query waits for this number.");
    fake_clock fake = {.now = 1000, .app = &app, .events_per_sleep = 1};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, position, 200, &verdict),
                 ESK_OK, "A position reached in time is a normal answer.");
    check_true(verdict.fresh,
               "The runner applies one event per sleep: after two sleeps "
               "the checkpoint is at 2. Look again after each sleep.");
    check_int((int64_t)fake.sleeps, 2,
              "Two sleeps bring the checkpoint to 2: stop as soon as it "
              "is reached, no sleep more.");
    check_int(fake.longest_sleep, POLL_INTERVAL_MS,
              "Sleep POLL_INTERVAL_MS between two looks.");
    app_close(&app);
}

static void a_position_not_reached_in_time_answers_stale(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "ann", "w-1");
    given_registered(&app, "cid", "w-1");
    int64_t position = given_registered(&app, "bob", "w-1");
    given_registered(&app, "dan", "w-2");
    given_projected(&app, 1);
    fake_clock fake = {.now = 1000, .app = &app};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {.fresh = true};
    check_status(wait_for_position(&app, &clock, position, 200, &verdict),
                 ESK_OK,
                 "A timeout is not an error: answer, and say it is stale.");
    check_true(!verdict.fresh, "The runner is stopped: the checkpoint stays "
                               "at 1, before 3. That is stale.");
    check_int(verdict.lag, 2,
              "lag = position - checkpoint: 3 - 1, the events up to the "
              "user's own that the answer may miss (not head - checkpoint: "
              "dan's event at 4 is none of bob's business).");
    check_int(verdict.stale_since, 1000,
              "stale_since is now() when the wait started (1000).");
    check_int(verdict.checkpoint, 1, "freshness.checkpoint: the last seen.");
    check_int(fake.now, 1200,
              "The wait lasts the whole timeout (1000 + 200), no more, no "
              "less.");
    app_close(&app);
}

static void a_position_reached_at_the_deadline_is_fresh(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "ann", "w-1");
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app, .events_per_sleep = 1};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, position, 100, &verdict),
                 ESK_OK, "A position reached in time is a normal answer.");
    check_true(verdict.fresh,
               "The second sleep ends at the deadline (100) with the "
               "checkpoint at 2: look at the checkpoint after each sleep "
               "before deciding the time is up.");
    app_close(&app);
}

static void the_wait_never_sleeps_past_the_deadline(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.now = 0, .app = &app};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, position, 120, &verdict),
                 ESK_OK, "A timeout is not an error.");
    check_true(!verdict.fresh, "Nothing ran: stale.");
    check_int(fake.now, 120,
              "With a timeout of 120 ms and naps of 50, the last nap is "
              "20: sleep the smaller of POLL_INTERVAL_MS and what is left "
              "until the deadline.");
    check_int((int64_t)fake.sleeps, 3,
              "50 + 50 + 20: three sleeps, then the deadline is reached; "
              "no sleep of 0 ms and none after the deadline.");
    app_close(&app);
}

static void a_position_past_the_head_is_refused(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app, .events_per_sleep = 1};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, 7, 200, &verdict), ESK_EINVAL,
                 "No event was written at 7 (the head is 1): waiting would "
                 "never end. Compare with status.head and refuse.");
    check_int((int64_t)fake.sleeps, 0, "Refuse before any sleep.");
    check_contains(esk_errmsg(), "7",
                   "The message names the position asked for.");
    check_contains(esk_errmsg(), "1", "The message names the head.");
    app_close(&app);
}

static void a_negative_position_or_timeout_is_refused(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    freshness verdict = {0};
    check_status(wait_for_position(&app, &clock, -1, 200, &verdict), ESK_EINVAL,
                 "A negative position is refused.");
    check_status(wait_for_position(&app, &clock, 0, -5, &verdict), ESK_EINVAL,
                 "A negative timeout is refused.");
    check_status(wait_for_position(&app, NULL, 0, 200, &verdict), ESK_EINVAL,
                 "A NULL clock is refused.");
    app_close(&app);
}

/* --- my_registrations and the CLI ---------------------------------------- */

static void the_own_write_is_marked_just_now(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-2");
    given_registered(&app, "ann", "w-2");
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app, .events_per_sleep = 2};
    wait_clock clock = clock_of(&fake);
    my_view view = {0};
    check_status(my_registrations(&app, &clock, "bob", position, false, &view),
                 ESK_OK, "my_registrations answers.");
    check_true(view.freshness.fresh, "The runner catches up during the wait.");
    check_int((int64_t)view.count, 2,
              "bob's two registrations, not ann's: the read model's rows "
              "of bob (app_read_registrations).");
    check_int(view.just_now, position,
              "just_now: the position of the command, shown by the read "
              "model.");
    app_close(&app);
}

static void a_stale_answer_keeps_the_read_model_and_its_lag(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-2");
    given_projected(&app, 1);
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    my_view view = {0};
    check_status(my_registrations(&app, &clock, "bob", position, false, &view),
                 ESK_OK, "A stale answer is still an answer.");
    check_true(!view.freshness.fresh, "The runner is stopped: stale.");
    check_int(view.freshness.lag, 1, "One event not shown yet.");
    check_int((int64_t)view.count, 1,
              "Without own_stream_when_stale: the read model's rows only.");
    check_int(view.just_now, 0,
              "The read model does not show the write yet: just_now 0.");
    check_int(fake.now, QUERY_TIMEOUT_MS,
              "my_registrations waits QUERY_TIMEOUT_MS.");
    app_close(&app);
}

static void a_stale_read_model_can_answer_from_the_own_stream(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-2");
    given_projected(&app, 1);
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    my_view view = {0};
    check_status(my_registrations(&app, &clock, "bob", position, true, &view),
                 ESK_OK, "The write model answers.");
    check_int((int64_t)view.count, 2,
              "Stale and own_stream_when_stale: the write model "
              "(app_log_registrations) shows both.");
    check_true(view.freshness.fresh,
               "The own stream is always up to date: fresh, lag 0.");
    check_int(view.freshness.lag, 0, "Fresh means lag 0.");
    check_int(view.just_now, position, "The write is shown: just_now.");
    app_close(&app);
}

static void a_past_head_position_reaches_the_cli_as_a_message(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    char line[200];
    check_status(
        cli_my_registrations(&app, &clock, "bob", 3, true, line, sizeof(line)),
        ESK_EINVAL, "my_registrations passes wait_for_position's refusal on.");
    check_contains(line, "3", "The CLI prints the message with the position.");
    app_close(&app);
}

static void the_cli_shows_the_fresh_write_just_now(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    int64_t position = given_registered(&app, "bob", "w-1");
    given_registered(&app, "bob", "w-2");
    given_projected(&app, 10);
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    char line[200] = "";
    check_status(cli_my_registrations(&app, &clock, "bob", position, false,
                                      line, sizeof(line)),
                 ESK_OK, "The CLI answers.");
    check_string(line, "bob: w-1 (just now), w-2",
                 "Items joined by \", \", the one at just_now marked \" "
                 "(just now)\".");
    app_close(&app);
}

static void the_cli_shows_a_stale_answer_as_updating(void **state)
{
    (void)state;
    reg_app app;
    open_app(&app);
    given_registered(&app, "bob", "w-2");
    given_projected(&app, 1);
    int64_t position = given_registered(&app, "bob", "w-1");
    fake_clock fake = {.app = &app};
    wait_clock clock = clock_of(&fake);
    char line[200] = "";
    check_status(cli_my_registrations(&app, &clock, "bob", position, false,
                                      line, sizeof(line)),
                 ESK_OK, "The CLI answers, stale.");
    check_string(line, "bob: w-2 (updating: 1 registration not shown yet)",
                 "Stale: say so after the items, with the lag, singular "
                 "for 1.");
    given_registered(&app, "bob", "w-3");
    check_status(
        cli_my_registrations(&app, &clock, "bob", 3, false, line, sizeof(line)),
        ESK_OK, "The CLI answers, stale again.");
    check_string(line, "bob: w-2 (updating: 2 registrations not shown yet)",
                 "A lag of 2: \"registrations\".");
    app_close(&app);
}

static void the_cli_says_none_yet(void **state)
{
    (void)state;
    my_view view = {.freshness = {.fresh = true}};
    char line[200] = "";
    format_my_registrations("cid", &view, line, sizeof(line));
    check_string(line, "cid: none yet", "No items: \"none yet\".");
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_command_returns_the_position_of_its_event),
        cmocka_unit_test(the_command_appends_to_the_attendees_own_stream),
        cmocka_unit_test(a_refused_registration_hands_back_no_position),
        cmocka_unit_test(a_query_without_a_position_answers_at_once),
        cmocka_unit_test(a_reached_position_answers_fresh_without_waiting),
        cmocka_unit_test(a_position_reached_during_the_wait_answers_fresh),
        cmocka_unit_test(a_position_not_reached_in_time_answers_stale),
        cmocka_unit_test(a_position_reached_at_the_deadline_is_fresh),
        cmocka_unit_test(the_wait_never_sleeps_past_the_deadline),
        cmocka_unit_test(a_position_past_the_head_is_refused),
        cmocka_unit_test(a_negative_position_or_timeout_is_refused),
        cmocka_unit_test(the_own_write_is_marked_just_now),
        cmocka_unit_test(a_stale_answer_keeps_the_read_model_and_its_lag),
        cmocka_unit_test(a_stale_read_model_can_answer_from_the_own_stream),
        cmocka_unit_test(a_past_head_position_reaches_the_cli_as_a_message),
        cmocka_unit_test(the_cli_shows_the_fresh_write_just_now),
        cmocka_unit_test(the_cli_shows_a_stale_answer_as_updating),
        cmocka_unit_test(the_cli_says_none_yet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
