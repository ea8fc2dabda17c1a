/*
 * enrollment.c - the code around the exercise (enrollment.h). Not yours
 * to edit: it calls personal_seal() and personal_open() like any code of
 * an application would.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include <esk/error.h>

#include "enrollment.h"

esk_status enrollment_open(const char *path, esk_store **out)
{
    if (sodium_init() < 0)
        return esk_error_set(ESK_EIO, "libsodium could not start");
    esk_status rc = esk_store_open_sqlite(out, path, NULL);
    if (rc != ESK_OK)
        return rc;
    const char *schema =
        "CREATE TABLE IF NOT EXISTS attendee_keys("
        "attendee_id TEXT PRIMARY KEY, key BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS roster(workshop_id TEXT NOT NULL, "
        "attendee_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT NOT NULL, "
        "seats INTEGER NOT NULL, PRIMARY KEY(workshop_id, attendee_id));";
    if (sqlite3_exec(esk_store_sqlite_db(*out), schema, NULL, NULL, NULL) !=
        SQLITE_OK) {
        esk_store_free(*out);
        *out = NULL;
        return esk_error_set(ESK_EIO, "could not create the tables at %s",
                             path);
    }
    return ESK_OK;
}

esk_status enroll(esk_store *store, const char *workshop_id,
                  const char *attendee_id, const char *name, const char *email,
                  int seats, const char *dietary)
{
    char sealed_name[PERSONAL_SEALED_SIZE];
    char sealed_email[PERSONAL_SEALED_SIZE];
    esk_status rc = personal_seal(store, attendee_id, name, sealed_name,
                                  sizeof(sealed_name));
    if (rc == ESK_OK)
        rc = personal_seal(store, attendee_id, email, sealed_email,
                           sizeof(sealed_email));
    if (rc != ESK_OK)
        return rc;

    json_t *data =
        json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "workshopId", workshop_id,
                  "attendeeId", attendee_id, "name", sealed_name, "email",
                  sealed_email, "seats", seats, "dietary", dietary);
    json_t *meta = json_pack("{s:s}", "attendeeId", attendee_id);
    /* Dumped into buffers of ours: jansson allocates through esk here. */
    char data_text[1024];
    char meta_text[128];
    size_t data_len =
        data ? json_dumpb(data, data_text, sizeof(data_text) - 1, JSON_COMPACT)
             : 0;
    size_t meta_len =
        meta ? json_dumpb(meta, meta_text, sizeof(meta_text) - 1, JSON_COMPACT)
             : 0;
    json_decref(data);
    json_decref(meta);
    char stream_id[128];
    snprintf(stream_id, sizeof(stream_id), "enrollment-%s", attendee_id);
    if (data_len == 0 || data_len >= sizeof(data_text) || meta_len == 0 ||
        meta_len >= sizeof(meta_text))
        return esk_error_set(ESK_EINVAL, "the enrollment of %s is too long",
                             attendee_id);
    data_text[data_len] = '\0';
    meta_text[meta_len] = '\0';
    esk_new_event event = {.type = ENROLLED_TYPE,
                           .schema_version = 1,
                           .data = data_text,
                           .metadata = meta_text};
    rc = esk_store_append(store, stream_id, ESK_ANY, &event, 1, NULL);
    return rc == ESK_OK ? roster_rebuild(store) : rc;
}

/* An event's fields, the personal ones opened. */
static esk_status view_of(esk_store *store, const esk_event *e,
                          enrollment_view *v)
{
    memset(v, 0, sizeof(*v));
    json_t *root = json_loads(e->data, 0, NULL);
    const char *workshop = NULL, *attendee = NULL, *name = NULL;
    const char *email = NULL, *dietary = NULL;
    json_int_t seats = 0;
    if (!root ||
        json_unpack(root, "{s:s, s:s, s:s, s:s, s:I, s:s}", "workshopId",
                    &workshop, "attendeeId", &attendee, "name", &name, "email",
                    &email, "seats", &seats, "dietary", &dietary) != 0) {
        json_decref(root);
        return esk_error_set(ESK_EDECODE, "event %lld is not an enrollment",
                             (long long)e->position);
    }
    snprintf(v->workshop_id, sizeof(v->workshop_id), "%s", workshop);
    snprintf(v->attendee_id, sizeof(v->attendee_id), "%s", attendee);
    snprintf(v->dietary, sizeof(v->dietary), "%s", dietary);
    v->seats = (long long)seats;
    esk_status rc =
        personal_open(store, attendee, name, v->name, sizeof(v->name));
    if (rc == ESK_OK)
        rc = personal_open(store, attendee, email, v->email, sizeof(v->email));
    json_decref(root);
    return rc;
}

esk_status roster_rebuild(esk_store *store)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    esk_event_list events = {0};
    const esk_filter enrollments = {"enrollment", NULL, 0};
    esk_status rc = esk_store_read_all(store, 0, 0, &enrollments, &events);
    if (rc != ESK_OK)
        return rc;
    sqlite3_stmt *insert = NULL;
    if (sqlite3_exec(db, "DELETE FROM roster", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO roster VALUES(?,?,?,?,?)",
                           -1, &insert, NULL) != SQLITE_OK)
        rc = esk_error_set(ESK_EIO, "roster: %s", sqlite3_errmsg(db));
    for (size_t i = 0; rc == ESK_OK && i < events.count; i++) {
        enrollment_view v;
        rc = view_of(store, &events.events[i], &v);
        if (rc != ESK_OK)
            break;
        sqlite3_bind_text(insert, 1, v.workshop_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, v.attendee_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 3, v.name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 4, v.email, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 5, v.seats);
        if (sqlite3_step(insert) != SQLITE_DONE)
            rc = esk_error_set(ESK_EIO, "roster: %s", sqlite3_errmsg(db));
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    esk_event_list_release(&events);
    return rc;
}

esk_status enrollment_read(esk_store *store, const char *attendee_id,
                           enrollment_view *out)
{
    char stream_id[128];
    snprintf(stream_id, sizeof(stream_id), "enrollment-%s", attendee_id);
    esk_event_list events = {0};
    esk_status rc = esk_store_read_stream(store, stream_id, 1, 1, &events);
    if (rc == ESK_OK && events.count == 0)
        rc = esk_error_set(ESK_ENOTFOUND, "%s never enrolled", attendee_id);
    if (rc == ESK_OK)
        rc = view_of(store, &events.events[0], out);
    esk_event_list_release(&events);
    return rc;
}

esk_status audit_trail(esk_store *store, const char *attendee_id, char *buf,
                       size_t size)
{
    char stream_id[128];
    snprintf(stream_id, sizeof(stream_id), "enrollment-%s", attendee_id);
    esk_event_list events = {0};
    esk_status rc = esk_store_read_stream(store, stream_id, 1, 0, &events);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; rc == ESK_OK && i < events.count; i++) {
        const esk_event *e = &events.events[i];
        enrollment_view v;
        rc = view_of(store, e, &v);
        if (rc != ESK_OK)
            break;
        int n = snprintf(buf + used, size - used,
                         "%s v%lld %s workshop=%s seats=%lld name=%s\n",
                         e->stream_id, (long long)e->version, e->type,
                         v.workshop_id, v.seats, v.name);
        if (n < 0 || (size_t)n >= size - used)
            rc = esk_error_set(ESK_EINVAL, "the audit trail needs more room");
        else
            used += (size_t)n;
    }
    esk_event_list_release(&events);
    return rc;
}
