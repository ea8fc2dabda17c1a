/*
 * app.h - the application the process managers live in. Provided.
 *
 *   store    SQLite, in memory, with a clock the tests move (app.now)
 *   bus      logging ─► idempotency ─► retry ─► one handler for every
 *            workshop command (the decider of workshop.h)
 *   runners  one per process manager: waitlist, payments (processes.h)
 *
 * The logging middleware writes one line per command into app.commands
 * (and prints it under `./kata demo`), so that a test can say which
 * commands the processes sent, and with which outcome:
 *
 *   PromoteFromWaitlist id=waitlist/<event id>/promote correlation=... -> ok: 1
 * event, v6 @6 (0.1 ms) LapseRegistration id=payments/tick/lapse/<event id> ...
 * -> ok (duplicate) ...
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>

#include <esk/command_bus.h>
#include <esk/process.h>
#include <esk/store.h>

#include "workshop.h"

typedef struct app {
    /* The time, as the store's clock tells it: set it before app_open(),
     * move it forward whenever you like. */
    esk_time now;
    esk_store *store;
    esk_bus *bus;
    esk_process_runner *waitlist;
    esk_process_runner *payments;
    /* The commands the bus handled, one line each, oldest first. */
    char commands[8192];
    size_t command_count;
    esk_log_sink log;
} app;

/*
 * Open the application on a new, empty store. a->now must be set; a must
 * stay where it is until app_close() (the clock and the log point at it).
 *
 * @return ESK_OK; the failures of the store, bus and runners (everything
 *         made so far is closed again).
 */
esk_status app_open(app *a);

/* Close everything app_open() made. */
void app_close(app *a);

/*
 * Send a command, as a client would: a new correlation, unless
 * correlation_id is given.
 *
 * @param id     the command's id; borrowed.
 * @param result optional: its outcome.
 * @return the dispatch's status (ESK_EDOMAIN: refused).
 */
esk_status app_send(app *a, const workshop_command *command, const char *id,
                    const char *correlation_id, esk_command_result *result);

#endif
