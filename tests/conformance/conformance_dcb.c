/*
 * tests/conformance/conformance_dcb.c - the rules of tags, query reads and
 * append conditions (esk/store.h, "Tags, queries and append conditions"),
 * run against a backend that keeps tags.
 *
 * The story: a workshop registration, decided on the events tagged with
 * the workshop and with the attendee, whatever their streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <esk/store.h>

#include "conformance.h"

static const esk_conformance_backend *backend;

typedef struct fixture {
    esk_store *store;
    esk_event_list list;
} fixture;

static void open_fixture(fixture *f)
{
    f->list = (esk_event_list)ESK_EVENT_LIST_INIT;
    f->store = NULL;
    assert_int_equal(backend->open(&f->store, NULL, backend->ctx), ESK_OK);
}

static void close_fixture(fixture *f)
{
    esk_event_list_release(&f->list);
    esk_store_free(f->store);
}

static void assert_message_contains(const char *part)
{
    const char *msg = esk_errmsg();
    if (strstr(msg, part) == NULL)
        fail_msg("store message \"%s\" does not contain \"%s\"", msg, part);
}

static int64_t head_of(fixture *f)
{
    int64_t p = -99;
    assert_int_equal(esk_store_head_position(f->store, &p), ESK_OK);
    return p;
}

/* Append one event of this type with tags (a NULL-ended list). */
static esk_status tagged(fixture *f, const char *stream, const char *type,
                         const char *const *tags,
                         const esk_append_condition *condition)
{
    size_t n = 0;
    while (tags != NULL && tags[n] != NULL)
        n++;
    esk_new_event e = {NULL, type, 1, "{}", NULL};
    esk_tags t = {tags, n};
    return esk_store_append_if(f->store, stream, ESK_ANY, &e, &t, 1, condition,
                               NULL);
}

static const char *const BOB_W1[] = {"attendee:bob", "workshop:w-1", NULL};
static const char *const BOB[] = {"attendee:bob", NULL};
static const char *const W1[] = {"workshop:w-1", NULL};
static const char *const W2[] = {"workshop:w-2", NULL};
static const char *const NONE[] = {NULL};

/* Positions 1..4: Registered [bob, w-1], Scheduled [w-1], Registered
 * [w-2], Scheduled [] (each in its own stream). */
static void four_events(fixture *f)
{
    assert_int_equal(tagged(f, "reg-1", "Registered", BOB_W1, NULL), ESK_OK);
    assert_int_equal(tagged(f, "workshop-1", "Scheduled", W1, NULL), ESK_OK);
    assert_int_equal(tagged(f, "reg-2", "Registered", W2, NULL), ESK_OK);
    assert_int_equal(tagged(f, "workshop-3", "Scheduled", NONE, NULL), ESK_OK);
}

/* Read a one-item query and compare the positions read with `want` (a
 * 0-ended list). */
