/*
 * test_versioning.c - the registrations of releases 1 and 2, read by
 * release 3.
 *
 * The first tests run each upcaster on one event's JSON. The last ones
 * open a copy of old_store.db, the event store the earlier releases left
 * behind, and read it the way this release does: through the repository
 * and its upcasters. The shipped file itself is only ever read, never
 * opened as a store: opening a store may upgrade its tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/store.h>

#include "exercise.h"
#include "test_versioning.h"
#include "upcasters.h"
#include "workshop.h"

/* --- One step at a time --------------------------------------------------- */

/* Parse the JSON of an event's data; the test frees it with json_decref. */
static json_t *data_of(const char *text)
{
    json_error_t error;
    json_t *data = json_loads(text, 0, &error);
    check_true(data != NULL, "The test's own JSON should parse.");
    return data;
}

/* Run one step on the data, and say what it said if it failed. */
static esk_status run_step(esk_upcast_fn step, json_t *data)
{
    esk_error_clear();
    esk_status rc = step(data);
    if (rc != ESK_OK && rc != ESK_ENOTIMPL && esk_errmsg()[0] != '\0')
        print_error("the step said: %s\n", esk_errmsg());
    return rc;
}

/* The text of a key of the upcast data: NULL when missing or not a
 * string. */
static const char *text_of(const json_t *data, const char *key)
{
    return json_string_value(json_object_get(data, key));
}

/* The v2 layout, key by key: five keys, no "name". */
static void expect_v2(const json_t *data, const char *first_name,
                      const char *last_name, const char *hint)
{
    check_string(text_of(data, "workshopId"), "w-1",
                 "A step keeps the keys it does not change.");
    check_string(text_of(data, "attendeeId"), "ada",
                 "A step keeps the keys it does not change.");
    check_string(text_of(data, "firstName"), first_name, hint);
    check_string(text_of(data, "lastName"), last_name, hint);
    check_string(text_of(data, "email"), "",
                 "Release 1 never asked for an e-mail address: a v1 becomes "
                 "a v2 with \"email\": \"\" (json_string(\"\")).");
    check_true(json_object_get(data, "name") == NULL,
               "v2 has no \"name\": remove it (json_object_del), last, once "
               "firstName and lastName are set.");
    check_int(json_object_size(data), 5,
              "A v2 registration has exactly five keys: workshopId, "
              "attendeeId, firstName, lastName, email.");
}

/* A v1 registration of ada, with this name, through the first step. */
static void expect_split(const char *name, const char *first_name,
                         const char *last_name, const char *hint)
{
    char text[256];
    snprintf(text, sizeof(text),
             "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\",\"name\":\"%s\"}",
             name);
    json_t *data = data_of(text);
    check_status(run_step(attendee_registered_v1_to_v2, data), ESK_OK, hint);
    expect_v2(data, first_name, last_name, hint);
    json_decref(data);
}

static void a_v1_name_of_two_words_is_a_first_and_a_last_name(void **unused)
{
    (void)unused;
    expect_split("Ada Lovelace", "Ada", "Lovelace",
                 "attendee_registered_v1_to_v2(): the name up to its first "
                 "space is the firstName (json_stringn), what follows the "
                 "space is the lastName.");
}

static void a_v1_name_of_one_word_is_a_first_name(void **unused)
{
    (void)unused;
    expect_split("Cher", "Cher", "",
                 "A name without a space is all first name: strchr(name, ' ') "
                 "is NULL, the firstName is the whole name and the lastName "
                 "is \"\".");
}

static void
a_v1_name_of_several_words_keeps_the_rest_as_last_name(void **unused)
{
    (void)unused;
    expect_split("Grace Brewster Murray Hopper", "Grace",
                 "Brewster Murray Hopper",
                 "Split at the first space only: all that follows it, spaces "
                 "included, is the lastName. (Is that right for every name? "
                 "See the README's questions.)");
}

static void a_v1_registration_without_a_name_is_refused(void **unused)
{
    (void)unused;
    json_t *data = data_of("{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\"}");

    /* Whatever the last error held before, the step must say why now. */
    esk_error_clear();
    esk_status rc = attendee_registered_v1_to_v2(data);
    check_status(rc, ESK_EDECODE,
                 "A v1 without a \"name\" string is not what release 1 "
                 "wrote: refuse it with return esk_error_set(ESK_EDECODE, "
                 "\"...\"), rather than guess a name.");
    check_true(esk_errmsg()[0] != '\0',
               "Say what is wrong: return esk_error_set(ESK_EDECODE, \"a v1 "
               "registration has no name\"), not a bare ESK_EDECODE. esk "
               "quotes it, after the stream and the version of the event.");
    json_decref(data);
}

static void a_v1_name_that_is_not_a_string_is_refused(void **unused)
{
    (void)unused;
    json_t *data =
        data_of("{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\",\"name\":42}");

    esk_status rc = attendee_registered_v1_to_v2(data);
    check_status(rc, ESK_EDECODE,
                 "A \"name\" that is not a string is no name either: "
                 "json_string_value() gives NULL for it, as for a missing "
                 "key. Test the text it gives you, not whether "
                 "json_object_get() found the key, and refuse a NULL with "
                 "esk_error_set(ESK_EDECODE, ...).");
    json_decref(data);
}

