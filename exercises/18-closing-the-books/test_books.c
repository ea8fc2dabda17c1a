/*
 * test_books.c - a workshop's first period, closed with its summary, and
 * the second period, opened from it.
 *
 * The story: w-1 has 2 seats. Ada and Bob take them, Cy waits. The period
 * ends: its stream is closed with the summary, the next stream starts
 * from it, and life goes on there (Ada cancels, Cy is promoted).
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>
#include <esk/store.h>

#include "books.h"
#include "exercise.h"

/* --- The first period, appended as the workshop's decider would ---------- */

static esk_store *open_store(bool sqlite)
{
    esk_store *store = NULL;
    esk_status rc = sqlite ? esk_store_open_sqlite(&store, ":memory:", NULL)
                           : esk_store_open_memory(&store, NULL);
    check_status(rc, ESK_OK, "A store in memory should always open.");
    exercise_watch_store(store);
    return store;
}

static void append_event(esk_store *store, int64_t period,
                         const esk_event_type *type, const void *event)
{
    char data[1024], stream[BOOKS_STREAM_SIZE];
    check_status(esk_codec_encode_to(type, event, data, sizeof(data), NULL),
                 ESK_OK, "The test's events should encode.");
    books_stream_id("w-1", period, stream);
    esk_new_event e = {.type = type->name,
                       .schema_version = type->schema_version,
                       .data = data};
    check_status(esk_store_append(store, stream, ESK_ANY, &e, 1, NULL), ESK_OK,
                 "The test's own events should append.");
}

static void registered(esk_store *store, int64_t period, const char *who)
{
    attendee_registered r;
    memset(&r, 0, sizeof(r));
    copy_text(r.workshop_id, ID_SIZE, "w-1");
    copy_text(r.attendee_id, ID_SIZE, who);
    copy_text(r.name, NAME_SIZE, who);
    append_event(store, period, &attendee_registered_type, &r);
}

/* Period 1: scheduled with 2 seats, Ada and Bob seated, Cy waiting. */
static void given_first_period(esk_store *store)
{
    workshop_scheduled s;
    memset(&s, 0, sizeof(s));
    copy_text(s.workshop_id, ID_SIZE, "w-1");
    copy_text(s.title, TITLE_SIZE, "Event Sourcing 101");
    copy_text(s.starts_on, DATE_SIZE, "2026-12-07");
    s.capacity = 2;
    append_event(store, 1, &workshop_scheduled_type, &s);
    registered(store, 1, "ada");
    registered(store, 1, "bob");
    attendee_waitlisted w;
    memset(&w, 0, sizeof(w));
    copy_text(w.workshop_id, ID_SIZE, "w-1");
    copy_text(w.attendee_id, ID_SIZE, "cy");
    copy_text(w.name, NAME_SIZE, "Cy");
    append_event(store, 1, &attendee_waitlisted_type, &w);
}

static bool closed(esk_store *store, int64_t period)
{
    char stream[BOOKS_STREAM_SIZE];
    books_stream_id("w-1", period, stream);
    bool is_closed = false;
    check_status(esk_store_stream_closed(store, stream, &is_closed), ESK_OK,
                 "Asking whether a stream is closed should work.");
    return is_closed;
}

static void load(esk_store *store, int64_t period, workshop_state *state,
                 int64_t *version)
{
    check_status(books_load_period(store, "w-1", period, state, version),
                 ESK_OK, "books_load_period should load an existing period.");
}

/* Where it matters, two states are the same: decisions made on one would
 * be made on the other. */
static void check_same_state(const workshop_state *got,
                             const workshop_state *want)
{
    check_int(got->status, want->status,
              "The status (open or closed to registrations) must carry over.");
    check_int(got->capacity, want->capacity, "The capacity must carry over.");
    check_int(got->seated_count, want->seated_count,
              "Everyone who holds a seat must carry over.");
    for (size_t i = 0; i < want->seated_count; i++)
        check_string(got->seated[i], want->seated[i],
                     "The seated, in their order of arrival.");
    check_int(got->waitlist_count, want->waitlist_count,
              "Everyone on the waitlist must carry over.");
    for (size_t i = 0; i < want->waitlist_count; i++)
        check_string(got->waitlist[i], want->waitlist[i],
                     "The waitlist in its order: who waited longest first.");
}

