/*
 * tests/test_repository.c - loading and saving aggregates, snapshots and
 * upcasting, on the memory store and on SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"

typedef esk_status (*open_fn)(esk_store **out);
static open_fn open_store;

typedef struct fixture {
    esk_store *store;
    esk_repository *repo;
} fixture;

/* snapshot_every 0: no snapshots. */
static void open_fixture(fixture *f, int snapshot_every,
                         const esk_upcasters *upcasters)
{
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    options.snapshot_every = snapshot_every;
    options.upcasters = upcasters;
    f->store = NULL;
    f->repo = NULL;
    assert_int_equal(open_store(&f->store), ESK_OK);
    assert_int_equal(
        esk_repository_new(&f->repo, f->store, &workshop_type, &options),
        ESK_OK);
}

static void close_fixture(fixture *f)
{
    esk_repository_free(f->repo);
    esk_store_free(f->store);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* The state's own bytes, after the esk_aggregate member. */
static void assert_same_state(const workshop *a, const workshop *b)
{
    assert_memory_equal((const char *)a + sizeof(esk_aggregate),
                        (const char *)b + sizeof(esk_aggregate),
                        sizeof(workshop) - sizeof(esk_aggregate));
}

/* Register n attendees of one seat each, saving every `per_save`. */
static void register_and_save(fixture *f, workshop *w, int n, int per_save)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "attendee %d", i);
        assert_int_equal(workshop_register(w, name, 1), ESK_OK);
        if ((i + 1) % per_save == 0 || i + 1 == n)
            assert_int_equal(esk_repository_save(f->repo, w, NULL, NULL),
                             ESK_OK);
    }
}

/* Stream workshop-<id>: scheduled with room for 5000, then n attendees,
 * saved in batches of per_save. */
static void save_workshop(fixture *f, const char *id, int n, int per_save)
{
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, id), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES in C", 5000), ESK_OK);
    assert_int_equal(esk_repository_save(f->repo, &w, NULL, NULL), ESK_OK);
    register_and_save(f, &w, n, per_save);
    esk_aggregate_release(&w);
}

static void load(fixture *f, const char *id, workshop *w)
{
    memset(w, 0, sizeof(*w));
    esk_status rc = esk_repository_load(f->repo, id, w);
    if (rc != ESK_OK)
        fail_msg("loading %s: %s", id, esk_errmsg());
}

static int64_t stream_version(fixture *f, const char *stream)
{
    int64_t v = -1;
    assert_int_equal(esk_store_stream_version(f->store, stream, &v), ESK_OK);
    return v;
}

/* --- load and save -------------------------------------------------------- */

static void
loading_a_missing_aggregate_is_not_found_and_gives_an_empty_one(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "404", &w), ESK_ENOTFOUND);
    assert_string_equal(esk_errmsg(), "Workshop '404' does not exist: stream "
                                      "'workshop-404' has no events");
    assert_string_equal(w.base.stream_id, "workshop-404");
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    esk_aggregate_release(&w);

    /* Once it has an event, it exists, even with an empty state. */
    save_workshop(&f, "404", 0, 1);
    load(&f, "404", &w);
    assert_int_equal(w.base.version, 1);
    assert_string_equal(esk_errmsg(), "");
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void a_saved_aggregate_loads_with_its_state_and_versions(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES in C", 10), ESK_OK);
    assert_int_equal(workshop_register(&w, "Ada", 3), ESK_OK);
    esk_append_result result = {-1, -1};
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, &result), ESK_OK);
    assert_int_equal(result.version, 2);
    assert_int_equal(result.position, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);

    load(&f, "1", &w);
    assert_string_equal(w.title, "ES in C");
    assert_int_equal(w.capacity, 10);
    assert_int_equal(w.seats_taken, 3);
    assert_int_equal(w.base.version, 2);
    assert_int_equal(w.base.stored_version, 2);
    assert_int_equal(esk_aggregate_pending_count(&w), 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void loading_gives_exactly_the_state_that_raising_produced(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop raised, loaded;
    memset(&raised, 0, sizeof(raised));
    assert_int_equal(esk_aggregate_init(&raised, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&raised, "Sagas", 7), ESK_OK);
    assert_int_equal(workshop_register(&raised, "Ada", 2), ESK_OK);
    assert_int_equal(workshop_register(&raised, "Bob", 4), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &raised, NULL, NULL), ESK_OK);
    load(&f, "1", &loaded);
    assert_same_state(&raised, &loaded);
    esk_aggregate_release(&raised);
    esk_aggregate_release(&loaded);
    close_fixture(&f);
}

