/*
 * tests/test_extremes.c - every public integer parameter at its extremes.
 *
 * Each call runs on a memory store and a SQLite store holding the same
 * events, with INT64_MIN, -1, 0, 1, INT64_MAX and their neighbours (and
 * SIZE_MAX for sizes, INT_MIN and INT_MAX for ints), and both stores must
 * give the same status and the same answer. Under the asan preset UBSan
 * aborts at the first overflow (-fno-sanitize-recover=all), so these tests
 * also prove that no value makes esk compute out of range.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "aggregate_fixture.h"
#include "esk/decider.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z, the first and
 * last times esk_time_format() can write. */
#define TIME_MIN ESK_TIME_MIN
#define TIME_MAX ESK_TIME_MAX

static const int64_t int64s[] = {
    INT64_MIN, INT64_MIN + 1, -4,        -3, -2, -1, 0, 1, 2, 3, 4, 5,
    6,         INT64_MAX - 1, INT64_MAX,
};
static const size_t sizes[] = {0, 1, 2, SIZE_MAX - 1, SIZE_MAX};
static const int ints[] = {INT_MIN, INT_MIN + 1, -1,          0,
                           1,       2,           INT_MAX - 1, INT_MAX};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* ---- Two stores side by side ------------------------------------------ */

typedef struct both {
    esk_store *store[2]; /* memory, SQLite */
    esk_time now;
} both;

static const char *const backend_names[2] = {"memory", "sqlite"};

static esk_time fixed_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

static void both_open_empty(both *b, esk_time now)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    b->now = now;
    options.clock = fixed_clock;
    options.clock_ctx = &b->now;
    assert_int_equal(esk_store_open_memory(&b->store[0], &options), ESK_OK);
    assert_int_equal(esk_store_open_sqlite(&b->store[1], ":memory:", &options),
                     ESK_OK);
}

/* ring-1 at version 3 and knock-1 at version 2, interleaved: positions
 * 1 to 5, with the same ids on both stores. */
static void both_open(both *b)
{
    both_open_empty(b, INT64_C(1795770000000000));
    static const struct {
        const char *stream, *id, *type;
    } rows[] = {
        {"ring-1", "e1", "Rang"},     {"knock-1", "e2", "Knocked"},
        {"ring-1", "e3", "Rang"},     {"knock-1", "e4", "Knocked"},
        {"ring-1", "e5", "Silenced"},
    };
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < COUNT(rows); i++) {
            const esk_new_event e = {rows[i].id, rows[i].type, 1, "{}", NULL};
            assert_int_equal(esk_store_append(b->store[s], rows[i].stream,
                                              ESK_ANY, &e, 1, NULL),
                             ESK_OK);
        }
}

static void both_close(both *b)
{
    esk_store_free(b->store[0]);
    esk_store_free(b->store[1]);
}

/* What a call gave, to compare between the stores. */
typedef struct outcome {
    esk_status status;
    char summary[512];
} outcome;

static void summarise_events(outcome *o, const esk_event_list *list)
{
    size_t used =
        (size_t)snprintf(o->summary, sizeof o->summary, "%zu:", list->count);
    for (size_t i = 0; i < list->count && used < sizeof o->summary; i++)
        used += (size_t)snprintf(o->summary + used, sizeof o->summary - used,
                                 " %s@%lld/%lld", list->events[i].event_id,
                                 (long long)list->events[i].version,
                                 (long long)list->events[i].position);
}

static void assert_same(const outcome o[2], const char *call)
{
    if (o[0].status != o[1].status || strcmp(o[0].summary, o[1].summary) != 0)
        fail_msg("%s: the memory store gave %s (%s), SQLite %s (%s)", call,
                 esk_status_str(o[0].status), o[0].summary,
                 esk_status_str(o[1].status), o[1].summary);
}

/* ---- Tags, queries and conditions ------------------------------------- */

static const char *const ring_tags[] = {"door:front", "bell:1"};

/* both_open(), then a tagged event at position 6 on both. */
static void both_open_tagged(both *b)
{
    both_open(b);
    const esk_tags tags = {ring_tags, 2};
    const esk_new_event e = {"e6", "Rang", 1, "{}", NULL};
    for (int k = 0; k < 2; k++)
        assert_int_equal(esk_store_append_if(b->store[k], "ring-1", ESK_ANY, &e,
                                             &tags, 1, NULL, NULL),
                         ESK_OK);
}

