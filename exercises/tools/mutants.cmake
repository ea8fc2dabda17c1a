# The mutant slot of an exercise: the target that ./kata selftest builds
# each catalogued mutant in (exercises/tools/mutants.sh, docs/runner.md).
#
#   exNN-mutant   the reference build again, from a folder of its own
#                 (build/dev/exercises/NN-topic-mutant/) that the harness
#                 patches, one mutant after another
#
# It is exNN-solution's twin: the same sources, include folder, libraries
# and warnings, so that a mutant is compiled and linked exactly as an
# attendee's answer would be. One slot per exercise rather than one target
# per mutant: the build tool then recompiles only the files a patch
# changed (or that the previous patch had changed), and reuses the
# objects of all the others. It is left out of `all`: nothing but the
# harness builds it.

# esk_exercise_mutant_slot(NN SLUG FROM LINKS) - FROM is the folder of the
# reference copy (NN-topic-solution), LINKS the exercise's extra
# libraries.
function(esk_exercise_mutant_slot nn slug from links)
    # A kit without the reference answers has no mutants to build.
    if(NOT EXISTS ${ESK_SOLUTIONS_DIR}/${slug})
        return()
    endif()
    set(slot ${CMAKE_CURRENT_BINARY_DIR}/${slug}-mutant)
    file(GLOB files ${from}/*.c ${from}/*.h)
    set(slot_sources "")
    foreach(path IN LISTS files)
        get_filename_component(name ${path} NAME)
        # Only when the content differs: a configure between two rounds
        # of the harness must not make every file look new.
        configure_file(${path} ${slot}/${name} COPYONLY)
        if(name MATCHES "\\.c$")
            list(APPEND slot_sources ${slot}/${name})
        endif()
    endforeach()
    add_executable(ex${nn}-mutant EXCLUDE_FROM_ALL ${slot_sources})
    target_include_directories(ex${nn}-mutant PRIVATE ${slot})
    target_link_libraries(ex${nn}-mutant PRIVATE exercise_common
        PkgConfig::SQLITE3 ${links} esk_warnings)
    file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/${slug}-work/mutant)
endfunction()