static void
a_stale_copy_gets_a_concurrency_error_and_keeps_its_events(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop first, second;
    load(&f, "1", &first);
    load(&f, "1", &second);
    assert_int_equal(workshop_register(&first, "Ada", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &first, NULL, NULL), ESK_OK);

    assert_int_equal(workshop_register(&second, "Bob", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &second, NULL, NULL),
                     ESK_ECONCURRENCY);
    assert_contains(esk_errmsg(), "load it again and retry");
    assert_contains(esk_errmsg(), "is at version 2, "
                                  "expected 1");
    assert_int_equal(esk_aggregate_pending_count(&second), 1);
    assert_int_equal(second.base.version, 2);
    assert_int_equal(second.base.stored_version, 1);
    assert_int_equal(stream_version(&f, "workshop-1"), 2);
    esk_aggregate_release(&second);

    /* Load again and retry: it goes through. */
    load(&f, "1", &second);
    assert_int_equal(workshop_register(&second, "Bob", 1), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &second, NULL, NULL), ESK_OK);
    assert_int_equal(second.base.stored_version, 3);
    esk_aggregate_release(&first);
    esk_aggregate_release(&second);
    close_fixture(&f);
}

static void
a_new_aggregate_with_the_id_of_a_stored_one_is_not_saved(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "Again", 3), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL),
                     ESK_ECONCURRENCY);
    assert_int_equal(stream_version(&f, "workshop-1"), 1);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void save_with_nothing_pending_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 2, 2);
    workshop w;
    load(&f, "1", &w);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(f.store, &head), ESK_OK);
    esk_append_result result = {-1, -1};
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, &result), ESK_OK);
    assert_int_equal(result.version, 3);
    assert_int_equal(result.position, 0);
    int64_t after = -1;
    assert_int_equal(esk_store_head_position(f.store, &after), ESK_OK);
    assert_int_equal(after, head);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void the_metadata_is_stored_on_every_event(void **state)
{
    (void)state;
    fixture f;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    assert_int_equal(workshop_register(&w, "Ada", 1), ESK_OK);
    const esk_metadata metadata = {"corr-1", "cmd-9", "{\"user\":\"ada\"}"};
    assert_int_equal(esk_repository_save(f.repo, &w, &metadata, NULL), ESK_OK);

    assert_int_equal(esk_store_read_stream(f.store, "workshop-1", 1, 0, &list),
                     ESK_OK);
    assert_int_equal(list.count, 2);
    for (size_t i = 0; i < list.count; i++) {
        char value[32];
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "correlationId", value,
                                          sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "corr-1");
        assert_int_equal(esk_metadata_get(list.events[i].metadata,
                                          "causationId", value, sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "cmd-9");
        assert_int_equal(esk_metadata_get(list.events[i].metadata, "user",
                                          value, sizeof(value)),
                         ESK_OK);
        assert_string_equal(value, "ada");
    }
    assert_string_equal(list.events[1].type, "AttendeeRegistered");
    assert_int_equal(list.events[1].schema_version, 2);
    esk_event_list_release(&list);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void a_stream_longer_than_one_page_loads_fully(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    save_workshop(&f, "1", 1100, 1100);
    workshop w;
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 1101);
    assert_int_equal(w.base.version, 1101);
    assert_int_equal(w.attendees, 1100);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* --- snapshots ------------------------------------------------------------ */

static void
snapshots_are_written_each_time_the_stream_crosses_a_multiple(void **state)
{
    (void)state;
    fixture f;
    esk_record record;
    char *owned = NULL;
    open_fixture(&f, 100, NULL);
    save_workshop(&f, "1", 98, 98); /* version 99 */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_ENOTFOUND);

    workshop w;
    load(&f, "1", &w);
    register_and_save(&f, &w, 2, 2); /* 99 -> 101 */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_OK);
    assert_int_equal(record.at, 101);
    assert_int_equal(record.tag, 1);
    assert_string_equal(record.value,
                        "{\"title\":\"ES in C\",\"capacity\":5000,"
                        "\"seatsTaken\":100,\"attendees\":100}");
    esk_free(owned);

    register_and_save(&f, &w, 1, 1); /* 102: no new snapshot */
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_OK);
    assert_int_equal(record.at, 101);
    esk_free(owned);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* workshop-1 at version 105, with a snapshot at 100. The state loaded
 * without snapshots is in *replayed. */
