# update_stub_hashes.cmake - record the shipped stubs' checksums.
#
#   cmake -P exercises/tools/update_stub_hashes.cmake
#
# Run it after changing a stub on purpose. The stub checks and `./kata
# reset` use exercises/stubs.sha256 to know whether a learner's file is
# still the stub.
get_filename_component(root ${CMAKE_CURRENT_LIST_DIR}/../.. ABSOLUTE)
file(GLOB slugs RELATIVE ${root}/exercises ${root}/exercises/[0-9][0-9]-*)
list(SORT slugs)
set(text "")
foreach(slug IN LISTS slugs)
    file(READ ${root}/exercises/${slug}/exercise.json json)
    string(JSON edit_count LENGTH ${json} edit)
    math(EXPR last "${edit_count} - 1")
    foreach(i RANGE ${last})
        string(JSON name GET ${json} edit ${i})
        file(SHA256 ${root}/exercises/${slug}/${name} hash)
        string(APPEND text "${hash}  exercises/${slug}/${name}\n")
    endforeach()
endforeach()
file(WRITE ${root}/exercises/stubs.sha256 "${text}")
message(STATUS "wrote exercises/stubs.sha256")
