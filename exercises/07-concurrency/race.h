/*
 * race.h - the race window: the moment between deciding and appending.
 *
 * A handler loads a workshop at version 7, decides, and appends expecting
 * version 7. Between the load and the append, another handler (another
 * thread, process or server) may append to the same stream:
 *
 *   handler A:  load v7 ....... decide ....... append expecting v7 -> conflict
 *   handler B:        load v7 ... decide ... append expecting v7 -> v8
 *                                    ^
 *                             the race window
 *
 * In a real system that window is a few microseconds wide and the race is
 * rare, so a test that waits for it would pass by luck. Here the handler
 * calls race_window() at that moment; it does nothing, unless a test has
 * set a rival, which then appends to the stream right there. The race
 * happens every time, in the same way.
 */
#ifndef RACE_H
#define RACE_H

#include <esk/store.h>

#include "workshop.h"

/*
 * What a rival does when the window opens: append to the store as another
 * handler would. attempt counts the handler's attempts from 1.
 */
typedef void (*race_rival_fn)(void *ctx, esk_store *store,
                              const workshop_command *command, int attempt);

/*
 * Set the rival that runs in every race window from now on, with its ctx;
 * NULL for none (the window then does nothing).
 */
void race_window_set_rival(race_rival_fn rival, void *ctx);

/*
 * Open the race window: call it after deciding and before appending, once
 * per attempt. It runs the rival, if any; the rival may append to the
 * command's stream, so the append that follows may meet a newer stream
 * than the one the decision was made on.
 */
void race_window(esk_store *store, const workshop_command *command,
                 int attempt);

#endif
