/*
 * tests/test_hash.c - the internal hash table (src/hash_table.h) that the
 * memory store's indexes use: look-ups, growth, and deletion by backward
 * shift, also across the end of the slot array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hash_table.h"

/* Keys are the values themselves: a value matches when it equals the
 * wanted one. */
static bool same_value(const void *ctx, uint64_t value)
{
    return *(const uint64_t *)ctx == value;
}

static uint64_t find(const esk__hash_table *t, uint64_t hash, uint64_t value)
{
    return esk__hash_find(t, hash, same_value, &value);
}

static void an_empty_table_finds_nothing(void **state)
{
    (void)state;
    esk__hash_table t = {0};
    assert_int_equal(find(&t, 42, 7), 0);
    esk__hash_remove(&t, 42, 7);
    assert_int_equal(t.count, 0);
    esk__hash_free(&t);
}

static void a_growing_table_keeps_every_entry(void **state)
{
    (void)state;
    esk__hash_table t = {0};
    enum { N = 5000 };
    for (uint64_t v = 1; v <= N; v++) {
        assert_int_equal(esk__hash_reserve(&t, 1), ESK_OK);
        esk__hash_insert(&t, v * UINT64_C(0x9E3779B97F4A7C15), v);
        /* At most half full, so probe runs stay short. */
        assert_true(t.count * 2 <= t.capacity);
    }
    assert_int_equal(t.count, N);
    for (uint64_t v = 1; v <= N; v++)
        assert_int_equal(find(&t, v * UINT64_C(0x9E3779B97F4A7C15), v), v);
    assert_int_equal(find(&t, 0, N + 1), 0);
    esk__hash_free(&t);
    assert_null(t.slots);
}

static void entries_with_one_hash_are_told_apart_by_the_match(void **state)
{
    (void)state;
    esk__hash_table t = {0};
    assert_int_equal(esk__hash_reserve(&t, 3), ESK_OK);
    esk__hash_insert(&t, 5, 10);
    esk__hash_insert(&t, 5, 11);
    esk__hash_insert(&t, 5, 12);
    assert_int_equal(find(&t, 5, 11), 11);
    assert_int_equal(find(&t, 5, 13), 0);
    esk__hash_free(&t);
}

/* A removal must not cut a probe run: entries placed after the removed
 * one (pushed along by collisions) are still found. */
static void removing_an_entry_keeps_the_rest_of_its_run(void **state)
{
    (void)state;
    esk__hash_table t = {0};
    assert_int_equal(esk__hash_reserve(&t, 8), ESK_OK);
    size_t last = t.capacity - 1;
    /* Two runs that wrap around the end of the slots: homes at the last
     * slot and at slot 0. */
    esk__hash_insert(&t, last, 1);
    esk__hash_insert(&t, last, 2);
    esk__hash_insert(&t, 0, 3);
    esk__hash_insert(&t, last, 4);
    esk__hash_insert(&t, 1, 5);

    esk__hash_remove(&t, last, 1);
    assert_int_equal(t.count, 4);
    assert_int_equal(find(&t, last, 1), 0);
    assert_int_equal(find(&t, last, 2), 2);
    assert_int_equal(find(&t, 0, 3), 3);
    assert_int_equal(find(&t, last, 4), 4);
    assert_int_equal(find(&t, 1, 5), 5);

    esk__hash_remove(&t, 0, 3);
    assert_int_equal(find(&t, last, 2), 2);
    assert_int_equal(find(&t, last, 4), 4);
    assert_int_equal(find(&t, 1, 5), 5);

    /* Removing what is not there changes nothing. */
    esk__hash_remove(&t, last, 99);
    assert_int_equal(t.count, 3);
    esk__hash_free(&t);
}

static void removed_slots_are_reused(void **state)
{
    (void)state;
    esk__hash_table t = {0};
    assert_int_equal(esk__hash_reserve(&t, 1), ESK_OK);
    size_t capacity = t.capacity;
    /* Many more inserts than slots, each removed again: no tombstones
     * pile up, so the table neither grows nor fills. */
    for (uint64_t v = 1; v <= 10 * capacity; v++) {
        assert_int_equal(esk__hash_reserve(&t, 1), ESK_OK);
        esk__hash_insert(&t, v, v);
        assert_int_equal(find(&t, v, v), v);
        esk__hash_remove(&t, v, v);
    }
    assert_int_equal(t.count, 0);
    assert_int_equal(t.capacity, capacity);
    esk__hash_free(&t);
}

static void text_hashes_differ_for_close_texts(void **state)
{
    (void)state;
    assert_int_equal(esk__hash_text("stream-1"), esk__hash_text("stream-1"));
    assert_int_not_equal(esk__hash_text("stream-1"),
                         esk__hash_text("stream-2"));
    /* The tail of a text (past the last 8-byte word) counts too. */
    assert_int_not_equal(esk__hash_text("0123456789a"),
                         esk__hash_text("0123456789b"));
    assert_int_not_equal(esk__hash_text(""), esk__hash_text("a"));
}

static void every_byte_of_a_text_counts_in_its_hash(void **state)
{
    (void)state;
    /* Each length up to that of an event id and more, each byte changed
     * in turn: the short tail after the last whole word included. */
    char text[48];
    for (size_t len = 1; len < sizeof text; len++) {
        for (size_t i = 0; i < len; i++)
            text[i] = (char)('a' + i % 26);
        text[len] = '\0';
        uint64_t whole = esk__hash_text(text);
        assert_int_equal(esk__hash_bytes(text, len), whole);
        for (size_t i = 0; i < len; i++) {
            char kept = text[i];
            text[i] = 'Z';
            if (esk__hash_text(text) == whole)
                fail_msg("byte %zu of a %zu-byte text changes nothing", i, len);
            text[i] = kept;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_table_finds_nothing),
        cmocka_unit_test(a_growing_table_keeps_every_entry),
        cmocka_unit_test(entries_with_one_hash_are_told_apart_by_the_match),
        cmocka_unit_test(removing_an_entry_keeps_the_rest_of_its_run),
        cmocka_unit_test(removed_slots_are_reused),
        cmocka_unit_test(text_hashes_differ_for_close_texts),
        cmocka_unit_test(every_byte_of_a_text_counts_in_its_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
