/*
 * web/tests/explore_fixture_main.c - the explorer's fixture store for the
 * browser test (web/tests/browser/explore.test.mjs), which is not C:
 *
 *   explore-fixture make         writes the store in a new folder under
 *                                /tmp and prints the file's path
 *   explore-fixture append FILE  appends one more event to workshop-w-1,
 *                                as an application would while the page
 *                                is open
 */
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <esk/error.h>
#include <esk/store.h>

#include "explore_fixture.h"

static int append(const char *path)
{
    esk_store *store = NULL;
    const esk_new_event event = {
        "ev-7", "RegistrationCancelled", 1,
        "{\"workshopId\":\"w-1\",\"attendeeId\":\"ada\","
        "\"wasWaitlisted\":false}",
        "{\"correlationId\":\"req-7\",\"causationId\":\"cmd-7\"}"};
    esk_status rc = esk_store_open_sqlite(&store, path, NULL);
    if (rc == ESK_OK)
        rc = esk_store_append(store, "workshop-w-1", 3, &event, 1, NULL);
    if (rc != ESK_OK)
        fprintf(stderr, "explore-fixture: %s\n", esk_errmsg());
    esk_store_free(store);
    return rc == ESK_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "make") == 0) {
        explore_fixture f;
        explore_fixture_make(&f);
        printf("%s\n", f.path);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "append") == 0)
        return append(argv[2]);
    fprintf(stderr, "usage: explore-fixture make | append FILE\n");
    return 2;
}
