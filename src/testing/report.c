/*
 * src/testing/report.c - writing the report of a failed spec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "report.h"

/* Cells wider than this do not fit side by side in a terminal. */
#define CELL_WIDTH_MAX 40
/* How much of a long cell is shown around its first difference. */
#define EXCERPT_WIDTH 100
/* Where a cell starts in the stacked layout: "    1.    expected ". */
#define STACKED_CELL_COLUMN 19

static const char cut_mark[] = "\n  ... (report cut)\n";
static const char none[] = "(none)";

void esk__report_init(esk__report *r, char *buf, size_t size)
{
    r->buf = buf;
    r->size = size;
    r->len = 0;
    r->cut = false;
    buf[0] = '\0';
}

void esk__report_add(esk__report *r, const char *format, ...)
{
    if (r->cut)
        return;
    size_t room = r->size - r->len;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(r->buf + r->len, room, format, args);
    va_end(args);
    if (n < 0 || (size_t)n >= room) {
        r->len = r->size - 1;
        r->cut = true;
        return;
    }
    r->len += (size_t)n;
}

void esk__report_end(esk__report *r)
{
    if (!r->cut || r->size < sizeof(cut_mark))
        return;
    memcpy(r->buf + r->size - sizeof(cut_mark), cut_mark, sizeof(cut_mark));
}

static size_t first_difference(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] != '\0' && a[i] == b[i])
        i++;
    return i;
}

static const char *cell(const char *const *cells, size_t count, size_t i)
{
    return i < count ? cells[i] : none;
}

/* The window of a long text that shows offset, with "..." where it is
 * cut; returns the column of offset inside what was written. */
static size_t add_excerpt(esk__report *r, const char *text, size_t offset)
{
    size_t len = strlen(text);
    size_t start = 0;
    if (len > EXCERPT_WIDTH && offset > EXCERPT_WIDTH / 2)
        start = offset - EXCERPT_WIDTH / 2;
    size_t shown = len - start < EXCERPT_WIDTH ? len - start : EXCERPT_WIDTH;
    esk__report_add(r, "%s%.*s%s\n", start > 0 ? "..." : "", (int)shown,
                    text + start, start + shown < len ? "..." : "");
    return (start > 0 ? 3 : 0) + offset - start;
}

static void compare_side_by_side(esk__report *r, const char *label,
                                 const char *const *expected, size_t ne,
                                 const char *const *actual, size_t na,
                                 size_t rows, size_t diff_row, size_t width)
{
    esk__report_add(r, "  %-8s%-*s | actual\n", label, (int)width, "expected");
    for (size_t i = 0; i < rows; i++)
        esk__report_add(r, "%5zu.    %-*s | %s%s\n", i + 1, (int)width,
                        cell(expected, ne, i), cell(actual, na, i),
                        i == diff_row ? "   <- first difference" : "");
}

static void compare_stacked(esk__report *r, const char *label,
                            const char *const *expected, size_t ne,
                            const char *const *actual, size_t na, size_t rows,
                            size_t diff_row)
{
    esk__report_add(r, "  %-8sexpected, then actual\n", label);
    for (size_t i = 0; i < rows; i++) {
        const char *e = cell(expected, ne, i);
        const char *a = cell(actual, na, i);
        if (i < ne && i < na && strcmp(e, a) == 0) {
            esk__report_add(r, "%5zu.    same     %s\n", i + 1, e);
            continue;
        }
        if (i != diff_row || i >= ne || i >= na) {
            esk__report_add(r, "%5zu.    expected %s\n", i + 1, e);
            esk__report_add(r, "          actual   %s\n", a);
            continue;
        }
        size_t d = first_difference(e, a);
        esk__report_add(r, "%5zu.    expected ", i + 1);
        size_t column = add_excerpt(r, e, d);
        esk__report_add(r, "          actual   ");
        add_excerpt(r, a, d);
        esk__report_add(r, "%*s^ first difference\n",
                        (int)(STACKED_CELL_COLUMN + column), "");
    }
}

