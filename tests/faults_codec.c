/*
 * tests/faults_codec.c - the out-of-memory sweep's scenarios
 * of the codec, metadata and upcasters, which need no store.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "faults_fixture.h"

/* -- the codec and metadata -- */

typedef struct seat {
    char label[32];
    int64_t row;
} seat;

typedef struct address {
    char street[40];
    char city[24];
} address;

typedef struct party_booked {
    char host[40];
    address venue;
    seat seats[4];
    size_t seat_count;
    char tags[3][24];
    size_t tag_count;
    double price;
    bool paid;
} party_booked;

static const esk_field seat_fields[] = {
    ESK_FIELD_STRING(seat, label, "label"),
    ESK_FIELD_INT64(seat, row, "row"),
};
static const esk_field seat_element = ESK_ELEMENT_OBJECT(seat, seat_fields);
static const esk_field tag_element = ESK_ELEMENT_STRING(char[24]);
static const esk_field address_fields[] = {
    ESK_FIELD_STRING(address, street, "street"),
    ESK_FIELD_STRING(address, city, "city"),
};
static const esk_field party_fields[] = {
    ESK_FIELD_STRING(party_booked, host, "host"),
    ESK_FIELD_OBJECT(party_booked, venue, "venue", address_fields),
    ESK_FIELD_ARRAY(party_booked, seats, seat_count, "seats", &seat_element),
    ESK_FIELD_ARRAY(party_booked, tags, tag_count, "tags", &tag_element),
    ESK_FIELD_DOUBLE(party_booked, price, "price"),
    ESK_FIELD_BOOL(party_booked, paid, "paid"),
};
static const esk_event_type party_booked_type =
    ESK_EVENT_TYPE(party_booked, "PartyBooked", 3, party_fields);

static const party_booked a_party = {
    "Katherine Coleman Goble Johnson",
    {"1 Langley Research Center Road", "Hampton, Virginia"},
    {{"the front row, left aisle", 1},
     {"the front row, right aisle", 1},
     {"by the window", 7}},
    3,
    {"birthday celebration", "with a cake", "surprise"},
    3,
    1234.5,
    true,
};

#define PARTY_JSON                                                             \
    "{\"host\":\"Katherine Coleman Goble Johnson\",\"venue\":{\"street\":"     \
    "\"1 Langley Research Center Road\",\"city\":\"Hampton, Virginia\"},"      \
    "\"seats\":[{\"label\":\"the front row, left aisle\",\"row\":1},"          \
    "{\"label\":\"the front row, right aisle\",\"row\":1},{\"label\":"         \
    "\"by the window\",\"row\":7}],\"tags\":[\"birthday celebration\","        \
    "\"with a cake\",\"surprise\"],\"price\":1234.5,\"paid\":true}"

static esk_status encode(fx *f)
{
    return esk_codec_encode(&party_booked_type, &a_party, &f->json);
}

static void observe_json(fx *f, bool done, text *t)
{
    if (!done) {
        assert_null(f->json);
        return;
    }
    assert_string_equal(f->json, PARTY_JSON);
    add(t, "%s", f->json);
}

static void with_a_marked_buffer(fx *f)
{
    memset(f->buffer, '#', sizeof(f->buffer) - 1);
    f->buffer[sizeof(f->buffer) - 1] = '\0';
}

static esk_status encode_to(fx *f)
{
    return esk_codec_encode_to(&party_booked_type, &a_party, f->buffer,
                               sizeof(f->buffer), &f->length);
}

static void observe_buffer(fx *f, bool done, text *t)
{
    if (done) {
        assert_string_equal(f->buffer, PARTY_JSON);
        assert_int_equal(f->length, strlen(PARTY_JSON));
    }
    add(t, "%s", f->buffer);
}

static party_booked decoded_party;

static esk_status decode(fx *f)
{
    (void)f;
    return esk_codec_decode(&party_booked_type, PARTY_JSON, &decoded_party);
}

static esk_status decode_event(fx *f)
{
    (void)f;
    esk_event e = {"e-9",     "party-1", 1,    9, "PartyBooked", 3, PARTY_JSON,
                   META_JSON, 0,         NULL, 0};
    return esk_codec_decode_event(&party_booked_type, &e, &decoded_party);
}

static void observe_party(fx *f, bool done, text *t)
{
    (void)f;
    (void)t;
    /* On failure the struct's content is unspecified. */
    if (done)
        assert_memory_equal(&decoded_party, &a_party, sizeof(a_party));
}

static esk_status metadata_encode(fx *f)
{
    esk_metadata m = {"request-0001-from-the-front-desk",
                      "command-0001-book-the-blue-room",
                      "{\"user\":\"the night receptionist\",\"n\":[1,2]}"};
    return esk_metadata_encode(&m, &f->json);
}

static void observe_metadata(fx *f, bool done, text *t)
{
    if (!done) {
        assert_null(f->json);
        return;
    }
    assert_string_equal(
        f->json, "{\"correlationId\":\"request-0001-from-the-front-desk\","
                 "\"causationId\":\"command-0001-book-the-blue-room\","
                 "\"user\":\"the night receptionist\",\"n\":[1,2]}");
    add(t, "%s", f->json);
}

