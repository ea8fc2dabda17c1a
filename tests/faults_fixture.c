/*
 * tests/faults_fixture.c - the counting allocator that fails the chosen
 * allocation, text built outside it, and the fixture every scenario of
 * the out-of-memory sweep starts from: a store, described as text.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* ---- The allocator: counts live blocks, fails the chosen allocation ---- */

long live_blocks;
/* Calls to malloc and realloc since fail_from() was armed. */
long allocations;
/* The first allocation to fail, counting from 1; 0 fails none. */
static long fail_at;
/* Whether every allocation from fail_at on fails, or fail_at alone. */
static bool fail_all_after;
/* Whether an allocation was failed since the harness armed it. */
bool injected;

static bool this_allocation_fails(void)
{
    allocations++;
    if (fail_at > 0 &&
        (allocations == fail_at || (fail_all_after && allocations > fail_at))) {
        injected = true;
        return true;
    }
    return false;
}

void *counting_malloc(size_t size)
{
    if (this_allocation_fails())
        return NULL;
    void *p = malloc(size);
    if (p != NULL)
        live_blocks++;
    return p;
}

void *counting_realloc(void *ptr, size_t size)
{
    if (this_allocation_fails())
        return NULL;
    void *p = realloc(ptr, size);
    if (p != NULL && ptr == NULL)
        live_blocks++;
    return p;
}

void counting_free(void *ptr)
{
    if (ptr != NULL) {
        live_blocks--;
        free(ptr);
    }
}

void arm(long k, bool all_after)
{
    allocations = 0;
    injected = false;
    fail_all_after = all_after;
    fail_at = k;
}

void disarm(void)
{
    fail_at = 0;
}

/* ---- Text built with the C library, outside the counted allocator ------- */

void add(text *t, const char *format, ...)
{
    for (;;) {
        va_list args;
        va_start(args, format);
        int n = vsnprintf(t->s == NULL ? NULL : t->s + t->len,
                          t->s == NULL ? 0 : t->cap - t->len, format, args);
        va_end(args);
        assert_true(n >= 0);
        if (t->s != NULL && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *grown = realloc(t->s, cap);
        assert_non_null(grown);
        t->s = grown;
        t->cap = cap;
        if (t->len == 0)
            t->s[0] = '\0';
    }
}

char *take(text *t)
{
    if (t->s == NULL)
        add(t, "%s", "");
    char *s = t->s;
    *t = (text){NULL, 0, 0};
    return s;
}

/* ---- The fixture: a store and whatever a scenario builds on it ---------- */

char temp_dir[64];

static esk_time fixed_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

esk_store_options store_options(fx *f)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = fixed_clock;
    options.clock_ctx = &f->now;
    return options;
}

void remove_store_files(const char *path)
{
    char name[160];
    unlink(path);
    /* A name that does not fit is not one of ours: leave it alone. */
    if (snprintf(name, sizeof(name), "%s-wal", path) < (int)sizeof(name))
        unlink(name);
    if (snprintf(name, sizeof(name), "%s-shm", path) < (int)sizeof(name))
        unlink(name);
}

const faults_server *faults_postgres;

esk_status open_backend(fx *f, esk_store **out)
{
    esk_store_options options = store_options(f);
    switch (f->backend) {
    case MEMORY:
        return esk_store_open_memory(out, &options);
    case POSTGRES:
        return faults_postgres->open(out, &options);
    default:
        return esk_store_open_sqlite(out, f->path, &options);
    }
}

/* Open the fixture's store, new and empty. */
void open_store(fx *f)
{
    esk_status rc = open_backend(f, &f->store);
    if (rc != ESK_OK)
        fail_msg("opening the store: %s", esk_errmsg());
}