static void query_reads_agree_after_any_position_with_any_count(void **state)
{
    (void)state;
    both b;
    both_open_tagged(&b);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const char *const rang[] = {"Rang"};
    const esk_query_item items[] = {{rang, 1, NULL, 0},
                                    {NULL, 0, ring_tags, 1}};
    const esk_query q = {items, 2};
    for (size_t p = 0; p < COUNT(int64s); p++)
        for (size_t c = 0; c < COUNT(sizes); c++) {
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                int64_t up_to = -99;
                o[k].status = esk_store_read_query(b.store[k], &q, int64s[p],
                                                   sizes[c], &list, &up_to);
                summarise_events(&o[k], &list);
                size_t used = strlen(o[k].summary);
                snprintf(o[k].summary + used, sizeof o[k].summary - used,
                         " up to %lld", (long long)up_to);
            }
            char call[160];
            snprintf(call, sizeof call, "read_query(%lld, %zu)",
                     (long long)int64s[p], sizes[c]);
            assert_same(o, call);
        }
    esk_event_list_release(&list);
    both_close(&b);
}

static void conditions_agree_after_any_position(void **state)
{
    (void)state;
    both b;
    both_open_tagged(&b);
    const esk_query_item item = {NULL, 0, ring_tags, 1};
    const esk_new_event e = {NULL, "Rang", 1, "{}", NULL};
    for (size_t p = 0; p < COUNT(int64s); p++) {
        const esk_append_condition condition = {{&item, 1}, int64s[p]};
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            esk_append_result r = {-1, -1};
            o[k].status = esk_store_append_if(b.store[k], "ring-2", ESK_ANY, &e,
                                              NULL, 1, &condition, &r);
            snprintf(o[k].summary, sizeof o[k].summary, "%lld/%lld",
                     (long long)r.version, (long long)r.position);
        }
        char call[160];
        snprintf(call, sizeof call, "append_if(after %lld)",
                 (long long)int64s[p]);
        assert_same(o, call);
        /* The tagged event is at 6: a condition before it fails. */
        esk_status want = int64s[p] < 0   ? ESK_EINVAL
                          : int64s[p] < 6 ? ESK_ECONCURRENCY
                                          : ESK_OK;
        assert_int_equal(o[0].status, want);
    }
    both_close(&b);
}

/* Counts of tags and items at and past their limits: one past is refused
 * with a list that long, and the largest, with a list far shorter than
 * they claim, before it is read (ASan would see the read). */
static void tag_and_item_counts_past_their_limits_are_refused(void **state)
{
    (void)state;
    both b;
    both_open_empty(&b, INT64_C(1795770000000000));
    /* One more tag than allowed, all valid: one past the limit is refused
     * for its count alone. */
    const char *tags[ESK_EVENT_TAGS_MAX + 1];
    char names[ESK_EVENT_TAGS_MAX + 1][8];
    for (int i = 0; i <= ESK_EVENT_TAGS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "t%d", i);
        tags[i] = names[i];
    }
    const size_t counts[] = {
        0,       1, ESK_EVENT_TAGS_MAX, ESK_EVENT_TAGS_MAX + 1, SIZE_MAX - 1,
        SIZE_MAX};
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    for (size_t c = 0; c < COUNT(counts); c++) {
        bool fits = counts[c] <= ESK_EVENT_TAGS_MAX;
        for (int k = 0; k < 2; k++) {
            const esk_tags t = {tags, counts[c]};
            assert_int_equal(esk_store_append_if(b.store[k], "s-1", ESK_ANY, &e,
                                                 &t, 1, NULL, NULL),
                             fits ? ESK_OK : ESK_EINVAL);
            /* An item may hold as many tags as an event, and up to
             * ESK_QUERY_TYPES_MAX types. */
            const esk_query_item by_tags = {NULL, 0, tags, counts[c]};
            esk_query q = {&by_tags, 1};
            assert_int_equal(
                esk_store_read_query(b.store[k], &q, 0, 0, &list, NULL),
                fits ? ESK_OK : ESK_EINVAL);
            if (fits && counts[c] > 0)
                assert_int_equal(list.count, 1);
            const esk_query_item by_types = {tags, counts[c], NULL, 0};
            q = (esk_query){&by_types, 1};
            assert_int_equal(
                esk_store_read_query(b.store[k], &q, 0, 0, &list, NULL),
                counts[c] <= ESK_QUERY_TYPES_MAX ? ESK_OK : ESK_EINVAL);
        }
    }
    /* Items: as many as a query holds, of a list as long. */
    static esk_query_item any[ESK_QUERY_ITEMS_MAX + 1];
    const size_t item_counts[] = {
        0,       1, ESK_QUERY_ITEMS_MAX, ESK_QUERY_ITEMS_MAX + 1, SIZE_MAX - 1,
        SIZE_MAX};
    for (size_t c = 0; c < COUNT(item_counts); c++)
        for (int k = 0; k < 2; k++) {
            const esk_query q = {any, item_counts[c]};
            bool fits =
                item_counts[c] >= 1 && item_counts[c] <= ESK_QUERY_ITEMS_MAX;
            assert_int_equal(
                esk_store_read_query(b.store[k], &q, 0, 0, &list, NULL),
                fits ? ESK_OK : ESK_EINVAL);
        }
    esk_event_list_release(&list);
    both_close(&b);
}

