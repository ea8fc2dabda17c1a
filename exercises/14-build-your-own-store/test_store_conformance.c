/*
 * test_store_conformance.c - the conformance suite, run on your store: every
 * operation watched, so that a failure names the function to write.
 */
#include "test_store.h"

/* ---- The conformance suite ----------------------------------------------- */

/* The functions of yours that answered ESK_ENOTIMPL in this test, so that
 * each is named once per test. */
static const char *stubs_met[16];
static size_t stubs_met_count;

/* The names that esk/status.h gives the statuses a backend may return. */
static const char *status_name(esk_status status)
{
    switch (status) {
    case ESK_EINVAL:
        return "ESK_EINVAL";
    case ESK_ENOMEM:
        return "ESK_ENOMEM";
    case ESK_ECONCURRENCY:
        return "ESK_ECONCURRENCY";
    case ESK_ENOTFOUND:
        return "ESK_ENOTFOUND";
    case ESK_EDUPLICATE:
        return "ESK_EDUPLICATE";
    case ESK_EIO:
        return "ESK_EIO";
    case ESK_EBUSY:
        return "ESK_EBUSY";
    case ESK_ECORRUPT:
        return "ESK_ECORRUPT";
    case ESK_ESCHEMA:
        return "ESK_ESCHEMA";
    case ESK_EREADONLY:
        return "ESK_EREADONLY";
    default:
        return esk_status_str(status);
    }
}

/*
 * Say what one of your functions answered, when it is not ESK_OK, then
 * pass the status on unchanged. Some tests ask for a refusal (an append
 * at a stale version must fail): then the line is the store doing its
 * job, and the test passes.
 */
static esk_status watch(esk_store *store, const char *function,
                        esk_status status, const char *note)
{
    (void)store;
    if (status == ESK_OK)
        return status;
    if (status == ESK_ENOTIMPL) {
        for (size_t i = 0; i < stubs_met_count; i++)
            if (stubs_met[i] == function)
                return status;
        if (stubs_met_count < sizeof(stubs_met) / sizeof(stubs_met[0]))
            stubs_met[stubs_met_count++] = function;
        print_message("this test needs %s(), which is still a stub: write "
                      "it in store.c\n",
                      function);
        return status;
    }
    print_message("%s() said %s (%d): %s\n", function, status_name(status),
                  (int)status, esk_errmsg());
    if (note != NULL)
        print_message("(%s)\n", note);
    return status;
}

/* Whether check_numbers() has spoken in this test: once is enough. */
static bool numbers_told;

/* After an append that succeeded: are the numbers the front hands on to
 * subscribers and inline handlers filled in? */
static void check_numbers(const esk_append_request *request)
{
    int64_t count = (int64_t)request->count;
    if (numbers_told)
        return;
    if (request->result.version < count || request->result.position < count) {
        print_message("store_append() stored %lld event(s) but request->"
                      "result says version %lld, position %lld: set it to "
                      "the stream's new version and the last event's "
                      "position\n",
                      (long long)count, (long long)request->result.version,
                      (long long)request->result.position);
        numbers_told = true;
        return;
    }
    for (int64_t i = 0; i < count; i++) {
        const esk_event *e = &request->events[i];
        int64_t version = request->result.version - (count - 1 - i);
        int64_t position = request->result.position - (count - 1 - i);
        if (e->version != version || e->position != position) {
            print_message("store_append(): request->events[%lld] has "
                          "version %lld and position %lld, where %lld and "
                          "%lld were stored: write them into the request "
                          "(subscribers and inline handlers read them "
                          "there)\n",
                          (long long)i, (long long)e->version,
                          (long long)e->position, (long long)version,
                          (long long)position);
            numbers_told = true;
            return;
        }
    }
}

static esk_status watched_append(esk_store *store, void *impl,
                                 esk_append_request *request)
{
    esk_status status = store_append_noted(store, impl, request);
    if (status == ESK_OK)
        check_numbers(request);
    bool maybe_a_retry = request->ids_supplied && (status == ESK_ECONCURRENCY ||
                                                   status == ESK_EDUPLICATE);
    return watch(store, "store_append", status,
                 maybe_a_retry ? "the caller chose these event ids: the batch "
                                 "may be a retry of one already stored. Did "
                                 "store_check_replay() run first?"
                               : NULL);
}

static esk_status watched_read_stream(esk_store *store, void *impl,
                                      const char *stream_id,
                                      int64_t from_version, size_t max_count,
                                      bool backward, esk_event_list *out)
{
    return watch(store, "store_read_stream",
                 store_read_stream(store, impl, stream_id, from_version,
                                   max_count, backward, out),
                 NULL);
}

static esk_status watched_stream_version(esk_store *store, void *impl,
                                         const char *stream_id,
                                         int64_t *out_version)
{
    return watch(store, "store_stream_version",
                 store_stream_version(store, impl, stream_id, out_version),
                 NULL);
}

static esk_status watched_head_position(esk_store *store, void *impl,
                                        int64_t *out_position)
{
    return watch(store, "store_head_position",
                 store_head_position(store, impl, out_position), NULL);
}

static esk_status watched_begin(esk_store *store, void *impl, int depth)
{
    return watch(store, "store_begin", store_begin(store, impl, depth), NULL);
}

static esk_status watched_commit(esk_store *store, void *impl, int depth)
{
    return watch(store, "store_commit", store_commit(store, impl, depth), NULL);
}

static esk_status watched_rollback(esk_store *store, void *impl, int depth)
{
    return watch(store, "store_rollback", store_rollback(store, impl, depth),
                 NULL);
}

/* Your functions, watched; the provided ones as they are. */
static const esk_store_backend watched_backend = {
    .name = "sqlite (yours)",
    .append = watched_append,
    .read_stream = watched_read_stream,
    .read_all = store_read_all,
    .stream_version = watched_stream_version,
    .head_position = watched_head_position,
    .begin = watched_begin,
    .commit = watched_commit,
    .rollback = watched_rollback,
    .put_record = store_put_record,
    .get_record = store_get_record,
    .close = store_close,
};

/* Every conformance test opens its own store: a new file each time. */
static int suite_files;

esk_status suite_open_for_the_suite(esk_store **out,
                                    const esk_store_options *options, void *ctx)
{
    (void)ctx;
    char path[64];
    snprintf(path, sizeof(path), "conformance-%d.db", ++suite_files);
    suite_remove_database(path);
    stubs_met_count = 0; /* a new test begins */
    numbers_told = false;

    sqlite_store *s = NULL;
    esk_status rc = store_connect(&s, path, options);
    if (rc != ESK_OK) {
        print_message("the store did not open: %s\n", esk_errmsg());
        return rc;
    }
    /* Not watched: the suite appends thousands of events, far too many to
     * watch go by in a demo. */
    return esk_store_new(out, &watched_backend, s, options);
}

void suite_remove_suite_files(void)
{
    for (int i = 1; i <= suite_files; i++) {
        char path[64];
        snprintf(path, sizeof(path), "conformance-%d.db", i);
        suite_remove_database(path);
    }
}
