/*
 * fuzz/fuzz_upcast.c - upcaster chains on any data and schema version.
 *
 * The input builds a registry (the chain Person v1 -> v2 -> v3 -> v4 that
 * renames a key, splits a string and adds a default, plus steps of its
 * own choice at any version, extremes included) and a list of events of
 * any type, schema version and data. What must hold:
 *   - esk_upcasters_add() answers as its documentation says (ESK_EINVAL,
 *     ESK_EEXISTS, ESK_OK);
 *   - esk_upcasters_apply() on one event never crashes, and either gives
 *     a JSON object at version esk_upcasters_target(), equal to what the
 *     steps make of the data when run by hand, or fails with ESK_EDECODE
 *     (data that is not a JSON object, a step that refused); an event
 *     with no step keeps its data pointer and version;
 *   - on the whole list it stops at the first failing event, which the
 *     events before keep upcast;
 *   - when one allocation fails, in jansson or in a step, it gives
 *     ESK_ENOMEM, never data that jansson wrote on with after the failure;
 *   - nothing leaks.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <esk/upcast.h>

#include "fuzz.h"

/* ---- The steps ---------------------------------------------------------- */

static esk_status no_memory(void)
{
    esk_error_set(ESK_ENOMEM, "out of memory");
    return ESK_ENOMEM;
}

/* "name" becomes "fullName". */
static esk_status rename_name(json_t *data)
{
    json_t *name = json_object_get(data, "name");
    if (name == NULL)
        return ESK_OK;
    if (json_object_set(data, "fullName", name) != 0)
        return no_memory();
    json_object_del(data, "name");
    return ESK_OK;
}

/* "fullName": "Ada King" becomes "first": "Ada", "last": "King". */
static esk_status split_full_name(json_t *data)
{
    json_t *full = json_object_get(data, "fullName");
    if (full == NULL)
        return ESK_OK;
    if (!json_is_string(full)) {
        esk_error_set(ESK_EINVAL, "fullName is not a string");
        return ESK_EINVAL;
    }
    const char *text = json_string_value(full);
    size_t len = json_string_length(full);
    const char *space = memchr(text, ' ', len);
    size_t first_len = space != NULL ? (size_t)(space - text) : len;
    size_t last_start = space != NULL ? first_len + 1 : len;
    /* Cut at an ASCII space, both halves are still UTF-8: NULL is only
     * jansson out of memory. */
    json_t *first = json_stringn(text, first_len);
    json_t *last = json_stringn(text + last_start, len - last_start);
    if (json_object_set_new(data, "first", first) != 0) {
        json_decref(last);
        return no_memory();
    }
    if (json_object_set_new(data, "last", last) != 0)
        return no_memory();
    json_object_del(data, "fullName");
    return ESK_OK;
}

/* "email" is "" when absent. */
static esk_status add_email(json_t *data)
{
    if (json_object_get(data, "email") != NULL)
        return ESK_OK;
    if (json_object_set_new(data, "email", json_string("")) != 0)
        return no_memory();
    return ESK_OK;
}

/* A step that always refuses, with and without a message. */
static esk_status refuse(json_t *data)
{
    (void)data;
    esk_error_set(ESK_EDOMAIN, "this version is retired");
    return ESK_EDOMAIN;
}

static esk_status refuse_silently(json_t *data)
{
    (void)data;
    return ESK_ECALLBACK;
}

static const esk_upcast_fn step_fns[] = {rename_name, split_full_name,
                                         add_email, refuse, refuse_silently};
enum { STEP_FN_COUNT = sizeof(step_fns) / sizeof(step_fns[0]) };

/* ---- The model: the registry as a plain list -------------------------- */

enum { MODEL_MAX = 16, EVENT_MAX = 4, TEXT_MAX = 300 };

typedef struct model_step {
    char type[TEXT_MAX + 1];
    int from_version;
    esk_upcast_fn fn;
} model_step;

typedef struct model {
    model_step steps[MODEL_MAX];
    size_t count;
} model;

static const model_step *model_find(const model *m, const char *type,
                                    int version)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->steps[i].from_version == version &&
            strcmp(m->steps[i].type, type) == 0)
            return &m->steps[i];
    return NULL;
}

/* The version after every step, as esk_upcasters_target() documents. */
static int model_target(const model *m, const char *type, int version)
{
    while (version < INT_MAX && model_find(m, type, version) != NULL)
        version++;
    return version;
}

static bool utf8_ok(const char *text)
{
    /* json_string() checks UTF-8 as esk does (no overlongs, no
     * surrogates), so it serves as the model's check. */
    json_t *probe = json_string(text);
    bool ok = probe != NULL;
    json_decref(probe);
    return ok;
}

