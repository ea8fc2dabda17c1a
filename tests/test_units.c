/*
 * tests/test_units.c - units of work that SQLite ends by itself.
 *
 * On a full disk, an I/O error, an interrupt or a read model's
 * ON CONFLICT ROLLBACK, SQLite may roll back the whole transaction, not
 * only the statement that failed. A store that carried on as if the
 * transaction were still open would run the next SAVEPOINT in autocommit
 * mode (which starts a new transaction that RELEASE then commits), report
 * the outer rollback as a success and commit half a unit. These tests make
 * SQLite do it on purpose, deterministically: PRAGMA max_page_count stops
 * the file from growing, and a UNIQUE ... ON CONFLICT ROLLBACK column
 * makes a read-model write end the transaction. After either, the unit is
 * doomed: every call in it fails with the first cause, nothing of it is
 * ever committed, and the outermost rollback ends it.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"

/* ---- Helpers ----------------------------------------------------------- */

static char temp_dir[] = "/tmp/esk-units-XXXXXX";
static int next_file;

static esk_store *open_new_store(char *path, size_t size)
{
    snprintf(path, size, "%s/store-%d.db", temp_dir, next_file++);
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

static esk_store *reopen(const char *path)
{
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

static void exec_sql(esk_store *store, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message) !=
        SQLITE_OK)
        fail_msg("%s: %s", sql, message);
}

static int64_t sql_number(esk_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(esk_store_sqlite_db(store), sql, -1, &stmt, NULL),
        SQLITE_OK);
    int64_t n = -1;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
}

/* A JSON string of about size bytes: {"pad":"xxx..."}. */
static char *padding(size_t size)
{
    char *json = malloc(size + 16);
    assert_non_null(json);
    strcpy(json, "{\"pad\":\"");
    size_t at = strlen(json);
    memset(json + at, 'x', size);
    strcpy(json + at + size, "\"}");
    return json;
}

static esk_status append_data(esk_store *store, const char *stream,
                              const char *data)
{
    const esk_new_event event = {NULL, "Noted", 1, data, NULL};
    return esk_store_append(store, stream, ESK_ANY, &event, 1, NULL);
}

static esk_status append_small(esk_store *store, const char *stream)
{
    return append_data(store, stream, "{}");
}

/* Let the file grow by `pages` more pages at most, from now. */
static void limit_growth(esk_store *store, int64_t pages)
{
    int64_t count = sql_number(store, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld",
             (long long)(count + pages));
    exec_sql(store, sql);
}

static void lift_limit(esk_store *store)
{
    exec_sql(store, "PRAGMA max_page_count = 1073741823");
}

static void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

static int64_t events_in(const char *path)
{
    esk_store *store = reopen(path);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    esk_store_free(store);
    return head;
}

/* ---- The store's own units --------------------------------------------- */

