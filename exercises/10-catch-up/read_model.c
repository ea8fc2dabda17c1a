/*
 * read_model.c - a statement runner for the projection, and the query.
 * Provided.
 */
#include <string.h>

#include <sqlite3.h>

#include "read_model.h"
#include "state.h"

/* Bind text to the parameter called name, if the statement has one. */
static int bind_text(sqlite3_stmt *stmt, const char *name, const char *text)
{
    int i = sqlite3_bind_parameter_index(stmt, name);
    if (i == 0)
        return SQLITE_OK;
    if (text == NULL)
        return sqlite3_bind_null(stmt, i);
    return sqlite3_bind_text(stmt, i, text, -1, SQLITE_STATIC);
}

static int bind_int(sqlite3_stmt *stmt, const char *name, int64_t n)
{
    int i = sqlite3_bind_parameter_index(stmt, name);
    return i == 0 ? SQLITE_OK : sqlite3_bind_int64(stmt, i, n);
}

/* Column i as text, "" for NULL. */
static const char *column_text(sqlite3_stmt *stmt, int i)
{
    const unsigned char *text = sqlite3_column_text(stmt, i);
    return text != NULL ? (const char *)text : "";
}

static int bind_values(sqlite3_stmt *stmt, const sql_values *v)
{
    int rc = bind_text(stmt, ":workshop", v->workshop);
    if (rc == SQLITE_OK)
        rc = bind_text(stmt, ":title", v->title);
    if (rc == SQLITE_OK)
        rc = bind_int(stmt, ":capacity", v->capacity);
    if (rc == SQLITE_OK)
        rc = bind_int(stmt, ":position", v->position);
    return rc;
}

esk_status read_model_exec(esk_store *store, const char *sql,
                           const sql_values *values)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    sqlite3_stmt *stmt = NULL;
    esk_status rc = ESK_OK;

    if (sql == NULL)
        return esk_error_set(ESK_EINVAL, "read_model_exec needs a statement");
    if (db == NULL)
        return esk_error_set(ESK_EINVAL,
                             "the seats read model lives in SQLite: open the "
                             "store with esk_store_open_sqlite()");
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK ||
        (values != NULL && bind_values(stmt, values) != SQLITE_OK) ||
        sqlite3_step(stmt) != SQLITE_DONE)
        rc = esk_error_set(ESK_EIO, "%s, in: %.160s", sqlite3_errmsg(db), sql);
    sqlite3_finalize(stmt);
    return rc;
}

esk_status seats_query(esk_read_model *read_model, const char *workshop_id,
                       seats_row *out)
{
    sqlite3_stmt *stmt = NULL;

    if (workshop_id == NULL || out == NULL)
        return esk_error_set(ESK_EINVAL,
                             "seats_query needs a workshop id and a row to "
                             "fill");
    esk_status rc = esk_read_model_prepare(
        read_model,
        "SELECT workshop_id, title, capacity, taken, waiting "
        "FROM seats WHERE workshop_id = ?1",
        &stmt);
    if (rc != ESK_OK)
        return rc;
    sqlite3_bind_text(stmt, 1, workshop_id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        copy_text(out->workshop_id, sizeof(out->workshop_id),
                  column_text(stmt, 0));
        copy_text(out->title, sizeof(out->title), column_text(stmt, 1));
        out->capacity = sqlite3_column_int64(stmt, 2);
        out->taken = sqlite3_column_int64(stmt, 3);
        out->waiting = sqlite3_column_int64(stmt, 4);
        out->free = out->capacity - out->taken;
    } else {
        rc = esk_error_set(ESK_ENOTFOUND,
                           "no seats row for workshop '%s' yet: has the "
                           "projection run past its WorkshopScheduled?",
                           workshop_id);
    }
    sqlite3_finalize(stmt);
    return rc;
}
