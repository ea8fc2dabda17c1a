/*
 * test_store.c - your store, graded by esk's own conformance suite.
 *
 * Four groups, in the order you write the code:
 *
 *   schema       the table refuses what must never be stored, whatever
 *                code writes to it (raw SQL, behind the store's back);
 *   conformance  tests/conformance/conformance.c, unchanged: the rules
 *                that the library's memory and SQLite stores pass, run
 *                against your store on a fresh file each;
 *   ending transactions
 *                a COMMIT that fails, a nested rollback: nothing is left
 *                open behind them;
 *   two writers  two handles on one file: BEGIN IMMEDIATE at work.
 *
 * The conformance tests are the library's and have no hints. So that
 * their failures still say what to do, your functions are called here
 * through a thin wrapper: when one of them is still a stub, or answers
 * anything but ESK_OK, a line says so, with the status's name and the
 * store's message. To read a failed assertion: "0xfffffffffffffffd != 0"
 * compares statuses, -3 and 0 here; esk/status.h lists them (-3 is
 * ESK_ECONCURRENCY, -5 ESK_EDUPLICATE, -6 ESK_EIO, -16 ESK_ENOTIMPL).
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/store.h>
#include <esk/store_backend.h>

#include "conformance/conformance.h"
#include "exercise.h"
#include "store.h"
#include "test_store.h"

/* ---- Files --------------------------------------------------------------- */

/* Remove a database and the files SQLite keeps beside it. */
void suite_remove_database(const char *path)
{
    const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        char name[128];
        snprintf(name, sizeof(name), "%s%s", path, suffixes[i]);
        remove(name);
    }
}

/*
 * The stores a test opened. A test closes them at its end; when it fails
 * halfway, its teardown does. Otherwise they would stay allocated, and
 * cmocka stops the whole program when a group ends with memory allocated:
 * the groups after it would never run.
 */
static esk_store *opened[2];
static size_t opened_count;

static void close_stores(void)
{
    while (opened_count > 0)
        esk_store_free(opened[--opened_count]);
}

static int close_stores_left_open(void **state)
{
    (void)state;
    close_stores();
    return 0;
}

/* Open a store of yours on the file at path. */
static esk_store *open_store(const char *path, const esk_store_options *options)
{
    esk_store *store = NULL;
    esk_status opened_status = store_open(&store, path, options);
    if (opened_status != ESK_OK)
        print_error("the store did not open: %s\n", esk_errmsg());
    check_status(opened_status, ESK_OK,
                 "store_open() creates the tables of a new file: "
                 "store_create_schema() must run its CREATE TABLE without "
                 "an error.");
    opened[opened_count++] = store;
    exercise_watch_store(store);
    return store;
}

/* ---- The schema ---------------------------------------------------------- */

/* Insert an event with SQL text: the values are the test's own, without
 * quotes in them (a store binds parameters instead). */
static int insert_raw(sqlite3 *db, int64_t position, const char *event_id,
                      const char *stream_id, int64_t version)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO events(" EVENT_COLUMNS ") VALUES(%lld, '%s', '%s', "
             "%lld, 'AttendeeRegistered', 1, '{}', '{}', "
             "'2026-11-27T09:00:00.000000Z')",
             (long long)position, event_id, stream_id, (long long)version);
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Write one event with raw SQL, as a buggy program would, then another that
 * clashes with it; the table must refuse the second. */
static void expect_the_table_refuses(int64_t position, const char *event_id,
                                     const char *stream_id, int64_t version,
                                     const char *hint)
{
    suite_remove_database("schema.db");
    esk_store *store = open_store("schema.db", NULL);
    sqlite3 *db = store_db(esk_store_impl(store));
    check_true(db != NULL, "The store gives its connection to read models "
                           "(store_db() in support.c).");
    int rc = insert_raw(db, 1, "e-1", "workshop-w-1", 1);
    if (rc != SQLITE_OK)
        print_error("SQLite said: %s\n", sqlite3_errmsg(db));
    check_int(rc, SQLITE_OK,
              "A first event, written with raw SQL, must fit the table: "
              "the columns are those of EVENT_COLUMNS in store.h.");
    rc = insert_raw(db, position, event_id, stream_id, version);
    if (rc == SQLITE_OK)
        print_error("the table accepted the second event\n");
    else
        exercise_say("the table refused it: %s", sqlite3_errmsg(db));
    bool refused = (rc & 0xff) == SQLITE_CONSTRAINT;
    check_true(refused, hint);
    close_stores();
}

