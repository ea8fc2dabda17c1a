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

/* How many allocations have failed so far. jansson does not always report
 * a failed allocation (it may drop a byte of a long token and carry on),
 * so the codec compares this count before and after a parse. */
static unsigned long failures;

static void *json_malloc(size_t size)
{
    void *p = allocator.malloc_fn(size == 0 ? 1 : size);
    if (p == NULL)
        failures++;
    return p;
}

static void json_free(void *ptr)
{
    if (ptr != NULL)
        allocator.free_fn(ptr);
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

char *esk__strdup(const char *text)
{
    size_t len = strlen(text);
    char *copy = esk__malloc(len + 1);
    if (copy != NULL)
        memcpy(copy, text, len + 1);
    return copy;
}
