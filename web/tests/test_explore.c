/*
 * web/tests/test_explore.c - the explorer's views on a store: what each
 * shows, the stores it refuses and what it says to do, and that browsing
 * leaves the store as it was.
 *
 *   test_explore               on a SQLite file
 *   test_explore --postgres    the views' tests again, on the same store
 *                              in a PostgreSQL schema (ESK_TEST_PG), and
 *                              what only a server has; 77 without one
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <esk/error.h>
#include <esk/store.h>
#ifdef ESK_HAVE_POSTGRES
#include <esk/store_postgres.h>
#include <libpq-fe.h>
#endif

#include "explore.h"
#include "explore_fixture.h"
#ifdef ESK_HAVE_POSTGRES
#include "pg/pg_support.h"
#endif

static esk_explore *open_fixture(const explore_fixture *f)
{
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open_in(&x, f->target, f->schema), ESK_OK);
    return x;
}

static json_t *at(json_t *root, const char *path)
{
    /* "events.1.type": objects by key, arrays by index. */
    char copy[256];
    snprintf(copy, sizeof copy, "%s", path);
    json_t *node = root;
    for (char *part = strtok(copy, "."); node != NULL && part != NULL;
         part = strtok(NULL, "."))
        node = json_is_array(node)
                   ? json_array_get(node, (size_t)strtoul(part, NULL, 10))
                   : json_object_get(node, part);
    assert_non_null(node);
    return node;
}

static const char *text_at(json_t *root, const char *path)
{
    return json_string_value(at(root, path));
}

static long long int_at(json_t *root, const char *path)
{
    return (long long)json_integer_value(at(root, path));
}

