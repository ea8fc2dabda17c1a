/*
 * src/internal.h - helpers shared by esk's source files, not installed.
 */
#ifndef ESK_INTERNAL_H
#define ESK_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/event.h"
#include "esk/status.h"

/* Every allocation of esk goes through these, so that esk_set_allocator()
 * can count or fail them. */
void *esk__malloc(size_t size);
void *esk__calloc(size_t count, size_t size);
void *esk__realloc(void *ptr, size_t size);
void esk__free(void *ptr);
char *esk__strdup(const char *text);
/* The number of allocations that have failed so far: esk's own, and
 * jansson's once esk_set_allocator() has been called. */
unsigned long esk__allocation_failures(void);

/* A vsnprintf into an esk_error that also sets its status; err may be NULL.
 * Returns status. */
esk_status esk__error_set(esk_error *err, esk_status status, const char *format,
                          ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
esk_status esk__error_vset(esk_error *err, esk_status status,
                           const char *format, va_list args);

/* Whether text is valid UTF-8 (no overlongs, no surrogates) of at most
 * max_len bytes and at least one byte. */
bool esk__utf8_valid(const char *text, size_t max_len);

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
void esk__arena_reset(esk__arena_block **head);
void esk__arena_free(esk__arena_block **head);

/* Make room for n more events in a list; ESK_ENOMEM leaves it unchanged. */
esk_status esk__event_list_reserve(esk_event_list *list, size_t n);

/* Append an event to a list without copying its strings: the caller
 * guarantees they outlive the list's content (the memory store does). */
esk_status esk__event_list_push_borrowed(esk_event_list *list,
                                         const esk_event *event);

/* Fill buf (at least n bytes) from SQLite's CSPRNG. */
void esk__random_bytes(void *buf, size_t n);

#endif
