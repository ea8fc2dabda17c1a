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
#include "upcasters.h"
#include "workshop.h"

#define SHIPPED_NAME "old_store.db"
#define COPY_NAME "old_store_copy.db"
#define TEXT_SIZE 2048

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

static esk_upcasters *workshop_upcasters(void)
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
    esk_upcasters *upcasters = workshop_upcasters();
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

/* --- The database of releases 1 and 2 ------------------------------------- */

/* Read a whole file; the caller frees it. NULL when it cannot. */
static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *bytes = NULL;
    long length = 0;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (length = ftell(f)) > 0 &&
        fseek(f, 0, SEEK_SET) == 0 &&
        (bytes = malloc((size_t)length)) != NULL &&
        fread(bytes, 1, (size_t)length, f) != (size_t)length) {
        free(bytes);
        bytes = NULL;
    }
    fclose(f);
    *size = (size_t)length;
    return bytes;
}

static bool exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f != NULL)
        fclose(f);
    return f != NULL;
}

/*
 * Where the shipped database is: next to this source file. The reference
 * build compiles a copy of this file in the build tree, so look in the
 * folders above it too, for exercises/13-versioning/old_store.db.
 */
static bool find_shipped(char *path, size_t size)
{
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s", __FILE__);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    snprintf(path, size, "%s/%s", dir, SHIPPED_NAME);
    if (exists(path))
        return true;
    while ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        snprintf(path, size, "%s/exercises/13-versioning/%s", dir,
                 SHIPPED_NAME);
        if (exists(path))
            return true;
    }
    return false;
}

/* The shipped database, as its bytes. */
static unsigned char *shipped_bytes(char *path, size_t path_size, size_t *size)
{
    if (!find_shipped(path, path_size))
        print_error("no %s next to %s, nor in an exercises/13-versioning "
                    "folder above it\n",
                    SHIPPED_NAME, __FILE__);
    check_true(exists(path),
               "The test needs exercises/13-versioning/old_store.db, as it "
               "is in the repository. If it is missing, `git checkout "
               "exercises/13-versioning/old_store.db` brings it back.");
    unsigned char *bytes = read_file(path, size);
    check_true(bytes != NULL, "The shipped database should be readable.");
    return bytes;
}

/* A fresh copy of the shipped database in the working folder, opened as a
 * store. The shipped file is never opened as a store. */
static esk_store *open_copy(const unsigned char *bytes, size_t size)
{
    const char *leftovers[] = {COPY_NAME, COPY_NAME "-wal", COPY_NAME "-shm"};
    for (size_t i = 0; i < 3; i++)
        remove(leftovers[i]);
    FILE *f = fopen(COPY_NAME, "wb");
    check_true(f != NULL && fwrite(bytes, 1, size, f) == size,
               "Writing the copy in the working folder should work.");
    fclose(f);

    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, COPY_NAME, NULL);
    if (rc != ESK_OK)
        print_error("opening the copy said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "The copy of the old store should open.");
    exercise_watch_store(store);
    return store;
}

/* Every stored row of the events table, up to a position, as text. */
static void write_rows(sqlite3 *db, int64_t last_position, char *buf,
                       size_t size)
{
    sqlite3_stmt *stmt = NULL;
    size_t used = 0;
    buf[0] = '\0';
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT position, event_id, stream_id, version, type, "
        "schema_version, data, metadata, recorded_at FROM events "
        "WHERE position <= ?1 ORDER BY position",
        -1, &stmt, NULL);
    check_int(rc, SQLITE_OK, "Reading the events table should work.");
    sqlite3_bind_int64(stmt, 1, last_position);
    while (sqlite3_step(stmt) == SQLITE_ROW && used < size) {
        for (int column = 0; column < 9 && used < size; column++) {
            int n = snprintf(buf + used, size - used, "%s%s",
                             (const char *)sqlite3_column_text(stmt, column),
                             column < 8 ? "|" : "\n");
            used += n > 0 ? (size_t)n : 0;
        }
    }
    sqlite3_finalize(stmt);
}

