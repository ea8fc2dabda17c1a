/*
 * test_booking.c - two rules, many workshops, no aggregate.
 *
 * The facts are tagged events: "workshop:w-1", "attendee:bob",
 * "day:2026-12-07". Races are staged as in exercise 07: your book_seat()
 * calls race_window() between deciding and appending, and a test's rival
 * books someone right there, printing a line that tells the story.
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/store.h>

#include "booking.h"
#include "exercise.h"

#define MONDAY "2026-12-07"
#define TUESDAY "2026-12-08"

/* --- Facts, appended as another server would ----------------------------- */

static esk_store *open_store(bool sqlite)
{
    esk_store *store = NULL;
    esk_status rc = sqlite ? esk_store_open_sqlite(&store, ":memory:", NULL)
                           : esk_store_open_memory(&store, NULL);
    check_status(rc, ESK_OK, "A store in memory should always open.");
    exercise_watch_store(store);
    return store;
}

/* Append one event of a workshop, tagged "workshop:<workshop_id>",
 * "attendee:<attendee>" (unless NULL) and "day:<day>", with no
 * condition: a fact written by another server, not by your code. */
static void append_fact(esk_store *store, const esk_event_type *type,
                        const void *event, const char *workshop_id,
                        const char *attendee, const char *day)
{
    char data[512], stream_id[96], tags[3][BOOKING_TAG_SIZE];
    check_status(esk_codec_encode_to(type, event, data, sizeof(data), NULL),
                 ESK_OK, "The test's events should encode.");
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", workshop_id);
    snprintf(tags[0], BOOKING_TAG_SIZE, "workshop:%s", workshop_id);
    snprintf(tags[1], BOOKING_TAG_SIZE, "day:%s", day);
    snprintf(tags[2], BOOKING_TAG_SIZE, "attendee:%s",
             attendee ? attendee : "");
    const char *const t[] = {tags[0], tags[2], tags[1]};
    const char *const workshop_day[] = {tags[0], tags[1]};
    esk_tags tagged = {attendee ? t : workshop_day, attendee ? 3 : 2};
    esk_new_event e = {.type = type->name,
                       .schema_version = type->schema_version,
                       .data = data};
    check_status(esk_store_append_if(store, stream_id, ESK_ANY, &e, &tagged, 1,
                                     NULL, NULL),
                 ESK_OK, "The test's own facts should append.");
}

static void given_workshop(esk_store *store, const char *workshop_id,
                           const char *day, int64_t capacity)
{
    workshop_scheduled s = {.capacity = capacity};
    snprintf(s.workshop_id, sizeof(s.workshop_id), "%s", workshop_id);
    snprintf(s.title, sizeof(s.title), "%s", "Event Sourcing 101");
    snprintf(s.starts_on, sizeof(s.starts_on), "%s", day);
    append_fact(store, &workshop_scheduled_type, &s, workshop_id, NULL, day);
}

static void given_booked(esk_store *store, const char *workshop_id,
                         const char *attendee, const char *day)
{
    attendee_registered r;
    memset(&r, 0, sizeof(r));
    snprintf(r.workshop_id, sizeof(r.workshop_id), "%s", workshop_id);
    snprintf(r.attendee_id, sizeof(r.attendee_id), "%s", attendee);
    snprintf(r.name, sizeof(r.name), "%s", attendee);
    append_fact(store, &attendee_registered_type, &r, workshop_id, attendee,
                day);
}

static void given_cancelled(esk_store *store, const char *workshop_id,
                            const char *attendee, const char *day)
{
    registration_cancelled x = {.was_waitlisted = false};
    snprintf(x.workshop_id, sizeof(x.workshop_id), "%s", workshop_id);
    snprintf(x.attendee_id, sizeof(x.attendee_id), "%s", attendee);
    append_fact(store, &registration_cancelled_type, &x, workshop_id, attendee,
                day);
}

static booking_command booking(const char *workshop_id, const char *attendee,
                               const char *day)
{
    booking_command c;
    memset(&c, 0, sizeof(c));
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee);
    snprintf(c.name, sizeof(c.name), "%s", attendee);
    snprintf(c.day, sizeof(c.day), "%s", day);
    return c;
}

