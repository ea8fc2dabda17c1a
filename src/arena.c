/*
 * src/arena.c - the chunked arena and esk_event_list.
 *
 * A read copies the strings of many events. Copying them into a few large
 * blocks instead of one allocation per string keeps reads fast, and since
 * blocks never move, the pointers handed out stay valid as the list grows.
 */
#include <string.h>

#include "internal.h"

enum { ARENA_BLOCK_MIN = 16 * 1024 };

static esk__arena_block *block_new(size_t size)
{
    esk__arena_block *block = esk__malloc(sizeof(*block) + size);
    if (block == NULL)
        return NULL;
    block->next = NULL;
    block->used = 0;
    block->size = size;
    return block;
}

static char *block_data(esk__arena_block *block)
{
    return (char *)(block + 1);
}

char *esk__arena_strndup(esk__arena_block **head, const char *text, size_t len)
{
    esk__arena_block *block = *head;
    size_t need = len + 1;

    if (block == NULL || block->size - block->used < need) {
        /* Grow geometrically so that a big read needs few blocks. */
        size_t size = block == NULL ? ARENA_BLOCK_MIN : block->size * 2;
        if (size < need)
            size = need;
        esk__arena_block *fresh = block_new(size);
        if (fresh == NULL)
            return NULL;
        fresh->next = block;
        *head = fresh;
        block = fresh;
    }
    char *copy = block_data(block) + block->used;
    memcpy(copy, text, len);
    copy[len] = '\0';
    block->used += need;
    return copy;
}

void esk__arena_reset(esk__arena_block **head)
{
    esk__arena_block *block = *head;
    if (block == NULL)
        return;
    /* Keep the newest (largest) block for the next fill, free the rest. */
    esk__arena_block *rest = block->next;
    block->next = NULL;
    block->used = 0;
    while (rest != NULL) {
        esk__arena_block *next = rest->next;
        esk__free(rest);
        rest = next;
    }
}

void esk__arena_free(esk__arena_block **head)
{
    esk__arena_block *block = *head;
    while (block != NULL) {
        esk__arena_block *next = block->next;
        esk__free(block);
        block = next;
    }
    *head = NULL;
}

void esk_event_list_free(esk_event_list *list)
{
    if (list == NULL)
        return;
    esk__free(list->events);
    esk__arena_free(&list->arena_);
    list->events = NULL;
    list->count = 0;
    list->capacity_ = 0;
}

void esk_event_list_clear(esk_event_list *list)
{
    if (list == NULL)
        return;
    list->count = 0;
    esk__arena_reset(&list->arena_);
}

esk_status esk__event_list_reserve(esk_event_list *list, size_t n)
{
    if (list->capacity_ - list->count >= n)
        return ESK_OK;
    size_t capacity = list->capacity_ == 0 ? 16 : list->capacity_;
    while (capacity - list->count < n) {
        if (capacity > SIZE_MAX / 2 / sizeof(esk_event))
            return ESK_ENOMEM;
        capacity *= 2;
    }
    esk_event *events =
        esk__realloc(list->events, capacity * sizeof(esk_event));
    if (events == NULL)
        return ESK_ENOMEM;
    list->events = events;
    list->capacity_ = capacity;
    return ESK_OK;
}

esk_status esk__event_list_push_borrowed(esk_event_list *list,
                                         const esk_event *event)
{
    esk_status rc = esk__event_list_reserve(list, 1);
    if (rc != ESK_OK)
        return rc;
    list->events[list->count++] = *event;
    return ESK_OK;
}

esk_status esk_event_list_push(esk_event_list *list, const esk_event *event)
{
    if (list == NULL || event == NULL || event->event_id == NULL ||
        event->stream_id == NULL || event->type == NULL ||
        event->data == NULL || event->metadata == NULL)
        return ESK_EINVAL;
    esk_status rc = esk__event_list_reserve(list, 1);
    if (rc != ESK_OK)
        return rc;

    /* Copy all five strings, or none: a failure midway leaves the arena
     * with some unused bytes, which the next reset reclaims. */
    esk_event copy = *event;
    const char **fields[] = {&copy.event_id, &copy.stream_id, &copy.type,
                             &copy.data, &copy.metadata};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *text = *fields[i];
        char *dup = esk__arena_strndup(&list->arena_, text, strlen(text));
        if (dup == NULL)
            return ESK_ENOMEM;
        *fields[i] = dup;
    }
    list->events[list->count++] = copy;
    return ESK_OK;
}
