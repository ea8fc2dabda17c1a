/*
 * src/internal.h - helpers shared by esk's source files, not installed.
 */
#ifndef ESK_INTERNAL_H
#define ESK_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/error.h"
#include "esk/event.h"
#include "esk/record.h"
#include "esk/status.h"

/* The monotonic clock in microseconds, for measuring how long something
 * took (src/monotonic.c). */
int64_t esk__monotonic_us(void);
/* Sleep ms milliseconds, going on after signals; nothing for ms <= 0. */
void esk__sleep_ms(long long ms);

/* Every allocation of esk goes through these, so that esk_set_allocator()
 * can count or fail them. */
void *esk__malloc(size_t size);
void *esk__calloc(size_t count, size_t size);
void *esk__realloc(void *ptr, size_t size);
void esk__free(void *ptr);
char *esk__strdup(const char *text);
/* The number of allocations that have failed so far in this thread: esk's
 * own, and jansson's once esk_set_allocator() has been called. */
unsigned long esk__allocation_failures(void);

/* json_loads() made safe against a failed allocation: every parse that
 * met one, even one that jansson survived with damaged text, gives NULL
 * and *out_of_memory true (error is then not filled). */
struct json_t;
struct json_error_t;
struct json_t *esk__json_loads(const char *text, size_t flags,
                               struct json_error_t *error, bool *out_of_memory);

/* Free what jansson allocated for esk (json_dumps), with jansson's own
 * free: it may be esk's allocator or the C library's. */
void esk__jansson_free(void *ptr);
/* How a message names the kind of a JSON value: "an array", "null"... */
const char *esk__json_kind(const struct json_t *json);
/* Whether text is JSON, without touching the last error. */
bool esk__json_valid(const char *text);
/* The length of the UTF-8 sequence that starts at p (a byte >= 0x80 of
 * NUL-terminated text), or 0 when it is not valid UTF-8. */
size_t esk__utf8_sequence(const unsigned char *p);

/* The calling thread's last error (src/error.c, esk/error.h). Every public
 * function that can fail ends with one of these: esk__ok() on success, an
 * esk__fail...() with a message in the caller's terms on failure. Each
 * returns the status it was given. */
esk_status esk__ok(void);
/* A public function's last step over an internal core: rc, after clearing
 * the last error when rc is ESK_OK. Cores never clear it, so library code
 * that calls a core after a failure cannot lose the failure's message. */
esk_status esk__record(esk_status rc);
/* Record a failure: esk_error_set() itself, so that esk and the code it
 * calls report through one implementation that cannot drift apart. */
#define esk__fail esk_error_set
#define esk__fail_ext esk_error_set_ext
esk_status esk__vfail_ext(esk_status status, esk_ext ext, const char *format,
                          va_list args);
/* Pass on a failure that an inner call (esk's or a callback's) recorded,
 * saying where it happened: "<where>: <inner message>", keeping the inner
 * extended and domain codes when the status is the inner one. An inner
 * call that left no message gives "<where> (<status name>)". */
