/*
 * test_evolve.c - a workshop's state, rebuilt from its events.
 *
 * Each test writes down a workshop's past, one fact at a time
 * (scheduled, registered, waitlisted...), folds it into a state with
 * workshop_fold() and checks the state. On the way every event is written
 * as JSON and read back, as when esk loads a stream from the store.
 */
#include <stdio.h>

#include "exercise.h"
#include "state.h"

/* --- A workshop's past, as its stream holds it ---------------------------- */

#define MAX_EVENTS 24
#define JSON_SIZE 512

/* The recorded events of one workshop's stream, versions 1, 2, 3... */
typedef struct history {
    const char *workshop_id;
    char stream_id[ID_SIZE + 16];
    esk_event events[MAX_EVENTS];
    char json[MAX_EVENTS][JSON_SIZE];
    size_t count;
} history;

/* Record an event after the others, with its JSON as the store keeps it. */
static void record(history *h, const esk_event_type *type, const void *event)
{
    /* Failing here is a mistake in this file, not in yours. */
    assert_true(h->count < MAX_EVENTS);
    snprintf(h->stream_id, sizeof(h->stream_id), "workshop-%s", h->workshop_id);
    char *json = h->json[h->count];
    esk_status rc = esk_codec_encode_to(type, event, json, JSON_SIZE, NULL);
    if (rc != ESK_OK)
        print_error("%s\n", esk_errmsg());
    assert_int_equal(rc, ESK_OK);
    h->count++;
    h->events[h->count - 1] = (esk_event){
        .stream_id = h->stream_id,
        .version = (int64_t)h->count,
        .position = (int64_t)h->count,
        .type = type->name,
        .schema_version = type->schema_version,
        .data = json,
        .metadata = "{}",
    };
}

/* The facts, in the words of the domain. */

static void scheduled(history *h, int64_t capacity)
{
    workshop_scheduled e = {.title = "Event Sourcing 101",
                            .starts_on = "2026-12-01",
                            .capacity = capacity};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    record(h, &workshop_scheduled_type, &e);
}

static void registered(history *h, const char *attendee)
{
    attendee_registered e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee);
    copy_text(e.name, sizeof(e.name), attendee);
    record(h, &attendee_registered_type, &e);
}

static void waitlisted(history *h, const char *attendee)
{
    attendee_waitlisted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee);
    copy_text(e.name, sizeof(e.name), attendee);
    record(h, &attendee_waitlisted_type, &e);
}

static void cancelled(history *h, const char *attendee, bool was_waitlisted)
{
    registration_cancelled e = {.was_waitlisted = was_waitlisted};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee);
    record(h, &registration_cancelled_type, &e);
}

static void promoted(history *h, const char *attendee)
{
    waitlisted_attendee_promoted e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    copy_text(e.attendee_id, sizeof(e.attendee_id), attendee);
    record(h, &waitlisted_attendee_promoted_type, &e);
}

static void closed(history *h, const char *reason)
{
    registration_closed e = {0};
    copy_text(e.workshop_id, sizeof(e.workshop_id), h->workshop_id);
    copy_text(e.reason, sizeof(e.reason), reason);
    record(h, &registration_closed_type, &e);
}

/* The state the history folds to, from scratch. */
static workshop_state fold(const history *h)
{
    workshop_state s;
    esk_status rc = workshop_fold(&s, h->events, h->count);
    if (rc != ESK_OK)
        print_error("workshop_fold said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "Folding these events should always work: the test's "
                 "events are well formed. Does evolve crash or abort?");
    return s;
}

/* --- Checking a state, with messages that name its fields ----------------- */

static const char *status_name(workshop_status status)
{
    switch (status) {
    case WORKSHOP_UNSCHEDULED:
        return "WORKSHOP_UNSCHEDULED";
    case WORKSHOP_OPEN:
        return "WORKSHOP_OPEN";
    case WORKSHOP_CLOSED:
        return "WORKSHOP_CLOSED";
    }
    return "(not a workshop_status)";
}

/* "[ada, bob]": the ids of a list. A count beyond the array says so. */
static void list_text(char *buf, size_t size, const char (*ids)[ID_SIZE],
                      size_t count, size_t max)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < count && i < max && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i > 0 ? ", " : "", ids[i]);
    if (used < size)
        used += (size_t)snprintf(buf + used, size - used, "]");
    if (count > max && used < size)
        snprintf(buf + used, size - used, " (count %zu, but only %zu fit)",
                 count, max);
}

