/*
 * src/testing/spec_report.c - the report of a failed decider or aggregate
 * spec: the story, what was expected beside what happened, and the
 * purity checks that failed.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "spec_internal.h"

static void add_event(esk__report *r, const spec_event *e)
{
    if (e->type->schema_version != 1)
        esk__report_add(r, "%s v%d %s\n", e->type->name,
                        e->type->schema_version, e->json);
    else
        esk__report_add(r, "%s %s\n", e->type->name, e->json);
}

static void add_events(esk__report *r, const event_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        esk__report_add(r, "          %zu. ", i + 1);
        add_event(r, &list->items[i]);
    }
}

/* "AttendeeRegistered {...}", as a table cell; NULL when out of memory. */
static char *event_cell(const spec_event *e)
{
    size_t size = strlen(e->type->name) + strlen(e->json) + 16;
    char *cell = esk__malloc(size);
    if (cell == NULL)
        return NULL;
    if (e->type->schema_version != 1)
        snprintf(cell, size, "%s v%d %s", e->type->name,
                 e->type->schema_version, e->json);
    else
        snprintf(cell, size, "%s %s", e->type->name, e->json);
    return cell;
}

static char **event_cells(const event_list *list)
{
    char **cells = esk__calloc(list->count + 1, sizeof(*cells));
    if (cells == NULL)
        return NULL;
    for (size_t i = 0; i < list->count; i++) {
        cells[i] = event_cell(&list->items[i]);
        if (cells[i] == NULL) {
            for (size_t j = 0; j < i; j++)
                esk__free(cells[j]);
            esk__free(cells);
            return NULL;
        }
    }
    return cells;
}

