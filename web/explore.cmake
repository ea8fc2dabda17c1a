# The explorer (./kata explore): a read-only web page on an esk store, a
# SQLite file or a PostgreSQL schema. Its views (explore_*.c) are a
# library of their own, so that the tests call them without a server; the
# server and kata-explore sit on the web layer (web/CMakeLists.txt).
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
# The three reads esk has no function for, one file per backend
# (explore_catalog.h); PostgreSQL's when the library has that backend.
target_sources(esk_explore PRIVATE ${ESK_WEB_DIR}/explore_catalog_sqlite.c)
if(ESK_HAVE_POSTGRES)
    target_sources(esk_explore PRIVATE
        ${ESK_WEB_DIR}/explore_catalog_postgres.c)
    target_link_libraries(esk_explore PRIVATE PkgConfig::LIBPQ)
endif()

# The page's routes, with its files compiled in.
add_library(esk_explore_server STATIC ${ESK_WEB_DIR}/explore_server.c)
target_link_libraries(esk_explore_server PUBLIC esk_explore esk_web
    PRIVATE esk_warnings)
esk_web_embed(esk_explore_server explore_assets
    ${ESK_WEB_DIR}/assets/explore.html ${ESK_WEB_DIR}/assets/explore.js
    ${ESK_WEB_DIR}/assets/explore.css)

add_executable(kata-explore ${ESK_WEB_DIR}/explore_main.c)
target_link_libraries(kata-explore PRIVATE esk_explore_server esk_warnings)
# In build/web, beside the room's program, where ./kata explore finds it.
set_target_properties(kata-explore PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/web)

if(ESK_BUILD_TESTS)
    add_executable(test_explore ${ESK_WEB_DIR}/tests/test_explore.c
        ${ESK_WEB_DIR}/tests/explore_fixture.c)
    target_link_libraries(test_explore PRIVATE esk_explore PkgConfig::CMOCKA
        esk_warnings)
    add_test(NAME explore COMMAND test_explore)
    if(ESK_HAVE_POSTGRES)
        # The same views on the same store in a PostgreSQL schema; skipped
        # (77) without a server (ESK_TEST_PG), as tests/ -L postgres.
        target_link_libraries(test_explore PRIVATE PkgConfig::LIBPQ
            esk_pg_support)
        add_test(NAME explore_postgres COMMAND test_explore --postgres)
        set_tests_properties(explore_postgres PROPERTIES
            SKIP_RETURN_CODE 77 LABELS postgres)
    endif()
endif()

if(ESK_BUILD_TESTS)
    # The HTTP answers, through the web layer's own client.
    add_executable(test_explore_server
        ${ESK_WEB_DIR}/tests/test_explore_server.c
        ${ESK_WEB_DIR}/tests/explore_fixture.c)
    target_link_libraries(test_explore_server PRIVATE esk_explore_server
        esk_web_client PkgConfig::CMOCKA esk_warnings)
    add_test(NAME explore_server COMMAND test_explore_server)
    if(ESK_HAVE_POSTGRES)
        target_link_libraries(test_explore_server PRIVATE PkgConfig::LIBPQ)
        add_test(NAME explore_server_postgres
            COMMAND test_explore_server --postgres)
        set_tests_properties(explore_server_postgres PROPERTIES
            SKIP_RETURN_CODE 77 LABELS postgres)
    endif()
endif()

if(ESK_BUILD_TESTS)
    # The page in Debian's headless Chromium (web/tests/browser/): skipped,
    # with what to install, when Chromium or its node_modules are missing.
    add_executable(explore-fixture ${ESK_WEB_DIR}/tests/explore_fixture_main.c
        ${ESK_WEB_DIR}/tests/explore_fixture.c)
    target_link_libraries(explore-fixture PRIVATE esk::esk PkgConfig::CMOCKA
        esk_warnings)
    if(ESK_HAVE_POSTGRES)
        # explore_fixture.c can write the store on PostgreSQL too.
        target_link_libraries(explore-fixture PRIVATE PkgConfig::LIBPQ)
    endif()
    # As room_browser (web/tests/CMakeLists.txt): .ci/run sets
    # ESK_BROWSER_TEST_REQUIRED=1, which turns a skip into a failure.
    find_program(ESK_NODE node)
    if(ESK_NODE)
        add_test(NAME explore_browser
            COMMAND ${ESK_NODE} ${ESK_WEB_DIR}/tests/browser/explore.test.mjs
                $<TARGET_FILE:kata-explore> $<TARGET_FILE:explore-fixture>
                ${CMAKE_BINARY_DIR}/web/screenshots)
    else()
        add_test(NAME explore_browser
            COMMAND sh -c "echo 'SKIP: node is not installed'; [ \"$ESK_BROWSER_TEST_REQUIRED\" != 1 ] || exit 1; exit 77")
    endif()
    set_tests_properties(explore_browser PROPERTIES SKIP_RETURN_CODE 77
        TIMEOUT 120)
    if(ESK_HAVE_POSTGRES AND ESK_NODE)
        # The same page on a PostgreSQL schema: with the postgres label,
        # skipped (77) without a server (ESK_TEST_PG).
        add_test(NAME explore_browser_postgres
            COMMAND ${ESK_NODE} ${ESK_WEB_DIR}/tests/browser/explore.test.mjs
                --postgres $<TARGET_FILE:kata-explore>
                $<TARGET_FILE:explore-fixture>
                ${CMAKE_BINARY_DIR}/web/screenshots)
        set_tests_properties(explore_browser_postgres PROPERTIES
            SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS postgres)
    endif()
endif()
