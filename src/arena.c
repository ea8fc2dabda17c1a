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

char *esk__arena_alloc(esk__arena_block **head, size_t need)
{
    esk__arena_block *block = *head;

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
    char *space = block_data(block) + block->used;
    block->used += need;
    return space;
}

char *esk__arena_strndup(esk__arena_block **head, const char *text, size_t len)
{
    char *copy = esk__arena_alloc(head, len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

const char *const *esk__arena_copy_tags(esk__arena_block **head,
                                        const char *const *tags, size_t count)
{
    if (count == 0 || count > ESK_EVENT_TAGS_MAX)
        return NULL;
    size_t lengths[ESK_EVENT_TAGS_MAX];
    /* The arena hands out bytes at any offset: ask for enough to line the
     * array of pointers up. */
    size_t total = count * sizeof(char *) + sizeof(char *) - 1;
    for (size_t i = 0; i < count; i++) {
        lengths[i] = strlen(tags[i]) + 1;
        total += lengths[i];
    }
    char *space = esk__arena_alloc(head, total);
    if (space == NULL)
        return NULL;
    uintptr_t at = (uintptr_t)space;
    at = (at + sizeof(char *) - 1) & ~(uintptr_t)(sizeof(char *) - 1);
    const char **array = (const char **)at;
    char *text = (char *)(array + count);
    for (size_t i = 0; i < count; i++) {
        array[i] = memcpy(text, tags[i], lengths[i]);
        text += lengths[i];
    }
    return array;
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

/* What a list owns besides its events: made on the first reservation. */
struct esk__event_list {
    size_t capacity;
    esk__arena_block *arena;
};

void esk_event_list_release(esk_event_list *list)
{
    if (list == NULL)
        return;
    esk__free(list->events);
    if (list->internal != NULL) {
        esk__arena_free(&list->internal->arena);
        esk__free(list->internal);
    }
    list->events = NULL;
    list->count = 0;
    list->internal = NULL;
}

void esk_event_list_clear(esk_event_list *list)
{
    if (list == NULL)
        return;
    list->count = 0;
    if (list->internal != NULL)
        esk__arena_reset(&list->internal->arena);
}

esk_status esk__event_list_reserve(esk_event_list *list, size_t n)
{
    if (list->internal == NULL) {
        list->internal = esk__calloc(1, sizeof(*list->internal));
        if (list->internal == NULL)
            return ESK_ENOMEM;
    }
    size_t held = list->internal->capacity;
    if (held - list->count >= n)
        return ESK_OK;
    size_t capacity = held == 0 ? 16 : held;
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
    list->internal->capacity = capacity;
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

esk_status esk__event_list_push_sized(esk_event_list *list,
                                      const esk_event *event,
                                      const size_t lengths[5])
{
    esk_status rc = esk__event_list_reserve(list, 1);
    if (rc != ESK_OK)
        return rc;

    /* The five strings go into one piece of the arena, so that a read
     * pays one reservation per event rather than five; all of them are
     * copied, or none. Each is copied with its NUL. */
    size_t total = 5;
    for (int i = 0; i < 5; i++) {
        if (lengths[i] > SIZE_MAX - total)
            return ESK_ENOMEM; /* the same huge text in several fields */
        total += lengths[i];
    }
    char *text = esk__arena_alloc(&list->internal->arena, total);
    if (text == NULL)
        return ESK_ENOMEM;
    esk_event *copy = &list->events[list->count];
    *copy = *event;
    if (event->tag_count > 0) {
        copy->tags = esk__arena_copy_tags(&list->internal->arena, event->tags,
                                          event->tag_count);
        if (copy->tags == NULL)
            return ESK_ENOMEM;
    } else {
        copy->tags = NULL;
    }
    copy->event_id = memcpy(text, event->event_id, lengths[0] + 1);
    text += lengths[0] + 1;
    copy->stream_id = memcpy(text, event->stream_id, lengths[1] + 1);
    text += lengths[1] + 1;
    copy->type = memcpy(text, event->type, lengths[2] + 1);
    text += lengths[2] + 1;
    copy->data = memcpy(text, event->data, lengths[3] + 1);
    text += lengths[3] + 1;
    copy->metadata = memcpy(text, event->metadata, lengths[4] + 1);
    list->count++;
    return ESK_OK;
}

char *esk__event_list_strndup(esk_event_list *list, const char *text,
                              size_t len)
{
    if (list->internal == NULL && esk__event_list_reserve(list, 0) != ESK_OK)
        return NULL;
    return esk__arena_strndup(&list->internal->arena, text, len);
}

esk_status esk_event_list_push(esk_event_list *list, const esk_event *event)
{
    if (list == NULL || event == NULL || event->event_id == NULL ||
        event->stream_id == NULL || event->type == NULL ||
        event->data == NULL || event->metadata == NULL ||
        event->tag_count > ESK_EVENT_TAGS_MAX ||
        (event->tag_count > 0 && event->tags == NULL))
        return ESK_EINVAL;
    for (size_t i = 0; i < event->tag_count; i++)
        if (event->tags[i] == NULL)
            return ESK_EINVAL;
    const size_t lengths[5] = {strlen(event->event_id),
                               strlen(event->stream_id), strlen(event->type),
                               strlen(event->data), strlen(event->metadata)};
    return esk__event_list_push_sized(list, event, lengths);
}