static void save_105_events_with_a_snapshot_at_100(fixture *f,
                                                   workshop *replayed)
{
    esk_repository *plain = NULL;
    save_workshop(f, "1", 99, 99);
    workshop w;
    load(f, "1", &w);
    register_and_save(f, &w, 5, 1);
    esk_aggregate_release(&w);
    assert_int_equal(esk_repository_new(&plain, f->store,
                                        &workshop_type_without_snapshot, NULL),
                     ESK_OK);
    memset(replayed, 0, sizeof(*replayed));
    assert_int_equal(esk_repository_load(plain, "1", replayed), ESK_OK);
    assert_int_equal(replayed->base.version, 105);
    esk_aggregate_release(replayed);
    esk_repository_free(plain);
}

static void loading_starts_from_the_snapshot(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 100, NULL);
    workshop replayed, w;
    save_105_events_with_a_snapshot_at_100(&f, &replayed);
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 5);
    assert_int_equal(w.base.version, 105);
    assert_int_equal(w.base.stored_version, 105);
    assert_same_state(&w, &replayed);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* Replace the snapshot of workshop-1, then check that loading ignores it. */
static void assert_snapshot_is_ignored(int64_t number, int layout,
                                       const char *value)
{
    fixture f;
    open_fixture(&f, 100, NULL);
    workshop replayed, w;
    save_105_events_with_a_snapshot_at_100(&f, &replayed);
    const esk_record record = {"workshop-1", number, layout, value};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_SNAPSHOT, &record), ESK_OK);
    evolve_calls = 0;
    load(&f, "1", &w);
    assert_int_equal(evolve_calls, 105);
    assert_int_equal(w.base.version, 105);
    assert_same_state(&w, &replayed);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void a_snapshot_of_another_layout_version_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(100, 2,
                               "{\"title\":\"Old\",\"capacity\":1,"
                               "\"seatsTaken\":1,\"attendees\":1}");
}

static void a_snapshot_that_does_not_decode_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(100, 1, "{\"title\":5}");
}

static void a_snapshot_beyond_the_end_of_its_stream_is_ignored(void **state)
{
    (void)state;
    assert_snapshot_is_ignored(500, 1,
                               "{\"title\":\"Future\",\"capacity\":1,"
                               "\"seatsTaken\":1,\"attendees\":1}");
}

static void
a_snapshot_that_cannot_be_written_does_not_fail_the_save(void **state)
{
    (void)state;
    fixture f;
    esk_record record;
    char *owned = NULL;
    open_fixture(&f, 1, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    /* A state the snapshot layout cannot encode: not UTF-8. */
    w.title[0] = (char)0xff;
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_OK);
    assert_contains(esk_errmsg(),
                    "the events of Workshop '1' are saved, but its snapshot "
                    "at version 1 was not written");
    assert_contains(esk_errmsg(), "field 'title'");
    assert_int_equal(esk_error_last()->status, ESK_OK);
    assert_int_equal(w.base.stored_version, 1);
    assert_int_equal(stream_version(&f, "workshop-1"), 1);
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT,
                                          "workshop-1", &record, &owned),
                     ESK_ENOTFOUND);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* --- upcasting and bad events --------------------------------------------- */

