/*
 * runner/text.c - growing strings and allocation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void out_of_memory(void)
{
    fputs("error: out of memory.\n       Close other programs and run the "
          "command again.\n",
          stderr);
    exit(1);
}

void *kata_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *kata_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

void *kata_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory();
    return p;
}

char *kata_xstrndup(const char *text, size_t n)
{
    char *copy = kata_xmalloc(n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    return copy;
}

char *kata_xstrdup(const char *text)
{
    return kata_xstrndup(text, strlen(text));
}

static void reserve(kata_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = kata_xrealloc(b->data, cap);
    b->cap = cap;
}

void kata_buf_add(kata_buf *b, const char *text, size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, text, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void kata_buf_puts(kata_buf *b, const char *text)
{
    kata_buf_add(b, text, strlen(text));
}

void kata_buf_putc(kata_buf *b, char c)
{
    kata_buf_add(b, &c, 1);
}

void kata_buf_vprintf(kata_buf *b, const char *format, va_list args)
{
    va_list again;
    va_copy(again, args);
    int n = vsnprintf(NULL, 0, format, args);
    if (n < 0) {
        va_end(again);
        return;
    }
    reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, format, again);
    va_end(again);
    b->len += (size_t)n;
}

void kata_buf_printf(kata_buf *b, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    kata_buf_vprintf(b, format, args);
    va_end(args);
}

const char *kata_buf_str(const kata_buf *b)
{
    return b->data ? b->data : "";
}

void kata_buf_blank_line(kata_buf *b)
{
    if (b->len == 0)
        return;
    if (b->data[b->len - 1] != '\n')
        kata_buf_putc(b, '\n');
    if (b->len < 2 || b->data[b->len - 2] != '\n')
        kata_buf_putc(b, '\n');
}

char *kata_buf_take(kata_buf *b)
{
    char *text = b->data ? b->data : kata_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return text;
}

void kata_buf_free(kata_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *kata_format(const char *format, ...)
{
    kata_buf b = {0};
    va_list args;
    va_start(args, format);
    kata_buf_vprintf(&b, format, args);
    va_end(args);
    return kata_buf_take(&b);
}

bool kata_starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

bool kata_ends_with(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n >= m && strcmp(text + n - m, suffix) == 0;
}

/* Whether name[i] is the '_' of a contraction written in an identifier:
 * "workshop_s" (workshop's) or "can_t" (can't), the letter standing
 * alone as the last word or before another '_'. */
static bool is_apostrophe(const char *name, size_t i)
{
    char letter = name[i + 1];
    bool alone = name[i + 2] == '\0' || name[i + 2] == '_';
    if (i == 0 || !alone)
        return false;
    return letter == 's' || (letter == 't' && name[i - 1] == 'n');
}

char *kata_test_title(const char *name)
{
    char *title = kata_xstrdup(name);
    for (size_t i = 0; title[i]; i++)
        if (title[i] == '_')
            title[i] = is_apostrophe(name, i) ? '\'' : ' ';
    return title;
}

void kata_each_line(const char *text, void (*fn)(void *ctx, const char *line),
                    void *ctx)
{
    kata_buf line = {0};
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        line.len = 0;
        kata_buf_add(&line, p, n);
        /* Output captured from a pty or a Windows editor may carry \r. */
        if (line.len > 0 && line.data[line.len - 1] == '\r')
            line.data[--line.len] = '\0';
        fn(ctx, line.data);
        p += n;
        if (*p == '\n')
            p++;
    }
    kata_buf_free(&line);
}

/* Columns taken by n bytes of UTF-8 text: one per character. */
static int columns(const char *text, size_t n)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            c++;
    return c;
}

void kata_wrap(kata_buf *out, const char *text, int indent, int width)
{
    if (width < indent + 20)
        width = indent + 20;
    const char *p = text;
    while (*p) {
        /* One line of the text: kept apart from the next one. */
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int col = 0;
        bool line_started = false;
        size_t i = 0;
        for (int s = 0; s < indent; s++)
            kata_buf_putc(out, ' ');
        col = indent;
        /* Keep the line's own leading spaces (indented code in hints). */
        while (i < len && p[i] == ' ') {
            kata_buf_putc(out, ' ');
            col++;
            i++;
        }
        while (i < len) {
            size_t start = i;
            /* A `command` is never cut: it would not copy and paste. */
            bool quoted = false;
            while (i < len && (p[i] != ' ' || quoted)) {
                if (p[i] == '`')
                    quoted = !quoted;
                i++;
            }
            int w = columns(p + start, i - start);
            if (line_started && col + 1 + w > width) {
                kata_buf_putc(out, '\n');
                for (int s = 0; s < indent; s++)
                    kata_buf_putc(out, ' ');
                col = indent;
                line_started = false;
            }
            if (line_started) {
                kata_buf_putc(out, ' ');
                col++;
            }
            kata_buf_add(out, p + start, i - start);
            col += w;
            line_started = true;
            while (i < len && p[i] == ' ')
                i++;
        }
        kata_buf_putc(out, '\n');
        p += len;
        if (*p == '\n')
            p++;
    }
}

char *kata_strip_root(const char *text, const char *root)
{
    kata_buf out = {0};
    size_t n = strlen(root);
    const char *p = text;
    while (n > 0) {
        const char *at = strstr(p, root);
        if (at == NULL)
            break;
        if (at[n] == '/') {
            kata_buf_add(&out, p, (size_t)(at - p));
            p = at + n + 1;
        } else {
            kata_buf_add(&out, p, (size_t)(at - p) + n);
            p = at + n;
        }
    }
    kata_buf_puts(&out, p);
    return kata_buf_take(&out);
}