#define LIST_TEXT_SIZE (MAX_SEATS * (ID_SIZE + 2) + 64)

static void expect_seated(const workshop_state *s, const char *expected,
                          const char *hint, const char *file, int line)
{
    char text[LIST_TEXT_SIZE];
    list_text(text, sizeof(text), s->seated, s->seated_count, MAX_SEATS);
    exercise_expect_string(text, expected, "state.seated", hint, file, line);
}

static void expect_waitlist(const workshop_state *s, const char *expected,
                            const char *hint, const char *file, int line)
{
    char text[LIST_TEXT_SIZE];
    list_text(text, sizeof(text), s->waitlist, s->waitlist_count, MAX_WAITING);
    exercise_expect_string(text, expected, "state.waitlist", hint, file, line);
}

static void expect_status(const workshop_state *s, workshop_status expected,
                          const char *hint, const char *file, int line)
{
    exercise_expect_string(status_name(s->status), status_name(expected),
                           "state.status", hint, file, line);
}

static void expect_same_state(const workshop_state *actual,
                              const workshop_state *expected, const char *hint,
                              const char *file, int line)
{
    char text[LIST_TEXT_SIZE];
    expect_status(actual, expected->status, hint, file, line);
    exercise_expect_int(actual->capacity, expected->capacity, "state.capacity",
                        hint, file, line);
    list_text(text, sizeof(text), expected->seated, expected->seated_count,
              MAX_SEATS);
    expect_seated(actual, text, hint, file, line);
    list_text(text, sizeof(text), expected->waitlist, expected->waitlist_count,
              MAX_WAITING);
    expect_waitlist(actual, text, hint, file, line);
}

#define check_seated(state, expected, hint)                                    \
    expect_seated(&(state), (expected), (hint), __FILE__, __LINE__)
#define check_waitlist(state, expected, hint)                                  \
    expect_waitlist(&(state), (expected), (hint), __FILE__, __LINE__)
#define check_workshop_status(state, expected, hint)                           \
    expect_status(&(state), (expected), (hint), __FILE__, __LINE__)
#define check_same_state(actual, expected, hint)                               \
    expect_same_state(&(actual), &(expected), (hint), __FILE__, __LINE__)

/* --- The tests, from the simplest ----------------------------------------- */

static void a_workshop_is_unscheduled_until_it_is_scheduled(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};

    workshop_state s = fold(&h);
    check_workshop_status(s, WORKSHOP_UNSCHEDULED,
                          "No events, no workshop: the zero state is an "
                          "unscheduled workshop.");

    scheduled(&h, 3);
    s = fold(&h);
    check_workshop_status(s, WORKSHOP_OPEN,
                          "WorkshopScheduled opens the workshop: when type "
                          "is &workshop_scheduled_type, set status to "
                          "WORKSHOP_OPEN.");
    check_int(s.capacity, 3,
              "WorkshopScheduled carries the capacity: event points to a "
              "workshop_scheduled; copy its capacity into the state.");
    check_seated(s, "[]", "Scheduling seats nobody.");
}

static void registrations_take_seats_in_order(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 3);
    registered(&h, "ada");
    registered(&h, "bob");

    workshop_state s = fold(&h);
    check_seated(s, "[ada, bob]",
                 "AttendeeRegistered gives the attendee the next seat: add "
                 "its attendee_id to the end of the seated list "
                 "(id_list_add, in state.h).");
    check_waitlist(s, "[]",
                   "A registration is a seat, not a place on the "
                   "waitlist.");
    check_workshop_status(s, WORKSHOP_OPEN,
                          "Registrations leave the workshop open.");
}

static void attendees_wait_in_the_order_they_came(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");
    waitlisted(&h, "cleo");

    workshop_state s = fold(&h);
    check_waitlist(s, "[bob, cleo]",
                   "AttendeeWaitlisted adds the attendee to the end of the "
                   "waitlist: first come, first promoted.");
    check_seated(s, "[ada]",
                 "Waiting is not sitting: the seats stay as "
                 "they were.");
}