static void a_v2_registration_becomes_a_v3_with_a_standard_ticket(void **unused)
{
    (void)unused;
    json_t *data = data_of(
        "{\"workshopId\":\"w-1\",\"attendeeId\":\"linus\",\"firstName\":"
        "\"Linus\",\"lastName\":\"Torvalds\",\"email\":\"linus@example.org\"}");

    check_status(run_step(attendee_registered_v2_to_v3, data), ESK_OK,
                 "attendee_registered_v2_to_v3(): add \"ticket\": "
                 "\"standard\" and return ESK_OK.");
    check_string(text_of(data, "ticket"), "standard",
                 "Before release 3 there were only standard tickets: "
                 "json_object_set_new(data, \"ticket\", "
                 "json_string(\"standard\")).");
    check_string(text_of(data, "email"), "linus@example.org",
                 "The step adds a key and changes nothing else.");
    check_int(json_object_size(data), 6,
              "A v3 registration has six keys: v2's five and ticket.");
    json_decref(data);
}

/* --- The chain ------------------------------------------------------------ */

esk_upcasters *suite_workshop_upcasters(void)
{
    esk_upcasters *upcasters = NULL;
    check_status(esk_upcasters_new(&upcasters), ESK_OK,
                 "An empty registry of upcasters should always be made.");
    check_status(add_workshop_upcasters(upcasters), ESK_OK,
                 "add_workshop_upcasters(): esk_upcasters_add() each step, "
                 "and return ESK_OK.");
    return upcasters;
}

static void a_step_that_cannot_be_added_is_reported(void **unused)
{
    (void)unused;
    esk_upcasters *upcasters = NULL;
    check_status(esk_upcasters_new(&upcasters), ESK_OK,
                 "An empty registry of upcasters should always be made.");
    /* Another part of the program registered the first step already. */
    check_status(esk_upcasters_add(upcasters, "AttendeeRegistered", 1,
                                   attendee_registered_v1_to_v2),
                 ESK_OK, "The test registers the first step.");

    esk_status rc = add_workshop_upcasters(upcasters);
    check_status(rc, ESK_EEXISTS,
                 "esk_upcasters_add() refused the first step (ESK_EEXISTS: "
                 "it is there already), and add_workshop_upcasters() must "
                 "say so: return the first failure, not the status of the "
                 "last call. A registry that silently lacks a step reads "
                 "old events wrongly much later, far from the cause.");
    esk_upcasters_free(upcasters);
}

static void the_chain_reads_a_v1_registration_as_v3(void **unused)
{
    (void)unused;
    esk_upcasters *upcasters = suite_workshop_upcasters();
    esk_store *store = NULL;
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    attendee_registered e;

    check_int(esk_upcasters_target(upcasters, "AttendeeRegistered", 1), 3,
              "Register two steps: from version 1 (to 2) and from version 2 "
              "(to 3). esk chains them: a v1 is read as v3.");

    /* A v1, stored as release 1 stored it. */
    check_status(esk_store_open_memory(&store, NULL), ESK_OK,
                 "An in-memory store always opens.");
    exercise_watch_store(store);
    const esk_new_event v1 = {NULL, "AttendeeRegistered", 1,
                              "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\","
                              "\"name\":\"Ada Lovelace\"}",
                              NULL};
    check_status(esk_store_append(store, "workshop-w-1", ESK_ANY, &v1, 1, NULL),
                 ESK_OK, "Storing a v1 works.");
    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading it back works.");

    esk_status rc = esk_upcasters_apply(upcasters, &stream);
    if (rc != ESK_OK)
        print_error("upcasting said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The chain of steps runs on the stored v1.");
    check_int(stream.events[0].schema_version, 3,
              "After both steps, the event read is a v3.");
    exercise_say("read as v3: %s", stream.events[0].data);
    rc = esk_codec_decode_event(&attendee_registered_type, &stream.events[0],
                                &e);
    if (rc != ESK_OK)
        print_error("decoding said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "What the chain makes of a v1 must be a v3 the codec "
                 "accepts: every field of events.c's table, right kinds.");
    check_string(e.first_name, "Ada", "The v3 has the first name of v1's.");
    check_string(e.last_name, "Lovelace", "The v3 has the last name of v1's.");
    check_string(e.ticket, "standard", "The v3 has a standard ticket.");

    esk_event_list_release(&stream);
    esk_store_free(store);
    esk_upcasters_free(upcasters);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_v1_name_of_two_words_is_a_first_and_a_last_name),
        cmocka_unit_test(a_v1_name_of_one_word_is_a_first_name),
        cmocka_unit_test(
            a_v1_name_of_several_words_keeps_the_rest_as_last_name),
        cmocka_unit_test(a_v1_registration_without_a_name_is_refused),
        cmocka_unit_test(a_v1_name_that_is_not_a_string_is_refused),
        cmocka_unit_test(a_v2_registration_becomes_a_v3_with_a_standard_ticket),
        cmocka_unit_test(a_step_that_cannot_be_added_is_reported),
        cmocka_unit_test(the_chain_reads_a_v1_registration_as_v3),
        cmocka_unit_test(the_workshop_of_release_1_loads_in_release_3),
        cmocka_unit_test(every_old_registration_reads_as_v3_with_its_names),
        cmocka_unit_test(reading_and_writing_never_rewrite_the_stored_events),
    };
    return cmocka_run_group_tests_name("13-versioning", tests, NULL, NULL);
}
