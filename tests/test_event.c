/*
 * tests/test_event.c - the envelope's helpers: time, ids, JSON checks,
 * event lists, status names and the allocator hook.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <esk/event.h>
#include <esk/store.h>

static void times_format_as_iso_8601_utc_with_microseconds(void **state)
{
    (void)state;
    char text[ESK_TIME_TEXT_SIZE];
    assert_int_equal(esk_time_format(0, text), ESK_OK);
    assert_string_equal(text, "1970-01-01T00:00:00.000000Z");
    assert_int_equal(esk_time_format(INT64_C(1795770000123456), text), ESK_OK);
    assert_string_equal(text, "2026-11-27T09:00:00.123456Z");
    assert_int_equal(esk_time_format(-1, text), ESK_OK);
    assert_string_equal(text, "1969-12-31T23:59:59.999999Z");
    /* 2024-02-29, a leap day. */
    assert_int_equal(esk_time_format(INT64_C(1709208000000000), text), ESK_OK);
    assert_string_equal(text, "2024-02-29T12:00:00.000000Z");
    assert_int_equal(esk_time_format(0, NULL), ESK_EINVAL);
    assert_int_equal(esk_time_format(INT64_MAX, text), ESK_EINVAL);
}

static void formatted_times_parse_back_to_the_same_instant(void **state)
{
    (void)state;
    const esk_time samples[] = {0,
                                1,
                                -1,
                                INT64_C(951782400000000),
                                INT64_C(1795770000123456),
                                INT64_C(253402300799999999)};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char text[ESK_TIME_TEXT_SIZE];
        esk_time back = 42;
        assert_int_equal(esk_time_format(samples[i], text), ESK_OK);
        assert_int_equal(esk_time_parse(text, &back), ESK_OK);
        assert_int_equal(back, samples[i]);
    }
}

static void shorter_fractions_and_an_explicit_offset_parse(void **state)
{
    (void)state;
    esk_time t = 0;
    assert_int_equal(esk_time_parse("2026-11-27T09:00:00Z", &t), ESK_OK);
    assert_int_equal(t, INT64_C(1795770000000000));
    assert_int_equal(esk_time_parse("2026-11-27T09:00:00.5+00:00", &t), ESK_OK);
    assert_int_equal(t, INT64_C(1795770000500000));
}

static void malformed_times_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "2026-11-27",
                         "2026-11-27 09:00:00Z",
                         "2026-13-01T00:00:00Z",
                         "2026-02-29T00:00:00Z",
                         "2026-04-31T00:00:00Z",
                         "2026-11-27T24:00:00Z",
                         "2026-11-27T09:00:00.Z",
                         "2026-11-27T09:00:00.1234567Z",
                         "2026-11-27T09:00:00+01:00",
                         "2026-11-27T09:00:00Zjunk"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        esk_time t = 7;
        if (esk_time_parse(bad[i], &t) != ESK_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
        assert_int_equal(t, 7);
    }
    assert_int_equal(esk_time_parse(NULL, NULL), ESK_EINVAL);
}

static void the_system_clock_is_close_to_the_c_library_time(void **state)
{
    (void)state;
    esk_time now = esk_clock_system(NULL);
    int64_t secs = (int64_t)time(NULL);
    assert_true(now / 1000000 >= secs - 2 && now / 1000000 <= secs + 2);
}

static void uuids_are_version_4_and_differ(void **state)
{
    (void)state;
    char a[ESK_EVENT_ID_LEN + 1], b[ESK_EVENT_ID_LEN + 1];
    assert_int_equal(esk_uuid_v4(a), ESK_OK);
    assert_int_equal(esk_uuid_v4(b), ESK_OK);
    assert_int_equal(strlen(a), ESK_EVENT_ID_LEN);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
    assert_int_equal(esk_uuid_v4(NULL), ESK_EINVAL);
}

