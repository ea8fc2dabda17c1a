/*
 * tests/conformance/conformance_records.c - records (checkpoints and the
 * like) kept beside the events: written, replaced, rolled back, refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store_backend.h>

#include "conformance.h"
#include "conformance_fixture.h"

/* --- records
 * ------------------------------------------------------------------- */

void records_of_each_kind_read_back_as_written(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    const esk_record_kind kinds[] = {ESK_RECORD_CHECKPOINT, ESK_RECORD_COMMAND,
                                     ESK_RECORD_SNAPSHOT};
    for (int k = 0; k < 3; k++) {
        char value[32];
        snprintf(value, sizeof(value), "{\"kind\":%d}", k);
        esk_record rec = {"same-key", 100 + k, k + 1, value};
        assert_int_equal(esk_store_put_record(f.store, kinds[k], &rec), ESK_OK);
    }
    for (int k = 0; k < 3; k++) {
        char value[32];
        snprintf(value, sizeof(value), "{\"kind\":%d}", k);
        esk_record got = {0};
        char *owned = NULL;
        assert_int_equal(
            esk_store_get_record(f.store, kinds[k], "same-key", &got, &owned),
            ESK_OK);
        assert_string_equal(got.key, "same-key");
        assert_int_equal(got.at, 100 + k);
        assert_int_equal(got.tag, k + 1);
        assert_string_equal(got.value, value);
        esk_free(owned);
    }
    conformance_close_fixture(&f);
}

void a_missing_record_is_not_found(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_record got = {"untouched", 7, 7, "untouched"};
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_SNAPSHOT, "nope",
                                          &got, &owned),
                     ESK_ENOTFOUND);
    assert_null(owned);
    assert_int_equal(got.at, 7);
    conformance_assert_message_contains(&f, "nope");
    conformance_close_fixture(&f);
}

void a_record_is_replaced_and_a_rollback_restores_it(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_record rec = {"catalogue", 10, 1, "{\"a\":1}"};
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    rec.at = 20;
    rec.value = "{\"a\":2}";
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    rec.at = 30;
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &rec),
                     ESK_OK);
    esk_record fresh = {"new-one", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_CHECKPOINT, &fresh), ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    esk_record got;
    char *owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "catalogue", &got, &owned),
                     ESK_OK);
    assert_int_equal(got.at, 20);
    assert_string_equal(got.value, "{\"a\":2}");
    esk_free(owned);
    owned = NULL;
    assert_int_equal(esk_store_get_record(f.store, ESK_RECORD_CHECKPOINT,
                                          "new-one", &got, &owned),
                     ESK_ENOTFOUND);
    conformance_close_fixture(&f);
}

void malformed_records_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_record got;
    char *owned = NULL;
    esk_record bad_value = {"k", 1, 1, "{oops}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_COMMAND, &bad_value),
        ESK_EINVAL);
    conformance_assert_message_contains(&f, "not JSON");
    esk_record no_key = {NULL, 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_COMMAND, &no_key),
                     ESK_EINVAL);
    esk_record empty_key = {"", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(f.store, ESK_RECORD_COMMAND, &empty_key),
        ESK_EINVAL);
    esk_record ok_rec = {"k", 1, 1, "{}"};
    assert_int_equal(esk_store_put_record(f.store, (esk_record_kind)9, &ok_rec),
                     ESK_EINVAL);
    assert_int_equal(esk_store_put_record(f.store, ESK_RECORD_COMMAND, NULL),
                     ESK_EINVAL);
    assert_int_equal(
        esk_store_get_record(f.store, ESK_RECORD_COMMAND, "k", NULL, &owned),
        ESK_EINVAL);
    assert_int_equal(
        esk_store_get_record(f.store, ESK_RECORD_COMMAND, "k", &got, NULL),
        ESK_EINVAL);
    conformance_close_fixture(&f);
}
