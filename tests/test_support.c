/*
 * tests/test_support.c - shared test helpers (see test_support.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "test_support.h"

bool test_on_sqlite;

static long allocations;
static long fail_at;

static void *checked_malloc(size_t size)
{
    if (++allocations == fail_at)
        return NULL;
    return test_malloc(size);
}

static void *checked_realloc(void *ptr, size_t size)
{
    if (++allocations == fail_at)
        return NULL;
    return test_realloc(ptr, size);
}

static void checked_free(void *ptr)
{
    test_free(ptr);
}

void test_use_checked_allocator(void)
{
    const esk_allocator checked = {checked_malloc, checked_realloc,
                                   checked_free};
    esk_set_allocator(&checked);
}

void test_fail_allocation(long k)
{
    allocations = 0;
    fail_at = k;
}

bool test_allocation_failed(void)
{
    bool reached = fail_at > 0 && allocations >= fail_at;
    fail_at = 0;
    return reached;
}

esk_store *test_open_store(void)
{
    esk_store *store = NULL;
    if (test_on_sqlite)
        assert_int_equal(esk_store_open_sqlite(&store, ":memory:", NULL),
                         ESK_OK);
    else
        assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    return store;
}

void test_assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

int64_t test_head_of(esk_store *store)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    return head;
}
