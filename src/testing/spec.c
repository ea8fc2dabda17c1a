/*
 * src/testing/spec.c - building decider and aggregate specs.
 *
 * Building a spec never fails loudly: the first mistake is kept in the
 * spec and reported when it is run, so that a test reads as a story.
 * Running it is in spec_run.c, and telling what went wrong in
 * spec_report.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "spec_internal.h"

/* --- Lists of events ------------------------------------------------------ */

esk_status esk__spec_events_push(event_list *list, const esk_event_type *type,
                                 char *json)
{
    if (list->count == list->capacity) {
        size_t grown = list->capacity == 0 ? 4 : list->capacity * 2;
        spec_event *more =
            esk__realloc(list->items, grown * sizeof(*list->items));
        if (more == NULL)
            return ESK_ENOMEM;
        list->items = more;
        list->capacity = grown;
    }
    list->items[list->count++] = (spec_event){type, json};
    return ESK_OK;
}

esk_status esk__spec_events_push_copy(event_list *list,
                                      const esk_event_type *type,
                                      const char *json)
{
    char *copy = esk__strdup(json);
    if (copy == NULL)
        return ESK_ENOMEM;
    esk_status rc = esk__spec_events_push(list, type, copy);
    if (rc != ESK_OK)
        esk__free(copy);
    return rc;
}

void esk__spec_events_free(event_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        esk__free(list->items[i].json);
    esk__free(list->items);
    *list = (event_list){NULL, 0, 0};
}

static bool same_event(const spec_event *a, const spec_event *b)
{
    return strcmp(a->type->name, b->type->name) == 0 &&
           a->type->schema_version == b->type->schema_version &&
           strcmp(a->json, b->json) == 0;
}

bool esk__spec_same_events(const event_list *a, const event_list *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (!same_event(&a->items[i], &b->items[i]))
            return false;
    return true;
}

/* --- Building a spec ------------------------------------------------------ */

/* The spec's first problem is the one it reports. */
#define spec_problem(spec, ...)                                                \
    esk__report_format((spec)->problem, sizeof((spec)->problem), true,         \
                       __VA_ARGS__)

static esk_spec *spec_new(void)
{
    esk_spec *spec = esk__calloc(1, sizeof(*spec));
    return spec;
}

esk_spec *esk_spec_decider(const esk_decider *decider)
{
    esk_spec *spec = spec_new();
    if (spec == NULL)
        return NULL;
    spec->decider = decider;
    if (decider == NULL)
        spec_problem(spec, "esk_spec_decider: the decider is NULL");
    return spec;
}

esk_spec *esk_spec_aggregate(const esk_aggregate_type *type, const char *id)
{
    esk_spec *spec = spec_new();
    if (spec == NULL)
        return NULL;
    spec->aggregate = type;
    if (type == NULL)
        spec_problem(spec, "esk_spec_aggregate: the aggregate type is NULL");
    if (id == NULL) {
        spec_problem(spec, "esk_spec_aggregate: the id is NULL");
        return spec;
    }
    spec->id = esk__strdup(id);
    if (spec->id == NULL)
        spec_problem(spec, "out of memory building the spec");
    return spec;
}

/* Encode an event of the story, or keep why it cannot be. */
static void push_encoded(esk_spec *spec, event_list *list, const char *what,
                         const esk_event_type *type, const void *event)
{
    char *json = NULL;
    size_t number = list->count + 1;

    if (type == NULL || event == NULL) {
        spec_problem(spec, "%s event %zu: the %s is NULL", what, number,
                     type == NULL ? "event type" : "event");
        return;
    }
    if (esk_codec_encode(type, event, &json) != ESK_OK) {
        spec_problem(spec, "%s event %zu (%s) cannot be encoded: %s", what,
                     number, type->name, esk_errmsg());
        return;
    }
    if (esk__spec_events_push(list, type, json) != ESK_OK) {
        esk__free(json);
        spec_problem(spec, "out of memory building the spec");
    }
}

void esk_spec_given(esk_spec *spec, const esk_event_type *type,
                    const void *event)
{
    if (spec != NULL)
        push_encoded(spec, &spec->given, "given", type, event);
}

