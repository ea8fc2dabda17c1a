/*
 * src/testing/spec_run.c - running decider and aggregate specs.
 *
 * A run collects a verdict (the outcome and the purity checks) and only
 * then writes the report, so that what is checked and how it is told
 * stay apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "spec_internal.h"

/* A report of a spec longer than this is cut. */
#define CHECK_REPORT_SIZE 16384

/* The events of a list as if read from a stream: versions and positions
 * after_version + 1, + 2, ... The strings point into the list. */
typedef struct recorded {
    esk_event *events;
    char (*ids)[ESK_EVENT_ID_MAX + 1];
} recorded;

static esk_status record(const event_list *list, const char *stream_id,
                         int64_t after_version, recorded *out)
{
    *out = (recorded){NULL, NULL};
    if (list->count == 0)
        return ESK_OK;
    out->events = esk__calloc(list->count, sizeof(*out->events));
    out->ids = esk__calloc(list->count, sizeof(*out->ids));
    if (out->events == NULL || out->ids == NULL) {
        esk__free(out->events);
        esk__free(out->ids);
        *out = (recorded){NULL, NULL};
        return ESK_ENOMEM;
    }
    for (size_t i = 0; i < list->count; i++) {
        int64_t version = after_version + (int64_t)i + 1;
        snprintf(out->ids[i], sizeof(out->ids[i]),
                 "00000000-0000-4000-8000-%012lld", (long long)version);
        out->events[i] =
            (esk_event){.event_id = out->ids[i],
                        .stream_id = stream_id,
                        .version = version,
                        .position = version,
                        .type = list->items[i].type->name,
                        .schema_version = list->items[i].type->schema_version,
                        .data = list->items[i].json,
                        .metadata = "{}",
                        .recorded_at = 0};
    }
    return ESK_OK;
}

static void recorded_free(recorded *r)
{
    esk__free(r->events);
    esk__free(r->ids);
    *r = (recorded){NULL, NULL};
}

#define set_spec_error(v, ...)                                                 \
    esk__report_format((v)->spec_error, sizeof((v)->spec_error), false,        \
                       __VA_ARGS__)

static void outcome_free(outcome *o)
{
    esk__spec_events_free(&o->events);
}

/* The index of the first byte that differs, or size when none does. */
static size_t first_changed_byte(const void *a, const void *b, size_t size)
{
    const unsigned char *x = a;
    const unsigned char *y = b;
    for (size_t i = 0; i < size; i++)
        if (x[i] != y[i])
            return i;
    return size;
}

/* A failure rc, whose reason (and refusal code) is the last error. */
static void set_failure(outcome *o, esk_status rc)
{
    const esk_error *last = esk_error_last();
    o->status = rc;
    if (rc == ESK_EDOMAIN) {
        o->kind = OUTCOME_REFUSED;
        o->code = last->status == ESK_EDOMAIN ? last->code : 0;
    } else {
        o->kind = OUTCOME_FAILED;
    }
    if (last->status == rc)
        snprintf(o->message, sizeof(o->message), "%s", last->message);
}

/* Running out of memory says nothing about the model under test: it
 * makes the run a spec error rather than a wrong answer. */
static bool out_of_memory(const outcome *o, const char *who, verdict *v)
{
    if (v->spec_error[0] == '\0' && o->kind == OUTCOME_FAILED &&
        o->status == ESK_ENOMEM)
        set_spec_error(v, "out of memory while %s ran: %s", who, o->message);
    return v->spec_error[0] != '\0';
}

static esk_status decision_outcome(esk_status rc, const esk_decision *d,
                                   outcome *o)
{
    if (rc != ESK_OK) {
        set_failure(o, rc);
        return ESK_OK;
    }
    o->kind = OUTCOME_ACCEPTED;
    for (size_t i = 0; i < esk_decision_count(d); i++) {
        const esk_event_type *type = NULL;
        const char *json = NULL;
        if (esk_decision_event(d, i, &type, &json) != ESK_OK)
            continue;
        if (esk__spec_events_push_copy(&o->events, type, json) != ESK_OK)
            return ESK_ENOMEM;
    }
    return ESK_OK;
}

static bool same_outcome(const outcome *a, const outcome *b)
{
    return a->kind == b->kind && a->status == b->status && a->code == b->code &&
           strcmp(a->message, b->message) == 0 &&
           esk__spec_same_events(&a->events, &b->events);
}

static size_t alloc_size(size_t size)
{
    return size > 0 ? size : 1;
}

/* Ask decide() about the state: its answer goes to o. False when the
 * run cannot go on (out of memory). */
static bool ask(const esk_decider *decider, const void *command, void *state,
                outcome *o, verdict *v)
{
    esk_decision decision = ESK_DECISION_INIT;
    esk_error_clear();
    esk_status rc = decider->decide(state, command, &decision);
    if (decision_outcome(rc, &decision, o) != ESK_OK)
        set_spec_error(v, "out of memory running the spec");
    esk_decision_release(&decision);
    return !out_of_memory(o, "decide()", v);
}

