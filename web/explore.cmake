# The explorer (./kata explore): a read-only web page on an esk SQLite
# file. Its views (explore_*.c) are a library of their own, so that the
# tests call them without a server.
set(ESK_WEB_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ESK_DOMAIN_DIR ${PROJECT_SOURCE_DIR}/exercises/domain)

# The workshop domain is built from exercises/domain as it is, so that the
# fold the page shows is the one the exercises teach.
add_library(esk_explore STATIC
    ${ESK_WEB_DIR}/explore_open.c ${ESK_WEB_DIR}/explore_events.c
    ${ESK_WEB_DIR}/explore_lookup.c ${ESK_WEB_DIR}/explore_streams.c
    ${ESK_WEB_DIR}/explore_fold.c ${ESK_WEB_DIR}/explore_fold_workshop.c
    ${ESK_DOMAIN_DIR}/events.c ${ESK_DOMAIN_DIR}/state.c
    ${ESK_DOMAIN_DIR}/evolve.c)
target_include_directories(esk_explore PUBLIC ${ESK_WEB_DIR}
    PRIVATE ${ESK_DOMAIN_DIR})
target_link_libraries(esk_explore PUBLIC esk::esk PkgConfig::SQLITE3
    PRIVATE esk_warnings)

if(ESK_BUILD_TESTS)
    add_executable(test_explore ${ESK_WEB_DIR}/tests/test_explore.c
        ${ESK_WEB_DIR}/tests/explore_fixture.c)
    target_link_libraries(test_explore PRIVATE esk_explore PkgConfig::CMOCKA
        esk_warnings)
    add_test(NAME explore COMMAND test_explore)
endif()