/* Close period 1 and open period 2, both expected to work. */
static void roll_over(esk_store *store)
{
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "books_close_period should close an open period.");
    check_status(books_open_next_period(store, "w-1", 1), ESK_OK,
                 "books_open_next_period should open the period after a "
                 "closed one.");
}

/* --- Loading and summing up ---------------------------------------------- */

static void loading_a_period_folds_its_stream(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    workshop_state s;
    int64_t version = 0;
    load(store, 1, &s, &version);
    check_int(version, 4, "Period 1 holds four events: its version is 4.");
    check_int(s.capacity, 2, "WorkshopScheduled set the capacity to 2.");
    check_int(s.seated_count, 2, "Ada and Bob are seated.");
    check_int(s.waitlist_count, 1, "Cy waits.");
    check_status(books_load_period(store, "w-1", 7, &s, &version),
                 ESK_ENOTFOUND,
                 "A period whose stream does not exist is ESK_ENOTFOUND "
                 "(esk_error_set), not an empty workshop.");
    esk_store_free(store);
}

static void the_summary_keeps_what_the_next_period_decides_on(void **state)
{
    (void)state;
    workshop_state s = {.status = WORKSHOP_OPEN, .capacity = 2};
    id_list_add(s.seated, &s.seated_count, MAX_SEATS, "ada");
    id_list_add(s.seated, &s.seated_count, MAX_SEATS, "bob");
    id_list_add(s.waitlist, &s.waitlist_count, MAX_WAITING, "cy");
    id_list_add(s.waitlist, &s.waitlist_count, MAX_WAITING, "dee");
    period_summary sum;
    /* Leftovers of an earlier use, which books_summarize must not keep. */
    memset(&sum, 0, sizeof(sum));
    copy_text(sum.workshop_id, ID_SIZE, "old");
    for (size_t i = 0; i < MAX_SEATS; i++)
        copy_text(sum.seated[i], ID_SIZE, "old");
    books_summarize(&s, "w-1", 1, &sum);
    check_string(sum.workshop_id, "w-1", "The summary names its workshop.");
    check_int(sum.period, 1, "The summary names the period it closes.");
    check_true(sum.open, "An open workshop's summary says open.");
    check_int(sum.capacity, 2, "The capacity is a fact the next period needs.");
    check_int(sum.seated_count, 2, "Who holds a seat: Ada and Bob.");
    check_string(sum.seated[1], "bob", "The seated, in order.");
    check_int(sum.waitlist_count, 2, "Who waits: Cy, then Dee.");
    check_string(sum.waitlist[0], "cy",
                 "The waitlist in order: the next freed seat goes to Cy.");
    check_string(sum.waitlist[1], "dee", "Dee waits behind Cy.");
    check_string(sum.seated[2], "",
                 "Zero the summary first: no garbage past the lists.");
}

static void a_closed_workshops_summary_says_closed(void **state)
{
    (void)state;
    workshop_state s = {.status = WORKSHOP_CLOSED, .capacity = 5};
    period_summary sum;
    books_summarize(&s, "w-1", 3, &sum);
    check_true(!sum.open,
               "Registration closed in the old period stays closed: open is "
               "false unless the status is WORKSHOP_OPEN.");
    check_int(sum.capacity, 5, "The capacity, also when closed.");
}

/* --- Closing ------------------------------------------------------------- */

static void closing_ends_the_stream_with_its_summary(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "books_close_period should close an open period.");
    check_true(closed(store, 1),
               "After the close the stream is closed: use "
               "esk_store_close_stream(), not esk_store_append().");
    esk_event_list last = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_stream_backward(store, "workshop-w-1.p1",
                                                ESK_END, 1, &last),
                 ESK_OK, "Reading the closed stream back should work.");
    check_string(last.events[0].type, "WorkshopPeriodClosed",
                 "The closed stream's last event is its summary.");
    check_int(last.events[0].version, 5, "Appended after the four events.");
    period_summary sum;
    check_status(
        esk_codec_decode_event(&period_closed_type, &last.events[0], &sum),
        ESK_OK, "The summary decodes.");
    check_int(sum.seated_count, 2,
              "The summary is the period's end state: two seated.");
    check_string(sum.waitlist[0], "cy", "And Cy waiting.");
    esk_event_list_release(&last);
    esk_store_free(store);
}