/* ---- Reads -------------------------------------------------------------- */

static void stream_reads_agree_from_any_version_with_any_count(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const char *streams[] = {"ring-1", "absent-1"};
    for (size_t s = 0; s < COUNT(streams); s++)
        for (size_t v = 0; v < COUNT(int64s); v++)
            for (size_t c = 0; c < COUNT(sizes); c++)
                for (int backward = 0; backward < 2; backward++) {
                    outcome o[2];
                    for (int k = 0; k < 2; k++) {
                        o[k].status = backward
                                          ? esk_store_read_stream_backward(
                                                b.store[k], streams[s],
                                                int64s[v], sizes[c], &list)
                                          : esk_store_read_stream(
                                                b.store[k], streams[s],
                                                int64s[v], sizes[c], &list);
                        summarise_events(&o[k], &list);
                    }
                    char call[160];
                    snprintf(call, sizeof call,
                             "read_stream%s('%s', %lld, %zu)",
                             backward ? "_backward" : "", streams[s],
                             (long long)int64s[v], sizes[c]);
                    assert_same(o, call);
                }
    esk_event_list_release(&list);
    both_close(&b);
}

static void global_reads_agree_after_any_position_with_any_count(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    const char *rang[] = {"Rang"};
    const esk_filter filters[] = {
        {NULL, NULL, 0}, {"ring", NULL, 0}, {NULL, rang, 1}, {"ring", rang, 1}};
    for (size_t f = 0; f < COUNT(filters); f++)
        for (size_t p = 0; p < COUNT(int64s); p++)
            for (size_t c = 0; c < COUNT(sizes); c++) {
                outcome o[2];
                for (int k = 0; k < 2; k++) {
                    o[k].status = esk_store_read_all(
                        b.store[k], int64s[p], sizes[c], &filters[f], &list);
                    summarise_events(&o[k], &list);
                }
                char call[160];
                snprintf(call, sizeof call, "read_all(%lld, %zu, filter %zu)",
                         (long long)int64s[p], sizes[c], f);
                assert_same(o, call);
            }
    esk_event_list_release(&list);
    both_close(&b);
}

/* Rows esk cannot have written, but that a read must survive: the last
 * position and version SQLite can hold, read from just before them. */
