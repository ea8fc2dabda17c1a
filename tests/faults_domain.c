/*
 * tests/faults_domain.c - the rooms that guests book, in every form the
 * out-of-memory sweep needs: event types, an aggregate with snapshots, a
 * decider, the command bus's handlers, an upcaster, a projection and a
 * process manager.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "faults_fixture.h"

static const esk_field room_opened_fields[] = {
    ESK_FIELD_STRING(room_opened, name, "name"),
    ESK_FIELD_INT64(room_opened, beds, "beds"),
};
const esk_event_type room_opened_type =
    ESK_EVENT_TYPE(room_opened, "RoomOpened", 1, room_opened_fields);

/* Version 2: version 1 had no nights (an upcaster adds "nights": 1). */
static const esk_field guest_booked_fields[] = {
    ESK_FIELD_STRING(guest_booked, guest, "guest"),
    ESK_FIELD_INT64(guest_booked, nights, "nights"),
};
const esk_event_type guest_booked_type =
    ESK_EVENT_TYPE(guest_booked, "GuestBooked", 2, guest_booked_fields);

static const esk_event_type *const room_events[] = {&room_opened_type,
                                                    &guest_booked_type};

static void room_evolve(void *state, const esk_event_type *type,
                        const void *event)
{
    room *r = state;
    if (strcmp(type->name, "RoomOpened") == 0) {
        const room_opened *e = event;
        memcpy(r->name, e->name, sizeof(r->name));
        r->beds = e->beds;
    } else {
        r->booked++;
    }
}

static const esk_field room_fields[] = {
    ESK_FIELD_STRING(room, name, "name"),
    ESK_FIELD_INT64(room, beds, "beds"),
    ESK_FIELD_INT64(room, booked, "booked"),
};
static const esk_event_type room_snapshot_type =
    ESK_EVENT_TYPE(room, "RoomSnapshot", 1, room_fields);

const esk_aggregate_type room_type = {
    .name = "Room",
    .category = "room",
    .state_size = sizeof(room),
    .event_types = room_events,
    .event_type_count = 2,
    .evolve = room_evolve,
    .snapshot = &room_snapshot_type,
};

/* As a decider. */
typedef struct room_state {
    char name[48];
    int64_t beds;
    int64_t booked;
} room_state;
static void room_state_evolve(void *state, const esk_event_type *type,
                              const void *event)
{
    room_state *s = state;
    if (strcmp(type->name, "RoomOpened") == 0) {
        const room_opened *e = event;
        memcpy(s->name, e->name, sizeof(s->name));
        s->beds = e->beds;
    } else {
        s->booked++;
    }
}

static esk_status room_decide(const void *state, const void *command,
                              esk_decision *decision)
{
    const room_state *s = state;
    const room_command *c = command;
    if (c->open) {
        if (s->beds > 0)
            return esk_decision_reject(decision, 1, "room '%s' is open",
                                       s->name);
        room_opened e = {"", 2};
        memcpy(e.name, c->name, sizeof(e.name));
        return esk_decision_emit(decision, &room_opened_type, &e);
    }
    if (s->booked >= s->beds)
        return esk_decision_reject(decision, 2, "room '%s' is full", s->name);
    guest_booked e = {"", 1};
    memcpy(e.guest, c->guest, sizeof(e.guest));
    return esk_decision_emit(decision, &guest_booked_type, &e);
}

const esk_decider room_decider = {
    .name = "Room",
    .category = "room",
    .state_size = sizeof(room_state),
    .event_types = room_events,
    .event_type_count = 2,
    .evolve = room_state_evolve,
    .decide = room_decide,
};

const room_command book_grace = {false, "", "Grace Brewster Murray Hopper"};

/* The command bus's handlers. */
esk_status on_room_command(esk_context *context, const esk_command *command,
                           void *data)
{
    (void)data;
    return esk_context_handle(context, &room_decider, "1", command->payload);
}

/* Writes a WelcomeSent event to "mail-<guest>", with the command's
 * correlation and causation ids. */