static void run_decider(const esk_spec *spec, const esk_decider *decider,
                        verdict *v)
{
    char stream_id[ESK_STREAM_ID_MAX + 1];
    recorded given = {NULL, NULL};
    void *state = NULL;
    void *before = NULL;
    size_t size = decider->state_size;

    if (decider->decide == NULL) {
        set_spec_error(v, "the decider %s has no decide()",
                       decider->name != NULL ? decider->name : "");
        goto done;
    }
    snprintf(stream_id, sizeof(stream_id), "%s-spec",
             decider->category != NULL ? decider->category : "stream");
    state = esk__calloc(1, alloc_size(size));
    before = esk__malloc(alloc_size(size));
    if (state == NULL || before == NULL ||
        record(&spec->given, stream_id, 0, &given) != ESK_OK) {
        set_spec_error(v, "out of memory running the spec");
        goto done;
    }
    if (esk_decider_fold(decider, state, given.events, spec->given.count) !=
        ESK_OK) {
        set_spec_error(v, "the given events cannot be folded: %s",
                       esk_errmsg());
        goto done;
    }
    memcpy(before, state, size);

    if (!ask(decider, spec->command, state, &v->first, v))
        goto done;
    v->impure_offset = first_changed_byte(before, state, size);
    v->impure = v->impure_offset < size;
    if (v->impure && decider->describe_state != NULL) {
        decider->describe_state(before, v->state_before,
                                sizeof(v->state_before));
        decider->describe_state(state, v->state_after, sizeof(v->state_after));
    }

    /* Asked again about the very same state, decide must say the same. */
    memcpy(state, before, size);
    if (!ask(decider, spec->command, state, &v->second, v))
        goto done;
    v->nondeterministic = !same_outcome(&v->first, &v->second);

done:
    recorded_free(&given);
    esk__free(before);
    esk__free(state);
}

/* Init an aggregate and apply a story's events to it. */
static esk_status build_aggregate(const esk_spec *spec, void *state,
                                  bool *initialised)
{
    recorded given = {NULL, NULL};
    esk_status rc = esk_aggregate_init(state, spec->aggregate, spec->id);
    if (rc != ESK_OK)
        return rc;
    *initialised = true;
    const esk_aggregate *base = state;
    rc = record(&spec->given, base->stream_id, 0, &given);
    if (rc != ESK_OK)
        return esk__fail(rc, "out of memory running the spec");
    for (size_t i = 0; i < spec->given.count && rc == ESK_OK; i++)
        rc = esk_aggregate_apply(state, &given.events[i]);
    recorded_free(&given);
    return rc;
}

static esk_status pending_outcome(const void *state, outcome *o)
{
    for (size_t i = 0; i < esk_aggregate_pending_count(state); i++) {
        const esk_event_type *type = NULL;
        const char *json = NULL;
        if (esk_aggregate_pending(state, i, &type, &json) != ESK_OK)
            continue;
        if (esk__spec_events_push_copy(&o->events, type, json) != ESK_OK)
            return ESK_ENOMEM;
    }
    return ESK_OK;
}

/* Rebuild the aggregate from the given events and those the command
 * raised, and compare its own fields with the state the command left. */
static void check_rebuild(const esk_spec *spec, const void *state,
                          void *rebuilt, bool *initialised, verdict *v)
{
    recorded raised = {NULL, NULL};
    size_t size = spec->aggregate->state_size;
    size_t base = sizeof(esk_aggregate);

    if (build_aggregate(spec, rebuilt, initialised) != ESK_OK) {
        set_spec_error(v, "the given events cannot be applied again: %s",
                       esk_errmsg());
        return;
    }
    const esk_aggregate *agg = rebuilt;
    if (record(&v->first.events, agg->stream_id, agg->version, &raised) !=
        ESK_OK) {
        set_spec_error(v, "out of memory running the spec");
        return;
    }
    for (size_t i = 0; i < v->first.events.count; i++) {
        if (esk_aggregate_apply(rebuilt, &raised.events[i]) != ESK_OK) {
            snprintf(v->rebuild_error, sizeof(v->rebuild_error),
                     "raised event %zu cannot be applied when the aggregate "
                     "is loaded: %s",
                     i + 1, esk_errmsg());
            goto done;
        }
    }
    v->rebuilt_offset =
        base + first_changed_byte((const char *)state + base,
                                  (const char *)rebuilt + base, size - base);
    v->rebuilt_differs = v->rebuilt_offset < size;
done:
    recorded_free(&raised);
}

