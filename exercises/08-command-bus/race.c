/*
 * race.c - the race window, where a test's rival appends. Provided.
 */
#include <stdbool.h>
#include <stddef.h>

#include "race.h"

/* One rival for the whole program: tests run one at a time, and each
 * sets (and clears) its own. */
static race_rival_fn current_rival;
static void *current_ctx;
static bool rival_running;

void race_window_set_rival(race_rival_fn rival, void *ctx)
{
    current_rival = rival;
    current_ctx = ctx;
}

void race_window(const workshop_command *command)
{
    /* A rival registers through the same decider, which opens a window
     * of its own: that one stays shut. */
    if (current_rival == NULL || rival_running)
        return;
    rival_running = true;
    current_rival(current_ctx, command);
    rival_running = false;
}
