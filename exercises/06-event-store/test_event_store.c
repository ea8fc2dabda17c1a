/*
 * test_event_store.c - the handlers, as a store sees them.
 *
 * Each test runs commands through your handlers, then looks at what is
 * in the store: which stream, which versions, which events. What the
 * handlers return matters, but what they wrote is the truth.
 */
#include <stdio.h>
#include <string.h>

#include <esk/store.h>

#include "exercise.h"
#include "handlers.h"
#include "test_event_store.h"
#include "workshop.h"

esk_store *suite_open_memory_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store should always open.");
    exercise_watch_store(store);
    return store;
}

esk_repository *suite_open_repository(esk_store *store)
{
    esk_repository *repo = NULL;
    check_status(esk_repository_new(&repo, store, &workshop_type, NULL), ESK_OK,
                 "A repository of workshops should always open.");
    return repo;
}

/* How many events the stream holds: 0 when it does not exist. */
static int64_t stream_version(esk_store *store, const char *stream_id)
{
    int64_t version = -1;
    check_status(esk_store_stream_version(store, stream_id, &version), ESK_OK,
                 "Asking the store for a stream's version should work.");
    return version;
}

void suite_expect_handled_at(esk_status rc, esk_status expected,
                             const char *what, const char *hint,
                             const char *file, int line)
{
    if (rc != expected && rc != ESK_ENOTIMPL && esk_errmsg()[0] != '\0')
        print_error("the handler said: %s\n", esk_errmsg());
    exercise_expect_status(rc, expected, what, hint, file, line);
}

void suite_schedule(esk_repository *repo, const char *workshop_id,
                    int64_t capacity)
{
    exercise_say("command: ScheduleWorkshop %s, capacity %lld", workshop_id,
                 (long long)capacity);
    esk_status rc = schedule_workshop(repo, workshop_id, "Event Sourcing 101",
                                      "2026-12-01", capacity, NULL);
    expect_handled(rc, ESK_OK,
                   "schedule_workshop(): esk_aggregate_init() a new workshop, "
                   "workshop_schedule() it, esk_repository_save() it, and "
                   "return ESK_OK.");
}

static esk_status try_register(esk_repository *repo, const char *workshop_id,
                               const char *attendee_id, const char *name)
{
    exercise_say("command: RegisterAttendee %s for %s", attendee_id,
                 workshop_id);
    return register_attendee(repo, workshop_id, attendee_id, name, NULL);
}

void suite_register_ok(esk_repository *repo, const char *workshop_id,
                       const char *attendee_id, const char *name)
{
    esk_status rc = try_register(repo, workshop_id, attendee_id, name);
    expect_handled(rc, ESK_OK,
                   "register_attendee(): esk_repository_load() the workshop, "
                   "workshop_register() the attendee, esk_repository_save() "
                   "it, and return ESK_OK.");
}

/* --- ScheduleWorkshop ----------------------------------------------------- */

