/*
 * tests/conformance/conformance_idempotency.c - a batch sent again with
 * the same event ids: the first result for an exact resend, a refusal
 * for anything else.
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

/* --- idempotent appends --------------------------------------------------- */

void sending_the_same_batch_again_returns_the_first_result(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "other-1", 1);
    esk_new_event batch[2] = {{"id-1", "A", 1, "{}", NULL},
                              {"id-2", "B", 1, "{}", NULL}};
    esk_append_result first, again;
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &first),
        ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &again),
        ESK_OK);
    assert_int_equal(again.version, first.version);
    assert_int_equal(again.position, first.position);
    assert_int_equal(first.position, 3);
    assert_int_equal(conformance_version_of(&f, "s-1"), 2);
    assert_int_equal(conformance_head_of(&f), 3);
    conformance_close_fixture(&f);
}

void sending_the_same_batch_again_with_any_writes_nothing(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = {"only-once", "A", 1, "{}", NULL};
    esk_append_result first, again;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, &first),
                     ESK_OK);
    conformance_fill_stream(&f, "s-1", 2); /* the stream moves on */
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, &again),
                     ESK_OK);
    assert_int_equal(again.version, 1);
    assert_int_equal(again.position, 1);
    assert_int_equal(conformance_version_of(&f, "s-1"), 3);
    conformance_close_fixture(&f);
}

void a_batch_that_partly_overlaps_stored_ids_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event first[2] = {{"id-1", "A", 1, "{}", NULL},
                              {"id-2", "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, first, 2, NULL),
                     ESK_OK);
    /* Starts with a new id, then reuses a stored one. */
    esk_new_event tail[2] = {{"id-3", "C", 1, "{}", NULL},
                             {"id-2", "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, tail, 2, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(&f, "id-2");
    /* Starts with a stored id, then goes on with a new one. */
    esk_new_event head[2] = {{"id-1", "A", 1, "{}", NULL},
                             {"id-4", "D", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, head, 2, NULL),
                     ESK_EDUPLICATE);
    /* The stored batch in another order is not the stored batch. */
    esk_new_event swapped[2] = {first[1], first[0]};
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, swapped, 2, NULL),
        ESK_EDUPLICATE);
    assert_int_equal(conformance_head_of(&f), 2);
    assert_int_equal(conformance_version_of(&f, "s-1"), 2);
    conformance_close_fixture(&f);
}

void a_stored_id_sent_to_another_stream_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event e = {"id-1", "A", 1, "{}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &e, 1, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-2", ESK_ANY, &e, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(&f, "stream 's-1'");
    assert_int_equal(conformance_version_of(&f, "s-2"), 0);
    conformance_close_fixture(&f);
}

void a_stored_batch_sent_at_another_expected_version_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "s-1", 2);
    esk_new_event e = {"id-1", "A", 1, "{}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", 2, &e, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", 2, &e, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", 0, &e, 1, NULL),
                     ESK_EDUPLICATE);
    assert_int_equal(conformance_head_of(&f), 3);
    conformance_close_fixture(&f);
}

/* Stream "s-1" holding one event "A" of type "T", schema version 1, data
 * {"n":1}, no metadata: what the content tests below send again, changed. */
static void store_event_a(fixture *f)
{
    esk_new_event a = {"A", "T", 1, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f->store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_OK);
}

void a_stored_id_sent_with_another_type_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "U", 1, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 with another type "
            "(stored 'T', sent 'U')");
    assert_int_equal(conformance_head_of(&f), 1);
    conformance_close_fixture(&f);
}

void a_stored_id_sent_with_other_data_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    store_event_a(&f);
    /* The same JSON value, written otherwise, is other bytes. */
    esk_new_event a = {"A", "T", 1, "{\"n\": 1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 with other data");
    conformance_assert_message_contains(&f, "{\"n\": 1}");
    assert_int_equal(conformance_head_of(&f), 1);
    conformance_close_fixture(&f);
}