void fx_init(fx *f, backend b)
{
    memset(f, 0, sizeof(*f));
    f->backend = b;
    f->now = CLOCK_START;
    f->list = (esk_event_list)ESK_EVENT_LIST_INIT;
    f->decision = (esk_decision)ESK_DECISION_INIT;
    f->model.sql = b == SQLITE;
    f->projection = bookings_projection(&f->model);
    f->live = bookings_projection(&f->live_model);
    snprintf(f->path, sizeof(f->path), "%s/store.db", temp_dir);
    remove_store_files(f->path);
    if (b == POSTGRES)
        faults_postgres->empty();
}

void fx_close(fx *f)
{
    if (f->stmt != NULL)
        sqlite3_finalize(f->stmt);
    esk_read_model_free(f->read_model);
    esk_process_runner_free(f->runner);
    esk_catchup_free(f->catchup);
    esk_bus_free(f->bus);
    if (f->room_loaded)
        esk_aggregate_release(&f->room);
    esk_repository_free(f->repo);
    esk_upcasters_free(f->upcasters);
    esk_decision_release(&f->decision);
    esk_event_list_release(&f->list);
    esk_free(f->owned);
    esk_free(f->json);
    esk_store_free(f->store);
    f->store = NULL;
    remove_store_files(f->path);
}

/* Append one event to a stream, failing the test if it fails. id may be
 * NULL (generated). */
void seed(fx *f, const char *stream, const char *id, const char *type,
          int schema_version, const char *data)
{
    esk_new_event e = {id, type, schema_version, data, META_JSON};
    esk_status rc = esk_store_append(f->store, stream, ESK_ANY, &e, 1, NULL);
    if (rc != ESK_OK)
        fail_msg("seeding %s: %s", stream, esk_errmsg());
}

/* Room 1: opened, then Ada booked (as version 1 of GuestBooked when old
 * is true). */
void seed_room(fx *f, bool old)
{
    seed(f, "room-1", "e-1", "RoomOpened", 1, OPENED_JSON);
    if (old)
        seed(f, "room-1", "e-2", "GuestBooked", 1, BOOKED_V1_JSON);
    else
        seed(f, "room-1", "e-2", "GuestBooked", 2, BOOKED_JSON);
}

/* ---- What the store holds, as text ------------------------------------- */

/* Records that scenarios write, listed so that both backends can be asked
 * for them by key. */
static const struct {
    esk_record_kind kind;
    const char *key;
} known_records[] = {
    {ESK_RECORD_CHECKPOINT, "bookings"},
    {ESK_RECORD_CHECKPOINT, "process:welcome"},
    {ESK_RECORD_CHECKPOINT, "kept"},
    {ESK_RECORD_COMMAND, "c-1"},
    {ESK_RECORD_COMMAND, "c-2"},
    {ESK_RECORD_COMMAND, "welcome/e-2/1"},
    {ESK_RECORD_COMMAND, "welcome/tick/reminder/grace"},
    {ESK_RECORD_SNAPSHOT, "room-1"},
};

/* Generated event ids differ from run to run: only their shape counts. */
bool looks_generated(const char *id)
{
    return strlen(id) == ESK_EVENT_ID_LEN && id[8] == '-' && id[14] == '7';
}