static void add_step(esk_upcasters *upcasters, model *m, const char *type,
                     int from_version, esk_upcast_fn fn)
{
    esk_status expected = ESK_OK;
    if (type[0] == '\0' || strlen(type) > ESK_TYPE_MAX || !utf8_ok(type) ||
        from_version < 1 || from_version == INT_MAX)
        expected = ESK_EINVAL;
    else if (model_find(m, type, from_version) != NULL)
        expected = ESK_EEXISTS;

    esk_status rc = esk_upcasters_add(upcasters, type, from_version, fn);
    FUZZ_CHECK(rc == expected,
               "esk_upcasters_add('%s', %d) gave %d (%s), expected %d (%s)",
               type, from_version, (int)rc, esk_status_str(rc), (int)expected,
               esk_status_str(expected));
    if (rc == ESK_OK && m->count < MODEL_MAX) {
        model_step *s = &m->steps[m->count++];
        snprintf(s->type, sizeof(s->type), "%s", type);
        s->from_version = from_version;
        s->fn = fn;
    }
}

/* ---- Choices ------------------------------------------------------------ */

static const char *const type_pool[] = {"Person", "Other", "Person "};

static const char *choose_type(fuzz_input *in, char *buf)
{
    size_t pick = fuzz_below(in, 4);
    if (pick < 3)
        return type_pool[pick];
    return fuzz_string(in, buf, TEXT_MAX);
}

static int choose_version(fuzz_input *in)
{
    static const int extremes[] = {0, -1, INT_MIN, INT_MAX - 1, INT_MAX};
    uint8_t pick = fuzz_byte(in);
    if (pick < 200)
        return 1 + pick % 6;
    if (pick < 250)
        return extremes[pick % 5];
    return (int)(uint32_t)fuzz_u64(in);
}

static const char *const data_pool[] = {
    "{\"name\":\"Ada King\"}",
    "{\"name\":\"Grace\",\"email\":\"g@example.com\"}",
    "{\"fullName\":42}",
    "{\"name\":\"a\\u0000b c\"}",
    "{}",
    "[]",
    "\"name\"",
    "{\"name\":{\"nested\":[1,2.5,null]}}",
};

static const char *choose_data(fuzz_input *in, char *buf)
{
    size_t n = sizeof(data_pool) / sizeof(data_pool[0]);
    size_t pick = fuzz_below(in, n + 1);
    if (pick < n)
        return data_pool[pick];
    return fuzz_string(in, buf, 4 * TEXT_MAX);
}

/* ---- Checks ------------------------------------------------------------- */

typedef struct outcome {
    esk_status rc;
    int version;
    json_t *data; /* the model's result on ESK_OK with steps, else NULL */
} outcome;

/* What upcasting one event must give, worked out with the model. */
static outcome expect(const model *m, const esk_event *e)
{
    outcome out = {ESK_OK, e->schema_version, NULL};
    const model_step *s = model_find(m, e->type, e->schema_version);
    if (s == NULL)
        return out;
    json_t *data = json_loads(e->data, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!json_is_object(data)) {
        json_decref(data);
        out.rc = ESK_EDECODE;
        return out;
    }
    /* The model stops at INT_MAX, where a version cannot go up. */
    for (; s != NULL && out.version < INT_MAX;
         s = model_find(m, e->type, out.version)) {
        esk_status rc = s->fn(data);
        if (rc != ESK_OK) {
            json_decref(data);
            out.rc = rc == ESK_ENOMEM ? ESK_ENOMEM : ESK_EDECODE;
            return out;
        }
        out.version++;
    }
    out.data = data;
    return out;
}

static void check_event(const outcome *want, const esk_event *before,
                        const esk_event *after, const char *where)
{
    if (want->data == NULL) {
        FUZZ_CHECK(after->data == before->data &&
                       after->schema_version == before->schema_version,
                   "%s: an event with no step changed", where);
        return;
    }
    FUZZ_CHECK(after->schema_version == want->version,
               "%s: upcast to v%d, expected v%d", where, after->schema_version,
               want->version);
    json_t *got = json_loads(after->data, JSON_ALLOW_NUL, NULL);
    FUZZ_CHECK(json_is_object(got), "%s: upcast data '%s' is not an object",
               where, after->data);
    FUZZ_CHECK(json_equal(got, want->data) == 1,
               "%s: upcast data is '%s', not what the steps make", where,
               after->data);
    json_decref(got);
}