static void a_cancellation_frees_a_seat(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 3);
    registered(&h, "ada");
    registered(&h, "bob");
    registered(&h, "cleo");
    cancelled(&h, "bob", false);

    workshop_state s = fold(&h);
    check_seated(s, "[ada, cleo]",
                 "RegistrationCancelled with wasWaitlisted false frees the "
                 "attendee's seat: take them out of the seated list "
                 "(id_list_remove keeps the others in order).");
}

static void
a_cancellation_from_the_waitlist_leaves_the_seats_alone(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");
    waitlisted(&h, "cleo");
    cancelled(&h, "bob", true);

    workshop_state s = fold(&h);
    check_waitlist(s, "[cleo]",
                   "RegistrationCancelled with wasWaitlisted true: the "
                   "attendee leaves the waitlist.");
    check_seated(s, "[ada]",
                 "A cancellation from the waitlist frees no "
                 "seat.");
}

static void a_promotion_gives_the_first_waiter_a_seat(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");
    waitlisted(&h, "cleo");
    cancelled(&h, "ada", false);
    promoted(&h, "bob");

    workshop_state s = fold(&h);
    check_seated(s, "[bob]",
                 "WaitlistedAttendeePromoted gives the attendee a seat: add "
                 "them to the seated list.");
    check_waitlist(s, "[cleo]",
                   "A promoted attendee no longer waits: take them out of "
                   "the waitlist too.");
}

static void a_promotion_seats_the_attendee_it_names(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");
    waitlisted(&h, "cleo");
    cancelled(&h, "ada", false);
    promoted(&h, "cleo"); /* bob let cleo go first */

    workshop_state s = fold(&h);
    check_seated(s, "[cleo]",
                 "WaitlistedAttendeePromoted names who got the seat: seat "
                 "the event's attendee_id, not whoever is first in line. "
                 "Who gets the seat was decided before the event was "
                 "recorded; evolve only writes down what the event says.");
    check_waitlist(s, "[bob]",
                   "The promoted attendee leaves the waitlist wherever they "
                   "stood in it; the others keep their order.");
}

static void closing_keeps_everyone_but_closes_the_workshop(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");
    closed(&h, "trainer");

    workshop_state s = fold(&h);
    check_workshop_status(s, WORKSHOP_CLOSED,
                          "RegistrationClosed closes the workshop: set "
                          "status to WORKSHOP_CLOSED.");
    check_int(s.capacity, 1, "Closing changes no capacity.");
    check_seated(s, "[ada]", "Closing registration sends nobody home.");
    check_waitlist(s, "[bob]", "Closing registration keeps the waitlist.");
}

static void evolve_does_not_check_the_rules_again(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    registered(&h, "bob"); /* recorded, so it happened */

    workshop_state s = fold(&h);
    check_seated(s, "[ada, bob]",
                 "AttendeeRegistered means the attendee got a seat, even if "
                 "the workshop looks full: the rules were checked when it "
                 "was decided (exercise 03), and evolve never checks them "
                 "again. Do not compare with the capacity in evolve.");
    check_waitlist(s, "[]",
                   "Only AttendeeWaitlisted puts someone on the "
                   "waitlist.");

    history promoted_when_full = {.workshop_id = "w-1"};
    scheduled(&promoted_when_full, 1);
    registered(&promoted_when_full, "ada");
    waitlisted(&promoted_when_full, "bob");
    promoted(&promoted_when_full, "bob"); /* recorded, so it happened */

    s = fold(&promoted_when_full);
    check_seated(s, "[ada, bob]",
                 "WaitlistedAttendeePromoted means bob got a seat, even if "
                 "none looks free: the promotion was decided before it was "
                 "recorded. Do not compare with the capacity in evolve, for "
                 "promotions either.");
    check_waitlist(s, "[]", "bob was promoted: he waits no more.");
}

/* An event from the future: a type this workshop has never heard of. */
typedef struct payment_received {
    char workshop_id[ID_SIZE];
    char attendee_id[ID_SIZE];
} payment_received;

static const esk_field payment_received_fields[] = {
    ESK_FIELD_STRING(payment_received, workshop_id, "workshopId"),
    ESK_FIELD_STRING(payment_received, attendee_id, "attendeeId"),
};
static const esk_event_type payment_received_type = ESK_EVENT_TYPE(
    payment_received, "PaymentReceived", 1, payment_received_fields);

