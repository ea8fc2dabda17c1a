/*
 * tests/testing_projection_specs.c - projection specs: SQL read models
 * and read models in ctx, idempotent or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "testing_fixture.h"

/* --- The workshop's read model -------------------------------------------- */

static esk_status exec(esk_store *store, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message) ==
        SQLITE_OK)
        return ESK_OK;
    esk_error_set(ESK_ECALLBACK, "%s", message != NULL ? message : "");
    sqlite3_free(message);
    return ESK_ECALLBACK;
}

static esk_status seats_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return exec(store, "CREATE TABLE IF NOT EXISTS seats("
                       "workshop TEXT, attendee TEXT, PRIMARY KEY(workshop, "
                       "attendee))");
}

/* Idempotent: a registration is a row, inserted once. */
static esk_status seats_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)ctx;
    attendee_event e;
    char sql[512];
    if (esk_codec_decode_event(&registered_type, event, &e) != ESK_OK)
        return ESK_ECALLBACK;
    snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO seats VALUES('%s', '%s')",
             event->stream_id, e.attendee);
    return exec(store, sql);
}

static const char *const registrations_only[] = {"AttendeeRegistered"};

static const esk_projection seats_projection = {
    .name = "seats",
    .version = 1,
    .event_types = registrations_only,
    .event_type_count = 1,
    .handle = seats_handle,
    .setup = seats_setup,
};

static esk_status counter_setup(void *ctx, esk_store *store)
{
    (void)ctx;
    return exec(store, "CREATE TABLE IF NOT EXISTS taken("
                       "workshop TEXT PRIMARY KEY, count INTEGER)");
}

/* Not idempotent: an event applied twice counts twice. */
static esk_status counter_handle(void *ctx, esk_store *store,
                                 const esk_event *event)
{
    (void)ctx;
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO taken VALUES('%s', 1) ON CONFLICT(workshop) "
             "DO UPDATE SET count = count + 1",
             event->stream_id);
    return exec(store, sql);
}

static const esk_projection counter_projection = {
    .name = "taken",
    .version = 1,
    .event_types = registrations_only,
    .event_type_count = 1,
    .handle = counter_handle,
    .setup = counter_setup,
};

static const char seats_query[] =
    "SELECT workshop, count(*) FROM seats GROUP BY workshop ORDER BY 1";

static esk_projection_spec *two_registrations(const esk_projection *p)
{
    esk_projection_spec *spec = esk_projection_spec_new(p, true);
    esk_projection_spec_given(spec, "workshop-1", &scheduled_type,
                              &scheduled_w1);
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"ada"});
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"bob"});
    esk_projection_spec_given(spec, "workshop-2", &registered_type,
                              &(attendee_event){"cy"});
    esk_projection_spec_hint(spec, "Count the registrations per workshop.");
    return spec;
}

void a_projection_builds_the_expected_rows(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query,
                                    "workshop-1|2\nworkshop-2|1");
    ESK_PROJECTION_SPEC_CHECK(spec);
}

void wrong_rows_are_shown_beside_the_expected_ones(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query,
                                    "workshop-1|3\nworkshop-2|1\n");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Projection spec failed: seats\n");
    assert_reported("  given   1. workshop-1: WorkshopScheduled ");
    assert_reported("  then    rows of SELECT workshop");
    assert_reported("    1.    workshop-1|3 | workshop-1|2   <- first "
                    "difference\n"
                    "    2.    workshop-2|1 | workshop-2|1\n");
    assert_reported("  HINT: Count the registrations per workshop.\n");
}

void a_handler_that_counts_twice_is_not_idempotent(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&counter_projection);
    esk_projection_spec_expect_rows(
        spec, "SELECT workshop, count FROM taken ORDER BY 1",
        "workshop-1|2\nworkshop-2|1");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("applying each event twice changed the read model: make "
                    "the handler idempotent (e.g. INSERT OR REPLACE, or "
                    "check the event's position)");
    assert_reported("(each event applied twice)");
    assert_reported("workshop-1|2 | workshop-1|4   <- first difference");
}

