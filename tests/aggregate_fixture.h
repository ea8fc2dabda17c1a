/*
 * tests/aggregate_fixture.h - a small Workshop aggregate, and esk's
 * allocator routed through cmocka's, shared by the aggregate, repository
 * and upcaster tests.
 */
#ifndef ESK_TESTS_AGGREGATE_FIXTURE_H
#define ESK_TESTS_AGGREGATE_FIXTURE_H

#include <stdint.h>

#include "esk/aggregate.h"

typedef struct workshop_scheduled {
    char title[64];
    int64_t capacity;
} workshop_scheduled;

/* Schema version 2: version 1 had {"name": "..."} and no seats. */
typedef struct attendee_registered {
    char attendee[64];
    int64_t seats;
} attendee_registered;

/* Not one of Workshop's event types. */
typedef struct workshop_cancelled {
    char reason[64];
} workshop_cancelled;

typedef struct workshop {
    esk_aggregate base;
    char title[64];
    int64_t capacity;
    int64_t seats_taken;
    int64_t attendees;
} workshop;

extern const esk_event_type workshop_scheduled_type;
extern const esk_event_type attendee_registered_type;
extern const esk_event_type workshop_cancelled_type;
/* The snapshot layout of workshop, version 1. */
extern const esk_event_type workshop_snapshot_type;
/* Workshop, with and without snapshots. */
extern const esk_aggregate_type workshop_type;
extern const esk_aggregate_type workshop_type_without_snapshot;

enum { WORKSHOP_ALREADY_SCHEDULED = 1, WORKSHOP_FULL = 2 };

/* How many times workshop's evolve ran: proves where a load started. */
extern long evolve_calls;

esk_status workshop_schedule(workshop *w, const char *title, int64_t capacity);
esk_status workshop_register(workshop *w, const char *attendee, int64_t seats);

/* Route esk's allocations (and jansson's) through cmocka's test_malloc,
 * so that every test also fails if it leaks. */
void use_checked_allocator(void);
/* The number of allocations that succeed before every next one fails;
 * -1 (the default) never fails. */
extern long allocations_before_failure;

#endif
