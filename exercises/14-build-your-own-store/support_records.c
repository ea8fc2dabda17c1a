/*
 * support_records.c - the records (checkpoints, command outcomes,
 * snapshots), provided: one table of them, keyed by kind and key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "store.h"
#include "support.h"

/* ---- Records ------------------------------------------------------------- */

esk_status store_put_record(esk_store *store, void *impl, esk_record_kind kind,
                            const esk_record *record)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    esk_status status = sql_prepare(
        store, s,
        "INSERT OR REPLACE INTO records(kind, key, number, version, value) "
        "VALUES(?1, ?2, ?3, ?4, ?5)",
        &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_bind_int(stmt, 1, (int)kind);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 2, record->key);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, record->at);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 4, record->tag);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 5, record->value);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        status = sql_fail(store, s, rc, "writing record '%s'", record->key);
    sqlite3_reset(stmt);
    return status;
}

/*
 * Memory that the caller frees with esk_free(). esk has no esk_malloc():
 * its documented promise (esk/status.h) is that jansson allocates through
 * the same functions as esk, so jansson's allocator is the one to use.
 */
static void *esk_compatible_malloc(size_t size)
{
    json_malloc_t allocate = NULL;
    json_free_t release = NULL;
    json_get_alloc_funcs(&allocate, &release);
    return allocate(size);
}

esk_status store_get_record(esk_store *store, void *impl, esk_record_kind kind,
                            const char *key, esk_record *out, char **owned)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = NULL;
    esk_status status =
        sql_prepare(store, s,
                    "SELECT number, version, value FROM records "
                    "WHERE kind = ?1 AND key = ?2",
                    &stmt);
    if (status != ESK_OK)
        return status;
    int rc = sqlite3_bind_int(stmt, 1, (int)kind);
    if (rc == SQLITE_OK)
        rc = sql_bind_text(stmt, 2, key);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        status = ESK_ENOTFOUND; /* the front words the message */
    } else if (rc != SQLITE_ROW) {
        status = sql_fail(store, s, rc, "reading record '%s'", key);
    } else {
        const char *value = column_text(stmt, 2);
        size_t key_size = strlen(key) + 1;
        size_t value_size = value != NULL ? strlen(value) + 1 : 0;
        /* One block for both strings: the caller frees it once. */
        char *block =
            value != NULL ? esk_compatible_malloc(key_size + value_size) : NULL;
        if (value == NULL || block == NULL) {
            status = esk_store_set_error(
                store, ESK_ENOMEM, "out of memory reading record '%s'", key);
        } else {
            memcpy(block, key, key_size);
            memcpy(block + key_size, value, value_size);
            *out = (esk_record){block, sqlite3_column_int64(stmt, 0),
                                sqlite3_column_int(stmt, 1), block + key_size};
            *owned = block;
        }
    }
    sqlite3_reset(stmt);
    return status;
}
