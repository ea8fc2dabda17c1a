/*
 * test_time_travel.c - the past of a workshop, asked from its events.
 *
 * Most tests replay the morning of Bob's report (timeline.h): a store
 * whose clock the story sets, so that every recorded_at is known. The
 * last test is the investigation itself, and prints it.
 */
#include <stdio.h>
#include <string.h>

#include <esk/decider.h>
#include <esk/store.h>

#include "exercise.h"
#include "time_travel.h"
#include "timeline.h"
#include "workshop.h"

/* ---- Looking at states --------------------------------------------------- */

static void list_ids(const char list[][ID_SIZE], size_t count, char *buf,
                     size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "%s", count ? "" : "nobody");
    for (size_t i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 list[i]);
}

/* "seated ada, cleo; waiting bob; 0 free" */
static void describe_state(const workshop_state *s, char *buf, size_t size)
{
    char seated[256];
    char waiting[256];
    if (s->status == WORKSHOP_UNSCHEDULED) {
        snprintf(buf, size, "not scheduled");
        return;
    }
    list_ids(s->seated, s->seated_count, seated, sizeof(seated));
    list_ids(s->waitlist, s->waitlist_count, waiting, sizeof(waiting));
    snprintf(buf, size, "seated %s; waiting %s; %lld free", seated, waiting,
             (long long)workshop_free_seats(s));
}

/* Check a state's lists, and show it whole when they are not as expected. */
static void expect_state(const workshop_state *s, size_t seated, size_t waiting,
                         const char *hint)
{
    if (s->seated_count != seated || s->waitlist_count != waiting) {
        char text[600];
        describe_state(s, text, sizeof(text));
        print_error("the state is: %s\n", text);
    }
    check_int(s->seated_count, seated, hint);
    check_int(s->waitlist_count, waiting, hint);
}

/* A state, set up by hand. */
static workshop_state open_workshop(int64_t capacity)
{
    workshop_state s = {.status = WORKSHOP_OPEN, .capacity = capacity};
    return s;
}

/* ---- As of a version ----------------------------------------------------- */

static void the_state_as_of_a_version_holds_the_events_up_to_it(void **state)
{
    (void)state;
    timeline t;
    workshop_state s;
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(workshop_as_of_version(t.store, "w-1", 3, &s), ESK_OK,
                 "Read stream \"workshop-w-1\" with esk_store_read_stream(), "
                 "at most 3 events, and fold them with workshop_fold().");
    check_true(s.status == WORKSHOP_OPEN, "v1 scheduled the workshop.");
    check_int(s.capacity, 2, "w-1 has 2 seats.");
    expect_state(&s, 2, 0,
                 "As of v3, Ada (v2) and Cleo (v3) have the two seats, and "
                 "nobody waits: fold exactly the first 3 events.");

    check_status(workshop_as_of_version(t.store, "w-1", 4, &s), ESK_OK,
                 "Version 4 exists too.");
    expect_state(&s, 2, 1, "As of v4, Bob waits (v4 is AttendeeWaitlisted).");
    check_string(s.waitlist[0], "bob", "Bob is the one waiting.");
    timeline_close(&t);
}

static void version_zero_is_the_workshop_before_anything_happened(void **state)
{
    (void)state;
    timeline t;
    /* Not the zero state: the function must set every field. */
    workshop_state s = {.status = WORKSHOP_CLOSED, .capacity = 9};
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(workshop_as_of_version(t.store, "w-1", 0, &s), ESK_OK,
                 "Version 0 is a state too: the one before the first event.");
    check_true(s.status == WORKSHOP_UNSCHEDULED,
               "As of version 0 nothing has happened: fold no event at all. "
               "Careful: esk_store_read_stream() with a max_count of 0 reads "
               "the whole stream.");
    check_int(s.capacity, 0, "The zero state has no seats.");
    timeline_close(&t);
}

static void a_version_not_reached_yet_is_not_found(void **state)
{
    (void)state;
    timeline t;
    workshop_state s;
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(workshop_as_of_version(t.store, "w-1", 7, &s), ESK_ENOTFOUND,
                 "w-1 is at v6: v7 has not happened, and no state can be "
                 "given for it. Compare the number of events read with the "
                 "version asked for.");
    check_status(workshop_as_of_version(t.store, "w-9", 1, &s), ESK_ENOTFOUND,
                 "A workshop nobody scheduled has no v1.");
    check_status(workshop_as_of_version(t.store, "w-1", -1, &s), ESK_EINVAL,
                 "A negative version is a mistake of the caller.");
    timeline_close(&t);
}

