/*
 * fuzz/fuzz_store.h - what the parts of the store fuzz target share
 * (fuzz_store.c, fuzz_store_model.c, fuzz_store_append.c): the model of
 * what was accepted, the two stores side by side, and the checks and
 * choices every call uses.
 */
#ifndef ESK_FUZZ_STORE_H
#define ESK_FUZZ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/query.h>
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
    /* Tags per event, from a pool of that many. */
    TAGS_MAX = 3,
    QUERY_ITEMS = 2,
};

/* The backends, in the order of world.stores. */
extern const char *const backend_names[BACKENDS];

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
    char *tags[TAGS_MAX];
    size_t tag_count;
    /* The last event of the append that closed its stream. */
    bool closes;
} model_event;

typedef struct model {
    model_event *events; /* events[p - 1] has position p */
    size_t count;
    size_t capacity;
    size_t marks[DEPTH_MAX];
    int depth;
} model;

/* The model's positions (1-based) a read must give, in order. */
typedef struct selection {
    int64_t positions[BATCH_MAX * OPERATIONS_MAX];
    size_t count;
} selection;

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
    /* The tags of the batch (none when has_tags is false), and a query. */
    bool has_tags;
    esk_tags tags[BATCH_MAX];
    const char *tag_text[BATCH_MAX][TAGS_MAX];
    char odd_tag[STRING_MAX + 1];
    esk_query_item items[QUERY_ITEMS];
    const char *item_types[QUERY_ITEMS][2];
    const char *item_tags[QUERY_ITEMS][TAGS_MAX];
} world;

/* ---- fuzz_store_model.c ------------------------------------------------- */

char *copy_text(const char *text);
void model_truncate(model *m, size_t count);
int64_t model_stream_version(const model *m, const char *stream_id);

void check_same_event(const esk_event *got, const model_event *want,
                      int64_t position, int b);
void check_read(const model *m, const selection *want,
                esk_event_list *const lists[BACKENDS]);
bool is_uuid_v7(const char *id);
bool model_closed(const model *m, const char *stream_id);
bool model_matches(const esk_query *query, const model_event *e);
/* Whether an event matching query is in the model after position after. */
bool model_conflicts(const model *m, const esk_query *query, int64_t after);

esk_time fake_clock(void *ctx);
/* ESK_FUZZ_TRACE=1 prints each call and its status: what a reproducer
 * does, read without a debugger. */
void trace(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Both stores' statuses must agree: return the common one. */
esk_status same_status(const world *w, const esk_status rc[BACKENDS],
                       const char *call);
void check_status_in(esk_status rc, const esk_status *allowed, size_t n,
                     const char *call);
void check_heads(world *w);

const char *choose_stream(world *w);
int64_t choose_expected(world *w, const char *stream_id);
int choose_schema_version(world *w);
const char *choose_json(world *w, char *buf, bool metadata);
/* Fills w->items: a query of 1 or 2 items over the pools of types and
 * tags. */
esk_query choose_query(world *w);
/* Fills w->tags for n events (sometimes an invalid tag). */
void choose_tags(world *w, size_t n);

/* ---- fuzz_store_append.c ------------------------------------------------ */

/* One append (bulk: a batch of up to BATCH_MAX events), checked against
 * the model in both stores. */
void append(world *w, bool bulk);

#endif
