/*
 * tests/store_under_test.c - what the tests do the same way on every
 * store under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "esk/error.h"
#include "store_under_test.h"

esk_store *under_test_open(const char *where, const esk_store_options *options)
{
    esk_store *store = NULL;
    if (under_test->open(&store, where, options) != ESK_OK)
        fail_msg("opening the store at %s: %s", where, esk_errmsg());
    return store;
}

/* A kill while the first writer was making the tables leaves none (they
 * are made in one transaction). */
int64_t under_test_count_events(const char *where, const char *when)
{
    void *conn = under_test->inspect(where, when);
    int64_t count = 0;
    if (under_test->has_table(conn, "events"))
        count = under_test->number(conn, "SELECT count(*) FROM events", 0);
    under_test->close(conn);
    return count;
}
