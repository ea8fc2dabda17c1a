/*
 * examples/workshop/read_models.c - the catalogue and agenda projections,
 * and the queries that read them.
 *
 * A projection only translates events into rows. Every statement is
 * written so that applying an event twice leaves the same rows as once
 * (upserts, absolute values where possible), which keeps the
 * projections correct on the memory store too, where delivery is at least
 * once.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#ifdef ESK_HAVE_POSTGRES
#include <libpq-fe.h>

#include <esk/read_model_postgres.h>
#include <esk/store_postgres.h>
#endif

#include <esk/codec.h>

#include "read_models.h"
#include "workshop.h"

/* The statements are written once for both databases: ?N numbers the
 * parameters, and '~' stands before every read model table. On SQLite the
 * tables sit next to the store's in its file ('~' is dropped); on
 * PostgreSQL each read model has a schema of its own, next to the store's
 * (the store's schema holds the store's tables only): a rebuild drops and
 * creates that schema alone, and a query handle reads that schema only.
 * A handler writes through the store's connection, whose search_path is
 * the store's schema, so '~' becomes the schema there; a query's
 * search_path is its read model's schema ('~' is dropped). */
#define CATALOGUE_SCHEMA "workshop_catalogue"
#define AGENDA_SCHEMA "workshop_agenda"

/* schema is NULL where tables are named plainly. */
static void to_dialect(const char *sql, const char *schema, bool postgres,
                       char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = sql; *p != '\0' && n + 1 < size; p++) {
        if (*p == '~') {
            if (schema != NULL)
                n += (size_t)snprintf(out + n, size - n, "%s.", schema);
            if (n >= size)
                n = size - 1;
        } else {
            out[n++] = postgres && *p == '?' ? '$' : *p;
        }
    }
    out[n] = '\0';
}

static esk_status exec_sqlite(sqlite3 *db, const char *sql, const char *a,
                              const char *b, const char *c, int64_t n)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = ESK_OK;

    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        goto fail;
    /* Bind only what the statement has room for: ?1 to ?4. */
    int params = sqlite3_bind_parameter_count(stmt);
    if ((a && sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC)) ||
        (b && sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC)) ||
        (c && sqlite3_bind_text(stmt, 3, c, -1, SQLITE_STATIC)) ||
        (params >= 4 && sqlite3_bind_int64(stmt, 4, n) != SQLITE_OK))
        goto fail;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        goto fail;
    goto done;
fail:
    rc = ESK_EIO;
    esk_error_set(ESK_EIO, "read model: %s", sqlite3_errmsg(db));
done:
    sqlite3_finalize(stmt);
    return rc;
}

#ifdef ESK_HAVE_POSTGRES
/* On the store's own connection, so that the rows commit with the
 * projection's checkpoint. The server infers each parameter's type from
 * where it stands; every parameter the statement does not use is left
 * out, as PostgreSQL refuses unused ones it cannot type. */
static esk_status exec_postgres(PGconn *conn, const char *sql, const char *a,
                                const char *b, const char *c, int64_t n)
{
    char number[24];
    snprintf(number, sizeof(number), "%lld", (long long)n);
    /* Typed, so that a statement may leave some of them unused. */
    static const Oid types[] = {25 /* text */, 25, 25, 20 /* bigint */};
    const char *values[] = {a, b, c, number};
    PGresult *res = PQexecParams(conn, sql, 4, types, values, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    esk_status rc = ESK_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = ESK_EIO;
        esk_error_set(ESK_EIO, "read model: %s", PQerrorMessage(conn));
    }
    PQclear(res);
    return rc;
}
#endif

/* Run one statement with up to three text parameters (?1 to ?3) and one
 * integer (?4), in the store's database; on PostgreSQL, on the tables of
 * the read model's schema. */
static esk_status exec(esk_store *store, const char *schema, const char *sql,
                       const char *a, const char *b, const char *c, int64_t n)
{
    char text[512];
#ifdef ESK_HAVE_POSTGRES
    PGconn *conn = esk_store_postgres_conn(store);
    if (conn != NULL) {
        to_dialect(sql, schema, true, text, sizeof(text));
        return exec_postgres(conn, text, a, b, c, n);
    }
#else
    (void)schema;
#endif
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL) {
        esk_error_set(ESK_EINVAL, "these read models live in SQLite or "
                                  "PostgreSQL: open a store on one of them");
        return ESK_EINVAL;
    }
    to_dialect(sql, NULL, false, text, sizeof(text));
    return exec_sqlite(db, text, a, b, c, n);
}

/* On PostgreSQL, a read model's tables need their schema first
 * (fresh: dropped with everything in it and created empty, for a
 * rebuild). */