static void an_append_to_a_closed_period_is_refused(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "books_close_period should close an open period.");
    esk_new_event late = {.type = "AttendeeRegistered",
                          .schema_version = 1,
                          .data = "{\"workshopId\":\"w-1\","
                                  "\"attendeeId\":\"eve\",\"name\":\"Eve\"}"};
    check_status(
        esk_store_append(store, "workshop-w-1.p1", ESK_ANY, &late, 1, NULL),
        ESK_ECLOSED,
        "A registration sent to the old period after its close is refused "
        "with ESK_ECLOSED: the summary is final.");
    check_status(books_close_period(store, "w-1", 1), ESK_ECLOSED,
                 "Closing again is ESK_ECLOSED: pass on what "
                 "esk_store_close_stream() said.");
    esk_store_free(store);
}

static void closing_keeps_every_position_in_the_feed(void **state)
{
    (void)state;
    esk_store *store = open_store(true);
    given_first_period(store);
    roll_over(store);
    esk_event_list all = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_all(store, 0, 0, NULL, &all), ESK_OK,
                 "Reading the feed should work.");
    check_int(all.count, 6,
              "Four events, the summary closing period 1 and the one opening "
              "period 2: nothing is deleted.");
    for (size_t i = 0; i < all.count; i++)
        check_int(all.events[i].position, (int64_t)i + 1,
                  "Every position stays: projections keep their checkpoints.");
    check_string(all.events[5].stream_id, "workshop-w-1.p2",
                 "The last event opens period 2.");
    esk_event_list_release(&all);
    esk_store_free(store);
}

/* --- Opening ------------------------------------------------------------- */

static void the_next_period_starts_where_the_old_one_ended(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    workshop_state before, after;
    int64_t version = 0;
    load(store, 1, &before, &version);
    roll_over(store);
    load(store, 2, &after, &version);
    check_int(version, 1,
              "Period 2 holds one event: the WorkshopPeriodOpened.");
    check_same_state(&after, &before);
    esk_store_free(store);
}

static void life_goes_on_in_the_next_period(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    roll_over(store);
    registration_cancelled c = {.was_waitlisted = false};
    copy_text(c.workshop_id, ID_SIZE, "w-1");
    copy_text(c.attendee_id, ID_SIZE, "ada");
    append_event(store, 2, &registration_cancelled_type, &c);
    waitlisted_attendee_promoted p;
    memset(&p, 0, sizeof(p));
    copy_text(p.workshop_id, ID_SIZE, "w-1");
    copy_text(p.attendee_id, ID_SIZE, "cy");
    append_event(store, 2, &waitlisted_attendee_promoted_type, &p);
    workshop_state s;
    int64_t version = 0;
    load(store, 2, &s, &version);
    check_int(s.seated_count, 2, "Ada left and Cy came in: two seated.");
    check_string(s.seated[0], "bob",
                 "Bob's seat came from the summary; the events after it go "
                 "through books_evolve_recorded().");
    check_string(s.seated[1], "cy", "Cy was promoted from the waitlist.");
    check_int(s.waitlist_count, 0, "Nobody waits any more.");
    esk_store_free(store);
}

/* Copy one stream's events, as stored, into another store. */
static void copy_stream(esk_store *from, esk_store *to, const char *stream)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    check_status(esk_store_read_stream(from, stream, 1, 0, &list), ESK_OK,
                 "Reading the stream to copy should work.");
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        esk_new_event n = {e->event_id, e->type, e->schema_version, e->data,
                           e->metadata};
        check_status(esk_store_append(to, stream, ESK_ANY, &n, 1, NULL), ESK_OK,
                     "Copying an event should work.");
    }
    esk_event_list_release(&list);
}

static void loading_the_next_period_never_reads_the_old_one(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    roll_over(store);
    workshop_state here;
    int64_t version = 0;
    load(store, 2, &here, &version);
    /* The old period archived away: in this store its stream holds only
     * a marker saying where it went, which no fold can read. */
    esk_store *archive = open_store(false);
    esk_new_event moved = {.type = "PeriodArchived",
                           .schema_version = 1,
                           .data = "{\"to\":\"cold-storage\"}"};
    check_status(esk_store_close_stream(archive, "workshop-w-1.p1",
                                        ESK_NO_STREAM, &moved, 1, NULL),
                 ESK_OK, "The archive marker should append.");
    copy_stream(store, archive, "workshop-w-1.p2");
    workshop_state there;
    check_status(books_load_period(archive, "w-1", 2, &there, &version), ESK_OK,
                 "Period 2 must load from its own stream alone: the old one "
                 "is archived, and reading it finds only a marker that "
                 "books_evolve_recorded() refuses.");
    check_same_state(&there, &here);
    check_int(there.seated_count, 2,
              "The seats come from the WorkshopPeriodOpened's summary.");
    esk_store_free(archive);
    esk_store_free(store);
}

