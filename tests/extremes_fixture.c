/*
 * tests/extremes_fixture.c - a memory store and a SQLite store holding
 * the same events, and the comparison of what each gave.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "aggregate_fixture.h"
#include "esk/decider.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"
#include "extremes_fixture.h"

/* ---- Two stores side by side ------------------------------------------ */

const char *const backend_names[2] = {"memory", "sqlite"};

static esk_time fixed_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}

void both_open_empty(both *b, esk_time now)
{
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    b->now = now;
    options.clock = fixed_clock;
    options.clock_ctx = &b->now;
    assert_int_equal(esk_store_open_memory(&b->store[0], &options), ESK_OK);
    assert_int_equal(esk_store_open_sqlite(&b->store[1], ":memory:", &options),
                     ESK_OK);
}

/* ring-1 at version 3 and knock-1 at version 2, interleaved: positions
 * 1 to 5, with the same ids on both stores. */
void both_open(both *b)
{
    both_open_empty(b, INT64_C(1795770000000000));
    static const struct {
        const char *stream, *id, *type;
    } rows[] = {
        {"ring-1", "e1", "Rang"},     {"knock-1", "e2", "Knocked"},
        {"ring-1", "e3", "Rang"},     {"knock-1", "e4", "Knocked"},
        {"ring-1", "e5", "Silenced"},
    };
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < COUNT(rows); i++) {
            const esk_new_event e = {rows[i].id, rows[i].type, 1, "{}", NULL};
            assert_int_equal(esk_store_append(b->store[s], rows[i].stream,
                                              ESK_ANY, &e, 1, NULL),
                             ESK_OK);
        }
}

void both_close(both *b)
{
    esk_store_free(b->store[0]);
    esk_store_free(b->store[1]);
}

void summarise_events(outcome *o, const esk_event_list *list)
{
    size_t used =
        (size_t)snprintf(o->summary, sizeof o->summary, "%zu:", list->count);
    for (size_t i = 0; i < list->count && used < sizeof o->summary; i++)
        used += (size_t)snprintf(o->summary + used, sizeof o->summary - used,
                                 " %s@%lld/%lld", list->events[i].event_id,
                                 (long long)list->events[i].version,
                                 (long long)list->events[i].position);
}

void assert_same(const outcome o[2], const char *call)
{
    if (o[0].status != o[1].status || strcmp(o[0].summary, o[1].summary) != 0)
        fail_msg("%s: the memory store gave %s (%s), SQLite %s (%s)", call,
                 esk_status_str(o[0].status), o[0].summary,
                 esk_status_str(o[1].status), o[1].summary);
}
