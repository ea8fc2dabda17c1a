/*
 * tests/test_store_postgres.c - the PostgreSQL backend: the whole
 * conformance suite, then what only a server can do to a store (a wrong
 * conninfo, a schema of another version or another application, a
 * connection terminated mid-transaction, a lock held past the timeout).
 *
 * Needs a server: ESK_TEST_PG=conninfo (tests/pg/cluster.sh start prints
 * one); skipped otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conformance/conformance.h"
#include "esk/error.h"
#include "esk/projection.h"
#include "esk/store_postgres.h"
#include "pg/pg_support.h"

static const char *conninfo;

/* Route esk's allocations through cmocka's, so that every test also fails
 * if it leaks a block. */
static void *test_malloc_fn(size_t size)
{
    return test_malloc(size);
}
static void *test_realloc_fn(void *ptr, size_t size)
{
    return test_realloc(ptr, size);
}
static void test_free_fn(void *ptr)
{
    test_free(ptr);
}

/* ---- The conformance suite ---------------------------------------------- */

/* Each test gets empty tables: the schema is created once and emptied
 * before every later open (DELETE: the tables are tiny, and TRUNCATE
 * makes new files for each), much faster than creating it again. */
typedef struct pg_backend {
    PGconn *admin;
    bool created;
} pg_backend;

static esk_status open_postgres(esk_store **out, const esk_store_options *o,
                                void *ctx)
{
    pg_backend *b = ctx;
    if (b->created)
        pg_admin_exec(b->admin, "DELETE FROM esk_conformance.events; "
                                "DELETE FROM esk_conformance.event_tags; "
                                "DELETE FROM esk_conformance.closed_streams; "
                                "DELETE FROM esk_conformance.checkpoints; "
                                "DELETE FROM esk_conformance.commands; "
                                "DELETE FROM esk_conformance.snapshots");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    if (o != NULL)
        options.store = *o;
    options.schema = "esk_conformance";
    esk_status rc = esk_store_open_postgres(out, conninfo, &options);
    if (rc != ESK_OK)
        fprintf(stderr, "opening the store: %s\n", esk_errmsg());
    b->created = b->created || rc == ESK_OK;
    return rc;
}

/* ---- Bad input and failures -----------------------------------------------
 */

static void assert_message_contains(const char *part)
{
    if (strstr(esk_errmsg(), part) == NULL)
        fail_msg("message \"%s\" does not contain \"%s\"", esk_errmsg(), part);
}

static void an_unreadable_conninfo_is_invalid(void **state)
{
    (void)state;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, "host=", NULL) == ESK_OK,
                     false);
    assert_int_equal(
        esk_store_open_postgres(&store, "this is = not = conninfo", NULL),
        ESK_EINVAL);
    assert_null(store);
    assert_message_contains("not one libpq reads");
}

static void a_server_that_is_not_there_is_an_io_error(void **state)
{
    (void)state;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(
                         &store, "host=/nonexistent-esk-folder user=esk", NULL),
                     ESK_EIO);
    assert_null(store);
    assert_message_contains("connecting to PostgreSQL failed");
}

static void bad_schema_names_are_refused(void **state)
{
    (void)state;
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    esk_store *store = NULL;
    const char *bad[] = {"", "Esk", "esk\"; DROP TABLE x; --", "1esk", "a-b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        options.schema = bad[i];
        assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                         ESK_EINVAL);
        assert_null(store);
    }
}

static void a_store_of_another_schema_version_is_refused(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_version");
    esk_store *store = pg_open(conninfo, "esk_version", 5000);
    assert_non_null(store);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    esk_store_free(store);
    store = NULL;

    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "UPDATE esk_version.esk_schema SET version = 99");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_version";
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_ESCHEMA);
    assert_null(store);
    assert_message_contains("schema version 99");
    /* Refusing wrote nothing: the event and the stamp are as they were. */
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_version.events"), 1);
    assert_int_equal(
        pg_admin_number(admin, "SELECT version FROM esk_version.esk_schema"),
        99);
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_version");
}

