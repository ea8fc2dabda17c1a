/*
 * src/hash_table.c - a small open-addressing hash table (hash_table.h).
 */
#include <string.h>

#include "hash_table.h"
#include "internal.h"

/*
 * Hash a key 8 bytes at a time, then mix every bit into the low ones that
 * index the power-of-two tables. Byte at a time (FNV-1a, as before) cost
 * one dependent multiply per byte: some 50 ns for a 36-byte event id, on
 * every append of every event. The tables live in memory only, so the
 * function may change freely; words are read with memcpy (no alignment
 * needed), in the machine's byte order.
 */
uint64_t esk__hash_text(const char *text)
{
    return esk__hash_bytes(text, strlen(text));
}

uint64_t esk__hash_bytes(const char *text, size_t len)
{
    const uint64_t k = UINT64_C(0xff51afd7ed558ccd);
    const unsigned char *p = (const unsigned char *)text;
    uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t)len;
    uint64_t word;
    for (; len >= 8; p += 8, len -= 8) {
        memcpy(&word, p, 8);
        h = (h ^ word) * k;
        h ^= h >> 32;
    }
    /* The last 0 to 7 bytes. Behind a whole word (an event id is 36
     * bytes) they are the end of the 8 bytes before the text's end, read
     * at once; the bytes already hashed are shifted or masked out. A
     * shorter text is read byte by byte: a memcpy of a variable size
     * would be a library call. */
    word = 0;
    if (len > 0 && p != (const unsigned char *)text) {
        memcpy(&word, p + len - 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word &= (UINT64_C(1) << (8 * len)) - 1;
#else
        word >>= 8 * (8 - len);
#endif
    } else {
        for (size_t i = 0; i < len; i++)
            word |= (uint64_t)p[i] << (8 * i);
    }
    h = (h ^ word) * k;
    /* The finaliser of MurmurHash3's 64-bit variant. */
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

uint64_t esk__hash_find(const esk__hash_table *table, uint64_t hash,
                        esk__hash_match_fn match, const void *ctx)
{
    if (table->capacity == 0)
        return 0;
    size_t mask = table->capacity - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        const esk__hash_slot *slot = &table->slots[i];
        if (slot->value == 0)
            return 0;
        if (slot->hash == hash && match(ctx, slot->value))
            return slot->value;
    }
}

static void place(esk__hash_slot *slots, size_t capacity, esk__hash_slot entry)
{
    size_t mask = capacity - 1;
    size_t i = (size_t)entry.hash & mask;
    while (slots[i].value != 0)
        i = (i + 1) & mask;
    slots[i] = entry;
}

esk_status esk__hash_reserve(esk__hash_table *table, size_t more)
{
    size_t need = table->count + more;
    if (need <= table->capacity / 2)
        return ESK_OK;
    size_t capacity = table->capacity == 0 ? 64 : table->capacity;
    while (need > capacity / 2) {
        if (capacity > SIZE_MAX / 2 / sizeof(esk__hash_slot))
            return ESK_ENOMEM;
        capacity *= 2;
    }
    esk__hash_slot *slots = esk__calloc(capacity, sizeof(*slots));
    if (slots == NULL)
        return ESK_ENOMEM;
    /* The kept hashes move the entries without reading a single key. */
    for (size_t i = 0; i < table->capacity; i++)
        if (table->slots[i].value != 0)
            place(slots, capacity, table->slots[i]);
    esk__free(table->slots);
    table->slots = slots;
    table->capacity = capacity;
    return ESK_OK;
}

void esk__hash_insert(esk__hash_table *table, uint64_t hash, uint64_t value)
{
    place(table->slots, table->capacity, (esk__hash_slot){hash, value});
    table->count++;
}

void esk__hash_remove(esk__hash_table *table, uint64_t hash, uint64_t value)
{
    if (table->capacity == 0)
        return;
    size_t mask = table->capacity - 1;
    size_t i = (size_t)hash & mask;
    for (; table->slots[i].value != value; i = (i + 1) & mask)
        if (table->slots[i].value == 0)
            return;
    /* Backward-shift deletion: pull later entries of the same probe run
     * into the hole, so that look-ups never stop early at it. */
    for (size_t j = (i + 1) & mask; table->slots[j].value != 0;
         j = (j + 1) & mask) {
        size_t home = (size_t)table->slots[j].hash & mask;
        bool movable =
            i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            table->slots[i] = table->slots[j];
            i = j;
        }
    }
    table->slots[i] = (esk__hash_slot){0, 0};
    table->count--;
}

void esk__hash_free(esk__hash_table *table)
{
    esk__free(table->slots);
    *table = (esk__hash_table){NULL, 0, 0};
}
