/*
 * race.h - the race window: the moment between deciding and appending.
 * Provided (exercise 07 has the whole story).
 *
 * A handler loads a workshop at version 2, decides, and appends expecting
 * version 2. If another server appends to the stream in between, the
 * append is refused with ESK_ECONCURRENCY, and the retry middleware runs
 * the handler again: load v3, decide anew, append expecting v3.
 *
 *   attempt 1: load v2 -> decide -> [window: cleo registers, v3]
 *              -> append expecting v2 -> ESK_ECONCURRENCY
 *   attempt 2: load v3 -> decide -> [window: nobody]
 *              -> append expecting v3 -> v4
 *
 * In a real system that window is a few microseconds wide, so a test that
 * waits for a race passes by luck. Here the workshop decider opens the
 * window at the end of each decide() (workshop.c); it does nothing unless
 * a test has set a rival, which then appends to the stream right there.
 * The race happens every time, in the same way.
 */
#ifndef RACE_H
#define RACE_H

#include "workshop.h"

/* What a rival does when the window opens after a decision on command:
 * append to the store, as another server would (its ctx says which
 * store). */
typedef void (*race_rival_fn)(void *ctx, const workshop_command *command);

/* Set the rival that runs in every race window from now on, with its ctx;
 * NULL for none (the window then does nothing). */
void race_window_set_rival(race_rival_fn rival, void *ctx);

/* Open the race window after a decision on command: run the rival, if
 * any. While the rival runs, the windows its own decisions open do
 * nothing: a rival does not race itself. */
void race_window(const workshop_command *command);

#endif