static void fill_list(esk_event_list *list, const esk_event *events, size_t n)
{
    esk_event_list_clear(list);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(esk_event_list_push(list, &events[i]) == ESK_OK,
                   "esk_event_list_push failed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_alloc_install();
    long live = fuzz_alloc_live();
    fuzz_input in = {data, size};
    esk_upcasters *upcasters = NULL;
    model m = {.count = 0};
    char type_buf[EVENT_MAX][TEXT_MAX + 1];
    char data_buf[EVENT_MAX][4 * TEXT_MAX + 1];
    char step_type[TEXT_MAX + 1];
    esk_event events[EVENT_MAX];
    outcome want[EVENT_MAX];
    esk_event_list list = ESK_EVENT_LIST_INIT;

    FUZZ_CHECK(esk_upcasters_new(&upcasters) == ESK_OK, "no registry");
    add_step(upcasters, &m, "Person", 1, rename_name);
    add_step(upcasters, &m, "Person", 2, split_full_name);
    add_step(upcasters, &m, "Person", 3, add_email);
    size_t extra_steps = fuzz_below(&in, 6);
    for (size_t i = 0; i < extra_steps; i++) {
        const char *type = choose_type(&in, step_type);
        int from = choose_version(&in);
        add_step(upcasters, &m, type, from,
                 step_fns[fuzz_below(&in, STEP_FN_COUNT)]);
    }

    size_t n = 1 + fuzz_below(&in, EVENT_MAX);
    for (size_t i = 0; i < n; i++) {
        events[i] = (esk_event){
            .event_id = "id",
            .stream_id = "person-1",
            .version = (int64_t)i + 1,
            .position = (int64_t)i + 1,
            .type = choose_type(&in, type_buf[i]),
            .schema_version = choose_version(&in),
            .data = choose_data(&in, data_buf[i]),
            .metadata = "{}",
        };
        int target = esk_upcasters_target(upcasters, events[i].type,
                                          events[i].schema_version);
        FUZZ_CHECK(target == model_target(&m, events[i].type,
                                          events[i].schema_version),
                   "esk_upcasters_target('%s', %d) is %d, expected %d",
                   events[i].type, events[i].schema_version, target,
                   model_target(&m, events[i].type, events[i].schema_version));
    }

    /* One event at a time: each one's own verdict. */
    size_t first_failure = n;
    for (size_t i = 0; i < n; i++) {
        want[i] = expect(&m, &events[i]);
        fill_list(&list, &events[i], 1);
        const esk_event *before = &list.events[0];
        esk_event copy = *before;
        esk_status rc = esk_upcasters_apply(upcasters, &list);
        FUZZ_CHECK(rc == want[i].rc,
                   "event %zu (%s v%d, '%s'): apply gave %d (%s), expected "
                   "%d: %s",
                   i, events[i].type, events[i].schema_version, events[i].data,
                   (int)rc, esk_status_str(rc), (int)want[i].rc, esk_errmsg());
        if (rc != ESK_OK) {
            FUZZ_CHECK(esk_error_last()->status == rc &&
                           esk_errmsg()[0] != '\0',
                       "a failure without a message");
            if (first_failure == n)
                first_failure = i;
            continue;
        }
        check_event(&want[i], &copy, &list.events[0], "alone");
        if (want[i].data != NULL)
            FUZZ_CHECK(list.events[0].schema_version ==
                           esk_upcasters_target(upcasters, events[i].type,
                                                events[i].schema_version),
                       "apply and esk_upcasters_target disagree");
    }

    /* The whole list: it stops at the first failure, with the events
     * before it upcast. */
    fill_list(&list, events, n);
    esk_event copies[EVENT_MAX];
    memcpy(copies, list.events, n * sizeof(esk_event));
    esk_status rc = esk_upcasters_apply(upcasters, &list);
    esk_status expected = first_failure < n ? want[first_failure].rc : ESK_OK;
    FUZZ_CHECK(rc == expected, "the list gave %d (%s), expected %d", (int)rc,
               esk_status_str(rc), (int)expected);
    for (size_t i = 0; i < first_failure; i++)
        check_event(&want[i], &copies[i], &list.events[i], "in the list");

    /* Once more with an allocation failing: ESK_ENOMEM. */
    fill_list(&list, events, n);
    unsigned long before = fuzz_alloc_count();
    rc = esk_upcasters_apply(upcasters, &list);
    unsigned long allocations = fuzz_alloc_count() - before;
    if (allocations > 0) {
        fill_list(&list, events, n);
        unsigned long k = 1 + (size + n) % allocations;
        fuzz_alloc_fail_at(k);
        rc = esk_upcasters_apply(upcasters, &list);
        fuzz_alloc_fail_at(0);
        FUZZ_CHECK(rc == ESK_ENOMEM,
                   "allocation %lu of %lu failed, apply gave %d (%s): %s", k,
                   allocations, (int)rc, esk_status_str(rc), esk_errmsg());
    }

    for (size_t i = 0; i < n; i++)
        json_decref(want[i].data);
    esk_event_list_release(&list);
    esk_upcasters_free(upcasters);
    FUZZ_CHECK(fuzz_alloc_live() == live, "%ld blocks leaked",
               fuzz_alloc_live() - live);
    return 0;
}
