/*
 * esk/codec.h - typed events: C structs to and from JSON.
 *
 * Describe an event's struct once, with a table of fields, and esk encodes
 * it to JSON and decodes it back, checking every field:
 *
 *   typedef struct attendee_registered {
 *       char workshop_id[64];
 *       char attendee[128];
 *       int64_t seats;
 *       bool paid;
 *   } attendee_registered;
 *
 *   static const esk_field attendee_registered_fields[] = {
 *       ESK_FIELD_STRING(attendee_registered, workshop_id, "workshopId"),
 *       ESK_FIELD_STRING(attendee_registered, attendee, "attendee"),
 *       ESK_FIELD_INT64(attendee_registered, seats, "seats"),
 *       ESK_FIELD_BOOL(attendee_registered, paid, "paid"),
 *   };
 *   const esk_event_type attendee_registered_type = ESK_EVENT_TYPE(
 *       attendee_registered, "AttendeeRegistered", 1,
 *       attendee_registered_fields);
 *
 * Strings live inside the struct (char arrays), so a decoded event owns no
 * memory and needs no free. A string that does not fit is a decode error,
 * not a silent cut.
 *
 * JSON keys are written in the table's order, compactly, and a double with
 * the fewest digits that read back as the same double ("0.1", "100.0").
 *
 * Decoding requires every field not marked optional (the _OPT macros),
 * rejects a value of the wrong kind, a duplicate key and a "\u0000" in a
 * string, and ignores keys the table does not name: adding an optional
 * field to a type is not a breaking change. Integers must fit in 64 bits,
 * even for a double field: write 1e20, not 100000000000000000000.
 */
#ifndef ESK_CODEC_H
#define ESK_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "event.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What a field holds, and the C type of its struct member. */
typedef enum esk_field_kind {
    ESK_KIND_STRING, /**< char name[N]: a JSON string of at most N-1 bytes */
    ESK_KIND_INT64,  /**< int64_t: a JSON integer (2.0 is refused) */
    ESK_KIND_BOOL,   /**< bool: true or false */
    ESK_KIND_DOUBLE, /**< double: a finite JSON number, integer or real */
    ESK_KIND_OBJECT, /**< a nested struct: a JSON object, with its own table */
    ESK_KIND_ARRAY,  /**< T name[N] plus a size_t count member: a JSON array */
} esk_field_kind;

/** One field of a struct. Build it with the ESK_FIELD_* macros. */
typedef struct esk_field {
    /** The JSON key: non-empty UTF-8, unique in its table ("" for an
     *  array's element, whose key is unused). */
    const char *name;
    esk_field_kind kind;
    /** Where the member is: offsetof(struct, member). */
    size_t offset;
    /** sizeof the member: a string's capacity, an array's whole size. */
    size_t size;
    /** When true, a missing key (or null) decodes as zero/empty/false. */
    bool optional;
    /** OBJECT: the nested struct's fields. ARRAY: one field describing an
     *  element, at offset 0 of the element. */
    const struct esk_field *fields;
    size_t field_count;
    /** ARRAY: sizeof one element, and where its size_t count member is. */
    size_t element_size;
    size_t count_offset;
} esk_field;

/* Kept compact by hand: clang-format would spread each over four lines. */
/* clang-format off */
#define ESK__MEMBER_SIZE(type, member) sizeof(((type *)0)->member)
#define ESK__FIELD(type, member, key, kind, opt)                               \
    {(key), (kind), offsetof(type, member), ESK__MEMBER_SIZE(type, member),    \
     (opt), NULL, 0, 0, 0}

/* Required fields: a missing key is a decode error. */
#define ESK_FIELD_STRING(type, member, key)                                    \
    ESK__FIELD(type, member, key, ESK_KIND_STRING, false)
#define ESK_FIELD_INT64(type, member, key)                                     \
    ESK__FIELD(type, member, key, ESK_KIND_INT64, false)
#define ESK_FIELD_BOOL(type, member, key)                                      \
    ESK__FIELD(type, member, key, ESK_KIND_BOOL, false)
#define ESK_FIELD_DOUBLE(type, member, key)                                    \
    ESK__FIELD(type, member, key, ESK_KIND_DOUBLE, false)

/* Optional fields: a missing key or null decodes as "", 0, false, 0.0. */
#define ESK_FIELD_STRING_OPT(type, member, key)                                \
    ESK__FIELD(type, member, key, ESK_KIND_STRING, true)
#define ESK_FIELD_INT64_OPT(type, member, key)                                 \
    ESK__FIELD(type, member, key, ESK_KIND_INT64, true)
#define ESK_FIELD_BOOL_OPT(type, member, key)                                  \
    ESK__FIELD(type, member, key, ESK_KIND_BOOL, true)
#define ESK_FIELD_DOUBLE_OPT(type, member, key)                                \
    ESK__FIELD(type, member, key, ESK_KIND_DOUBLE, true)

/** A nested struct member described by its own field table (an array of
 *  esk_field). The _OPT form decodes a missing key or null as all zero. */
#define ESK_FIELD_OBJECT(type, member, key, table)                             \
    ESK__FIELD_OBJECT(type, member, key, table, false)
#define ESK_FIELD_OBJECT_OPT(type, member, key, table)                         \
    ESK__FIELD_OBJECT(type, member, key, table, true)
