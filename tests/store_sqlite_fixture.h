/*
 * tests/store_sqlite_fixture.h - what the SQLite store's own tests
 * (test_store_sqlite.c) share: a temporary folder, a store on a file, a
 * plain sqlite3 connection to look at it, and the tests of each file.
 */
#ifndef ESK_TESTS_STORE_SQLITE_FIXTURE_H
#define ESK_TESTS_STORE_SQLITE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "esk/store.h"

/* The application_id that marks an esk event store ("ESK1"). */
#define ESK_APPLICATION_ID 0x45534B31

/* A fresh folder under /tmp, removed with everything in it at the end. */
typedef struct temp_dir {
    char path[64];
} temp_dir;

/* store_sqlite_fixture.c */
void temp_dir_make(temp_dir *dir);
void temp_dir_remove(temp_dir *dir);
void path_in(char *buf, size_t size, const temp_dir *dir, const char *name);
esk_store *open_store(const char *path, const esk_store_options *o);
esk_status append_one(esk_store *store, const char *stream_id, int64_t expected,
                      const char *type, const char *data);
int64_t head_of(esk_store *store);
sqlite3 *raw_open(const char *path);
void raw_exec(sqlite3 *db, const char *sql);
int64_t raw_int(sqlite3 *db, const char *sql);
void raw_text(sqlite3 *db, const char *sql, char *buf, size_t size);
size_t read_file(const char *path, char **out);
void assert_file_unchanged(const char *path, const char *before,
                           size_t before_size);
void assert_contains(const char *text, const char *part);
esk_time fixed_clock(void *ctx);

/* store_sqlite_file.c */
void stored_data_is_readable_json_text(void **state);
void reopening_a_file_keeps_every_event(void **state);
void a_batch_sent_again_after_reopening_writes_nothing(void **state);
void an_unreadable_recorded_at_fails_the_read_as_corrupt(void **state);
void a_query_read_searches_the_tag_and_type_indexes(void **state);

/* store_sqlite_foreign_files.c */
void a_database_of_another_application_is_refused_and_left_unchanged(
    void **state);
void an_empty_database_stamped_by_another_application_is_refused(void **state);
void a_store_of_a_newer_esk_is_refused_and_left_unchanged(void **state);
void a_text_file_is_refused_as_corrupt_and_left_unchanged(void **state);
void a_directory_is_refused_with_its_path_in_the_message(void **state);
void a_missing_folder_is_refused_and_not_created(void **state);
void a_read_only_file_is_refused(void **state);

/* store_sqlite_read_only.c */
void a_read_only_store_reads_events_and_records(void **state);
void a_read_only_store_refuses_every_write_and_leaves_the_file(void **state);
void a_read_only_open_of_a_missing_file_creates_nothing(void **state);
void a_read_only_open_of_an_older_schema_says_to_upgrade_it(void **state);

/* store_sqlite_upgrades.c */
void a_store_of_an_older_esk_is_upgraded_on_open(void **state);
void a_first_schema_store_gains_the_record_tables_and_keeps_its_events(
    void **state);
void a_schema_2_store_keeps_append_boundaries_from_its_upgrade_on(void **state);
void a_schema_3_store_gains_tags_and_keeps_its_events(void **state);
void a_schema_4_store_gains_closed_streams_and_keeps_its_events(void **state);

/* store_sqlite_options.c */
void full_durability_opens_and_appends(void **state);
void a_file_store_runs_in_wal_mode(void **state);
void memory_databases_are_private_to_their_handle(void **state);
void a_category_is_the_part_before_the_first_dash(void **state);
void a_sqlite_uri_is_refused_and_opens_nothing(void **state);
void a_file_named_like_a_uri_opens_through_a_dot_slash_path(void **state);

/* store_sqlite_sharing.c */
void two_handles_on_one_file_see_each_others_appends(void **state);
void a_held_write_lock_makes_append_busy_and_writes_nothing(void **state);
void concurrent_writer_processes_lose_and_duplicate_nothing(void **state);
void a_waiting_reader_wakes_soon_after_another_process_commits(void **state);
void closing_with_a_statement_open_leaks_no_file(void **state);

/* store_sqlite_failures.c */
void a_full_disk_is_named_as_such(void **state);
void an_open_query_on_the_stores_connection_is_named_when_append_is_busy(
    void **state);
void a_connection_made_read_only_is_named(void **state);
void a_trigger_that_refuses_an_event_is_named(void **state);
void an_interrupted_operation_is_named(void **state);
int faulty_disk_install(void **state);
int faulty_disk_remove(void **state);
void a_failed_write_or_flush_says_which(void **state);

#endif