static void streams_are_grouped_by_category_with_versions(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);

    assert_int_equal(int_at(view, "head"), 6);
    assert_int_equal(json_array_size(at(view, "categories")), 3);
    assert_string_equal(text_at(view, "categories.0.name"),
                        "<script>alert(1)</script>");
    assert_string_equal(text_at(view, "categories.0.streams.0.id"),
                        HOSTILE_STREAM);
    assert_string_equal(text_at(view, "categories.1.name"), "period");
    assert_true(json_is_true(at(view, "categories.1.streams.0.closed")));
    assert_string_equal(text_at(view, "categories.2.streams.0.id"),
                        "workshop-w-1");
    assert_int_equal(int_at(view, "categories.2.streams.0.version"), 3);
    assert_true(json_is_false(at(view, "categories.2.streams.0.closed")));

    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void a_stream_shows_data_metadata_links_and_tags(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_stream(x, "workshop-w-1", &view), ESK_OK);
    assert_int_equal(int_at(view, "version"), 3);
    assert_string_equal(text_at(view, "events.2.type"), "AttendeeWaitlisted");
    assert_string_equal(text_at(view, "events.2.data.attendeeId"), "bob");
    assert_string_equal(text_at(view, "events.2.correlation"), "req-2");
    assert_string_equal(text_at(view, "events.2.causation"), "ev-2");
    assert_string_equal(text_at(view, "events.2.recorded_at"),
                        "2026-11-18T11:06:40.000000Z");
    json_decref(view);

    assert_int_equal(esk_explore_stream(x, "period-2026", &view), ESK_OK);
    assert_true(json_is_true(at(view, "closed")));
    assert_string_equal(text_at(view, "events.0.tags.1"), "books");
    json_decref(view);

    assert_int_equal(esk_explore_stream(x, "nobody-1", &view), ESK_ENOTFOUND);
    assert_int_equal(esk_explore_stream(x, "", &view), ESK_EINVAL);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void hostile_ids_and_data_come_back_verbatim(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_stream(x, HOSTILE_STREAM, &view), ESK_OK);
    assert_string_equal(text_at(view, "id"), HOSTILE_STREAM);
    assert_string_equal(text_at(view, "events.0.type"), "<b>Odd</b>");
    assert_string_equal(text_at(view, "events.0.data.text"), HOSTILE_TEXT);
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void the_feed_is_paged_by_position(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_feed(x, 0, 4, &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "events")), 4);
    assert_int_equal(int_at(view, "events.0.position"), 1);
    assert_int_equal(int_at(view, "next"), 4);
    json_decref(view);

    assert_int_equal(esk_explore_feed(x, 4, 4, &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "events")), 2);
    assert_int_equal(int_at(view, "events.0.position"), 5);
    assert_true(json_is_null(at(view, "next")));
    json_decref(view);

    assert_int_equal(esk_explore_feed(x, -1, 4, &view), ESK_EINVAL);
    assert_int_equal(esk_explore_feed(x, 0, 0, &view), ESK_EINVAL);
    assert_int_equal(esk_explore_feed(x, 0, ESK_EXPLORE_PAGE_MAX + 1, &view),
                     ESK_EINVAL);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void checkpoints_show_their_kind_and_lag(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_checkpoints(x, &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "checkpoints")), 2);
    assert_string_equal(text_at(view, "checkpoints.0.name"), "catalogue");
    assert_string_equal(text_at(view, "checkpoints.0.kind"), "projection");
    assert_int_equal(int_at(view, "checkpoints.0.position"), 2);
    assert_int_equal(int_at(view, "checkpoints.0.lag"), 4);
    assert_string_equal(text_at(view, "checkpoints.1.kind"), "process");
    assert_int_equal(int_at(view, "checkpoints.1.lag"), 0);
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void a_workshop_is_folded_event_by_event(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_fold(x, "workshop-w-1", &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "steps")), 3);
    assert_string_equal(text_at(view, "steps.0.state.status"), "open");
    assert_int_equal(int_at(view, "steps.0.state.free_seats"), 1);
    assert_string_equal(text_at(view, "steps.1.state.seated.0"), "ada");
    assert_int_equal(int_at(view, "steps.1.state.free_seats"), 0);
    assert_string_equal(text_at(view, "steps.2.state.waitlist.0"), "bob");
    assert_true(json_is_null(at(view, "error")));
    json_decref(view);

    assert_int_equal(esk_explore_fold(x, "period-2026", &view), ESK_ENOTFOUND);
    assert_true(strstr(esk_errmsg(), "no fold") != NULL);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void links_find_the_cause_and_the_correlated_events(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_event(x, "ev-2", &view), ESK_OK);
    assert_string_equal(text_at(view, "type"), "AttendeeRegistered");
    assert_int_equal(int_at(view, "position"), 2);
    json_decref(view);
    assert_int_equal(esk_explore_event(x, "cmd-1", &view), ESK_ENOTFOUND);
    assert_true(strstr(esk_errmsg(), "command") != NULL);

    assert_int_equal(esk_explore_correlation(x, "req-2", &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "events")), 2);
    assert_string_equal(text_at(view, "events.1.id"), "ev-3");
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

/* Every view, as a browsing session asks them. */
static void browse_everything(esk_explore *x)
{
    const char *streams[] = {"workshop-w-1", HOSTILE_STREAM, "period-2026"};
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    json_decref(view);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(esk_explore_stream(x, streams[i], &view), ESK_OK);
        json_decref(view);
    }
    assert_int_equal(esk_explore_feed(x, 0, 2, &view), ESK_OK);
    json_decref(view);
    assert_int_equal(esk_explore_checkpoints(x, &view), ESK_OK);
    json_decref(view);
    assert_int_equal(esk_explore_fold(x, "workshop-w-1", &view), ESK_OK);
    json_decref(view);
    assert_int_equal(esk_explore_event(x, "ev-3", &view), ESK_OK);
    json_decref(view);
    assert_int_equal(esk_explore_correlation(x, "req-1", &view), ESK_OK);
    json_decref(view);
}

static void browsing_leaves_the_file_unchanged(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    char *before = NULL;
    size_t before_size = explore_fixture_read(f.path, &before);

    esk_explore *x = open_fixture(&f);
    browse_everything(x);
    /* Even code of the explorer's that tried to write could not. */
    const esk_new_event event = {NULL, "Written", 1, "{}", NULL};
    assert_int_equal(esk_store_append(esk__explore_store(x), "s-1", ESK_ANY,
                                      &event, 1, NULL),
                     ESK_EREADONLY);
    esk_explore_free(x);

    char *after = NULL;
    size_t after_size = explore_fixture_read(f.path, &after);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(before);
    free(after);
    explore_fixture_remove(&f);
}

