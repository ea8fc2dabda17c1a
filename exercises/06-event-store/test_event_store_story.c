/*
 * test_event_store_story.c - the story of a workshop: every event of its
 * stream, in order, written into the caller's buffer.
 */
#include "test_event_store.h"

/* --- The story ------------------------------------------------------------ */

void the_story_lists_every_event_in_order(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    char story[STORY_SIZE];

    suite_schedule(repo, "w-1", 1);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    suite_register_ok(repo, "w-1", "bob", "Bob");
    esk_status rc = write_story(store, "w-1", story, sizeof(story));
    check_status(rc, ESK_OK,
                 "write_story(): esk_store_read_stream() the stream "
                 "\"workshop-w-1\" from version 1, and write one line per "
                 "event.");
    check_string(story,
                 "v1 WorkshopScheduled {\"workshopId\":\"w-1\",\"title\":"
                 "\"Event Sourcing 101\",\"startsOn\":\"2026-12-01\","
                 "\"capacity\":1}\n"
                 "v2 AttendeeRegistered {\"workshopId\":\"w-1\","
                 "\"attendeeId\":\"ada\",\"name\":\"Ada Lovelace\"}\n"
                 "v3 AttendeeWaitlisted {\"workshopId\":\"w-1\","
                 "\"attendeeId\":\"bob\",\"name\":\"Bob\"}\n",
                 "One line per event, oldest first: \"v%lld %s %s\\n\" with "
                 "the event's version, type and data.");

    esk_repository_free(repo);
    esk_store_free(store);
}

void the_story_of_a_workshop_never_scheduled_is_not_found(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    char story[STORY_SIZE] = "not written";

    esk_status rc = write_story(store, "w-9", story, sizeof(story));
    check_status(rc, ESK_ENOTFOUND,
                 "The store reads a missing stream as an empty one; a "
                 "workshop without events does not exist: return "
                 "ESK_ENOTFOUND.");
    check_string(story, "", "No workshop, no story: leave buf empty.");

    esk_store_free(store);
}

void a_story_that_does_not_fit_is_refused_not_overrun(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    char area[1024];
    size_t bytes_written_past_size = 0;

    suite_schedule(repo, "w-1", 1);
    /* Give write_story the first 40 bytes: the rest must stay as it is. */
    memset(area, '#', sizeof(area));
    esk_status rc = write_story(store, "w-1", area, 40);
    for (size_t i = 40; i < sizeof(area); i++)
        if (area[i] != '#')
            bytes_written_past_size++;
    check_int(bytes_written_past_size, 0,
              "Never write past size: the bytes after the 40 given belong "
              "to someone else. snprintf(buf + used, size - used, ...) "
              "writes at most size - used bytes; strcat() has no limit.");
    check_status(rc, ESK_EINVAL,
                 "The first line alone is longer than 40 bytes: say so with "
                 "ESK_EINVAL. snprintf() returns the length it wanted to "
                 "write: compare it with the room left.");
    check_true(memchr(area, '\0', 40) != NULL,
               "What fits is written and ends with a NUL, inside the 40 "
               "bytes.");

    esk_repository_free(repo);
    esk_store_free(store);
}

void a_story_gives_the_versions_of_its_own_stream(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    char story[STORY_SIZE];

    suite_schedule(repo, "w-1", 2);
    suite_schedule(repo, "w-2", 1);
    suite_register_ok(repo, "w-2", "ada", "Ada Lovelace");
    check_status(write_story(store, "w-2", story, sizeof(story)), ESK_OK,
                 "write_story() should tell the story of w-2.");
    check_string(story,
                 "v1 WorkshopScheduled {\"workshopId\":\"w-2\",\"title\":"
                 "\"Event Sourcing 101\",\"startsOn\":\"2026-12-01\","
                 "\"capacity\":1}\n"
                 "v2 AttendeeRegistered {\"workshopId\":\"w-2\","
                 "\"attendeeId\":\"ada\",\"name\":\"Ada Lovelace\"}\n",
                 "w-2's events are at positions 2 and 3 of the whole store, "
                 "but at versions 1 and 2 of their stream: print "
                 "e->version, the place in the workshop's own story, not "
                 "e->position.");

    esk_repository_free(repo);
    esk_store_free(store);
}

void a_story_needs_one_byte_more_than_its_text(void **state)
{
    (void)state;
    esk_store *store = suite_open_memory_store();
    esk_repository *repo = suite_open_repository(store);
    char whole[STORY_SIZE];
    char story[STORY_SIZE];

    suite_schedule(repo, "w-1", 1);
    suite_register_ok(repo, "w-1", "ada", "Ada Lovelace");
    check_status(write_story(store, "w-1", whole, sizeof(whole)), ESK_OK,
                 "write_story() should tell the story in a large buffer.");
    size_t length = strlen(whole);

    check_status(write_story(store, "w-1", story, length), ESK_EINVAL,
                 "A buffer as long as the text has no room for its NUL: "
                 "snprintf() wrote all but the last '\\n'. It returns the "
                 "length without the NUL, so the line fits only when that "
                 "length is less than the room left (>=, not >, means it "
                 "does not fit).");
    check_status(write_story(store, "w-1", story, length + 1), ESK_OK,
                 "One byte more than the text, for the NUL, is enough.");
    check_string(story, whole,
                 "The whole story, in exactly the room it needs.");

    esk_repository_free(repo);
    esk_store_free(store);
}