static void a_schema_of_another_application_is_left_alone(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_foreign");
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "CREATE SCHEMA esk_foreign; CREATE TABLE "
                         "esk_foreign.events(id int)");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_foreign";
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_postgres(&store, conninfo, &options),
                     ESK_ESCHEMA);
    assert_message_contains("is not an esk event store");
    assert_int_equal(pg_admin_number(admin,
                                     "SELECT count(*) FROM pg_tables WHERE "
                                     "schemaname = 'esk_foreign'"),
                     1);
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_foreign");
}

static void terminate_victim(PGconn *admin)
{
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(pg_terminate_backend(pid)) FROM "
                               "pg_stat_activity WHERE application_name = "
                               "'esk_victim'"),
        1);
}

static void a_connection_lost_mid_transaction_loses_only_that_unit(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_lost");
    char victim[512];
    snprintf(victim, sizeof victim, "%s application_name=esk_victim", conninfo);
    esk_store *store = pg_open(victim, "esk_lost", 5000);
    assert_non_null(store);
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_append(store, "kept", ESK_ANY, &e, 1, NULL),
                     ESK_OK);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "lost", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    PGconn *admin = pg_admin(conninfo);
    terminate_victim(admin);

    /* The next call finds the connection gone: the unit is lost, and says
     * so until it is rolled back. */
    esk_status rc = esk_store_append(store, "lost", ESK_ANY, &e, 1, NULL);
    assert_int_equal(rc, ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_commit(store), ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    /* Then the store connects again and goes on; what was committed
     * before is all there, nothing of the lost unit is. */
    assert_int_equal(esk_store_append(store, "kept", 1, &e, 1, NULL), ESK_OK);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_int_equal(head, 2);
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_lost.events WHERE "
                               "stream_id = 'lost'"),
        0);

    /* Outside a transaction, the call that meets the loss fails alone. */
    terminate_victim(admin);
    assert_int_equal(esk_store_head_position(store, &head), ESK_EIO);
    assert_message_contains("connects again");
    assert_int_equal(esk_store_append(store, "kept", 2, &e, 1, NULL), ESK_OK);
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_lost");
}

/* A role without rights on the database or the schema: nothing it can
 * open, and the reason is the role's rights. */
static void a_role_without_rights_is_read_only(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_rights");
    esk_store *store = pg_open(conninfo, "esk_rights", 5000);
    assert_non_null(store);
    esk_store_free(store);
    store = NULL;
    PGconn *admin = pg_admin(conninfo);
    /* A new role may not create schemas in the database (PostgreSQL's
     * default) nor read the store's tables (esk grants nothing). */
    pg_admin_exec(admin, "DROP ROLE IF EXISTS esk_nobody; CREATE ROLE "
                         "esk_nobody LOGIN");
    char as_nobody[512];
    snprintf(as_nobody, sizeof as_nobody, "%s user=esk_nobody", conninfo);
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = "esk_rights"; /* exists: its tables may not be read */
    assert_int_equal(esk_store_open_postgres(&store, as_nobody, &options),
                     ESK_EREADONLY);
    assert_message_contains("grant");
    options.schema = "esk_rights_new"; /* absent: may not be created */
    assert_int_equal(esk_store_open_postgres(&store, as_nobody, &options),
                     ESK_EREADONLY);
    assert_null(store);
    pg_admin_exec(admin, "DROP ROLE esk_nobody");
    PQfinish(admin);
    pg_drop_schema(conninfo, "esk_rights");
}

/* PostgreSQL ends the whole transaction when a statement fails; SQLite
 * does not. The store undoes the failed append alone, so the transaction
 * around it goes on as on SQLite. A CHECK added by hand makes the server
 * refuse one insert. */
