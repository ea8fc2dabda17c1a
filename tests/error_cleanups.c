/*
 * tests/error_cleanups.c - a cleanup after a failure keeps the failure's
 * status and message: the store front's own undo, when the backend's
 * rollback fails too or the database ended the transaction, must not
 * replace what the caller is told.
 *
 * A backend that stores nothing and fails on demand stands in for a
 * database: its append, nested commit and rollback fail with messages of
 * their own, and it can report its transaction gone, with a guess at why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error_cleanups.h"
#include "esk/error.h"
#include "esk/store.h"
#include "esk/store_backend.h"

typedef struct failing_backend {
    bool append_fails;
    /* The append waits for a lock past its timeout instead. */
    bool append_times_out;
    bool commit_fails; /* nested commits only */
    bool rollback_fails;
    /* A failing append ends the whole transaction, as SQLite's may. */
    bool append_ends_transaction;
    bool transaction_gone;
} failing_backend;

static esk_status fb_append(esk_store *store, void *impl,
                            esk_append_request *request)
{
    failing_backend *fb = impl;
    if (fb->append_times_out)
        return esk_error_set_ext(ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT,
                                 "another writer held the lock for 5 s");
    if (fb->append_fails) {
        fb->transaction_gone = fb->append_ends_transaction;
        return esk_store_set_error(store, ESK_EIO,
                                   "the disk refused the append to '%s'",
                                   request->stream_id);
    }
    request->result.version = (int64_t)request->count;
    request->result.position = (int64_t)request->count;
    for (size_t i = 0; i < request->count; i++) {
        request->events[i].version = (int64_t)i + 1;
        request->events[i].position = (int64_t)i + 1;
    }
    return ESK_OK;
}

static esk_status fb_read_stream(esk_store *store, void *impl,
                                 const char *stream_id, int64_t from_version,
                                 size_t max_count, bool backward,
                                 esk_event_list *out)
{
    (void)store, (void)impl, (void)stream_id, (void)from_version;
    (void)max_count, (void)backward, (void)out;
    return ESK_OK;
}

static esk_status fb_read_all(esk_store *store, void *impl, int64_t after,
                              size_t max_count, const esk_filter *filter,
                              esk_event_list *out)
{
    (void)store, (void)impl, (void)after, (void)max_count, (void)filter;
    (void)out;
    return ESK_OK;
}

static esk_status fb_stream_version(esk_store *store, void *impl,
                                    const char *stream_id, int64_t *out)
{
    (void)store, (void)impl, (void)stream_id;
    *out = 0;
    return ESK_OK;
}

static esk_status fb_head_position(esk_store *store, void *impl, int64_t *out)
{
    (void)store, (void)impl;
    *out = 0;
    return ESK_OK;
}

static esk_status fb_begin(esk_store *store, void *impl, int depth)
{
    (void)store, (void)impl, (void)depth;
    return ESK_OK;
}

static esk_status fb_commit(esk_store *store, void *impl, int depth)
{
    failing_backend *fb = impl;
    if (fb->commit_fails && depth > 0)
        return esk_store_set_error(store, ESK_EIO,
                                   "the savepoint at depth %d could not be "
                                   "released",
                                   depth);
    return ESK_OK;
}

static esk_status fb_rollback(esk_store *store, void *impl, int depth)
{
    failing_backend *fb = impl;
    if (depth == 0)
        fb->transaction_gone = false;
    if (fb->rollback_fails)
        return esk_store_set_error(
            store, ESK_EIO, "the rollback at depth %d failed as well", depth);
    return ESK_OK;
}

static esk_status fb_put_record(esk_store *store, void *impl,
                                esk_record_kind kind, const esk_record *record)
{
    (void)store, (void)impl, (void)kind, (void)record;
    return ESK_OK;
}

static esk_status fb_get_record(esk_store *store, void *impl,
                                esk_record_kind kind, const char *key,
                                esk_record *out, char **owned)
{
    (void)store, (void)impl, (void)kind, (void)key, (void)out, (void)owned;
    return ESK_ENOTFOUND;
}

static esk_status fb_check_transaction(esk_store *store, void *impl)
{
    failing_backend *fb = impl;
    if (!fb->transaction_gone)
        return ESK_OK;
    return esk_store_set_error(store, ESK_EIO,
                               "a guess: something inside the transaction");
}

static void fb_close(void *impl)
{
    free(impl);
}

