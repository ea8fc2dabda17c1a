/*
 * tests/test_support.h - what several test programs need alike: a store
 * on the backend under test, an allocator that checks leaks and can fail
 * on purpose, and small assertions.
 */
#ifndef ESK_TEST_SUPPORT_H
#define ESK_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/store.h>

/* Route esk's allocations through cmocka's (leak checks), counting them so
 * that test_fail_allocation can fail one. Call it first in main(). */
void test_use_checked_allocator(void);

/* Make allocation number k (counting from 1, from now) fail; 0 fails
 * none. */
void test_fail_allocation(long k);

/* Whether the allocation chosen by test_fail_allocation() was reached;
 * also stops failing allocations. */
bool test_allocation_failed(void);

/* The backend the store tests run on; main runs them once per backend. */
extern bool test_on_sqlite;

/* A new, empty store on the backend under test (SQLite ":memory:" or
 * memory); fails the test if it cannot be opened. */
esk_store *test_open_store(void);

/* Fail the test unless text contains part. */
void test_assert_contains(const char *text, const char *part);

/* The store's head position; fails the test on error. */
int64_t test_head_of(esk_store *store);

#endif
