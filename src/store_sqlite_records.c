/*
 * src/store_sqlite_records.c - records kept beside the events, one table
 * per kind: checkpoints, commands, snapshots.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

static const char *const record_table[] = {"checkpoints", "commands",
                                           "snapshots"};

esk_status esk__sqlite_put_record(esk_store *store, void *impl,
                                  esk_record_kind kind,
                                  const esk_record *record)
{
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = s->stmt[STMT_PUT_CHECKPOINT + (int)kind];
    char now[ESK_TIME_TEXT_SIZE];
    if (esk_time_format(esk_store_now(store), now) != ESK_OK)
        return esk__fail(ESK_EINVAL, "the clock gave a time outside years "
                                     "0000-9999");
    int rc = esk__sqlite_bind_text(stmt, 1, record->key);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, record->at);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(stmt, 3, record->tag);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, 4, record->value);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_bind_text(stmt, 5, now);
    if (rc == SQLITE_OK)
        rc = esk__sqlite_run(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_OK ? ESK_OK
                           : esk__sqlite_fail(s, rc, "writing '%s' into %s",
                                              record->key, record_table[kind]);
}

esk_status esk__sqlite_get_record(esk_store *store, void *impl,
                                  esk_record_kind kind, const char *key,
                                  esk_record *out, char **owned)
{
    (void)store;
    sqlite_store *s = impl;
    sqlite3_stmt *stmt = s->stmt[STMT_GET_CHECKPOINT + (int)kind];
    esk_status status = ESK_OK;
    int rc = esk__sqlite_bind_text(stmt, 1, key);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        status = ESK_ENOTFOUND;
    } else if (rc != SQLITE_ROW) {
        status = esk__sqlite_fail(s, rc, "reading '%s' from %s", key,
                                  record_table[kind]);
    } else {
        const char *k = (const char *)sqlite3_column_text(stmt, 0);
        const char *v = (const char *)sqlite3_column_text(stmt, 3);
        if (k == NULL || v == NULL) {
            status = esk__fail(ESK_ECORRUPT,
                               "reading '%s' from %s: a column is NULL", key,
                               record_table[kind]);
            goto done;
        }
        /* One block for both strings: the caller frees it once. */
        size_t key_len = strlen(k) + 1;
        size_t value_len = strlen(v) + 1;
        char *block = esk__malloc(key_len + value_len);
        if (block == NULL) {
            status = esk__fail(ESK_ENOMEM, "out of memory reading '%s'", key);
            goto done;
        }
        memcpy(block, k, key_len);
        memcpy(block + key_len, v, value_len);
        *out = (esk_record){block, sqlite3_column_int64(stmt, 1),
                            sqlite3_column_int(stmt, 2), block + key_len};
        *owned = block;
    }
done:
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return status;
}