static void two_events_cannot_share_a_version_of_a_stream(void **state)
{
    (void)state;
    expect_the_table_refuses(
        2, "e-2", "workshop-w-1", 1,
        "A second event at version 1 of workshop-w-1 must be refused by the "
        "table itself: UNIQUE(stream_id, version). The version check of an "
        "append is the first guard; the constraint is the last, for the "
        "day a bug or another program writes behind its back.");
}

static void two_events_cannot_share_an_event_id(void **state)
{
    (void)state;
    expect_the_table_refuses(
        2, "e-1", "workshop-w-2", 1,
        "An event id is unique in the whole store, across streams: "
        "event_id TEXT NOT NULL UNIQUE. It is how a retried append is "
        "recognised.");
}

static void two_events_cannot_share_a_position(void **state)
{
    (void)state;
    expect_the_table_refuses(
        1, "e-2", "workshop-w-2", 1,
        "A position is one place in the whole store's order: make it the "
        "INTEGER PRIMARY KEY.");
}

static void no_column_of_an_event_may_be_null(void **state)
{
    (void)state;
    /* The values of a valid event, in the order of EVENT_COLUMNS. position
     * is left out: a NULL there is how SQLite is asked for the next
     * rowid. */
    const char *values[] = {"1",
                            "'e-1'",
                            "'workshop-w-1'",
                            "1",
                            "'AttendeeRegistered'",
                            "1",
                            "'{}'",
                            "'{}'",
                            "'2026-11-27T09:00:00.000000Z'"};
    const char *columns[] = {"position", "event_id", "stream_id",
                             "version",  "type",     "schema_version",
                             "data",     "metadata", "recorded_at"};
    suite_remove_database("schema.db");
    esk_store *store = open_store("schema.db", NULL);
    sqlite3 *db = store_db(esk_store_impl(store));
    for (size_t missing = 1; missing < 9; missing++) {
        char sql[512];
        int used = snprintf(sql, sizeof(sql),
                            "INSERT INTO events(" EVENT_COLUMNS ") VALUES(");
        for (size_t i = 0; i < 9; i++)
            used +=
                snprintf(sql + used, sizeof(sql) - (size_t)used, "%s%s",
                         i > 0 ? ", " : "", i == missing ? "NULL" : values[i]);
        snprintf(sql + used, sizeof(sql) - (size_t)used, ")");
        int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            print_error("the table accepted an event without %s\n",
                        columns[missing]);
        check_true((rc & 0xff) == SQLITE_CONSTRAINT,
                   "Every column but position is NOT NULL: an event without "
                   "its data, its type or its time is no event, and the "
                   "table must refuse it whatever code writes it.");
    }
    close_stores();
}

/* ---- Two writers --------------------------------------------------------- */

/* AttendeeRegistered for workshop w-1; who is a string literal. */
#define REGISTRATION(who)                                                      \
    {                                                                          \
        .type = "AttendeeRegistered", .schema_version = 1,                     \
        .data = "{\"workshopId\":\"w-1\",\"attendeeId\":\"" who                \
                "\",\"name\":\"" who "\"}"                                     \
    }

static void a_transaction_holds_the_write_lock_from_its_begin(void **state)
{
    (void)state;
    esk_store_options patient = ESK_STORE_OPTIONS_INIT;
    esk_store_options hasty = ESK_STORE_OPTIONS_INIT;
    hasty.busy_timeout_ms = 50; /* so that the refusal comes quickly */

    suite_remove_database("writers.db");
    esk_store *one = open_store("writers.db", &patient);
    /* A second handle on the same file, as a second process would have. */
    esk_store *two = open_store("writers.db", &hasty);

    /* One begins: it decides on what it reads, so it must hold the lock
     * from now on. */
    check_status(esk_store_begin(one), ESK_OK,
                 "esk_store_begin() calls store_begin() at depth 0.");
    esk_new_event bob = REGISTRATION("bob");
    esk_status second_writer =
        esk_store_append(two, "workshop-w-1", ESK_ANY, &bob, 1, NULL);
    exercise_say("while one holds a transaction, two appends: %s",
                 second_writer == ESK_OK ? "it got in" : esk_errmsg());
    check_status(second_writer, ESK_EBUSY,
                 "store_begin() at depth 0 must take the write lock at once: "
                 "\"BEGIN IMMEDIATE\". A plain BEGIN takes it at the first "
                 "write, so another writer can get in between what a "
                 "transaction reads and what it writes.");

    esk_new_event ada = REGISTRATION("ada");
    check_status(
        esk_store_append(one, "workshop-w-1", ESK_NO_STREAM, &ada, 1, NULL),
        ESK_OK, "The handle that holds the lock appends.");
    check_status(esk_store_commit(one), ESK_OK,
                 "Committing releases the lock.");
    check_status(esk_store_append(two, "workshop-w-1", 1, &bob, 1, NULL),
                 ESK_OK,
                 "Once the lock is released, the other handle appends, and "
                 "sees version 1.");

    close_stores();
    /* writers.db stays, for a look at what the store wrote (README). */
}