static void a_statement_the_server_refuses_fails_only_its_append(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_refused");
    esk_store *store = pg_open(conninfo, "esk_refused", 5000);
    assert_non_null(store);
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "ALTER TABLE esk_refused.events ADD CONSTRAINT "
                         "no_forbidden CHECK (type <> 'Forbidden')");
    const esk_new_event ok = {NULL, "T", 1, "{}", NULL};
    const esk_new_event refused = {NULL, "Forbidden", 1, "{}", NULL};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &ok, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &refused, 1, NULL),
                     ESK_EIO);
    assert_message_contains("no_forbidden");
    assert_int_equal(esk_store_append(store, "s", 1, &ok, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_refused.events"), 2);

    /* Outside a transaction the append is the whole unit. */
    assert_int_equal(esk_store_append(store, "s", 2, &refused, 1, NULL),
                     ESK_EIO);
    assert_int_equal(esk_store_append(store, "s", 2, &ok, 1, NULL), ESK_OK);
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_refused");
}

static void a_writer_waiting_past_its_timeout_is_busy(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_busy");
    esk_store *holder = pg_open(conninfo, "esk_busy", 5000);
    esk_store *waiter = pg_open(conninfo, "esk_busy", 50);
    assert_non_null(holder);
    assert_non_null(waiter);
    assert_string_equal(esk_store_backend_name(holder), "postgres");
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    assert_int_equal(esk_store_begin(holder), ESK_OK);
    assert_int_equal(esk_store_append(holder, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(waiter, "s", ESK_ANY, &e, 1, NULL),
                     ESK_EBUSY);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    assert_message_contains("busy_timeout_ms");
    /* Readers do not wait. */
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(waiter, &head), ESK_OK);
    assert_int_equal(head, 0);
    /* A timeout of 0 means not waiting at all, as on SQLite (PostgreSQL's
     * own lock_timeout = 0 would mean waiting for ever). */
    esk_store *impatient = pg_open(conninfo, "esk_busy", 0);
    assert_non_null(impatient);
    assert_int_equal(esk_store_append(impatient, "s", ESK_ANY, &e, 1, NULL),
                     ESK_EBUSY);
    esk_store_free(impatient);
    assert_int_equal(esk_store_commit(holder), ESK_OK);
    assert_int_equal(esk_store_append(waiter, "s", 1, &e, 1, NULL), ESK_OK);
    esk_store_free(waiter);
    esk_store_free(holder);
    pg_drop_schema(conninfo, "esk_busy");
}

/* ---- Waiting for other processes' appends -------------------------------
 */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* How the writer process makes an event appear while the reader waits. */
typedef enum waker {
    /* An esk append, which notifies. */
    WAKE_BY_APPEND,
    /* First terminate the reader's session, then an esk append: the
     * notice goes to a session that is gone. */
    WAKE_AFTER_KILLING_THE_READER,
    /* A row written by hand, which notifies nobody. */
    WAKE_BY_A_SILENT_INSERT,
} waker;

static bool raw_exec(const char *sql)
{
    PGconn *conn = PQconnectdb(conninfo);
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK ||
              PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return ok;
}

/* Appends in a row, 250 ms apart: a reader that only read the head
 * every 500 ms would wake at least 250 ms late for one of them, whatever
 * the phase of its reads (the next wait starts within 250 ms before the
 * next commit, or the last wake was that late already). */
enum { SPACED_APPENDS = 3, SPACING_MS = 250, LATE_MS = 200 };

/* The writer process: once the reader waits, make events appear, and
 * report when each was committed. No cmocka here. */
static int waker_main(waker how, int count, int report)
{
    pause_ms(250);
    bool ok = true;
    if (how == WAKE_AFTER_KILLING_THE_READER) {
        ok = raw_exec("SELECT pg_terminate_backend(pid) FROM "
                      "pg_stat_activity WHERE application_name = "
                      "'esk_waiter'");
        pause_ms(100);
    }
    esk_store *store = NULL;
    if (how != WAKE_BY_A_SILENT_INSERT)
        ok = ok && (store = pg_open(conninfo, "esk_wait", 5000)) != NULL;
    for (int i = 0; ok && i < count; i++) {
        if (i > 0)
            pause_ms(SPACING_MS);
        const esk_new_event e = {NULL, "T", 1, "{}", NULL};
        if (how == WAKE_BY_A_SILENT_INSERT)
            ok = raw_exec("INSERT INTO esk_wait.events VALUES (1, "
                          "'00000000-0000-7000-8000-000000000001', 's', 1, "
                          "'T', 1, '{}', '{}', now(), 1, 0)");
        else
            ok = esk_store_append(store, "s", ESK_ANY, &e, 1, NULL) == ESK_OK;
        int64_t committed = monotonic_ms();
        if (write(report, &committed, sizeof committed) != sizeof committed)
            ok = false;
    }
    esk_store_free(store);
    return ok ? 0 : 1;
}

/* Wait in this process for events 1..count, made to appear one by one by
 * a writer process; the most milliseconds a wait returned after its
 * event's commit. */
static int64_t wait_for_the_writer(waker how, int count, int timeout_ms)
{
    pg_drop_schema(conninfo, "esk_wait");
    char reader_conninfo[512];
    snprintf(reader_conninfo, sizeof reader_conninfo,
             "%s application_name=esk_waiter", conninfo);
    esk_store *reader = pg_open(reader_conninfo, "esk_wait", 5000);
    assert_non_null(reader);
    int report[2];
    assert_int_equal(pipe(report), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(report[0]);
        _exit(waker_main(how, count, report[1]));
    }
    close(report[1]);

    int64_t woke[SPACED_APPENDS] = {0};
    int64_t head = 0;
    esk_status rc = ESK_OK;
    for (int i = 0; i < count && rc == ESK_OK; i++) {
        rc = esk_store_wait_for(reader, i, timeout_ms, &head);
        woke[i] = monotonic_ms();
        if (rc != ESK_OK)
            fprintf(stderr, "waiting: %s\n", esk_errmsg());
        else if (head != i + 1)
            fprintf(stderr, "waiting after %d: head %lld\n", i,
                    (long long)head);
    }

    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(rc, ESK_OK);
    assert_int_equal(head, count);
    int64_t latest = 0;
    for (int i = 0; i < count; i++) {
        int64_t committed = 0;
        assert_int_equal(read(report[0], &committed, sizeof committed),
                         (ssize_t)sizeof committed);
        if (woke[i] - committed > latest)
            latest = woke[i] - committed;
    }
    close(report[0]);
    esk_store_free(reader);
    pg_drop_schema(conninfo, "esk_wait");
    return latest;
}

static void a_waiting_reader_wakes_within_milliseconds_of_a_commit(void **state)
{
    (void)state;
    /* Reading the head every 500 ms instead would wake 250 ms late or
     * more for one of the spaced appends. */
    int64_t late = wait_for_the_writer(WAKE_BY_APPEND, SPACED_APPENDS, 20000);
    if (late >= LATE_MS)
        fail_msg("woke %lld ms after the commit", (long long)late);
}

static void a_reader_whose_connection_was_killed_still_wakes(void **state)
{
    (void)state;
    /* It connects again and listens again: notices, not the reads of the
     * head every 500 ms, wake it. */
    int64_t late = wait_for_the_writer(WAKE_AFTER_KILLING_THE_READER,
                                       SPACED_APPENDS, 20000);
    if (late >= LATE_MS)
        fail_msg("woke %lld ms after the commit", (long long)late);
}

static void a_reader_that_hears_no_notice_still_wakes(void **state)
{
    (void)state;
    /* The head is read again at least every 500 ms. */
    int64_t late = wait_for_the_writer(WAKE_BY_A_SILENT_INSERT, 1, 5000);
    if (late >= 1500)
        fail_msg("woke %lld ms after the commit", (long long)late);
}

/* Whether a notice on the channel comes to admin within ms. */
static bool heard_within(PGconn *admin, int ms)
{
    int64_t deadline = monotonic_ms() + ms;
    do {
        assert_true(PQconsumeInput(admin));
        PGnotify *notice = PQnotifies(admin);
        if (notice != NULL) {
            assert_string_equal(notice->relname, "esk_notify");
            PQfreemem(notice);
            while ((notice = PQnotifies(admin)) != NULL)
                PQfreemem(notice);
            return true;
        }
        pause_ms(5);
    } while (monotonic_ms() < deadline);
    return false;
}

static void only_a_committed_append_notifies_the_schemas_channel(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_notify");
    esk_store *store = pg_open(conninfo, "esk_notify", 5000);
    assert_non_null(store);
    PGconn *admin = pg_admin(conninfo);
    pg_admin_exec(admin, "LISTEN esk_notify");
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    /* Records and reads are no appends. */
    const esk_record checkpoint = {"p", 0, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &checkpoint),
        ESK_OK);
    assert_false(heard_within(admin, 200));

    assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_true(heard_within(admin, 5000));
    PQfinish(admin);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_notify");
}