static esk_status create_schema(esk_store *store, const char *schema,
                                bool fresh)
{
#ifdef ESK_HAVE_POSTGRES
    if (esk_store_postgres_conn(store) != NULL)
        return esk_read_model_postgres_schema(store, schema, fresh);
#else
    (void)store;
    (void)schema;
    (void)fresh;
#endif
    return ESK_OK;
}

/* Whether the store is on PostgreSQL, where a rebuild empties the read
 * model by creating its schema afresh. */
static bool on_postgres(esk_store *store)
{
#ifdef ESK_HAVE_POSTGRES
    return esk_store_postgres_conn(store) != NULL;
#else
    (void)store;
    return false;
#endif
}

/* --- catalogue ---------------------------------------------------------- */

static esk_status catalogue_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = create_schema(store, CATALOGUE_SCHEMA, false);
    return rc != ESK_OK
               ? rc
               : exec(store, CATALOGUE_SCHEMA,
                      "CREATE TABLE IF NOT EXISTS ~catalogue("
                      "workshop_id TEXT PRIMARY KEY, title TEXT, starts_on "
                      "TEXT, "
                      "capacity BIGINT, seats_taken BIGINT, waitlist BIGINT, "
                      "open BIGINT, last_position BIGINT)",
                      NULL, NULL, NULL, 0);
}

static esk_status catalogue_reset(void *ctx, esk_store *store)
{
    if (on_postgres(store)) {
        esk_status rc = create_schema(store, CATALOGUE_SCHEMA, true);
        return rc != ESK_OK ? rc : catalogue_setup(ctx, store);
    }
    return exec(store, CATALOGUE_SCHEMA, "DELETE FROM ~catalogue", NULL, NULL,
                NULL, 0);
}

/* Apply a change to one workshop's row. Counting is not idempotent, so
 * each row remembers the position of the last event it applied and skips
 * anything at or before it: an event delivered twice counts once. */
static esk_status update_workshop(esk_store *store, const char *workshop_id,
                                  const char *change, int64_t position)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "UPDATE ~catalogue SET %s, last_position = ?4 "
             "WHERE workshop_id = ?1 AND last_position < ?4",
             change);
    return exec(store, CATALOGUE_SCHEMA, sql, workshop_id, NULL, NULL,
                position);
}

static esk_status catalogue_handle(void *ctx, esk_store *store,
                                   const esk_event *event)
{
    (void)ctx;
    union {
        workshop_scheduled scheduled;
        attendee_registered registered;
        attendee_waitlisted waitlisted;
        registration_cancelled cancelled;
        waitlisted_attendee_promoted promoted;
        registration_closed closed;
    } e;
    const esk_event_type *type = NULL;
    const char *change = NULL;
    const char *workshop_id = NULL;

    if (strcmp(event->type, workshop_scheduled_type.name) == 0) {
        esk_status rc =
            esk_codec_decode_event(&workshop_scheduled_type, event, &e);
        if (rc != ESK_OK)
            return rc;
        return exec(store, CATALOGUE_SCHEMA,
                    "INSERT INTO ~catalogue VALUES(?1, ?2, ?3, ?4, 0, 0, 1, 0) "
                    "ON CONFLICT(workshop_id) DO UPDATE SET "
                    "title = ?2, starts_on = ?3, capacity = ?4, "
                    "seats_taken = 0, waitlist = 0, open = 1, "
                    "last_position = 0",
                    e.scheduled.workshop_id, e.scheduled.title,
                    e.scheduled.starts_on, e.scheduled.capacity);
    }
    if (strcmp(event->type, attendee_registered_type.name) == 0) {
        type = &attendee_registered_type;
        change = "seats_taken = seats_taken + 1";
        workshop_id = e.registered.workshop_id;
    } else if (strcmp(event->type, attendee_waitlisted_type.name) == 0) {
        type = &attendee_waitlisted_type;
        change = "waitlist = waitlist + 1";
        workshop_id = e.waitlisted.workshop_id;
    } else if (strcmp(event->type, waitlisted_attendee_promoted_type.name) ==
               0) {
        type = &waitlisted_attendee_promoted_type;
        change = "waitlist = waitlist - 1, seats_taken = seats_taken + 1";
        workshop_id = e.promoted.workshop_id;
    } else if (strcmp(event->type, registration_closed_type.name) == 0) {
        type = &registration_closed_type;
        change = "open = 0";
        workshop_id = e.closed.workshop_id;
    } else if (strcmp(event->type, registration_cancelled_type.name) == 0) {
        type = &registration_cancelled_type;
        workshop_id = e.cancelled.workshop_id;
    } else {
        return ESK_OK; /* not an event this read model shows */
    }
    esk_status rc = esk_codec_decode_event(type, event, &e);
    if (rc != ESK_OK)
        return rc;
    if (type == &registration_cancelled_type)
        change = e.cancelled.was_waitlisted ? "waitlist = waitlist - 1"
                                            : "seats_taken = seats_taken - 1";
    return update_workshop(store, workshop_id, change, event->position);
}

