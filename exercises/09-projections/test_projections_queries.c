/*
 * test_projections_queries.c - the queries, on a read model the tests fill
 * themselves.
 */
#include "test_projections.h"

/* --- Queries, on a read model the tests fill themselves ------------------- */

/* A SQLite store whose read model holds the given rows (SQL INSERTs),
 * and a query handle on it. */
void suite_open_read_side(read_side *r, const char *rows)
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

void suite_close_read_side(read_side *r)
{
    esk_read_model_free(r->read_model);
    esk_store_free(r->store);
}

void suite_expect_query_ok_at(esk_status rc, const char *what, const char *hint,
                              const char *file, int line)
{
    if (rc != ESK_OK && rc != ESK_ENOTIMPL)
        print_error("the query said: %s\n", esk_errmsg());
    exercise_expect_status(rc, ESK_OK, what, hint, file, line);
}

void the_catalogue_lists_workshops_soonest_first(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[5];
    size_t count = 99;

    suite_open_read_side(&r, THREE_WORKSHOPS);
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

    suite_close_read_side(&r);
}

void the_catalogue_fills_no_more_entries_than_there_is_room_for(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 99;

    memset(&entries[2], 0, sizeof(entries[2]));
    snprintf(entries[2].workshop_id, sizeof(entries[2].workshop_id),
             "untouched");
    suite_open_read_side(&r, THREE_WORKSHOPS);
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

    suite_close_read_side(&r);
}

#define AGENDAS                                                                \
    "INSERT INTO agenda VALUES "                                               \
    "('ada', 'w-1', 'Event Sourcing 101', '2026-12-01', 'seat'),"              \
    "('ada', 'w-2', 'DDD Distilled', '2026-11-15', 'waitlist'),"               \
    "('bob', 'w-2', 'DDD Distilled', '2026-11-15', 'seat'),"                   \
    "('o''neil', 'w-3', 'CQRS in Practice', '2027-01-20', 'seat');"

void an_agenda_lists_one_attendees_workshops_soonest_first(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[5];
    size_t count = 99;

    suite_open_read_side(&r, AGENDAS);
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

    suite_close_read_side(&r);
}

void an_attendee_with_no_registration_has_an_empty_agenda(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[2];
    size_t count = 99;

    suite_open_read_side(&r, AGENDAS);
    esk_status rc = agenda_for(r.read_model, "zoe", entries, 2, &count);
    expect_query_ok(rc, "Nobody's rows is an answer, not a failure: ESK_OK.");
    check_int(count, 0, "Zoe registered for nothing: *count is 0.");

    suite_close_read_side(&r);
}

void an_agenda_fills_no_more_entries_than_there_is_room_for(void **state)
{
    (void)state;
    read_side r;
    agenda_entry entries[2];
    size_t count = 99;

    memset(&entries[1], 0, sizeof(entries[1]));
    snprintf(entries[1].workshop_id, sizeof(entries[1].workshop_id),
             "untouched");
    suite_open_read_side(&r, AGENDAS);
    esk_status rc = agenda_for(r.read_model, "ada", entries, 1, &count);
    expect_query_ok(rc, "An agenda longer than max is not an error.");
    check_int(count, 1,
              "Room for 1 entry: fill 1, and stop stepping (n < max in the "
              "loop's condition).");
    check_string(entries[0].workshop_id, "w-2", "The soonest: w-2.");
    check_string(entries[1].workshop_id, "untouched",
                 "Never write past max entries: the caller's array holds "
                 "max, no more.");

    suite_close_read_side(&r);
}

void workshops_on_the_same_day_are_listed_by_id(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[3];
    size_t count = 0;

    /* Inserted in the reverse of the expected order. */
    suite_open_read_side(&r, "INSERT INTO catalogue VALUES "
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

    suite_close_read_side(&r);
}

void an_empty_catalogue_lists_nothing(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry entries[2];
    size_t count = 99;

    suite_open_read_side(&r, "");
    esk_status rc = catalogue_list(r.read_model, entries, 2, &count);
    expect_query_ok(rc, "No workshop yet is an answer, not a failure: ESK_OK.");
    check_int(count, 0,
              "Nothing was filled: *count is 0. Set it after the loop, "
              "whether or not a row came.");

    suite_close_read_side(&r);
}

/* A progress handler that stops every statement it is asked about. */
static int interrupt_every_statement(void *ctx)
{
    (void)ctx;
    return 1;
}

void a_query_that_fails_midway_says_so(void **state)
{
    (void)state;
    read_side r;
    catalogue_entry workshops[3];
    agenda_entry agenda[3];
    size_t count = 99;
    sqlite3_stmt *probe = NULL;

    suite_open_read_side(&r, THREE_WORKSHOPS AGENDAS);
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

    suite_close_read_side(&r);
}
