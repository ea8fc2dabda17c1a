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

/* The hooks that give the domain's words: those of the decider the
 * story runs against (a mutant may be another), or of the aggregate. */
typedef struct domain_words {
    const char *(*error_name)(int code);
    void (*describe_command)(const void *command, char *buf, size_t size);
} domain_words;

/* "NOT_REGISTERED" when the domain names its codes, else "error 5": the
 * attendee wrote the name, and a number sends them to count the enum. */
static const char *error_text(const domain_words *words, int code, char *buf,
                              size_t size)
{
    const char *known =
        words->error_name != NULL ? words->error_name(code) : NULL;
    if (known != NULL)
        snprintf(buf, size, "%s", known);
    else
        snprintf(buf, size, "error %d", code);
    return buf;
}

/* The command was expected to be refused with want, and was not (or with
 * another code, got). */
static void add_unrefused(esk__report *r, const char *want, const char *got,
                          const outcome *o)
{
    if (o->kind == OUTCOME_REFUSED) {
        esk__report_add(r,
                        "  then    expected the command to be refused "
                        "with %s, but it was refused with %s: %s\n",
                        want, got, o->message);
    } else if (o->events.count == 0) {
        esk__report_add(r,
                        "  then    expected the command to be refused "
                        "with %s, but it was accepted and nothing "
                        "happened\n",
                        want);
    } else {
        esk__report_add(r,
                        "  then    expected the command to be refused "
                        "with %s, but it was accepted with these "
                        "events:\n",
                        want);
        add_events(r, &o->events);
    }
}

static void add_mismatch(esk__report *r, const esk_spec *spec,
                         const domain_words *words, const char *who,
                         const outcome *o)
{
    char got[96], want[96];
    error_text(words, o->code, got, sizeof(got));
    error_text(words, spec->error_code, want, sizeof(want));
    if (o->kind == OUTCOME_FAILED) {
        add_failure(r, who, o);
        if (o->status != ESK_ENOTIMPL)
            esk__report_add(r, "          (to refuse a command, return %s)\n",
                            spec->aggregate != NULL
                                ? "esk_domain_error(code, ...)"
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
                        "was refused with %s: %s\n",
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
                            "command was refused with %s: %s\n",
                            got, o->message);
        }
        return;
    case EXPECT_ERROR:
        add_unrefused(r, want, got, o);
        return;
    case EXPECT_UNSET:
        break;
    }
}

static void add_answer(esk__report *r, const domain_words *words,
                       const char *label, const outcome *o)
{
    char code[96];
    esk__report_add(r, "    %-8s", label);
    if (o->kind == OUTCOME_REFUSED)
        esk__report_add(r, "refused with %s: %s\n",
                        error_text(words, o->code, code, sizeof(code)),
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

/* How decide() changed the state it was given: the state before and
 * after in the domain's words when the decider describes its state (and
 * the words show the change), else where the first changed byte is. */
static void add_impurity(esk__report *r, const esk_decider *decider,
                         const verdict *v)
{
    if (v->state_before[0] != '\0' &&
        strcmp(v->state_before, v->state_after) != 0) {
        esk__report_add(r,
                        "  decide() changed the state it was given:\n"
                        "    before  %s\n"
                        "    after   %s\n",
                        v->state_before, v->state_after);
        return;
    }
    esk__report_add(r,
                    "  decide() changed the state it was given: byte %zu "
                    "of the %zu-byte state changed",
                    v->impure_offset, decider->state_size);
    if (v->state_before[0] != '\0')
        esk__report_add(r, ", which its description does not show (%s)\n",
                        v->state_before);
    else
        esk__report_add(r, " (give the decider a describe_state to see the "
                           "state before and after)\n");
}

/* The hint for a purity check that failed, or NULL: the story's own hint
 * is about its outcome, and says nothing of this kind of mistake. */
static const char *purity_hint(const verdict *v)
{
    if (v->impure)
        return "decide() only reads the state: never write through the "
               "pointer (no cast that drops const), and work on a local "
               "copy when you need one. The state changes in evolve(), "
               "when the events are applied.";
    if (v->nondeterministic)
        return "decide() answers from the state and the command alone: "
               "the same question must get the same answer. Move a clock, "
               "a counter or a random number out of decide(), into the "
               "command.";
    if (v->rebuilt_differs)
        return "a behaviour changes the state only by raising events: "
               "never assign the state's fields in the behaviour; let "
               "evolve() apply each raised event.";
    if (v->raised_before_refusal > 0)
        return "check every rule before raising the first event: a "
               "refused command must leave nothing behind.";
    return NULL;
}

static void add_when(esk__report *r, const esk_spec *spec,
                     const domain_words *words)
{
    char described[160] = "";
    if (words->describe_command != NULL && spec->command != NULL)
        words->describe_command(spec->command, described, sizeof(described));
    if (spec->label != NULL)
        esk__report_add(r, "  when    %s\n", spec->label);
    else if (spec->aggregate != NULL)
        esk__report_add(r, "  when    the behaviour, on %s '%s'\n",
                        spec->aggregate->name, spec->id);
    else if (described[0] != '\0')
        esk__report_add(r, "  when    %s\n", described);
    else
        esk__report_add(r, "  when    the command\n");
}

/* The rules the model broke, whether or not the outcome matched. */
static void add_rule_breaks(esk__report *r, const esk_spec *spec,
                            const esk_decider *decider,
                            const domain_words *words, const verdict *v)
{
    if (v->raised_before_refusal > 0)
        esk__report_add(r,
                        "  the behaviour raised %zu event(s) and then "
                        "refused the command: check everything first, then "
                        "raise\n",
                        v->raised_before_refusal);
    if (v->impure)
        add_impurity(r, decider, v);
    if (v->nondeterministic) {
        esk__report_add(r, "  decide() gave a different answer the second "
                           "time: does it read a clock, a global or random "
                           "numbers?\n");
        add_answer(r, words, "first:", &v->first);
        add_answer(r, words, "second:", &v->second);
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
}

void esk__spec_write_report(const esk_spec *spec, const esk_decider *decider,
                            const verdict *v, bool matched, esk__report *r)
{
    const char *name = spec->aggregate != NULL ? spec->aggregate->name
                       : decider != NULL       ? decider->name
                                               : NULL;
    const char *who = spec->aggregate != NULL ? "the behaviour" : "decide()";
    domain_words words = {NULL, NULL};
    if (spec->aggregate != NULL) {
        words.error_name = spec->aggregate->error_name;
    } else if (decider != NULL) {
        words.error_name = decider->error_name;
        words.describe_command = decider->describe_command;
    }

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
    add_when(r, spec, &words);
    if (matched)
        esk__report_add(r, "  then    as expected, but:\n");
    else
        add_mismatch(r, spec, &words, who, &v->first);
    add_rule_breaks(r, spec, decider, &words, v);
    const char *purity = purity_hint(v);
    if (spec->hint != NULL && !(matched && purity != NULL))
        esk__report_add(r, "  HINT: %s\n", spec->hint);
    if (purity != NULL)
        esk__report_add(r, "  HINT: %s\n", purity);
}
