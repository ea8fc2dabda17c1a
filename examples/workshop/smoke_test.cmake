# Runs the scripted story on a fresh database and checks that each part of
# it shows: commands, events, projections, the process manager, queries,
# idempotency and a refusal. Then runs it on the same file again and
# checks that a second run refuses to schedule the workshop twice.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(db ${WORK_DIR}/workshop.db)

execute_process(COMMAND ${DEMO} --db ${db} demo
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "workshop-demo demo failed (${rc}):\n${out}\n${err}")
endif()

foreach(expected
        "command   ScheduleWorkshop"
        "event     workshop-w-1 v1 @1 WorkshopScheduled"
        "AttendeeWaitlisted"
        "project   catalogue"
        "w-1 | Event Sourcing 101 | 2026-12-01 | 0 seats left | 1 waiting | open"
        "(duplicate)"
        "process   waitlist: reacted to 1 event"
        "WaitlistedAttendeePromoted"
        "w-1 | Event Sourcing 101 | 2026-12-01 | seat"
        "refused"
        "\"correlationId\"")
    string(FIND "${out}" "${expected}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "the demo did not show '${expected}':\n${out}")
    endif()
endforeach()

execute_process(COMMAND ${DEMO} --db ${db} schedule w-1 Again 2026-12-02 3
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
string(FIND "${out}" "already scheduled" at)
if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "scheduling twice was not refused:\n${out}\n${err}")
endif()

execute_process(COMMAND ${DEMO} --db ${db} no-such-command
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 2)
    message(FATAL_ERROR "an unknown command did not exit with 2: ${rc}")
endif()
