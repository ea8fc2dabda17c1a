/*
 * race.c - the race window, where a test's rival appends.
 */
#include <stddef.h>

#include "race.h"

/* One rival for the whole program: tests run one at a time, and each
 * sets (and clears) its own. */
static race_rival_fn current_rival;
static void *current_ctx;

void race_window_set_rival(race_rival_fn rival, void *ctx)
{
    current_rival = rival;
    current_ctx = ctx;
}

void race_window(esk_store *store, const workshop_command *command, int attempt)
{
    /* Taken before the call, so that a rival may clear itself. */
    race_rival_fn rival = current_rival;
    if (rival != NULL)
        rival(current_ctx, store, command, attempt);
}
