# check_catalog.cmake - the curriculum's own consistency.
#
#   cmake -DROOT=<repository> -P check_catalog.cmake
#
# Exercises numbered 01, 02, ... without gaps; each with its README, its
# metadata (title, minutes, files to edit, at least three tiers of hints),
# its files to edit in the folder and in solutions/ (when the kit has
# that folder), their stub checksums, a README that says how to get the
# hints without quoting them; the finished domain written once (every
# file of domain/ that an exercise names in "domain" is there, and a file
# of an exercise folder named as one of domain/ is a file to edit or a
# "variants" entry that says at its top why it differs; a domain file
# that is an exercise's answer is the same code as solutions/ holds); and
# every
# relative link in the project's Markdown resolving to a file that exists.

# IN_LIST, in script mode too.
cmake_policy(SET CMP0057 NEW)

set(problems "")
# problem(TEXT...) - the pieces of one message, joined.
macro(problem)
    string(CONCAT problem_text ${ARGV})
    string(APPEND problems "  - ${problem_text}\n")
endmacro()

file(GLOB slugs LIST_DIRECTORIES true RELATIVE ${ROOT}/exercises
    ${ROOT}/exercises/[0-9][0-9]-*)
list(SORT slugs)
file(READ ${ROOT}/exercises/stubs.sha256 sums)
# The names the domain's files take in an exercise's build: the Workshop
# aggregate's workshop.h (domain/aggregate/) is copied as workshop.h.
file(GLOB domain_files ${ROOT}/exercises/domain/*.c
    ${ROOT}/exercises/domain/*.h)
file(GLOB aggregate_files ${ROOT}/exercises/domain/aggregate/*.c
    ${ROOT}/exercises/domain/aggregate/*.h)
list(APPEND domain_files ${aggregate_files})
set(domain_names "")
foreach(path IN LISTS domain_files)
    get_filename_component(name ${path} NAME)
    list(APPEND domain_names ${name})
    # For messages; domain/'s own before aggregate/'s of the same name.
    if(NOT DEFINED domain_path_${name})
        file(RELATIVE_PATH domain_path_${name} ${ROOT}/exercises ${path})
    endif()
endforeach()
list(REMOVE_DUPLICATES domain_names)

# json_list(OUT JSON_VAR KEY) - the strings of an optional array of the
# JSON text in variable JSON_VAR, or nothing. The text goes by name: as an
# argument, CMake would split it at its semicolons.
function(json_list out json_var key)
    set(items "")
    string(JSON count ERROR_VARIABLE missing LENGTH "${${json_var}}" ${key})
    if(NOT missing AND count GREATER 0)
        math(EXPR last "${count} - 1")
        foreach(i RANGE ${last})
            string(JSON item GET "${${json_var}}" ${key} ${i})
            list(APPEND items ${item})
        endforeach()
    endif()
    set(${out} "${items}" PARENT_SCOPE)
endfunction()

# check_domain(SLUG DIR) - with its exercise.json in variable json: the
# exercise builds on domain/ without copies of it: what it declares is
# there, and what it holds of its own under a domain file's name is meant.
function(check_domain slug dir)
    json_list(edit json edit)
    json_list(uses json domain)
    json_list(variants json variants)
    set(used_names "")
    foreach(entry IN LISTS uses)
        get_filename_component(name ${entry} NAME)
        if(NOT EXISTS ${ROOT}/exercises/domain/${entry})
            problem("${slug}: exercise.json builds with domain/${entry}, "
                    "which is missing from exercises/domain/")
        elseif(EXISTS ${dir}/${name})
            problem("${slug}: ${name} is both in the folder and in its "
                    "\"domain\" list: keep one")
        elseif(name IN_LIST used_names)
            problem("${slug}: its \"domain\" list names two files called "
                    "${name}: keep one")
        endif()
        list(APPEND used_names ${name})
    endforeach()
    foreach(name IN LISTS variants)
        if(NOT EXISTS ${dir}/${name} OR NOT name IN_LIST domain_names)
            problem("${slug}: \"variants\" names ${name}, but it is not a "
                    "file of both the folder and exercises/domain/")
            continue()
        endif()
        file(READ ${dir}/${name} text)
        string(FIND "${text}" "variant of ../domain/${name}" at)
        string(FIND "${text}" "variant of ../domain/aggregate/${name}" at2)
        if(at EQUAL -1 AND at2 EQUAL -1)
            problem("${slug}/${name}: a variant of domain/${name} says at "
                    "its top why (\"A variant of ../domain/${name}, on "
                    "purpose: ...\")")
        endif()
    endforeach()
    foreach(name IN LISTS domain_names)
        if(EXISTS ${dir}/${name} AND NOT name IN_LIST edit AND
           NOT name IN_LIST variants)
            set(entry ${domain_path_${name}})
            string(REGEX REPLACE "^domain/" "" entry ${entry})
            problem("${slug}/${name} is a copy of exercises/domain/${entry}, "
                    "bound to drift: delete it and add \"${entry}\" to "
                    "\"domain\" in exercise.json, or, if it differs on "
                    "purpose, add it to \"variants\" and say why at its top")
        endif()
    endforeach()
    set(problems "${problems}" PARENT_SCOPE)
endfunction()
# check_answers() - a domain file that is an exercise's answer ("Provided:
# exercise NN's answer." in its top comment) is that exercise's reference
# answer, code for code: below the top comment the two must be the same,
# or a fix made to one would be missing from the other.
function(check_answers)
    if(NOT EXISTS ${ROOT}/solutions)
        return()
    endif()
    foreach(path IN LISTS domain_files)
        file(READ ${path} text)
        string(REGEX MATCH "Provided:[ \n*]+exercise[ \n*]+([0-9][0-9])'s"
               found "${text}")
        if(NOT found)
            continue()
        endif()
        set(nn ${CMAKE_MATCH_1})
        get_filename_component(name ${path} NAME)
        file(GLOB answers ${ROOT}/solutions/${nn}-*/${name})
        file(RELATIVE_PATH shown ${ROOT} ${path})
        if(NOT answers)
            problem("${shown} says it is exercise ${nn}'s answer, but "
                    "solutions/${nn}-*/${name} does not exist")
            continue()
        endif()
        list(GET answers 0 answer)
        file(READ ${answer} answer_text)
        string(FIND "${text}" "*/" end)
        string(FIND "${answer_text}" "*/" answer_end)
        string(SUBSTRING "${text}" ${end} -1 code)
        string(SUBSTRING "${answer_text}" ${answer_end} -1 answer_code)
        if(NOT code STREQUAL answer_code)
            file(RELATIVE_PATH answer_shown ${ROOT} ${answer})
            problem("${shown} and ${answer_shown} differ below their top "
                    "comment: the domain's copy of an answer must be the "
                    "answer, so make the same change in both")
        endif()
    endforeach()
    set(problems "${problems}" PARENT_SCOPE)