/* The stored rows of the shipped file, read without writing to it. */
static void write_shipped_rows(const char *path, char *buf, size_t size)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    check_int(rc, SQLITE_OK, "The shipped database opens read-only.");
    write_rows(db, INT64_MAX, buf, size);
    sqlite3_close(db);
}

/* For the narrated demo: the stream as the old releases stored it. */
static void say_stored(esk_store *store)
{
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    if (esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream) == ESK_OK)
        for (size_t i = 0; i < stream.count; i++)
            exercise_say("stored: v%lld %s v%d %s",
                         (long long)stream.events[i].version,
                         stream.events[i].type, stream.events[i].schema_version,
                         stream.events[i].data);
    esk_event_list_release(&stream);
}

static esk_repository *open_repository(esk_store *store,
                                       const esk_upcasters *upcasters)
{
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    options.upcasters = upcasters;
    esk_repository *repo = NULL;
    check_status(esk_repository_new(&repo, store, &workshop_type, &options),
                 ESK_OK, "A repository of workshops should always open.");
    return repo;
}

static void the_workshop_of_release_1_loads_in_release_3(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = workshop_upcasters();
    esk_store *store = open_copy(bytes, size);
    esk_repository *blind = open_repository(store, NULL);
    esk_repository *repo = open_repository(store, upcasters);
    workshop w;

    say_stored(store);
    /* Without upcasters, the v1 events do not decode. */
    esk_status rc = esk_repository_load(blind, "w-1", &w);
    exercise_say("without upcasters: %s", esk_errmsg());
    check_status(rc, ESK_EDECODE,
                 "This release decodes AttendeeRegistered v3 only: without "
                 "upcasters, the stored v1 cannot be read.");
    esk_aggregate_release(&w);

    rc = esk_repository_load(repo, "w-1", &w);
    if (rc != ESK_OK)
        print_error("the repository said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "With your upcasters, every event of w-1 reads as this "
                 "release expects (the message above names the event and "
                 "the step that failed).");
    check_int(w.base.version, 7, "w-1 has seven events.");
    check_int(w.state.seated_count, 3,
              "ada, grace and linus have the three seats (cher cancelled).");
    check_string(w.state.seated[0], "ada", "ada registered first.");
    check_string(w.state.seated[2], "linus",
                 "linus registered with release 2: his v2 went through the "
                 "second step only.");
    check_int(w.state.waitlist_count, 1, "bob waits for a seat.");

    esk_aggregate_release(&w);
    esk_repository_free(blind);
    esk_repository_free(repo);
    esk_store_free(store);
    esk_upcasters_free(upcasters);
    free(bytes);
}

