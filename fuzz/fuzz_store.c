/*
 * fuzz/fuzz_store.c - the memory and SQLite stores, side by side.
 *
 * The input is a program of store calls: appends of any stream id, type,
 * event id, schema version, data and metadata (valid or not), batches of
 * up to 128 events, reads of every kind, transactions with rollbacks, and
 * records. Each call runs on a memory store and on a SQLite ":memory:"
 * store, and on a plain list of what was accepted (the model). What must
 * hold, after every call:
 *   - both stores return the same status, one that the call documents;
 *   - an accepted append is read back byte for byte as it was given
 *     (metadata NULL as "{}"), at the next versions of its stream and the
 *     next positions of the store, in both stores, recorded at the time
 *     the clock gave; a generated event id is a UUID v4; an append whose
 *     first id is stored succeeds without writing exactly when it is one
 *     stored append again (same stream, ids, content and size, and an
 *     expected version that append passed), and points at that append;
 *     any other is ESK_EDUPLICATE;
 *   - a refused append writes nothing;
 *   - every read gives what the model says, in both stores, and positions
 *     run 1, 2, 3... without a gap, also after rollbacks;
 *   - records read back the same from both stores;
 *   - no esk block leaks.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/store.h>

#include "fuzz.h"

enum {
    BACKENDS = 2,
    STRING_MAX = 300,
    DATA_MAX = 1200,
    BATCH_MAX = 128,
    SMALL_BATCH_MAX = 4,
    OPERATIONS_MAX = 48,
    DEPTH_MAX = 40,
};

static const char *const backend_names[BACKENDS] = {"memory", "sqlite"};

/* ---- The model ---------------------------------------------------------- */

typedef struct model_event {
    char *stream_id;
    /* Generated ids differ between the stores: one per store. */
    char *event_id[BACKENDS];
    char *type;
    int schema_version;
    char *data;
    char *metadata;
    int64_t version;
    esk_time recorded_at;
    /* The position of the first event of its append. */
    size_t batch_start;
} model_event;

typedef struct model {
    model_event *events; /* events[p - 1] has position p */
    size_t count;
    size_t capacity;
    size_t marks[DEPTH_MAX];
    int depth;
} model;

static char *copy_text(const char *text)
{
    return fuzz_text((const uint8_t *)text, strlen(text));
}

static void model_truncate(model *m, size_t count)
{
    while (m->count > count) {
        model_event *e = &m->events[--m->count];
        free(e->stream_id);
        for (int b = 0; b < BACKENDS; b++)
            free(e->event_id[b]);
        free(e->type);
        free(e->data);
        free(e->metadata);
    }
}

static int64_t model_stream_version(const model *m, const char *stream_id)
{
    int64_t version = 0;
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->events[i].stream_id, stream_id) == 0)
            version = m->events[i].version;
    return version;
}

/* ---- Comparing what a store read with the model ------------------------ */

static void check_same_event(const esk_event *got, const model_event *want,
                             int64_t position, int b)
{
    const char *name = backend_names[b];
    FUZZ_CHECK(got->position == position, "%s: position %lld, expected %lld",
               name, (long long)got->position, (long long)position);
    FUZZ_CHECK(strcmp(got->stream_id, want->stream_id) == 0,
               "%s: position %lld is in stream '%s', not '%s'", name,
               (long long)position, got->stream_id, want->stream_id);
    FUZZ_CHECK(got->version == want->version,
               "%s: position %lld is version %lld, not %lld", name,
               (long long)position, (long long)got->version,
               (long long)want->version);
    FUZZ_CHECK(strcmp(got->event_id, want->event_id[b]) == 0,
               "%s: position %lld has id '%s', not '%s'", name,
               (long long)position, got->event_id, want->event_id[b]);
    FUZZ_CHECK(strcmp(got->type, want->type) == 0 &&
                   got->schema_version == want->schema_version,
               "%s: position %lld is %s v%d, not %s v%d", name,
               (long long)position, got->type, got->schema_version, want->type,
               want->schema_version);
    FUZZ_CHECK(strcmp(got->data, want->data) == 0,
               "%s: position %lld has data '%s', not '%s'", name,
               (long long)position, got->data, want->data);
    FUZZ_CHECK(strcmp(got->metadata, want->metadata) == 0,
               "%s: position %lld has metadata '%s', not '%s'", name,
               (long long)position, got->metadata, want->metadata);
    FUZZ_CHECK(got->recorded_at == want->recorded_at,
               "%s: position %lld was recorded at %lld, not %lld", name,
               (long long)position, (long long)got->recorded_at,
               (long long)want->recorded_at);
}