endfunction()
check_answers()

set(expected_number 1)
foreach(slug IN LISTS slugs)
    set(dir ${ROOT}/exercises/${slug})
    string(SUBSTRING ${slug} 0 2 nn)
    math(EXPR number "1${nn} - 100")
    if(NOT number EQUAL expected_number)
        problem("${slug}: expected exercise ${expected_number} here (no gaps)")
    endif()
    math(EXPR expected_number "${number} + 1")
    if(NOT slug MATCHES "^[0-9][0-9]-[a-z0-9-]+$")
        problem("${slug}: folder names are NN-lowercase-words")
    endif()
    foreach(required README.md exercise.json)
        if(NOT EXISTS ${dir}/${required})
            problem("${slug}: ${required} is missing")
        endif()
    endforeach()
    if(NOT EXISTS ${dir}/exercise.json)
        continue()
    endif()
    file(READ ${dir}/exercise.json json)
    string(JSON meta_number ERROR_VARIABLE e GET ${json} number)
    if(NOT meta_number EQUAL number)
        problem("${slug}: exercise.json says number ${meta_number}")
    endif()
    string(JSON title ERROR_VARIABLE e GET ${json} title)
    if(e OR title STREQUAL "")
        problem("${slug}: exercise.json has no title")
    endif()
    string(JSON minutes ERROR_VARIABLE e GET ${json} minutes)
    if(e OR NOT minutes GREATER 0)
        problem("${slug}: exercise.json has no estimated minutes")
    endif()
    string(JSON hint_count ERROR_VARIABLE hint_error LENGTH ${json} hints)
    if(hint_error OR hint_count LESS 3)
        problem("${slug}: give at least three tiers of hints")
    endif()
    string(JSON edit_count ERROR_VARIABLE e LENGTH ${json} edit)
    if(e OR edit_count LESS 1)
        problem("${slug}: exercise.json names no file to edit")
        continue()
    endif()
    math(EXPR last "${edit_count} - 1")
    foreach(i RANGE ${last})
        string(JSON name GET ${json} edit ${i})
        if(NOT EXISTS ${dir}/${name})
            problem("${slug}: ${name} is to be edited but is not there")
        endif()
        # A kit handed out without solutions/ is whole; a kit with it
        # must have every answer.
        if(EXISTS ${ROOT}/solutions AND
           NOT EXISTS ${ROOT}/solutions/${slug}/${name})
            problem("${slug}: solutions/${slug}/${name} is missing")
        endif()
        string(FIND "${sums}" "  exercises/${slug}/${name}\n" at)
        if(at EQUAL -1)
            problem("${slug}: ${name} has no checksum in exercises/stubs.sha256 "
                    "(run cmake -P exercises/tools/update_stub_hashes.cmake)")
        endif()
    endforeach()
    check_domain(${slug} ${dir})
    if(EXISTS ${dir}/README.md)
        file(READ ${dir}/README.md readme)
        # The hints live in exercise.json only: the runner reveals them one
        # at a time and counts them for the report, which would mean
        # nothing if the README printed them all. It says how to get them.
        string(FIND "${readme}" "`./kata hint ${number}`" at)
        if(at EQUAL -1)
            problem("${slug}/README.md does not say how to get its hints: `./kata hint ${number}`")
        endif()
        if(NOT hint_error AND hint_count GREATER 0)
            math(EXPR last_hint "${hint_count} - 1")
            foreach(i RANGE ${last_hint})
                string(JSON hint GET ${json} hints ${i})
                # The first sentence is enough to recognise a copy.
                string(REGEX REPLACE "([.:;!?]) .*$" "\\1" opening "${hint}")
                string(FIND "${readme}" "${opening}" at)
                if(NOT at EQUAL -1)
                    math(EXPR tier "${i} + 1")
                    problem("${slug}/README.md quotes hint ${tier}: leave it to `./kata hint ${number}`")
                endif()
            endforeach()
        endif()
        foreach(section "## The task" "## Hints" "## Trade-offs")
            string(FIND "${readme}" "${section}" at)
            if(at EQUAL -1)
                problem("${slug}/README.md has no '${section}' section")
            endif()
        endforeach()
    endif()