static void an_event_with_nothing_to_change_changes_nothing(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 1);
    registered(&h, "ada");
    waitlisted(&h, "bob");

    workshop_state before = fold(&h);
    check_seated(before, "[ada]",
                 "This test starts from a workshop where ada sits and bob "
                 "waits: registrations and waitlisting must work first.");
    check_waitlist(before, "[bob]",
                   "This test starts from a workshop where ada sits and bob "
                   "waits: registrations and waitlisting must work first.");

    cancelled(&h, "zed", false);
    cancelled(&h, "zed", true);
    workshop_state after = fold(&h);
    check_same_state(after, before,
                     "zed never registered, so their cancellation frees "
                     "nothing. The event happened (it is in the stream): "
                     "evolve changes nothing, and neither fails nor "
                     "refuses.");

    const payment_received paid = {"w-1", "ada"};
    workshop_evolve(&after, &payment_received_type, &paid);
    check_same_state(after, before,
                     "An event type evolve does not know (here, a "
                     "PaymentReceived added later) changes nothing: let it "
                     "through quietly, without a reset or an abort.");
}

static void a_long_history_folds_to_the_right_state(void **unused)
{
    (void)unused;
    history h = {.workshop_id = "w-1"};
    scheduled(&h, 3);
    registered(&h, "ada");
    registered(&h, "bob");
    registered(&h, "cleo");
    waitlisted(&h, "dan");
    waitlisted(&h, "eve");
    waitlisted(&h, "finn");
    cancelled(&h, "bob", false);
    promoted(&h, "dan");
    cancelled(&h, "eve", true);
    cancelled(&h, "ada", false);
    promoted(&h, "finn");
    waitlisted(&h, "gus");
    waitlisted(&h, "hal");
    cancelled(&h, "hal", true);
    closed(&h, "deadline");

    workshop_state s = fold(&h);
    check_seated(s, "[cleo, dan, finn]",
                 "Follow the story: bob and ada left their seats, dan and "
                 "finn were promoted into them, in that order.");
    check_waitlist(s, "[gus]",
                   "Follow the story: dan and finn were promoted, eve and "
                   "hal cancelled from the waitlist; gus still waits.");
    check_workshop_status(s, WORKSHOP_CLOSED,
                          "The last event closed registration.");
    check_int(s.capacity, 3, "Only WorkshopScheduled sets the capacity.");
}

static void folding_the_same_history_twice_gives_the_same_state(void **unused)
{
    (void)unused;
    history first = {.workshop_id = "w-1"};
    scheduled(&first, 2);
    registered(&first, "ada");
    registered(&first, "bob");
    waitlisted(&first, "cleo");
    cancelled(&first, "bob", false);
    promoted(&first, "cleo");

    history other = {.workshop_id = "w-2"};
    scheduled(&other, 5);
    registered(&other, "dan");
    closed(&other, "trainer");

    workshop_state once = fold(&first);
    check_seated(once, "[ada, cleo]",
                 "This test needs every event of the earlier tests to "
                 "work: make those pass first.");

    (void)fold(&other);
    workshop_state again = fold(&first);
    check_same_state(again, once,
                     "The same events must give the same state, every time, "
                     "whatever was folded in between: evolve may read only "
                     "the state and the event (no static variables, no "
                     "clock, no random numbers).");
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_workshop_is_unscheduled_until_it_is_scheduled),
        cmocka_unit_test(registrations_take_seats_in_order),
        cmocka_unit_test(attendees_wait_in_the_order_they_came),
        cmocka_unit_test(a_cancellation_frees_a_seat),
        cmocka_unit_test(
            a_cancellation_from_the_waitlist_leaves_the_seats_alone),
        cmocka_unit_test(a_promotion_gives_the_first_waiter_a_seat),
        cmocka_unit_test(a_promotion_seats_the_attendee_it_names),
        cmocka_unit_test(closing_keeps_everyone_but_closes_the_workshop),
        cmocka_unit_test(evolve_does_not_check_the_rules_again),
        cmocka_unit_test(an_event_with_nothing_to_change_changes_nothing),
        cmocka_unit_test(a_long_history_folds_to_the_right_state),
        cmocka_unit_test(folding_the_same_history_twice_gives_the_same_state),
    };
    return cmocka_run_group_tests_name("02-evolve", tests, NULL, NULL);
}