/* The model's positions (1-based) a read must give, in order. */
typedef struct selection {
    int64_t positions[BATCH_MAX * OPERATIONS_MAX];
    size_t count;
} selection;

static void check_read(const model *m, const selection *want,
                       esk_event_list *const lists[BACKENDS])
{
    for (int b = 0; b < BACKENDS; b++) {
        FUZZ_CHECK(lists[b]->count == want->count,
                   "%s: the read gave %zu events, expected %zu",
                   backend_names[b], lists[b]->count, want->count);
        for (size_t i = 0; i < want->count; i++) {
            int64_t p = want->positions[i];
            check_same_event(&lists[b]->events[i], &m->events[p - 1], p, b);
        }
    }
}

static bool is_uuid_v4(const char *id)
{
    static const char pattern[] = "xxxxxxxx-xxxx-4xxx-vxxx-xxxxxxxxxxxx";
    if (strlen(id) != sizeof(pattern) - 1)
        return false;
    for (size_t i = 0; pattern[i] != '\0'; i++) {
        char c = id[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        if (pattern[i] == 'x' && !hex)
            return false;
        if (pattern[i] == 'v' && c != '8' && c != '9' && c != 'a' && c != 'b')
            return false;
        if (pattern[i] != 'x' && pattern[i] != 'v' && c != pattern[i])
            return false;
    }
    return true;
}

/* ---- The two stores ----------------------------------------------------- */

typedef struct world {
    esk_store *stores[BACKENDS];
    /* What both stores' clock reads: a store may read its clock for
     * more than events (SQLite stamps records too), so the time cannot
     * depend on how often it is read. */
    esk_time now;
    esk_event_list lists[BACKENDS];
    model m;
    fuzz_input in;
    /* Scratch for one call's strings. */
    char stream_id[STRING_MAX + 1];
    char category[STRING_MAX + 1];
    esk_new_event batch[BATCH_MAX];
    char ids[BATCH_MAX][STRING_MAX + 16];
    char types[SMALL_BATCH_MAX][STRING_MAX + 1];
    char data[SMALL_BATCH_MAX][DATA_MAX + 1];
    char metadata[SMALL_BATCH_MAX][DATA_MAX + 1];
} world;

static esk_time fake_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

/* ESK_FUZZ_TRACE=1 prints each call and its status: what a reproducer
 * does, read without a debugger. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static void
trace(const char *format, ...)
{
    static int enabled = -1;
    if (enabled < 0) {
        const char *env = getenv("ESK_FUZZ_TRACE");
        enabled = env != NULL && strcmp(env, "1") == 0;
    }
    if (!enabled)
        return;
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
}

/* Both stores' statuses must agree: return the common one. */
static esk_status same_status(const world *w, const esk_status rc[BACKENDS],
                              const char *call)
{
    (void)w;
    /* The last error is the last call's: sqlite's, called second. */
    FUZZ_CHECK(rc[0] == rc[1], "%s: memory gave %d (%s), sqlite %d (%s: %s)",
               call, (int)rc[0], esk_status_str(rc[0]), (int)rc[1],
               esk_status_str(rc[1]), esk_errmsg());
    return rc[0];
}

static void check_status_in(esk_status rc, const esk_status *allowed, size_t n,
                            const char *call)
{
    for (size_t i = 0; i < n; i++)
        if (rc == allowed[i])
            return;
    fuzz_fail(__FILE__, __LINE__, "documented status", "%s gave %d (%s)", call,
              (int)rc, esk_status_str(rc));
}

static void check_heads(world *w)
{
    for (int b = 0; b < BACKENDS; b++) {
        int64_t head = -1;
        FUZZ_CHECK(esk_store_head_position(w->stores[b], &head) == ESK_OK,
                   "%s: head position: %s", backend_names[b], esk_errmsg());
        FUZZ_CHECK(head == (int64_t)w->m.count,
                   "%s: the head is at %lld, the model holds %zu events",
                   backend_names[b], (long long)head, w->m.count);
    }
}

/* ---- Choices ------------------------------------------------------------ */

static const char *choose_stream(world *w)
{
    static const char *const pool[] = {"workshop-1", "workshop-2", "room-1",
                                       "workshop",   "a-b-c",      "ü-1"};
    size_t pick = fuzz_below(&w->in, 7);
    if (pick < 6)
        return pool[pick];
    return fuzz_string(&w->in, w->stream_id, STRING_MAX);
}

static int64_t choose_expected(world *w, const char *stream_id)
{
    int64_t version = model_stream_version(&w->m, stream_id);
    switch (fuzz_below(&w->in, 8)) {
    case 0:
        return ESK_ANY;
    case 1:
        return ESK_NO_STREAM;
    case 2:
        return ESK_STREAM_EXISTS;
    case 3:
        return version + 1;
    case 4:
        return version > 0 ? version - 1 : 0;
    case 5:
        return (int64_t)fuzz_u64(&w->in);
    default:
        return version;
    }
}

static int choose_schema_version(world *w)
{
    switch (fuzz_below(&w->in, 6)) {
    case 0:
        return 0;
    case 1:
        return INT_MAX;
    case 2:
        return (int)(uint32_t)fuzz_u64(&w->in);
    case 3:
        return 2;
    default:
        return 1;
    }
}

static const char *choose_json(world *w, char *buf, bool metadata)
{
    static const char *const pool[] = {
        "{}",
        "{\"workshopId\":\"w-1\",\"seats\":3,\"paid\":true}",
        "[1,2.5,\"x\",null,false]",
        "\"\\u00e9\\ud83d\\ude00\"",
        "{\"nested\":{\"a\":[{\"b\":{}}]}}",
        "  {\"spaces\" : [ ] }  ",
        "12",
        "{\"a\":\"\\u0000\"}",
    };
    size_t n = sizeof(pool) / sizeof(pool[0]);
    size_t pick = fuzz_below(&w->in, n + 2);
    if (pick < n)
        return pool[pick];
    if (pick == n && metadata)
        return NULL;
    return fuzz_string(&w->in, buf, DATA_MAX);
}

/* ---- Appends ------------------------------------------------------------ */

/* The batch is stored: read it back from both stores, check it against
 * what was given, and add it to the model. */
static void record_batch(world *w, const char *stream_id, size_t n,
                         const esk_append_result result[BACKENDS])
{
    model *m = &w->m;
    int64_t version = model_stream_version(m, stream_id);
    size_t head = m->count;

    for (int b = 0; b < BACKENDS; b++) {
        FUZZ_CHECK(result[b].version == version + (int64_t)n &&
                       result[b].position == (int64_t)(head + n),
                   "%s: the append landed at version %lld, position %lld; "
                   "expected %lld, %zu",
                   backend_names[b], (long long)result[b].version,
                   (long long)result[b].position,
                   (long long)(version + (int64_t)n), head + n);
        esk_status rc = esk_store_read_all(w->stores[b], (int64_t)head, 0, NULL,
                                           &w->lists[b]);
        FUZZ_CHECK(rc == ESK_OK && w->lists[b].count == n,
                   "%s: reading the batch back gave %d and %zu events",
                   backend_names[b], (int)rc, w->lists[b].count);
    }
    if (m->count + n > m->capacity) {
        size_t capacity = m->capacity == 0 ? 64 : m->capacity;
        while (capacity < m->count + n)
            capacity *= 2;
        model_event *grown = realloc(m->events, capacity * sizeof(*grown));
        FUZZ_CHECK(grown != NULL, "out of memory");
        m->events = grown;
        m->capacity = capacity;
    }
    for (size_t i = 0; i < n; i++) {
        const esk_new_event *given = &w->batch[i];
        model_event *e = &m->events[m->count];
        *e = (model_event){
            .stream_id = copy_text(stream_id),
            .type = copy_text(given->type),
            .schema_version = given->schema_version,
            .data = copy_text(given->data),
            .metadata = copy_text(given->metadata ? given->metadata : "{}"),
            .version = version + 1 + (int64_t)i,
            .recorded_at = w->now,
            .batch_start = head + 1,
        };
        for (int b = 0; b < BACKENDS; b++) {
            const char *id = w->lists[b].events[i].event_id;
            if (given->event_id == NULL)
                FUZZ_CHECK(is_uuid_v4(id), "%s: generated id '%s'",
                           backend_names[b], id);
            e->event_id[b] = copy_text(given->event_id ? given->event_id : id);
        }
        m->count++;
        for (int b = 0; b < BACKENDS; b++)
            check_same_event(&w->lists[b].events[i], e, (int64_t)m->count, b);
    }
}

/* Whether an append that began at first_version passed expected. */
static bool model_passes(int64_t expected, int64_t first_version)
{
    if (expected >= 0)
        return first_version - 1 == expected;
    if (expected == ESK_NO_STREAM)
        return first_version == 1;
    if (expected == ESK_STREAM_EXISTS)
        return first_version > 1;
    return true;
}

/*
 * The replay rule, on the model: 0 when the batch's first id is not
 * stored; 1 when the batch is one stored append again (same stream, the
 * same ids in order with the same type, schema version, data and
 * metadata, as many events, and an expected version that append passed);
 * -1 when it reuses the stored id otherwise.
 */
static int model_replay(const model *m, const char *stream_id, int64_t expected,
                        const esk_new_event *batch, size_t n)
{
    size_t first = 0;
    for (size_t p = 1; p <= m->count && first == 0; p++)
        if (strcmp(m->events[p - 1].event_id[0], batch[0].event_id) == 0)
            first = p;
    if (first == 0)
        return 0;
    const model_event *f = &m->events[first - 1];
    if (strcmp(f->stream_id, stream_id) != 0 || f->batch_start != first ||
        !model_passes(expected, f->version))
        return -1;
    size_t last = first;
    while (last < m->count && m->events[last].batch_start == first)
        last++;
    if (last - first + 1 != n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const model_event *e = &m->events[first - 1 + i];
        const esk_new_event *sent = &batch[i];
        const char *metadata = sent->metadata ? sent->metadata : "{}";
        if (strcmp(e->event_id[0], sent->event_id) != 0 ||
            strcmp(e->type, sent->type) != 0 ||
            e->schema_version != sent->schema_version ||
            strcmp(e->data, sent->data) != 0 ||
            strcmp(e->metadata, metadata) != 0)
            return -1;
    }
    return 1;
}

/* An append of stored ids that succeeded without writing: it must point at
 * the batch stored with those ids, in that order, in that stream. */
static void check_replay(world *w, const char *stream_id, size_t n,
                         const esk_append_result result[BACKENDS])
{
    FUZZ_CHECK(w->batch[0].event_id != NULL,
               "an append without ids wrote nothing");
    for (int b = 0; b < BACKENDS; b++) {
        int64_t last = result[b].position;
        FUZZ_CHECK(last >= (int64_t)n && last <= (int64_t)w->m.count,
                   "%s: a replay points at position %lld", backend_names[b],
                   (long long)last);
        for (size_t i = 0; i < n; i++) {
            const model_event *e = &w->m.events[last - (int64_t)n + (int64_t)i];
            FUZZ_CHECK(strcmp(e->event_id[b], w->batch[i].event_id) == 0 &&
                           strcmp(e->stream_id, stream_id) == 0,
                       "%s: replayed id '%s' is stored as '%s' in '%s'",
                       backend_names[b], w->batch[i].event_id, e->event_id[b],
                       e->stream_id);
        }
        FUZZ_CHECK(result[b].version == w->m.events[last - 1].version,
                   "%s: a replay gives version %lld, the batch ends at %lld",
                   backend_names[b], (long long)result[b].version,
                   (long long)w->m.events[last - 1].version);
    }
}

static void append(world *w, bool bulk)
{
    const char *stream_id = choose_stream(w);
    int64_t expected = choose_expected(w, stream_id);
    size_t n;
    /* ids: 0 none, 1 every event, 2 some (refused). */
    size_t id_mode = fuzz_below(&w->in, 3);

    if (bulk) {
        /* Many events with ids "prefix-i": enough to collide in the memory
         * store's hash table of ids, which rollbacks then delete from. */
        char prefix[9];
        n = 1 + fuzz_below(&w->in, BATCH_MAX);
        fuzz_string(&w->in, prefix, sizeof(prefix) - 1);
        for (size_t i = 0; i < n; i++) {
            snprintf(w->ids[i], sizeof(w->ids[i]), "%s-%zu", prefix, i);
            w->batch[i] = (esk_new_event){
                .event_id = id_mode == 0 ? NULL : w->ids[i],
                .type = i % 2 ? "Registered" : "Cancelled",
                .schema_version = 1,
                .data = "{}",
                .metadata = NULL,
            };
        }
        if (id_mode == 2)
            w->batch[n - 1].event_id = NULL;
    } else {
        static const char *const id_pool[] = {"e1", "e2", "e3", "e4"};
        static const char *const type_pool[] = {"Registered", "Cancelled"};
        n = 1 + fuzz_below(&w->in, SMALL_BATCH_MAX);
        for (size_t i = 0; i < n; i++) {
            const char *id = NULL;
            size_t pick = fuzz_below(&w->in, 5);
            if (pick < 4)
                id = id_pool[pick];
            else
                id = fuzz_string(&w->in, w->ids[i], 80);
            if (id_mode == 0 || (id_mode == 2 && i % 2 == 1))
                id = NULL;
            pick = fuzz_below(&w->in, 3);
            w->batch[i] = (esk_new_event){
                .event_id = id,
                .type = pick < 2 ? type_pool[pick]
                                 : fuzz_string(&w->in, w->types[i], STRING_MAX),
                .schema_version = choose_schema_version(w),
                .data = choose_json(w, w->data[i], false),
                .metadata = choose_json(w, w->metadata[i], true),
            };
        }
    }

    esk_status rc[BACKENDS];
    esk_append_result result[BACKENDS];
    for (int b = 0; b < BACKENDS; b++) {
        result[b] = (esk_append_result){-1, -1};
        rc[b] = esk_store_append(w->stores[b], stream_id, expected, w->batch, n,
                                 &result[b]);
    }
    esk_status status = same_status(w, rc, "esk_store_append");
    trace("append %zu to '%s' expecting %lld, ids %s: %s (%s)\n", n, stream_id,
          (long long)expected,
          id_mode == 0   ? "none"
          : id_mode == 1 ? "all"
                         : "some",
          esk_status_str(status), esk_errmsg());
    static const esk_status allowed[] = {ESK_OK, ESK_EINVAL, ESK_ECONCURRENCY,
                                         ESK_EDUPLICATE};
    check_status_in(status, allowed, sizeof(allowed) / sizeof(allowed[0]),
                    "esk_store_append");
    /* Bad input is refused before any look at the stored events. */
    /* "Some" ids may still be all of them (a batch of one). */
    bool all_ids = true;
    for (size_t i = 0; i < n; i++)
        all_ids = all_ids && w->batch[i].event_id != NULL;
    int replay =
        all_ids ? model_replay(&w->m, stream_id, expected, w->batch, n) : 0;
    FUZZ_CHECK(status == ESK_EINVAL || replay == 0 ||
                   status == (replay > 0 ? ESK_OK : ESK_EDUPLICATE),
               "an append whose first id is stored %s got %s: %s",
               replay > 0 ? "as this very append" : "otherwise",
               esk_status_str(status), esk_errmsg());
    if (status != ESK_OK) {
        check_heads(w); /* nothing written */
        return;
    }
    FUZZ_CHECK(result[0].version == result[1].version &&
                   result[0].position == result[1].position,
               "the stores placed the append apart");
    int64_t head = -1;
    FUZZ_CHECK(esk_store_head_position(w->stores[0], &head) == ESK_OK,
               "head position");
    if (head == (int64_t)w->m.count) {
        FUZZ_CHECK(replay > 0, "an append that is no replay wrote nothing");
        check_replay(w, stream_id, n, result);
    } else {
        FUZZ_CHECK(head == (int64_t)(w->m.count + n),
                   "an append of %zu events moved the head from %zu to %lld", n,
                   w->m.count, (long long)head);
        record_batch(w, stream_id, n, result);
    }
    check_heads(w);
}

/* ---- Reads -------------------------------------------------------------- */

/* 48 KB of positions: one, reused by every read, off the stack. */
static selection wanted;

static void read_stream(world *w, bool backward)
{
    const char *stream_id = choose_stream(w);
    int64_t from = fuzz_below(&w->in, 4) == 0 ? (int64_t)fuzz_u64(&w->in)
                                              : (int64_t)fuzz_below(&w->in, 8);
    if (backward && fuzz_below(&w->in, 2) == 0)
        from = ESK_END;
    size_t max = fuzz_below(&w->in, 6);

    esk_status rc[BACKENDS];
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = backward ? esk_store_read_stream_backward(
                               w->stores[b], stream_id, from, max, &w->lists[b])
                         : esk_store_read_stream(w->stores[b], stream_id, from,
                                                 max, &w->lists[b]);
    esk_status status = same_status(w, rc, "reading a stream");
    trace("read '%s' %s from %lld, at most %zu: %s, %zu events\n", stream_id,
          backward ? "backward" : "forward", (long long)from, max,
          esk_status_str(status), w->lists[0].count);
    static const esk_status allowed[] = {ESK_OK, ESK_EINVAL};
    check_status_in(status, allowed, 2, "reading a stream");
    if (status != ESK_OK)
        return;

    /* Versions from... upwards, or from... down to 1; from 0 reads as 1
     * forwards and as nothing backwards. A stream's versions grow with
     * positions, so the model is walked in position order. */
    wanted.count = 0;
    int64_t version = model_stream_version(&w->m, stream_id);
    int64_t low = backward ? 1 : (from == 0 ? 1 : from);
    int64_t high =
        backward && from != ESK_END && from < version ? from : version;
    for (size_t k = 0; k < w->m.count && (max == 0 || wanted.count < max);
         k++) {
        size_t i = backward ? w->m.count - 1 - k : k;
        const model_event *e = &w->m.events[i];
        if (e->version >= low && e->version <= high &&
            strcmp(e->stream_id, stream_id) == 0)
            wanted.positions[wanted.count++] = (int64_t)i + 1;
    }
    esk_event_list *lists[BACKENDS] = {&w->lists[0], &w->lists[1]};
    check_read(&w->m, &wanted, lists);
}

static bool in_category(const char *stream_id, const char *category)
{
    size_t len = strlen(category);
    return strncmp(stream_id, category, len) == 0 &&
           (stream_id[len] == '-' || stream_id[len] == '\0');
}

static void read_all(world *w)
{
    static const char *const type_pool[] = {"Registered", "Cancelled", "X"};
    int64_t after = fuzz_below(&w->in, 4) == 0
                        ? (int64_t)fuzz_u64(&w->in)
                        : (int64_t)fuzz_below(&w->in, w->m.count + 2);
    size_t max = fuzz_below(&w->in, 8);
    esk_filter filter = {NULL, NULL, 0};
    size_t pick = fuzz_below(&w->in, 4);
    if (pick == 1)
        filter.category = "workshop";
    else if (pick == 2)
        filter.category = "room";
    else if (pick == 3)
        filter.category = fuzz_string(&w->in, w->category, 16);
    size_t types = fuzz_below(&w->in, 4);
    if (types > 0) {
        filter.types = type_pool + (types == 3 ? 1 : 0);
        filter.type_count = types == 3 ? 2 : types;
    }

    esk_status rc[BACKENDS];
    for (int b = 0; b < BACKENDS; b++)
        rc[b] =
            esk_store_read_all(w->stores[b], after, max, &filter, &w->lists[b]);
    esk_status status = same_status(w, rc, "esk_store_read_all");
    trace("read all after %lld, at most %zu, category %s, %zu types: %s, "
          "%zu events\n",
          (long long)after, max, filter.category ? filter.category : "-",
          filter.type_count, esk_status_str(status), w->lists[0].count);
    bool bad_category =
        filter.category != NULL &&
        (filter.category[0] == '\0' || strchr(filter.category, '-') != NULL);
    FUZZ_CHECK(status == ((after < 0 || bad_category) ? ESK_EINVAL : ESK_OK),
               "esk_store_read_all gave %d (%s)", (int)status,
               esk_status_str(status));
    if (status != ESK_OK)
        return;

    wanted.count = 0;
    for (size_t i = (size_t)after; i < w->m.count; i++) {
        const model_event *e = &w->m.events[i];
        bool type_ok = filter.type_count == 0;
        for (size_t t = 0; t < filter.type_count; t++)
            type_ok = type_ok || strcmp(filter.types[t], e->type) == 0;
        if ((filter.category == NULL ||
             in_category(e->stream_id, filter.category)) &&
            type_ok && (max == 0 || wanted.count < max))
            wanted.positions[wanted.count++] = (int64_t)i + 1;
    }
    esk_event_list *lists[BACKENDS] = {&w->lists[0], &w->lists[1]};
    check_read(&w->m, &wanted, lists);
}

static void stream_version(world *w)
{
    const char *stream_id = choose_stream(w);
    esk_status rc[BACKENDS];
    int64_t version[BACKENDS] = {-1, -1};
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = esk_store_stream_version(w->stores[b], stream_id, &version[b]);
    esk_status status = same_status(w, rc, "esk_store_stream_version");
    trace("version of '%s': %s, %lld\n", stream_id, esk_status_str(status),
          (long long)version[0]);
    if (status != ESK_OK)
        return;
    for (int b = 0; b < BACKENDS; b++)
        FUZZ_CHECK(version[b] == model_stream_version(&w->m, stream_id),
                   "%s: stream '%s' is at version %lld, expected %lld",
                   backend_names[b], stream_id, (long long)version[b],
                   (long long)model_stream_version(&w->m, stream_id));
}

/* ---- Transactions ------------------------------------------------------- */

static void transaction(world *w, int what)
{
    esk_status rc[BACKENDS];
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = what == 0   ? esk_store_begin(w->stores[b])
                : what == 1 ? esk_store_commit(w->stores[b])
                            : esk_store_rollback(w->stores[b]);
    esk_status status = same_status(w, rc, "a transaction call");
    trace("%s: %s\n",
          what == 0   ? "begin"
          : what == 1 ? "commit"
                      : "rollback",
          esk_status_str(status));
    model *m = &w->m;
    if (what == 0) {
        if (status == ESK_OK) {
            FUZZ_CHECK(m->depth < DEPTH_MAX, "begin past the depth limit");
            m->marks[m->depth++] = m->count;
        }
    } else if (m->depth == 0) {
        FUZZ_CHECK(status == ESK_EINVAL,
                   "ending a transaction that is not open gave %d",
                   (int)status);
    } else {
        FUZZ_CHECK(status == ESK_OK, "ending a transaction gave %d (%s)",
                   (int)status, esk_status_str(status));
        m->depth--;
        if (what == 2)
            model_truncate(m, m->marks[m->depth]);
    }
    for (int b = 0; b < BACKENDS; b++)
        FUZZ_CHECK(esk_store_transaction_depth(w->stores[b]) == m->depth,
                   "%s: transactions %d deep, expected %d", backend_names[b],
                   esk_store_transaction_depth(w->stores[b]), m->depth);
    check_heads(w);
}

/* ---- Records ------------------------------------------------------------ */

static void records(world *w, bool put)
{
    static const char *const key_pool[] = {"projection", "cmd-1", "w-1"};
    char key_buf[STRING_MAX + 1];
    esk_record_kind kind = (esk_record_kind)fuzz_below(&w->in, 4);
    size_t pick = fuzz_below(&w->in, 4);
    const char *key =
        pick < 3 ? key_pool[pick] : fuzz_string(&w->in, key_buf, STRING_MAX);
    esk_status rc[BACKENDS];

    if (put) {
        esk_record record = {key, (int64_t)fuzz_u64(&w->in),
                             (int)(uint32_t)fuzz_u64(&w->in),
                             choose_json(w, w->data[0], false)};
        for (int b = 0; b < BACKENDS; b++)
            rc[b] = esk_store_put_record(w->stores[b], kind, &record);
        esk_status status = same_status(w, rc, "esk_store_put_record");
        trace("put record %d '%s': %s\n", (int)kind, key,
              esk_status_str(status));
        static const esk_status allowed[] = {ESK_OK, ESK_EINVAL};
        check_status_in(status, allowed, 2, "esk_store_put_record");
        return;
    }
    esk_record got[BACKENDS];
    char *owned[BACKENDS] = {NULL, NULL};
    for (int b = 0; b < BACKENDS; b++)
        rc[b] =
            esk_store_get_record(w->stores[b], kind, key, &got[b], &owned[b]);
    esk_status status = same_status(w, rc, "esk_store_get_record");
    trace("get record %d '%s': %s\n", (int)kind, key, esk_status_str(status));
    static const esk_status allowed[] = {ESK_OK, ESK_EINVAL, ESK_ENOTFOUND};
    check_status_in(status, allowed, 3, "esk_store_get_record");
    if (status == ESK_OK) {
        FUZZ_CHECK(strcmp(got[0].key, key) == 0 &&
                       strcmp(got[1].key, key) == 0 && got[0].at == got[1].at &&
                       got[0].tag == got[1].tag &&
                       strcmp(got[0].value, got[1].value) == 0,
                   "record '%s' reads as (%lld, %d, '%s') and (%lld, %d, "
                   "'%s')",
                   key, (long long)got[0].at, got[0].tag, got[0].value,
                   (long long)got[1].at, got[1].tag, got[1].value);
    }
    for (int b = 0; b < BACKENDS; b++)
        esk_free(owned[b]);
}

/* ---- The program -------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_alloc_install();
    long live = fuzz_alloc_live();
    world *w = calloc(1, sizeof(*w));
    FUZZ_CHECK(w != NULL, "out of memory");
    w->in = (fuzz_input){data, size};

    /* 2026-01-01T00:00:00Z; each operation moves it a microsecond on. */
    w->now = INT64_C(1767225600000000);
    for (int b = 0; b < BACKENDS; b++) {
        esk_store_options options = ESK_STORE_OPTIONS_INIT;
        options.clock = fake_clock;
        options.clock_ctx = &w->now;
        esk_status rc =
            b == 0 ? esk_store_open_memory(&w->stores[b], &options)
                   : esk_store_open_sqlite(&w->stores[b], ":memory:", &options);
        FUZZ_CHECK(rc == ESK_OK, "opening the %s store: %s", backend_names[b],
                   esk_errmsg());
        w->lists[b] = (esk_event_list)ESK_EVENT_LIST_INIT;
    }

    for (int op = 0; op < OPERATIONS_MAX && w->in.left > 0; op++) {
        w->now++;
        switch (fuzz_below(&w->in, 12)) {
        case 0:
        case 1:
            append(w, false);
            break;
        case 2:
            append(w, true);
            break;
        case 3:
            read_stream(w, false);
            break;
        case 4:
            read_stream(w, true);
            break;
        case 5:
            read_all(w);
            break;
        case 6:
            stream_version(w);
            break;
        case 7:
        case 8:
        case 9:
            transaction(w, (int)fuzz_below(&w->in, 3));
            break;
        case 10:
            records(w, true);
            break;
        default:
            records(w, false);
            break;
        }
    }

    /* Everything, from both stores, as the model has it: gap-free
     * positions 1..n. */
    wanted.count = 0;
    for (size_t i = 0; i < w->m.count; i++)
        wanted.positions[wanted.count++] = (int64_t)i + 1;
    esk_status rc[BACKENDS];
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = esk_store_read_all(w->stores[b], 0, 0, NULL, &w->lists[b]);
    FUZZ_CHECK(same_status(w, rc, "the last read") == ESK_OK,
               "the last read failed");
    esk_event_list *lists[BACKENDS] = {&w->lists[0], &w->lists[1]};
    check_read(&w->m, &wanted, lists);
    check_heads(w);

    for (int b = 0; b < BACKENDS; b++) {
        esk_event_list_release(&w->lists[b]);
        esk_store_free(w->stores[b]);
    }
    model_truncate(&w->m, 0);
    free(w->m.events);
    free(w);
    FUZZ_CHECK(fuzz_alloc_live() == live, "%ld blocks leaked",
               fuzz_alloc_live() - live);
    return 0;
}
