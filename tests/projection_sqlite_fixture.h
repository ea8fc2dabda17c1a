/*
 * tests/projection_sqlite_fixture.h - what the tests of projections on
 * SQLite (test_projection_sqlite.c) share: database files, plain SQL, a
 * store with an agenda and a read model handle on it, and the tests of
 * each file.
 */
#ifndef ESK_TESTS_PROJECTION_SQLITE_FIXTURE_H
#define ESK_TESTS_PROJECTION_SQLITE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "registration_fixture.h"

enum { TEXT_MAX = 512 };
/* Where the query tests' store lives: a query handle has a connection of
 * its own on a file, and shares the store's in memory. */
typedef struct place {
    bool in_file;
} place;

/* A store with an agenda table, and a read model handle on it. */
typedef struct query_fixture {
    fixture f;
    agenda a;
    esk_read_model *rm;
    /* The store's file, "" in memory. */
    char path[128];
} query_fixture;

/* projection_sqlite_fixture.c */
extern char temp_dir[];
extern int next_file;
void temp_path(char *buf, size_t size);
void assert_agenda(agenda *a, fixture *f, const char *expected);
int64_t sql_number(fixture *f, const char *sql);
extern const char *const checkpoint_sql;
extern const place in_memory;
extern const place in_file;
void open_query(query_fixture *q, void **state);
void close_query(query_fixture *q);
void assert_refused(query_fixture *q, const char *sql, const char *reason);
void assert_allowed(query_fixture *q, const char *sql);

/* projection_sqlite_queries.c */
void queries_read_the_read_model(void **state);
void queries_may_not_read_the_write_side(void **state);
void queries_may_not_write(void **state);
void a_query_is_one_statement(void **state);
void the_store_keeps_working_after_a_query(void **state);
void a_query_may_be_prepared_while_another_is_read(void **state);
void rows_of(sqlite3_stmt *stmt, char *buf, size_t size);
void a_query_left_open_keeps_its_snapshot_and_blocks_no_append(void **state);
void a_query_sees_committed_rows_on_a_file_and_all_rows_in_memory(void **state);

/* projection_sqlite_read_model.c */
void a_schema_change_after_prepare_cannot_open_the_events_table(void **state);
void a_new_column_after_prepare_is_read_or_asks_for_a_new_prepare(void **state);
void two_read_models_on_one_store_both_guard(void **state);
void a_query_outliving_its_read_model_and_store_leaks_no_file(void **state);
void a_read_model_of_a_deleted_file_cannot_open(void **state);
void the_read_model_needs_a_sqlite_store(void **state);

#endif