/* The 48-bit Unix millisecond at the front of a UUID v7 text. */
static int64_t uuid_v7_millisecond(const char *id)
{
    char hex[13];
    memcpy(hex, id, 8);
    memcpy(hex + 8, id + 9, 4);
    hex[12] = '\0';
    return (int64_t)strtoll(hex, NULL, 16);
}

static void v7_ids_carry_their_version_variant_and_millisecond(void **state)
{
    (void)state;
    char a[ESK_EVENT_ID_LEN + 1], b[ESK_EVENT_ID_LEN + 1];
    esk_time before = esk_clock_system(NULL);
    assert_int_equal(esk_uuid_v7(a), ESK_OK);
    assert_int_equal(esk_uuid_v7(b), ESK_OK);
    esk_time after = esk_clock_system(NULL);
    assert_int_equal(strlen(a), ESK_EVENT_ID_LEN);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[23], '-');
    assert_int_equal(a[14], '7');
    assert_non_null(strchr("89ab", a[19]));
    /* Between two readings of the clock: the id is made from it. */
    assert_true(uuid_v7_millisecond(a) >= before / 1000);
    assert_true(uuid_v7_millisecond(b) <= after / 1000);
    assert_true(strcmp(a, b) < 0);
    assert_int_equal(esk_uuid_v7(NULL), ESK_EINVAL);
}

static void every_digit_of_a_v7_id_is_lowercase_hex_in_its_place(void **state)
{
    (void)state;
    enum { IDS = 20000 };
    /* seen[c][d]: digit d (0 to 15) came at character c. */
    bool seen[ESK_EVENT_ID_LEN][16] = {{false}};
    for (int n = 0; n < IDS; n++) {
        char id[ESK_EVENT_ID_LEN + 1];
        assert_int_equal(esk_uuid_v7(id), ESK_OK);
        assert_int_equal(strlen(id), ESK_EVENT_ID_LEN);
        for (int c = 0; c < ESK_EVENT_ID_LEN; c++) {
            if (c == 8 || c == 13 || c == 18 || c == 23) {
                assert_int_equal(id[c], '-');
                continue;
            }
            const char *digit = strchr("0123456789abcdef", id[c]);
            if (id[c] == '\0' || digit == NULL)
                fail_msg("character %d of '%s' is not a lowercase hex digit", c,
                         id);
            seen[c][digit - "0123456789abcdef"] = true;
        }
    }
    /* The last 8 digits are random bits: each of the 16 digits must come
     * at each of them, so none is written as another. */
    for (int c = 28; c < ESK_EVENT_ID_LEN; c++)
        for (int d = 0; d < 16; d++)
            if (!seen[c][d])
                fail_msg("digit %x never came at character %d", d, c);
}

/* A fake clock that plays a script: each reading is the next entry. */
typedef struct scripted_clock {
    const esk_time *times;
    size_t count, next;
} scripted_clock;

static esk_time read_scripted_clock(void *ctx)
{
    scripted_clock *clock = ctx;
    esk_time now = clock->times[clock->next % clock->count];
    clock->next++;
    return now;
}