/* How many AttendeeRegistered of attendee in workshop_id, all told. */
static int seats_of(esk_store *store, const char *workshop_id,
                    const char *attendee)
{
    esk_event_list all = ESK_EVENT_LIST_INIT;
    int n = 0;
    check_status(esk_store_read_all(store, 0, 0, NULL, &all), ESK_OK,
                 "Reading the store back should work.");
    for (size_t i = 0; i < all.count; i++) {
        attendee_registered r;
        if (strcmp(all.events[i].type, "AttendeeRegistered") == 0 &&
            esk_codec_decode_event(&attendee_registered_type, &all.events[i],
                                   &r) == ESK_OK &&
            strcmp(r.workshop_id, workshop_id) == 0 &&
            strcmp(r.attendee_id, attendee) == 0)
            n++;
    }
    esk_event_list_release(&all);
    return n;
}

/* Book with your book_seat(); print the reason when it is not ESK_OK. */
static esk_status book(esk_store *store, const char *workshop_id,
                       const char *attendee, const char *day,
                       const char *command_id, int max_attempts)
{
    booking_command c = booking(workshop_id, attendee, day);
    esk_status rc = book_seat(store, &c, command_id, max_attempts);
    if (rc != ESK_OK)
        print_message("    book_seat(%s, %s) said: %s\n", workshop_id, attendee,
                      esk_errmsg());
    return rc;
}

/* --- The rival ------------------------------------------------------------ */

/* Another server: in the race window of attempt i (from 1), books
 * who[i - 1] into workshop[i - 1] on day, while there are names. */
typedef struct rival {
    const char *const *who;
    const char *const *workshop;
    int count;
    const char *day;
    int windows;
} rival;

static void rival_books(void *ctx, esk_store *store,
                        const booking_command *command, int attempt)
{
    rival *r = ctx;
    r->windows++;
    if (attempt > r->count) {
        print_message("    race window, attempt %d: nobody else is there\n",
                      attempt);
        return;
    }
    given_booked(store, r->workshop[attempt - 1], r->who[attempt - 1], r->day);
    print_message("    race window, attempt %d: %s has decided; before the "
                  "append, %s books a seat in %s on %s\n",
                  attempt, command->attendee_id, r->who[attempt - 1],
                  r->workshop[attempt - 1], r->day);
}

static int no_rival(void **state)
{
    (void)state;
    race_window_set_rival(NULL, NULL);
    return 0;
}

/* --- booking_query -------------------------------------------------------- */

static bool matches(const booking_boundary *b, esk_store *store)
{
    esk_event_list last = ESK_EVENT_LIST_INIT;
    int64_t head = 0;
    esk_store_head_position(store, &head);
    check_status(esk_store_read_all(store, head - 1, 1, NULL, &last), ESK_OK,
                 "Reading the last event back should work.");
    bool m = last.count == 1 && esk_query_matches(&b->query, &last.events[0]);
    esk_event_list_release(&last);
    return m;
}

static void the_query_reads_the_workshop_and_the_attendees_day(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    booking_command c = booking("w-1", "bob", MONDAY);
    booking_boundary b;
    memset(&b, 0, sizeof(b));
    booking_query(&c, &b);

    check_string(b.event_tags[1], "attendee:bob",
                 "The event's tags are \"workshop:w-1\", \"attendee:bob\", "
                 "\"day:2026-12-07\", in that order.");
    given_workshop(store, "w-1", MONDAY, 5);
    check_true(matches(&b, store), "The workshop's schedule says its "
                                   "capacity: the decision depends on it.");
    given_booked(store, "w-1", "cleo", MONDAY);
    check_true(matches(&b, store), "Cleo's seat in w-1 takes one of its "
                                   "seats: the workshop item reads it.");
    given_booked(store, "w-2", "bob", MONDAY);
    check_true(matches(&b, store), "Bob's seat in w-2 on Monday counts for "
                                   "his three a day: the attendee item must "
                                   "read it.");
    given_cancelled(store, "w-2", "bob", MONDAY);
    check_true(matches(&b, store), "A cancellation gives a seat back: read "
                                   "RegistrationCancelled too.");
    given_booked(store, "w-2", "cleo", MONDAY);
    check_true(!matches(&b, store),
               "Cleo's seat in w-2 concerns neither w-1 nor Bob: outside the "
               "boundary, or her bookings would conflict with Bob's.");
    given_booked(store, "w-3", "bob", TUESDAY);
    check_true(!matches(&b, store),
               "Bob's seat on Tuesday does not count on Monday: the attendee "
               "item needs both tags, attendee and day.");
    esk_store_free(store);
}

