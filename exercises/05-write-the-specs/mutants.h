/*
 * mutants.h - the reference decider with one plausible bug each.
 *
 * A spec catches a mutant when it passes against the reference and fails
 * against the mutant: the story pins down the rule that the bug breaks.
 * A mutant that no spec catches is a bug your specs would let through.
 */
#ifndef MUTANTS_H
#define MUTANTS_H

#include <stddef.h>

#include <esk/decider.h>

typedef struct mutant {
    /* The bug, in a few words: "promotes the last in line". */
    const char *name;
    /* The rule it breaks, as told to whoever has to write the spec. */
    const char *rule;
    /* The functions that differ from the reference's; NULL for the
     * reference's own. */
    esk_status (*decide)(const void *state, const void *command,
                         esk_decision *decision);
    void (*evolve)(void *state, const esk_event_type *type, const void *event);
} mutant;

extern const mutant mutants[];
extern const size_t mutant_count;

/* The reference decider with the mutant's functions in place of its own:
 * same events, same state struct, so any spec of the reference runs on
 * it (esk_spec_run). */
esk_decider mutant_decider(const mutant *m);

#endif
