/*
 * tests/test_upcast.c - the upcaster registry, on lists built by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate_fixture.h"
#include "esk/upcast.h"

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static void push(esk_event_list *list, int64_t version, const char *type,
                 int schema, const char *data)
{
    esk_event e = {"id", "workshop-1", version, version, type, schema,
                   data, "{}",         0,       NULL,    0};
    assert_int_equal(esk_event_list_push(list, &e), ESK_OK);
}

/* v1 {"name": N} -> v2 {"attendee": N, "seats": 1} */
static esk_status registered_v1_to_v2(json_t *data)
{
    json_t *name = json_object_get(data, "name");
    if (!json_is_string(name)) {
        esk_error_set(ESK_EDECODE, "no \"name\" string");
        return ESK_EDECODE;
    }
    if (json_object_set(data, "attendee", name) != 0 ||
        json_object_del(data, "name") != 0 ||
        json_object_set_new(data, "seats", json_integer(1)) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

/* v2 -> v3: "seats" doubles, and "paid" is added. */
static esk_status registered_v2_to_v3(json_t *data)
{
    json_int_t seats = json_integer_value(json_object_get(data, "seats"));
    if (json_object_set_new(data, "seats", json_integer(seats * 2)) != 0 ||
        json_object_set_new(data, "paid", json_false()) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

static esk_status always_fails(json_t *data)
{
    (void)data;
    esk_error_set(ESK_EINVAL, "the venue is unknown");
    return ESK_EINVAL;
}

static void one_step_turns_v1_data_into_v2(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    push(&list, 1, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_OK);
    assert_int_equal(list.events[0].schema_version, 2);
    assert_string_equal(list.events[0].data,
                        "{\"attendee\":\"Ada\",\"seats\":1}");
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void a_chain_runs_from_v1_through_v2_to_v3(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    /* Registered out of order on purpose: the chain follows versions. */
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 2, registered_v2_to_v3),
        ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    push(&list, 1, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    push(&list, 2, "AttendeeRegistered", 2,
         "{\"attendee\":\"Bob\",\"seats\":2}");
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_OK);
    assert_int_equal(list.events[0].schema_version, 3);
    assert_string_equal(list.events[0].data,
                        "{\"attendee\":\"Ada\",\"seats\":2,\"paid\":false}");
    assert_int_equal(list.events[1].schema_version, 3);
    assert_string_equal(list.events[1].data,
                        "{\"attendee\":\"Bob\",\"seats\":4,\"paid\":false}");
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void an_event_without_a_step_keeps_its_very_data(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    push(&list, 1, "WorkshopScheduled", 1, "{\"title\":\"ES\"}");
    push(&list, 2, "AttendeeRegistered", 2, "not even JSON");
    const char *scheduled = list.events[0].data;
    const char *registered = list.events[1].data;
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_OK);
    assert_ptr_equal(list.events[0].data, scheduled);
    assert_ptr_equal(list.events[1].data, registered);
    assert_int_equal(list.events[1].schema_version, 2);
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void no_registry_or_an_empty_one_leaves_the_list_as_it_is(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    push(&list, 1, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    const char *data = list.events[0].data;
    assert_int_equal(esk_upcasters_apply(NULL, &list), ESK_OK);
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_OK);
    assert_ptr_equal(list.events[0].data, data);
    assert_int_equal(list.events[0].schema_version, 1);
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void the_same_step_twice_is_refused(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v2_to_v3),
        ESK_EEXISTS);
    assert_int_equal(
        esk_upcasters_add(u, "WorkshopScheduled", 1, registered_v1_to_v2),
        ESK_OK);
    esk_upcasters_free(u);
}

static void
a_failing_step_is_a_decode_error_that_names_the_event_and_step(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 2, always_fails), ESK_OK);
    push(&list, 7, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_EDECODE);
    assert_string_equal(esk_errmsg(),
                        "event 7 of stream 'workshop-1' (AttendeeRegistered "
                        "v1): upcaster v2 -> v3 failed: the venue is unknown");
    assert_int_equal(list.events[0].schema_version, 1);
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void data_that_is_not_an_object_is_a_decode_error(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    push(&list, 1, "AttendeeRegistered", 1, "{\"name\":\"Ada\"}");
    push(&list, 2, "AttendeeRegistered", 1, "[\"Ada\"]");
    assert_int_equal(esk_upcasters_apply(u, &list), ESK_EDECODE);
    assert_contains(esk_errmsg(), "event 2 of stream 'workshop-1'");
    assert_contains(esk_errmsg(), "is an array, not a JSON object");
    /* The events before it stay upcast. */
    assert_int_equal(list.events[0].schema_version, 2);
    assert_int_equal(list.events[1].schema_version, 1);
    esk_event_list_release(&list);
    esk_upcasters_free(u);
}

static void the_target_version_follows_the_chain(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 1, registered_v1_to_v2),
        ESK_OK);
    assert_int_equal(
        esk_upcasters_add(u, "AttendeeRegistered", 2, registered_v2_to_v3),
        ESK_OK);
    assert_int_equal(esk_upcasters_target(u, "AttendeeRegistered", 1), 3);
    assert_int_equal(esk_upcasters_target(u, "AttendeeRegistered", 2), 3);
    assert_int_equal(esk_upcasters_target(u, "AttendeeRegistered", 3), 3);
    assert_int_equal(esk_upcasters_target(u, "WorkshopScheduled", 1), 1);
    assert_int_equal(esk_upcasters_target(NULL, "AttendeeRegistered", 1), 1);
    assert_int_equal(esk_upcasters_target(u, NULL, 1), 1);
    esk_upcasters_free(u);
}

static void null_and_invalid_arguments_are_refused(void **state)
{
    (void)state;
    esk_upcasters *u = NULL;
    assert_int_equal(esk_upcasters_new(NULL), ESK_EINVAL);
    assert_int_equal(esk_upcasters_new(&u), ESK_OK);
    assert_int_equal(esk_upcasters_add(NULL, "A", 1, always_fails), ESK_EINVAL);
    assert_int_equal(esk_upcasters_add(u, NULL, 1, always_fails), ESK_EINVAL);
    assert_int_equal(esk_upcasters_add(u, "", 1, always_fails), ESK_EINVAL);
    assert_int_equal(esk_upcasters_add(u, "A", 0, always_fails), ESK_EINVAL);
    assert_int_equal(esk_upcasters_add(u, "A", 1, NULL), ESK_EINVAL);
    assert_int_equal(esk_upcasters_apply(u, NULL), ESK_EINVAL);
    assert_contains(esk_errmsg(), "list is NULL");
    esk_upcasters_free(u);
    esk_upcasters_free(NULL);
}

int main(void)
{
    use_checked_allocator();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_step_turns_v1_data_into_v2),
        cmocka_unit_test(a_chain_runs_from_v1_through_v2_to_v3),
        cmocka_unit_test(an_event_without_a_step_keeps_its_very_data),
        cmocka_unit_test(no_registry_or_an_empty_one_leaves_the_list_as_it_is),
        cmocka_unit_test(the_same_step_twice_is_refused),
        cmocka_unit_test(
            a_failing_step_is_a_decode_error_that_names_the_event_and_step),
        cmocka_unit_test(data_that_is_not_an_object_is_a_decode_error),
        cmocka_unit_test(the_target_version_follows_the_chain),
        cmocka_unit_test(null_and_invalid_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
