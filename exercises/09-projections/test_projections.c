/*
 * test_projections.c - events in, rows out; questions in, rows out.
 *
 * The projection specs tell a story (given these events, in these
 * streams) and read the tables the projection made. Each spec runs twice:
 * once as told, and once with every event delivered twice, which must
 * leave the same rows (delivery is at least once).
 *
 * The query tests fill the tables themselves, so that your queries can be
 * tried before your projections work; the last two tests put everything
 * together, as an application would.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/codec.h>
#include <esk/projection.h>
#include <esk/store.h>
#include <esk/testing.h>

#include "exercise.h"
#include "read_models.h"

#define CATALOGUE_ROWS                                                         \
    "SELECT workshop_id, title, starts_on, seats_left, waitlist_length "       \
    "FROM catalogue ORDER BY workshop_id"
#define AGENDA_ROWS                                                            \
    "SELECT attendee_id, workshop_id, title, starts_on, place "                \
    "FROM agenda ORDER BY attendee_id, workshop_id"

/* --- The story of a spec: one helper per event ---------------------------- */

/* "workshop-w-1" for "w-1". */
static const char *stream_of(const char *workshop_id, char *buf, size_t size)
{
    snprintf(buf, size, "workshop-%s", workshop_id);
    return buf;
}

static void given_scheduled(esk_projection_spec *spec, const char *workshop_id,
                            const char *title, const char *starts_on,
                            int64_t capacity)
{
    char stream[ID_SIZE + 16];
    workshop_scheduled e = {.capacity = capacity};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.title, sizeof(e.title), "%s", title);
    snprintf(e.starts_on, sizeof(e.starts_on), "%s", starts_on);
    esk_projection_spec_given(spec,
                              stream_of(workshop_id, stream, sizeof(stream)),
                              &workshop_scheduled_type, &e);
}

static void given_registered(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    attendee_registered e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", attendee_id);
    esk_projection_spec_given(spec,
                              stream_of(workshop_id, stream, sizeof(stream)),
                              &attendee_registered_type, &e);
}

static void given_waitlisted(esk_projection_spec *spec, const char *workshop_id,
                             const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    attendee_waitlisted e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    snprintf(e.name, sizeof(e.name), "%s", attendee_id);
    esk_projection_spec_given(spec,
                              stream_of(workshop_id, stream, sizeof(stream)),
                              &attendee_waitlisted_type, &e);
}

static void given_cancelled(esk_projection_spec *spec, const char *workshop_id,
                            const char *attendee_id, bool was_waitlisted)
{
    char stream[ID_SIZE + 16];
    registration_cancelled e = {.was_waitlisted = was_waitlisted};
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_projection_spec_given(spec,
                              stream_of(workshop_id, stream, sizeof(stream)),
                              &registration_cancelled_type, &e);
}

static void given_promoted(esk_projection_spec *spec, const char *workshop_id,
                           const char *attendee_id)
{
    char stream[ID_SIZE + 16];
    waitlisted_attendee_promoted e;
    memset(&e, 0, sizeof(e));
    snprintf(e.workshop_id, sizeof(e.workshop_id), "%s", workshop_id);
    snprintf(e.attendee_id, sizeof(e.attendee_id), "%s", attendee_id);
    esk_projection_spec_given(spec,
                              stream_of(workshop_id, stream, sizeof(stream)),
                              &waitlisted_attendee_promoted_type, &e);
}

/* --- The catalogue projection --------------------------------------------- */