static void a_missing_file_is_refused_and_not_created(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    char path[256];
    explore_fixture_file(&f, "missing.db", path, sizeof path);
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open(&x, path), ESK_ENOTFOUND);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "no such file") != NULL);
    assert_true(strstr(esk_errmsg(), "workshop-demo") != NULL);
    assert_int_equal(access(path, F_OK), -1);
    explore_fixture_remove(&f);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void another_applications_database_is_refused(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    char path[256];
    explore_fixture_file(&f, "notes.db", path, sizeof path);
    raw_exec(path, "CREATE TABLE notes(text TEXT)");
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open(&x, path), ESK_ESCHEMA);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "not an esk event store") != NULL);
    assert_true(strstr(esk_errmsg(), "give ./kata explore the path") != NULL);
    explore_fixture_remove(&f);
}

static void a_newer_schema_is_refused_with_what_to_do(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    raw_exec(f.path, "PRAGMA user_version = 99");
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open(&x, f.path), ESK_ESCHEMA);
    assert_true(strstr(esk_errmsg(), "newer esk") != NULL);
    assert_true(strstr(esk_errmsg(), "update the kit") != NULL);
    explore_fixture_remove(&f);
}

/* What an application does when it starts over: a new file at the
 * same path. */
static void replace_with_a_new_store(const char *path)
{
    unlink(path);
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_OK);
    const esk_new_event event = {NULL, "Started", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(store, "other-1", ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);
    esk_store_free(store);
}

static void a_file_replaced_under_the_explorer_is_read_anew(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    replace_with_a_new_store(f.path);

    assert_int_equal(esk_explore_refresh(x), ESK_OK);
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    assert_int_equal(int_at(view, "head"), 1);
    assert_string_equal(text_at(view, "categories.0.streams.0.id"), "other-1");
    json_decref(view);

    unlink(f.path);
    assert_int_equal(esk_explore_refresh(x), ESK_ENOTFOUND);
    assert_true(strstr(esk_errmsg(), "no such file") != NULL);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void a_file_that_is_not_a_database_is_refused(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    char path[256];
    explore_fixture_file(&f, "notes.txt", path, sizeof path);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("not a database, only some text that is long enough to be read "
          "as a header by SQLite, which wants one hundred bytes of it\n",
          file);
    fclose(file);
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open(&x, path), ESK_ECORRUPT);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "give ./kata explore the path") != NULL);
    explore_fixture_remove(&f);
}

static void connection_strings_are_told_from_file_names(void **state)
{
    (void)state;
    const char *conninfos[] = {
        "postgres://esk@localhost/app",
        "postgresql:///app?host=/run/postgresql",
        "host=/tmp/esk-pg.1 user=esk dbname=postgres",
        "dbname=app",
    };
    for (size_t i = 0; i < sizeof conninfos / sizeof conninfos[0]; i++)
        assert_true(esk_explore_is_conninfo(conninfos[i]));
    const char *files[] = {"workshop.db", "/tmp/a=b.db",          "./a=b.db",
                           "postgres.db", "data/postgresql:x.db", ""};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        assert_false(esk_explore_is_conninfo(files[i]));
    assert_false(esk_explore_is_conninfo(NULL));
}

static void a_schema_is_refused_with_a_file(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open_in(&x, f.path, "esk"), ESK_EINVAL);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "not a connection string") != NULL);
    explore_fixture_remove(&f);
}

#ifndef ESK_HAVE_POSTGRES
static void a_conninfo_without_libpq_says_what_to_install(void **state)
{
    (void)state;
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open(&x, "host=/tmp dbname=app"), ESK_EINVAL);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "libpq-dev") != NULL);
}
#endif

#ifdef ESK_HAVE_POSTGRES
static const char *conninfo;
#define SCHEMA "explore_views"

static PGconn *admin_connection(void)
{
    PGconn *admin = PQconnectdb(conninfo);
    if (PQstatus(admin) != CONNECTION_OK)
        fail_msg("connecting: %s", PQerrorMessage(admin));
    return admin;
}