static void a_row_at_the_last_position_reads_without_overflow(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    sqlite3 *db = esk_store_sqlite_db(b.store[1]);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO events(position, event_id, stream_id, version, "
             "type, schema_version, data, metadata, recorded_at) "
             "VALUES(%lld, 'far', 'far-1', %lld, 'Rang', 1, '{}', '{}', "
             "'2026-11-27T09:00:00.000000Z')",
             (long long)INT64_MAX, (long long)INT64_MAX);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(
        esk_store_read_all(b.store[1], INT64_MAX - 1, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 1);
    assert_true(list.events[0].position == INT64_MAX);
    assert_int_equal(
        esk_store_read_stream(b.store[1], "far-1", INT64_MAX, 0, &list),
        ESK_OK);
    assert_int_equal(list.count, 1);
    assert_true(list.events[0].version == INT64_MAX);
    assert_int_equal(
        esk_store_read_stream_backward(b.store[1], "far-1", ESK_END, 0, &list),
        ESK_OK);
    assert_int_equal(list.count, 1);
    esk_event_list_release(&list);
    both_close(&b);
}

/* ---- Appends ------------------------------------------------------------ */

static void appends_agree_with_any_expected_version(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    const esk_new_event event = {NULL, "Rang", 1, "{}", NULL};
    /* Each value against an absent stream, and against ring-1 (which the
     * successes move on, alike on both stores). */
    for (size_t v = 0; v < COUNT(int64s); v++) {
        char fresh[32];
        snprintf(fresh, sizeof fresh, "bell-%zu", v);
        const char *streams[] = {fresh, "ring-1"};
        for (size_t s = 0; s < COUNT(streams); s++) {
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_append_result r = {0, 0};
                o[k].status = esk_store_append(b.store[k], streams[s],
                                               int64s[v], &event, 1, &r);
                snprintf(o[k].summary, sizeof o[k].summary, "%lld/%lld",
                         (long long)r.version, (long long)r.position);
            }
            char call[128];
            snprintf(call, sizeof call, "append('%s', expected %lld)",
                     streams[s], (long long)int64s[v]);
            assert_same(o, call);
        }
    }
    both_close(&b);
}

static void a_batch_sent_again_agrees_with_any_expected_version(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    /* ring-1 is at version 3: e3 is its version 2, e5 its version 3. */
    const esk_new_event again[] = {{"e3", "Rang", 1, "{}", NULL},
                                   {"e5", "Silenced", 1, "{}", NULL}};
    const esk_new_event first[] = {{"e1", "Rang", 1, "{}", NULL}};
    for (size_t v = 0; v < COUNT(int64s); v++) {
        for (int batch = 0; batch < 2; batch++) {
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_append_result r = {0, 0};
                o[k].status =
                    esk_store_append(b.store[k], "ring-1", int64s[v],
                                     batch ? again : first, batch ? 2 : 1, &r);
                snprintf(o[k].summary, sizeof o[k].summary, "%lld/%lld",
                         (long long)r.version, (long long)r.position);
            }
            char call[128];
            snprintf(call, sizeof call, "append(%s again, expected %lld)",
                     batch ? "e3" : "e1", (long long)int64s[v]);
            assert_same(o, call);
        }
    }
    both_close(&b);
}

static void any_schema_version_agrees(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    for (size_t v = 0; v < COUNT(ints); v++) {
        char stream[32];
        snprintf(stream, sizeof stream, "schema-%zu", v);
        const esk_new_event event = {NULL, "Rang", ints[v], "{}", NULL};
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            o[k].status =
                esk_store_append(b.store[k], stream, ESK_ANY, &event, 1, NULL);
            assert_int_equal(
                esk_store_read_stream(b.store[k], stream, 1, 0, &list), ESK_OK);
            snprintf(o[k].summary, sizeof o[k].summary, "%zu %d", list.count,
                     list.count ? list.events[0].schema_version : 0);
        }
        char call[64];
        snprintf(call, sizeof call, "append(schema version %d)", ints[v]);
        assert_same(o, call);
    }
    esk_event_list_release(&list);
    both_close(&b);
}

/* ---- Records ------------------------------------------------------------ */

static void records_keep_any_number_and_version_alike(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    const esk_record_kind kinds[] = {ESK_RECORD_CHECKPOINT, ESK_RECORD_COMMAND,
                                     ESK_RECORD_SNAPSHOT};
    for (size_t n = 0; n < COUNT(int64s); n++)
        for (size_t v = 0; v < COUNT(ints); v++)
            for (size_t r = 0; r < COUNT(kinds); r++) {
                const esk_record record = {"key", int64s[n], ints[v], "{}"};
                outcome o[2];
                for (int k = 0; k < 2; k++) {
                    esk_record got = {NULL, 0, 0, NULL};
                    char *owned = NULL;
                    o[k].status =
                        esk_store_put_record(b.store[k], kinds[r], &record);
                    assert_int_equal(esk_store_get_record(b.store[k], kinds[r],
                                                          "key", &got, &owned),
                                     ESK_OK);
                    snprintf(o[k].summary, sizeof o[k].summary, "%lld %d",
                             (long long)got.at, got.tag);
                    assert_true(got.at == int64s[n]);
                    assert_int_equal(got.tag, ints[v]);
                    esk_free(owned);
                }
                char call[96];
                snprintf(call, sizeof call, "put_record(%lld, %d)",
                         (long long)int64s[n], ints[v]);
                assert_same(o, call);
            }
    both_close(&b);
}