endforeach()

# Every relative link in the Markdown of the project must resolve.
file(GLOB_RECURSE docs RELATIVE ${ROOT}
    ${ROOT}/*.md)
foreach(doc IN LISTS docs)
    # Not the project's own: what the build, git, the runner's state and
    # npm (the browser tests, the bench's peer) put in the tree.
    if(doc MATCHES "^(build|\\.git|\\.kata)/" OR doc MATCHES "(^|/)node_modules/")
        continue()
    endif()
    get_filename_component(base ${ROOT}/${doc} DIRECTORY)
    file(READ ${ROOT}/${doc} text)
    string(REGEX MATCHALL "\\]\\([^)]+\\)" links "${text}")
    foreach(link IN LISTS links)
        string(REGEX REPLACE "^\\]\\(([^)# ]*).*$" "\\1" target "${link}")
        if(target STREQUAL "" OR target MATCHES "^[a-z]+:")
            continue()
        endif()
        if(NOT EXISTS ${base}/${target})
            problem("${doc}: link to '${target}' does not resolve")
        endif()
    endforeach()
endforeach()

if(problems)
    message(FATAL_ERROR "The curriculum has problems:\n${problems}")
endif()
list(LENGTH slugs count)
message(STATUS "${count} exercises, numbered without gaps; metadata, files, "
               "the domain they share and links check out")