static const char *const catalogue_events[] = {
    "WorkshopScheduled",     "AttendeeRegistered",         "AttendeeWaitlisted",
    "RegistrationCancelled", "WaitlistedAttendeePromoted", "RegistrationClosed",
};

const esk_projection catalogue_projection = {
    .name = "catalogue",
    .version = 1,
    .event_types = catalogue_events,
    .event_type_count = sizeof(catalogue_events) / sizeof(catalogue_events[0]),
    .handle = catalogue_handle,
    .setup = catalogue_setup,
    .reset = catalogue_reset,
};

/* --- agenda --------------------------------------------------------------- */

static esk_status agenda_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = create_schema(store, AGENDA_SCHEMA, false);
    if (rc != ESK_OK)
        return rc;
    rc = exec(store, AGENDA_SCHEMA,
              "CREATE TABLE IF NOT EXISTS ~agenda_workshops("
              "workshop_id TEXT PRIMARY KEY, title TEXT, "
              "starts_on TEXT)",
              NULL, NULL, NULL, 0);
    if (rc != ESK_OK)
        return rc;
    return exec(store, AGENDA_SCHEMA,
                "CREATE TABLE IF NOT EXISTS ~agenda("
                "attendee_id TEXT, workshop_id TEXT, place TEXT, "
                "PRIMARY KEY(attendee_id, workshop_id))",
                NULL, NULL, NULL, 0);
}

static esk_status agenda_reset(void *ctx, esk_store *store)
{
    if (on_postgres(store)) {
        esk_status rc = create_schema(store, AGENDA_SCHEMA, true);
        return rc != ESK_OK ? rc : agenda_setup(ctx, store);
    }
    esk_status rc = exec(store, AGENDA_SCHEMA, "DELETE FROM ~agenda_workshops",
                         NULL, NULL, NULL, 0);
    return rc != ESK_OK ? rc
                        : exec(store, AGENDA_SCHEMA, "DELETE FROM ~agenda",
                               NULL, NULL, NULL, 0);
}

/* Every statement sets a row to a value rather than counting, so applying
 * an event twice changes nothing the second time. */
static esk_status agenda_handle(void *ctx, esk_store *store,
                                const esk_event *event)
{
    (void)ctx;
    esk_status rc = ESK_OK;

    if (strcmp(event->type, workshop_scheduled_type.name) == 0) {
        workshop_scheduled e;
        rc = esk_codec_decode_event(&workshop_scheduled_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store, AGENDA_SCHEMA,
                      "INSERT INTO ~agenda_workshops VALUES(?1, ?2, ?3) "
                      "ON CONFLICT(workshop_id) DO UPDATE SET "
                      "title = ?2, starts_on = ?3",
                      e.workshop_id, e.title, e.starts_on, 0);
    } else if (strcmp(event->type, attendee_registered_type.name) == 0) {
        attendee_registered e;
        rc = esk_codec_decode_event(&attendee_registered_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store, AGENDA_SCHEMA,
                      "INSERT INTO ~agenda VALUES(?1, ?2, 'seat') "
                      "ON CONFLICT(attendee_id, workshop_id) DO UPDATE "
                      "SET place = 'seat'",
                      e.attendee_id, e.workshop_id, NULL, 0);
    } else if (strcmp(event->type, attendee_waitlisted_type.name) == 0) {
        attendee_waitlisted e;
        rc = esk_codec_decode_event(&attendee_waitlisted_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store, AGENDA_SCHEMA,
                      "INSERT INTO ~agenda VALUES(?1, ?2, 'waitlist') "
                      "ON CONFLICT(attendee_id, workshop_id) DO UPDATE "
                      "SET place = 'waitlist'",
                      e.attendee_id, e.workshop_id, NULL, 0);
    } else if (strcmp(event->type, waitlisted_attendee_promoted_type.name) ==
               0) {
        waitlisted_attendee_promoted e;
        rc = esk_codec_decode_event(&waitlisted_attendee_promoted_type, event,
                                    &e);
        if (rc == ESK_OK)
            rc = exec(store, AGENDA_SCHEMA,
                      "UPDATE ~agenda SET place = 'seat' "
                      "WHERE attendee_id = ?1 AND workshop_id = ?2",
                      e.attendee_id, e.workshop_id, NULL, 0);
    } else if (strcmp(event->type, registration_cancelled_type.name) == 0) {
        registration_cancelled e;
        rc = esk_codec_decode_event(&registration_cancelled_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store, AGENDA_SCHEMA,
                      "DELETE FROM ~agenda "
                      "WHERE attendee_id = ?1 AND workshop_id = ?2",
                      e.attendee_id, e.workshop_id, NULL, 0);
    }
    return rc;
}