/* ---- A read model in the same database ----------------------------------
 */

/* A catch-up projection whose read model is a table in a schema of its
 * own, written through the store's connection; it refuses the event at
 * refuse_at, once it has written its row. */
typedef struct seats_model {
    int64_t refuse_at;
} seats_model;

static esk_status run_sql(esk_store *store, const char *sql, int n,
                          const char *const *params)
{
    PGconn *conn = esk_store_postgres_conn(store);
    /* Without parameters, as one simple query: it may hold several
     * statements. */
    PGresult *res =
        n == 0 ? PQexec(conn, sql)
               : PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    esk_status rc =
        PQresultStatus(res) == PGRES_COMMAND_OK
            ? ESK_OK
            : esk_error_set(ESK_EIO, "%s", PQresultErrorMessage(res));
    PQclear(res);
    return rc;
}

static esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return run_sql(store,
                   "CREATE SCHEMA IF NOT EXISTS esk_rm_seats; CREATE TABLE IF "
                   "NOT EXISTS esk_rm_seats.seats(position bigint PRIMARY "
                   "KEY, stream_id text NOT NULL)",
                   0, NULL);
}

static esk_status seats_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    const seats_model *model = ctx;
    char position[24];
    snprintf(position, sizeof position, "%lld", (long long)event->position);
    const char *params[2] = {position, event->stream_id};
    esk_status rc = run_sql(store,
                            "INSERT INTO esk_rm_seats.seats(position, "
                            "stream_id) VALUES($1, $2)",
                            2, params);
    /* Refused after writing: that row must go with the event. */
    if (rc == ESK_OK && event->position == model->refuse_at)
        rc = esk_error_set(ESK_EDOMAIN, "event %lld is refused",
                           (long long)event->position);
    return rc;
}