static void every_old_registration_reads_as_v3_with_its_names(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = workshop_upcasters();
    esk_store *store = open_copy(bytes, size);
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    char list[TEXT_SIZE] = "";
    size_t used = 0;

    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading w-1 from the copy works.");
    esk_status rc = esk_upcasters_apply(upcasters, &stream);
    if (rc != ESK_OK)
        print_error("upcasting said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK, "Every event of w-1 upcasts.");

    /* The registration desk's list: one line per registration. */
    for (size_t i = 0; i < stream.count; i++) {
        const esk_event *event = &stream.events[i];
        attendee_registered e;
        if (strcmp(event->type, attendee_registered_type.name) != 0)
            continue;
        rc = esk_codec_decode_event(&attendee_registered_type, event, &e);
        if (rc != ESK_OK)
            print_error("decoding said: %s\n", esk_errmsg());
        check_status(rc, ESK_OK,
                     "Each registration, v1 or v2 when stored, reads as a "
                     "v3 the codec accepts.");
        int n = snprintf(list + used, sizeof(list) - used, "%s|%s|%s|%s|%s\n",
                         e.attendee_id, e.first_name, e.last_name, e.email,
                         e.ticket);
        used += n > 0 ? (size_t)n : 0;
        exercise_say("read as v3: %s|%s|%s|%s|%s", e.attendee_id, e.first_name,
                     e.last_name, e.email, e.ticket);
    }
    check_string(list,
                 "ada|Ada|Lovelace||standard\n"
                 "cher|Cher|||standard\n"
                 "grace|Grace|Brewster Murray Hopper||standard\n"
                 "linus|Linus|Torvalds|linus@example.org|standard\n",
                 "Each line is attendeeId|firstName|lastName|email|ticket. "
                 "The v1 go through both steps; linus's v2 through the "
                 "second only, and keeps his e-mail address.");

    esk_event_list_release(&stream);
    esk_store_free(store);
    esk_upcasters_free(upcasters);
    free(bytes);
}

static void reading_and_writing_never_rewrite_the_stored_events(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = workshop_upcasters();
    esk_store *store = open_copy(bytes, size);
    esk_repository *repo = open_repository(store, upcasters);
    esk_event_list stream = ESK_EVENT_LIST_INIT;
    char shipped_rows[TEXT_SIZE];
    char copy_rows[TEXT_SIZE];
    workshop w;

    /* Release 3 at work on the old workshop: bob gives up waiting, grace
     * cancels, and dee takes her seat. */
    exercise_say("release 3: bob and grace cancel, dee registers");
    const registration_form dee = {"dee", "Dee", "Dee", "dee@example.org",
                                   "early-bird"};
    check_status(esk_repository_load(repo, "w-1", &w), ESK_OK,
                 "With your upcasters, w-1 loads (see the test above).");
    check_status(workshop_cancel(&w, "bob"), ESK_OK,
                 "bob may give up his place on the waitlist.");
    check_status(workshop_cancel(&w, "grace"), ESK_OK,
                 "grace may cancel her seat.");
    check_status(workshop_register(&w, &dee), ESK_OK,
                 "dee may take the free seat.");
    check_status(esk_repository_save(repo, &w, NULL, NULL), ESK_OK,
                 "Saving the three new events works.");
    esk_aggregate_release(&w);

    /* One stream, three layouts of AttendeeRegistered: it still loads. */
    check_status(esk_repository_load(repo, "w-1", &w), ESK_OK,
                 "A stream with v1, v2 and v3 registrations loads: each "
                 "event goes through the steps its version needs.");
    check_int(w.state.seated_count, 3, "ada, linus and dee have the seats.");
    check_string(w.state.seated[2], "dee", "dee took grace's seat.");
    esk_aggregate_release(&w);

    /* The old events, as stored: still v1 and v2, their JSON untouched. */
    check_status(esk_store_read_stream(store, "workshop-w-1", 1, 0, &stream),
                 ESK_OK, "Reading w-1 from the copy works.");
    check_int(stream.count, 10, "Seven old events and three new ones.");
    check_int(stream.events[9].schema_version, 3,
              "This release writes AttendeeRegistered v3.");
    check_int(stream.events[1].schema_version, 1,
              "ada's registration is stored as v1, and stays v1: upcasting "
              "changes what is read, never what is stored.");
    check_string(stream.events[1].data,
                 "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\",\"name\":"
                 "\"Ada Lovelace\"}",
                 "The stored JSON of a v1 is the JSON release 1 wrote. A "
                 "step works on the copy esk reads; it must not reach the "
                 "store.");
    write_shipped_rows(path, shipped_rows, sizeof(shipped_rows));
    write_rows(esk_store_sqlite_db(store), 7, copy_rows, sizeof(copy_rows));
    check_string(copy_rows, shipped_rows,
                 "Every stored row of the old events, id, type, version, "
                 "JSON and time, is the row the old releases wrote.");

    /* And the shipped file is what the repository holds. */
    size_t size_after = 0;
    unsigned char *after = read_file(path, &size_after);
    check_true(after != NULL && size_after == size &&
                   memcmp(after, bytes, size) == 0,
               "The shipped old_store.db is never written: the tests open "
               "a copy of it.");

    free(after);
    esk_event_list_release(&stream);
    esk_repository_free(repo);
    esk_store_free(store);
    esk_upcasters_free(upcasters);
    free(bytes);
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