static void describe_store(esk_store *store, text *t)
{
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int64_t head = -1;

    assert_int_equal(esk_store_transaction_depth(store), 0);
    if (esk_store_read_all(store, 0, 0, NULL, &list) != ESK_OK)
        fail_msg("reading the store back: %s", esk_errmsg());
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    add(t, "head %lld\n", (long long)head);
    for (size_t i = 0; i < list.count; i++) {
        const esk_event *e = &list.events[i];
        add(t, "%lld %s %s v%lld %s/%d %s %s %lld", (long long)e->position,
            looks_generated(e->event_id) ? "(generated)" : e->event_id,
            e->stream_id, (long long)e->version, e->type, e->schema_version,
            e->data, e->metadata, (long long)e->recorded_at);
        for (size_t k = 0; k < e->tag_count; k++)
            add(t, " #%s", e->tags[k]);
        add(t, "\n");
    }
    esk_event_list_release(&list);

    for (size_t i = 0; i < sizeof(known_records) / sizeof(known_records[0]);
         i++) {
        esk_record r;
        char *owned = NULL;
        esk_status rc = esk_store_get_record(store, known_records[i].kind,
                                             known_records[i].key, &r, &owned);
        if (rc == ESK_ENOTFOUND)
            continue;
        if (rc != ESK_OK)
            fail_msg("reading record %s back: %s", known_records[i].key,
                     esk_errmsg());
        add(t, "record %d %s: %lld v%d %s\n", (int)known_records[i].kind, r.key,
            (long long)r.at, r.tag, r.value);
        esk_free(owned);
    }

    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    if (db != NULL &&
        sqlite3_prepare_v2(db, "SELECT position, data FROM bookings ORDER BY 1",
                           -1, &stmt, NULL) == SQLITE_OK) {
        add(t, "table bookings:");
        while (sqlite3_step(stmt) == SQLITE_ROW)
            add(t, " %lld=%s", (long long)sqlite3_column_int64(stmt, 0),
                (const char *)sqlite3_column_text(stmt, 1));
        add(t, "\n");
    }
    sqlite3_finalize(stmt);
}

/* The store's content, read with the allocator restored: on SQLite
 * through a second handle on the file, so that only what was committed
 * counts. */
char *store_state(fx *f)
{
    text t = {NULL, 0, 0};
    if (f->backend == NO_STORE)
        return take(&t);
    if (f->store != NULL)
        assert_int_equal(esk_store_transaction_depth(f->store), 0);
    if (f->backend == MEMORY) {
        if (f->store == NULL)
            add(&t, "no store");
        else
            describe_store(f->store, &t);
        return take(&t);
    }
    struct stat st;
    if (f->backend == SQLITE && stat(f->path, &st) != 0) {
        add(&t, "no file");
        return take(&t);
    }
    esk_store *reader = NULL;
    if (open_backend(f, &reader) != ESK_OK)
        fail_msg("reopening the store: %s", esk_errmsg());
    describe_store(reader, &t);
    esk_store_free(reader);
    return take(&t);
}

const char *last_message(fx *f)
{
    (void)f;
    return esk_errmsg();
}

void with_store(fx *f)
{
    open_store(f);
}

void with_room(fx *f)
{
    open_store(f);
    seed_room(f, false);
}

void describe_list(const esk_event_list *list, text *t)
{
    add(t, "%zu events:", list->count);
    for (size_t i = 0; i < list->count; i++) {
        const esk_event *e = &list->events[i];
        add(t, " [%lld %s %s v%lld %s/%d %s %s %lld]", (long long)e->position,
            looks_generated(e->event_id) ? "(generated)" : e->event_id,
            e->stream_id, (long long)e->version, e->type, e->schema_version,
            e->data, e->metadata, (long long)e->recorded_at);
    }
}

/* Seeds and observations that scenarios of several parts share. */

const esk_new_event three_bookings[] = {
    {NULL, "GuestBooked", 2, BOOKED_JSON, META_JSON},
    {NULL, "GuestBooked", 2,
     "{\"guest\":\"Grace Brewster Murray Hopper\",\"nights\":3}", NULL},
    {NULL, "RoomCleaned", 1, "[1,2,3,{\"by\":\"the night shift\"}]", "{}"},
};

void with_many_events(fx *f)
{
    with_room(f);
    for (int i = 0; i < 12; i++) {
        char data[96];
        snprintf(data, sizeof(data),
                 "{\"guest\":\"guest number %d of a long list\",\"nights\":%d}",
                 i, i);
        seed(f, i % 3 == 0 ? "hall-1" : "room-1", NULL, "GuestBooked", 2, data);
    }
}

void with_upcasters(fx *f)
{
    assert_int_equal(esk_upcasters_new(&f->upcasters), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(f->upcasters, "GuestBooked", 1, booked_v1_to_v2),
        ESK_OK);
}

void observe_nothing(fx *f, bool done, text *t)
{
    (void)f;
    (void)done;
    (void)t;
}
