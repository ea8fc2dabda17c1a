/*
 * bus.c - the workshop application's bus. YOU EDIT THIS FILE.
 *
 * bus.h says exactly what each function must do; write them in this
 * order, which is the order of the tests. The tools, all in
 * esk/command_bus.h:
 *   esk_context_handle, esk_context_fail           (handler, validation)
 *   esk_bus_new, esk_bus_use, esk_bus_register,
 *   esk_bus_free                                   (the bus)
 *   esk_logging_middleware, esk_idempotency_middleware,
 *   esk_retry_middleware                           (shipped middleware)
 */
#include "bus.h"
#include "exercise.h"

esk_status handle_workshop_command(esk_context *context,
                                   const esk_command *command, void *data)
{
    (void)context, (void)command, (void)data;
    /* TODO: the payload is a workshop_command; run workshop_decider on it
     * with esk_context_handle(), for its workshop id. */
    return EXERCISE_TODO("handle_workshop_command");
}

esk_status validate_workshop_command(void *data, esk_context *context,
                                     esk_command *command)
{
    (void)data, (void)context, (void)command;
    /* TODO: refuse with esk_context_fail(context, ESK_EINVAL, 0, "...")
     * a command without payload or workshop id, a ScheduleWorkshop without
     * title or with a capacity below 1, a RegisterAttendee without
     * attendee id or name, a CancelRegistration without attendee id.
     * Else ESK_OK. */
    return EXERCISE_TODO("validate_workshop_command");
}

esk_status workshop_bus_new(esk_bus **out, esk_store *store,
                            const esk_log_sink *log)
{
    (void)out, (void)store, (void)log;
    /* TODO: esk_bus_new(); esk_bus_use() for the four middleware, in an
     * order you can defend; esk_bus_register() for each of the
     * workshop_command_types. On failure, free the bus and return the
     * status. */
    return EXERCISE_TODO("workshop_bus_new");
}