/* ---- As of a time -------------------------------------------------------- */

static void the_state_as_of_a_time_holds_what_was_recorded_by_then(void **state)
{
    (void)state;
    timeline t;
    workshop_state s;
    int64_t version = -1;
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(
        workshop_as_of_time(t.store, "w-1", at("10:41:59"), &s, &version),
        ESK_OK,
        "Read the whole stream, keep the events whose recorded_at "
        "is <= at, fold them.");
    check_int(version, 3,
              "At 10:41:59 the last event recorded was Cleo's, v3 at "
              "10:30:00: give its version in *out_version.");
    expect_state(&s, 2, 0, "At 10:41:59 Ada and Cleo are seated.");

    check_status(
        workshop_as_of_time(t.store, "w-1", at("10:42:00"), &s, &version),
        ESK_OK, "10:42:00 is a time like any other.");
    check_int(version, 4,
              "Bob's AttendeeWaitlisted was recorded at 10:42:00 exactly: "
              "an event recorded at `at` counts (<=, not <).");
    expect_state(&s, 2, 1, "At 10:42:00 Bob waits.");

    check_status(workshop_as_of_time(t.store, "w-1", at("12:00:00"), &s, NULL),
                 ESK_OK, "out_version is optional: NULL means \"not needed\".");
    expect_state(&s, 2, 1,
                 "At noon everything has happened: Ada and Dan seated, Bob "
                 "waiting.");
    timeline_close(&t);
}

static void before_its_first_event_a_workshop_was_not_scheduled(void **state)
{
    (void)state;
    timeline t;
    workshop_state s = {.status = WORKSHOP_CLOSED};
    int64_t version = -1;
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(
        workshop_as_of_time(t.store, "w-1", at("08:59:59"), &s, &version),
        ESK_OK,
        "Before 09:00 w-1 did not exist: that is an answer, not an "
        "error.");
    check_int(version, 0, "No event was recorded by 08:59:59: version 0.");
    check_true(s.status == WORKSHOP_UNSCHEDULED,
               "Fold zero events: the zero state, not scheduled.");
    timeline_close(&t);
}

static void
with_skewed_clocks_a_past_state_is_still_a_beginning_of_the_stream(void **state)
{
    (void)state;
    timeline t;
    workshop_state s;
    int64_t version = -1;
    const workshop_command schedule = schedule_command("w-9", "Clock skew", 2);
    const workshop_command ada = register_command("w-9", "ada", "Ada");
    const workshop_command bob = register_command("w-9", "bob", "Bob");
    timeline_open(&t);
    /* Bob's registration went through a server whose clock is three
     * minutes slow: it happened after Ada's (v3 after v2), yet says
     * 10:03. */
    timeline_handle(&t, "10:00:00", "trainer", &schedule);
    timeline_handle(&t, "10:06:00", "ada", &ada);
    timeline_handle(&t, "10:03:00", "bob", &bob);

    check_status(
        workshop_as_of_time(t.store, "w-9", at("10:04:00"), &s, &version),
        ESK_OK, "A stream with odd times still has a past.");
    check_int(version, 1,
              "At 10:04 the store had recorded v1 only: stop at the first "
              "event recorded after `at` (v2, 10:06). v3 says 10:03, but it "
              "came after v2; skipping v2 to fold v3 would give a workshop "
              "with Bob seated and not Ada, which never existed.");
    expect_state(&s, 0, 0, "As of v1, nobody is seated yet.");
    timeline_close(&t);
}

/* ---- Debugging by replay ------------------------------------------------- */

