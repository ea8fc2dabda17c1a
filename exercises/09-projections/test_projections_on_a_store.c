/*
 * test_projections_on_a_store.c - everything together: events appended to a
 * store, and the read model kept in step by inline projections.
 */
#include "test_projections.h"

/* --- Everything together: events appended, read model in step ------------- */

static void append(esk_store *store, const char *workshop_id,
                   const esk_event_type *type, const void *event)
{
    char stream[ID_SIZE + 16];
    char *json = NULL;
    check_status(esk_codec_encode(type, event, &json), ESK_OK,
                 "The test's event should encode.");
    const esk_new_event e = {.type = type->name,
                             .schema_version = type->schema_version,
                             .data = json};
    esk_status rc = esk_store_append(
        store, suite_stream_of(workshop_id, stream, sizeof(stream)), ESK_ANY,
        &e, 1, NULL);
    esk_free(json);
    if (rc != ESK_OK)
        print_error("the store said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The append runs the inline projections, in its own "
                 "transaction: when one of your handlers fails, the append "
                 "fails and nothing is written (the store's message says "
                 "which handler and why).");
}

/* The catalogue's one row, as "seats left|waiting". */
static void catalogue_line(esk_read_model *read_model, char *buf, size_t size)
{
    catalogue_entry entries[2];
    size_t count = 0;
    expect_query_ok(catalogue_list(read_model, entries, 2, &count),
                    "The catalogue query should answer.");
    check_int(count, 1, "One workshop in the catalogue.");
    snprintf(buf, size, "%lld|%lld", (long long)entries[0].seats_left,
             (long long)entries[0].waitlist_length);
}

void inline_projections_keep_the_read_model_in_step_with_the_events(
    void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_read_model *read_model = NULL;
    char line[64];
    agenda_entry agenda[2];
    size_t count = 0;

    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    check_status(esk_projection_attach_inline(store, &catalogue_projection),
                 ESK_OK, "The catalogue projection should attach.");
    check_status(esk_projection_attach_inline(store, &agenda_projection),
                 ESK_OK, "The agenda projection should attach.");
    check_status(esk_read_model_open(&read_model, store), ESK_OK,
                 "A query handle opens on a SQLite store.");

    append(store, "w-1", &workshop_scheduled_type,
           &(workshop_scheduled){.workshop_id = "w-1",
                                 .title = "Event Sourcing 101",
                                 .starts_on = "2026-12-01",
                                 .capacity = 1});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "1|0", "Scheduled: one seat left, nobody waiting.");

    append(store, "w-1", &attendee_registered_type,
           &(attendee_registered){
               .workshop_id = "w-1", .attendee_id = "ada", .name = "Ada"});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "0|0",
                 "Right after the append, the catalogue shows Ada's seat: an "
                 "inline projection runs in the append's transaction.");

    append(store, "w-1", &attendee_waitlisted_type,
           &(attendee_waitlisted){
               .workshop_id = "w-1", .attendee_id = "bob", .name = "Bob"});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "0|1", "Bob waits.");
    expect_query_ok(agenda_for(read_model, "bob", agenda, 2, &count),
                    "The agenda query should answer.");
    check_int(count, 1, "Bob's agenda has w-1.");
    check_string(agenda[0].place, "waitlist", "Bob is on the waitlist.");

    esk_read_model_free(read_model);
    esk_store_free(store);
}

void an_event_a_projection_cannot_read_fails_the_append(void **state)
{
    (void)state;
    const esk_projection *const projections[] = {&catalogue_projection,
                                                 &agenda_projection};
    char *json = NULL;
    const workshop_scheduled scheduled = {.workshop_id = "w-1",
                                          .title = "Event Sourcing 101",
                                          .starts_on = "2026-12-01",
                                          .capacity = 1};
    check_status(esk_codec_encode(&workshop_scheduled_type, &scheduled, &json),
                 ESK_OK, "The test's event should encode.");
    const esk_new_event good = {.type = workshop_scheduled_type.name,
                                .schema_version = 1,
                                .data = json};
    /* An AttendeeRegistered without its attendee: its data does not fit
     * the event type. */
    const esk_new_event broken = {.type = "AttendeeRegistered",
                                  .schema_version = 1,
                                  .data = "{\"workshopId\":\"w-1\"}"};

    for (size_t i = 0; i < 2; i++) {
        esk_store *store = NULL;
        int64_t version = -1;
        check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                     "A SQLite store in memory should always open.");
        exercise_watch_store(store);
        check_status(esk_projection_attach_inline(store, projections[i]),
                     ESK_OK, "The projection should attach.");
        esk_status rc =
            esk_store_append(store, "workshop-w-1", ESK_ANY, &good, 1, NULL);
        if (rc != ESK_OK)
            print_error("the store said: %s\n", esk_errmsg());
        check_status(rc, ESK_OK,
                     "A WorkshopScheduled goes through the projection: its "
                     "handler answers ESK_OK.");
        print_message("    %s gets an AttendeeRegistered without its "
                      "attendee\n",
                      projections[i]->name);
        rc = esk_store_append(store, "workshop-w-1", ESK_ANY, &broken, 1, NULL);
        check_status(rc, ESK_ECALLBACK,
                     "decode_workshop_event() refuses an event whose data "
                     "does not fit its type: return its status, and the "
                     "append fails with ESK_ECALLBACK. A handler that "
                     "answers ESK_OK lets the read model silently miss an "
                     "event; a failure stops the append, and someone can fix "
                     "the cause.");
        check_contains(esk_errmsg(), projections[i]->name,
                       "The store's message names the projection that "
                       "failed.");
        check_status(esk_store_stream_version(store, "workshop-w-1", &version),
                     ESK_OK, "The store should answer.");
        check_int(version, 1, "The failed append wrote nothing.");
        esk_store_free(store);
    }
    esk_free(json);
}

void queries_read_the_read_model_and_nothing_else(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 0;
    sqlite3_stmt *stmt = NULL;

    suite_open_read_side(&r, THREE_WORKSHOPS);
    expect_query_ok(catalogue_list(r.read_model, entries, 3, &count),
                    "Your catalogue query reads the catalogue table: "
                    "esk_read_model_prepare() lets it through.");

    /* A query that would answer from the events instead... */
    esk_status rc = esk_read_model_prepare(
        r.read_model,
        "SELECT count(*) FROM events WHERE type = 'AttendeeRegistered'", &stmt);
    check_status(rc, ESK_EINVAL,
                 "The query side never reads the write side's tables: "
                 "esk_read_model_prepare() refuses them.");
    check_contains(esk_errmsg(), "events",
                   "The refusal names the table that belongs to the write "
                   "side.");
    check_true(stmt == NULL, "Nothing was prepared.");

    /* ...or change the read model behind the projections' backs. */
    rc = esk_read_model_prepare(r.read_model,
                                "UPDATE catalogue SET seats_left = 99", &stmt);
    check_status(rc, ESK_EINVAL,
                 "Queries only read: the projections alone write the read "
                 "model.");

    suite_close_read_side(&r);
}
