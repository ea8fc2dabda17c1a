/*
 * src/transitional.c - bridges kept while the store moves to the last
 * error. Delete this file once every store call records its failures in
 * esk_error_last().
 */
#include "esk/store_backend.h"
#include "internal.h"

esk_status esk__from_store(esk_store *store, esk_status rc)
{
    if (rc == ESK_OK)
        return rc;
    const esk_error *last = esk_error_last();
    if (last->status == rc && last->message[0] != '\0')
        return rc;
    return esk__fail(rc, "%s", esk_store_errmsg(store));
}

esk_status esk__to_store(esk_store *store, esk_status rc)
{
    if (rc == ESK_OK)
        return rc;
    return esk_store_set_error(store, rc, "%s", esk_errmsg());
}