static void cells_free(char **cells, size_t count)
{
    if (cells == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        esk__free(cells[i]);
    esk__free(cells);
}

static void add_event_table(esk__report *r, const event_list *expected,
                            const event_list *actual)
{
    char **e = event_cells(expected);
    char **a = event_cells(actual);
    if (e == NULL || a == NULL) {
        esk__report_add(r, "  (out of memory writing the events)\n");
    } else {
        esk__report_compare(r, "then", (const char *const *)e, expected->count,
                            (const char *const *)a, actual->count);
    }
    cells_free(e, expected->count);
    cells_free(a, actual->count);
    if (expected->count > actual->count)
        esk__report_add(r, "  %zu expected event(s) did not happen\n",
                        expected->count - actual->count);
    else if (actual->count > expected->count)
        esk__report_add(r, "  %zu event(s) happened that were not expected\n",
                        actual->count - expected->count);
}

static void add_failure(esk__report *r, const char *who, const outcome *o)
{
    if (o->status == ESK_ENOTIMPL) {
        esk__report_add(r,
                        "  then    %s is not written yet: it returned "
                        "ESK_ENOTIMPL\n",
                        who);
        return;
    }
    esk__report_add(r, "  then    %s failed: %s%s%s\n", who,
                    esk_status_str(o->status), o->message[0] ? ": " : "",
                    o->message);
}

/* "5 (NOT_REGISTERED)" when the domain names its codes, else "5". */
static const char *error_text(const esk_spec *spec, int code, char *buf,
                              size_t size)
{
    const char *(*name)(int) = spec->decider != NULL
                                   ? spec->decider->error_name
                                   : spec->aggregate->error_name;
    const char *known = name != NULL ? name(code) : NULL;
    if (known != NULL)
        snprintf(buf, size, "%d (%s)", code, known);
    else
        snprintf(buf, size, "%d", code);
    return buf;
}

static void add_mismatch(esk__report *r, const esk_spec *spec, const char *who,
                         const outcome *o)
{
    char got[96], want[96];
    error_text(spec, o->code, got, sizeof(got));
    error_text(spec, spec->error_code, want, sizeof(want));
    if (o->kind == OUTCOME_FAILED) {
        add_failure(r, who, o);
        if (o->status != ESK_ENOTIMPL)
            esk__report_add(r, "          (to refuse a command, return %s)\n",
                            spec->aggregate != NULL
                                ? "esk_domain_error(err, code, ...)"
                                : "esk_decision_reject(decision, code, ...)");
        return;
    }
    switch (spec->expect) {
    case EXPECT_EVENTS:
        if (o->kind == OUTCOME_ACCEPTED) {
            add_event_table(r, &spec->expected, &o->events);
            return;
        }
        esk__report_add(r,
                        "  then    expected %zu event(s), but the command "
                        "was refused with error %s: %s\n",
                        spec->expected.count, got, o->message);
        esk__report_add(r, "          expected:\n");
        add_events(r, &spec->expected);
        return;
    case EXPECT_NOTHING:
        if (o->kind == OUTCOME_ACCEPTED) {
            esk__report_add(r,
                            "  then    expected nothing to happen, but %zu "
                            "event(s) happened:\n",
                            o->events.count);
            add_events(r, &o->events);
        } else {
            esk__report_add(r,
                            "  then    expected nothing to happen, but the "
                            "command was refused with error %s: %s\n",
                            got, o->message);
        }
        return;
    case EXPECT_ERROR:
        if (o->kind == OUTCOME_REFUSED) {
            esk__report_add(r,
                            "  then    expected the command to be refused "
                            "with error %s, but it was refused with error "
                            "%s: %s\n",
                            want, got, o->message);
        } else if (o->events.count == 0) {
            esk__report_add(r,
                            "  then    expected the command to be refused "
                            "with error %s, but it was accepted and nothing "
                            "happened\n",
                            want);
        } else {
            esk__report_add(r,
                            "  then    expected the command to be refused "
                            "with error %s, but it was accepted with these "
                            "events:\n",
                            want);
            add_events(r, &o->events);
        }
        return;
    case EXPECT_UNSET:
        break;
    }
}

static void add_answer(esk__report *r, const esk_spec *spec, const char *label,
                       const outcome *o)
{
    char code[96];
    esk__report_add(r, "    %-8s", label);
    if (o->kind == OUTCOME_REFUSED)
        esk__report_add(r, "refused with error %s: %s\n",
                        error_text(spec, o->code, code, sizeof(code)),
                        o->message);
    else if (o->kind == OUTCOME_FAILED)
        esk__report_add(r, "failed: %s\n", esk_status_str(o->status));
    else if (o->events.count == 0)
        esk__report_add(r, "nothing happened\n");
    else
        esk__report_add(r, "%zu event(s)\n", o->events.count);
    if (o->kind == OUTCOME_ACCEPTED)
        add_events(r, &o->events);
}

void esk__spec_write_report(const esk_spec *spec, const esk_decider *decider,
                            const verdict *v, bool matched, esk__report *r)
{
    const char *name = spec->aggregate != NULL ? spec->aggregate->name
                       : decider != NULL       ? decider->name
                                               : NULL;
    const char *who = spec->aggregate != NULL ? "the behaviour" : "decide()";

    if (v->spec_error[0] != '\0') {
        esk__report_add(r, "Spec error in %s: %s\n",
                        name != NULL ? name : "a spec", v->spec_error);
        return;
    }
    esk__report_add(r, "Spec failed: %s\n", name != NULL ? name : "");
    if (spec->given.count == 0)
        esk__report_add(r, "  given   no events\n");
    for (size_t i = 0; i < spec->given.count; i++) {
        esk__report_add(r, i == 0 ? "  given   %zu. " : "          %zu. ",
                        i + 1);
        add_event(r, &spec->given.items[i]);
    }
    char described[160] = "";
    if (spec->decider != NULL && spec->decider->describe_command != NULL &&
        spec->command != NULL)
        spec->decider->describe_command(spec->command, described,
                                        sizeof(described));
    if (spec->label != NULL)
        esk__report_add(r, "  when    %s\n", spec->label);
    else if (spec->aggregate != NULL)
        esk__report_add(r, "  when    the behaviour, on %s '%s'\n",
                        spec->aggregate->name, spec->id);
    else if (described[0] != '\0')
        esk__report_add(r, "  when    %s\n", described);
    else
        esk__report_add(r, "  when    the command\n");
    if (matched)
        esk__report_add(r, "  then    as expected, but:\n");
    else
        add_mismatch(r, spec, who, &v->first);
    if (v->raised_before_refusal > 0)
        esk__report_add(r,
                        "  the behaviour raised %zu event(s) and then "
                        "refused the command: check everything first, then "
                        "raise\n",
                        v->raised_before_refusal);
    if (v->impure)
        esk__report_add(r,
                        "  decide() changed the state: it must only read "
                        "it (byte %zu of %zu changed)\n",
                        v->impure_offset, decider->state_size);
    if (v->nondeterministic) {
        esk__report_add(r, "  decide() gave a different answer the second "
                           "time: does it read a clock, a global or random "
                           "numbers?\n");
        add_answer(r, spec, "first:", &v->first);
        add_answer(r, spec, "second:", &v->second);
    }
    if (v->rebuild_error[0] != '\0')
        esk__report_add(r, "  %s\n", v->rebuild_error);
    if (v->rebuilt_differs)
        esk__report_add(r,
                        "  the state after the command differs from the "
                        "state rebuilt from its events: change state only "
                        "in evolve(), through raised events (byte %zu of "
                        "%zu differs)\n",
                        v->rebuilt_offset, spec->aggregate->state_size);
    if (spec->hint != NULL)
        esk__report_add(r, "  HINT: %s\n", spec->hint);
}