static esk_status metadata_get(fx *f)
{
    return esk_metadata_get(
        "{\"user\":\"the night receptionist\",\"correlationId\":"
        "\"request-0001-from-the-front-desk\",\"n\":[1,2]}",
        "correlationId", f->buffer, sizeof(f->buffer));
}

static void observe_metadata_get(fx *f, bool done, text *t)
{
    if (done) {
        assert_string_equal(f->buffer, "request-0001-from-the-front-desk");
        add(t, "%s", f->buffer);
    }
}

/* -- upcasters -- */

static esk_status upcasters_new(fx *f)
{
    return esk_upcasters_new(&f->upcasters);
}

static void observe_upcasters(fx *f, bool done, text *t)
{
    (void)t;
    if (!done)
        assert_null(f->upcasters);
}

static void with_empty_upcasters(fx *f)
{
    assert_int_equal(upcasters_new(f), ESK_OK);
}

static esk_status upcasters_add(fx *f)
{
    return esk_upcasters_add(f->upcasters, "GuestBooked", 1, booked_v1_to_v2);
}

static void observe_target(fx *f, bool done, text *t)
{
    (void)done;
    add(t, "v%d", esk_upcasters_target(f->upcasters, "GuestBooked", 1));
}

static void with_old_events_in_a_list(fx *f)
{
    with_upcasters(f);
    for (int64_t v = 1; v <= 3; v++) {
        esk_event e = {"e-1", "room-1",       v,         v, "GuestBooked",
                       1,     BOOKED_V1_JSON, META_JSON, 0, NULL,
                       0};
        assert_int_equal(esk_event_list_push(&f->list, &e), ESK_OK);
    }
}

static void with_old_events_and_a_careless_step(fx *f)
{
    assert_int_equal(esk_upcasters_new(&f->upcasters), ESK_OK);
    assert_int_equal(esk_upcasters_add(f->upcasters, "GuestBooked", 1,
                                       booked_v1_to_v2_careless),
                     ESK_OK);
    for (int64_t v = 1; v <= 3; v++) {
        esk_event e = {"e-1", "room-1",       v,         v, "GuestBooked",
                       1,     BOOKED_V1_JSON, META_JSON, 0, NULL,
                       0};
        assert_int_equal(esk_event_list_push(&f->list, &e), ESK_OK);
    }
}

static esk_status upcasters_apply(fx *f)
{
    return esk_upcasters_apply(f->upcasters, &f->list);
}

static void observe_upcast(fx *f, bool done, text *t)
{
    /* Events already upcast stay upcast; none is ever damaged. */
    for (size_t i = 0; i < f->list.count; i++) {
        const esk_event *e = &f->list.events[i];
        bool old =
            e->schema_version == 1 && strcmp(e->data, BOOKED_V1_JSON) == 0;
        bool upcast =
            e->schema_version == 2 && strcmp(e->data, BOOKED_JSON) == 0;
        if (!old && !upcast)
            fail_msg("event %zu is v%d %s", i, e->schema_version, e->data);
        if (done && !upcast)
            fail_msg("event %zu was not upcast", i);
    }
    add(t, "%zu events", f->list.count);
}

const scenario codec_scenarios[] = {
    /* The codec and metadata. */
    {"codec: encode nested arrays and objects", NO_STORE, NULL, encode,
     observe_json, last_message, ESK_OK, NULL},
    {"codec: encode into a buffer", NO_STORE, with_a_marked_buffer, encode_to,
     observe_buffer, last_message, ESK_OK, NULL},
    {"codec: decode nested arrays and objects", NO_STORE, NULL, decode,
     observe_party, last_message, ESK_OK, NULL},
    {"codec: decode a recorded event", NO_STORE, NULL, decode_event,
     observe_party, last_message, ESK_OK, NULL},
    {"metadata: encode", NO_STORE, NULL, metadata_encode, observe_metadata,
     last_message, ESK_OK, NULL},
    {"metadata: get a key", NO_STORE, NULL, metadata_get, observe_metadata_get,
     NULL, ESK_OK, NULL},
};
const size_t codec_scenarios_count =
    sizeof(codec_scenarios) / sizeof(codec_scenarios[0]);

const scenario upcaster_scenarios[] = {
    /* Upcasters. */
    {"upcasters: new", NO_STORE, NULL, upcasters_new, observe_upcasters, NULL,
     ESK_OK, NULL},
    {"upcasters: add a step", NO_STORE, with_empty_upcasters, upcasters_add,
     observe_target, NULL, ESK_OK, NULL},
    {"upcasters: apply to a list", NO_STORE, with_old_events_in_a_list,
     upcasters_apply, observe_upcast, last_message, ESK_OK, NULL},
    {"upcasters: apply a step that ignores jansson's failures", NO_STORE,
     with_old_events_and_a_careless_step, upcasters_apply, observe_upcast,
     last_message, ESK_OK, NULL},
};
const size_t upcaster_scenarios_count =
    sizeof(upcaster_scenarios) / sizeof(upcaster_scenarios[0]);