static void
scheduling_a_workshop_starts_its_stream_workshop_dash_id(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    suite_schedule(repo, "w-1", 2);
    check_int(stream_version(store, "workshop-w-1"), 1,
              "One stream per workshop, named '<category>-<id>': the "
              "repository takes the category from workshop_type. After "
              "scheduling, the stream holds one event.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void a_scheduled_workshop_loads_back_at_version_1(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    workshop w = {0};

    suite_schedule(repo, "w-1", 2);
    check_status(esk_repository_load(repo, "w-1", &w), ESK_OK,
                 "What was saved can be loaded: the stream's events are "
                 "folded into a new workshop.");
    check_int(w.base.version, 1,
              "One event in the stream: the workshop is at version 1.");
    check_int(w.state.status, WORKSHOP_OPEN,
              "The state comes from the WorkshopScheduled event: save the "
              "workshop that workshop_schedule() raised it on.");
    check_int(w.state.capacity, 2, "The capacity comes from the event too.");

    esk_aggregate_release(&w);
    esk_repository_free(repo);
    esk_store_free(store);
}

static void an_invalid_schedule_is_refused_and_writes_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    esk_status rc = schedule_workshop(repo, "w-1", "Event Sourcing 101",
                                      "2026-12-01", 0, NULL);
    expect_handled(rc, ESK_EDOMAIN,
                   "A capacity of 0 is refused by workshop_schedule(): return "
                   "its status as it is, and do not save.");
    check_int(esk_error_last()->code, INVALID_CAPACITY,
              "The refusal is workshop_schedule()'s, code and message "
              "already in the last error: return its status as it is.");
    check_int(stream_version(store, "workshop-w-1"), 0,
              "A refused command leaves no trace in the store.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void
scheduling_a_workshop_twice_is_refused_and_writes_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    workshop w = {0};

    suite_schedule(repo, "w-1", 2);
    exercise_say("command: ScheduleWorkshop w-1 again");
    esk_status rc =
        schedule_workshop(repo, "w-1", "Another title", "2027-01-15", 5, NULL);
    expect_handled(rc, ESK_EDOMAIN,
                   "A new workshop is saved expecting no stream: when the "
                   "stream exists, the save says ESK_ECONCURRENCY. Answer "
                   "with esk_domain_error(WORKSHOP_ALREADY_SCHEDULED, "
                   "...).");
    check_int(esk_error_last()->code, WORKSHOP_ALREADY_SCHEDULED,
              "The caller needs to know why: the workshop exists.");
    check_contains(esk_errmsg(), "w-1",
                   "Name the workshop in the message: \"workshop 'w-1' exists "
                   "already\".");
    check_int(stream_version(store, "workshop-w-1"), 1,
              "The second schedule must not add an event.");
    check_status(esk_repository_load(repo, "w-1", &w), ESK_OK,
                 "The workshop is still there.");
    check_int(w.state.capacity, 2,
              "The first schedule stands: facts are never overwritten.");

    esk_aggregate_release(&w);
    esk_repository_free(repo);
    esk_store_free(store);
}

/* --- RegisterAttendee ----------------------------------------------------- */

static void a_registration_is_saved_as_version_2(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    esk_event_list stream = ESK_EVENT_LIST_INIT;

    suite_schedule(repo, "w-1", 2);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");

    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading the stream back should work.");
    check_int(stream.count, 2,
              "Load the workshop (version 1), register, save: the save "
              "appends one event, expecting version 1.");
    check_string(stream.events[1].type, "AttendeeRegistered",
                 "A free seat: workshop_register() raises "
                 "AttendeeRegistered.");
    check_contains(stream.events[1].data, "\"attendeeId\":\"ada\"",
                   "The event names who registered.");

    esk_event_list_release(&stream);
    esk_repository_free(repo);
    esk_store_free(store);
}

static void a_registration_sees_the_seats_taken_before_it(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    esk_event_list stream = ESK_EVENT_LIST_INIT;

    suite_schedule(repo, "w-1", 1);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    suite_register_ok(repo, "w-1", "bob", "Bob");

    check_status(esk_store_read_stream(store, "workshop-w-1", 3, 0, &stream),
                 ESK_OK, "Reading the stream back should work.");
    check_int(stream.count, 1, "Three commands, three events.");
    check_string(stream.events[0].type, "AttendeeWaitlisted",
                 "One seat, taken by Ada: Bob waits. The handler knows only "
                 "because the load folded Ada's registration into the "
                 "state.");

    esk_event_list_release(&stream);
    esk_repository_free(repo);
    esk_store_free(store);
}

static void registering_for_a_workshop_never_scheduled_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    esk_status rc = try_register(repo, "w-9", "ada", "Ada Lovelace");
    expect_handled(rc, ESK_EDOMAIN,
                   "esk_repository_load() says ESK_ENOTFOUND for a workshop "
                   "with no events. The handler answers in the domain's "
                   "words: esk_domain_error(WORKSHOP_NOT_SCHEDULED, "
                   "...).");
    check_int(esk_error_last()->code, WORKSHOP_NOT_SCHEDULED,
              "A missing workshop is WORKSHOP_NOT_SCHEDULED.");
    check_int(stream_version(store, "workshop-w-9"), 0,
              "Registering must not create the workshop's stream.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void a_refused_registration_writes_nothing(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    suite_schedule(repo, "w-1", 2);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    esk_status rc = try_register(repo, "w-1", "ada", "Ada Lovelace");
    expect_handled(rc, ESK_EDOMAIN,
                   "workshop_register() refuses a second registration of "
                   "Ada: return its status, and do not save.");
    check_int(esk_error_last()->code, ALREADY_REGISTERED,
              "The refusal is workshop_register()'s, code and message "
              "already in the last error: return its status as it is.");
    check_int(stream_version(store, "workshop-w-1"), 2,
              "A refused command leaves no trace in the store.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void a_save_from_a_stale_load_is_refused(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    workshop stale = {0};

    suite_schedule(repo, "w-1", 1);
    /* Someone loads the workshop at version 1 and takes their time... */
    check_status(esk_repository_load(repo, "w-1", &stale), ESK_OK,
                 "The workshop should load.");
    /* ...while Ada takes the last seat (version 2)... */
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    /* ...then decides, from version 1, that the seat is still free. */
    check_status(workshop_register(&stale, "bob", "Bob"), ESK_OK,
                 "At version 1 the seat looks free.");
    check_status(esk_repository_save(repo, &stale, NULL, NULL),
                 ESK_ECONCURRENCY,
                 "The save expects version 1, and the stream is at 2: the "
                 "expected version is what stops two people taking one "
                 "seat. Exercise 07 retries.");
    check_int(stream_version(store, "workshop-w-1"), 2,
              "Bob's stale registration is not written.");

    esk_aggregate_release(&stale);
    esk_repository_free(repo);
    esk_store_free(store);
}

/* Metadata the store cannot encode: the save fails for a reason that has
 * nothing to do with the workshop. */
static const esk_metadata unreadable_metadata = {.extra = "not json"};

static void
a_failed_save_is_not_mistaken_for_a_workshop_that_exists(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    exercise_say("command: ScheduleWorkshop w-1, with metadata the store "
                 "cannot encode");
    esk_status rc = schedule_workshop(repo, "w-1", "Event Sourcing 101",
                                      "2026-12-01", 2, &unreadable_metadata);
    check_true(esk_error_last()->code != WORKSHOP_ALREADY_SCHEDULED,
               "Nothing was ever scheduled: only ESK_ECONCURRENCY from the "
               "save means that the workshop exists. Any other failure is "
               "the caller's to see as it is.");
    expect_handled(rc, ESK_EINVAL,
                   "The save refused the metadata with ESK_EINVAL: return "
                   "that status unchanged.");
    check_int(stream_version(store, "workshop-w-1"), 0,
              "A failed save writes nothing.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void
a_registration_whose_save_fails_is_released_all_the_same(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);

    suite_schedule(repo, "w-1", 2);
    exercise_say("command: RegisterAttendee ada for w-1, with metadata the "
                 "store cannot encode");
    esk_status rc = register_attendee(repo, "w-1", "ada", "Ada Lovelace",
                                      &unreadable_metadata);
    expect_handled(rc, ESK_EINVAL,
                   "The save refused the metadata with ESK_EINVAL: return "
                   "that status unchanged.");
    check_int(stream_version(store, "workshop-w-1"), 1,
              "A failed save writes nothing. The workshop still holds the "
              "unsaved AttendeeRegistered: esk_aggregate_release() frees it, "
              "on this path too.");

    esk_repository_free(repo);
    esk_store_free(store);
}

static void
a_workshop_whose_events_cannot_be_read_is_not_called_unscheduled(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    const esk_new_event unknown = {
        .event_id = "from-a-newer-server",
        .type = "WorkshopRenamed",
        .schema_version = 1,
        .data = "{\"workshopId\":\"w-1\",\"title\":\"ES 102\"}"};

    suite_schedule(repo, "w-1", 2);
    /* A newer version of the application wrote an event this one does not
     * know: the load cannot fold it. */
    check_status(esk_store_append(store, "workshop-w-1", 1, &unknown, 1, NULL),
                 ESK_OK, "The test's own event should append.");
    esk_status rc = try_register(repo, "w-1", "ada", "Ada Lovelace");
    check_true(esk_error_last()->code != WORKSHOP_NOT_SCHEDULED,
               "The workshop is scheduled; its stream could not be read. "
               "Only ESK_ENOTFOUND from the load means \"not scheduled\": "
               "calling a damaged workshop missing would send the person "
               "away, and hide the fault from whoever must fix it.");
    expect_handled(rc, ESK_EDECODE,
                   "The load says ESK_EDECODE for an event it cannot read: "
                   "return it as it is.");
    check_int(stream_version(store, "workshop-w-1"), 2,
              "A failed load writes nothing.");

    esk_repository_free(repo);
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            scheduling_a_workshop_starts_its_stream_workshop_dash_id),
        cmocka_unit_test(a_scheduled_workshop_loads_back_at_version_1),
        cmocka_unit_test(an_invalid_schedule_is_refused_and_writes_nothing),
        cmocka_unit_test(
            scheduling_a_workshop_twice_is_refused_and_writes_nothing),
        cmocka_unit_test(a_registration_is_saved_as_version_2),
        cmocka_unit_test(a_registration_sees_the_seats_taken_before_it),
        cmocka_unit_test(registering_for_a_workshop_never_scheduled_is_refused),
        cmocka_unit_test(a_refused_registration_writes_nothing),
        cmocka_unit_test(a_save_from_a_stale_load_is_refused),
        cmocka_unit_test(
            a_failed_save_is_not_mistaken_for_a_workshop_that_exists),
        cmocka_unit_test(
            a_registration_whose_save_fails_is_released_all_the_same),
        cmocka_unit_test(
            a_workshop_whose_events_cannot_be_read_is_not_called_unscheduled),
        cmocka_unit_test(the_story_lists_every_event_in_order),
        cmocka_unit_test(the_story_of_a_workshop_never_scheduled_is_not_found),
        cmocka_unit_test(a_story_that_does_not_fit_is_refused_not_overrun),
        cmocka_unit_test(a_story_gives_the_versions_of_its_own_stream),
        cmocka_unit_test(a_story_needs_one_byte_more_than_its_text),
        cmocka_unit_test(the_events_carry_the_metadata_they_were_saved_with),
        cmocka_unit_test(the_same_handlers_tell_the_same_story_on_sqlite),
    };
    return cmocka_run_group_tests_name("06-event-store", tests, NULL, NULL);
}
