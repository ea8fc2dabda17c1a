/*
 * src/store_records.c - the store front's small records (checkpoints,
 * command outcomes, snapshots): checks, the clock, then the backend.
 */
#include <string.h>

#include "internal.h"
#include "store_internal.h"

static esk_status check_record_args(esk_record_kind kind, const char *key)
{
    if (kind != ESK_RECORD_CHECKPOINT && kind != ESK_RECORD_COMMAND &&
        kind != ESK_RECORD_SNAPSHOT)
        return esk__fail(ESK_EINVAL,
                         "record kind %d is not one of "
                         "esk_record_kind",
                         (int)kind);
    if (key == NULL)
        return esk__fail(ESK_EINVAL, "record key is NULL");
    if (!esk__utf8_valid(key, ESK_STREAM_ID_MAX))
        return esk__fail(ESK_EINVAL,
                         "record key must be 1 to %d bytes of UTF-8",
                         ESK_STREAM_ID_MAX);
    return ESK_OK;
}

/* check_json: whether the value still needs the JSON check. */
static esk_status put_record(esk_store *store, esk_record_kind kind,
                             const esk_record *record, bool check_json)
{
    esk_status rc;

    if (record == NULL)
        return esk__fail(ESK_EINVAL, "record is NULL");
    if ((rc = check_record_args(kind, record->key)) != ESK_OK)
        return rc;
    if (record->value == NULL)
        return esk__fail(ESK_EINVAL,
                         "record '%s': value is not JSON: it is "
                         "NULL",
                         record->key);
    if (check_json && esk_json_validate(record->value) != ESK_OK)
        return esk__fail_within(ESK_EINVAL, "record '%s': value is not JSON",
                                record->key);
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    esk_time now = 0;
    if ((rc = esk__store_clock(store, "writing record", record->key, &now)) !=
        ESK_OK)
        return rc;
    store->stamp = now;
    store->stamped = true;
    rc = store->backend->put_record(store, store->impl, kind, record);
    store->stamped = false;
    return rc == ESK_OK ? ESK_OK : esk__store_note_failure(store, rc);
}

esk_status esk_store_put_record(esk_store *store, esk_record_kind kind,
                                const esk_record *record)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    return esk__record(put_record(store, kind, record, true));
}

esk_status esk__store_put_own_record(esk_store *store, esk_record_kind kind,
                                     const esk_record *record)
{
    return put_record(store, kind, record, false);
}

esk_status esk_store_get_record(esk_store *store, esk_record_kind kind,
                                const char *key, esk_record *out, char **owned)
{
    if (store == NULL)
        return esk__store_is_null(__func__);
    esk_status rc = esk__store_find_record(store, kind, key, out, owned);
    if (rc == ESK_ENOTFOUND)
        return esk__fail(ESK_ENOTFOUND, "no record '%s' of this kind", key);
    return rc;
}

esk_status esk__store_find_record(esk_store *store, esk_record_kind kind,
                                  const char *key, esk_record *out,
                                  char **owned)
{
    esk_status rc;

    if ((rc = check_record_args(kind, key)) != ESK_OK)
        return rc;
    if (out == NULL || owned == NULL)
        return esk__fail(ESK_EINVAL, "record out or owned is NULL");
    if ((rc = esk__store_unit_check(store)) != ESK_OK)
        return rc;
    rc = store->backend->get_record(store, store->impl, kind, key, out, owned);
    if (rc == ESK_ENOTFOUND)
        return rc;
    return rc == ESK_OK ? esk__ok() : esk__store_note_failure(store, rc);
}