static const char *const agenda_events[] = {
    "WorkshopScheduled",          "AttendeeRegistered",    "AttendeeWaitlisted",
    "WaitlistedAttendeePromoted", "RegistrationCancelled",
};

const esk_projection agenda_projection = {
    .name = "agenda",
    .version = 1,
    .event_types = agenda_events,
    .event_type_count = sizeof(agenda_events) / sizeof(agenda_events[0]),
    .handle = agenda_handle,
    .setup = agenda_setup,
    .reset = agenda_reset,
};

/* --- queries: they read the read model, and nothing else ----------------- */

static void print_row_end(int rows)
{
    if (rows == 0)
        printf("  (nothing yet)\n");
}

static esk_status print_rows_sqlite(esk_read_model *read_model, const char *sql,
                                    const char *param)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = esk_read_model_prepare(read_model, sql, &stmt);
    if (rc != ESK_OK)
        return rc;
    if (param != NULL)
        sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
    int rows = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        printf("  ");
        for (int i = 0; i < sqlite3_column_count(stmt); i++) {
            const unsigned char *text = sqlite3_column_text(stmt, i);
            printf("%s%s", i ? " | " : "", text ? (const char *)text : "-");
        }
        printf("\n");
        rows++;
    }
    print_row_end(rows);
    sqlite3_finalize(stmt);
    return ESK_OK;
}

#ifdef ESK_HAVE_POSTGRES
static esk_status print_rows_postgres(esk_read_model_postgres *read_model,
                                      const char *sql, const char *param)
{
    PGresult *res = NULL;
    esk_status rc = esk_read_model_postgres_query(read_model, sql,
                                                  param ? 1 : 0, &param, &res);
    if (rc != ESK_OK)
        return rc;
    for (int r = 0; r < PQntuples(res); r++) {
        printf("  ");
        for (int i = 0; i < PQnfields(res); i++)
            printf("%s%s", i ? " | " : "",
                   PQgetisnull(res, r, i) ? "-" : PQgetvalue(res, r, i));
        printf("\n");
    }
    print_row_end(PQntuples(res));
    PQclear(res);
    return ESK_OK;
}
#endif

esk_status read_side_open(read_side *r, esk_store *store)
{
    memset(r, 0, sizeof(*r));
#ifdef ESK_HAVE_POSTGRES
    if (esk_store_postgres_conn(store) != NULL) {
        esk_status rc = esk_read_model_open_postgres(&r->catalogue, store,
                                                     CATALOGUE_SCHEMA, NULL);
        return rc != ESK_OK ? rc
                            : esk_read_model_open_postgres(&r->agenda, store,
                                                           AGENDA_SCHEMA, NULL);
    }
#endif
    return esk_read_model_open(&r->sqlite, store);
}

void read_side_close(read_side *r)
{
    esk_read_model_free(r->sqlite);
#ifdef ESK_HAVE_POSTGRES
    esk_read_model_postgres_free(r->catalogue);
    esk_read_model_postgres_free(r->agenda);
#endif
    memset(r, 0, sizeof(*r));
}

/* Every query goes through a handle that refuses writes and the store's
 * tables: SQLite's on the store's file, or, on PostgreSQL, the handle of
 * the read model's schema (pg, which names its tables plainly). */
static esk_status print_rows(const read_side *r, esk_read_model_postgres *pg,
                             const char *sql, const char *param,
                             const char *header)
{
    char text[512];
    printf("%s\n", header);
    to_dialect(sql, NULL, pg != NULL, text, sizeof(text));
#ifdef ESK_HAVE_POSTGRES
    if (pg != NULL)
        return print_rows_postgres(pg, text, param);
#endif
    return print_rows_sqlite(r->sqlite, text, param);
}

esk_status print_catalogue(const read_side *r)
{
    return print_rows(r, r->catalogue,
                      "SELECT workshop_id, title, starts_on, "
                      "(capacity - seats_taken) || ' seats left', "
                      "waitlist || ' waiting', "
                      "CASE open WHEN 1 THEN 'open' ELSE 'closed' END "
                      "FROM ~catalogue ORDER BY starts_on, workshop_id",
                      NULL, "catalogue:");
}

esk_status print_agenda(const read_side *r, const char *attendee_id)
{
    return print_rows(r, r->agenda,
                      "SELECT w.workshop_id, w.title, w.starts_on, a.place "
                      "FROM ~agenda a JOIN ~agenda_workshops w "
                      "USING (workshop_id) WHERE a.attendee_id = ?1 "
                      "ORDER BY w.starts_on, w.workshop_id",
                      attendee_id, "agenda:");
}