static void assert_read_model_at(PGconn *admin, int64_t checkpoint)
{
    assert_int_equal(pg_admin_number(admin, "SELECT position FROM "
                                            "esk_rm.checkpoints WHERE name = "
                                            "'seats'"),
                     checkpoint);
    assert_int_equal(
        pg_admin_number(admin, "SELECT count(*) FROM esk_rm_seats.seats"),
        checkpoint);
    assert_int_equal(pg_admin_number(admin,
                                     "SELECT coalesce(max(position), 0) FROM "
                                     "esk_rm_seats.seats"),
                     checkpoint);
}

static void
a_read_model_on_the_stores_connection_commits_with_its_checkpoint(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_rm");
    pg_drop_schema(conninfo, "esk_rm_seats");
    esk_store *store = pg_open(conninfo, "esk_rm", 5000);
    assert_non_null(store);
    assert_non_null(esk_store_postgres_conn(store));
    const esk_new_event e = {NULL, "T", 1, "{}", NULL};
    for (int i = 0; i < 5; i++)
        assert_int_equal(esk_store_append(store, "s", ESK_ANY, &e, 1, NULL),
                         ESK_OK);

    seats_model model = {4};
    const esk_projection seats = {"seats",      1,           NULL, 0,
                                  seats_handle, seats_setup, NULL, &model};
    esk_catchup *catchup = NULL;
    assert_int_equal(esk_catchup_new(&catchup, store, &seats, NULL), ESK_OK);
    PGconn *admin = pg_admin(conninfo);

    /* The batch of five fails at the fourth, which had written its row:
     * the rows of 1 to 3 stay with checkpoint 3, not one row more or
     * less. */
    esk_catchup_status st;
    assert_int_not_equal(esk_catchup_run(catchup, &st), ESK_OK);
    assert_int_equal(st.failed_position, 4);
    assert_read_model_at(admin, 3);

    model.refuse_at = 0;
    assert_int_equal(esk_catchup_run(catchup, &st), ESK_OK);
    assert_read_model_at(admin, 5);

    PQfinish(admin);
    esk_catchup_free(catchup);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_rm_seats");
    pg_drop_schema(conninfo, "esk_rm");
}

