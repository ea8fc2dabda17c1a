# check_stub.cmake - an exercise's suite against its shipped stub.
#
#   cmake -DBINARY=exNN -DEXERCISE=exercises/NN-topic -DWORK=dir
#         [-DBUILD_DIR=build -DTARGET=exNN] -P check_stub.cmake
#
# A test that passes on the stub teaches nothing, and a crash tells a
# learner nothing: against the stub, every test must run and fail, and the
# output must name the function to write. The check needs the stub as
# shipped: if the learner has started editing, it is skipped (in CI, where
# nobody edits, a changed stub means stubs.sha256 is out of date).

get_filename_component(root ${EXERCISE}/../.. ABSOLUTE)
get_filename_component(slug ${EXERCISE} NAME)
file(STRINGS ${root}/exercises/stubs.sha256 lines)
file(READ ${EXERCISE}/exercise.json json)
string(JSON edit_count LENGTH ${json} edit)
math(EXPR last "${edit_count} - 1")
foreach(i RANGE ${last})
    string(JSON name GET ${json} edit ${i})
    set(path exercises/${slug}/${name})
    file(SHA256 ${root}/${path} actual)
    set(expected "")
    foreach(line IN LISTS lines)
        if(line MATCHES "^([0-9a-f]+)  ${path}$")
            set(expected ${CMAKE_MATCH_1})
        endif()
    endforeach()
    if(NOT actual STREQUAL expected)
        if(DEFINED ENV{CI})
            message(FATAL_ERROR
                "${path} is not the stub recorded in exercises/stubs.sha256. "
                "If the stub was changed on purpose, run: "
                "cmake -P exercises/tools/update_stub_hashes.cmake")
        endif()
        message("STUB CHECK SKIPPED: ${path} has been edited; this check "
                "runs on the files as shipped.")
        return()
    endif()
endforeach()

# The learner's program is left out of `all` (a learner's exercise that
# does not compile must not break the build): build it here, from the
# stub.
if(DEFINED BUILD_DIR AND DEFINED TARGET)
    execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR}
        --target ${TARGET} OUTPUT_VARIABLE out ERROR_VARIABLE err
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${slug}: the stub does not build:\n${out}${err}")
    endif()
endif()

execute_process(COMMAND ${BINARY} WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(all "${out}${err}")
if(NOT rc MATCHES "^[0-9]+$")
    message(FATAL_ERROR "${slug}: the suite crashed on the stub (${rc}):\n${all}")
endif()
string(REGEX MATCHALL "\\[ RUN      \\] [^\n]*" ran "${all}")
string(REGEX MATCHALL "\\[       OK \\] [^\n]*" passed "${all}")
list(LENGTH ran ran_count)
if(ran_count EQUAL 0)
    message(FATAL_ERROR "${slug}: no test ran against the stub:\n${all}")
endif()
if(passed)
    message(FATAL_ERROR
        "${slug}: these tests pass against the stub, so they teach nothing: "
        "${passed}\n${all}")
endif()
if(all MATCHES "exception|Segmentation|Aborted")
    message(FATAL_ERROR "${slug}: a test crashed on the stub:\n${all}")
endif()
if(NOT all MATCHES "TODO: [^\n]* in exercises/${slug}/")
    message(FATAL_ERROR
        "${slug}: the output against the stub does not say which function "
        "to write (\"TODO: write f() in exercises/${slug}/...\"):\n${all}")
endif()
message(STATUS "${slug}: all ${ran_count} tests fail cleanly on the stub")