static bool take_when(esk_spec *spec)
{
    if (spec->has_when) {
        spec_problem(spec, "the spec has two whens: a spec tells one story, "
                           "with one command");
        return false;
    }
    spec->has_when = true;
    return true;
}

void esk_spec_when(esk_spec *spec, const void *command)
{
    if (spec == NULL)
        return;
    if (spec->aggregate != NULL) {
        spec_problem(spec, "esk_spec_when is for decider specs: on an "
                           "aggregate spec use esk_spec_when_call");
        return;
    }
    if (!take_when(spec))
        return;
    spec->command = command;
    size_t size = spec->decider->command_size;
    if (size > 0 && command != NULL) {
        spec->command_copy = esk__malloc(size);
        if (spec->command_copy == NULL) {
            spec_problem(spec, "out of memory copying the command");
            return;
        }
        memcpy(spec->command_copy, command, size);
        spec->command = spec->command_copy;
    }
}

void esk_spec_label(esk_spec *spec, const char *label)
{
    if (spec == NULL)
        return;
    if (label == NULL) {
        spec_problem(spec, "esk_spec_label: the label is NULL");
        return;
    }
    esk__free(spec->label);
    spec->label = esk__strdup(label);
    if (spec->label == NULL)
        spec_problem(spec, "out of memory keeping the label");
}

void esk_spec_when_call(esk_spec *spec, esk_spec_action action, const void *arg)
{
    if (spec == NULL)
        return;
    if (spec->decider != NULL) {
        spec_problem(spec, "esk_spec_when_call is for aggregate specs: on a "
                           "decider spec use esk_spec_when");
        return;
    }
    if (action == NULL) {
        spec_problem(spec, "esk_spec_when_call: the action is NULL");
        return;
    }
    if (take_when(spec)) {
        spec->action = action;
        spec->arg = arg;
    }
}

static const char *expectation_name(expectation e)
{
    switch (e) {
    case EXPECT_EVENTS:
        return "esk_spec_then";
    case EXPECT_ERROR:
        return "esk_spec_then_error";
    case EXPECT_NOTHING:
        return "esk_spec_then_nothing";
    case EXPECT_UNSET:
        break;
    }
    return "no then";
}

/* Only events may be expected more than once: one error, or nothing. */
static bool take_expectation(esk_spec *spec, expectation e)
{
    if (spec->expect != EXPECT_UNSET &&
        (spec->expect != EXPECT_EVENTS || e != EXPECT_EVENTS)) {
        spec_problem(spec,
                     "the spec has both %s and %s: a command has one "
                     "outcome, keep one of them",
                     expectation_name(spec->expect), expectation_name(e));
        return false;
    }
    spec->expect = e;
    return true;
}

void esk_spec_then(esk_spec *spec, const esk_event_type *type,
                   const void *event)
{
    if (spec != NULL && take_expectation(spec, EXPECT_EVENTS))
        push_encoded(spec, &spec->expected, "then", type, event);
}

void esk_spec_then_error(esk_spec *spec, int code)
{
    if (spec == NULL)
        return;
    if (code == 0) {
        spec_problem(spec, "esk_spec_then_error: 0 is not a domain error "
                           "code (to expect no refusal, use "
                           "esk_spec_then or esk_spec_then_nothing)");
        return;
    }
    if (take_expectation(spec, EXPECT_ERROR))
        spec->error_code = code;
}

void esk_spec_then_nothing(esk_spec *spec)
{
    if (spec != NULL)
        take_expectation(spec, EXPECT_NOTHING);
}

void esk_spec_hint(esk_spec *spec, const char *hint)
{
    if (spec == NULL)
        return;
    if (!esk__report_set_text(&spec->hint, hint))
        spec_problem(spec, "out of memory building the spec");
}

void esk_spec_free(esk_spec *spec)
{
    if (spec == NULL)
        return;
    esk__spec_events_free(&spec->given);
    esk__spec_events_free(&spec->expected);
    esk__free(spec->id);
    esk__free(spec->hint);
    esk__free(spec->label);
    esk__free(spec->command_copy);
    esk__free(spec);
}