#define ESK__FIELD_OBJECT(type, member, key, table, opt)                       \
    {(key), ESK_KIND_OBJECT, offsetof(type, member),                           \
     ESK__MEMBER_SIZE(type, member), (opt), (table),                           \
     sizeof(table) / sizeof((table)[0]), 0, 0}

/**
 * An array member `T member[N]` whose used length is in a `size_t`
 * member. element is a one-entry table describing one T, made with an
 * ESK_ELEMENT_* macro:
 *
 *   char seats[8][32]; size_t seat_count;
 *   static const esk_field seat = ESK_ELEMENT_STRING(char[32]);
 *   ESK_FIELD_ARRAY(my_event, seats, seat_count, "seats", &seat)
 *
 * An absent key (or null) decodes as an empty array; more than N elements
 * is a decode error. Encoding refuses a count above N.
 */
#define ESK_FIELD_ARRAY(type, member, count_member, key, element)              \
    {(key), ESK_KIND_ARRAY, offsetof(type, member),                            \
     ESK__MEMBER_SIZE(type, member), true, (element), 1,                       \
     sizeof(((type *)0)->member[0]), offsetof(type, count_member)}

#define ESK__ELEMENT(kind, size) {"", (kind), 0, (size), false, NULL, 0, 0, 0}
#define ESK_ELEMENT_STRING(ctype) ESK__ELEMENT(ESK_KIND_STRING, sizeof(ctype))
#define ESK_ELEMENT_INT64 ESK__ELEMENT(ESK_KIND_INT64, sizeof(int64_t))
#define ESK_ELEMENT_BOOL ESK__ELEMENT(ESK_KIND_BOOL, sizeof(bool))
#define ESK_ELEMENT_DOUBLE ESK__ELEMENT(ESK_KIND_DOUBLE, sizeof(double))
#define ESK_ELEMENT_OBJECT(ctype, table)                                       \
    {"", ESK_KIND_OBJECT, 0, sizeof(ctype), false, (table),                    \
     sizeof(table) / sizeof((table)[0]), 0, 0}
/* clang-format on */

/** An event type: its name, schema version, struct and field table. */
typedef struct esk_event_type {
    const char *name;
    int schema_version;
    size_t struct_size;
    const esk_field *fields;
    size_t field_count;
} esk_event_type;

/* clang-format off */
#define ESK_EVENT_TYPE(ctype, type_name, schema, table)                        \
    {(type_name), (schema), sizeof(ctype), (table),                            \
     sizeof(table) / sizeof((table)[0])}
/* clang-format on */

/**
 * Encode a struct to compact JSON, keys in table order.
 *
 * @param type   the event type; borrowed.
 * @param event  a struct of type->struct_size bytes; borrowed.
 * @param out    receives a NUL-terminated string, owned by the caller: free
 *               it with esk_free(). Untouched on failure.
 * @return ESK_OK; ESK_EINVAL (a NULL pointer, an invalid table, a string
 *         member without a NUL or not in UTF-8, a count beyond the array, a
 *         double that is not finite); ESK_ENOMEM.
 */
esk_status esk_codec_encode(const esk_event_type *type, const void *event,
                            char **out);

/**
 * Encode into a caller's buffer, without allocating the result.
 *
 * @param buf, size the buffer; on success it holds the JSON and a NUL, on
 *                  failure it is untouched. buf may be NULL if size is 0.
 * @param out_len   optional: the JSON's length without the NUL, set on
 *                  success and when the buffer is too small (so that a
 *                  call with size 0 measures: retry with *out_len + 1).
 * @return as esk_codec_encode(), and ESK_EINVAL when the buffer is too
 *         small (the message gives the size needed).
 */
esk_status esk_codec_encode_to(const esk_event_type *type, const void *event,
                               char *buf, size_t size, size_t *out_len);

/**
 * Decode JSON into a struct. The whole struct is zeroed first, so fields
 * that are optional and missing read as zero.
 *
 * @param type  the event type; borrowed.
 * @param json  NUL-terminated JSON text; borrowed.
 * @param out   a struct of type->struct_size bytes. On failure its content
 *              is unspecified.
 * On failure the message names the event type, its
 *              schema version, the field path and what was wrong:
 *              "AttendeeRegistered v1: field 'seats': expected an integer,
 *              got a string".
 *              Text that is not JSON gives "AttendeeRegistered v1: invalid
 *              JSON at line 1, column 9: <the parser's reason>".
 * @return ESK_OK; ESK_EINVAL (a NULL pointer, an invalid table);
 *         ESK_EDECODE (the JSON is invalid or not an object, has a
 *         duplicate key, or a field is missing, of the wrong kind, out of
 *         range or too long); ESK_ENOMEM.
 */
esk_status esk_codec_decode(const esk_event_type *type, const char *json,
                            void *out);

/**
 * Decode a recorded event after checking that its type name and schema
 * version are the type's.
 *
 * @param type, out as esk_codec_decode().
 * @param event a recorded event; borrowed. Its type and data must be set.
 * @return as esk_codec_decode(); ESK_EDECODE also when the event is of
 *         another type or schema version: "event 3 of stream 'workshop-1'
 *         is WorkshopClosed v1, not AttendeeRegistered v1".
 */
esk_status esk_codec_decode_event(const esk_event_type *type,
                                  const esk_event *event, void *out);

#ifdef __cplusplus
}
#endif

#endif