static void a_free_seat_while_someone_waits_breaks_the_rule(void **state)
{
    (void)state;
    workshop_state broken = open_workshop(2);
    id_list_add(broken.seated, &broken.seated_count, MAX_SEATS, "ada");
    id_list_add(broken.waitlist, &broken.waitlist_count, MAX_WAITING, "bob");
    check_true(seat_free_while_someone_waits(&broken),
               "One of two seats is free and Bob waits: the rule is broken. "
               "workshop_free_seats(state) > 0, and someone on the "
               "waitlist.");

    workshop_state full = broken;
    id_list_add(full.seated, &full.seated_count, MAX_SEATS, "cleo");
    check_true(!seat_free_while_someone_waits(&full),
               "Both seats are taken: Bob waiting is the waitlist working.");

    workshop_state nobody_waits = open_workshop(2);
    check_true(!seat_free_while_someone_waits(&nobody_waits),
               "Free seats and nobody waiting: nothing wrong.");
}

static bool someone_waits(const workshop_state *s)
{
    return s->waitlist_count > 0;
}

static bool is_full(const workshop_state *s)
{
    return s->status != WORKSHOP_UNSCHEDULED && workshop_free_seats(s) == 0;
}

static bool is_closed(const workshop_state *s)
{
    return s->status == WORKSHOP_CLOSED;
}

static bool dan_is_seated(const workshop_state *s)
{
    for (size_t i = 0; i < s->seated_count; i++)
        if (strcmp(s->seated[i], "dan") == 0)
            return true;
    return false;
}

static void replay_finds_the_first_version_where_a_question_holds(void **state)
{
    (void)state;
    timeline t;
    int64_t version = -1;
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(first_version_where(t.store, "w-1", is_full, &version), ESK_OK,
                 "Fold 1 event, ask; fold 2 events, ask; and so on: the "
                 "first version where holds(&state) is true.");
    check_int(version, 3, "w-1 is first full at v3, with Cleo's seat.");
    check_status(first_version_where(t.store, "w-1", someone_waits, &version),
                 ESK_OK, "Someone waits from v4 on.");
    check_int(version, 4, "Bob is the first to wait, at v4.");
    check_status(
        first_version_where(t.store, "w-1", dan_is_seated, &version), ESK_OK,
        "Dan is seated by the last event of the stream: ask the question of "
        "every version, the last one included (version <= events.count).");
    check_int(version, 6, "Dan takes his seat at v6, the last version.");
    check_status(first_version_where(t.store, "w-1", is_closed, &version),
                 ESK_ENOTFOUND,
                 "Registration for w-1 was never closed: when no version "
                 "gives yes, the answer is ESK_ENOTFOUND.");
    timeline_close(&t);
}

/* ---- The audit trail ----------------------------------------------------- */

static void an_audit_trail_lists_what_happened_to_one_attendee(void **state)
{
    (void)state;
    timeline t;
    char trail[2048] = "";
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(audit_trail_for(t.store, "ada", trail, sizeof(trail)), ESK_OK,
                 "Read every workshop's events with esk_store_read_all() "
                 "(filter on the category \"workshop\").");
    check_string(trail,
                 "2026-11-27T09:15:00.000000Z workshop-w-1 v2 "
                 "AttendeeRegistered user=ada command=cmd-3 request=req-3\n"
                 "2026-11-27T09:20:00.000000Z workshop-w-2 v2 "
                 "AttendeeRegistered user=ada command=cmd-4 request=req-4\n"
                 "2026-11-27T10:50:00.000000Z workshop-w-2 v3 "
                 "RegistrationCancelled user=ada command=cmd-8 "
                 "request=req-8\n",
                 "Ada's events across both workshops, in the order they were "
                 "recorded: recorded_at (esk_time_format), stream, version, "
                 "type, then the metadata's user, causationId and "
                 "correlationId (esk_metadata_get).");
    timeline_close(&t);
}

static void
an_audit_trail_names_who_acted_not_only_whom_it_concerns(void **state)
{
    (void)state;
    timeline t;
    char trail[2048] = "not written";
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(audit_trail_for(t.store, "cleo", trail, sizeof(trail)), ESK_OK,
                 "Cleo has a trail too.");
    check_string(trail,
                 "2026-11-27T10:30:00.000000Z workshop-w-1 v3 "
                 "AttendeeRegistered user=cleo command=cmd-5 request=req-5\n"
                 "2026-11-27T10:42:01.000000Z workshop-w-1 v5 "
                 "RegistrationCancelled user=frontdesk command=cmd-7 "
                 "request=req-7\n",
                 "The front desk cancelled for Cleo: the event's data says "
                 "whom it concerns (attendeeId), its metadata who did it "
                 "(user).");

    check_status(audit_trail_for(t.store, "zoe", trail, sizeof(trail)), ESK_OK,
                 "Nobody named Zoe: an empty trail, not an error.");
    check_string(trail, "", "Write \"\" into buf when no event is found.");
    timeline_close(&t);
}

