/*
 * test_versioning_old_database.c - the database of releases 1 and 2, read by
 * release 3: every old registration as v3, and no stored event ever rewritten.
 */
#include "test_versioning.h"

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

void the_workshop_of_release_1_loads_in_release_3(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = suite_workshop_upcasters();
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

void every_old_registration_reads_as_v3_with_its_names(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = suite_workshop_upcasters();
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

void reading_and_writing_never_rewrite_the_stored_events(void **unused)
{
    (void)unused;
    char path[1024];
    size_t size = 0;
    unsigned char *bytes = shipped_bytes(path, sizeof(path), &size);
    esk_upcasters *upcasters = suite_workshop_upcasters();
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