esk_status on_send_welcome(esk_context *context, const esk_command *command,
                           void *data)
{
    (void)data;
    esk_store *store = esk_context_store(context);
    char *metadata = NULL;
    esk_status rc =
        esk_metadata_encode(esk_context_metadata(context), &metadata);
    if (rc != ESK_OK)
        return esk_context_fail_with(context, rc);
    char stream[64];
    snprintf(stream, sizeof(stream), "mail-%s", (const char *)command->payload);
    esk_new_event e = {NULL, "WelcomeSent", 1, "{}", metadata};
    rc = esk_store_append(store, stream, ESK_ANY, &e, 1, NULL);
    esk_free(metadata);
    if (rc != ESK_OK)
        return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
    return ESK_OK;
}

static void quiet(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

const esk_log_sink quiet_sink = {quiet, NULL};

/* The upcaster of GuestBooked v1: "nights" did not exist and was 1. */
esk_status booked_v1_to_v2(json_t *data)
{
    if (json_object_set_new(data, "nights", json_integer(1)) != 0)
        return ESK_ENOMEM;
    return ESK_OK;
}

/* The same step, written carelessly: it does not look at what jansson
 * returns, so a failed allocation leaves "nights" out. esk notices. */
esk_status booked_v1_to_v2_careless(json_t *data)
{
    json_object_set_new(data, "nights", json_integer(1));
    return ESK_OK;
}

static esk_status sql_exec(esk_store *store, const char *sql)
{
    char *message = NULL;
    int rc =
        sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        esk_error_set(ESK_EIO, "%s: %s", sql, message != NULL ? message : "?");
        sqlite3_free(message);
        return ESK_EIO;
    }
    return ESK_OK;
}

static esk_status bookings_setup(void *ctx, esk_store *store)
{
    bookings *b = ctx;
    if (!b->sql)
        return ESK_OK;
    return sql_exec(store, "CREATE TABLE IF NOT EXISTS bookings("
                           "position INTEGER PRIMARY KEY, data TEXT NOT NULL)");
}

static esk_status bookings_reset(void *ctx, esk_store *store)
{
    bookings *b = ctx;
    if (!b->sql) {
        memset(b->seen, 0, sizeof(b->seen));
        return ESK_OK;
    }
    return sql_exec(store, "DELETE FROM bookings");
}

static esk_status bookings_handle(void *ctx, esk_store *store,
                                  const esk_event *event)
{
    bookings *b = ctx;
    if (event->position <= 0 || event->position >= MAX_POSITION)
        return ESK_EINVAL;
    if (!b->sql) {
        b->seen[event->position] = true;
        return ESK_OK;
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                "INSERT OR REPLACE INTO bookings VALUES(?, ?)",
                                -1, &stmt, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 1, event->position);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(stmt, 2, event->data, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(stmt) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) {
        esk_error_set(ESK_EIO, "%s",
                      sqlite3_errmsg(esk_store_sqlite_db(store)));
        return ESK_EIO;
    }
    return ESK_OK;
}

const char *const booking_types[] = {"GuestBooked"};

esk_projection bookings_projection(bookings *b)
{
    return (esk_projection){
        "bookings",     1, booking_types, 1, bookings_handle, bookings_setup,
        bookings_reset, b};
}

/* A process manager: welcome each guest booked, and remind one at tick. */
static esk_status welcome_react(void *ctx, esk_process_context *pc,
                                const esk_event *event)
{
    (void)ctx;
    guest_booked booked;
    esk_status rc = esk_codec_decode_event(&guest_booked_type, event, &booked);
    if (rc != ESK_OK)
        return esk_process_fail(pc, rc, "%s", esk_errmsg());
    esk_command welcome = {"SendWelcome", NULL, NULL, "ada", NULL};
    return esk_process_send(pc, &welcome, NULL, NULL);
}

static esk_status welcome_tick(void *ctx, esk_process_context *pc, esk_time now)
{
    (void)ctx;
    (void)now;
    esk_command remind = {"SendWelcome", NULL, NULL, "grace", NULL};
    return esk_process_send(pc, &remind, "reminder/grace", NULL);
}

const esk_process welcome_process = {
    "welcome", booking_types, 1, welcome_react, welcome_tick, NULL,
};