void esk__report_compare(esk__report *r, const char *label,
                         const char *const *expected, size_t expected_count,
                         const char *const *actual, size_t actual_count)
{
    size_t rows = expected_count > actual_count ? expected_count : actual_count;
    size_t width = strlen("expected");
    size_t actual_width = 0;
    size_t diff_row = rows;

    for (size_t i = 0; i < rows; i++) {
        size_t we = strlen(cell(expected, expected_count, i));
        size_t wa = strlen(cell(actual, actual_count, i));
        width = we > width ? we : width;
        actual_width = wa > actual_width ? wa : actual_width;
        if (diff_row == rows && (i >= expected_count || i >= actual_count ||
                                 strcmp(expected[i], actual[i]) != 0))
            diff_row = i;
    }
    if (width <= CELL_WIDTH_MAX && actual_width <= CELL_WIDTH_MAX)
        compare_side_by_side(r, label, expected, expected_count, actual,
                             actual_count, rows, diff_row, width);
    else
        compare_stacked(r, label, expected, expected_count, actual,
                        actual_count, rows, diff_row);
}

/* Split a copy of text into lines; a final newline makes no empty line.
 * Returns the array (lines[0] owns the copy), NULL when out of memory. */
static char **split_lines(const char *text, size_t *count)
{
    size_t n = 0;
    size_t len = strlen(text);
    char *copy = NULL;
    char **lines = NULL;

    *count = 0;
    if (len > 0 && text[len - 1] == '\n')
        len--;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    n += len > 0;
    copy = esk__malloc(len + 1);
    lines = esk__calloc(n + 1, sizeof(*lines));
    if (copy == NULL || lines == NULL) {
        esk__free(copy);
        esk__free(lines);
        return NULL;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    lines[0] = copy;
    for (size_t i = 0, k = 1; i < len; i++) {
        if (copy[i] == '\n') {
            copy[i] = '\0';
            lines[k++] = copy + i + 1;
        }
    }
    *count = n;
    return lines;
}

static void lines_free(char **lines)
{
    if (lines == NULL)
        return;
    esk__free(lines[0]);
    esk__free(lines);
}

void esk__report_compare_text(esk__report *r, const char *label,
                              const char *expected, const char *actual)
{
    size_t ne = 0;
    size_t na = 0;
    char **expected_lines = split_lines(expected, &ne);
    char **actual_lines = split_lines(actual, &na);

    if (expected_lines == NULL || actual_lines == NULL)
        esk__report_add(r, "  (out of memory writing the comparison)\n");
    else
        esk__report_compare(r, label, (const char *const *)expected_lines, ne,
                            (const char *const *)actual_lines, na);
    lines_free(expected_lines);
    lines_free(actual_lines);
}

void esk__report_print(const char *text)
{
    while (*text != '\0') {
        const char *end = strchr(text, '\n');
        int len = end ? (int)(end - text) : (int)strlen(text);
        print_error("%.*s\n", len, text);
        text += len + (end ? 1 : 0);
    }
}

const char *esk__report_path(const char *file)
{
    const char *roots[] = {"/exercises/", "/solutions/", "/tests/"};
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        const char *at = strstr(file, roots[i]);
        if (at != NULL)
            return at + 1;
    }
    return file;
}

void esk__report_format(char *buf, size_t size, bool keep_first,
                        const char *format, ...)
{
    if (keep_first && buf[0] != '\0')
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(buf, size, format, args);
    va_end(args);
}

bool esk__report_set_text(char **slot, const char *text)
{
    esk__free(*slot);
    *slot = NULL;
    if (text == NULL)
        return true;
    *slot = esk__strdup(text);
    return *slot != NULL;
}

bool esk__report_start(esk__report *r, char *buf, size_t size, bool spec_exists)
{
    esk__report_init(r, buf, size);
    if (!spec_exists)
        esk__report_add(r, "Spec error: the spec could not be created: out "
                           "of memory\n");
    return spec_exists;
}

void esk__report_conclude(bool passed, char *text, const char *file, int line)
{
    if (!passed)
        esk__report_print(text != NULL ? text
                                       : "Spec error: out of memory running "
                                         "the spec\n");
    esk__free(text);
    if (!passed)
        _fail(esk__report_path(file), line);
}