/* AttendeeRegistered v1 {"name": N} -> v2 {"attendee": N, "seats": 1} */
static esk_status registered_v1_to_v2(json_t *data)
{
    json_t *name = json_object_get(data, "name");
    if (json_object_set(data, "attendee", name) != 0 ||
        json_object_del(data, "name") != 0 ||
        json_object_set_new(data, "seats", json_integer(1)) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

static void append_raw(fixture *f, const char *type, int schema,
                       const char *data)
{
    esk_new_event e = {NULL, type, schema, data, NULL};
    assert_int_equal(
        esk_store_append(f->store, "workshop-1", ESK_ANY, &e, 1, NULL), ESK_OK);
}

static void old_events_are_upcast_when_loading(void **state)
{
    (void)state;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(esk_upcasters_add(upcasters, "AttendeeRegistered", 1,
                                       registered_v1_to_v2),
                     ESK_OK);
    fixture f;
    open_fixture(&f, 0, upcasters);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    append_raw(&f, "AttendeeRegistered", 2,
               "{\"attendee\":\"Bob\",\"seats\":2}");
    workshop w;
    load(&f, "1", &w);
    assert_int_equal(w.seats_taken, 3);
    assert_int_equal(w.attendees, 2);
    esk_aggregate_release(&w);
    close_fixture(&f);
    esk_upcasters_free(upcasters);
}

static void
an_old_event_without_its_upcaster_fails_the_load_and_says_so(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(),
                    "event 2 of stream 'workshop-1' is AttendeeRegistered v1");
    assert_contains(esk_errmsg(), "register an upcaster from v1");
    /* Never half-loaded. */
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    assert_string_equal(w.base.stream_id, "workshop-1");
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* A newer build of the program has added WorkshopMoved to the stream. */
static void an_unknown_event_type_fails_the_load_naming_it(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "WorkshopMoved", 1, "{\"room\":\"B\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(),
                    "event 2 of stream 'workshop-1' is WorkshopMoved v1, "
                    "which Workshop does not know");
    assert_contains(esk_errmsg(), "skip_unknown_types");
    assert_int_equal(w.base.version, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void
a_type_that_skips_unknown_types_loads_and_saves_past_them(void **state)
{
    (void)state;
    esk_aggregate_type older = workshop_type_without_snapshot;
    older.skip_unknown_types = true;
    fixture f;
    open_fixture(&f, 0, NULL);
    esk_repository *repo = NULL;
    assert_int_equal(esk_repository_new(&repo, f.store, &older, NULL), ESK_OK);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "WorkshopMoved", 1, "{\"room\":\"B\"}");
    append_raw(&f, "AttendeeRegistered", 2,
               "{\"attendee\":\"Ada\",\"seats\":2}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(repo, "1", &w), ESK_OK);
    assert_int_equal(w.base.version, 3);
    assert_int_equal(w.capacity, 9);
    assert_int_equal(w.seats_taken, 2);
    /* The save expects version 3, the skipped event included. */
    assert_int_equal(workshop_register(&w, "Bob", 1), ESK_OK);
    esk_append_result r;
    assert_int_equal(esk_repository_save(repo, &w, NULL, &r), ESK_OK);
    assert_int_equal(r.version, 4);
    esk_aggregate_release(&w);
    esk_repository_free(repo);
    close_fixture(&f);
}

static void
an_event_that_does_not_decode_fails_the_load_naming_the_field(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    append_raw(&f, "WorkshopScheduled", 1, "{\"title\":\"ES\",\"capacity\":9}");
    append_raw(&f, "AttendeeRegistered", 2, "{\"attendee\":\"Ada\"}");
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_load(f.repo, "1", &w), ESK_EDECODE);
    assert_contains(esk_errmsg(), "loading Workshop '1'");
    assert_contains(esk_errmsg(), "field 'seats'");
    assert_int_equal(w.base.version, 0);
    assert_int_equal(w.capacity, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

/* --- arguments ------------------------------------------------------------ */

static void
save_refuses_null_other_types_and_events_cleared_unsaved(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(esk_repository_save(NULL, &w, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_save(f.repo, NULL, NULL, NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "not an initialised");

    assert_int_equal(
        esk_aggregate_init(&w, &workshop_type_without_snapshot, "1"), ESK_OK);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);

    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "1"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "ES", 10), ESK_OK);
    const esk_metadata bad = {NULL, NULL, "[1]"};
    assert_int_equal(esk_repository_save(f.repo, &w, &bad, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "not a JSON object");
    assert_int_equal(esk_aggregate_pending_count(&w), 1);

    esk_aggregate_clear_pending(&w);
    assert_int_equal(esk_repository_save(f.repo, &w, NULL, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "load it again");
    assert_int_equal(stream_version(&f, "workshop-1"), 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void load_refuses_null_and_bad_ids(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 0, NULL);
    workshop w;
    memset(&w, 0x5a, sizeof(w));
    assert_int_equal(esk_repository_load(NULL, "1", &w), ESK_EINVAL);
    assert_int_equal(esk_repository_load(f.repo, "1", NULL), ESK_EINVAL);
    assert_int_equal(esk_repository_load(f.repo, "", &w), ESK_EINVAL);
    assert_contains(esk_errmsg(), "empty");
    /* Zeroed: releasing it is safe. */
    assert_int_equal(w.base.version, 0);
    esk_aggregate_release(&w);
    close_fixture(&f);
}

static void
a_repository_needs_a_store_a_valid_type_and_valid_options(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_repository *repo = NULL;
    esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
    assert_int_equal(open_store(&store), ESK_OK);
    assert_int_equal(esk_repository_new(NULL, store, &workshop_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_repository_new(&repo, NULL, &workshop_type, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_repository_new(&repo, store, NULL, NULL), ESK_EINVAL);

    options.snapshot_every = 10;
    assert_int_equal(esk_repository_new(&repo, store,
                                        &workshop_type_without_snapshot,
                                        &options),
                     ESK_EINVAL);
    assert_non_null(strstr(esk_errmsg(), "set its snapshot type"));
    options.snapshot_every = -1;
    assert_int_equal(esk_repository_new(&repo, store, &workshop_type, &options),
                     ESK_EINVAL);
    options.snapshot_every = 0;
    options.version = 99;
    assert_int_equal(esk_repository_new(&repo, store, &workshop_type, &options),
                     ESK_EINVAL);
    assert_non_null(strstr(esk_errmsg(), "ESK_REPOSITORY_OPTIONS_INIT"));

    /* A snapshot layout must cover the whole state, base excluded. */
    esk_aggregate_type bad = workshop_type;
    esk_event_type layout = workshop_snapshot_type;
    layout.struct_size = sizeof(workshop) - 8;
    bad.snapshot = &layout;
    assert_int_equal(esk_repository_new(&repo, store, &bad, NULL), ESK_EINVAL);
    static const esk_field into_base[] = {
        ESK_FIELD_INT64(esk_aggregate, version, "version"),
    };
    layout = workshop_snapshot_type;
    layout.fields = into_base;
    layout.field_count = 1;
    assert_int_equal(esk_repository_new(&repo, store, &bad, NULL), ESK_EINVAL);
    assert_null(repo);

    esk_repository_free(NULL);
    assert_string_not_equal(esk_errmsg(), "");
    esk_store_free(store);
}

/* --- running out of memory ------------------------------------------------ */

static void every_allocation_failure_in_save_and_load_is_reported(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f, 1, NULL);
    save_workshop(&f, "1", 0, 1);
    workshop w;
    int failed = 0;

    /* Save: fail each allocation in turn until a save fully succeeds. */
    for (long k = 0;; k++) {
        load(&f, "1", &w);
        int64_t stored = w.base.stored_version;
        assert_int_equal(workshop_register(&w, "Ada", 1), ESK_OK);
        allocations_before_failure = k;
        esk_status rc = esk_repository_save(f.repo, &w, NULL, NULL);
        allocations_before_failure = -1;
        if (rc != ESK_OK) {
            failed++;
            assert_int_equal(rc, ESK_ENOMEM);
            assert_int_equal(esk_aggregate_pending_count(&w), 1);
            assert_int_equal(w.base.stored_version, stored);
            assert_int_equal(stream_version(&f, "workshop-1"), stored);
        } else {
            assert_int_equal(stream_version(&f, "workshop-1"), stored + 1);
        }
        esk_aggregate_release(&w);
        if (rc == ESK_OK && esk_errmsg()[0] == '\0')
            break;
    }

    /* Load, through the snapshot and the stream. */
    for (long k = 0;; k++) {
        memset(&w, 0, sizeof(w));
        allocations_before_failure = k;
        esk_status rc = esk_repository_load(f.repo, "1", &w);
        allocations_before_failure = -1;
        if (rc == ESK_OK) {
            assert_int_equal(w.base.version, stream_version(&f, "workshop-1"));
            esk_aggregate_release(&w);
            break;
        }
        failed++;
        assert_int_equal(rc, ESK_ENOMEM);
        assert_int_equal(w.base.version, 0);
        assert_int_equal(w.capacity, 0);
        esk_aggregate_release(&w);
    }
    assert_true(failed > 2);
    close_fixture(&f);
}

/* --- the backends --------------------------------------------------------- */

static esk_status open_memory(esk_store **out)
{
    return esk_store_open_memory(out, NULL);
}

static esk_status open_sqlite(esk_store **out)
{
    return esk_store_open_sqlite(out, ":memory:", NULL);
}

static int run(const char *name, open_fn open)
{
    open_store = open;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            loading_a_missing_aggregate_is_not_found_and_gives_an_empty_one),
        cmocka_unit_test(a_saved_aggregate_loads_with_its_state_and_versions),
        cmocka_unit_test(loading_gives_exactly_the_state_that_raising_produced),
        cmocka_unit_test(
            a_stale_copy_gets_a_concurrency_error_and_keeps_its_events),
        cmocka_unit_test(
            a_new_aggregate_with_the_id_of_a_stored_one_is_not_saved),
        cmocka_unit_test(save_with_nothing_pending_writes_nothing),
        cmocka_unit_test(the_metadata_is_stored_on_every_event),
        cmocka_unit_test(a_stream_longer_than_one_page_loads_fully),
        cmocka_unit_test(
            snapshots_are_written_each_time_the_stream_crosses_a_multiple),
        cmocka_unit_test(loading_starts_from_the_snapshot),
        cmocka_unit_test(a_snapshot_of_another_layout_version_is_ignored),
        cmocka_unit_test(a_snapshot_that_does_not_decode_is_ignored),
        cmocka_unit_test(a_snapshot_beyond_the_end_of_its_stream_is_ignored),
        cmocka_unit_test(
            a_snapshot_that_cannot_be_written_does_not_fail_the_save),
        cmocka_unit_test(old_events_are_upcast_when_loading),
        cmocka_unit_test(
            an_old_event_without_its_upcaster_fails_the_load_and_says_so),
        cmocka_unit_test(an_unknown_event_type_fails_the_load_naming_it),
        cmocka_unit_test(
            a_type_that_skips_unknown_types_loads_and_saves_past_them),
        cmocka_unit_test(
            an_event_that_does_not_decode_fails_the_load_naming_the_field),
        cmocka_unit_test(
            save_refuses_null_other_types_and_events_cleared_unsaved),
        cmocka_unit_test(load_refuses_null_and_bad_ids),
        cmocka_unit_test(
            a_repository_needs_a_store_a_valid_type_and_valid_options),
        cmocka_unit_test(every_allocation_failure_in_save_and_load_is_reported),
    };
    return _cmocka_run_group_tests(
        name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

int main(void)
{
    use_checked_allocator();
    int failures = run("repository on the memory store", open_memory);
    failures += run("repository on SQLite", open_sqlite);
    return failures == 0 ? 0 : 1;
}