static void an_audit_trail_is_about_one_attendee_of_the_workshops(void **state)
{
    (void)state;
    timeline t;
    char trail[2048] = "";
    const workshop_command adam = register_command("w-2", "adam", "Adam");
    const esk_new_event newsletter = {
        .type = "NewsletterSubscribed",
        .schema_version = 1,
        .data = "{\"attendeeId\":\"ada\"}",
    };
    timeline_open(&t);
    timeline_bobs_morning(&t);
    timeline_handle(&t, "11:10:00", "adam", &adam);
    check_status(esk_store_append(t.store, "newsletter-ada", ESK_ANY,
                                  &newsletter, 1, NULL),
                 ESK_OK, "The test stores an event of another category.");

    check_status(audit_trail_for(t.store, "ada", trail, sizeof(trail)), ESK_OK,
                 "Ada has a trail.");
    check_string(trail,
                 "2026-11-27T09:15:00.000000Z workshop-w-1 v2 "
                 "AttendeeRegistered user=ada command=cmd-3 request=req-3\n"
                 "2026-11-27T09:20:00.000000Z workshop-w-2 v2 "
                 "AttendeeRegistered user=ada command=cmd-4 request=req-4\n"
                 "2026-11-27T10:50:00.000000Z workshop-w-2 v3 "
                 "RegistrationCancelled user=ada command=cmd-8 "
                 "request=req-8\n",
                 "Only Ada's events, and only the workshops': read with the "
                 "filter {\"workshop\", NULL, 0}, so that the newsletter's "
                 "stream stays out, and compare the whole attendeeId with "
                 "strcmp, so that Adam's registration does too.");
    timeline_close(&t);
}

static void metadata_an_event_lacks_reads_as_a_dash(void **state)
{
    (void)state;
    timeline t;
    char trail[512] = "";
    /* Imported from the old system, before anyone kept metadata. */
    const esk_new_event imported = {
        .type = "AttendeeRegistered",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-0\",\"attendeeId\":\"eve\","
                "\"name\":\"Eve\"}",
    };
    timeline_open(&t);
    t.now = at("07:30:00");
    check_status(esk_store_append(t.store, "workshop-w-0", ESK_NO_STREAM,
                                  &imported, 1, NULL),
                 ESK_OK, "The imported event should append.");

    check_status(audit_trail_for(t.store, "eve", trail, sizeof(trail)), ESK_OK,
                 "An event without metadata is still in the trail.");
    check_string(trail,
                 "2026-11-27T07:30:00.000000Z workshop-w-0 v1 "
                 "AttendeeRegistered user=- command=- request=-\n",
                 "The metadata is \"{}\": when esk_metadata_get() does not "
                 "find a key, write \"-\" in its place.");
    timeline_close(&t);
}

static void an_audit_trail_that_does_not_fit_is_refused_not_cut(void **state)
{
    (void)state;
    timeline t;
    char trail[150];
    timeline_open(&t);
    timeline_bobs_morning(&t);

    check_status(audit_trail_for(t.store, "ada", trail, sizeof(trail)),
                 ESK_EINVAL,
                 "Ada's three lines need about 300 bytes: in 150, say "
                 "ESK_EINVAL. An audit that silently drops its last lines "
                 "is worse than none. snprintf() returns the length it "
                 "wanted: compare it with the room left.");
    timeline_close(&t);
}

/* ---- The investigation --------------------------------------------------- */

/* The first event of a decision, by type name. */
static const char *decided(const workshop_state *s,
                           const workshop_command *command)
{
    esk_decision decision = ESK_DECISION_INIT;
    const esk_event_type *type = NULL;
    esk_status rc = workshop_decider.decide(s, command, &decision);
    if (rc == ESK_OK && esk_decision_count(&decision) > 0)
        esk_decision_event(&decision, 0, &type, NULL);
    esk_decision_release(&decision);
    return type != NULL ? type->name : "nothing";
}

