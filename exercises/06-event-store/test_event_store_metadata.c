/*
 * test_event_store_metadata.c - the metadata the events were saved with, and
 * the same handlers on SQLite.
 */
#include "test_event_store.h"

/* --- Metadata, and another store ------------------------------------------ */

void the_events_carry_the_metadata_they_were_saved_with(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    char correlation[64] = "";
    const esk_metadata request = {.correlation_id = "req-7",
                                  .causation_id = "cmd-42"};

    esk_status rc = schedule_workshop(repo, "w-1", "Event Sourcing 101",
                                      "2026-12-01", 2, &request);
    expect_handled(rc, ESK_OK, "schedule_workshop() should succeed.");
    rc = register_attendee(repo, "w-1", "ada", "Ada Lovelace", &request);
    expect_handled(rc, ESK_OK, "register_attendee() should succeed.");

    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading the stream back should work.");
    check_int(stream.count, 2, "Two commands, two events.");
    for (size_t i = 0; i < stream.count; i++) {
        check_status(esk_metadata_get(stream.events[i].metadata,
                                      "correlationId", correlation,
                                      sizeof(correlation)),
                     ESK_OK,
                     "Pass the handler's metadata to esk_repository_save(): "
                     "it is stored with every event, and tells later why "
                     "the event happened.");
        check_string(correlation, "req-7",
                     "The correlation id given to the handler.");
    }

    esk_event_list_release(&stream);
    esk_repository_free(repo);
    esk_store_free(store);
}

void the_same_handlers_tell_the_same_story_on_sqlite(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    char story[STORY_SIZE];

    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    repo = suite_open_repository(store);
    suite_schedule(repo, "w-1", 1);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    check_status(write_story(store, "w-1", story, sizeof(story)), ESK_OK,
                 "write_story() reads through the store's interface: any "
                 "backend will do.");
    check_string(story,
                 "v1 WorkshopScheduled {\"workshopId\":\"w-1\",\"title\":"
                 "\"Event Sourcing 101\",\"startsOn\":\"2026-12-01\","
                 "\"capacity\":1}\n"
                 "v2 AttendeeRegistered {\"workshopId\":\"w-1\","
                 "\"attendeeId\":\"ada\",\"name\":\"Ada Lovelace\"}\n",
                 "The same commands give the same story on every store.");

    esk_repository_free(repo);
    esk_store_free(store);
}
