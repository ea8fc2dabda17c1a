/*
 * test_aggregate_in_a_store.c - the aggregate in an event store, as a
 * consistency boundary.
 */
#include "test_aggregate.h"

/* --- In an event store: the aggregate as a consistency boundary ---------- */

/* A behaviour that must succeed; when it does not, what it said. */
static void expect_accepted(esk_status rc, const char *what, const char *hint,
                            const char *file, int line)
{
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the workshop said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

#define check_accepted(call, hint)                                             \
    expect_accepted((call), #call, (hint), __FILE__, __LINE__)

static void expect_stored(esk_status rc, const char *what, const char *hint,
                          const char *file, int line)
{
    if (rc != ESK_OK)
        print_error("the repository said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

#define check_stored(call, hint)                                               \
    expect_stored((call), #call, (hint), __FILE__, __LINE__)

void a_workshop_is_saved_as_events_and_loaded_from_them(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    workshop w;

    /* Monday: the trainer schedules workshop w-1, with two seats. */
    exercise_say("Monday: schedule w-1, 2 seats");
    check_status(esk_aggregate_init(&w, &workshop_type, "w-1"), ESK_OK,
                 "A new aggregate starts empty: esk_aggregate_init.");
    check_accepted(workshop_schedule(&w, "Event Sourcing 101", "2026-12-01", 2),
                   "Scheduling a new workshop with 2 seats works.");
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store always opens.");
    exercise_watch_store(store);
    check_status(esk_repository_new(&repo, store, &workshop_type, NULL), ESK_OK,
                 "The repository accepts workshop_type.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Saving appends the raised events to stream workshop-w-1.");
    esk_aggregate_release(&w);

    /* Tuesday: three registrations, each on the workshop as loaded. */
    exercise_say("Tuesday: ada, bob and cleo register");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_register(&w, "ada", "Ada Lovelace"),
                   "ada takes the first of two seats.");
    check_accepted(workshop_register(&w, "bob", "Bob Kahn"),
                   "bob takes the second seat.");
    check_accepted(workshop_register(&w, "cleo", "Cleo Laine"),
                   "cleo registers for a full workshop: she waits.");
    check_string(suite_pending_name(&w, 2), "AttendeeWaitlisted",
                 "Each behaviour sees the state its earlier events left: "
                 "after ada and bob, no seat is free for cleo.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Three events raised, three events saved.");
    esk_aggregate_release(&w);

    /* Wednesday: bob cancels, and cleo gets his seat. */
    exercise_say("Wednesday: bob cancels, cleo is promoted");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_cancel(&w, "bob"),
                   "bob has a seat: he may cancel it.");
    check_accepted(workshop_promote_from_waitlist(&w),
                   "bob's seat is free and cleo waits: the cancellation's "
                   "event must have freed the seat in the state.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Two more events saved.");
    esk_aggregate_release(&w);

    /* Thursday: the workshop is what its six events say. */
    exercise_say("Thursday: load w-1 again from its events");
    check_stored(esk_repository_load(repo, "w-1", &w),
                 "Loading folds the stream into a workshop.");
    check_int(w.base.version, 6,
              "Scheduled, 3 registrations, a cancellation and a promotion: "
              "each behaviour raises exactly one event.");
    check_int(w.state.seated_count, 2,
              "ada and cleo have the two seats once the stream is folded.");
    check_string(w.state.seated[1], "cleo",
                 "cleo was promoted into the seat bob freed.");
    check_int(w.state.waitlist_count, 0, "Nobody waits any more.");
    esk_aggregate_release(&w);

    esk_repository_free(repo);
    esk_store_free(store);
}

void two_registrations_for_the_last_seat_cannot_both_win(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    workshop w;
    workshop for_ada;
    workshop for_bob;

    /* The trainer schedules workshop w-1, with one seat. */
    exercise_say("schedule w-1, 1 seat");
    check_status(esk_aggregate_init(&w, &workshop_type, "w-1"), ESK_OK,
                 "A new aggregate starts empty: esk_aggregate_init.");
    check_accepted(workshop_schedule(&w, "Event Sourcing 101", "2026-12-01", 1),
                   "Scheduling a new workshop with 1 seat works.");
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store always opens.");
    exercise_watch_store(store);
    check_status(esk_repository_new(&repo, store, &workshop_type, NULL), ESK_OK,
                 "The repository accepts workshop_type.");
    check_stored(esk_repository_save(repo, &w, NULL, NULL),
                 "Saving appends WorkshopScheduled to workshop-w-1.");
    esk_aggregate_release(&w);

    /* ada and bob open the page at the same moment: two copies of the
     * workshop at version 1, each with one free seat. */
    exercise_say("ada and bob both load w-1 at version 1, both register");
    check_stored(esk_repository_load(repo, "w-1", &for_ada),
                 "Loading folds the stream into a workshop.");
    check_stored(esk_repository_load(repo, "w-1", &for_bob),
                 "Loading folds the stream into a workshop.");
    check_accepted(workshop_register(&for_ada, "ada", "Ada Lovelace"),
                   "ada's copy has a free seat.");
    check_accepted(workshop_register(&for_bob, "bob", "Bob Kahn"),
                   "bob's copy has a free seat too: it cannot know about "
                   "ada.");
    check_string(suite_pending_name(&for_bob, 0), "AttendeeRegistered",
                 "bob's copy still shows the seat free.");

    check_stored(esk_repository_save(repo, &for_ada, NULL, NULL),
                 "The first save wins: the stream is at version 2 now.");
    esk_status rc = esk_repository_save(repo, &for_bob, NULL, NULL);
    exercise_say("ada saved first; bob's save: %s", esk_status_str(rc));
    check_status(rc, ESK_ECONCURRENCY,
                 "bob's copy was loaded at version 1; the stream moved on. "
                 "The store refuses the save, so the last seat cannot be "
                 "sold twice: one aggregate, one stream, one version.");

    /* bob tries again, on the workshop as it is now. */
    exercise_say("bob loads w-1 again and registers once more");
    esk_aggregate_release(&for_bob);
    check_stored(esk_repository_load(repo, "w-1", &for_bob),
                 "Loading again folds ada's registration in.");
    check_accepted(workshop_register(&for_bob, "bob", "Bob Kahn"),
                   "bob may register: he joins the waitlist.");
    check_string(suite_pending_name(&for_bob, 0), "AttendeeWaitlisted",
                 "Loaded again, the workshop is full: the same command now "
                 "puts bob on the waitlist.");
    check_stored(esk_repository_save(repo, &for_bob, NULL, NULL),
                 "This time the save expects the right version.");

    esk_aggregate_release(&for_ada);
    esk_aggregate_release(&for_bob);
    esk_repository_free(repo);
    esk_store_free(store);
}
