/*
 * tests/extremes_store.c - the store's integer parameters at their
 * extremes: tags and conditions, reads, appends, records, and times.
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
#include "extremes_fixture.h"

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

void query_reads_agree_after_any_position_with_any_count(void **state)
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

void conditions_agree_after_any_position(void **state)
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
void tag_and_item_counts_past_their_limits_are_refused(void **state)
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

void stream_reads_agree_from_any_version_with_any_count(void **state)
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

void global_reads_agree_after_any_position_with_any_count(void **state)
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
void a_row_at_the_last_position_reads_without_overflow(void **state)
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

void appends_agree_with_any_expected_version(void **state)
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

void a_batch_sent_again_agrees_with_any_expected_version(void **state)
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

void any_schema_version_agrees(void **state)
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

void records_keep_any_number_and_version_alike(void **state)
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

void times_format_and_parse_back_at_every_extreme(void **state)
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

void a_clock_outside_years_0000_to_9999_is_refused_alike(void **state)
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