/* ---- Time --------------------------------------------------------------- */

static const esk_time times[] = {
    INT64_MIN,
    INT64_MIN + 1,
    TIME_MIN - 1,
    TIME_MIN,
    TIME_MIN + 1,
    -1,
    0,
    1,
    TIME_MAX - 1,
    TIME_MAX,
    TIME_MAX + 1,
    INT64_MAX - 1,
    INT64_MAX,
};

static bool time_is_writable(esk_time t)
{
    return t >= TIME_MIN && t <= TIME_MAX;
}

static void times_format_and_parse_back_at_every_extreme(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(times); i++) {
        char text[ESK_TIME_TEXT_SIZE];
        esk_status rc = esk_time_format(times[i], text);
        if (!time_is_writable(times[i])) {
            if (rc != ESK_EINVAL)
                fail_msg("time %lld formatted as %s", (long long)times[i],
                         text);
            continue;
        }
        assert_int_equal(rc, ESK_OK);
        esk_time back = 0;
        assert_int_equal(esk_time_parse(text, &back), ESK_OK);
        assert_true(back == times[i]);
    }
    char text[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(TIME_MIN, text), ESK_OK);
    assert_string_equal(text, "0000-01-01T00:00:00.000000Z");
    assert_int_equal(esk_time_format(TIME_MAX, text), ESK_OK);
    assert_string_equal(text, "9999-12-31T23:59:59.999999Z");
}

static void a_clock_outside_years_0000_to_9999_is_refused_alike(void **state)
{
    (void)state;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    for (size_t i = 0; i < COUNT(times); i++) {
        both b;
        both_open_empty(&b, times[i]);
        const esk_new_event event = {NULL, "Rang", 1, "{}", NULL};
        const esk_record record = {"key", 1, 1, "{}"};
        outcome o[2], r[2];
        for (int k = 0; k < 2; k++) {
            o[k].status = esk_store_append(b.store[k], "ring-1", ESK_ANY,
                                           &event, 1, NULL);
            snprintf(o[k].summary, sizeof o[k].summary, "%s", esk_errmsg());
            r[k].status = esk_store_put_record(b.store[k],
                                               ESK_RECORD_CHECKPOINT, &record);
            snprintf(r[k].summary, sizeof r[k].summary, "%s", esk_errmsg());
            if (time_is_writable(times[i])) {
                assert_int_equal(o[k].status, ESK_OK);
                assert_int_equal(r[k].status, ESK_OK);
                assert_int_equal(
                    esk_store_read_stream(b.store[k], "ring-1", 1, 0, &list),
                    ESK_OK);
                assert_int_equal(list.count, 1);
                assert_true(list.events[0].recorded_at == times[i]);
                continue;
            }
            if (o[k].status != ESK_EINVAL || r[k].status != ESK_EINVAL)
                fail_msg("the %s store took the time %lld: %s, %s",
                         backend_names[k], (long long)times[i],
                         esk_status_str(o[k].status),
                         esk_status_str(r[k].status));
            assert_non_null(strstr(o[k].summary, "appending to stream "
                                                 "'ring-1'"));
            assert_non_null(strstr(r[k].summary, "writing record 'key'"));
            assert_non_null(strstr(o[k].summary, "years 0000 to 9999"));
            assert_non_null(strstr(r[k].summary, "years 0000 to 9999"));
        }
        char call[64];
        snprintf(call, sizeof call, "append at time %lld", (long long)times[i]);
        assert_same(o, call);
        snprintf(call, sizeof call, "put_record at time %lld",
                 (long long)times[i]);
        assert_same(r, call);
        both_close(&b);
    }
    esk_event_list_release(&list);
}

/* ---- Modules over the store -------------------------------------------- */

typedef struct counter {
    size_t handled;
} counter;

static esk_status count_event(void *ctx, esk_store *store,
                              const esk_event *event)
{
    (void)store;
    (void)event;
    ((counter *)ctx)->handled++;
    return ESK_OK;
}