static void opening_twice_opens_once(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    roll_over(store);
    check_status(books_open_next_period(store, "w-1", 1), ESK_OK,
                 "Opening again (a retry) must succeed as a replay: give the "
                 "event the id \"opened-workshop-w-1.p2\".");
    int64_t version = 0;
    check_status(esk_store_stream_version(store, "workshop-w-1.p2", &version),
                 ESK_OK, "Reading the version should work.");
    check_int(version, 1, "Still one WorkshopPeriodOpened in period 2.");
    esk_store_free(store);
}

static void opening_before_closing_is_refused(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    check_status(books_open_next_period(store, "w-1", 1), ESK_EDOMAIN,
                 "Period 1 is still open: the next period cannot start "
                 "(esk_store_stream_closed(), then esk_domain_error()).");
    check_error_code(esk_error_last()->code, BOOKS_PERIOD_NOT_CLOSED,
                     books_error_name, "The code says why.");
    int64_t version = -1;
    check_status(esk_store_stream_version(store, "workshop-w-1.p2", &version),
                 ESK_OK, "Reading the version should work.");
    check_int(version, 0, "Nothing was appended to period 2.");
    esk_store_free(store);
}

static void a_crash_between_close_and_open_is_recovered(void **state)
{
    (void)state;
    esk_store *store = open_store(true);
    given_first_period(store);
    workshop_state before, after;
    int64_t version = 0;
    load(store, 1, &before, &version);
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "books_close_period should close an open period.");
    /* The open is lost: the process died before its commit. */
    check_status(esk_store_begin(store), ESK_OK, "A transaction begins.");
    check_status(books_open_next_period(store, "w-1", 1), ESK_OK,
                 "books_open_next_period should open period 2.");
    check_status(esk_store_rollback(store), ESK_OK, "The crash: rolled back.");
    check_true(closed(store, 1), "Period 1 stays closed with its summary.");
    check_status(books_load_period(store, "w-1", 2, &after, &version),
                 ESK_ENOTFOUND, "Period 2 does not exist yet.");
    check_status(books_open_next_period(store, "w-1", 1), ESK_OK,
                 "Opening again after the crash works from the summary that "
                 "waits in the closed stream.");
    load(store, 2, &after, &version);
    check_same_state(&after, &before);
    esk_store_free(store);
}

static void a_close_rolled_back_leaves_the_period_open(void **state)
{
    (void)state;
    esk_store *store = open_store(false);
    given_first_period(store);
    check_status(esk_store_begin(store), ESK_OK, "A transaction begins.");
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "books_close_period should close an open period.");
    check_status(esk_store_rollback(store), ESK_OK, "Rolled back.");
    check_true(!closed(store, 1), "The close went with the rollback.");
    workshop_state s;
    int64_t version = 0;
    load(store, 1, &s, &version);
    check_int(version, 4, "And so did the summary.");
    check_status(books_close_period(store, "w-1", 1), ESK_OK,
                 "Closing once more works.");
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading_a_period_folds_its_stream),
        cmocka_unit_test(the_summary_keeps_what_the_next_period_decides_on),
        cmocka_unit_test(a_closed_workshops_summary_says_closed),
        cmocka_unit_test(closing_ends_the_stream_with_its_summary),
        cmocka_unit_test(an_append_to_a_closed_period_is_refused),
        cmocka_unit_test(closing_keeps_every_position_in_the_feed),
        cmocka_unit_test(the_next_period_starts_where_the_old_one_ended),
        cmocka_unit_test(life_goes_on_in_the_next_period),
        cmocka_unit_test(loading_the_next_period_never_reads_the_old_one),
        cmocka_unit_test(opening_twice_opens_once),
        cmocka_unit_test(opening_before_closing_is_refused),
        cmocka_unit_test(a_crash_between_close_and_open_is_recovered),
        cmocka_unit_test(a_close_rolled_back_leaves_the_period_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
