/*
 * tests/test_error.c - the error convention: every failing call leaves its
 * message in the calling thread's last error, and a failure passed on
 * from a callback or an inner call keeps its cause.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "error_cleanups.h"
#include "esk/command_bus.h"
#include "esk/error.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static esk_status keep_data(json_t *data)
{
    (void)data;
    return ESK_OK;
}

static esk_status count_event(void *ctx, esk_store *store,
                              const esk_event *event)
{
    (void)ctx;
    (void)store;
    (void)event;
    return ESK_OK;
}

static esk_status react_to_nothing(void *ctx, esk_process_context *pc,
                                   const esk_event *event)
{
    (void)ctx;
    (void)pc;
    (void)event;
    return ESK_OK;
}

static void bus_new_without_a_store_says_so(void **unused)
{
    (void)unused;
    esk_bus *bus = NULL;
    esk_error_clear();

    assert_int_equal(esk_bus_new(&bus, NULL), ESK_EINVAL);

    assert_null(bus);
    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    assert_contains(esk_errmsg(), "store");
}

static void adding_an_upcaster_twice_says_which_step(void **unused)
{
    (void)unused;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(esk_upcasters_add(upcasters, "SeatsAdded", 1, keep_data),
                     ESK_OK);

    assert_int_equal(esk_upcasters_add(upcasters, "SeatsAdded", 1, keep_data),
                     ESK_EEXISTS);

    assert_int_equal(esk_error_last()->status, ESK_EEXISTS);
    assert_contains(esk_errmsg(), "SeatsAdded");
    esk_upcasters_free(upcasters);
}

static void catchup_with_a_zero_batch_size_says_so(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    esk_projection projection = {
        .name = "seats", .version = 1, .handle = count_event};
    esk_catchup_options options = ESK_CATCHUP_OPTIONS_INIT;
    options.batch_size = 0;
    esk_catchup *catchup = NULL;

    assert_int_equal(esk_catchup_new(&catchup, store, &projection, &options),
                     ESK_EINVAL);

    assert_null(catchup);
    assert_contains(esk_errmsg(), "batch_size");
    esk_store_free(store);
}

static void process_runner_without_a_bus_says_so(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    esk_process process = {.name = "reminders", .react = react_to_nothing};
    esk_process_runner *runner = NULL;
    esk_error_clear();

    assert_int_equal(esk_process_runner_new(&runner, store, NULL, &process),
                     ESK_EINVAL);

    assert_null(runner);
    assert_contains(esk_errmsg(), "bus");
    esk_store_free(store);
}

enum { WORKSHOP_FULL = 42 };

static esk_status refuse_as_full(esk_context *context,
                                 const esk_command *command, void *data)
{
    (void)context;
    (void)command;
    (void)data;
    return esk_domain_error(WORKSHOP_FULL, "workshop 'w-1' is full");
}

static void a_handlers_domain_code_reaches_the_caller(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_bus_register(bus, "Register", refuse_as_full, NULL),
                     ESK_OK);
    esk_command command = {.type = "Register", .id = "c-1"};

    assert_int_equal(esk_bus_dispatch(bus, &command, NULL), ESK_EDOMAIN);

    assert_int_equal(esk_error_last()->status, ESK_EDOMAIN);
    assert_int_equal(esk_error_last()->code, WORKSHOP_FULL);
    assert_contains(esk_errmsg(), "workshop 'w-1' is full");
    esk_bus_free(bus);
    esk_store_free(store);
}

static esk_status add_a_step_twice(esk_context *context,
                                   const esk_command *command, void *data)
{
    (void)context;
    (void)command;
    esk_upcasters *upcasters = data;
    esk_status rc = esk_upcasters_add(upcasters, "SeatsAdded", 1, keep_data);
    if (rc != ESK_OK)
        return rc;
    return esk_upcasters_add(upcasters, "SeatsAdded", 1, keep_data);
}

static void a_handler_failing_in_an_inner_call_says_where_and_why(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(
        esk_bus_register(bus, "Migrate", add_a_step_twice, upcasters), ESK_OK);
    esk_command command = {.type = "Migrate", .id = "c-1"};

    assert_int_equal(esk_bus_dispatch(bus, &command, NULL), ESK_EEXISTS);

    const char *message = esk_errmsg();
    assert_contains(message, "'Migrate'");
    /* The bus's words first, then the inner call's. */
    const char *inner = strstr(message, ": ");
    assert_non_null(inner);
    assert_contains(inner, "SeatsAdded");
    esk_upcasters_free(upcasters);
    esk_bus_free(bus);
    esk_store_free(store);
}

static void freeing_after_a_failure_keeps_its_message(void **unused)
{
    (void)unused;
    esk_store *store = NULL;
    esk_bus *bus = NULL;
    esk_upcasters *upcasters = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_upcasters_new(&upcasters), ESK_OK);
    assert_int_equal(esk_bus_new(NULL, store), ESK_EINVAL);
    char before[ESK_ERROR_MESSAGE_MAX];
    strcpy(before, esk_errmsg());

    esk_upcasters_free(upcasters);
    esk_bus_free(bus);
    esk_store_free(store);

    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    assert_string_not_equal(before, "");
    assert_string_equal(esk_errmsg(), before);
}

static void *fail_in_a_thread(void *arg)
{
    (void)arg;
    esk_bus *bus = NULL;
    esk_bus_new(&bus, NULL);
    return NULL;
}

static void each_thread_keeps_its_own_last_error(void **unused)
{
    (void)unused;
    esk_error_set(ESK_ENOTFOUND, "main thread's own failure");
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, fail_in_a_thread, NULL), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);

    assert_int_equal(esk_error_last()->status, ESK_ENOTFOUND);
    assert_string_equal(esk_errmsg(), "main thread's own failure");
    esk_error_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bus_new_without_a_store_says_so),
        cmocka_unit_test(adding_an_upcaster_twice_says_which_step),
        cmocka_unit_test(catchup_with_a_zero_batch_size_says_so),
        cmocka_unit_test(process_runner_without_a_bus_says_so),
        cmocka_unit_test(a_handlers_domain_code_reaches_the_caller),
        cmocka_unit_test(a_handler_failing_in_an_inner_call_says_where_and_why),
        cmocka_unit_test(freeing_after_a_failure_keeps_its_message),
        cmocka_unit_test(each_thread_keeps_its_own_last_error),
        cmocka_unit_test(a_backend_of_ones_own_gives_its_extended_code),
        cmocka_unit_test(an_append_whose_undo_fails_too_keeps_its_own_failure),
        cmocka_unit_test(
            a_nested_commit_whose_undo_fails_too_keeps_its_own_failure),
        cmocka_unit_test(
            a_lost_transaction_is_blamed_on_the_failure_that_ended_it),
        cmocka_unit_test(
            a_lone_append_that_ends_its_transaction_reports_its_cause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