static void catchup_agrees_with_any_batch_size(void **state)
{
    (void)state;
    /* 0 is refused, alike. */
    for (size_t c = 0; c < COUNT(sizes); c++) {
        both b;
        both_open(&b);
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            counter seen = {0};
            const esk_projection projection = {.name = "counter",
                                               .version = 1,
                                               .handle = count_event,
                                               .ctx = &seen};
            esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
            options.batch_size = sizes[c];
            esk_catchup *runner = NULL;
            esk_catchup_status st = {0, 0, 0, 0, false, 0};
            o[k].status =
                esk_catchup_new(&runner, b.store[k], &projection, &options);
            if (o[k].status == ESK_OK)
                o[k].status = esk_catchup_run(runner, &st);
            snprintf(o[k].summary, sizeof o[k].summary,
                     "%zu handled, checkpoint %lld", seen.handled,
                     (long long)st.checkpoint);
            esk_catchup_free(runner);
        }
        char call[64];
        snprintf(call, sizeof call, "catch-up with batch_size %zu", sizes[c]);
        assert_same(o, call);
        both_close(&b);
    }
}

/* Checkpoints are records anyone may write, so a catch-up meets any
 * number and version there. */
static void catchup_agrees_from_any_stored_checkpoint(void **state)
{
    (void)state;
    for (size_t p = 0; p < COUNT(int64s); p++)
        for (size_t v = 0; v < COUNT(ints); v++) {
            both b;
            both_open(&b);
            outcome o[2], s[2];
            for (int k = 0; k < 2; k++) {
                counter seen = {0};
                const esk_projection projection = {.name = "counter",
                                                   .version = 1,
                                                   .handle = count_event,
                                                   .ctx = &seen};
                const esk_record checkpoint = {"counter", int64s[p], ints[v],
                                               "{}"};
                assert_int_equal(esk_store_put_record(b.store[k],
                                                      ESK_RECORD_CHECKPOINT,
                                                      &checkpoint),
                                 ESK_OK);
                esk_catchup *runner = NULL;
                assert_int_equal(
                    esk_catchup_new(&runner, b.store[k], &projection, NULL),
                    ESK_OK);
                esk_catchup_status st = {0, 0, 0, 0, false, 0};
                s[k].status = esk_catchup_status_get(runner, &st);
                snprintf(s[k].summary, sizeof s[k].summary,
                         "checkpoint %lld, lag %lld", (long long)st.checkpoint,
                         (long long)st.lag);
                st = (esk_catchup_status){0, 0, 0, 0, false, 0};
                o[k].status = esk_catchup_run(runner, &st);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "%zu handled, checkpoint %lld, lag %lld", seen.handled,
                         (long long)st.checkpoint, (long long)st.lag);
                /* esk never writes a negative checkpoint: it is damage. */
                if (int64s[p] < 0) {
                    assert_int_equal(s[k].status, ESK_ECORRUPT);
                    assert_int_equal(o[k].status, ESK_ECORRUPT);
                    assert_non_null(strstr(esk_errmsg(), "is damaged"));
                }
                esk_catchup_free(runner);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "catch-up status from checkpoint %lld version %d",
                     (long long)int64s[p], ints[v]);
            assert_same(s, call);
            snprintf(call, sizeof call,
                     "catch-up run from checkpoint %lld version %d",
                     (long long)int64s[p], ints[v]);
            assert_same(o, call);
            both_close(&b);
        }
}

static void a_snapshot_of_any_version_loads_alike(void **state)
{
    (void)state;
    for (size_t n = 0; n < COUNT(int64s); n++)
        for (size_t v = 0; v < COUNT(ints); v++) {
            both b;
            both_open_empty(&b, INT64_C(1795770000000000));
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_repository *repo = NULL;
                assert_int_equal(
                    esk_repository_new(&repo, b.store[k], &workshop_type, NULL),
                    ESK_OK);
                workshop w;
                assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"),
                                 ESK_OK);
                assert_int_equal(workshop_schedule(&w, "Event Sourcing", 9),
                                 ESK_OK);
                assert_int_equal(esk_repository_save(repo, &w, NULL, NULL),
                                 ESK_OK);
                esk_aggregate_release(&w);
                const esk_record snapshot = {
                    "workshop-7", int64s[n], ints[v],
                    "{\"title\":\"Snap\",\"capacity\":1,\"seatsTaken\":0,"
                    "\"attendees\":0}"};
                assert_int_equal(esk_store_put_record(b.store[k],
                                                      ESK_RECORD_SNAPSHOT,
                                                      &snapshot),
                                 ESK_OK);
                o[k].status = esk_repository_load(repo, "7", &w);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "'%s' at version %lld", w.title,
                         (long long)w.base.version);
                esk_aggregate_release(&w);
                esk_repository_free(repo);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "load from a snapshot at %lld, layout %d",
                     (long long)int64s[n], ints[v]);
            assert_same(o, call);
            both_close(&b);
        }
}