void a_stored_id_sent_with_other_metadata_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "T", 1, "{\"n\":1}", "{\"userId\":\"ada\"}"};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 with other metadata");
    /* No metadata is stored as "{}": sending "{}" is the same content. */
    a.metadata = "{}";
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_OK);
    assert_int_equal(conformance_head_of(&f), 1);
    conformance_close_fixture(&f);
}

void a_stored_id_sent_with_another_schema_version_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    store_event_a(&f);
    esk_new_event a = {"A", "T", 2, "{\"n\":1}", NULL};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, &a, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 with schema version 1; "
            "this batch sends 2");
    assert_int_equal(conformance_head_of(&f), 1);
    conformance_close_fixture(&f);
}

void part_of_a_stored_batch_sent_alone_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[2] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 1, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 as part of a batch of 2 "
            "events; this batch has 1");
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 1, 1, NULL),
        ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'B' is already stored in stream "
            "'s-1' at version 2 as event 2 of a batch of "
            "2 events; this batch sends it as event 1");
    assert_int_equal(conformance_head_of(&f), 2);
    conformance_close_fixture(&f);
}

void two_stored_batches_sent_as_one_are_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[3] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL},
                              {"C", "T", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 2, 1, NULL), ESK_OK);
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 3, NULL),
                     ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1 as part of a batch of 2 "
            "events; this batch has 3");
    /* Each batch, as it was appended, is a replay. */
    esk_append_result r;
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, &r),
                     ESK_OK);
    assert_int_equal(r.version, 2);
    assert_int_equal(r.position, 2);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, batch + 2, 1, &r), ESK_OK);
    assert_int_equal(r.version, 3);
    assert_int_equal(r.position, 3);
    assert_int_equal(conformance_head_of(&f), 3);
    conformance_close_fixture(&f);
}

void a_stored_batch_sent_in_another_order_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[2] = {{"A", "T", 1, "{}", NULL},
                              {"B", "T", 1, "{}", NULL}};
    esk_new_event swapped[2] = {batch[1], batch[0]};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_ANY, swapped, 2, NULL),
        ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'B' is already stored in stream "
            "'s-1' at version 2 as event 2 of a batch of "
            "2 events; this batch sends it as event 1");
    assert_int_equal(conformance_head_of(&f), 2);
    conformance_close_fixture(&f);
}

void an_exact_resend_returns_the_first_result_after_other_appends(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    conformance_fill_stream(&f, "other-1", 1);
    esk_new_event batch[2] = {{"A", "T", 1, "{\"n\":1}", "{\"k\":\"v\"}"},
                              {"B", "U", 2, "[1,2]", NULL}};
    esk_append_result first, again;
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &first),
        ESK_OK);
    conformance_fill_stream(&f, "s-1", 2);
    conformance_fill_stream(&f, "other-1", 2);
    /* The clock has moved on: recorded_at is the store's, not content. */
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 2, &again),
        ESK_OK);
    assert_int_equal(first.version, 2);
    assert_int_equal(first.position, 3);
    assert_int_equal(again.version, first.version);
    assert_int_equal(again.position, first.position);
    assert_int_equal(conformance_head_of(&f), 7);
    assert_int_equal(conformance_version_of(&f, "s-1"), 4);
    conformance_close_fixture(&f);
}

void a_batch_that_created_its_stream_is_no_replay_for_an_existing_stream(
    void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event a = {"A", "T", 1, "{}", NULL};
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, &a, 1, NULL), ESK_OK);
    conformance_fill_stream(&f, "s-1", 1);
    /* Checked against ESK_STREAM_EXISTS, the first append would have
     * failed: this cannot be a retry of it. */
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_STREAM_EXISTS, &a, 1, NULL),
        ESK_EDUPLICATE);
    conformance_assert_message_contains(
        &f, "event id 'A' is already stored in stream "
            "'s-1' at version 1");
    assert_int_equal(conformance_head_of(&f), 2);
    conformance_close_fixture(&f);
}