static const esk_store_backend failing = {
    .name = "failing",
    .append = fb_append,
    .read_stream = fb_read_stream,
    .read_all = fb_read_all,
    .stream_version = fb_stream_version,
    .head_position = fb_head_position,
    .begin = fb_begin,
    .commit = fb_commit,
    .rollback = fb_rollback,
    .put_record = fb_put_record,
    .get_record = fb_get_record,
    .check_transaction = fb_check_transaction,
    .close = fb_close,
};

static esk_store *failing_store(failing_backend **fb)
{
    *fb = calloc(1, sizeof(**fb));
    assert_non_null(*fb);
    esk_store *store = NULL;
    assert_int_equal(esk_store_new(&store, &failing, *fb, NULL), ESK_OK);
    return store;
}

static esk_status append_one(esk_store *store)
{
    const esk_new_event event = {NULL, "Noted", 1, "{}", NULL};
    return esk_store_append(store, "notes-1", ESK_ANY, &event, 1, NULL);
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static void assert_lacks(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("\"%s\" contains \"%s\"", text, part);
}

void an_append_whose_undo_fails_too_keeps_its_own_failure(void **unused)
{
    (void)unused;
    failing_backend *fb = NULL;
    esk_store *store = failing_store(&fb);
    fb->append_fails = true;
    fb->rollback_fails = true;

    assert_int_equal(append_one(store), ESK_EIO);
    assert_int_equal(esk_error_last()->status, ESK_EIO);
    assert_contains(esk_errmsg(), "the disk refused the append to 'notes-1'");
    assert_lacks(esk_errmsg(), "rollback");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    esk_store_free(store);
}

void a_nested_commit_whose_undo_fails_too_keeps_its_own_failure(void **unused)
{
    (void)unused;
    failing_backend *fb = NULL;
    esk_store *store = failing_store(&fb);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    fb->commit_fails = true;
    fb->rollback_fails = true;

    assert_int_equal(esk_store_commit(store), ESK_EIO);
    assert_int_equal(esk_error_last()->status, ESK_EIO);
    assert_contains(esk_errmsg(), "could not be released");
    assert_lacks(esk_errmsg(), "rollback");
    assert_int_equal(esk_store_transaction_depth(store), 1);

    fb->rollback_fails = false;
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    esk_store_free(store);
}

void a_lost_transaction_is_blamed_on_the_failure_that_ended_it(void **unused)
{
    (void)unused;
    failing_backend *fb = NULL;
    esk_store *store = failing_store(&fb);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    fb->append_fails = true;
    fb->append_ends_transaction = true;

    assert_int_equal(append_one(store), ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_contains(esk_errmsg(), "rolled back the whole transaction");
    assert_contains(esk_errmsg(), "the disk refused the append");
    assert_lacks(esk_errmsg(), "a guess");

    assert_int_equal(esk_store_rollback(store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(store), 0);
    esk_store_free(store);
}

void a_lone_append_that_ends_its_transaction_reports_its_cause(void **unused)
{
    (void)unused;
    failing_backend *fb = NULL;
    esk_store *store = failing_store(&fb);
    fb->append_fails = true;
    fb->append_ends_transaction = true;

    /* No transaction of the caller's to roll back: the cause alone. */
    assert_int_equal(append_one(store), ESK_EIO);
    assert_int_equal(esk_error_last()->status, ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_NONE);
    assert_contains(esk_errmsg(), "the disk refused the append to 'notes-1'");
    assert_lacks(esk_errmsg(), "esk_store_rollback");
    assert_int_equal(esk_store_transaction_depth(store), 0);

    fb->append_fails = false;
    assert_int_equal(append_one(store), ESK_OK);
    esk_store_free(store);
}

void a_backend_of_ones_own_gives_its_extended_code(void **unused)
{
    (void)unused;
    failing_backend *fb = NULL;
    esk_store *store = failing_store(&fb);
    fb->append_times_out = true;

    /* What the caller acts on: retry later, as for SQLite's busy timeout. */
    assert_int_equal(append_one(store), ESK_EBUSY);
    assert_int_equal(esk_error_last()->status, ESK_EBUSY);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    assert_contains(esk_errmsg(), "another writer held the lock for 5 s");

    fb->append_times_out = false;
    assert_int_equal(append_one(store), ESK_OK);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_NONE);
    esk_store_free(store);
}
