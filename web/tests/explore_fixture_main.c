/*
 * web/tests/explore_fixture_main.c - the explorer's fixture store for the
 * browser test (web/tests/browser/explore.test.mjs), which is not C:
 *
 *   explore-fixture make         writes the store in a new folder under
 *                                /tmp and prints the file's path
 *   explore-fixture append FILE  appends one more event to workshop-w-1,
 *                                as an application would while the page
 *                                is open
 *
 * and the same on PostgreSQL, in a schema of the server at ESK_TEST_PG:
 *
 *   explore-fixture make --schema NAME     (prints the scratch folder)
 *   explore-fixture append --schema NAME
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esk/error.h>
#include <esk/store.h>
#ifdef ESK_HAVE_POSTGRES
#include <esk/store_postgres.h>
#endif

#include "explore_fixture.h"

/* The store: the file at where, or (schema) the schema where of the
 * server at ESK_TEST_PG. */
static esk_status open_store(esk_store **store, const char *where, bool schema)
{
    if (!schema)
        return esk_store_open_sqlite(store, where, NULL);
#ifdef ESK_HAVE_POSTGRES
    const char *conninfo = getenv("ESK_TEST_PG");
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = where;
    return esk_store_open_postgres(store, conninfo != NULL ? conninfo : "",
                                   &options);
#else
    return esk_error_set(ESK_EINVAL, "this build has no PostgreSQL backend");
#endif
}

static int append(const char *where, bool schema)
{
    esk_store *store = NULL;
    const esk_new_event event = {
        "ev-7", "RegistrationCancelled", 1,
        "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\","
        "\"wasWaitlisted\":false}",
        "{\"correlationId\":\"req-7\",\"causationId\":\"cmd-7\"}"};
    esk_status rc = open_store(&store, where, schema);
    if (rc == ESK_OK)
        rc = esk_store_append(store, "workshop-w-1", 3, &event, 1, NULL);
    if (rc != ESK_OK)
        fprintf(stderr, "explore-fixture: %s\n", esk_errmsg());
    esk_store_free(store);
    return rc == ESK_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    bool schema = argc == 4 && strcmp(argv[2], "--schema") == 0;
    if (argc == 2 && strcmp(argv[1], "make") == 0) {
        explore_fixture f;
        explore_fixture_make(&f);
        printf("%s\n", f.path);
        return 0;
    }
#ifdef ESK_HAVE_POSTGRES
    if (schema && strcmp(argv[1], "make") == 0) {
        explore_fixture_use_postgres(getenv("ESK_TEST_PG"), argv[3]);
        explore_fixture f;
        explore_fixture_make(&f);
        printf("%s\n", f.dir);
        return 0;
    }
#endif
    if (argc == 3 && strcmp(argv[1], "append") == 0)
        return append(argv[2], false);
    if (schema && strcmp(argv[1], "append") == 0)
        return append(argv[3], true);
    fprintf(stderr, "usage: explore-fixture make | append FILE\n"
                    "       explore-fixture make | append --schema NAME "
                    "(on ESK_TEST_PG)\n");
    return 2;
}
