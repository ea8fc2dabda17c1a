/*
 * fuzz/fuzz_common.c - checks, input choices and the counted allocator
 * shared by the fuzz targets.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

void fuzz_fail(const char *file, int line, const char *cond, const char *format,
               ...)
{
    va_list args;
    fprintf(stderr, "%s:%d: check failed: %s: ", file, line, cond);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

uint8_t fuzz_byte(fuzz_input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->p++;
}

size_t fuzz_below(fuzz_input *in, size_t n)
{
    /* One byte is enough for every choice the targets make but lengths. */
    if (n <= 256)
        return fuzz_byte(in) % n;
    return (size_t)(fuzz_u64(in) % n);
}

uint64_t fuzz_u64(fuzz_input *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)fuzz_byte(in) << (8 * i);
    return v;
}

char *fuzz_string(fuzz_input *in, char *buf, size_t max)
{
    size_t len = fuzz_byte(in);
    /* 255 asks for more, so that limits such as 255-byte stream ids and
     * 64-byte event ids are reached from both sides. */
    if (len == 255)
        len += fuzz_byte(in) + ((size_t)fuzz_byte(in) << 8);
    if (len > max)
        len = max;
    if (len > in->left)
        len = in->left;
    memcpy(buf, in->p, len);
    buf[len] = '\0';
    in->p += len;
    in->left -= len;
    return buf;
}

/* ---- The counted allocator -------------------------------------------- */

static long live;
static unsigned long count;
static unsigned long fail_at;

static bool should_fail(void)
{
    count++;
    if (fail_at == 0 || count != fail_at)
        return false;
    return true;
}

static void *counted_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p != NULL)
        live++;
    return p;
}

static void *counted_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p != NULL && ptr == NULL)
        live++;
    return p;
}

static void counted_free(void *ptr)
{
    if (ptr != NULL)
        live--;
    free(ptr);
}

void fuzz_alloc_install(void)
{
    static bool installed;
    if (installed)
        return;
    const esk_allocator counted = {counted_malloc, counted_realloc,
                                   counted_free};
    if (esk_set_allocator(&counted) != ESK_OK)
        fuzz_fail(__FILE__, __LINE__, "esk_set_allocator", "refused");
    installed = true;
}

long fuzz_alloc_live(void)
{
    return live;
}

unsigned long fuzz_alloc_count(void)
{
    return count;
}

void fuzz_alloc_fail_at(unsigned long k)
{
    fail_at = k == 0 ? 0 : count + k;
}

char *fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL) {
        fputs("out of memory copying the input\n", stderr);
        abort();
    }
    if (size > 0)
        memcpy(text, data, size);
    text[size] = '\0';
    return text;
}