/* --- booking_fold and booking_decide -------------------------------------- */

static booking_state fold_store(esk_store *store, const booking_command *c,
                                const char *command_id)
{
    booking_state s;
    memset(&s, 0x5a, sizeof(s));
    esk_event_list all = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_all(store, 0, 0, NULL, &all), ESK_OK,
                 "Reading the store back should work.");
    check_status(booking_fold(&all, c, command_id, &s), ESK_OK,
                 "Every event here decodes: booking_fold() should say ESK_OK.");
    esk_event_list_release(&all);
    return s;
}

static void
the_fold_counts_the_workshops_seats_and_the_attendees_day(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    booking_command c = booking("w-1", "bob", MONDAY);
    given_workshop(store, "w-1", MONDAY, 4);
    given_booked(store, "w-1", "ada", MONDAY);
    given_booked(store, "w-1", "cleo", MONDAY);
    given_booked(store, "w-2", "bob", MONDAY);
    given_booked(store, "w-3", "bob", MONDAY);

    booking_state s = fold_store(store, &c, "cmd-x");
    check_true(s.scheduled, "w-1 was scheduled: fold WorkshopScheduled.");
    check_int(s.capacity, 4, "The capacity comes from WorkshopScheduled.");
    check_int(s.seats_taken, 2,
              "Ada and Cleo hold seats in w-1; Bob's are in other workshops.");
    check_true(!s.already_booked, "Bob holds no seat in w-1 yet.");
    check_int(s.attendee_seats, 2, "Bob holds seats in w-2 and w-3 that day.");
    check_true(!s.command_handled, "No event has the id cmd-x.");
    esk_store_free(store);
}

static void a_cancellation_gives_back_the_seat_and_the_days_quota(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    booking_command c = booking("w-1", "bob", MONDAY);
    given_workshop(store, "w-1", MONDAY, 4);
    given_booked(store, "w-1", "bob", MONDAY);
    given_booked(store, "w-2", "bob", MONDAY);
    given_cancelled(store, "w-1", "bob", MONDAY);

    booking_state s = fold_store(store, &c, "cmd-x");
    check_int(s.seats_taken, 0,
              "Bob cancelled his seat in w-1: it is free again.");
    check_true(!s.already_booked, "After cancelling, Bob may book w-1 again.");
    check_int(s.attendee_seats, 1,
              "The cancelled seat no longer counts for Bob's day: only w-2.");
    esk_store_free(store);
}

static void the_decision_refuses_in_the_order_of_the_rules(void **state)
{
    (void)state;
    booking_command c = booking("w-1", "bob", MONDAY);
    booking_state s = {.scheduled = true,
                       .capacity = 2,
                       .seats_taken = 1,
                       .attendee_seats = 2};
    check_status(booking_decide(&s, &c), ESK_OK,
                 "A free seat and two seats that day: Bob may book.");

    booking_state unscheduled = s;
    unscheduled.scheduled = false;
    check_status(booking_decide(&unscheduled, &c), ESK_EDOMAIN,
                 "No workshop, no seat: refuse with esk_domain_error().");
    check_error_code(esk_error_last()->code, BOOKING_NOT_SCHEDULED,
                     booking_error_name, "The code says why.");

    booking_state twice = s;
    twice.already_booked = true;
    check_status(booking_decide(&twice, &c), ESK_EDOMAIN,
                 "One seat per attendee per workshop.");
    check_error_code(esk_error_last()->code, BOOKING_ALREADY_BOOKED,
                     booking_error_name, "The code says why.");

    booking_state full = s;
    full.seats_taken = 2;
    check_status(booking_decide(&full, &c), ESK_EDOMAIN,
                 "Two seats taken of two: no free seat.");
    check_error_code(esk_error_last()->code, BOOKING_NO_FREE_SEAT,
                     booking_error_name, "The code says why.");

    booking_state busy = s;
    busy.attendee_seats = SEATS_PER_DAY;
    check_status(booking_decide(&busy, &c), ESK_EDOMAIN,
                 "Three seats that day already: a fourth is refused.");
    check_error_code(esk_error_last()->code, BOOKING_DAY_IS_FULL,
                     booking_error_name, "The code says why.");
    check_contains(esk_errmsg(), "bob",
                   "The message names the attendee (and the day).");
}