void rows_of_a_memory_store_are_a_spec_error(void **state)
{
    (void)state;
    esk_projection_spec *spec =
        esk_projection_spec_new(&seats_projection, false);
    esk_projection_spec_expect_rows(spec, seats_query, "");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in seats: rows need a SQLite store");
}

void a_failing_handler_is_reported_with_its_event(void **state)
{
    (void)state;
    esk_projection broken = seats_projection;
    broken.setup = NULL;
    esk_projection_spec *spec = two_registrations(&broken);
    esk_projection_spec_expect_rows(spec, seats_query, "");
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("handle() failed on given event 2 (AttendeeRegistered "
                    "of 'workshop-1'): ");
    assert_reported("no such table: seats");
}

/* A read model in memory: how many registrations it has seen. */
typedef struct tally {
    int64_t registered;
    int64_t last_position;
    bool checks_position;
} tally;

static esk_status tally_handle(void *ctx, esk_store *store,
                               const esk_event *event)
{
    (void)store;
    tally *t = ctx;
    if (t->checks_position && event->position <= t->last_position)
        return ESK_OK;
    t->last_position = event->position;
    t->registered++;
    return ESK_OK;
}

static esk_status tally_reset(void *ctx, esk_store *store)
{
    (void)store;
    tally *t = ctx;
    t->registered = 0;
    t->last_position = 0;
    return ESK_OK;
}

static void tally_render(void *ctx, char *buf, size_t size)
{
    const tally *t = ctx;
    snprintf(buf, size, "registered: %lld\n", (long long)t->registered);
}

static esk_projection_spec *tally_spec(const esk_projection *p, tally *t,
                                       bool on_sqlite)
{
    esk_projection_spec *spec = esk_projection_spec_new(p, on_sqlite);
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"ada"});
    esk_projection_spec_given(spec, "workshop-1", &registered_type,
                              &(attendee_event){"bob"});
    esk_projection_spec_expect_text(spec, tally_render, t, "registered: 2");
    return spec;
}

void a_read_model_in_ctx_gives_the_expected_text(void **state)
{
    (void)state;
    tally t = {0, 0, true};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    ESK_PROJECTION_SPEC_CHECK(tally_spec(&p, &t, false));
    ESK_PROJECTION_SPEC_CHECK(tally_spec(&p, &t, true));
}

void a_read_model_in_ctx_that_counts_twice_is_caught(void **state)
{
    (void)state;
    tally t = {0, 0, false};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    for (int on_sqlite = 0; on_sqlite <= 1; on_sqlite++) {
        esk_projection_spec *spec = tally_spec(&p, &t, on_sqlite);
        esk_projection_spec_run(spec, &report);
        esk_projection_spec_free(spec);
        assert_false(report.passed);
        assert_reported("applying each event twice changed the read model");
        assert_reported("registered: 2 | registered: 4   <- first difference");
    }
}

void a_projection_spec_without_expectation_is_a_spec_error(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
    assert_false(report.passed);
    assert_reported("Spec error in seats: the spec expects nothing");
}

/* --- Out of memory -------------------------------------------------------- */

static void run_projection_story(bool on_sqlite)
{
    tally t = {0, 0, true};
    esk_projection p = {.name = "tally",
                        .version = 1,
                        .handle = tally_handle,
                        .reset = tally_reset,
                        .ctx = &t};
    esk_projection_spec *spec = tally_spec(&p, &t, on_sqlite);
    esk_projection_spec_run(spec, &report);
    esk_projection_spec_free(spec);
}

static void run_projection_story_on_memory(void)
{
    run_projection_story(false);
}

static void run_projection_story_on_sqlite(void)
{
    run_projection_story(true);
}

void out_of_memory_in_a_projection_spec_is_reported(void **state)
{
    (void)state;
    fail_each_allocation_of(run_projection_story_on_memory);
    fail_each_allocation_of(run_projection_story_on_sqlite);
}

/* --- Checks that must fail the test --------------------------------------- */

void a_failing_projection_check_fails_the_test(void **state)
{
    (void)state;
    esk_projection_spec *spec = two_registrations(&seats_projection);
    esk_projection_spec_expect_rows(spec, seats_query, "workshop-1|9");
    ESK_PROJECTION_SPEC_CHECK(spec);
}
