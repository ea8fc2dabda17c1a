/*
 * tests/decider_fixture.c - what the tests of esk_decider_handle share:
 * the workshop's commands, and handling one on workshop "w-1".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decider_fixture.h"
#include "esk/decider.h"
#include "esk/upcast.h"
#include "test_support.h"
#include "workshop_decider.h"

const workshop_command schedule_ten = {SCHEDULE, "ES 101", 10, ""};
const workshop_command schedule_two = {SCHEDULE, "ES 101", 2, ""};

workshop_command register_(const char *attendee)
{
    workshop_command c = {REGISTER, "", 0, {0}};
    snprintf(c.attendee, sizeof(c.attendee), "%s", attendee);
    return c;
}

/* Handle a command on workshop "w-1" with the default options. */
esk_status handle(esk_store *store, const workshop_command *command,
                  esk_handle_result *result)
{
    esk_status rc = esk_decider_handle(&workshop_decider, store, "w-1", command,
                                       NULL, NULL, result);
    if (rc != ESK_OK && rc != ESK_EDOMAIN)
        print_message("handle: %s\n", esk_errmsg());
    return rc;
}