static void
generated_ids_increase_when_the_clock_stands_still_or_steps_back(void **state)
{
    (void)state;
    enum { APPENDS = 1000, BATCH = 100 };
    const esk_time t = INT64_C(1795770000123456);
    /* Stands still for a while, steps back by a second and by a
     * millisecond, moves on, and steps back again. */
    static esk_time script[APPENDS];
    for (size_t i = 0; i < APPENDS; i++)
        script[i] = i < 400   ? t
                    : i < 500 ? t - 1000000
                    : i < 700 ? t - 1000
                    : i < 900 ? t + (esk_time)i * 1000
                              : t;
    scripted_clock clock = {script, APPENDS, 0};
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = read_scripted_clock;
    options.clock_ctx = &clock;
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_memory(&store, &options), ESK_OK);
    esk_new_event batch[BATCH];
    for (int i = 0; i < BATCH; i++)
        batch[i] = (esk_new_event){NULL, "Ticked", 1, "{}", NULL};
    for (int i = 0; i < APPENDS; i++)
        assert_int_equal(
            esk_store_append(store, "clock-1", ESK_ANY, batch, BATCH, NULL),
            ESK_OK);
    esk_event_list read = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(store, "clock-1", 1, 0, &read),
                     ESK_OK);
    assert_int_equal(read.count, APPENDS * BATCH);
    /* Made while the clock stood still at its first reading. */
    assert_int_equal(uuid_v7_millisecond(read.events[0].event_id), t / 1000);
    assert_int_equal(uuid_v7_millisecond(read.events[399 * BATCH].event_id),
                     t / 1000);
    for (size_t i = 1; i < read.count; i++)
        if (strcmp(read.events[i - 1].event_id, read.events[i].event_id) >= 0)
            fail_msg("id %zu '%s' does not follow '%s'", i,
                     read.events[i].event_id, read.events[i - 1].event_id);
    esk_event_list_release(&read);
    esk_store_free(store);
}

enum { THREADS = 4, IDS_PER_THREAD = 250000 };

typedef struct id_maker {
    pthread_t thread;
    atomic_int *arrived;
    char (*ids)[ESK_EVENT_ID_LEN + 1];
    bool ok;
} id_maker;