/* --- book_seat: the two rules -------------------------------------------- */

static void capacity_holds_in_each_workshop(bool sqlite)
{
    esk_store *store = open_store(sqlite);
    given_workshop(store, "w-1", MONDAY, 2);
    given_workshop(store, "w-2", MONDAY, 1);
    check_status(book(store, "w-1", "ada", MONDAY, "c-1", 1), ESK_OK,
                 "w-1 has two free seats: Ada gets one.");
    check_status(book(store, "w-2", "bob", MONDAY, "c-2", 1), ESK_OK,
                 "w-2 has its own seat: Bob gets it.");
    check_status(book(store, "w-1", "cleo", MONDAY, "c-3", 1), ESK_OK,
                 "w-1's second seat: Bob's seat is in w-2, not here.");
    check_status(book(store, "w-1", "dan", MONDAY, "c-4", 1), ESK_EDOMAIN,
                 "w-1 is full: read the workshop's seats before deciding.");
    check_error_code(esk_error_last()->code, BOOKING_NO_FREE_SEAT,
                     booking_error_name, "Refused for lack of a seat.");
    check_status(book(store, "w-2", "eve", MONDAY, "c-5", 1), ESK_EDOMAIN,
                 "w-2 is full too.");
    check_int(seats_of(store, "w-1", "dan"), 0, "A refusal writes nothing.");
    check_status(book(store, "w-9", "eve", MONDAY, "c-6", 1), ESK_EDOMAIN,
                 "w-9 was never scheduled.");
    esk_store_free(store);
}

static void capacity_holds_across_workshops(void **state)
{
    (void)state;
    capacity_holds_in_each_workshop(false);
}

static void capacity_holds_on_sqlite_too(void **state)
{
    (void)state;
    capacity_holds_in_each_workshop(true);
}

static void an_attendee_books_at_most_three_seats_a_day(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const ws[] = {"w-1", "w-2", "w-3", "w-4"};
    for (int i = 0; i < 4; i++)
        given_workshop(store, ws[i], MONDAY, 10);
    given_workshop(store, "w-5", TUESDAY, 10);
    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 1), ESK_OK,
                 "Bob's first seat on Monday.");
    check_status(book(store, "w-2", "bob", MONDAY, "c-2", 1), ESK_OK,
                 "His second.");
    check_status(book(store, "w-3", "bob", MONDAY, "c-3", 1), ESK_OK,
                 "His third.");
    check_status(book(store, "w-4", "bob", MONDAY, "c-4", 1), ESK_EDOMAIN,
                 "A fourth seat on Monday is refused: the seats your "
                 "book_seat() appended must carry the tags the query reads "
                 "(attendee and day).");
    check_error_code(esk_error_last()->code, BOOKING_DAY_IS_FULL,
                     booking_error_name, "Refused for the day's quota.");
    check_status(book(store, "w-5", "bob", TUESDAY, "c-5", 1), ESK_OK,
                 "Tuesday is another day: Monday's seats do not count.");
    check_status(book(store, "w-4", "cleo", MONDAY, "c-6", 1), ESK_OK,
                 "Bob's quota is his: Cleo may book w-4.");
    esk_store_free(store);
}

static void a_cancelled_seat_frees_the_workshop_and_the_day(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const ws[] = {"w-1", "w-2", "w-3", "w-4"};
    for (int i = 0; i < 4; i++)
        given_workshop(store, ws[i], MONDAY, i == 0 ? 1 : 10);
    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 1), ESK_OK,
                 "Bob's first seat on Monday.");
    check_status(book(store, "w-2", "bob", MONDAY, "c-2", 1), ESK_OK,
                 "His second.");
    check_status(book(store, "w-3", "bob", MONDAY, "c-3", 1), ESK_OK,
                 "His third.");
    given_cancelled(store, "w-1", "bob", MONDAY);
    check_status(book(store, "w-4", "bob", MONDAY, "c-4", 1), ESK_OK,
                 "Bob cancelled w-1: he holds two seats on Monday, not three.");
    check_status(book(store, "w-1", "cleo", MONDAY, "c-5", 1), ESK_OK,
                 "w-1's only seat was given back: Cleo may take it.");
    esk_store_free(store);
}

