/*
 * booking.c - a decision that draws its own consistency boundary: read
 * a query, fold, decide, append on the condition that nothing the query
 * matches came after what was read. YOU EDIT THIS FILE.
 *
 * booking.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_read_query, esk_store_append_if,
 *   esk_event_list_release                          (esk/store.h)
 *   esk_codec_decode_event, esk_codec_encode, esk_free (esk/codec.h)
 *   esk_domain_error                                (esk/error.h)
 *   the event types of events.h, race_window        (booking.h)
 */
#include <stdio.h>
#include <string.h>

#include <esk/codec.h>
#include <esk/error.h>

#include "booking.h"
#include "exercise.h"

void booking_query(const booking_command *command, booking_boundary *b)
{
    (void)command, (void)b;
    /* TODO: the three tags "workshop:<id>", "attendee:<id>", "day:<day>";
     * items[0] for the workshop's facts, items[1] for the attendee's
     * seats that day; b->query over both. */
    EXERCISE_TODO("booking_query");
}

esk_status booking_fold(const esk_event_list *events,
                        const booking_command *command, const char *command_id,
                        booking_state *state)
{
    (void)events, (void)command, (void)command_id, (void)state;
    /* TODO: zero *state, then for each event: decode it by its type and
     * count what it says about the workshop and the attendee's day. */
    return EXERCISE_TODO("booking_fold");
}

esk_status booking_decide(const booking_state *state,
                          const booking_command *command)
{
    (void)state, (void)command;
    /* TODO: the four refusals, in booking.h's order, with
     * esk_domain_error(); otherwise ESK_OK. */
    return EXERCISE_TODO("booking_decide");
}

esk_status book_seat(esk_store *store, const booking_command *command,
                     const char *command_id, int max_attempts)
{
    (void)store, (void)command, (void)command_id, (void)max_attempts;
    /* TODO: max_attempts < 1 is ESK_EINVAL. Then up to max_attempts
     * times: read the query (keep read_up_to), fold, stop if handled,
     * decide, race_window(), append with tags on the condition
     * {query, read_up_to}; again only on ESK_ECONCURRENCY. */
    return EXERCISE_TODO("book_seat");
}