static void browsing_writes_nothing_to_the_server(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    PGconn *admin = admin_connection();
    char *before = pg_schema_digest(admin, SCHEMA);

    esk_explore *x = open_fixture(&f);
    browse_everything(x);
    const esk_new_event event = {NULL, "Written", 1, "{}", NULL};
    assert_int_equal(esk_store_append(esk__explore_store(x), "s-1", ESK_ANY,
                                      &event, 1, NULL),
                     ESK_EREADONLY);
    /* Nothing left open on the store's connection between two views. */
    PGconn *conn = (PGconn *)esk_store_postgres_conn(esk__explore_store(x));
    assert_int_equal(PQtransactionStatus(conn), PQTRANS_IDLE);
    esk_explore_free(x);

    char *after = pg_schema_digest(admin, SCHEMA);
    assert_string_equal(after, before);
    free(before);
    free(after);
    PQfinish(admin);
    explore_fixture_remove(&f);
}

static void a_missing_schema_is_refused_with_what_to_do(void **state)
{
    (void)state;
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open_in(&x, conninfo, "explore_nothing"),
                     ESK_EIO);
    assert_null(x);
    assert_true(strstr(esk_errmsg(), "explore_nothing") != NULL);
    assert_true(strstr(esk_errmsg(), "workshop-demo --pg") != NULL);
    PGconn *admin = admin_connection();
    PGresult *res = PQexec(admin, "SELECT 1 FROM pg_namespace WHERE nspname "
                                  "= 'explore_nothing'");
    assert_int_equal(PQntuples(res), 0);
    PQclear(res);
    PQfinish(admin);
}