/* A follower: a catch-up runner that, once at the head, waits for the
 * next append of another process instead of polling. */
static void a_catchup_runner_follows_another_process_by_waiting(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_rm");
    pg_drop_schema(conninfo, "esk_rm_seats");
    esk_store *store = pg_open(conninfo, "esk_rm", 5000);
    assert_non_null(store);
    seats_model model = {0};
    const esk_projection seats = {"seats",      1,           NULL, 0,
                                  seats_handle, seats_setup, NULL, &model};
    esk_catchup *catchup = NULL;
    assert_int_equal(esk_catchup_new(&catchup, store, &seats, NULL), ESK_OK);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        esk_store *writer = pg_open(conninfo, "esk_rm", 5000);
        const esk_new_event e = {NULL, "T", 1, "{}", NULL};
        bool ok = writer != NULL;
        for (int i = 0; i < SPACED_APPENDS && ok; i++) {
            pause_ms(SPACING_MS);
            ok = esk_store_append(writer, "s", ESK_ANY, &e, 1, NULL) == ESK_OK;
        }
        esk_store_free(writer);
        _exit(ok ? 0 : 1);
    }

    int64_t start = monotonic_ms();
    esk_catchup_status st = {0};
    int64_t head = 0;
    while (st.checkpoint < SPACED_APPENDS && monotonic_ms() - start < 20000) {
        assert_int_equal(esk_catchup_run(catchup, &st), ESK_OK);
        if (st.checkpoint < SPACED_APPENDS) {
            /* Woken by the next append, not by the timeout. */
            assert_int_equal(esk_store_wait_for(store, st.head, 5000, &head),
                             ESK_OK);
            assert_true(head > st.head);
        }
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    PGconn *admin = pg_admin(conninfo);
    assert_read_model_at(admin, SPACED_APPENDS);
    PQfinish(admin);
    esk_catchup_free(catchup);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_rm_seats");
    pg_drop_schema(conninfo, "esk_rm");
}

/* ---- Round trips -----------------------------------------------------------
 */

enum { BIG_BATCH = 200 };

/* How many round trips the store's connection makes while it appends
 * events[0..n) to stream (and closes it, if close): libpq's trace of the
 * messages it sends, in which each round trip ends with a Sync (extended
 * protocol) or is one Query (simple protocol). */
