/*
 * fuzz/fuzz_store.c - the memory and SQLite stores, side by side.
 *
 * The input is a program of store calls: appends of any stream id, type,
 * event id, schema version, data, metadata and tags (valid or not), with
 * or without an append condition, or closing their stream; batches of up
 * to 128 events, reads of every kind (queries too), transactions with
 * rollbacks, and records. Each call runs on a memory store and on a SQLite
 * ":memory:" store, and on a plain list of what was accepted (the model). What
 * must hold, after every call:
 *   - both stores return the same status, one that the call documents;
 *   - an accepted append is read back byte for byte as it was given
 *     (metadata NULL as "{}", tags in their order), at the next versions
 *     of its stream and the next positions of the store, in both stores,
 *     recorded at the time the clock gave; a generated event id is a
 *     UUID v7; a valid append gets the status the model gives (a closed
 *     stream, the expected version, the condition, in that order); an
 *     append whose
 *     first id is stored succeeds without writing exactly when it is one
 *     stored append again (same stream, ids, content and size, and an
 *     expected version that append passed), and points at that append;
 *     any other is ESK_EDUPLICATE;
 *   - a refused append writes nothing;
 *   - every read gives what the model says, in both stores, and positions
 *     run 1, 2, 3... without a gap, also after rollbacks;
 *   - records read back the same from both stores;
 *   - no esk block leaks.
 *
 * This file has reads, transactions, records and the program; the model,
 * the checks and the choices are in fuzz_store_model.c, appends in
 * fuzz_store_append.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/store.h>

#include "fuzz.h"
#include "fuzz_store.h"

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

static void read_query(world *w)
{
    esk_query query = choose_query(w);
    int64_t after = fuzz_below(&w->in, 8) == 0
                        ? -1
                        : (int64_t)fuzz_below(&w->in, w->m.count + 2);
    size_t max = fuzz_below(&w->in, 6);
    esk_status rc[BACKENDS];
    int64_t up_to[BACKENDS] = {-7, -7};
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = esk_store_read_query(w->stores[b], &query, after, max,
                                     &w->lists[b], &up_to[b]);
    esk_status status = same_status(w, rc, "esk_store_read_query");
    trace("read query of %zu items after %lld, at most %zu: %s, %zu events, "
          "up to %lld\n",
          query.item_count, (long long)after, max, esk_status_str(status),
          w->lists[0].count, (long long)up_to[0]);
    FUZZ_CHECK(status == (after < 0 ? ESK_EINVAL : ESK_OK),
               "esk_store_read_query gave %s: %s", esk_status_str(status),
               esk_errmsg());
    if (status != ESK_OK)
        return;

    /* Every match after `after`, at most max; the read covers up to the
     * head, or to the last event when max cut it short. */
    wanted.count = 0;
    bool cut = false;
    for (size_t i = (size_t)after; i < w->m.count && !cut; i++) {
        if (!model_matches(&query, &w->m.events[i]))
            continue;
        if (max != 0 && wanted.count == max)
            cut = true;
        else
            wanted.positions[wanted.count++] = (int64_t)i + 1;
    }
    esk_event_list *lists[BACKENDS] = {&w->lists[0], &w->lists[1]};
    check_read(&w->m, &wanted, lists);
    /* A read that gave max events claims no further than the last (it
     * cannot tell whether more would match); any other covers the head,
     * or `after` when that is further. */
    int64_t last = wanted.count ? wanted.positions[wanted.count - 1] : 0;
    int64_t head = (int64_t)w->m.count;
    int64_t covers = (max != 0 && wanted.count == max) ? last
                     : after > head                    ? after
                                                       : head;
    for (int b = 0; b < BACKENDS; b++)
        FUZZ_CHECK(up_to[b] == covers,
                   "%s: the read covers up to %lld, not %lld (head %lld, "
                   "%zu of at most %zu matches%s)",
                   backend_names[b], (long long)up_to[b], (long long)covers,
                   (long long)head, wanted.count, max,
                   cut ? ", cut short" : "");
}

static void stream_closed(world *w)
{
    const char *stream_id = choose_stream(w);
    esk_status rc[BACKENDS];
    bool closed[BACKENDS] = {false, false};
    for (int b = 0; b < BACKENDS; b++)
        rc[b] = esk_store_stream_closed(w->stores[b], stream_id, &closed[b]);
    esk_status status = same_status(w, rc, "esk_store_stream_closed");
    trace("is '%s' closed: %s, %d\n", stream_id, esk_status_str(status),
          (int)closed[0]);
    if (status != ESK_OK)
        return;
    for (int b = 0; b < BACKENDS; b++)
        FUZZ_CHECK(closed[b] == model_closed(&w->m, stream_id),
                   "%s: stream '%s' reads as %s", backend_names[b], stream_id,
                   closed[b] ? "closed" : "open");
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
        switch (fuzz_below(&w->in, 14)) {
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
        case 12:
            read_query(w);
            break;
        case 13:
            stream_closed(w);
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
