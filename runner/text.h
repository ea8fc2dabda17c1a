/*
 * runner/text.h - growing strings and allocation for the kata runner.
 *
 * The runner is a short-lived command-line program: when memory runs out
 * there is nothing better to do than to say so and stop, so the x*
 * functions never return NULL.
 */
#ifndef KATA_TEXT_H
#define KATA_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define KATA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KATA_PRINTF(f, a)
#endif

/* A string that grows as text is added; data is always NUL-terminated
 * once anything was added (and NULL before). Zero-initialise it, free it
 * with kata_buf_free(). */
typedef struct kata_buf {
    char *data;
    size_t len;
    size_t cap;
} kata_buf;

void kata_buf_add(kata_buf *b, const char *text, size_t n);
void kata_buf_puts(kata_buf *b, const char *text);
void kata_buf_putc(kata_buf *b, char c);
void kata_buf_printf(kata_buf *b, const char *format, ...) KATA_PRINTF(2, 3);
void kata_buf_vprintf(kata_buf *b, const char *format, va_list args);
/* The text so far ("" when empty); borrowed from b. */
const char *kata_buf_str(const kata_buf *b);
/* Ends the text with exactly one empty line (unless it is empty). */
void kata_buf_blank_line(kata_buf *b);
/* Hands the text over to the caller (who frees it) and empties b. */
char *kata_buf_take(kata_buf *b);
void kata_buf_free(kata_buf *b);

void *kata_xmalloc(size_t size);
void *kata_xcalloc(size_t count, size_t size);
void *kata_xrealloc(void *ptr, size_t size);
char *kata_xstrdup(const char *text);
char *kata_xstrndup(const char *text, size_t n);
/* A new string, formatted like printf; the caller frees it. */
char *kata_format(const char *format, ...) KATA_PRINTF(1, 2);

bool kata_starts_with(const char *text, const char *prefix);
bool kata_ends_with(const char *text, const char *suffix);
/* "a_scheduled_workshop" -> "a scheduled workshop", for people; an
 * apostrophe written as '_' comes back: "a_workshop_s_seats_can_t" ->
 * "a workshop's seats can't". */
char *kata_test_title(const char *name);

/* Calls fn for each line of text (without its '\n'); the line is valid
 * during the call only. */
void kata_each_line(const char *text, void (*fn)(void *ctx, const char *line),
                    void *ctx);

/* A copy of text where every "<root>/" is removed, so that paths read
 * relative to the root ("exercises/01-events/events.c:12"). */
char *kata_strip_root(const char *text, const char *root);

/* Appends text to out, wrapped at width columns, every line starting
 * with indent spaces (the first one too). Words longer than a line are
 * left whole. */
void kata_wrap(kata_buf *out, const char *text, int indent, int width);

#endif
