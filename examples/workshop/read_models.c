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

#include <esk/store_postgres.h>
#endif

#include <esk/codec.h>

#include "read_models.h"
#include "workshop.h"

/* The statements are written once for both databases: ?N numbers the
 * parameters, and '~' stands before every read model table. On SQLite the
 * tables sit next to the store's in its file ('~' is dropped); on
 * PostgreSQL they sit in a schema of their own, READ_MODEL_SCHEMA, since
 * the store's schema holds the store's tables only. */
#define READ_MODEL_SCHEMA "workshop_read"

static void to_dialect(const char *sql, bool postgres, char *out, size_t size)
{
    size_t n = 0;
    for (const char *p = sql; *p != '\0' && n + 1 < size; p++) {
        if (*p == '~') {
            const char *prefix = postgres ? READ_MODEL_SCHEMA "." : "";
            n += (size_t)snprintf(out + n, size - n, "%s", prefix);
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
 * integer (?4), in the store's database. */
static esk_status exec(esk_store *store, const char *sql, const char *a,
                       const char *b, const char *c, int64_t n)
{
    char text[512];
#ifdef ESK_HAVE_POSTGRES
    PGconn *conn = esk_store_postgres_conn(store);
    if (conn != NULL) {
        to_dialect(sql, true, text, sizeof(text));
        return exec_postgres(conn, text, a, b, c, n);
    }
#endif
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL) {
        esk_error_set(ESK_EINVAL, "these read models live in SQLite or "
                                  "PostgreSQL: open a store on one of them");
        return ESK_EINVAL;
    }
    to_dialect(sql, false, text, sizeof(text));
    return exec_sqlite(db, text, a, b, c, n);
}

/* PostgreSQL's read model tables need their schema first. */
static esk_status create_schema(esk_store *store)
{
#ifdef ESK_HAVE_POSTGRES
    PGconn *conn = esk_store_postgres_conn(store);
    if (conn != NULL)
        return exec_postgres(conn,
                             "CREATE SCHEMA IF NOT EXISTS " READ_MODEL_SCHEMA,
                             NULL, NULL, NULL, 0);
#else
    (void)store;
#endif
    return ESK_OK;
}

/* --- catalogue ---------------------------------------------------------- */

static esk_status catalogue_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc = create_schema(store);
    return rc != ESK_OK
               ? rc
               : exec(store,
                      "CREATE TABLE IF NOT EXISTS ~catalogue("
                      "workshop_id TEXT PRIMARY KEY, title TEXT, starts_on "
                      "TEXT, "
                      "capacity BIGINT, seats_taken BIGINT, waitlist BIGINT, "
                      "open BIGINT, last_position BIGINT)",
                      NULL, NULL, NULL, 0);
}

static esk_status catalogue_reset(void *ctx, esk_store *store)
{
    (void)ctx;
    return exec(store, "DELETE FROM ~catalogue", NULL, NULL, NULL, 0);
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
    return exec(store, sql, workshop_id, NULL, NULL, position);
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
        return exec(store,
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
    esk_status rc = create_schema(store);
    if (rc != ESK_OK)
        return rc;
    rc = exec(store,
              "CREATE TABLE IF NOT EXISTS ~agenda_workshops("
              "workshop_id TEXT PRIMARY KEY, title TEXT, "
              "starts_on TEXT)",
              NULL, NULL, NULL, 0);
    if (rc != ESK_OK)
        return rc;
    return exec(store,
                "CREATE TABLE IF NOT EXISTS ~agenda("
                "attendee_id TEXT, workshop_id TEXT, place TEXT, "
                "PRIMARY KEY(attendee_id, workshop_id))",
                NULL, NULL, NULL, 0);
}

static esk_status agenda_reset(void *ctx, esk_store *store)
{
    (void)ctx;
    esk_status rc =
        exec(store, "DELETE FROM ~agenda_workshops", NULL, NULL, NULL, 0);
    return rc != ESK_OK
               ? rc
               : exec(store, "DELETE FROM ~agenda", NULL, NULL, NULL, 0);
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
            rc = exec(store,
                      "INSERT INTO ~agenda_workshops VALUES(?1, ?2, ?3) "
                      "ON CONFLICT(workshop_id) DO UPDATE SET "
                      "title = ?2, starts_on = ?3",
                      e.workshop_id, e.title, e.starts_on, 0);
    } else if (strcmp(event->type, attendee_registered_type.name) == 0) {
        attendee_registered e;
        rc = esk_codec_decode_event(&attendee_registered_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store,
                      "INSERT INTO ~agenda VALUES(?1, ?2, 'seat') "
                      "ON CONFLICT(attendee_id, workshop_id) DO UPDATE "
                      "SET place = 'seat'",
                      e.attendee_id, e.workshop_id, NULL, 0);
    } else if (strcmp(event->type, attendee_waitlisted_type.name) == 0) {
        attendee_waitlisted e;
        rc = esk_codec_decode_event(&attendee_waitlisted_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store,
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
            rc = exec(store,
                      "UPDATE ~agenda SET place = 'seat' "
                      "WHERE attendee_id = ?1 AND workshop_id = ?2",
                      e.attendee_id, e.workshop_id, NULL, 0);
    } else if (strcmp(event->type, registration_cancelled_type.name) == 0) {
        registration_cancelled e;
        rc = esk_codec_decode_event(&registration_cancelled_type, event, &e);
        if (rc == ESK_OK)
            rc = exec(store,
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
static esk_status print_rows_postgres(PGconn *conn, const char *sql,
                                      const char *param)
{
    PGresult *res =
        PQexecParams(conn, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        esk_error_set(ESK_EIO, "query: %s", PQerrorMessage(conn));
        PQclear(res);
        return ESK_EIO;
    }
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

/* A SQLite store's queries go through a read model handle, which refuses
 * writes and the store's tables; PostgreSQL's through the store's
 * connection, outside any transaction. */
static esk_status print_rows(esk_store *store, esk_read_model *read_model,
                             const char *sql, const char *param,
                             const char *header)
{
    char text[512];
    printf("%s\n", header);
#ifdef ESK_HAVE_POSTGRES
    PGconn *conn = esk_store_postgres_conn(store);
    if (conn != NULL) {
        to_dialect(sql, true, text, sizeof(text));
        return print_rows_postgres(conn, text, param);
    }
#else
    (void)store;
#endif
    to_dialect(sql, false, text, sizeof(text));
    return print_rows_sqlite(read_model, text, param);
}

esk_status print_catalogue(esk_store *store, esk_read_model *read_model)
{
    return print_rows(store, read_model,
                      "SELECT workshop_id, title, starts_on, "
                      "(capacity - seats_taken) || ' seats left', "
                      "waitlist || ' waiting', "
                      "CASE open WHEN 1 THEN 'open' ELSE 'closed' END "
                      "FROM ~catalogue ORDER BY starts_on, workshop_id",
                      NULL, "catalogue:");
}

esk_status print_agenda(esk_store *store, esk_read_model *read_model,
                        const char *attendee_id)
{
    return print_rows(store, read_model,
                      "SELECT w.workshop_id, w.title, w.starts_on, a.place "
                      "FROM ~agenda a JOIN ~agenda_workshops w "
                      "USING (workshop_id) WHERE a.attendee_id = ?1 "
                      "ORDER BY w.starts_on, w.workshop_id",
                      attendee_id, "agenda:");
}