static void
bobs_report_replayed_shows_the_seat_went_past_the_waitlist(void **state)
{
    (void)state;
    timeline t;
    workshop_state s;
    int64_t version = -1;
    char text[600];
    const workshop_command bob = register_command("w-1", "bob", "Bob");
    const workshop_command dan = register_command("w-1", "dan", "Dan");
    timeline_open(&t);
    timeline_bobs_morning(&t);

    print_message("    Bob: \"I registered at 10:42 and was put on the "
                  "waitlist, although a seat was free at 10:42.\"\n");

    /* 1. What did Bob's command see? */
    check_status(
        workshop_as_of_time(t.store, "w-1", at("10:42:00"), &s, &version),
        ESK_OK, "workshop_as_of_time() passes its own tests first.");
    check_int(version, 4, "Bob's AttendeeWaitlisted is v4, at 10:42:00.");
    check_status(workshop_as_of_version(t.store, "w-1", version - 1, &s),
                 ESK_OK, "workshop_as_of_version() passes its own tests.");
    describe_state(&s, text, sizeof(text));
    print_message("    his command was decided on v3: %s\n", text);
    print_message("    replayed on v3, 'register bob' decides: %s\n",
                  decided(&s, &bob));
    check_string(decided(&s, &bob), "AttendeeWaitlisted",
                 "On the state as of v3 the workshop is full: waitlisting "
                 "Bob was right.");

    /* 2. When did a seat become free while he waited? */
    check_status(first_version_where(t.store, "w-1",
                                     seat_free_while_someone_waits, &version),
                 ESK_OK, "The rule breaks at some version of the morning.");
    check_int(version, 5,
              "v5, Cleo's cancellation, freed a seat while Bob waited.");
    check_status(workshop_as_of_version(t.store, "w-1", 5, &s), ESK_OK,
                 "v5 exists.");
    describe_state(&s, text, sizeof(text));
    print_message("    the rule first breaks at v5, recorded 10:42:01 "
                  "(Cleo's cancellation, typed in by the front desk): %s\n",
                  text);

    /* 3. What happened to that seat? */
    print_message("    replayed on v5, 'register dan' decides: %s\n",
                  decided(&s, &dan));
    check_string(decided(&s, &dan), "AttendeeRegistered",
                 "On the state as of v5, a newcomer takes the free seat: "
                 "the rules say so, waitlist or not.");
    check_status(workshop_as_of_version(t.store, "w-1", 6, &s), ESK_OK,
                 "v6 exists.");
    describe_state(&s, text, sizeof(text));
    print_message("    as of v6, 11:05:00: %s\n", text);
    expect_state(&s, 2, 1, "Dan got the seat freed at v5; Bob still waits.");
    print_message(
        "    found: every decision followed the rules; between v5 and v6 "
        "nobody promoted Bob, and at v6 a newcomer took his seat. Where "
        "would you fix it? (README)\n");
    timeline_close(&t);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_state_as_of_a_version_holds_the_events_up_to_it),
        cmocka_unit_test(version_zero_is_the_workshop_before_anything_happened),
        cmocka_unit_test(a_version_not_reached_yet_is_not_found),
        cmocka_unit_test(
            the_state_as_of_a_time_holds_what_was_recorded_by_then),
        cmocka_unit_test(before_its_first_event_a_workshop_was_not_scheduled),
        cmocka_unit_test(
            with_skewed_clocks_a_past_state_is_still_a_beginning_of_the_stream),
        cmocka_unit_test(a_free_seat_while_someone_waits_breaks_the_rule),
        cmocka_unit_test(replay_finds_the_first_version_where_a_question_holds),
        cmocka_unit_test(an_audit_trail_lists_what_happened_to_one_attendee),
        cmocka_unit_test(
            an_audit_trail_names_who_acted_not_only_whom_it_concerns),
        cmocka_unit_test(an_audit_trail_is_about_one_attendee_of_the_workshops),
        cmocka_unit_test(metadata_an_event_lacks_reads_as_a_dash),
        cmocka_unit_test(an_audit_trail_that_does_not_fit_is_refused_not_cut),
        cmocka_unit_test(
            bobs_report_replayed_shows_the_seat_went_past_the_waitlist),
    };
    return cmocka_run_group_tests_name("15-time-travel", tests, NULL, NULL);
}