static void a_lost_connection_is_browsed_again_at_the_next_refresh(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    json_decref(view);

    /* The server ends the explorer's session, as a restart would. */
    PGconn *conn = (PGconn *)esk_store_postgres_conn(esk__explore_store(x));
    char sql[80];
    snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)",
             PQbackendPID(conn));
    PGconn *admin = admin_connection();
    PQclear(PQexec(admin, sql));
    PQfinish(admin);

    assert_int_equal(esk_explore_refresh(x), ESK_OK);
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    assert_int_equal(json_array_size(at(view, "categories")), 3);
    json_decref(view);
    assert_int_equal(esk_explore_event(x, "ev-2", &view), ESK_OK);
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static void the_page_names_the_database_never_its_password(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    char with_password[512];
    snprintf(with_password, sizeof with_password, "%s password=hunter2",
             conninfo);
    esk_explore *x = NULL;
    assert_int_equal(esk_explore_open_in(&x, with_password, SCHEMA), ESK_OK);
    assert_null(strstr(esk_explore_path(x), "hunter2"));
    assert_true(strstr(esk_explore_path(x), "schema " SCHEMA) != NULL);
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    assert_null(strstr(text_at(view, "path"), "hunter2"));
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

/* A database made with a language's collation (en_US.UTF-8, the default
 * of many installs) sorts "alpha" before "Zeta"; SQLite, and the page,
 * sort by bytes. The column's collation stands in for the database's. */
static void streams_and_checkpoints_come_in_byte_order(void **state)
{
    (void)state;
    explore_fixture f;
    explore_fixture_make(&f);
    PGconn *admin = admin_connection();
    PGresult *res = PQexec(admin, "SELECT 1 FROM pg_collation WHERE "
                                  "collname = 'und-x-icu'");
    bool icu = PQntuples(res) == 1;
    PQclear(res);
    if (!icu) {
        printf("no ICU collation on this server: byte order not checked\n");
        PQfinish(admin);
        explore_fixture_remove(&f);
        return;
    }
    esk_store *writer = NULL;
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = SCHEMA;
    assert_int_equal(esk_store_open_postgres(&writer, conninfo, &options),
                     ESK_OK);
    const esk_new_event event = {NULL, "Started", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(writer, "alpha-1", ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);
    assert_int_equal(
        esk_store_append(writer, "Zeta-1", ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);
    const esk_record r = {.key = "Zeta", .at = 1, .tag = 1, .value = "{}"};
    assert_int_equal(esk_store_put_record(writer, ESK_RECORD_CHECKPOINT, &r),
                     ESK_OK);
    esk_store_free(writer);
    PQclear(PQexec(admin, "ALTER TABLE " SCHEMA ".events ALTER COLUMN "
                          "stream_id TYPE text COLLATE \"und-x-icu\"; "
                          "ALTER TABLE " SCHEMA ".checkpoints ALTER COLUMN "
                          "name TYPE text COLLATE \"und-x-icu\""));
    PQfinish(admin);

    esk_explore *x = open_fixture(&f);
    json_t *view = NULL;
    assert_int_equal(esk_explore_streams(x, &view), ESK_OK);
    assert_string_equal(text_at(view, "categories.0.name"),
                        "<script>alert(1)</script>");
    assert_string_equal(text_at(view, "categories.1.name"), "Zeta");
    assert_string_equal(text_at(view, "categories.2.name"), "alpha");
    json_decref(view);
    assert_int_equal(esk_explore_checkpoints(x, &view), ESK_OK);
    assert_string_equal(text_at(view, "checkpoints.0.name"), "Zeta");
    assert_string_equal(text_at(view, "checkpoints.1.name"), "catalogue");
    json_decref(view);
    esk_explore_free(x);
    explore_fixture_remove(&f);
}

static int run_on_postgres(void)
{
    conninfo = getenv("ESK_TEST_PG");
    if (conninfo == NULL || conninfo[0] == '\0') {
        printf("test_explore --postgres: SKIPPED: no PostgreSQL server is "
               "configured. Set ESK_TEST_PG to a libpq conninfo, e.g. from "
               "tests/pg/cluster.sh start\n");
        return 77;
    }
    explore_fixture_use_postgres(conninfo, SCHEMA);
    /* The views' own tests, the same bodies as on a file. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_are_grouped_by_category_with_versions),
        cmocka_unit_test(a_stream_shows_data_metadata_links_and_tags),
        cmocka_unit_test(hostile_ids_and_data_come_back_verbatim),
        cmocka_unit_test(the_feed_is_paged_by_position),
        cmocka_unit_test(checkpoints_show_their_kind_and_lag),
        cmocka_unit_test(a_workshop_is_folded_event_by_event),
        cmocka_unit_test(links_find_the_cause_and_the_correlated_events),
        cmocka_unit_test(browsing_writes_nothing_to_the_server),
        cmocka_unit_test(a_missing_schema_is_refused_with_what_to_do),
        cmocka_unit_test(
            a_lost_connection_is_browsed_again_at_the_next_refresh),
        cmocka_unit_test(the_page_names_the_database_never_its_password),
        cmocka_unit_test(streams_and_checkpoints_come_in_byte_order),
    };
    return cmocka_run_group_tests_name("explore on PostgreSQL", tests, NULL,
                                       NULL);
}
#endif

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--postgres") == 0) {
#ifdef ESK_HAVE_POSTGRES
        return run_on_postgres();
#else
        printf("test_explore --postgres: SKIPPED: built without libpq\n");
        return 77;
#endif
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_are_grouped_by_category_with_versions),
        cmocka_unit_test(a_stream_shows_data_metadata_links_and_tags),
        cmocka_unit_test(hostile_ids_and_data_come_back_verbatim),
        cmocka_unit_test(the_feed_is_paged_by_position),
        cmocka_unit_test(checkpoints_show_their_kind_and_lag),
        cmocka_unit_test(a_workshop_is_folded_event_by_event),
        cmocka_unit_test(links_find_the_cause_and_the_correlated_events),
        cmocka_unit_test(browsing_leaves_the_file_unchanged),
        cmocka_unit_test(a_missing_file_is_refused_and_not_created),
        cmocka_unit_test(another_applications_database_is_refused),
        cmocka_unit_test(a_file_that_is_not_a_database_is_refused),
        cmocka_unit_test(a_newer_schema_is_refused_with_what_to_do),
        cmocka_unit_test(a_file_replaced_under_the_explorer_is_read_anew),
        cmocka_unit_test(connection_strings_are_told_from_file_names),
        cmocka_unit_test(a_schema_is_refused_with_a_file),
#ifndef ESK_HAVE_POSTGRES
        cmocka_unit_test(a_conninfo_without_libpq_says_what_to_install),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
