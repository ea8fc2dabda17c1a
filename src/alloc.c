/*
 * src/alloc.c - the allocator hook.
 *
 * esk allocates through one table of functions so that tests can count
 * allocations (leak checks) or fail the k-th one (fault injection). jansson
 * follows the same table, so that a failure inside the codec is injected
 * too.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

static esk_allocator allocator = {malloc, realloc, free};

/* How many allocations have failed so far, in this thread. jansson does
 * not always report a failed allocation (it may drop a byte of a long token
 * and carry on), so callers compare this count before and after a call. */
static _Thread_local unsigned long failures;

/*
 * jansson's parser is not safe against a failed allocation: its lexer
 * drops a byte it cannot store, and a string token that so loses its
 * closing quote is then copied past the end of both of its buffers (seen
 * with jansson 2.14). So while esk__json_loads() parses, a block that the
 * allocator refuses is taken from the C library instead: the failure is
 * counted all the same, and the parse is reported as out of memory. The
 * blocks so taken are listed, to be given back to the C library.
 */
static _Thread_local bool parsing;
static _Thread_local void **borrowed;
static _Thread_local size_t borrowed_count;
static _Thread_local size_t borrowed_capacity;

static void *borrow(size_t size)
{
    if (borrowed_count == borrowed_capacity) {
        size_t capacity = borrowed_capacity == 0 ? 16 : 2 * borrowed_capacity;
        void **grown = realloc(borrowed, capacity * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        borrowed = grown;
        borrowed_capacity = capacity;
    }
    void *p = malloc(size);
    if (p != NULL)
        borrowed[borrowed_count++] = p;
    return p;
}

/* Free ptr if it was borrowed from the C library; false if it was not. */
static bool give_back(void *ptr)
{
    for (size_t i = borrowed_count; i-- > 0;) {
        if (borrowed[i] == ptr) {
            free(ptr);
            borrowed[i] = borrowed[--borrowed_count];
            if (borrowed_count == 0) {
                free(borrowed);
                borrowed = NULL;
                borrowed_capacity = 0;
            }
            return true;
        }
    }
    return false;
}

static void *json_malloc(size_t size)
{
    void *p = allocator.malloc_fn(size == 0 ? 1 : size);
    if (p == NULL) {
        failures++;
        if (parsing)
            p = borrow(size == 0 ? 1 : size);
    }
    return p;
}

static void json_free(void *ptr)
{
    if (ptr == NULL)
        return;
    if (borrowed_count > 0 && give_back(ptr))
        return;
    allocator.free_fn(ptr);
}

json_t *esk__json_loads(const char *text, size_t flags, json_error_t *error,
                        bool *out_of_memory)
{
    unsigned long before = failures;
    parsing = true;
    json_t *json = json_loads(text, flags, error);
    parsing = false;
    /* Also when it parsed: the text may have lost a byte. */
    *out_of_memory = failures != before;
    if (*out_of_memory) {
        json_decref(json);
        json = NULL;
    }
    return json;
}

void esk__jansson_free(void *ptr)
{
    json_malloc_t malloc_fn;
    json_free_t free_fn;
    json_get_alloc_funcs(&malloc_fn, &free_fn);
    free_fn(ptr);
}

const char *esk__json_kind(const struct json_t *json)
{
    static const char *const kinds[] = {
        [JSON_OBJECT] = "an object",   [JSON_ARRAY] = "an array",
        [JSON_STRING] = "a string",    [JSON_INTEGER] = "an integer",
        [JSON_REAL] = "a real number", [JSON_TRUE] = "true",
        [JSON_FALSE] = "false",        [JSON_NULL] = "null",
    };
    return kinds[json_typeof(json)];
}

unsigned long esk__allocation_failures(void)
{
    return failures;
}

esk_status esk_set_allocator(const esk_allocator *new_allocator)
{
    if (new_allocator == NULL) {
        allocator = (esk_allocator){malloc, realloc, free};
        json_set_alloc_funcs(json_malloc, json_free);
        return ESK_OK;
    }
    if (new_allocator->malloc_fn == NULL || new_allocator->realloc_fn == NULL ||
        new_allocator->free_fn == NULL)
        return ESK_EINVAL;
    allocator = *new_allocator;
    json_set_alloc_funcs(json_malloc, json_free);
    return ESK_OK;
}

void *esk__malloc(size_t size)
{
    void *p = allocator.malloc_fn(size == 0 ? 1 : size);
    if (p == NULL)
        failures++;
    return p;
}

void *esk__calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = esk__malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *esk__realloc(void *ptr, size_t size)
{
    void *p = allocator.realloc_fn(ptr, size == 0 ? 1 : size);
    if (p == NULL)
        failures++;
    return p;
}

void esk__free(void *ptr)
{
    if (ptr != NULL)
        allocator.free_fn(ptr);
}

void esk_free(void *ptr)
{
    esk__free(ptr);
}

void *esk_malloc(size_t size)
{
    return esk__malloc(size);
}

char *esk__strdup(const char *text)
{
    size_t len = strlen(text);
    char *copy = esk__malloc(len + 1);
    if (copy != NULL)
        memcpy(copy, text, len + 1);
    return copy;
}