static void
a_scheduled_workshop_enters_the_catalogue_with_every_seat_free(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 12);
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|12|0");
    esk_projection_spec_hint(
        spec, "On WorkshopScheduled, insert the workshop's row: its id, "
              "title and date, all its capacity as seats_left, nobody "
              "waiting, and the event's position as last_position. "
              "decode_workshop_event() gives you the event as a struct. "
              "Delivered twice, the same event must not fail: INSERT OR "
              "IGNORE leaves a row that is already there as it is.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void each_registration_takes_a_seat_then_a_place_in_line(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 2);
    given_registered(spec, "w-1", "ada");
    given_registered(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|0|1");
    esk_projection_spec_hint(
        spec, "AttendeeRegistered: one seat less; AttendeeWaitlisted: one "
              "more waiting. If only the run with every event applied twice "
              "fails, counting counted twice: guard each UPDATE with "
              "\"AND last_position < ?\" (the event's position) and set "
              "last_position to it, so that an event seen before finds "
              "nothing to change.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_cancellation_gives_back_a_seat_or_a_place_in_line(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "cleo");
    given_cancelled(spec, "w-1", "bob", true);
    given_cancelled(spec, "w-1", "ada", false);
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|1|1");
    esk_projection_spec_hint(
        spec, "RegistrationCancelled says which: wasWaitlisted true gives "
              "back a place in line (waitlist_length - 1), false gives back "
              "a seat (seats_left + 1).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_promotion_turns_a_place_in_line_into_a_seat(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_cancelled(spec, "w-1", "ada", false);
    given_promoted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|0|0");
    esk_projection_spec_hint(
        spec, "WaitlistedAttendeePromoted: one waiting less and one seat "
              "less, in one UPDATE (both changes, one guard).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void every_workshop_has_a_row_of_its_own(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 2);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_registered(spec, "w-2", "ada");
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-2", "bob");
    esk_projection_spec_expect_rows(spec, CATALOGUE_ROWS,
                                    "w-1|Event Sourcing 101|2026-12-01|1|0\n"
                                    "w-2|DDD Distilled|2026-11-15|0|1");
    esk_projection_spec_hint(
        spec, "Each event changes the row of its own workshop: WHERE "
              "workshop_id = the event's workshopId. The guard compares "
              "positions row by row: a row's last_position is the last event "
              "of that workshop it applied.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void a_workshop_id_with_a_quote_is_data_not_sql(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&catalogue_projection, true);
    given_scheduled(spec, "o'neil-1", "Event Sourcing 101", "2026-12-01", 2);
    given_registered(spec, "o'neil-1", "ada");
    given_waitlisted(spec, "o'neil-1", "bob");
    esk_projection_spec_expect_rows(
        spec, CATALOGUE_ROWS, "o'neil-1|Event Sourcing 101|2026-12-01|1|1");
    esk_projection_spec_hint(
        spec, "The workshop id comes from an event, and may hold a quote. "
              "snprintf() may build the SET part, which is the code's own "
              "text; the id is data: leave it as ?1 in the SQL and give it "
              "with SQL_TEXT(). Pasted into the text, a quote breaks the "
              "statement (or, chosen by someone, changes it).");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

/* --- The agenda projection ------------------------------------------------ */

static void
a_registration_puts_the_workshop_on_the_attendees_agenda(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "bob|w-1|Event Sourcing 101|2026-12-01|waitlist");
    esk_projection_spec_hint(
        spec, "A registration carries no title: note each workshop's title "
              "and date in agenda_workshops on WorkshopScheduled, and copy "
              "them into the agenda row: INSERT OR REPLACE INTO agenda "
              "SELECT ?1, workshop_id, title, starts_on, 'seat' FROM "
              "agenda_workshops WHERE workshop_id = ?2.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
an_agenda_gathers_rows_from_the_streams_of_many_workshops(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_registered(spec, "w-1", "ada");
    given_registered(spec, "w-2", "bob");
    given_waitlisted(spec, "w-2", "ada");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "ada|w-2|DDD Distilled|2026-11-15|waitlist\n"
        "bob|w-2|DDD Distilled|2026-11-15|seat");
    esk_projection_spec_hint(
        spec, "Ada's rows come from two streams, workshop-w-1 and "
              "workshop-w-2: the agenda is keyed by attendee AND workshop, "
              "so that each registration has its own row.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
a_promotion_gives_a_seat_and_a_cancellation_removes_the_row(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_registered(spec, "w-1", "ada");
    given_waitlisted(spec, "w-1", "bob");
    given_cancelled(spec, "w-1", "ada", false);
    given_promoted(spec, "w-1", "bob");
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS, "bob|w-1|Event Sourcing 101|2026-12-01|seat");
    esk_projection_spec_hint(
        spec, "WaitlistedAttendeePromoted: UPDATE agenda SET place = 'seat' "
              "for that attendee and workshop. RegistrationCancelled: DELETE "
              "that row. Both are idempotent as they are: they set, they do "
              "not count.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

static void
a_promotion_or_a_cancellation_changes_one_row_of_the_agenda(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&agenda_projection, true);
    given_scheduled(spec, "w-1", "Event Sourcing 101", "2026-12-01", 1);
    given_scheduled(spec, "w-2", "DDD Distilled", "2026-11-15", 1);
    given_scheduled(spec, "w-3", "CQRS in Practice", "2027-01-20", 1);
    given_registered(spec, "w-1", "bob");
    given_waitlisted(spec, "w-1", "ada");
    given_registered(spec, "w-2", "cleo");
    given_waitlisted(spec, "w-2", "ada");
    given_registered(spec, "w-3", "ada");
    given_cancelled(spec, "w-1", "bob", false);
    given_promoted(spec, "w-1", "ada");
    given_cancelled(spec, "w-3", "ada", false);
    esk_projection_spec_expect_rows(
        spec, AGENDA_ROWS,
        "ada|w-1|Event Sourcing 101|2026-12-01|seat\n"
        "ada|w-2|DDD Distilled|2026-11-15|waitlist\n"
        "cleo|w-2|DDD Distilled|2026-11-15|seat");
    esk_projection_spec_hint(
        spec, "Ada was promoted at w-1 and still waits at w-2; she cancelled "
              "w-3 and keeps the other two. An event of one workshop changes "
              "that workshop's row only: the promotion's UPDATE and the "
              "cancellation's DELETE need WHERE attendee_id = ? AND "
              "workshop_id = ?.");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

/* --- Queries, on a read model the tests fill themselves ------------------- */

typedef struct read_side {
    esk_store *store;
    esk_read_model *read_model;
} read_side;

/* A SQLite store whose read model holds the given rows (SQL INSERTs),
 * and a query handle on it. */
static void open_read_side(read_side *r, const char *rows)
{
    char *message = NULL;
    r->store = NULL;
    r->read_model = NULL;
    check_status(esk_store_open_sqlite(&r->store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(r->store);
    check_status(catalogue_projection.setup(NULL, r->store), ESK_OK,
                 "The catalogue's table should be created.");
    check_status(agenda_projection.setup(NULL, r->store), ESK_OK,
                 "The agenda's tables should be created.");
    int rc =
        sqlite3_exec(esk_store_sqlite_db(r->store), rows, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        print_error("SQLite said: %s\n", message);
    sqlite3_free(message);
    check_int(rc, SQLITE_OK, "The test's rows should be inserted.");
    check_status(esk_read_model_open(&r->read_model, r->store), ESK_OK,
                 "A query handle opens on a SQLite store.");
}

static void close_read_side(read_side *r)
{
    esk_read_model_free(r->read_model);
    esk_store_free(r->store);
}

#define THREE_WORKSHOPS                                                        \
    "INSERT INTO catalogue VALUES "                                            \
    "('w-1', 'Event Sourcing 101', '2026-12-01', 3, 0, 1),"                    \
    "('w-2', 'DDD Distilled', '2026-11-15', 0, 2, 4),"                         \
    "('w-3', 'CQRS in Practice', '2027-01-20', 12, 0, 5);"

/* A status check that also shows what the query said. */
#define expect_query_ok(rc, hint)                                              \
    expect_query_ok_at((rc), #rc, (hint), __FILE__, __LINE__)

static void expect_query_ok_at(esk_status rc, const char *what,
                               const char *hint, const char *file, int line)
{
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the query said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

static void the_catalogue_lists_workshops_soonest_first(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[5];
    size_t count = 99;

    open_read_side(&r, THREE_WORKSHOPS);
    esk_status rc = catalogue_list(r.read_model, entries, 5, &count);
    expect_query_ok(rc,
                    "Prepare the SELECT with esk_read_model_prepare(), step "
                    "it, copy each row, finalize it.");
    check_int(count, 3, "Three workshops in the catalogue: *count is 3.");
    check_string(entries[0].workshop_id, "w-2",
                 "Soonest first: ORDER BY starts_on (w-2 starts on "
                 "2026-11-15).");
    check_string(entries[0].title, "DDD Distilled",
                 "Copy the title with copy_column().");
    check_string(entries[0].starts_on, "2026-11-15",
                 "Copy the date with copy_column().");
    check_int(entries[0].seats_left, 0,
              "Read seats_left with sqlite3_column_int64().");
    check_int(entries[0].waitlist_length, 2,
              "Read waitlist_length with sqlite3_column_int64().");
    check_string(entries[1].workshop_id, "w-1", "Then w-1 (2026-12-01).");
    check_string(entries[2].workshop_id, "w-3", "Then w-3 (2027-01-20).");
    check_int(entries[2].seats_left, 12, "w-3 has 12 seats left.");

    close_read_side(&r);
}

static void
the_catalogue_fills_no_more_entries_than_there_is_room_for(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 99;

    memset(&entries[2], 0, sizeof(entries[2]));
    snprintf(entries[2].workshop_id, sizeof(entries[2].workshop_id),
             "untouched");
    open_read_side(&r, THREE_WORKSHOPS);
    esk_status rc = catalogue_list(r.read_model, entries, 2, &count);
    expect_query_ok(rc, "A catalogue longer than max is not an error.");
    check_int(count, 2,
              "Room for 2 entries: fill 2, and stop stepping (n < max in the "
              "loop's condition).");
    check_string(entries[1].workshop_id, "w-1",
                 "The 2 soonest: w-2, then w-1.");
    check_string(entries[2].workshop_id, "untouched",
                 "Never write past max entries: the caller's array holds "
                 "max, no more.");

    close_read_side(&r);
}

#define AGENDAS                                                                \
    "INSERT INTO agenda VALUES "                                               \
    "('ada', 'w-1', 'Event Sourcing 101', '2026-12-01', 'seat'),"              \
    "('ada', 'w-2', 'DDD Distilled', '2026-11-15', 'waitlist'),"               \
    "('bob', 'w-2', 'DDD Distilled', '2026-11-15', 'seat'),"                   \
    "('o''neil', 'w-3', 'CQRS in Practice', '2027-01-20', 'seat');"

static void an_agenda_lists_one_attendees_workshops_soonest_first(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[5];
    size_t count = 99;

    open_read_side(&r, AGENDAS);
    esk_status rc = agenda_for(r.read_model, "ada", entries, 5, &count);
    expect_query_ok(rc,
                    "Prepare the SELECT with esk_read_model_prepare(), bind "
                    "the attendee id as ?1 (sqlite3_bind_text), step, copy, "
                    "finalize.");
    check_int(count, 2,
              "Ada has two rows (WHERE attendee_id = ?1): bob's are not "
              "hers.");
    check_string(entries[0].workshop_id, "w-2",
                 "Soonest first: ORDER BY starts_on.");
    check_string(entries[0].title, "DDD Distilled", "Copy the title.");
    check_string(entries[0].starts_on, "2026-11-15", "Copy the date.");
    check_string(entries[0].place, "waitlist",
                 "Copy the place: Ada waits for w-2.");
    check_string(entries[1].place, "seat", "Ada has a seat at w-1.");

    rc = agenda_for(r.read_model, "o'neil", entries, 5, &count);
    expect_query_ok(rc,
                    "An id with a quote must work too: bind it with "
                    "sqlite3_bind_text(stmt, 1, attendee_id, -1, "
                    "SQLITE_STATIC), never paste it into the SQL text (that "
                    "is how SQL injection happens).");
    check_int(count, 1, "O'Neil has one row.");

    close_read_side(&r);
}

static void an_attendee_with_no_registration_has_an_empty_agenda(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[2];
    size_t count = 99;

    open_read_side(&r, AGENDAS);
    esk_status rc = agenda_for(r.read_model, "zoe", entries, 2, &count);
    expect_query_ok(rc, "Nobody's rows is an answer, not a failure: ESK_OK.");
    check_int(count, 0, "Zoe registered for nothing: *count is 0.");

    close_read_side(&r);
}

static void an_agenda_fills_no_more_entries_than_there_is_room_for(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[2];
    size_t count = 99;

    memset(&entries[1], 0, sizeof(entries[1]));
    snprintf(entries[1].workshop_id, sizeof(entries[1].workshop_id),
             "untouched");
    open_read_side(&r, AGENDAS);
    esk_status rc = agenda_for(r.read_model, "ada", entries, 1, &count);
    expect_query_ok(rc, "An agenda longer than max is not an error.");
    check_int(count, 1,
              "Room for 1 entry: fill 1, and stop stepping (n < max in the "
              "loop's condition).");
    check_string(entries[0].workshop_id, "w-2", "The soonest: w-2.");
    check_string(entries[1].workshop_id, "untouched",
                 "Never write past max entries: the caller's array holds "
                 "max, no more.");

    close_read_side(&r);
}

static void workshops_on_the_same_day_are_listed_by_id(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 0;

    /* Inserted in the reverse of the expected order. */
    open_read_side(&r, "INSERT INTO catalogue VALUES "
                       "('w-5', 'Event Storming', '2026-12-01', 8, 0, 6),"
                       "('w-4', 'Sagas', '2026-12-01', 6, 0, 3);");
    esk_status rc = catalogue_list(r.read_model, entries, 3, &count);
    expect_query_ok(rc, "The catalogue query should answer.");
    check_int(count, 2, "Two workshops in the catalogue.");
    check_string(entries[0].workshop_id, "w-4",
                 "Both start on 2026-12-01. Without a second key, SQLite may "
                 "give them in any order (here, the order they were "
                 "written), and the screen would shuffle between two "
                 "reloads: ORDER BY starts_on, workshop_id.");

    close_read_side(&r);
}

static void an_empty_catalogue_lists_nothing(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[2];
    size_t count = 99;

    open_read_side(&r, "");
    esk_status rc = catalogue_list(r.read_model, entries, 2, &count);
    expect_query_ok(rc, "No workshop yet is an answer, not a failure: ESK_OK.");
    check_int(count, 0,
              "Nothing was filled: *count is 0. Set it after the loop, "
              "whether or not a row came.");

    close_read_side(&r);
}

/* A progress handler that stops every statement it is asked about. */
static int interrupt_every_statement(void *ctx)
{
    (void)ctx;
    return 1;
}

static void a_query_that_fails_midway_says_so(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry workshops[3];
    agenda_entry agenda[3];
    size_t count = 99;
    sqlite3_stmt *probe = NULL;

    open_read_side(&r, THREE_WORKSHOPS AGENDAS);
    check_status(esk_read_model_prepare(r.read_model, "SELECT 1", &probe),
                 ESK_OK, "The test's probe query should prepare.");
    sqlite3 *db = sqlite3_db_handle(probe);
    sqlite3_finalize(probe);
    /* From now on, every step of the read model's queries is interrupted,
     * as a query cancelled or a disk error would stop it. */
    sqlite3_progress_handler(db, 1, interrupt_every_statement, NULL);
    esk_status rc = catalogue_list(r.read_model, workshops, 3, &count);
    check_status(rc, ESK_EIO,
                 "sqlite3_step() answered SQLITE_INTERRUPT, not SQLITE_ROW "
                 "nor SQLITE_DONE: the loop stopped because the query "
                 "failed, not because the rows ran out. Look at what the "
                 "last sqlite3_step() said, and return ESK_EIO with "
                 "SQLite's message.");
    check_int(count, 0, "A failed query fills nothing: *count is 0.");
    check_true(esk_errmsg()[0] != '\0',
               "The last error says why: esk_error_set(ESK_EIO, ...) with "
               "sqlite3_errmsg() of the statement's database.");
    count = 99;
    rc = agenda_for(r.read_model, "ada", agenda, 3, &count);
    sqlite3_progress_handler(db, 0, NULL, NULL);
    check_status(rc, ESK_EIO,
                 "agenda_for() too: a query that stopped on SQLITE_INTERRUPT "
                 "failed, it did not find an empty agenda.");
    check_int(count, 0, "A failed query fills nothing: *count is 0.");

    close_read_side(&r);
}

/* --- Everything together: events appended, read model in step ------------- */

static void append(esk_store *store, const char *workshop_id,
                   const esk_event_type *type, const void *event)
{
    char stream[ID_SIZE + 16];
    char *json = NULL;
    check_status(esk_codec_encode(type, event, &json), ESK_OK,
                 "The test's event should encode.");
    const esk_new_event e = {.type = type->name,
                             .schema_version = type->schema_version,
                             .data = json};
    esk_status rc =
        esk_store_append(store, stream_of(workshop_id, stream, sizeof(stream)),
                         ESK_ANY, &e, 1, NULL);
    esk_free(json);
    if (rc != ESK_OK)
        print_error("the store said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "The append runs the inline projections, in its own "
                 "transaction: when one of your handlers fails, the append "
                 "fails and nothing is written (the store's message says "
                 "which handler and why).");
}

/* The catalogue's one row, as "seats left|waiting". */
static void catalogue_line(esk_read_model *read_model, char *buf, size_t size)
{
    catalogue_entry entries[2];
    size_t count = 0;
    expect_query_ok(catalogue_list(read_model, entries, 2, &count),
                    "The catalogue query should answer.");
    check_int(count, 1, "One workshop in the catalogue.");
    snprintf(buf, size, "%lld|%lld", (long long)entries[0].seats_left,
             (long long)entries[0].waitlist_length);
}

static void
inline_projections_keep_the_read_model_in_step_with_the_events(void **state)
{
    (void)state;
    esk_store *store = NULL;
    esk_read_model *read_model = NULL;
    char line[64];
    agenda_entry agenda[2];
    size_t count = 0;

    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    check_status(esk_projection_attach_inline(store, &catalogue_projection),
                 ESK_OK, "The catalogue projection should attach.");
    check_status(esk_projection_attach_inline(store, &agenda_projection),
                 ESK_OK, "The agenda projection should attach.");
    check_status(esk_read_model_open(&read_model, store), ESK_OK,
                 "A query handle opens on a SQLite store.");

    append(store, "w-1", &workshop_scheduled_type,
           &(workshop_scheduled){.workshop_id = "w-1",
                                 .title = "Event Sourcing 101",
                                 .starts_on = "2026-12-01",
                                 .capacity = 1});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "1|0", "Scheduled: one seat left, nobody waiting.");

    append(store, "w-1", &attendee_registered_type,
           &(attendee_registered){
               .workshop_id = "w-1", .attendee_id = "ada", .name = "Ada"});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "0|0",
                 "Right after the append, the catalogue shows Ada's seat: an "
                 "inline projection runs in the append's transaction.");

    append(store, "w-1", &attendee_waitlisted_type,
           &(attendee_waitlisted){
               .workshop_id = "w-1", .attendee_id = "bob", .name = "Bob"});
    catalogue_line(read_model, line, sizeof(line));
    check_string(line, "0|1", "Bob waits.");
    expect_query_ok(agenda_for(read_model, "bob", agenda, 2, &count),
                    "The agenda query should answer.");
    check_int(count, 1, "Bob's agenda has w-1.");
    check_string(agenda[0].place, "waitlist", "Bob is on the waitlist.");

    esk_read_model_free(read_model);
    esk_store_free(store);
}

static void an_event_a_projection_cannot_read_fails_the_append(void **state)
{
    (void)state;
    const esk_projection *const projections[] = {&catalogue_projection,
                                                 &agenda_projection};
    char *json = NULL;
    const workshop_scheduled scheduled = {.workshop_id = "w-1",
                                          .title = "Event Sourcing 101",
                                          .starts_on = "2026-12-01",
                                          .capacity = 1};
    check_status(esk_codec_encode(&workshop_scheduled_type, &scheduled, &json),
                 ESK_OK, "The test's event should encode.");
    const esk_new_event good = {.type = workshop_scheduled_type.name,
                                .schema_version = 1,
                                .data = json};
    /* An AttendeeRegistered without its attendee: its data does not fit
     * the event type. */
    const esk_new_event broken = {.type = "AttendeeRegistered",
                                  .schema_version = 1,
                                  .data = "{\"workshopId\":\"w-1\"}"};

    for (size_t i = 0; i < 2; i++) {
        esk_store *store = NULL;
        int64_t version = -1;
        check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                     "A SQLite store in memory should always open.");
        exercise_watch_store(store);
        check_status(esk_projection_attach_inline(store, projections[i]),
                     ESK_OK, "The projection should attach.");
        esk_status rc =
            esk_store_append(store, "workshop-w-1", ESK_ANY, &good, 1, NULL);
        if (rc != ESK_OK)
            print_error("the store said: %s\n", esk_errmsg());
        check_status(rc, ESK_OK,
                     "A WorkshopScheduled goes through the projection: its "
                     "handler answers ESK_OK.");
        print_message("    %s gets an AttendeeRegistered without its "
                      "attendee\n",
                      projections[i]->name);
        rc = esk_store_append(store, "workshop-w-1", ESK_ANY, &broken, 1, NULL);
        check_status(rc, ESK_ECALLBACK,
                     "decode_workshop_event() refuses an event whose data "
                     "does not fit its type: return its status, and the "
                     "append fails with ESK_ECALLBACK. A handler that "
                     "answers ESK_OK lets the read model silently miss an "
                     "event; a failure stops the append, and someone can fix "
                     "the cause.");
        check_contains(esk_errmsg(), projections[i]->name,
                       "The store's message names the projection that "
                       "failed.");
        check_status(esk_store_stream_version(store, "workshop-w-1", &version),
                     ESK_OK, "The store should answer.");
        check_int(version, 1, "The failed append wrote nothing.");
        esk_store_free(store);
    }
    esk_free(json);
}

static void queries_read_the_read_model_and_nothing_else(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 0;
    sqlite3_stmt *stmt = NULL;

    open_read_side(&r, THREE_WORKSHOPS);
    expect_query_ok(catalogue_list(r.read_model, entries, 3, &count),
                    "Your catalogue query reads the catalogue table: "
                    "esk_read_model_prepare() lets it through.");

    /* A query that would answer from the events instead... */
    esk_status rc = esk_read_model_prepare(
        r.read_model,
        "SELECT count(*) FROM events WHERE type = 'AttendeeRegistered'", &stmt);
    check_status(rc, ESK_EINVAL,
                 "The query side never reads the write side's tables: "
                 "esk_read_model_prepare() refuses them.");
    check_contains(esk_errmsg(), "events",
                   "The refusal names the table that belongs to the write "
                   "side.");
    check_true(stmt == NULL, "Nothing was prepared.");

    /* ...or change the read model behind the projections' backs. */
    rc = esk_read_model_prepare(r.read_model,
                                "UPDATE catalogue SET seats_left = 99", &stmt);
    check_status(rc, ESK_EINVAL,
                 "Queries only read: the projections alone write the read "
                 "model.");

    close_read_side(&r);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            a_scheduled_workshop_enters_the_catalogue_with_every_seat_free),
        cmocka_unit_test(each_registration_takes_a_seat_then_a_place_in_line),
        cmocka_unit_test(a_cancellation_gives_back_a_seat_or_a_place_in_line),
        cmocka_unit_test(a_promotion_turns_a_place_in_line_into_a_seat),
        cmocka_unit_test(every_workshop_has_a_row_of_its_own),
        cmocka_unit_test(a_workshop_id_with_a_quote_is_data_not_sql),
        cmocka_unit_test(
            a_registration_puts_the_workshop_on_the_attendees_agenda),
        cmocka_unit_test(
            an_agenda_gathers_rows_from_the_streams_of_many_workshops),
        cmocka_unit_test(
            a_promotion_gives_a_seat_and_a_cancellation_removes_the_row),
        cmocka_unit_test(
            a_promotion_or_a_cancellation_changes_one_row_of_the_agenda),
        cmocka_unit_test(the_catalogue_lists_workshops_soonest_first),
        cmocka_unit_test(
            the_catalogue_fills_no_more_entries_than_there_is_room_for),
        cmocka_unit_test(an_agenda_lists_one_attendees_workshops_soonest_first),
        cmocka_unit_test(an_attendee_with_no_registration_has_an_empty_agenda),
        cmocka_unit_test(
            an_agenda_fills_no_more_entries_than_there_is_room_for),
        cmocka_unit_test(workshops_on_the_same_day_are_listed_by_id),
        cmocka_unit_test(an_empty_catalogue_lists_nothing),
        cmocka_unit_test(a_query_that_fails_midway_says_so),
        cmocka_unit_test(
            inline_projections_keep_the_read_model_in_step_with_the_events),
        cmocka_unit_test(an_event_a_projection_cannot_read_fails_the_append),
        cmocka_unit_test(queries_read_the_read_model_and_nothing_else),
    };
    return cmocka_run_group_tests_name("09-projections", tests, NULL, NULL);
}
