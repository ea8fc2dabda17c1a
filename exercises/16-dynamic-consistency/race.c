/*
 * race.c - the race window, where a test's rival appends, and the names
 * of the booking's refusals.
 */
#include <stddef.h>

#include "booking.h"

/* One rival for the whole program: tests run one at a time, and each
 * sets (and clears) its own. */
static race_rival_fn current_rival;
static void *current_ctx;

void race_window_set_rival(race_rival_fn rival, void *ctx)
{
    current_rival = rival;
    current_ctx = ctx;
}

void race_window(esk_store *store, const booking_command *command, int attempt)
{
    /* Taken before the call, so that a rival may clear itself. */
    race_rival_fn rival = current_rival;
    if (rival != NULL)
        rival(current_ctx, store, command, attempt);
}

const char *booking_error_name(int code)
{
    switch (code) {
    case BOOKING_NOT_SCHEDULED:
        return "BOOKING_NOT_SCHEDULED";
    case BOOKING_ALREADY_BOOKED:
        return "BOOKING_ALREADY_BOOKED";
    case BOOKING_NO_FREE_SEAT:
        return "BOOKING_NO_FREE_SEAT";
    case BOOKING_DAY_IS_FULL:
        return "BOOKING_DAY_IS_FULL";
    default:
        return NULL;
    }
}