static void assert_reads(fixture *f, const esk_query *q, int64_t after,
                         const int64_t *want)
{
    assert_int_equal(
        esk_store_read_query(f->store, q, after, 0, &f->list, NULL), ESK_OK);
    size_t n = 0;
    while (want[n] != 0)
        n++;
    if (f->list.count != n)
        fail_msg("the query read %zu events, %zu expected", f->list.count, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(f->list.events[i].position, want[i]);
}

static void tagged_events_read_back_with_their_tags_in_order(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *const three[] = {"z", "attendee:bob", "a", NULL};
    assert_int_equal(tagged(&f, "reg-1", "Registered", three, NULL), ESK_OK);
    assert_int_equal(tagged(&f, "reg-1", "Paid", NONE, NULL), ESK_OK);
    assert_int_equal(esk_store_read_stream(f.store, "reg-1", 1, 0, &f.list),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(f.list.events[0].tag_count, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(f.list.events[0].tags[i], three[i]);
    assert_int_equal(f.list.events[1].tag_count, 0);
    assert_null(f.list.events[1].tags);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_string_equal(f.list.events[0].tags[2], "a");
    close_fixture(&f);
}

static void an_item_matches_its_types_and_all_its_tags(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const registered[] = {"Registered"};
    const char *const both[] = {"attendee:bob", "workshop:w-1"};
    esk_query_item item = {registered, 1, both + 1, 1};
    esk_query q = {&item, 1};
    assert_reads(&f, &q, 0, (const int64_t[]){1, 0});
    item = (esk_query_item){NULL, 0, both + 1, 1}; /* any type */
    assert_reads(&f, &q, 0, (const int64_t[]){1, 2, 0});
    item = (esk_query_item){registered, 1, NULL, 0}; /* any tags */
    assert_reads(&f, &q, 0, (const int64_t[]){1, 3, 0});
    item = (esk_query_item){NULL, 0, both, 2}; /* every tag */
    assert_reads(&f, &q, 0, (const int64_t[]){1, 0});
    const char *const bob_w2[] = {"attendee:bob", "workshop:w-2"};
    item = (esk_query_item){NULL, 0, bob_w2, 2};
    assert_reads(&f, &q, 0, (const int64_t[]){0});
    const char *const unknown[] = {"workshop:w-9"};
    item = (esk_query_item){NULL, 0, unknown, 1};
    assert_reads(&f, &q, 0, (const int64_t[]){0});
    close_fixture(&f);
}

static void a_query_reads_each_event_matching_any_item_once(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const scheduled[] = {"Scheduled"};
    const char *const w1[] = {"workshop:w-1"};
    const char *const w2[] = {"workshop:w-2"};
    const esk_query_item items[] = {
        {NULL, 0, w2, 1}, {scheduled, 1, NULL, 0}, {NULL, 0, w1, 1}};
    esk_query q = {items, 3};
    assert_reads(&f, &q, 0, (const int64_t[]){1, 2, 3, 4, 0});
    /* An item with neither types nor tags matches every event. */
    const esk_query_item everything = {NULL, 0, NULL, 0};
    q = (esk_query){&everything, 1};
    assert_reads(&f, &q, 2, (const int64_t[]){3, 4, 0});
    close_fixture(&f);
}

static void a_batch_of_mixed_types_reads_back_by_type(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    /* Runs of one type, by the same pointer and by equal texts. */
    char registered_copy[] = "Registered";
    const esk_new_event batch[] = {
        {NULL, "Registered", 1, "{}", NULL},
        {NULL, registered_copy, 1, "{}", NULL},
        {NULL, "Scheduled", 1, "{}", NULL},
        {NULL, "Registered", 1, "{}", NULL},
        {NULL, "Scheduled", 1, "{}", NULL},
        {NULL, "Scheduled", 1, "{}", NULL},
    };
    assert_int_equal(
        esk_store_append(f.store, "mixed", ESK_ANY, batch, 6, NULL), ESK_OK);
    assert_int_equal(
        esk_store_append(f.store, "mixed", ESK_ANY, batch + 2, 2, NULL),
        ESK_OK);
    const char *const registered[] = {"Registered"};
    const char *const scheduled[] = {"Scheduled"};
    esk_query_item item = {registered, 1, NULL, 0};
    esk_query q = {&item, 1};
    assert_reads(&f, &q, 0, (const int64_t[]){1, 2, 4, 8, 0});
    item = (esk_query_item){scheduled, 1, NULL, 0};
    assert_reads(&f, &q, 0, (const int64_t[]){3, 5, 6, 7, 0});
    close_fixture(&f);
}

static void a_query_read_says_the_position_it_read_up_to(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const w1[] = {"workshop:w-1"};
    esk_query_item item = {NULL, 0, w1, 1};
    esk_query q = {&item, 1};
    int64_t up_to = -1;
    /* All of it: the head, though the last match is at 2. */
    assert_int_equal(esk_store_read_query(f.store, &q, 0, 0, &f.list, &up_to),
                     ESK_OK);
    assert_int_equal(f.list.count, 2);
    assert_int_equal(up_to, 4);
    /* Cut short by max_count: the last event read. */
    assert_int_equal(esk_store_read_query(f.store, &q, 0, 1, &f.list, &up_to),
                     ESK_OK);
    assert_int_equal(f.list.count, 1);
    assert_int_equal(up_to, 1);
    /* After the last match: nothing, up to the head. */
    assert_int_equal(esk_store_read_query(f.store, &q, 2, 0, &f.list, &up_to),
                     ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(up_to, 4);
    /* Past the head: nothing, up to where it was asked to start. */
    assert_int_equal(esk_store_read_query(f.store, &q, 9, 0, &f.list, &up_to),
                     ESK_OK);
    assert_int_equal(f.list.count, 0);
    assert_int_equal(up_to, 9);
    close_fixture(&f);
}

static void a_condition_refuses_an_append_after_a_matching_event(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const bob[] = {"attendee:bob"};
    const esk_query_item item = {NULL, 0, bob, 1};
    const esk_append_condition stale = {{&item, 1}, 0};
    assert_int_equal(tagged(&f, "reg-9", "Registered", BOB, &stale),
                     ESK_ECONCURRENCY);
    /* The first conflicting event: position, type, tags. */
    assert_message_contains("event 1 ");
    assert_message_contains("'Registered'");
    assert_message_contains("'attendee:bob', 'workshop:w-1'");
    assert_message_contains("after position 0");
    assert_int_equal(head_of(&f), 4);
    int64_t version = -1;
    assert_int_equal(esk_store_stream_version(f.store, "reg-9", &version),
                     ESK_OK);
    assert_int_equal(version, 0);
    close_fixture(&f);
}

static void a_condition_passes_when_nothing_matching_came_after(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const bob[] = {"attendee:bob"};
    const char *const paid[] = {"Paid"};
    const esk_query_item item = {NULL, 0, bob, 1};
    /* The matching event is at 1: a position at or after it passes. */
    esk_append_condition c = {{&item, 1}, 1};
    assert_int_equal(tagged(&f, "reg-9", "Registered", BOB, &c), ESK_OK);
    /* Events after the position that match no item do not count. */
    const esk_query_item other = {paid, 1, bob, 1};
    c = (esk_append_condition){{&other, 1}, 0};
    assert_int_equal(tagged(&f, "reg-9", "Registered", BOB, &c), ESK_OK);
    assert_int_equal(head_of(&f), 6);
    close_fixture(&f);
}

static void two_deciders_on_one_position_cannot_both_append(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    four_events(&f);
    const char *const w1[] = {"workshop:w-1"};
    const esk_query_item item = {NULL, 0, w1, 1};
    esk_query q = {&item, 1};
    int64_t seen = 0;
    assert_int_equal(esk_store_read_query(f.store, &q, 0, 0, &f.list, &seen),
                     ESK_OK);
    const esk_append_condition c = {q, seen};
    assert_int_equal(tagged(&f, "reg-5", "Registered", W1, &c), ESK_OK);
    assert_int_equal(tagged(&f, "reg-6", "Registered", W1, &c),
                     ESK_ECONCURRENCY);
    assert_message_contains("event 5 ");
    assert_int_equal(head_of(&f), 5);
    close_fixture(&f);
}

static void bad_tags_are_refused_and_nothing_is_written(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    char long_tag[ESK_TAG_MAX + 2];
    memset(long_tag, 't', sizeof long_tag - 1);
    long_tag[sizeof long_tag - 1] = '\0';
    const char *const empty[] = {"", NULL};
    const char *const too_long[] = {long_tag, NULL};
    const char *const not_utf8[] = {"caf\xC3", NULL};
    const char *const twice[] = {"a", "b", "a", NULL};
    const char *const *bad[] = {empty, too_long, not_utf8, twice};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tagged(&f, "s-1", "T", bad[i], NULL), ESK_EINVAL);
    assert_message_contains("'a' twice");
    esk_new_event e = {NULL, "T", 1, "{}", NULL};
    const esk_tags null_list = {NULL, 1};
    assert_int_equal(esk_store_append_if(f.store, "s-1", ESK_ANY, &e,
                                         &null_list, 1, NULL, NULL),
                     ESK_EINVAL);
    const char *const null_tag[] = {NULL};
    const esk_tags with_null = {null_tag, 1};
    assert_int_equal(esk_store_append_if(f.store, "s-1", ESK_ANY, &e,
                                         &with_null, 1, NULL, NULL),
                     ESK_EINVAL);
    assert_int_equal(head_of(&f), 0);
    /* The longest tag is fine. */
    long_tag[ESK_TAG_MAX] = '\0';
    assert_int_equal(tagged(&f, "s-1", "T", too_long, NULL), ESK_OK);
    assert_int_equal(esk_store_read_all(f.store, 0, 0, NULL, &f.list), ESK_OK);
    assert_string_equal(f.list.events[0].tags[0], long_tag);
    close_fixture(&f);
}

static void malformed_queries_and_conditions_are_refused(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *const null_type[] = {NULL};
    const char *const empty_tag[] = {""};
    const esk_query_item bad_items[] = {
        {null_type, 1, NULL, 0},
        {NULL, 0, empty_tag, 1},
        {NULL, 2, NULL, 0},
        {NULL, 0, NULL, 3},
    };
    for (size_t i = 0; i < sizeof bad_items / sizeof bad_items[0]; i++) {
        esk_query q = {&bad_items[i], 1};
        assert_int_equal(esk_store_read_query(f.store, &q, 0, 0, &f.list, NULL),
                         ESK_EINVAL);
        const esk_append_condition c = {q, 0};
        assert_int_equal(tagged(&f, "s-1", "T", NONE, &c), ESK_EINVAL);
        assert_message_contains("query item 0");
    }
    const esk_query_item fine = {NULL, 0, NULL, 0};
    esk_query no_items = {&fine, 0};
    assert_int_equal(
        esk_store_read_query(f.store, &no_items, 0, 0, &f.list, NULL),
        ESK_EINVAL);
    assert_int_equal(esk_store_read_query(f.store, NULL, 0, 0, &f.list, NULL),
                     ESK_EINVAL);
    esk_query q = {&fine, 1};
    assert_int_equal(esk_store_read_query(f.store, &q, -1, 0, &f.list, NULL),
                     ESK_EINVAL);
    assert_int_equal(esk_store_read_query(f.store, &q, 0, 0, NULL, NULL),
                     ESK_EINVAL);
    const esk_append_condition before_start = {q, -1};
    assert_int_equal(tagged(&f, "s-1", "T", NONE, &before_start), ESK_EINVAL);
    assert_int_equal(head_of(&f), 0);
    close_fixture(&f);
}

static void a_retry_must_send_the_same_tags(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *const w1[] = {"workshop:w-1"};
    const esk_query_item item = {NULL, 0, w1, 1};
    const esk_append_condition c = {{&item, 1}, 0};
    esk_new_event e = {"reg-bob", "Registered", 1, "{}", NULL};
    esk_tags tags = {BOB_W1, 2};
    esk_append_result first = {0, 0};
    assert_int_equal(esk_store_append_if(f.store, "reg-1", ESK_NO_STREAM, &e,
                                         &tags, 1, &c, &first),
                     ESK_OK);
    /* The same append again: a retry, though its own event now fails
     * the condition. */
    esk_append_result again = {0, 0};
    assert_int_equal(esk_store_append_if(f.store, "reg-1", ESK_NO_STREAM, &e,
                                         &tags, 1, &c, &again),
                     ESK_OK);
    assert_int_equal(again.position, first.position);
    /* Other tags, fewer tags, or the same in another order: refused. */
    const char *const swapped[] = {"workshop:w-1", "attendee:bob"};
    const esk_tags others[] = {{W2, 1}, {BOB, 1}, {swapped, 2}};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        assert_int_equal(esk_store_append_if(f.store, "reg-1", ESK_NO_STREAM,
                                             &e, &others[i], 1, NULL, NULL),
                         ESK_EDUPLICATE);
        assert_message_contains("with other tags");
    }
    assert_int_equal(
        esk_store_append(f.store, "reg-1", ESK_NO_STREAM, &e, 1, NULL),
        ESK_EDUPLICATE);
    assert_message_contains("sent no tags");
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

static void a_rolled_back_tagged_append_leaves_no_match(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    assert_int_equal(tagged(&f, "reg-1", "Registered", BOB, NULL), ESK_OK);
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(tagged(&f, "reg-2", "Registered", BOB_W1, NULL), ESK_OK);
    assert_int_equal(esk_store_rollback(f.store), ESK_OK);
    const char *const bob[] = {"attendee:bob"};
    const char *const registered[] = {"Registered"};
    const esk_query_item items[] = {{NULL, 0, bob, 1},
                                    {registered, 1, NULL, 0}};
    esk_query q = {items, 2};
    assert_reads(&f, &q, 0, (const int64_t[]){1, 0});
    /* The next append takes position 2, and is found there. */
    assert_int_equal(tagged(&f, "reg-3", "Registered", BOB, NULL), ESK_OK);
    assert_reads(&f, &q, 0, (const int64_t[]){1, 2, 0});
    close_fixture(&f);
}

static void
a_condition_sees_the_callers_transaction_and_fails_alone(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    const char *const bob[] = {"attendee:bob"};
    const esk_query_item item = {NULL, 0, bob, 1};
    const esk_append_condition c = {{&item, 1}, 0};
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(tagged(&f, "reg-1", "Registered", BOB, &c), ESK_OK);
    /* The transaction's own event counts: the second one conflicts, and
     * only it is undone. */
    assert_int_equal(tagged(&f, "reg-2", "Registered", BOB, &c),
                     ESK_ECONCURRENCY);
    assert_int_equal(esk_store_transaction_depth(f.store), 1);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(head_of(&f), 1);
    close_fixture(&f);
}

typedef struct seen_tags {
    size_t calls;
    size_t tag_count;
    char first[32];
} seen_tags;

static void note_tags(seen_tags *seen, const esk_event *events, size_t n)
{
    seen->calls++;
    seen->tag_count = n > 0 ? events[0].tag_count : 0;
    if (seen->tag_count > 0)
        snprintf(seen->first, sizeof seen->first, "%s", events[0].tags[0]);
}

static void subscriber(void *ctx, const esk_event *events, size_t n)
{
    note_tags(ctx, events, n);
}

static esk_status inline_handler(void *ctx, esk_store *store,
                                 const esk_event *events, size_t n)
{
    (void)store;
    note_tags(ctx, events, n);
    return ESK_OK;
}

static void subscribers_and_inline_handlers_see_the_tags(void **state)
{
    (void)state;
    fixture f;
    open_fixture(&f);
    seen_tags by_subscriber = {0, 0, ""};
    seen_tags by_handler = {0, 0, ""};
    assert_int_equal(esk_store_subscribe(f.store, subscriber, &by_subscriber),
                     ESK_OK);
    assert_int_equal(esk_store_add_inline(f.store, inline_handler, &by_handler),
                     ESK_OK);
    /* Inside a transaction, the subscriber hears of it from a copy. */
    assert_int_equal(esk_store_begin(f.store), ESK_OK);
    assert_int_equal(tagged(&f, "reg-1", "Registered", BOB_W1, NULL), ESK_OK);
    assert_int_equal(esk_store_commit(f.store), ESK_OK);
    assert_int_equal(by_handler.calls, 1);
    assert_int_equal(by_handler.tag_count, 2);
    assert_string_equal(by_handler.first, "attendee:bob");
    assert_int_equal(by_subscriber.calls, 1);
    assert_int_equal(by_subscriber.tag_count, 2);
    assert_string_equal(by_subscriber.first, "attendee:bob");
    close_fixture(&f);
}

int esk_conformance_run_tags(const esk_conformance_backend *b)
{
    backend = b;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tagged_events_read_back_with_their_tags_in_order),
        cmocka_unit_test(an_item_matches_its_types_and_all_its_tags),
        cmocka_unit_test(a_query_reads_each_event_matching_any_item_once),
        cmocka_unit_test(a_batch_of_mixed_types_reads_back_by_type),
        cmocka_unit_test(a_query_read_says_the_position_it_read_up_to),
        cmocka_unit_test(a_condition_refuses_an_append_after_a_matching_event),
        cmocka_unit_test(a_condition_passes_when_nothing_matching_came_after),
        cmocka_unit_test(two_deciders_on_one_position_cannot_both_append),
        cmocka_unit_test(bad_tags_are_refused_and_nothing_is_written),
        cmocka_unit_test(malformed_queries_and_conditions_are_refused),
        cmocka_unit_test(a_retry_must_send_the_same_tags),
        cmocka_unit_test(a_rolled_back_tagged_append_leaves_no_match),
        cmocka_unit_test(
            a_condition_sees_the_callers_transaction_and_fails_alone),
        cmocka_unit_test(subscribers_and_inline_handlers_see_the_tags),
    };
    char name[128];
    snprintf(name, sizeof name, "%s: tags", backend->name);
    return _cmocka_run_group_tests(
        name, tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}