static void run_aggregate(const esk_spec *spec, verdict *v)
{
    void *state = NULL;
    void *rebuilt = NULL;
    bool state_initialised = false;
    bool rebuilt_initialised = false;
    esk_status rc = ESK_OK;
    size_t size = spec->aggregate->state_size;

    if (size < sizeof(esk_aggregate)) {
        set_spec_error(v,
                       "the aggregate type %s has a state_size of %zu bytes: "
                       "its struct must start with an esk_aggregate member",
                       spec->aggregate->name, size);
        goto done;
    }
    state = esk__calloc(1, size);
    rebuilt = esk__calloc(1, size);
    if (state == NULL || rebuilt == NULL) {
        set_spec_error(v, "out of memory running the spec");
        goto done;
    }
    if (build_aggregate(spec, state, &state_initialised) != ESK_OK) {
        set_spec_error(v, "the given events cannot be applied: %s",
                       esk_errmsg());
        goto done;
    }
    esk_error_clear();
    rc = spec->action(state, spec->arg);
    if (rc != ESK_OK) {
        set_failure(&v->first, rc);
        v->raised_before_refusal = esk_aggregate_pending_count(state);
    } else {
        v->first.kind = OUTCOME_ACCEPTED;
    }
    if (pending_outcome(state, &v->first) != ESK_OK) {
        set_spec_error(v, "out of memory running the spec");
        goto done;
    }
    if (out_of_memory(&v->first, "the behaviour", v))
        goto done;
    check_rebuild(spec, state, rebuilt, &rebuilt_initialised, v);
done:
    if (state_initialised)
        esk_aggregate_release(state);
    if (rebuilt_initialised)
        esk_aggregate_release(rebuilt);
    esk__free(state);
    esk__free(rebuilt);
}

static bool outcome_expected(const esk_spec *spec, const outcome *o)
{
    switch (spec->expect) {
    case EXPECT_EVENTS:
        return o->kind == OUTCOME_ACCEPTED &&
               esk__spec_same_events(&spec->expected, &o->events);
    case EXPECT_NOTHING:
        return o->kind == OUTCOME_ACCEPTED && o->events.count == 0;
    case EXPECT_ERROR:
        return o->kind == OUTCOME_REFUSED && o->code == spec->error_code;
    case EXPECT_UNSET:
        break;
    }
    return false;
}

/* Mistakes of the spec itself, found before anything runs. */
static bool check_spec(const esk_spec *spec, const esk_decider *other,
                       verdict *v)
{
    if (spec->problem[0] != '\0')
        set_spec_error(v, "%s", spec->problem);
    else if (!spec->has_when)
        set_spec_error(v, "the spec has no when: %s",
                       spec->aggregate != NULL
                           ? "call esk_spec_when_call with the behaviour "
                             "to run"
                           : "call esk_spec_when with the command");
    else if (spec->expect == EXPECT_UNSET)
        set_spec_error(v, "the spec has no then: say what should happen "
                          "with esk_spec_then, esk_spec_then_error or "
                          "esk_spec_then_nothing");
    else if (spec->aggregate != NULL && other != NULL)
        set_spec_error(v, "esk_spec_run: another decider was given for an "
                          "aggregate spec: pass NULL");
    else if (other != NULL && other->state_size != spec->decider->state_size)
        set_spec_error(v,
                       "esk_spec_run: the other decider's state is %zu "
                       "bytes, the spec's %zu: it must use the same state "
                       "struct",
                       other->state_size, spec->decider->state_size);
    return v->spec_error[0] == '\0';
}

/* Run the spec and write its report into buf; whether it passed. */
static bool run_into(const esk_spec *spec, const esk_decider *other, char *buf,
                     size_t size)
{
    esk__report r;
    verdict *v = NULL;
    const esk_decider *decider = NULL;
    bool matched = false;
    bool passed = false;

    if (!esk__report_start(&r, buf, size, spec != NULL))
        goto done;
    v = esk__calloc(1, sizeof(*v));
    if (v == NULL) {
        esk__report_add(&r, "Spec error: out of memory running the spec\n");
        goto done;
    }
    decider = other != NULL ? other : spec->decider;
    if (check_spec(spec, other, v)) {
        if (spec->aggregate != NULL)
            run_aggregate(spec, v);
        else
            run_decider(spec, decider, v);
    }
    matched = v->spec_error[0] == '\0' && outcome_expected(spec, &v->first);
    passed = matched && !v->impure && !v->nondeterministic &&
             !v->rebuilt_differs && v->rebuild_error[0] == '\0' &&
             v->raised_before_refusal == 0;
    if (!passed)
        esk__spec_write_report(spec, decider, v, matched, &r);
done:
    if (v != NULL) {
        outcome_free(&v->first);
        outcome_free(&v->second);
        esk__free(v);
    }
    esk__report_end(&r);
    return passed;
}

void esk_spec_run(const esk_spec *spec, const esk_decider *decider,
                  esk_spec_report *report)
{
    if (report == NULL)
        return;
    report->passed =
        run_into(spec, decider, report->text, sizeof(report->text));
}

void esk__spec_check(esk_spec *spec, const char *file, int line)
{
    char *text = esk__malloc(CHECK_REPORT_SIZE);
    bool passed = false;

    if (text != NULL)
        passed = run_into(spec, NULL, text, CHECK_REPORT_SIZE);
    esk_spec_free(spec);
    esk__report_conclude(passed, text, file, line);
}
