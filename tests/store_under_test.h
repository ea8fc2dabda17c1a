/*
 * tests/store_under_test.h - the store a multi-process test runs on, so
 * that one test body proves a guarantee on SQLite and on PostgreSQL: how
 * to open it, and the test's own look at what it holds (SQL on a
 * connection of the test's own, beside esk's reads).
 *
 * Each test program defines `under_test` (one of the two below, or its
 * own). `where` is a SQLite file's path or a PostgreSQL schema's name;
 * the SQL of number() and has_table() names the store's tables plainly
 * (events, event_tags, checkpoints...), or a read model's.
 */
#ifndef ESK_TESTS_STORE_UNDER_TEST_H
#define ESK_TESTS_STORE_UNDER_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "esk/store.h"

typedef struct store_under_test {
    /* Open the store at where; options NULL for the defaults. */
    esk_status (*open)(esk_store **out, const char *where,
                       const esk_store_options *options);
    /* A connection of the test's own, after the backend's verdict on its
     * storage (SQLite's integrity check; fails the test when damaged). */
    void *(*inspect)(const char *where, const char *when);
    /* A number read by SQL; if_none when there is no row or it is NULL.
     * Fails the test on an SQL error. */
    int64_t (*number)(void *conn, const char *sql, int64_t if_none);
    /* Whether a table exists: the store's before the first open commits
     * may not. */
    bool (*has_table)(void *conn, const char *table);
    void (*close)(void *conn);
    /* How long a new writer may wait for the lock of a writer killed with
     * SIGKILL: 0 where the lock dies with the process (SQLite); a server
     * frees it once it notices the closed connection (PostgreSQL). */
    int killed_lock_wait_ms;
} store_under_test;

extern const store_under_test *under_test;

/* tests/store_under_test_sqlite.c */
extern const store_under_test sqlite_file_under_test;

/* tests/pg/store_under_test_postgres.c: stores in schemas of the server
 * at ESK_TEST_PG (pg_conninfo()), set before the first open. */
extern const store_under_test postgres_schema_under_test;

/* Open under_test at where, failing the test with esk's message when it
 * cannot; the events counted by SQL (0 before the tables exist). */
esk_store *under_test_open(const char *where, const esk_store_options *options);
int64_t under_test_count_events(const char *where, const char *when);

#endif
