/*
 * src/store_postgres_arrays.c - a batch's values as PostgreSQL array
 * text ('{"a","b"}', '{1,2}'), so that one statement with a few array
 * parameters carries the whole batch (store_postgres_write.c).
 *
 * Every element of a text array is quoted, with '\' before each '"' and
 * '\': the server then reads any text back as it was sent, "NULL" and
 * spaces included.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store_postgres_internal.h"

/* Room for n more bytes; false (and the text marked failed) when there is
 * no memory. */
static bool reserve(esk__pg_arrays *a, size_t n)
{
    if (a->failed)
        return false;
    if (a->cap - a->len >= n)
        return true;
    size_t cap = a->cap > 0 ? a->cap : 1024;
    while (cap - a->len < n) {
        if (cap > SIZE_MAX / 2) {
            a->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *text = esk__realloc(a->text, cap);
    if (text == NULL) {
        a->failed = true;
        return false;
    }
    a->text = text;
    a->cap = cap;
    return true;
}

static void put(esk__pg_arrays *a, const char *bytes, size_t n)
{
    if (reserve(a, n)) {
        memcpy(a->text + a->len, bytes, n);
        a->len += n;
    }
}

void esk__pg_arrays_reset(esk__pg_arrays *a)
{
    a->len = 0;
    a->failed = false;
}

void esk__pg_arrays_free(esk__pg_arrays *a)
{
    esk__free(a->text);
    *a = (esk__pg_arrays){NULL, 0, 0, false};
}

size_t esk__pg_array_begin(esk__pg_arrays *a)
{
    size_t start = a->len;
    put(a, "{", 1);
    return start;
}

/* The comma before every element but the first. */
static void separate(esk__pg_arrays *a)
{
    if (!a->failed && a->text[a->len - 1] != '{')
        put(a, ",", 1);
}

void esk__pg_array_text(esk__pg_arrays *a, const char *value)
{
    separate(a);
    put(a, "\"", 1);
    for (const char *p = value; *p != '\0';) {
        size_t run = strcspn(p, "\"\\");
        put(a, p, run);
        p += run;
        if (*p != '\0') {
            char escaped[2] = {'\\', *p++};
            put(a, escaped, 2);
        }
    }
    put(a, "\"", 1);
}

void esk__pg_array_int(esk__pg_arrays *a, int64_t value)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, value);
    separate(a);
    put(a, digits, (size_t)n);
}

void esk__pg_array_end(esk__pg_arrays *a)
{
    put(a, "}", 2); /* and its '\0' */
}