static esk_status no_step(json_t *data)
{
    (void)data;
    return ESK_OK;
}

static void upcasters_take_any_version(void **state)
{
    (void)state;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    for (size_t v = 0; v < COUNT(ints); v++) {
        esk_status rc = esk_upcasters_add(upcasters, "Rang", ints[v], no_step);
        assert_int_equal(rc, ints[v] >= 1 && ints[v] < INT_MAX ? ESK_OK
                                                               : ESK_EINVAL);
    }
    for (size_t v = 0; v < COUNT(ints); v++) {
        int target = esk_upcasters_target(upcasters, "Rang", ints[v]);
        /* Steps from 1, 2 and INT_MAX - 1: versions 1 to 3 climb to 3. */
        int want = ints[v] >= 1 && ints[v] <= 2 ? 3 : ints[v];
        if (ints[v] == INT_MAX - 1)
            want = INT_MAX;
        assert_int_equal(target, want);
    }
    esk_upcasters_free(upcasters);
}

static void indexes_past_the_end_are_refused(void **state)
{
    (void)state;
    workshop w;
    assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"), ESK_OK);
    assert_int_equal(workshop_schedule(&w, "Event Sourcing", 9), ESK_OK);
    for (size_t i = 0; i < COUNT(sizes); i++) {
        const esk_event_type *type = NULL;
        const char *json = NULL;
        esk_status rc = esk_aggregate_pending(&w, sizes[i], &type, &json);
        assert_int_equal(rc, sizes[i] == 0 ? ESK_OK : ESK_EINVAL);
    }
    esk_aggregate_release(&w);

    for (size_t i = 0; i < COUNT(sizes); i++) {
        char buf[16] = "";
        size_t size = sizes[i] < sizeof buf ? sizes[i] : sizeof buf;
        esk_status rc = esk_stream_category("ring-1", buf, size);
        assert_int_equal(rc, size >= 5 ? ESK_OK : ESK_EINVAL);
    }
}

/* A bell rung by each command: the smallest decider there is. */
typedef struct bell_rung {
    int64_t times;
} bell_rung;
static const esk_field bell_rung_fields[] = {
    ESK_FIELD_INT64(bell_rung, times, "times"),
};
static const esk_event_type bell_rung_type =
    ESK_EVENT_TYPE(bell_rung, "BellRung", 1, bell_rung_fields);
static const esk_event_type *const bell_events[] = {&bell_rung_type};

typedef struct bell {
    int64_t rung;
} bell;

static void bell_evolve(void *state, const esk_event_type *type,
                        const void *event)
{
    (void)type;
    ((bell *)state)->rung = ((const bell_rung *)event)->times;
}

static esk_status bell_decide(const void *state, const void *command,
                              esk_decision *decision)
{
    (void)command;
    const bell_rung rung = {((const bell *)state)->rung + 1};
    return esk_decision_emit(decision, &bell_rung_type, &rung);
}

static const esk_decider bell_decider = {
    .name = "Bell",
    .category = "bell",
    .state_size = sizeof(bell),
    .event_types = bell_events,
    .event_type_count = 1,
    .evolve = bell_evolve,
    .decide = bell_decide,
};

