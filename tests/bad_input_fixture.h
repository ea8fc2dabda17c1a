/*
 * tests/bad_input_fixture.h - what the catalogue of bad input
 * (test_bad_input.c) shares: a temporary folder, both stores, raw file
 * access, and the tests of each file.
 */
#ifndef ESK_TESTS_BAD_INPUT_FIXTURE_H
#define ESK_TESTS_BAD_INPUT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "esk/codec.h"
#include "esk/store.h"

typedef enum backend { MEMORY, SQLITE } backend;
/* A guest booked in, the codec's type for the JSON and the ids tests. */
typedef struct guest {
    char name[48];
} guest;

/* bad_input_fixture.c */
extern char temp_dir[64];
void path_in(char *buf, size_t size, const char *name);
void remove_store_files(const char *path);
void assert_contains(const char *text, const char *part);
esk_store_options options(void);
esk_store *open_sqlite(const char *path);
extern const backend backends[];
esk_store *open_backend(backend b);
int64_t head_of(esk_store *store);
esk_status append1(esk_store *store, const char *stream, const char *id,
                   const char *type, const char *data);
char *read_whole(const char *path, size_t *size);
void write_whole(const char *path, const char *bytes, size_t size);

/* bad_input_damaged_files.c */
void a_damaged_page_is_reported_as_corrupt_not_read(void **state);
void a_damaged_header_is_refused_at_open_and_left_alone(void **state);
void a_truncated_file_is_reported_as_corrupt(void **state);
void damage_anywhere_is_corrupt_or_harmless_never_wrong(void **state);
void an_event_row_esk_cannot_have_written_is_corrupt(void **state);
void tags_esk_cannot_have_written_are_corrupt(void **state);

/* bad_input_stores.c */
void a_backend_without_tags_refuses_tags_conditions_and_queries(void **state);
void a_backend_that_cannot_close_refuses_the_close_and_reads_open(void **state);
void a_database_with_an_events_table_of_its_own_is_not_taken_for_a_store(
    void **state);
void a_lock_held_by_another_process_is_busy_and_loses_nothing(void **state);

/* bad_input_json.c */
extern const esk_event_type guest_type;
void invalid_json_is_refused_everywhere_with_its_place(void **state);
char *nested(size_t depth);
void json_nested_a_thousand_deep_is_refused_without_recursion(void **state);
void a_sixteen_mebibyte_event_is_stored_and_read_back_whole(void **state);
void data_beyond_the_sqlite_length_limit_is_refused_cleanly(void **state);
void invalid_metadata_is_refused_with_what_is_wrong(void **state);

/* bad_input_ids.c */
void nasty_ids_are_stored_verbatim_and_read_back_identically(void **state);
void an_id_with_a_nul_byte_ends_there_consistently(void **state);
void text_that_is_not_utf8_is_refused_wherever_a_name_is_taken(void **state);

#endif