static void a_full_disk_dooms_the_callers_whole_transaction(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    limit_growth(store, 2);
    esk_status rc = append_data(store, "b", big);
    assert_int_equal(rc, ESK_EIO);
    char cause[512];
    snprintf(cause, sizeof cause, "%s", esk_errmsg());
    assert_contains(cause, "full");
    /* The caller's unit is lost, not just this append: redo it all. */
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);

    /* Whatever SQLite did, nothing more may be written in this unit. */
    rc = append_small(store, "c");
    assert_int_equal(rc, ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    rc = esk_store_commit(store);
    assert_int_equal(rc, ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    /* The store works again, and the file holds nothing of the unit. */
    lift_limit(store);
    assert_int_equal(append_small(store, "d"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

static void
a_doomed_nested_unit_fails_every_call_until_the_outer_rollback(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "b"), ESK_OK);
    limit_growth(store, 2);
    assert_int_equal(append_data(store, "b", big), ESK_EIO);
    lift_limit(store);

    /* The room is back, but the unit is still doomed: SQLite may have
     * undone "a" already, so nothing after may pretend it is there. */
    assert_int_equal(esk_store_begin(store), ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(append_small(store, "c"), ESK_EIO);
    const esk_record record = {"cp", 1, 1, "{}"};
    assert_int_equal(
        esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &record), ESK_EIO);
    int64_t head = 0;
    assert_int_equal(esk_store_head_position(store, &head), ESK_EIO);
    /* The inner rollback closes its unit but says the outer one failed. */
    assert_int_equal(esk_store_rollback(store), ESK_EIO);
    assert_int_equal(esk_store_transaction_depth(store), 1);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_rollback(store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    assert_int_equal(append_small(store, "e"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

static esk_status append_tagged(esk_store *store, const char *stream,
                                const char *data,
                                const esk_append_condition *condition)
{
    static const char *const tags[] = {"customer:1", "order:7"};
    const esk_tags t = {tags, 2};
    const esk_new_event event = {NULL, "Noted", 1, data, NULL};
    return esk_store_append_if(store, stream, ESK_ANY, &event, &t, 1, condition,
                               NULL);
}

static void
a_doomed_unit_refuses_conditional_appends_and_query_reads(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);
    static const char *const customer[] = {"customer:1"};
    const esk_query_item item = {NULL, 0, customer, 1};
    const esk_append_condition condition = {{&item, 1}, 0};

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_tagged(store, "a", "{}", &condition), ESK_OK);
    limit_growth(store, 2);
    assert_int_equal(append_tagged(store, "b", big, NULL), ESK_EIO);
    lift_limit(store);

    /* The condition would see "a", which SQLite may have undone: the
     * unit fails with the first cause instead of answering. */
    const esk_append_condition after_a = {{&item, 1}, 1};
    assert_int_equal(append_tagged(store, "c", "{}", &after_a), ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(
        esk_store_read_query(store, &condition.query, 0, 0, &list, NULL),
        ESK_EIO);
    assert_int_equal(esk_error_last()->ext, ESK_EXT_TRANSACTION_LOST);
    assert_int_equal(esk_store_rollback(store), ESK_OK);

    /* Nothing of the unit is left, tags included. */
    assert_int_equal(
        esk_store_read_query(store, &condition.query, 0, 0, &list, NULL),
        ESK_OK);
    assert_int_equal(list.count, 0);
    assert_int_equal(sql_number(store, "SELECT count(*) FROM event_tags"), 0);
    assert_int_equal(append_tagged(store, "d", "{}", &condition), ESK_OK);
    esk_event_list_release(&list);
    esk_store_free(store);
    assert_int_equal(events_in(path), 1);
    free(big);
}

/* An inline handler that writes a row whose key must be unique, with
 * ON CONFLICT ROLLBACK: a second event of the same key ends the
 * transaction. It may also ignore what SQLite said, as careless code
 * does. */
typedef struct keyed_handler {
    bool ignore_errors;
    int calls;
} keyed_handler;

static esk_status keyed_inline(void *ctx, esk_store *store,
                               const esk_event *events, size_t count)
{
    keyed_handler *h = ctx;
    for (size_t i = 0; i < count; i++) {
        h->calls++;
        sqlite3_stmt *stmt = NULL;
        sqlite3 *db = esk_store_sqlite_db(store);
        int rc = sqlite3_prepare_v2(db, "INSERT INTO keyed VALUES(?1)", -1,
                                    &stmt, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(stmt, 1, events[i].stream_id, -1, SQLITE_STATIC);
            rc = sqlite3_step(stmt);
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_DONE && !h->ignore_errors)
            return ESK_EIO;
    }
    return ESK_OK;
}

static void on_conflict_rollback_in_a_handler(bool ignore_errors)
{
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    exec_sql(store, "CREATE TABLE keyed(k TEXT UNIQUE ON CONFLICT ROLLBACK)");
    keyed_handler h = {ignore_errors, 0};
    assert_int_equal(esk_store_add_inline(store, keyed_inline, &h), ESK_OK);

    assert_int_equal(esk_store_begin(store), ESK_OK);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    assert_int_equal(append_small(store, "b"), ESK_OK);
    /* "a" again: the handler's insert ends the whole transaction. */
    assert_int_not_equal(append_small(store, "a"), ESK_OK);
    assert_contains(esk_errmsg(), "rolled back");
    assert_int_not_equal(append_small(store, "c"), ESK_OK);
    assert_int_not_equal(esk_store_commit(store), ESK_OK);
    assert_int_equal(esk_store_transaction_depth(store), 0);

    assert_int_equal(sql_number(store, "SELECT count(*) FROM keyed"), 0);
    esk_store_free(store);
    assert_int_equal(events_in(path), 0);
}

static void a_handler_rollback_dooms_the_unit_it_reports(void **state)
{
    (void)state;
    on_conflict_rollback_in_a_handler(false);
}

static void a_handler_rollback_dooms_the_unit_it_hides(void **state)
{
    (void)state;
    on_conflict_rollback_in_a_handler(true);
}

static void an_append_of_its_own_unit_fails_whole_on_a_full_disk(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(64 * 1024);
    assert_int_equal(append_small(store, "a"), ESK_OK);
    limit_growth(store, 2);
    const esk_new_event batch[] = {
        {NULL, "Noted", 1, "{}", NULL},
        {NULL, "Noted", 1, big, NULL},
    };
    assert_int_equal(esk_store_append(store, "b", ESK_ANY, batch, 2, NULL),
                     ESK_EIO);
    assert_contains(esk_errmsg(), "full");
    /* Its own unit only: no transaction of the caller's was lost. */
    assert_int_equal(esk_error_last()->ext, ESK_EXT_DISK_FULL);
    assert_int_equal(esk_store_transaction_depth(store), 0);
    lift_limit(store);
    assert_int_equal(append_small(store, "c"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(events_in(path), 2);
    free(big);
}

/* ---- Catch-up projections ----------------------------------------------- */

/* A read model that counts applications: one row per handler call, with
 * padding so that it needs pages. With `unique`, a row per attendee key
 * that must be unique, ON CONFLICT ROLLBACK. */
typedef struct counting_model {
    const char *pad;
    bool unique;
    /* Write "same" as every key (so the second event conflicts). */
    bool collide;
} counting_model;

static esk_status counting_setup(void *ctx, esk_store *store)
{
    counting_model *m = ctx;
    const char *sql = m->unique ? "CREATE TABLE IF NOT EXISTS applied("
                                  "position INTEGER, pad TEXT, "
                                  "k TEXT UNIQUE ON CONFLICT ROLLBACK)"
                                : "CREATE TABLE IF NOT EXISTS applied("
                                  "position INTEGER, pad TEXT, k TEXT)";
    return sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, NULL) ==
                   SQLITE_OK
               ? ESK_OK
               : ESK_EIO;
}

static esk_status counting_handle(void *ctx, esk_store *store,
                                  const esk_event *event)
{
    counting_model *m = ctx;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                "INSERT INTO applied VALUES(?1, ?2, ?3)", -1,
                                &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, event->position);
        sqlite3_bind_text(stmt, 2, m->pad, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, m->collide ? "same" : event->event_id, -1,
                          SQLITE_TRANSIENT);
        rc = sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return ESK_OK;
    return esk_error_set(ESK_EIO, "writing the read model: %s",
                         sqlite3_errmsg(esk_store_sqlite_db(store)));
}

static esk_projection counting_projection(counting_model *m)
{
    esk_projection p = {0};
    p.name = "counting";
    p.version = 1;
    p.handle = counting_handle;
    p.setup = counting_setup;
    p.ctx = m;
    return p;
}

/* Every event up to the checkpoint applied exactly once, none after. */
static void assert_model_matches_checkpoint(esk_store *store)
{
    int64_t checkpoint = sql_number(
        store, "SELECT position FROM checkpoints WHERE name = 'counting'");
    if (checkpoint < 0)
        checkpoint = 0;
    assert_int_equal(sql_number(store, "SELECT count(*) FROM applied"),
                     checkpoint);
    assert_int_equal(
        sql_number(store, "SELECT count(DISTINCT position) FROM applied"),
        checkpoint);
    if (checkpoint > 0)
        assert_int_equal(sql_number(store, "SELECT max(position) FROM applied"),
                         checkpoint);
}

static void
a_full_disk_mid_batch_moves_no_checkpoint_past_the_read_model(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *pad = padding(2000);
    counting_model m = {pad, false, false};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 40; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);

    limit_growth(store, 8);
    esk_catchup_status st;
    esk_status rc = esk_catchup_run(c, &st);
    assert_int_not_equal(rc, ESK_OK);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);

    lift_limit(store);
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 40);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
    free(pad);
}

static void
a_read_model_that_rolls_back_keeps_its_events_for_later(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", true, true};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 10; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);

    esk_catchup_status st;
    assert_int_not_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_contains(esk_errmsg(), "rolled back");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);

    m.collide = false;
    assert_int_equal(esk_catchup_run(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 10);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
}

static esk_status committing_handle(void *ctx, esk_store *store,
                                    const esk_event *event)
{
    esk_status rc = counting_handle(ctx, store, event);
    if (rc == ESK_OK && event->position == 3)
        esk_store_commit(store); /* a bug: ends the event's savepoint */
    return rc;
}

static void a_handler_that_ends_a_transaction_stops_the_batch(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", false, false};
    esk_projection p = counting_projection(&m);
    p.handle = committing_handle;
    for (int i = 0; i < 5; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);
    assert_int_equal(esk_catchup_run(c, NULL), ESK_ECALLBACK);
    assert_contains(esk_errmsg(), "must commit or roll back");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    assert_model_matches_checkpoint(store);
    esk_catchup_free(c);
    esk_store_free(store);
}

static void a_checkpoint_past_the_head_is_reported_not_ignored(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    counting_model m = {"", false, false};
    esk_projection p = counting_projection(&m);
    for (int i = 0; i < 3; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);
    /* As if the store came back from a backup older than the model. */
    const esk_record ahead = {"counting", 50, 1, "{}"};
    assert_int_equal(esk_store_put_record(store, ESK_RECORD_CHECKPOINT, &ahead),
                     ESK_OK);
    esk_catchup *c = NULL;
    assert_int_equal(esk_catchup_new(&c, store, &p, NULL), ESK_OK);
    esk_catchup_status st;
    assert_int_equal(esk_catchup_status_get(c, &st), ESK_ECORRUPT);
    assert_int_equal(st.lag, -47);
    assert_int_equal(esk_catchup_run(c, &st), ESK_ECORRUPT);
    assert_contains(esk_errmsg(), "past the store's last position");
    assert_int_equal(esk_catchup_rebuild(c, &st), ESK_OK);
    assert_int_equal(st.checkpoint, 3);
    esk_catchup_free(c);
    esk_store_free(store);
}

/* ---- Process managers -----------------------------------------------------
 */

static esk_status big_handle(esk_context *context, const esk_command *command,
                             void *data)
{
    (void)command;
    esk_store *store = esk_context_store(context);
    const esk_new_event answer = {NULL, "Answered", 1, data, NULL};
    esk_status rc =
        esk_store_append(store, "answers", ESK_ANY, &answer, 1, NULL);
    if (rc != ESK_OK)
        return esk_context_fail(context, rc, 0, "%s", esk_errmsg());
    return ESK_OK;
}

static esk_status answer_react(void *ctx, esk_process_context *pc,
                               const esk_event *event)
{
    (void)ctx;
    (void)event;
    const esk_command command = {"Answer", NULL, NULL, NULL, NULL};
    return esk_process_send(pc, &command, NULL, NULL);
}

static void a_full_disk_in_a_reaction_keeps_the_event_for_later(void **state)
{
    (void)state;
    char path[128];
    esk_store *store = open_new_store(path, sizeof path);
    char *big = padding(16 * 1024);
    esk_bus *bus = NULL;
    assert_int_equal(esk_bus_new(&bus, store), ESK_OK);
    assert_int_equal(esk_bus_register(bus, "Answer", big_handle, big), ESK_OK);
    static const char *const types[] = {"Noted"};
    const esk_process p = {"answer", types, 1, answer_react, NULL, NULL};
    esk_process_runner *runner = NULL;
    assert_int_equal(esk_process_runner_new(&runner, store, bus, &p), ESK_OK);
    for (int i = 0; i < 6; i++)
        assert_int_equal(append_small(store, "notes"), ESK_OK);

    limit_growth(store, 12);
    size_t reacted = 0;
    assert_int_not_equal(esk_process_run(runner, &reacted), ESK_OK);
    assert_contains(esk_errmsg(), "full");
    assert_int_equal(esk_store_transaction_depth(store), 0);
    int64_t answers = sql_number(
        store, "SELECT count(*) FROM events WHERE stream_id = 'answers'");
    int64_t checkpoint = sql_number(
        store,
        "SELECT position FROM checkpoints WHERE name = 'process:answer'");
    assert_int_equal(answers, checkpoint < 0 ? 0 : checkpoint);

    lift_limit(store);
    assert_int_equal(esk_process_run(runner, &reacted), ESK_OK);
    assert_int_equal(
        sql_number(store,
                   "SELECT count(*) FROM events WHERE stream_id = 'answers'"),
        6);
    esk_process_runner_free(runner);
    esk_bus_free(bus);
    esk_store_free(store);
    free(big);
}

/* ---- main ------------------------------------------------------------------
 */

int main(void)
{
    if (mkdtemp(temp_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_disk_dooms_the_callers_whole_transaction),
        cmocka_unit_test(
            a_doomed_nested_unit_fails_every_call_until_the_outer_rollback),
        cmocka_unit_test(
            a_doomed_unit_refuses_conditional_appends_and_query_reads),
        cmocka_unit_test(a_handler_rollback_dooms_the_unit_it_reports),
        cmocka_unit_test(a_handler_rollback_dooms_the_unit_it_hides),
        cmocka_unit_test(an_append_of_its_own_unit_fails_whole_on_a_full_disk),
        cmocka_unit_test(
            a_full_disk_mid_batch_moves_no_checkpoint_past_the_read_model),
        cmocka_unit_test(
            a_read_model_that_rolls_back_keeps_its_events_for_later),
        cmocka_unit_test(a_handler_that_ends_a_transaction_stops_the_batch),
        cmocka_unit_test(a_checkpoint_past_the_head_is_reported_not_ignored),
        cmocka_unit_test(a_full_disk_in_a_reaction_keeps_the_event_for_later),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", temp_dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", temp_dir);
    return failed;
}