/* --- book_seat: races ----------------------------------------------------- */

static void a_rival_taking_the_last_seat_makes_the_append_fail(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"cleo"}, *const where[] = {"w-1"};
    rival r = {who, where, 1, MONDAY, 0};
    given_workshop(store, "w-1", MONDAY, 1);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 1), ESK_ECONCURRENCY,
                 "Cleo took the last seat after Bob read: append with the "
                 "condition {the query, the position the read returned}, "
                 "and the store refuses it.");
    check_int(seats_of(store, "w-1", "bob"), 0,
              "A refused append writes nothing: one seat, one person.");
    esk_store_free(store);
}

static void after_a_conflict_the_retry_decides_on_fresh_facts(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"cleo"}, *const where[] = {"w-1"};
    rival r = {who, where, 1, MONDAY, 0};
    given_workshop(store, "w-1", MONDAY, 2);
    given_booked(store, "w-1", "ada", MONDAY);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 3), ESK_EDOMAIN,
                 "Attempt 1 lost to Cleo; attempt 2 must read again and see "
                 "that w-1 is now full.");
    check_error_code(esk_error_last()->code, BOOKING_NO_FREE_SEAT,
                     booking_error_name, "The second decision: no seat.");
    check_int(r.windows, 1,
              "Attempt 1 lost the race; attempt 2 was refused "
              "before it reached the window.");
    check_int(seats_of(store, "w-1", "bob"), 0, "Nothing written for Bob.");
    esk_store_free(store);
}

static void a_retry_that_still_finds_a_seat_books_it(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"cleo"}, *const where[] = {"w-1"};
    rival r = {who, where, 1, MONDAY, 0};
    given_workshop(store, "w-1", MONDAY, 5);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 3), ESK_OK,
                 "Attempt 1 lost to Cleo; attempt 2 reads again, still finds "
                 "a seat, and appends on the condition of its own read.");
    check_int(r.windows, 2, "Two attempts: one lost, one booked.");
    check_int(seats_of(store, "w-1", "bob"), 1, "Bob holds his seat.");
    esk_store_free(store);
}

static void the_same_attendee_booking_elsewhere_conflicts(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"bob"}, *const where[] = {"w-3"};
    rival r = {who, where, 1, MONDAY, 0};
    const char *const ws[] = {"w-1", "w-2", "w-3", "w-4"};
    for (int i = 0; i < 4; i++)
        given_workshop(store, ws[i], MONDAY, 10);
    given_booked(store, "w-1", "bob", MONDAY);
    given_booked(store, "w-2", "bob", MONDAY);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-4", "bob", MONDAY, "c-1", 3), ESK_EDOMAIN,
                 "Bob's phone booked w-3 while his laptop booked w-4: that "
                 "seat is in Bob's day, inside the boundary. The append must "
                 "fail, and the retry sees three seats.");
    check_error_code(esk_error_last()->code, BOOKING_DAY_IS_FULL,
                     booking_error_name, "The second decision: day is full.");
    check_int(seats_of(store, "w-4", "bob"), 0, "Nothing written in w-4.");
    esk_store_free(store);
}

static void an_unrelated_booking_does_not_conflict(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"cleo"}, *const where[] = {"w-2"};
    rival r = {who, where, 1, MONDAY, 0};
    given_workshop(store, "w-1", MONDAY, 5);
    given_workshop(store, "w-2", MONDAY, 5);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 1), ESK_OK,
                 "Cleo booked w-2: neither Bob's workshop nor Bob's day. The "
                 "boundary is the query, not the store: a condition on every "
                 "event would make every booking conflict with every other.");
    check_int(r.windows, 1, "One attempt was enough.");
    check_int(seats_of(store, "w-1", "bob"), 1, "Bob holds his seat.");
    esk_store_free(store);
}

