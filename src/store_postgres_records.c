/*
 * src/store_postgres_records.c - records kept beside the events, one table
 * per kind: checkpoints, commands, snapshots; written with an upsert, in
 * the caller's transaction when one is open.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

static const char *const record_table[] = {"checkpoints", "commands",
                                           "snapshots"};

esk_status esk__pg_put_record(esk_store *store, void *impl,
                              esk_record_kind kind, const esk_record *record)
{
    pg_store *s = impl;
    char at[24];
    char tag[16];
    char now[24];
    snprintf(at, sizeof at, "%" PRId64, record->at);
    snprintf(tag, sizeof tag, "%d", record->tag);
    snprintf(now, sizeof now, "%" PRId64, (int64_t)esk_store_now(store));
    const char *params[5] = {record->key, at, tag, record->value, now};
    char doing[ESK_STREAM_ID_MAX + 40];
    snprintf(doing, sizeof doing, "writing '%s' into %s", record->key,
             record_table[kind]);
    esk_status status = esk__pg_refuse_write(s, doing);
    if (status == ESK_OK)
        status = esk__pg_connected(s, "writing a record");
    if (status != ESK_OK)
        return status;
    PGresult *res = esk__pg_exec(s, PG_PUT_CHECKPOINT + (int)kind, 5, params);
    if (!esk__pg_ok(res))
        status = esk__pg_fail(s, res, "writing '%s' into %s", record->key,
                              record_table[kind]);
    PQclear(res);
    return status;
}

esk_status esk__pg_get_record(esk_store *store, void *impl,
                              esk_record_kind kind, const char *key,
                              esk_record *out, char **owned)
{
    (void)store;
    pg_store *s = impl;
    const char *params[1] = {key};
    esk_status status = esk__pg_connected(s, "reading a record");
    if (status != ESK_OK)
        return status;
    PGresult *res = esk__pg_exec(s, PG_GET_CHECKPOINT + (int)kind, 1, params);
    if (!esk__pg_ok(res)) {
        status = esk__pg_fail(s, res, "reading '%s' from %s", key,
                              record_table[kind]);
    } else if (PQntuples(res) == 0) {
        status = ESK_ENOTFOUND;
    } else {
        const char *k = PQgetvalue(res, 0, 0);
        const char *v = PQgetvalue(res, 0, 3);
        /* One block for both strings: the caller frees it once. */
        size_t key_len = strlen(k) + 1;
        size_t value_len = strlen(v) + 1;
        char *block = esk__malloc(key_len + value_len);
        if (block == NULL) {
            status = esk__fail(ESK_ENOMEM, "out of memory reading '%s'", key);
        } else {
            memcpy(block, k, key_len);
            memcpy(block + key_len, v, value_len);
            *out = (esk_record){block, esk__pg_int(res, 0, 1),
                                (int)esk__pg_int(res, 0, 2), block + key_len};
            *owned = block;
        }
    }
    PQclear(res);
    return status;
}
