/*
 * fuzz/fuzz_store_model.c - the store fuzz target's model (a plain list
 * of what was accepted), its comparisons of what a store read with it,
 * the two stores side by side, and the choices the input makes.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/store.h>

#include "fuzz.h"
#include "fuzz_store.h"

/* The backends, in the order of world.stores. */
const char *const backend_names[BACKENDS] = {"memory", "sqlite"};

/* ---- The model ---------------------------------------------------------- */

char *copy_text(const char *text)
{
    return fuzz_text((const uint8_t *)text, strlen(text));
}

void model_truncate(model *m, size_t count)
{
    while (m->count > count) {
        model_event *e = &m->events[--m->count];
        free(e->stream_id);
        for (int b = 0; b < BACKENDS; b++)
            free(e->event_id[b]);
        free(e->type);
        free(e->data);
        free(e->metadata);
        for (size_t t = 0; t < e->tag_count; t++)
            free(e->tags[t]);
    }
}

int64_t model_stream_version(const model *m, const char *stream_id)
{
    int64_t version = 0;
    for (size_t i = 0; i < m->count; i++)
        if (strcmp(m->events[i].stream_id, stream_id) == 0)
            version = m->events[i].version;
    return version;
}

bool model_closed(const model *m, const char *stream_id)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->events[i].closes &&
            strcmp(m->events[i].stream_id, stream_id) == 0)
            return true;
    return false;
}

static bool has_tag(const model_event *e, const char *tag)
{
    for (size_t t = 0; t < e->tag_count; t++)
        if (strcmp(e->tags[t], tag) == 0)
            return true;
    return false;
}

/* The query's rule written out plainly (esk/query.h), not with
 * esk_query_matches(): the model must not share the stores' code. */
bool model_matches(const esk_query *query, const model_event *e)
{
    for (size_t i = 0; i < query->item_count; i++) {
        const esk_query_item *item = &query->items[i];
        bool type_ok = item->type_count == 0;
        for (size_t k = 0; k < item->type_count; k++)
            type_ok = type_ok || strcmp(item->types[k], e->type) == 0;
        bool tags_ok = true;
        for (size_t k = 0; k < item->tag_count; k++)
            tags_ok = tags_ok && has_tag(e, item->tags[k]);
        if (type_ok && tags_ok)
            return true;
    }
    return false;
}

bool model_conflicts(const model *m, const esk_query *query, int64_t after)
{
    for (size_t i = after < 0 ? 0 : (size_t)after; i < m->count; i++)
        if (model_matches(query, &m->events[i]))
            return true;
    return false;
}

/* ---- Comparing what a store read with the model ------------------------ */

void check_same_event(const esk_event *got, const model_event *want,
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
    FUZZ_CHECK(got->tag_count == want->tag_count,
               "%s: position %lld has %zu tags, not %zu", name,
               (long long)position, got->tag_count, want->tag_count);
    for (size_t t = 0; t < want->tag_count; t++)
        FUZZ_CHECK(strcmp(got->tags[t], want->tags[t]) == 0,
                   "%s: position %lld has tag '%s' where '%s' was appended",
                   name, (long long)position, got->tags[t], want->tags[t]);
    FUZZ_CHECK(got->recorded_at == want->recorded_at,
               "%s: position %lld was recorded at %lld, not %lld", name,
               (long long)position, (long long)got->recorded_at,
               (long long)want->recorded_at);
}

void check_read(const model *m, const selection *want,
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

bool is_uuid_v7(const char *id)
{
    /* R: the variant (binary 10xx). */
    static const char pattern[] = "xxxxxxxx-xxxx-7xxx-Rxxx-xxxxxxxxxxxx";
    if (strlen(id) != sizeof(pattern) - 1)
        return false;
    for (size_t i = 0; pattern[i] != '\0'; i++) {
        char c = id[i];
        bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        bool ok = pattern[i] == 'x'   ? hex
                  : pattern[i] == 'R' ? strchr("89ab", c) != NULL && c != '\0'
                                      : c == pattern[i];
        if (!ok)
            return false;
    }
    return true;
}

/* ---- The two stores ----------------------------------------------------- */

esk_time fake_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

/* ESK_FUZZ_TRACE=1 prints each call and its status: what a reproducer
 * does, read without a debugger. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
void
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
esk_status same_status(const world *w, const esk_status rc[BACKENDS],
                       const char *call)
{
    (void)w;
    /* The last error is the last call's: sqlite's, called second. */
    FUZZ_CHECK(rc[0] == rc[1], "%s: memory gave %d (%s), sqlite %d (%s: %s)",
               call, (int)rc[0], esk_status_str(rc[0]), (int)rc[1],
               esk_status_str(rc[1]), esk_errmsg());
    return rc[0];
}

void check_status_in(esk_status rc, const esk_status *allowed, size_t n,
                     const char *call)
{
    for (size_t i = 0; i < n; i++)
        if (rc == allowed[i])
            return;
    fuzz_fail(__FILE__, __LINE__, "documented status", "%s gave %d (%s)", call,
              (int)rc, esk_status_str(rc));
}

void check_heads(world *w)
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

const char *choose_stream(world *w)
{
    static const char *const pool[] = {"workshop-1", "workshop-2", "room-1",
                                       "workshop",   "a-b-c",      "ü-1"};
    size_t pick = fuzz_below(&w->in, 7);
    if (pick < 6)
        return pool[pick];
    return fuzz_string(&w->in, w->stream_id, STRING_MAX);
}

int64_t choose_expected(world *w, const char *stream_id)
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

int choose_schema_version(world *w)
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

const char *choose_json(world *w, char *buf, bool metadata)
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

static const char *const tag_pool[TAGS_MAX] = {"attendee:bob", "workshop:w-1",
                                               "day:1"};

void choose_tags(world *w, size_t n)
{
    w->has_tags = true;
    for (size_t i = 0; i < n; i++) {
        size_t mask = fuzz_below(&w->in, 8);
        bool reversed = fuzz_below(&w->in, 2) == 1;
        size_t count = 0;
        for (size_t t = 0; t < TAGS_MAX; t++) {
            size_t k = reversed ? TAGS_MAX - 1 - t : t;
            if (mask & ((size_t)1 << k))
                w->tag_text[i][count++] = tag_pool[k];
        }
        w->tags[i] = (esk_tags){w->tag_text[i], count};
    }
    /* Now and then one event gets a tag of any bytes: empty, too long,
     * not UTF-8, or one it already has. */
    size_t odd = fuzz_below(&w->in, 8 * n);
    if (odd < n && w->tags[odd].count < TAGS_MAX) {
        w->tag_text[odd][w->tags[odd].count++] =
            fuzz_string(&w->in, w->odd_tag, STRING_MAX);
    }
}

esk_query choose_query(world *w)
{
    static const char *const type_pool[] = {"Registered", "Cancelled"};
    size_t items = 1 + fuzz_below(&w->in, QUERY_ITEMS);
    for (size_t i = 0; i < items; i++) {
        size_t types = fuzz_below(&w->in, 4), tags = fuzz_below(&w->in, 8);
        esk_query_item *item = &w->items[i];
        *item = (esk_query_item){w->item_types[i], 0, w->item_tags[i], 0};
        for (size_t k = 0; k < 2; k++)
            if (types & ((size_t)1 << k))
                w->item_types[i][item->type_count++] = type_pool[k];
        for (size_t k = 0; k < TAGS_MAX; k++)
            if (tags & ((size_t)1 << k))
                w->item_tags[i][item->tag_count++] = tag_pool[k];
    }
    return (esk_query){w->items, items};
}