static long round_trips_of(esk_store *store, const char *stream,
                           const esk_new_event *events, const esk_tags *tags,
                           size_t n, bool close)
{
#ifndef LIBPQ_HAS_TRACE_FLAGS
    /* Before libpq 14 the trace has another format. */
    skip();
#endif
    PGconn *conn = esk_store_postgres_conn(store);
    FILE *trace = tmpfile();
    assert_non_null(trace);
    PQtrace(conn, trace);
#ifdef LIBPQ_HAS_TRACE_FLAGS
    PQsetTraceFlags(conn, PQTRACE_SUPPRESS_TIMESTAMPS);
#endif
    esk_status rc = close ? esk_store_close_stream(store, stream, ESK_NO_STREAM,
                                                   events, n, NULL)
                          : esk_store_append_if(store, stream, ESK_NO_STREAM,
                                                events, tags, n, NULL, NULL);
    PQuntrace(conn);
    assert_int_equal(rc, ESK_OK);
    rewind(trace);
    long trips = 0;
    char line[512];
    bool line_start = true;
    while (fgets(line, sizeof line, trace) != NULL) {
        if (line_start && (strncmp(line, "F\t", 2) == 0) &&
            (strstr(line, "\tSync") != NULL || strstr(line, "\tQuery") != NULL))
            trips++;
        line_start = strchr(line, '\n') != NULL;
    }
    fclose(trace);
    return trips;
}

/* A batch goes to the server in a fixed number of round trips, whatever
 * its size: with ids the store makes and with ids the caller chose (each
 * looked up before anything is written), every event with tags. */
static void a_batch_takes_as_many_round_trips_as_one_event(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_trips");
    esk_store *store = pg_open(conninfo, "esk_trips", 5000);
    assert_non_null(store);
    static char ids[4][BIG_BATCH][40];
    static esk_new_event events[4][BIG_BATCH];
    static esk_tags tags[BIG_BATCH];
    static const char *const two_tags[2] = {"workshop:17", "seat"};
    for (size_t i = 0; i < BIG_BATCH; i++) {
        tags[i] = (esk_tags){two_tags, 2};
        for (size_t b = 0; b < 4; b++) {
            snprintf(ids[b][i], sizeof ids[b][i], "id-%zu-%zu", b, i);
            events[b][i] = (esk_new_event){b < 2 ? NULL : ids[b][i], "T", 1,
                                           "{\"n\":1}", NULL};
        }
    }
    /* The first append of each kind prepares its statements. */
    round_trips_of(store, "warm-up", events[0], tags, BIG_BATCH, false);
    round_trips_of(store, "warm-up-ids", events[2], tags, BIG_BATCH, false);
    round_trips_of(store, "warm-up-plain", events[0], NULL, 1, false);

    long one = round_trips_of(store, "one", events[1], tags, 1, false);
    long many = round_trips_of(store, "many", events[1] + 1, tags,
                               BIG_BATCH - 1, false);
    /* BEGIN with the lock, the stream state, the INSERT, COMMIT. */
    assert_int_equal(one, 4);
    assert_int_equal(many, one);

    /* One event without tags has an INSERT of its own. */
    assert_int_equal(round_trips_of(store, "plain", events[0], NULL, 1, false),
                     4);

    long one_id = round_trips_of(store, "one-id", events[3], tags, 1, false);
    long many_ids = round_trips_of(store, "many-ids", events[3] + 1, tags,
                                   BIG_BATCH - 1, false);
    /* and the look-up of the ids. */
    assert_int_equal(one_id, 5);
    assert_int_equal(many_ids, one_id);

    /* A closing append closes in one more. */
    round_trips_of(store, "warm-up-close", events[0], NULL, 1, true);
    assert_int_equal(round_trips_of(store, "closed", events[0], NULL, 1, true),
                     5);
    assert_int_equal(
        round_trips_of(store, "closed-many", events[0], NULL, BIG_BATCH, true),
        5);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_trips");
}

/* A batch travels as array text, in which '"', '\', ',', braces and the
 * word NULL mean something: every value comes back as it was sent. */