static void handle_options_agree_at_any_attempts_and_backoff(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    for (size_t a = 0; a < COUNT(ints); a++)
        for (size_t p = 0; p < COUNT(ints); p++) {
            esk_handle_options options = ESK_HANDLE_OPTIONS_INIT;
            options.max_attempts = ints[a];
            options.backoff_ms = ints[p];
            outcome o[2];
            for (int k = 0; k < 2; k++) {
                esk_decision decision = ESK_DECISION_INIT;
                esk_handle_result r = {0, 0, 0, 0, 0, false};
                o[k].status = esk_decider_handle(&bell_decider, b.store[k], "1",
                                                 NULL, &options, &decision, &r);
                snprintf(o[k].summary, sizeof o[k].summary,
                         "%lld -> %lld, %zu events, %d attempts",
                         (long long)r.loaded_version, (long long)r.version,
                         esk_decision_count(&decision), r.attempts);
                assert_int_equal(
                    esk_decision_event(&decision, SIZE_MAX, NULL, NULL),
                    ESK_EINVAL);
                esk_decision_release(&decision);
            }
            char call[96];
            snprintf(call, sizeof call,
                     "handle with max_attempts %d, backoff_ms %d", ints[a],
                     ints[p]);
            assert_same(o, call);
        }
    both_close(&b);
}

static void an_aggregate_applies_only_the_next_version(void **state)
{
    (void)state;
    for (size_t v = 0; v < COUNT(int64s); v++) {
        workshop w;
        assert_int_equal(esk_aggregate_init(&w, &workshop_type, "7"), ESK_OK);
        const esk_event event = {
            .event_id = "e1",
            .stream_id = "workshop-7",
            .version = int64s[v],
            .position = int64s[v],
            .type = "WorkshopScheduled",
            .schema_version = 1,
            .data = "{\"title\":\"T\",\"capacity\":3}",
            .metadata = "{}",
        };
        assert_int_equal(esk_aggregate_apply(&w, &event),
                         int64s[v] == 1 ? ESK_OK : ESK_EINVAL);
        esk_aggregate_release(&w);
    }
}

static void repository_options_take_any_snapshot_interval(void **state)
{
    (void)state;
    both b;
    both_open(&b);
    for (size_t e = 0; e < COUNT(ints); e++) {
        esk_repository_options options = ESK_REPOSITORY_OPTIONS_INIT;
        options.snapshot_every = ints[e];
        outcome o[2];
        for (int k = 0; k < 2; k++) {
            esk_repository *repo = NULL;
            char id[16];
            snprintf(id, sizeof id, "%zu", e);
            o[k].status =
                esk_repository_new(&repo, b.store[k], &workshop_type, &options);
            workshop w;
            assert_int_equal(esk_aggregate_init(&w, &workshop_type, id),
                             ESK_OK);
            assert_int_equal(workshop_schedule(&w, "T", 3), ESK_OK);
            if (o[k].status == ESK_OK)
                o[k].status = esk_repository_save(repo, &w, NULL, NULL);
            snprintf(o[k].summary, sizeof o[k].summary, "version %lld",
                     (long long)w.base.version);
            esk_aggregate_release(&w);
            esk_repository_free(repo);
        }
        char call[64];
        snprintf(call, sizeof call, "repository with snapshot_every %d",
                 ints[e]);
        assert_same(o, call);
    }
    both_close(&b);
}

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_reads_agree_from_any_version_with_any_count),
        cmocka_unit_test(query_reads_agree_after_any_position_with_any_count),
        cmocka_unit_test(conditions_agree_after_any_position),
        cmocka_unit_test(tag_and_item_counts_past_their_limits_are_refused),
        cmocka_unit_test(global_reads_agree_after_any_position_with_any_count),
        cmocka_unit_test(a_row_at_the_last_position_reads_without_overflow),
        cmocka_unit_test(appends_agree_with_any_expected_version),
        cmocka_unit_test(a_batch_sent_again_agrees_with_any_expected_version),
        cmocka_unit_test(any_schema_version_agrees),
        cmocka_unit_test(records_keep_any_number_and_version_alike),
        cmocka_unit_test(times_format_and_parse_back_at_every_extreme),
        cmocka_unit_test(a_clock_outside_years_0000_to_9999_is_refused_alike),
        cmocka_unit_test(catchup_agrees_with_any_batch_size),
        cmocka_unit_test(catchup_agrees_from_any_stored_checkpoint),
        cmocka_unit_test(a_snapshot_of_any_version_loads_alike),
        cmocka_unit_test(upcasters_take_any_version),
        cmocka_unit_test(indexes_past_the_end_are_refused),
        cmocka_unit_test(handle_options_agree_at_any_attempts_and_backoff),
        cmocka_unit_test(an_aggregate_applies_only_the_next_version),
        cmocka_unit_test(repository_options_take_any_snapshot_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