void the_same_id_twice_in_one_batch_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[3] = {{"a", "A", 1, "{}", NULL},
                              {"b", "B", 1, "{}", NULL},
                              {"a", "C", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 3, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(&f, "share the id 'a'");
    assert_int_equal(conformance_head_of(&f), 0);
    conformance_close_fixture(&f);
}

void a_batch_mixing_given_and_missing_ids_is_refused(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[2] = {{"a", "A", 1, "{}", NULL},
                              {NULL, "B", 1, "{}", NULL}};
    assert_int_equal(esk_store_append(f.store, "s-1", ESK_ANY, batch, 2, NULL),
                     ESK_EINVAL);
    conformance_assert_message_contains(
        &f, "every event of a batch an id, or none");
    conformance_close_fixture(&f);
}

void an_id_the_store_made_is_refused_when_a_caller_sends_it(void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    esk_new_event batch[3] = {conformance_ev("A", "{}"),
                              conformance_ev("A", "{}"),
                              conformance_ev("A", "{}")};
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 3, NULL),
        ESK_OK);
    esk_event_list read = {0};
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &read),
                     ESK_OK);
    assert_int_equal(read.count, 3);
    /* Each id the store made must be found by the text a caller sends,
     * however the store measured and hashed it when it made it. */
    for (size_t i = 0; i < read.count; i++) {
        char id[ESK_EVENT_ID_LEN + 1];
        snprintf(id, sizeof id, "%s", read.events[i].event_id);
        esk_new_event again = {id, "A", 1, "{}", NULL};
        assert_int_equal(
            esk_store_append(f.store, "s-2", ESK_ANY, &again, 1, NULL),
            ESK_EDUPLICATE);
        conformance_assert_message_contains(&f, "stream 's-1'");
    }
    assert_int_equal(conformance_version_of(&f, "s-2"), 0);
    esk_event_list_release(&read);
    conformance_close_fixture(&f);
}

void a_batch_sharing_type_and_metadata_texts_keeps_each_event_its_own(
    void **state)
{
    (void)state;
    fixture f;
    conformance_open_fixture(&f);
    /* One buffer for the type and one for the metadata of the first two
     * events, the same text in other buffers, then other texts: the
     * store must copy what it keeps, since the caller reuses the
     * buffers once the append returns. */
    char type[] = "Shared";
    char metadata[] = "{\"m\":1}";
    char same_type[] = "Shared";
    esk_new_event batch[4] = {
        {NULL, type, 1, "{\"n\":0}", metadata},
        {NULL, type, 1, "{\"n\":1}", metadata},
        {NULL, same_type, 1, "{\"n\":2}", NULL},
        {NULL, "Other", 1, "{\"n\":3}", metadata},
    };
    assert_int_equal(
        esk_store_append(f.store, "s-1", ESK_NO_STREAM, batch, 4, NULL),
        ESK_OK);
    memset(type, 'x', sizeof type - 1);
    memset(same_type, 'y', sizeof same_type - 1);
    memcpy(metadata, "{\"m\":9}", sizeof metadata);
    esk_event_list read = {0};
    assert_int_equal(esk_store_read_stream(f.store, "s-1", 1, 0, &read),
                     ESK_OK);
    assert_int_equal(read.count, 4);
    const char *types[4] = {"Shared", "Shared", "Shared", "Other"};
    const char *metadatas[4] = {"{\"m\":1}", "{\"m\":1}", "{}", "{\"m\":1}"};
    for (size_t i = 0; i < 4; i++) {
        char data[16];
        snprintf(data, sizeof data, "{\"n\":%zu}", i);
        assert_string_equal(read.events[i].type, types[i]);
        assert_string_equal(read.events[i].metadata, metadatas[i]);
        assert_string_equal(read.events[i].data, data);
    }
    esk_event_list_release(&read);
    conformance_close_fixture(&f);
}