static void the_retry_gives_up_after_max_attempts(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    const char *const who[] = {"c1", "c2", "c3", "c4", "c5"};
    const char *const where[] = {"w-1", "w-1", "w-1", "w-1", "w-1"};
    rival r = {who, where, 5, MONDAY, 0};
    given_workshop(store, "w-1", MONDAY, 6);
    race_window_set_rival(rival_books, &r);

    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 3), ESK_ECONCURRENCY,
                 "Someone gets in first every time: after max_attempts "
                 "attempts, give up with ESK_ECONCURRENCY.");
    check_int(r.windows, 3, "Three attempts, no more, no fewer.");
    check_status(book(store, "w-1", "bob", MONDAY, "c-1", 0), ESK_EINVAL,
                 "max_attempts below 1 is the caller's mistake: refuse it "
                 "with esk_error_set(ESK_EINVAL, ...) before reading "
                 "anything.");
    esk_store_free(store);
}

/* --- Idempotency and tags ------------------------------------------------- */

static void the_same_command_twice_books_once(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_workshop(store, "w-1", MONDAY, 5);
    check_status(book(store, "w-1", "bob", MONDAY, "cmd-7", 1), ESK_OK,
                 "Bob's first try.");
    check_status(book(store, "w-1", "bob", MONDAY, "cmd-7", 1), ESK_OK,
                 "The same command again (a lost reply): it was handled, "
                 "so ESK_OK, not ALREADY_BOOKED. The event's id is the "
                 "command's id.");
    check_int(seats_of(store, "w-1", "bob"), 1, "One seat, not two.");
    check_status(book(store, "w-1", "bob", MONDAY, "cmd-8", 1), ESK_EDOMAIN,
                 "Another command for the same seat is a new booking: "
                 "refused, Bob holds it.");
    check_error_code(esk_error_last()->code, BOOKING_ALREADY_BOOKED,
                     booking_error_name, "Refused: already booked.");
    esk_store_free(store);
}

static void the_booked_seat_carries_its_three_tags(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    esk_event_list last = ESK_EVENT_LIST_INIT;
    given_workshop(store, "w-1", MONDAY, 5);
    check_status(book(store, "w-1", "bob", MONDAY, "cmd-1", 1), ESK_OK,
                 "w-1 has free seats: Bob books one.");
    check_status(esk_store_read_all(store, 1, 0, NULL, &last), ESK_OK,
                 "Reading the store back should work.");
    check_int(last.count, 1, "One event appended for one booking.");
    check_string(last.events[0].event_id, "cmd-1", "Its id: the command's.");
    check_int(last.events[0].tag_count, 3,
              "workshop:w-1, attendee:bob, day:2026-12-07: the facts other "
              "decisions look for.");
    check_string(last.events[0].tags[2], "day:" MONDAY, "The day tag, last.");
    esk_event_list_release(&last);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    /* Each test starts without a rival, even after one that failed. */
#define TEST(f) cmocka_unit_test_setup(f, no_rival)
    const struct CMUnitTest tests[] = {
        TEST(the_query_reads_the_workshop_and_the_attendees_day),
        TEST(the_fold_counts_the_workshops_seats_and_the_attendees_day),
        TEST(a_cancellation_gives_back_the_seat_and_the_days_quota),
        TEST(the_decision_refuses_in_the_order_of_the_rules),
        TEST(capacity_holds_across_workshops),
        TEST(capacity_holds_on_sqlite_too),
        TEST(an_attendee_books_at_most_three_seats_a_day),
        TEST(a_cancelled_seat_frees_the_workshop_and_the_day),
        TEST(a_rival_taking_the_last_seat_makes_the_append_fail),
        TEST(after_a_conflict_the_retry_decides_on_fresh_facts),
        TEST(a_retry_that_still_finds_a_seat_books_it),
        TEST(the_same_attendee_booking_elsewhere_conflicts),
        TEST(an_unrelated_booking_does_not_conflict),
        TEST(the_retry_gives_up_after_max_attempts),
        TEST(the_same_command_twice_books_once),
        TEST(the_booked_seat_carries_its_three_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
