/*
 * tests/faults_fixture.h - what the out-of-memory sweep (test_faults.c)
 * shares with its scenarios: the counting allocator, text built outside
 * it, the rooms domain, the fixture and the scenario table's row.
 */
#ifndef ESK_TESTS_FAULTS_FIXTURE_H
#define ESK_TESTS_FAULTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "esk/aggregate.h"
#include "esk/codec.h"
#include "esk/command_bus.h"
#include "esk/decider.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"
#include "esk/upcast.h"

/* ---- The allocator: counts live blocks, fails the chosen allocation ---- */

extern long live_blocks;
/* Calls to malloc and realloc since fail_from() was armed. */
extern long allocations;
/* Whether an allocation was failed since the harness armed it. */
extern bool injected;

void *counting_malloc(size_t size);
void *counting_realloc(void *ptr, size_t size);
void counting_free(void *ptr);
void arm(long k, bool all_after);
void disarm(void);

/* ---- Text built with the C library, outside the counted allocator ------- */

typedef struct text {
    char *s;
    size_t len;
    size_t cap;
} text;

void add(text *t, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
char *take(text *t);

/* ---- The domain: rooms that guests book ---------------------------------
 *
 * Strings longer than 16 bytes appear on purpose: jansson grows its token
 * buffer past 16 bytes, and a failure there is one it does not report.
 */

typedef struct room_opened {
    char name[48];
    int64_t beds;
} room_opened;

typedef struct guest_booked {
    char guest[48];
    int64_t nights;
} guest_booked;

#define OPENED_JSON "{\"name\":\"the blue room on the first floor\",\"beds\":5}"
#define BOOKED_V1_JSON "{\"guest\":\"Ada King, Countess of Lovelace\"}"
#define BOOKED_JSON                                                            \
    "{\"guest\":\"Ada King, Countess of Lovelace\",\"nights\":1}"
#define META_JSON "{\"correlationId\":\"request-0001-from-the-front-desk\"}"

/* As an aggregate, with a snapshot of its whole state. */
typedef struct room {
    esk_aggregate base;
    char name[48];
    int64_t beds;
    int64_t booked;
} room;

typedef struct room_command {
    bool open;
    char name[48];
    char guest[48];
} room_command;

/* A projection of GuestBooked: one row per booking, in the store's SQLite
 * database (table bookings) or in memory. Applying an event twice has the
 * effect of applying it once. */
enum { MAX_POSITION = 64 };

typedef struct bookings {
    bool sql;
    bool seen[MAX_POSITION];
} bookings;

extern const esk_event_type room_opened_type;
extern const esk_event_type guest_booked_type;
extern const esk_aggregate_type room_type;
extern const esk_decider room_decider;
extern const room_command book_grace;
extern const esk_log_sink quiet_sink;
extern const char *const booking_types[];
extern const esk_process welcome_process;

esk_status on_room_command(esk_context *context, const esk_command *command,
                           void *data);
esk_status on_send_welcome(esk_context *context, const esk_command *command,
                           void *data);
esk_status booked_v1_to_v2(json_t *data);
esk_status booked_v1_to_v2_careless(json_t *data);
esk_projection bookings_projection(bookings *b);

/* ---- The fixture: a store and whatever a scenario builds on it ---------- */

typedef enum backend { NO_STORE, MEMORY, SQLITE, POSTGRES } backend;

/* The PostgreSQL store of test_postgres_alloc_faults.c, NULL in every
 * other program: one schema, emptied before each run of a scenario. */
typedef struct faults_server {
    esk_status (*open)(esk_store **out, const esk_store_options *options);
    void (*empty)(void);
} faults_server;
extern const faults_server *faults_postgres;

/* 2026-11-27T09:00:00Z: every recorded_at is known. */
#define CLOCK_START INT64_C(1795770000000000)

extern char temp_dir[64];

typedef struct fx {
    backend backend;
    char path[128];
    esk_time now;
    esk_store *store;

    esk_bus *bus;
    esk_repository *repo;
    esk_catchup *catchup;
    esk_process_runner *runner;
    esk_upcasters *upcasters;
    esk_read_model *read_model;
    sqlite3_stmt *stmt;
    bookings model;
    esk_projection projection;
    /* A live read keeps its model in memory, on either store. */
    bookings live_model;
    esk_projection live;

    room room;
    bool room_loaded;
    esk_decision decision;
    esk_handle_result handled;
    esk_command_result result;
    esk_append_result appended;
    esk_event_list list;
    esk_record record;
    char *owned;
    char *json;
    char buffer[512];
    size_t length;
    int64_t number;
    int announced;
    esk_error err;
} fx;

esk_store_options store_options(fx *f);
void remove_store_files(const char *path);
/* Open the fixture's backend at its place (the file, the schema); the
 * memory store is new each time. */
esk_status open_backend(fx *f, esk_store **out);
/* Open the fixture's store, new and empty. */
void open_store(fx *f);
void fx_init(fx *f, backend b);
void fx_close(fx *f);
/* Append one event to a stream, failing the test if it fails. id may be
 * NULL (generated). */
void seed(fx *f, const char *stream, const char *id, const char *type,
          int schema_version, const char *data);
/* Room 1: opened, then Ada booked (as version 1 of GuestBooked when old
 * is true). */
void seed_room(fx *f, bool old);
/* Generated event ids differ from run to run: only their shape counts. */
bool looks_generated(const char *id);
/* The store's content, read with the allocator restored. */
char *store_state(fx *f);
void describe_list(const esk_event_list *list, text *t);

/* ---- Scenarios ----------------------------------------------------------
 *
 * setup builds the world (nothing fails there), act is the operation
 * under test, observe describes its outputs: with done false (before act,
 * and after a failed act) what must be left untouched, with done true
 * what a success gives.
 */

typedef struct scenario {
    const char *name;
    backend backend;
    void (*setup)(fx *f);
    esk_status (*act)(fx *f);
    void (*observe)(fx *f, bool done, text *t);
    /* The failure's message; NULL when the API has no place for one. */
    const char *(*message)(fx *f);
    /* A status other than ESK_ENOMEM that the header documents for this
     * failure (ESK_ECALLBACK for a process's reaction...); ESK_OK if none. */
    esk_status also;
    /* For an operation that is not one unit of work (a rebuild resets,
     * then catches up batch by batch): checks that what it left is
     * consistent, and lets the records differ from both before and done as
     * long as the events do not. NULL: before or done, nothing else. */
    void (*consistent)(fx *f);
} scenario;

/* clang-format off */
#define ON_BOTH(name, setup, act, observe, message, also)                      \
    {"memory: " name, MEMORY, setup, act, observe, message, also, NULL},       \
    {"sqlite: " name, SQLITE, setup, act, observe, message, also, NULL}
/* clang-format on */

/* What several scenarios start from or observe. */
const char *last_message(fx *f);
void with_store(fx *f);
void with_room(fx *f);
/* Twelve bookings, every third in hall-1, the others in room-1. */
void with_many_events(fx *f);
void with_upcasters(fx *f);
void observe_nothing(fx *f, bool done, text *t);
extern const esk_new_event three_bookings[3];

/* One part's table of scenarios. */
typedef struct faults_part {
    const scenario *list;
    size_t count;
} faults_part;

/* faults_harness.c: sweep every scenario of the parts, as one cmocka
 * group named after name; returns the failures. ESK_FAULTS_ONLY filters
 * the scenarios by name, ESK_TEST_LONG=1 adds the long form. */
int faults_run(const char *name, const faults_part *parts, size_t n_parts);

/* The scenarios of each part of the API, in the order they run. */
extern const scenario store_scenarios[];
extern const size_t store_scenarios_count;
extern const scenario codec_scenarios[];
extern const size_t codec_scenarios_count;
extern const scenario command_scenarios[];
extern const size_t command_scenarios_count;
extern const scenario projection_scenarios[];
extern const size_t projection_scenarios_count;
extern const scenario process_scenarios[];
extern const size_t process_scenarios_count;
extern const scenario upcaster_scenarios[];
extern const size_t upcaster_scenarios_count;

#endif