static void *make_ids(void *arg)
{
    id_maker *maker = arg;
    /* All threads start together, so that they share milliseconds. */
    atomic_fetch_add(maker->arrived, 1);
    while (atomic_load(maker->arrived) < THREADS)
        sched_yield();
    maker->ok = true;
    for (size_t i = 0; i < IDS_PER_THREAD; i++) {
        maker->ok = maker->ok && esk_uuid_v7(maker->ids[i]) == ESK_OK;
        if (i > 0 && strcmp(maker->ids[i - 1], maker->ids[i]) >= 0)
            maker->ok = false;
    }
    return NULL;
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void a_million_ids_from_four_threads_are_all_different(void **state)
{
    (void)state;
    enum { ALL = THREADS * IDS_PER_THREAD };
    char(*ids)[ESK_EVENT_ID_LEN + 1] = malloc(sizeof(*ids) * ALL);
    assert_non_null(ids);
    atomic_int arrived = 0;
    id_maker makers[THREADS];
    for (int t = 0; t < THREADS; t++) {
        makers[t] = (id_maker){.arrived = &arrived,
                               .ids = ids + (size_t)t * IDS_PER_THREAD};
        assert_int_equal(
            pthread_create(&makers[t].thread, NULL, make_ids, &makers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(makers[t].thread, NULL), 0);
        /* Each thread's own ids increase. */
        assert_true(makers[t].ok);
    }
    qsort(ids, ALL, sizeof(*ids), compare_ids);
    for (size_t i = 1; i < ALL; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("two threads both made '%s'", ids[i]);
    free(ids);
}

enum { FORKED_CHILDREN = 4, IDS_PER_PROCESS = 8 };

/* The clock of the stores in the fork test: the same millisecond in every
 * process, so that only the generator's state tells their ids apart. */
static esk_time stopped_clock(void *ctx)
{
    (void)ctx;
    return INT64_C(1795770000123456);
}

/* Appends n events to a store and copies their ids out. */
static bool append_and_copy_ids(esk_store *store, int n,
                                char ids[][ESK_EVENT_ID_LEN])
{
    esk_event_list read = ESK_EVENT_LIST_INIT;
    const esk_new_event event = {NULL, "Ticked", 1, "{}", NULL};
    esk_append_result result;
    bool ok = true;
    for (int i = 0; ok && i < n; i++)
        ok = esk_store_append(store, "clock-1", ESK_ANY, &event, 1, &result) ==
             ESK_OK;
    ok = ok &&
         esk_store_read_stream(store, "clock-1", result.version - n + 1, 0,
                               &read) == ESK_OK &&
         read.count == (size_t)n;
    for (size_t i = 0; ok && i < read.count; i++)
        memcpy(ids[i], read.events[i].event_id, ESK_EVENT_ID_LEN);
    esk_event_list_release(&read);
    return ok;
}

/* A process's ids: from esk_uuid_v4, esk_uuid_v7, a memory store it opens
 * and the memory store its parent opened before fork(), both on a stopped
 * clock, so that only the generator's state tells processes apart. No
 * database is opened, since opening one used to be what reseeded it. */
static bool generate_ids(esk_store *inherited,
                         char ids[IDS_PER_PROCESS][ESK_EVENT_ID_LEN])
{
    enum { QUARTER = IDS_PER_PROCESS / 4 };
    char id[ESK_EVENT_ID_LEN + 1];
    for (int i = 0; i < 2 * QUARTER; i++) {
        if ((i < QUARTER ? esk_uuid_v4(id) : esk_uuid_v7(id)) != ESK_OK)
            return false;
        memcpy(ids[i], id, ESK_EVENT_ID_LEN);
    }
    esk_store *store = NULL;
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = stopped_clock;
    bool ok = esk_store_open_memory(&store, &options) == ESK_OK &&
              append_and_copy_ids(store, QUARTER, ids + 2 * QUARTER) &&
              append_and_copy_ids(inherited, QUARTER, ids + 3 * QUARTER);
    esk_store_free(store);
    return ok;
}

static void forked_processes_generate_different_ids(void **state)
{
    (void)state;
    enum { PROCESSES = FORKED_CHILDREN + 1 };
    char ids[PROCESSES][IDS_PER_PROCESS][ESK_EVENT_ID_LEN];
    char seeded[ESK_EVENT_ID_LEN + 1];
    int fds[2];
    pid_t children[FORKED_CHILDREN];

    /* The parent's generators are in use before it forks: each child
     * starts with a copy of their state. */
    esk_store *inherited = NULL;
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.clock = stopped_clock;
    assert_int_equal(esk_store_open_memory(&inherited, &options), ESK_OK);
    char first[1][ESK_EVENT_ID_LEN];
    assert_true(append_and_copy_ids(inherited, 1, first));
    assert_int_equal(esk_uuid_v4(seeded), ESK_OK);
    assert_int_equal(esk_uuid_v7(seeded), ESK_OK);
    assert_int_equal(pipe(fds), 0);
    for (int c = 0; c < FORKED_CHILDREN; c++) {
        children[c] = fork();
        assert_true(children[c] >= 0);
        if (children[c] == 0) {
            close(fds[0]);
            /* One write of less than PIPE_BUF: the children's ids do not
             * interleave. */
            bool sent = generate_ids(inherited, ids[0]) &&
                        write(fds[1], ids[0], sizeof(ids[0])) ==
                            (ssize_t)sizeof(ids[0]);
            _exit(sent ? 0 : 1);
        }
    }
    close(fds[1]);
    assert_true(generate_ids(inherited, ids[FORKED_CHILDREN]));
    size_t got = 0;
    for (ssize_t n; (n = read(fds[0], (char *)ids + got,
                              sizeof(ids[0]) * FORKED_CHILDREN - got)) > 0;)
        got += (size_t)n;
    close(fds[0]);
    for (int c = 0; c < FORKED_CHILDREN; c++) {
        int status = 0;
        assert_int_equal(waitpid(children[c], &status, 0), children[c]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_int_equal(got, sizeof(ids[0]) * FORKED_CHILDREN);
    esk_store_free(inherited);

    const char *all = (const char *)ids;
    size_t count = (size_t)PROCESSES * IDS_PER_PROCESS;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < i; j++)
            if (memcmp(all + i * ESK_EVENT_ID_LEN, all + j * ESK_EVENT_ID_LEN,
                       ESK_EVENT_ID_LEN) == 0)
                fail_msg("ids %zu and %zu (of processes %zu and %zu) are both "
                         "%.36s",
                         j, i, j / IDS_PER_PROCESS, i / IDS_PER_PROCESS,
                         all + i * ESK_EVENT_ID_LEN);
}

static void valid_json_of_every_kind_passes_the_check(void **state)
{
    (void)state;
    const char *good[] = {"{}",
                          "[]",
                          "0",
                          "-0.5e+10",
                          "1E3",
                          "true",
                          "false",
                          "null",
                          "\"\"",
                          " \t\n{ \"a\" : [ 1 , {\"b\":null} ] }\r\n",
                          "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"",
                          "\"\\ud83c\\udf89\"",
                          "\"caf\xc3\xa9 \xf0\x9f\x8e\x89\""};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (esk_json_validate(good[i]) != ESK_OK)
            fail_msg("'%s' was refused: %s", good[i], esk_errmsg());
    }
}

static void invalid_json_is_refused_with_the_byte_offset(void **state)
{
    (void)state;
    assert_int_equal(esk_json_validate("{\"a\":1,}"), ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "invalid JSON at byte 7: expected a string key");
    assert_int_equal(esk_error_last()->status, ESK_EINVAL);
    const char *bad[] = {"",
                         " ",
                         "{",
                         "[1 2]",
                         "tru",
                         "nul",
                         "+1",
                         "1.",
                         "1e",
                         ".5",
                         "0x10",
                         "\"a",
                         "\"\x01\"",
                         "\"\\x\"",
                         "\"\\u12\"",
                         "\"\xc3\"",
                         "\"\xe0\x80\x80\"",
                         "\"\\udc00\"",
                         "{1:2}",
                         "[]]",
                         "Infinity",
                         "{\"a\" 1}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (esk_json_validate(bad[i]) != ESK_EINVAL)
            fail_msg("'%s' was accepted", bad[i]);
    assert_int_equal(esk_json_validate(NULL), ESK_EINVAL);
}

/* "[[...]]" with depth brackets each side, in a buffer of the caller's. */
static const char *brackets(char *buf, int depth)
{
    memset(buf, '[', (size_t)depth);
    memset(buf + depth, ']', (size_t)depth);
    buf[2 * depth] = '\0';
    return buf;
}

/* The grammar's corners, each side of every rule the check enforces. */
static void the_check_holds_at_the_edges_of_each_rule(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool valid;
    } cases[] = {
        {"-0", true},
        {"-", false},
        {"-01", false},
        {"1.e5", false},
        {"1.5E-07", true},
        {"1e+", false},
        {"[1,]", false},
        {"[,1]", false},
        {"{,}", false},
        {"{\"a\":1,,\"b\":2}", false},
        {"{\"a\"}", false},
        {"{\"a\":}", false},
        {"{\"a\":1 \"b\":2}", false},
        {"{\"a\":1,\"a\":2}",
         true}, /* duplicate keys: jansson keeps the last */
        {"truex", false},
        {"nulll", false},
        {"[true,false,null]", true},
        {"\"\x7f\"", true},
        {"\"\t\"", false},
        {"\"\\u0000\"", true},
        {"\"\\uD83D\\uDE00\"", true},
        {"\"\\ud800\\u0041\"", false},
        {"\"\\ud800\\\"", false},
        {"\"\xc0\x80\"", false},
        {"\"\xed\xa0\x80\"", false}, /* a surrogate in UTF-8 */
        {"\"\xf4\x8f\xbf\xbf\"", true},
        {"\"\xf4\x90\x80\x80\"", false},
        {"\"\xf0\x9f\x8e\"", false},
        {"\"\xe2\x82\xac\"", true},
        {"\"\x80\"", false},
        {"\"\xf5\x80\x80\x80\"", false},
        {"[1]  ", true},
        {"[1] x", false},
        {"[1]\v", false},
        {"\f[1]", false},
        {"{\"a\":[{\"b\":{}}],\"c\":\"d\"}", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        esk_status rc = esk_json_validate(cases[i].text);
        if (rc != (cases[i].valid ? ESK_OK : ESK_EINVAL))
            fail_msg("'%s' was %s", cases[i].text,
                     rc == ESK_OK ? "accepted" : "refused");
        if (rc != ESK_OK &&
            strstr(esk_errmsg(), "invalid JSON at byte") == NULL)
            fail_msg("'%s': the message is '%s'", cases[i].text, esk_errmsg());
    }
    char deep[2 * (ESK_JSON_DEPTH_MAX + 1) + 1];
    assert_int_equal(esk_json_validate(brackets(deep, ESK_JSON_DEPTH_MAX)),
                     ESK_OK);
    assert_int_equal(esk_json_validate(brackets(deep, ESK_JSON_DEPTH_MAX + 1)),
                     ESK_EINVAL);
    assert_string_equal(esk_errmsg(),
                        "invalid JSON at byte 64: nested too deep");
}

static void only_objects_pass_the_object_check(void **state)
{
    (void)state;
    assert_int_equal(esk_json_validate_object(" {\"k\":[]}"), ESK_OK);
    assert_int_equal(esk_json_validate_object("[]"), ESK_EINVAL);
    assert_int_equal(esk_json_validate_object("\"{}\""), ESK_EINVAL);
}

static void a_pushed_event_is_copied_into_the_list(void **state)
{
    (void)state;
    esk_event_list list = ESK_EVENT_LIST_INIT;
    char data[16] = "{\"n\":1}";
    esk_event e = {"id", "s-1", 1, 1, "T", 1, data, "{}", 5, NULL, 0};
    for (int i = 0; i < 1000; i++) {
        e.version = i + 1;
        assert_int_equal(esk_event_list_push(&list, &e), ESK_OK);
    }
    data[5] = '9'; /* the list holds its own copy */
    assert_int_equal(list.count, 1000);
    assert_string_equal(list.events[999].data, "{\"n\":1}");
    assert_int_equal(list.events[999].version, 1000);
    esk_event_list_clear(&list);
    assert_int_equal(list.count, 0);
    e.metadata = NULL;
    assert_int_equal(esk_event_list_push(&list, &e), ESK_EINVAL);
    assert_int_equal(esk_event_list_push(NULL, &e), ESK_EINVAL);
    esk_event_list_release(&list);
}

static void every_status_has_a_name(void **state)
{
    (void)state;
    for (int s = ESK_OK; s >= ESK_ECLOSED; s--)
        assert_string_not_equal(esk_status_str((esk_status)s),
                                "unknown status");
    assert_string_equal(esk_status_str((esk_status)-999), "unknown status");
    assert_string_equal(esk_status_str(ESK_ECONCURRENCY),
                        "stream is not at the expected version");
}

/* An allocator that fails from the k-th allocation on. */
static long allocations_left;
static void *failing_malloc(size_t size)
{
    return allocations_left-- > 0 ? malloc(size) : NULL;
}
static void *failing_realloc(void *ptr, size_t size)
{
    return allocations_left-- > 0 ? realloc(ptr, size) : NULL;
}

static void a_failing_allocator_gives_enomem_not_a_crash(void **state)
{
    (void)state;
    const esk_allocator failing = {failing_malloc, failing_realloc, free};
    assert_int_equal(esk_set_allocator(&failing), ESK_OK);
    esk_status rc = ESK_ENOMEM;
    long k;
    /* Fail the first, second, ... allocation until the whole scenario
     * gets through: every step in between must fail cleanly. */
    for (k = 0; k < 100; k++) {
        allocations_left = k;
        esk_store *store = NULL;
        esk_event_list list = ESK_EVENT_LIST_INIT;
        esk_new_event e = {NULL, "T", 1, "{}", NULL};
        rc = esk_store_open_memory(&store, NULL);
        if (rc == ESK_OK)
            rc = esk_store_append(store, "s-1", ESK_ANY, &e, 1, NULL);
        if (rc == ESK_OK)
            rc = esk_store_read_all(store, 0, 0, NULL, &list);
        if (rc == ESK_OK) {
            assert_int_equal(list.count, 1);
        } else {
            assert_int_equal(rc, ESK_ENOMEM);
            int64_t head = -1;
            if (store != NULL) {
                allocations_left = 1000;
                assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
                assert_true(head == 0 || head == 1);
            }
        }
        esk_event_list_release(&list);
        esk_store_free(store);
        if (rc == ESK_OK)
            break;
    }
    assert_int_equal(rc, ESK_OK);
    assert_true(k > 2);
    assert_int_equal(esk_set_allocator(NULL), ESK_OK);
    const esk_allocator incomplete = {malloc, NULL, free};
    assert_int_equal(esk_set_allocator(&incomplete), ESK_EINVAL);
}

/* An allocator that counts the blocks it holds. */
static long blocks_held;
static long blocks_allocated;
static void *counting_malloc(size_t size)
{
    void *p = malloc(size);
    blocks_held += p != NULL;
    blocks_allocated += p != NULL;
    return p;
}
static void *counting_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size);
    if (p != NULL && ptr == NULL) {
        blocks_held++;
        blocks_allocated++;
    }
    return p;
}
static void counting_free(void *ptr)
{
    blocks_held -= ptr != NULL;
    free(ptr);
}

static void zeroed_memory_comes_from_the_allocator_in_use(void **state)
{
    (void)state;
    const esk_allocator counting = {counting_malloc, counting_realloc,
                                    counting_free};
    blocks_held = blocks_allocated = 0;
    assert_int_equal(esk_set_allocator(&counting), ESK_OK);
    esk_store *store = NULL;
    assert_int_equal(esk_store_open_memory(&store, NULL), ESK_OK);
    /* Enough events to double the id table (zeroed memory) many times. */
    enum { BATCH = 100, APPENDS = 100 };
    esk_new_event batch[BATCH];
    for (int i = 0; i < BATCH; i++)
        batch[i] = (esk_new_event){NULL, "T", 1, "{}", NULL};
    for (int i = 0; i < APPENDS; i++)
        assert_int_equal(
            esk_store_append(store, "s-1", ESK_ANY, batch, BATCH, NULL),
            ESK_OK);
    esk_store_free(store);
    assert_int_equal(esk_set_allocator(NULL), ESK_OK);
    /* Every block freed was one it allocated, and none is left. */
    assert_true(blocks_allocated > 0);
    assert_int_equal(blocks_held, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_format_as_iso_8601_utc_with_microseconds),
        cmocka_unit_test(formatted_times_parse_back_to_the_same_instant),
        cmocka_unit_test(shorter_fractions_and_an_explicit_offset_parse),
        cmocka_unit_test(malformed_times_are_refused),
        cmocka_unit_test(the_system_clock_is_close_to_the_c_library_time),
        cmocka_unit_test(uuids_are_version_4_and_differ),
        cmocka_unit_test(v7_ids_carry_their_version_variant_and_millisecond),
        cmocka_unit_test(every_digit_of_a_v7_id_is_lowercase_hex_in_its_place),
        cmocka_unit_test(
            generated_ids_increase_when_the_clock_stands_still_or_steps_back),
        cmocka_unit_test(a_million_ids_from_four_threads_are_all_different),
        cmocka_unit_test(forked_processes_generate_different_ids),
        cmocka_unit_test(valid_json_of_every_kind_passes_the_check),
        cmocka_unit_test(invalid_json_is_refused_with_the_byte_offset),
        cmocka_unit_test(the_check_holds_at_the_edges_of_each_rule),
        cmocka_unit_test(only_objects_pass_the_object_check),
        cmocka_unit_test(a_pushed_event_is_copied_into_the_list),
        cmocka_unit_test(every_status_has_a_name),
        cmocka_unit_test(a_failing_allocator_gives_enomem_not_a_crash),
        cmocka_unit_test(zeroed_memory_comes_from_the_allocator_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