/* ---- Ending transactions ------------------------------------------------- */

/* Run SQL on a store's connection, behind its back. */
static void raw_sql(esk_store *store, const char *sql)
{
    sqlite3 *db = store_db(esk_store_impl(store));
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        print_error("SQLite said: %s\n", sqlite3_errmsg(db));
    check_int(rc, SQLITE_OK, "The test's own SQL runs.");
}

static void a_commit_that_fails_leaves_no_transaction_open(void **state)
{
    (void)state;
    suite_remove_database("commit.db");
    esk_store *store = open_store("commit.db", NULL);
    /* A rule that SQLite checks only at COMMIT: a seat must name a stored
     * event. The test breaks it, so that COMMIT fails, as it can on a
     * full disk. */
    raw_sql(store, "PRAGMA foreign_keys = ON");
    raw_sql(store, "CREATE TABLE seats(position INTEGER REFERENCES "
                   "events(position) DEFERRABLE INITIALLY DEFERRED)");

    check_status(esk_store_begin(store), ESK_OK,
                 "esk_store_begin() calls store_begin() at depth 0.");
    esk_new_event ada = REGISTRATION("ada");
    check_status(
        esk_store_append(store, "workshop-w-1", ESK_NO_STREAM, &ada, 1, NULL),
        ESK_OK, "An append inside the transaction.");
    raw_sql(store, "INSERT INTO seats VALUES(99)");
    esk_status committed = esk_store_commit(store);
    exercise_say("COMMIT with a broken rule: %s",
                 committed == ESK_OK ? "it passed" : esk_errmsg());
    check_true(committed != ESK_OK, "SQLite refuses this COMMIT.");
    check_true(sqlite3_get_autocommit(store_db(esk_store_impl(store))) != 0,
               "A COMMIT that fails leaves SQLite's transaction open: "
               "store_commit() at depth 0 must then call store_rollback(), "
               "so that no transaction is left behind. Otherwise every "
               "later BEGIN fails: \"cannot start a transaction within a "
               "transaction\".");

    esk_new_event bob = REGISTRATION("bob");
    check_status(
        esk_store_append(store, "workshop-w-1", ESK_NO_STREAM, &bob, 1, NULL),
        ESK_OK,
        "After the failed commit, the store works again, and ada's append "
        "was undone: bob's registration starts the stream.");
    close_stores();
    suite_remove_database("commit.db");
}

static void a_nested_rollback_closes_its_savepoint(void **state)
{
    (void)state;
    suite_remove_database("savepoint.db");
    esk_store *store = open_store("savepoint.db", NULL);
    check_status(esk_store_begin(store), ESK_OK, "The outer transaction.");
    check_status(esk_store_begin(store), ESK_OK,
                 "A nested one: store_begin() at depth 1.");
    check_status(esk_store_rollback(store), ESK_OK,
                 "store_rollback() at depth 1.");

    sqlite3 *db = store_db(esk_store_impl(store));
    int rc = sqlite3_exec(db, "RELEASE depth1", NULL, NULL, NULL);
    check_true(rc != SQLITE_OK,
               "After the nested rollback, the savepoint depth1 is still "
               "open: ROLLBACK TO undoes the work but keeps the savepoint. "
               "Follow it with RELEASE depth<N>, or every failed append "
               "inside a transaction leaves one more savepoint behind.");
    check_status(esk_store_rollback(store), ESK_OK,
                 "The outer transaction is rolled back.");
    close_stores();
    suite_remove_database("savepoint.db");
}