esk_status esk__fail_within(esk_status status, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Record a note for a call that succeeds anyway: status ESK_OK with a
 * message (the repository's "events saved, snapshot not written"). */
void esk__note(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/* Keep the last error across a call that may replace it. Not for
 * cleanups: library code cleans up through entry points that keep it
 * (esk__store_undo_to); see docs/architecture.md, "Errors". */
void esk__error_save(esk_error *copy);
void esk__error_restore(const esk_error *copy);

/* Whether text nests arrays and objects deeper than ESK_JSON_DEPTH_MAX
 * before any other fault, and where (*offset). It recurses no deeper than
 * that: a check to make before a parser that would go deeper. */
bool esk__json_too_deep(const char *text, size_t *offset);

/* Whether text is valid UTF-8 (no overlongs, no surrogates) of at most
 * max_len bytes and at least one byte. */
bool esk__utf8_valid(const char *text, size_t max_len);
/* The same for a caller that knows strlen(text) already: len. */
bool esk__utf8_valid_len(const char *text, size_t len, size_t max_len);

/*
 * A chunked arena: strings copied into it never move, so pointers into it
 * stay valid until it is reset or freed. Reset keeps the first block for
 * reuse, so a loop of reads into one list allocates nothing after the
 * first.
 */
typedef struct esk__arena_block {
    struct esk__arena_block *next;
    size_t used;
    size_t size;
    /* data follows */
} esk__arena_block;

/* Copy len bytes plus a NUL into the arena whose head is *head. */
char *esk__arena_strndup(esk__arena_block **head, const char *text, size_t len);
/* Reserve size bytes in the arena, for a caller that copies several
 * strings at once; NULL when out of memory. */
char *esk__arena_alloc(esk__arena_block **head, size_t size);
/* Copy an event's tags (count of them, none NULL) into the arena: an
 * array of pointers, aligned for them, and the strings it points to. NULL
 * when out of memory (or count is 0: nothing to copy). */
const char *const *esk__arena_copy_tags(esk__arena_block **head,
                                        const char *const *tags, size_t count);
void esk__arena_reset(esk__arena_block **head);
void esk__arena_free(esk__arena_block **head);

/* Copy len bytes of text plus a NUL into the list's own storage, where
 * they live as long as its events; NULL when out of memory. */
char *esk__event_list_strndup(esk_event_list *list, const char *text,
                              size_t len);

/* Make room for n more events in a list; ESK_ENOMEM leaves it unchanged. */
esk_status esk__event_list_reserve(esk_event_list *list, size_t n);

/* Append an event to a list without copying its strings: the caller
 * guarantees they outlive the list's content (the memory store does). */
esk_status esk__event_list_push_borrowed(esk_event_list *list,
                                         const esk_event *event);
/* An event's tags for a message: "'attendee:bob', 'workshop:w-1'" or "no
 * tags", cut to fit size (src/store_query.c). */
void esk__describe_tags(char *buf, size_t size, const esk_event *event);

/* esk_event_list_push() for a caller that knows the lengths of the
 * event's strings, in the order event_id, stream_id, type, data, metadata
 * (the strlen() of each). The tags are copied too. */
esk_status esk__event_list_push_sized(esk_event_list *list,
                                      const esk_event *event,
                                      const size_t lengths[5]);

/* Whether an event matches one item of a query (src/store_query.c). */
struct esk_query_item;
bool esk__query_item_matches(const struct esk_query_item *item,
                             const esk_event *event);

/*
 * Events raised by an aggregate or emitted by a decision, not yet stored:
 * their type and their data encoded as JSON (owned).
 */
struct esk_event_type;
typedef struct esk__pending {
    const struct esk_event_type *type;
    char *json;
} esk__pending;

typedef struct esk__pending_list {
    esk__pending *items;
    size_t count;
    size_t capacity;
} esk__pending_list;

/* Encode event with type and append it; on failure the list is
 * unchanged (ESK_EINVAL, ESK_ENOMEM). */
esk_status esk__pending_push(esk__pending **items, size_t *count,
                             size_t *capacity,
                             const struct esk_event_type *type,
                             const void *event);
/* Free every item's JSON and set count to 0, keeping the array. */
void esk__pending_clear(esk__pending *items, size_t *count);
/* Free everything. */
void esk__pending_free(esk__pending **items, size_t *count, size_t *capacity);

/* The evolve function shared by aggregate types and deciders. */
typedef void (*esk__evolve_fn)(void *state, const struct esk_event_type *type,
                               const void *event);

/* Find the type of a recorded event among types (by name and schema
 * version). NULL when none matches. */
const struct esk_event_type *
esk__find_type(const struct esk_event_type *const *types, size_t n,
               const char *name, int schema_version);

/*
 * Decode each recorded event with its type and evolve the state with it,
 * in order. owner names the aggregate or decider in messages. An event
 * whose type name is none of types is skipped when skip_unknown is set.
 * Stops at the first event that fails: ESK_EDECODE with a message naming
 * stream, version, type and what was wrong; ESK_ENOMEM.
 */
esk_status esk__fold(const struct esk_event_type *const *types, size_t n,
                     esk__evolve_fn evolve, void *state,
                     const esk_event *events, size_t count, const char *owner,
                     bool skip_unknown);

/*
 * esk_time_parse() for many texts in a row, as a read gets them: events
 * come in the order they were recorded, so most share their second with
 * the one before, and then only the fraction is read. Keep one reader
 * for one run of texts (a local variable); it owns nothing.
 */
typedef struct esk__time_reader {
    bool valid;
    char second[20]; /* "2026-11-27T12:49:00" of the last canonical text */
    esk_time base;   /* the time of that second */
} esk__time_reader;

void esk__time_reader_init(esk__time_reader *reader);
/* As esk_time_parse(text, out), text not NULL. */
esk_status esk__time_read(esk__time_reader *reader, const char *text,
                          esk_time *out);

/* A UUID v7 generator's state (src/uuid.c); all zero is a valid start.
 * Ids of one state increase, so one state serves one thread at a time. */
typedef struct esk__uuid_v7_state {
    bool seeded;         /* rng holds a seed drawn in this process */
    unsigned generation; /* how many forks the process had seen then */
    uint64_t rng;        /* splitmix64: fast, and any seed is a good one */
    int64_t ms;          /* the timestamp of the last id */
    uint64_t counter;    /* the 42-bit counter of the last id */
} esk__uuid_v7_state;

/* Write n new UUID v7 texts, stamped with the millisecond of now, each
 * greater than every id made with st before. */
void esk__uuid_v7_generate(esk__uuid_v7_state *st, esk_time now,
                           char (*ids)[ESK_EVENT_ID_LEN + 1], size_t n);

/* Fill buf (at least n bytes) from SQLite's CSPRNG. */
void esk__random_bytes(void *buf, size_t n);

/* The store handle a bus was created over, so that what works with a bus
 * can check that both use one handle. */
struct esk_bus;
struct esk_store;
struct esk_store *esk__bus_store(const struct esk_bus *bus);

/* For messages about two texts that differ (stored and sent data...): an
 * excerpt of each, from a little before the first byte where they differ,
 * with "..." where text was left out. a_out and b_out hold size bytes,
 * ESK__EXCERPT_SIZE is enough. */
enum { ESK__EXCERPT_SIZE = 48 };
void esk__excerpt_difference(const char *a, const char *b, char *a_out,
                             char *b_out, size_t size);

/* A new batch (its first id is not stored) that reuses the stored id
 * event_id: ESK_EDUPLICATE, with the message every backend gives. */
esk_status esk__store_reused_id(struct esk_store *store, const char *event_id,
                                const char *stored_stream_id,
                                int64_t stored_version, const char *first_id);

/* The store's transaction calls for library code. Like esk_store_begin(),
 * esk_store_commit() and esk_store_rollback() they record a failure, but a
 * success leaves the last error as it was. store is not NULL. */
esk_status esk__store_begin(struct esk_store *store);
esk_status esk__store_commit(struct esk_store *store);
esk_status esk__store_rollback(struct esk_store *store);
/* The cleanup after a failure: roll back every transaction level above
 * depth, leaving the last error exactly as it was whatever happens. Returns
 * the first status of those rollbacks, for a caller that may not go on
 * after one failed (the message then is still the caller's failure). */
esk_status esk__store_undo_to(struct esk_store *store, int depth);

/* esk_store_get_record() for callers to whom a missing record is the
 * usual answer: ESK_ENOTFOUND sets no message (formatting it cost as
 * much as the look-up), every other status is the same. */
/* esk_store_put_record() of a value esk wrote itself, JSON by
 * construction (a command's outcome, a checkpoint): the same, without
 * checking the value again, and like the calls above it leaves the last
 * error alone on success. store is not NULL. */
esk_status esk__store_put_own_record(struct esk_store *store,
                                     esk_record_kind kind,
                                     const esk_record *record);
esk_status esk__store_find_record(struct esk_store *store, esk_record_kind kind,
                                  const char *key, esk_record *out,
                                  char **owned);

#endif
