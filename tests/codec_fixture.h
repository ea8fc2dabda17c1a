/*
 * tests/codec_fixture.h - what the codec tests share: event types with
 * every kind of field, and an allocator that fails on request.
 */
#ifndef ESK_TESTS_CODEC_FIXTURE_H
#define ESK_TESTS_CODEC_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/codec.h"

/* ---- Event types used by the tests -------------------------------------- */

typedef struct attendee_registered {
    char workshop_id[64];
    char attendee[128];
    int64_t seats;
    bool paid;
} attendee_registered;

typedef struct venue {
    char city[32];
    double lat;
} venue;

typedef struct seat {
    char name[8];
    int64_t row;
} seat;

typedef struct every_kind {
    char title[64];
    int64_t count;
    bool open;
    double price;
    venue venue;
    char tags[4][16];
    size_t tag_count;
    seat seats[3];
    size_t seat_count;
    int64_t extra;
    char note[8];
    venue annex;
} every_kind;

/* The JSON of an every_kind with one field's text replaced. */
#define EVERY_KIND(title, count, open, price, venue, tags, seats)              \
    "{\"title\":" title ",\"count\":" count ",\"open\":" open                  \
    ",\"price\":" price ",\"venue\":" venue ",\"tags\":" tags                  \
    ",\"seats\":" seats "}"
#define VENUE "{\"city\":\"Lyon\",\"lat\":45.75}"

extern const esk_field attendee_registered_fields[4];
extern const esk_event_type attendee_registered_type;
extern const esk_field venue_fields[2];
extern const esk_event_type every_kind_type;

/* ---- Helpers ------------------------------------------------------------ */

/* esk's allocator in these tests: cmocka's, failing once `fail_in` more
 * allocations have succeeded (never while it is negative). */
extern int fail_in;
int use_test_allocator(void **state);
int use_standard_allocator(void **state);

void assert_failure(esk_status rc, esk_status status, const char *message);
void assert_contains(const char *text, const char *part);

/* ---- The tests, by file ------------------------------------------------- */

/* codec_decoding_errors.c */
void a_missing_required_field_is_named(void **state);
void a_value_of_the_wrong_kind_is_refused_for_every_kind(void **state);
void a_string_longer_than_its_field_is_refused_with_its_length(void **state);
void a_nul_character_in_a_string_or_key_is_refused(void **state);
void an_integer_beyond_64_bits_is_refused_with_its_position(void **state);
void a_real_number_is_refused_for_an_integer_field(void **state);
void an_array_longer_than_its_field_is_refused(void **state);
void an_error_in_an_array_element_gives_its_path(void **state);
void invalid_json_is_refused_with_its_line_and_column(void **state);
void a_top_level_value_that_is_not_an_object_is_refused(void **state);
void a_duplicate_key_is_refused(void **state);
void decoding_a_recorded_event_checks_its_type_and_version(void **state);

#endif