static void
a_transaction_sqlite_ended_by_itself_rolls_back_cleanly(void **state)
{
    (void)state;
    suite_remove_database("rollback.db");
    esk_store *store = open_store("rollback.db", NULL);
    /* After some failures (a full disk, an I/O error) SQLite rolls the
     * whole transaction back by itself. A trigger plays the full disk. */
    raw_sql(store, "CREATE TRIGGER full BEFORE INSERT ON events "
                   "WHEN NEW.type = 'Doomed' "
                   "BEGIN SELECT RAISE(ROLLBACK, 'database or disk is full'); "
                   "END");

    check_status(esk_store_begin(store), ESK_OK, "The transaction begins.");
    esk_new_event ada = REGISTRATION("ada");
    check_status(
        esk_store_append(store, "workshop-w-1", ESK_NO_STREAM, &ada, 1, NULL),
        ESK_OK, "An append inside the transaction.");
    esk_new_event doomed = {
        .type = "Doomed", .schema_version = 1, .data = "{}"};
    check_true(esk_store_append(store, "workshop-w-1", 1, &doomed, 1, NULL) !=
                   ESK_OK,
               "The disk is full: the append fails.");
    check_true(sqlite3_get_autocommit(store_db(esk_store_impl(store))) != 0,
               "SQLite has rolled the transaction back by itself.");

    esk_status rolled_back = esk_store_rollback(store);
    if (rolled_back != ESK_OK)
        print_error("the rollback said: %s\n", esk_errmsg());
    check_status(rolled_back, ESK_OK,
                 "Nothing is left to undo: SQLite did it. store_rollback() "
                 "at depth 0 must see that sqlite3_get_autocommit() is true "
                 "and return ESK_OK; a ROLLBACK now fails (\"no transaction "
                 "is active\"), and the caller is told the undo failed when "
                 "it did not.");

    esk_new_event bob = REGISTRATION("bob");
    check_status(
        esk_store_append(store, "workshop-w-1", ESK_NO_STREAM, &bob, 1, NULL),
        ESK_OK,
        "ada's append went with the transaction: bob starts the "
        "stream.");
    close_stores();
    suite_remove_database("rollback.db");
}

int main(void)
{
    exercise_check_leaks();

    const struct CMUnitTest schema_tests[] = {
        cmocka_unit_test_teardown(two_events_cannot_share_a_version_of_a_stream,
                                  close_stores_left_open),
        cmocka_unit_test_teardown(two_events_cannot_share_an_event_id,
                                  close_stores_left_open),
        cmocka_unit_test_teardown(two_events_cannot_share_a_position,
                                  close_stores_left_open),
        cmocka_unit_test_teardown(no_column_of_an_event_may_be_null,
                                  close_stores_left_open),
    };
    const struct CMUnitTest transaction_tests[] = {
        cmocka_unit_test_teardown(
            a_commit_that_fails_leaves_no_transaction_open,
            close_stores_left_open),
        cmocka_unit_test_teardown(a_nested_rollback_closes_its_savepoint,
                                  close_stores_left_open),
        cmocka_unit_test_teardown(
            a_transaction_sqlite_ended_by_itself_rolls_back_cleanly,
            close_stores_left_open),
    };
    const struct CMUnitTest writer_tests[] = {
        cmocka_unit_test_teardown(
            a_transaction_holds_the_write_lock_from_its_begin,
            close_stores_left_open),
    };
    const esk_conformance_backend yours = {"14-build-your-own-store",
                                           suite_open_for_the_suite, NULL};

    int failures = cmocka_run_group_tests_name(
        "14-build-your-own-store: the schema", schema_tests, NULL, NULL);

    /* A conformance test that fails leaves its store open (the suite
     * closes it at the end of the test body, which a failure skips), and
     * cmocka stops the program when a group ends with memory allocated
     * through it. So the suite runs on the C library's allocator: your
     * functions allocate nothing of esk's, so no leak check is lost. */
    esk_set_allocator(NULL);
    failures += esk_conformance_run(&yours);
    suite_remove_suite_files();
    exercise_check_leaks();

    failures += cmocka_run_group_tests_name(
        "14-build-your-own-store: ending transactions", transaction_tests, NULL,
        NULL);
    failures += cmocka_run_group_tests_name(
        "14-build-your-own-store: two writers", writer_tests, NULL, NULL);
    return failures == 0 ? 0 : 1;
}
