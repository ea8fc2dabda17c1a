/*
 * tests/registration_fixture.h - workshop registration events on either
 * store backend, shared by the projection and process manager tests.
 *
 * Streams are "workshop-<id>"; every event names its workshop, so that
 * read models fed by several streams (an attendee's agenda) can be built.
 */
#ifndef ESK_TESTS_REGISTRATION_FIXTURE_H
#define ESK_TESTS_REGISTRATION_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "esk/codec.h"
#include "esk/store.h"

typedef struct workshop_scheduled {
    char workshop_id[32];
    char title[64];
    int64_t capacity;
} workshop_scheduled;

/* AttendeeRegistered and AttendeeCancelled share this layout. */
typedef struct attendee_event {
    char workshop_id[32];
    char attendee[32];
} attendee_event;

extern const esk_event_type workshop_scheduled_type;
extern const esk_event_type attendee_registered_type;
extern const esk_event_type attendee_cancelled_type;

/* Which store a test runs on: the same tests run on both. */
typedef struct backend {
    const char *name;
    bool sqlite;
} backend;

extern const backend memory_backend;
extern const backend sqlite_backend;

typedef struct fixture {
    esk_store *store;
    const backend *backend;
    /* The store's clock reads this; a test moves time by setting it. */
    esk_time now;
} fixture;

/* 2026-11-27T09:00:00Z */
#define CLOCK_START INT64_C(1795770000000000)
#define ONE_HOUR INT64_C(3600000000)

/* Open a fresh store (SQLite: ":memory:") on the fixture's clock. */
void fixture_open(fixture *f, const backend *b);
/* Open (or reopen) a SQLite store in a file. */
void fixture_open_file(fixture *f, const char *path);
void fixture_close(fixture *f);

/* Append one event of a type, encoded from a struct, to "workshop-<id>";
 * metadata may be NULL. Fails the test when the append fails. */
void append_typed(fixture *f, const char *workshop_id,
                  const esk_event_type *type, const void *event,
                  const char *metadata);
void schedule(fixture *f, const char *workshop_id, const char *title,
              int64_t capacity);
void register_attendee(fixture *f, const char *workshop_id,
                       const char *attendee);
void cancel_attendee(fixture *f, const char *workshop_id, const char *attendee);

int64_t head_of(fixture *f);
/* A checkpoint record's position, -1 when there is none. */
int64_t checkpoint_of(fixture *f, const char *key);
/* Write a checkpoint record by hand (to simulate a lost checkpoint). */
void set_checkpoint(fixture *f, const char *key, int64_t position, int version);

/* Fail the test unless text contains part. */
void assert_contains(const char *text, const char *part);

/* Route esk's allocations (and jansson's) through cmocka's test_malloc,
 * so that every test also fails if it leaks. */
void use_checked_allocator(void);

#endif