static void values_with_array_syntax_come_back_as_sent(void **state)
{
    (void)state;
    pg_drop_schema(conninfo, "esk_arrays");
    esk_store *store = pg_open(conninfo, "esk_arrays", 5000);
    assert_non_null(store);
    static const char *const odd_tags[5] = {"NULL", "a,b", "\"q\"", "{}",
                                            "back\\slash"};
    const esk_tags tags[2] = {{odd_tags, 5}, {NULL, 0}};
    const esk_new_event events[2] = {{"id \"1\", {x}", "T\\y", 1,
                                      "{\"a\":\"x\\\"y,{} NULL\"}",
                                      "{\"k\":\"\\\\\"}"},
                                     {"NULL", "NULL", 2, "null", "{}"}};
    assert_int_equal(esk_store_append_if(store, "s", ESK_NO_STREAM, events,
                                         tags, 2, NULL, NULL),
                     ESK_OK);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "s", 1, 0, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(list.events[i].event_id, events[i].event_id);
        assert_string_equal(list.events[i].type, events[i].type);
        assert_int_equal(list.events[i].schema_version,
                         events[i].schema_version);
        assert_string_equal(list.events[i].data, events[i].data);
        assert_string_equal(list.events[i].metadata, events[i].metadata);
        assert_int_equal(list.events[i].tag_count, tags[i].count);
        for (size_t t = 0; t < tags[i].count; t++)
            assert_string_equal(list.events[i].tags[t], tags[i].tags[t]);
    }
    esk_event_list_release(&list);
    esk_store_free(store);
    pg_drop_schema(conninfo, "esk_arrays");
}

static void only_a_postgres_store_has_a_postgres_connection(void **state)
{
    (void)state;
    esk_store *memory = NULL;
    assert_int_equal(esk_store_open_memory(&memory, NULL), ESK_OK);
    assert_null(esk_store_postgres_conn(memory));
    assert_null(esk_store_postgres_conn(NULL));
    esk_store_free(memory);
}

int main(void)
{
    conninfo = pg_conninfo("test_store_postgres");
    if (conninfo == NULL)
        return PG_SKIP;
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);

    pg_drop_schema(conninfo, "esk_conformance");
    pg_backend b = {pg_admin(conninfo), false};
    const esk_conformance_backend backend = {"postgres", open_postgres, &b};
    int failures = esk_conformance_run(&backend) +
                   esk_conformance_run_tags(&backend) +
                   esk_conformance_run_closed(&backend);
    PQfinish(b.admin);
    pg_drop_schema(conninfo, "esk_conformance");

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_unreadable_conninfo_is_invalid),
        cmocka_unit_test(a_server_that_is_not_there_is_an_io_error),
        cmocka_unit_test(bad_schema_names_are_refused),
        cmocka_unit_test(a_store_of_another_schema_version_is_refused),
        cmocka_unit_test(a_schema_of_another_application_is_left_alone),
        cmocka_unit_test(
            a_connection_lost_mid_transaction_loses_only_that_unit),
        cmocka_unit_test(a_role_without_rights_is_read_only),
        cmocka_unit_test(a_statement_the_server_refuses_fails_only_its_append),
        cmocka_unit_test(a_writer_waiting_past_its_timeout_is_busy),
        cmocka_unit_test(only_a_committed_append_notifies_the_schemas_channel),
        cmocka_unit_test(
            a_waiting_reader_wakes_within_milliseconds_of_a_commit),
        cmocka_unit_test(a_reader_whose_connection_was_killed_still_wakes),
        cmocka_unit_test(a_reader_that_hears_no_notice_still_wakes),
        cmocka_unit_test(
            a_read_model_on_the_stores_connection_commits_with_its_checkpoint),
        cmocka_unit_test(a_catchup_runner_follows_another_process_by_waiting),
        cmocka_unit_test(a_batch_takes_as_many_round_trips_as_one_event),
        cmocka_unit_test(values_with_array_syntax_come_back_as_sent),
        cmocka_unit_test(only_a_postgres_store_has_a_postgres_connection),
    };
    failures +=
        cmocka_run_group_tests_name("postgres failures", tests, NULL, NULL);
    return failures == 0 ? 0 : 1;
}
