/*
 * src/decision_internal.h - the part of an esk_decision that esk keeps to
 * itself, shared by decision.c and decider.c.
 */
#ifndef ESK_DECISION_INTERNAL_H
#define ESK_DECISION_INTERNAL_H

#include "esk/decider.h"
#include "internal.h"

struct esk__decision {
    esk__pending *events;
    size_t count;
    size_t capacity;
    /* decide() refused the command (esk_decision_reject). */
    bool refused;
    /* The status of an emit that failed, which decide() may have
     * ignored; ESK_OK when none did. */
    esk_status emit_failed;
};

/* The events emitted, and their number (0 and NULL for an empty
 * decision). */
size_t esk__decision_count(const esk_decision *decision);
const esk__pending *esk__decision_events(const esk_decision *decision);
/* Drop the events, keeping the refusal. */
void esk__decision_drop_events(esk_decision *decision);

#endif
