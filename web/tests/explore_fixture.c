/*
 * web/tests/explore_fixture.c - the explorer's store, in a file or a
 * PostgreSQL schema, written with esk's API.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esk/error.h>
#include <esk/store.h>
#ifdef ESK_HAVE_POSTGRES
#include <esk/store_postgres.h>
#include <libpq-fe.h>
#endif

#include "explore_fixture.h"

static esk_time fixed_clock(void *ctx)
{
    (void)ctx;
    return (esk_time)1795000000 * 1000000; /* 2026-11-18 */
}

static void write_workshop(esk_store *store)
{
    const esk_new_event events[] = {
        {"ev-1", "WorkshopScheduled", 1,
         "{\"workshopId\":\"w-1\",\"title\":\"ES 101\","
         "\"startsOn\":\"2026-12-01\",\"capacity\":1}",
         "{\"correlationId\":\"req-1\",\"causationId\":\"cmd-1\"}"},
        {"ev-2", "AttendeeRegistered", 1,
         "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\",\"name\":\"Ada\"}",
         "{\"correlationId\":\"req-2\",\"causationId\":\"cmd-2\"}"},
        {"ev-3", "AttendeeWaitlisted", 1,
         "{\"workshopId\":\"w-1\",\"attendeeId\":\"bob\",\"name\":\"Bob\"}",
         "{\"correlationId\":\"req-2\",\"causationId\":\"ev-2\"}"},
    };
    assert_int_equal(
        esk_store_append(store, "workshop-w-1", ESK_NO_STREAM, events, 3, NULL),
        ESK_OK);
}

static void write_hostile(esk_store *store)
{
    const esk_new_event event = {"ev-4", "<b>Odd</b>", 1,
                                 "{\"text\":\"" HOSTILE_TEXT "\"}",
                                 "{\"correlationId\":\"<i>req</i>\"}"};
    assert_int_equal(
        esk_store_append(store, HOSTILE_STREAM, ESK_NO_STREAM, &event, 1, NULL),
        ESK_OK);
}

static void write_closed_period(esk_store *store)
{
    const esk_new_event opened = {"ev-5", "PeriodOpened", 1, "{}", NULL};
    const char *const tag_list[] = {"period:2026", "books"};
    const esk_tags tags = {tag_list, 2};
    assert_int_equal(esk_store_append_if(store, "period-2026", ESK_NO_STREAM,
                                         &opened, &tags, 1, NULL, NULL),
                     ESK_OK);
    const esk_new_event closed = {"ev-6", "PeriodClosed", 1, "{}", NULL};
    assert_int_equal(
        esk_store_close_stream(store, "period-2026", 1, &closed, 1, NULL),
        ESK_OK);
}

static void write_checkpoint(esk_store *store, const char *name, int64_t at)
{
    const esk_record r = {.key = name, .at = at, .tag = 1, .value = "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &r),
                     ESK_OK);
}

static const char *pg_conninfo;
static const char *pg_schema;

void explore_fixture_use_postgres(const char *conninfo, const char *schema)
{
    pg_conninfo = conninfo;
    pg_schema = schema;
}

#ifdef ESK_HAVE_POSTGRES
static void drop_schema(const char *schema)
{
    PGconn *admin = PQconnectdb(pg_conninfo);
    if (PQstatus(admin) != CONNECTION_OK)
        fail_msg("connecting to '%s': %s", pg_conninfo, PQerrorMessage(admin));
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET client_min_messages TO warning; "
             "DROP SCHEMA IF EXISTS \"%s\" CASCADE",
             schema);
    PGresult *res = PQexec(admin, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(admin);
}

static esk_store *open_writer(explore_fixture *f,
                              const esk_store_options *options)
{
    drop_schema(pg_schema);
    esk_postgres_options pg = ESK_POSTGRES_OPTIONS_INIT;
    pg.store = *options;
    pg.schema = pg_schema;
    f->target = pg_conninfo;
    f->schema = pg_schema;
    esk_store *store = NULL;
    if (esk_store_open_postgres(&store, pg_conninfo, &pg) != ESK_OK)
        fail_msg("opening the fixture's store: %s", esk_errmsg());
    return store;
}
#else
static esk_store *open_writer(explore_fixture *f,
                              const esk_store_options *options)
{
    (void)f;
    (void)options;
    fail_msg("this build has no PostgreSQL backend");
    return NULL;
}
#endif

void explore_fixture_make(explore_fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/esk-explore-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    explore_fixture_file(f, "store.db", f->path, sizeof f->path);
    f->target = f->path;
    f->schema = NULL;

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = fixed_clock;
    esk_store *store = NULL;
    if (pg_conninfo != NULL)
        store = open_writer(f, &options);
    else
        assert_int_equal(esk_store_open_sqlite(&store, f->path, &options),
                         ESK_OK);
    write_workshop(store);
    write_hostile(store);
    write_closed_period(store);
    write_checkpoint(store, "catalogue", 2);
    write_checkpoint(store, "process:waitlist", 6);
    esk_store_free(store);
}

void explore_fixture_file(const explore_fixture *f, const char *name, char *buf,
                          size_t size)
{
    int n = snprintf(buf, size, "%s/%s", f->dir, name);
    assert_true(n > 0 && (size_t)n < size);
}

void explore_fixture_remove(explore_fixture *f)
{
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", f->dir, entry->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(f->dir);
#ifdef ESK_HAVE_POSTGRES
    if (f->schema != NULL)
        drop_schema(f->schema);
#endif
}

size_t explore_fixture_read(const char *path, char **out)
{
    FILE *file = fopen(path, "rb");
    assert_non_null(file);
    size_t cap = 4096, size = 0;
    char *bytes = malloc(cap);
    size_t got;
    while ((got = fread(bytes + size, 1, cap - size, file)) > 0) {
        size += got;
        if (size == cap)
            bytes = realloc(bytes, cap *= 2);
        assert_non_null(bytes);
    }
    fclose(file);
    *out = bytes;
    return size;
}
