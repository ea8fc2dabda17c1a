/*
 * src/json_validate.c - a strict, allocation-free JSON checker.
 *
 * Every append checks that data and metadata are JSON. Parsing them into a
 * jansson tree would cost an allocation per value on the hottest path of
 * the store; this checker reads the text once and allocates nothing. It
 * accepts exactly RFC 8259 (no comments, no trailing commas, no NaN) with
 * strings in valid UTF-8, nested at most ESK_JSON_DEPTH_MAX deep.
 */
#include <string.h>

#include "internal.h"

typedef struct cursor {
    const unsigned char *start;
    const unsigned char *p;
    const char *problem;
} cursor;

static bool fail(cursor *c, const char *problem)
{
    if (c->problem == NULL)
        c->problem = problem;
    return false;
}

/* The scanning loops below walk a local copy of c->p: a byte read
 * through an unsigned char pointer may alias the cursor itself, so a loop
 * on c->p would store and reload it at every byte. */
static void skip_space(cursor *c)
{
    const unsigned char *p = c->p;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    c->p = p;
}

static bool is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

static bool is_hex(unsigned char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool read_literal(cursor *c, const char *word)
{
    size_t len = strlen(word);
    if (strncmp((const char *)c->p, word, len) != 0)
        return fail(c, "unexpected character");
    c->p += len;
    return true;
}

static bool read_number(cursor *c)
{
    if (*c->p == '-')
        c->p++;
    if (*c->p == '0') {
        c->p++;
    } else if (is_digit(*c->p)) {
        while (is_digit(*c->p))
            c->p++;
    } else {
        return fail(c, "invalid number");
    }
    if (*c->p == '.') {
        c->p++;
        if (!is_digit(*c->p))
            return fail(c, "invalid number: digits must follow '.'");
        while (is_digit(*c->p))
            c->p++;
    }
    if (*c->p == 'e' || *c->p == 'E') {
        c->p++;
        if (*c->p == '+' || *c->p == '-')
            c->p++;
        if (!is_digit(*c->p))
            return fail(c, "invalid number: digits must follow the exponent");
        while (is_digit(*c->p))
            c->p++;
    }
    return true;
}

size_t esk__utf8_sequence(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xF4 && p[1] >= 0x90)
            return 0; /* beyond U+10FFFF */
        return 4;
    }
    return 0;
}

/* The code unit of "uXXXX" at p, or -1. */
static long read_u_escape(const unsigned char *p)
{
    long unit = 0;
    if (p[0] != 'u')
        return -1;
    for (int i = 1; i <= 4; i++) {
        unsigned char h = p[i];
        if (!is_hex(h))
            return -1;
        int digit = is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10;
        unit = unit * 16 + digit;
    }
    return unit;
}

/* The bytes a string holds as they are: printable ASCII but the quote
 * and the backslash (0x20 to 0x7F; RFC 8259 allows 0x7F). A table, since
 * the three tests it replaces cost twice as much per byte of text. */
/* clang-format off */
static const unsigned char plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 10 */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 20 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 50 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* A0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* B0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* C0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* D0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* E0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* F0 */
};
/* clang-format on */

static bool read_string(cursor *c)
{
    c->p++; /* the opening quote */
    for (;;) {
        /* Most of a string is plain text: skip it in a tight loop. */
        const unsigned char *p = c->p;
        while (plain_byte[*p])
            p++;
        c->p = p;
        unsigned char ch = *p;
        if (ch == '"') {
            c->p++;
            return true;
        }
        if (ch == '\0')
            return fail(c, "unterminated string");
        if (ch < 0x20)
            return fail(c, "control character in string");
        if (ch == '\\') {
            c->p++;
            switch (*c->p) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                c->p++;
                break;
            case 'u': {
                long unit = read_u_escape(c->p);
                if (unit < 0)
                    return fail(c, "invalid \\u escape");
                c->p += 5;
                /* A UTF-16 surrogate must come as a high-low pair, or
                 * decoders (jansson among them) refuse the text later. */
                if (unit >= 0xDC00 && unit <= 0xDFFF)
                    return fail(c, "lone low surrogate in \\u escape");
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    long low = c->p[0] == '\\' ? read_u_escape(c->p + 1) : -1;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return fail(c, "lone high surrogate in \\u escape");
                    c->p += 6;
                }
                break;
            }
            default:
                return fail(c, "invalid escape in string");
            }
        } else {
            /* Not plain, not a quote, backslash or control character:
             * the first byte of a UTF-8 sequence. */
            size_t len = esk__utf8_sequence(c->p);
            if (len == 0)
                return fail(c, "invalid UTF-8 in string");
            c->p += len;
        }
    }
}

static bool read_value(cursor *c, int depth);

/* The problem esk__json_too_deep() looks for, compared by address. */
static const char too_deep[] = "nested too deep";

static bool read_container(cursor *c, int depth, unsigned char close,
                           bool is_object)
{
    if (depth >= ESK_JSON_DEPTH_MAX)
        return fail(c, too_deep);
    c->p++; /* the opening bracket */
    skip_space(c);
    if (*c->p == close) {
        c->p++;
        return true;
    }
    for (;;) {
        if (is_object) {
            if (*c->p != '"')
                return fail(c, "expected a string key");
            if (!read_string(c))
                return false;
            skip_space(c);
            if (*c->p != ':')
                return fail(c, "expected ':' after a key");
            c->p++;
            skip_space(c);
        }
        if (!read_value(c, depth + 1))
            return false;
        skip_space(c);
        if (*c->p == ',') {
            c->p++;
            skip_space(c);
            continue;
        }
        if (*c->p == close) {
            c->p++;
            return true;
        }
        return fail(c,
                    is_object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool read_value(cursor *c, int depth)
{
    switch (*c->p) {
    case '{':
        return read_container(c, depth, '}', true);
    case '[':
        return read_container(c, depth, ']', false);
    case '"':
        return read_string(c);
    case 't':
        return read_literal(c, "true");
    case 'f':
        return read_literal(c, "false");
    case 'n':
        return read_literal(c, "null");
    case '\0':
        return fail(c, "unexpected end of text");
    default:
        if (*c->p == '-' || is_digit(*c->p))
            return read_number(c);
        return fail(c, "unexpected character");
    }
}

/* Check text without touching the last error: NULL when it is valid,
 * else the problem, and where it is (*at). */
static const char *problem_of(const char *text, bool want_object, size_t *at)
{
    cursor c = {(const unsigned char *)text, (const unsigned char *)text, NULL};
    skip_space(&c);
    if (want_object && *c.p != '{') {
        *at = (size_t)(c.p - c.start);
        return "expected a JSON object";
    }
    if (read_value(&c, 0)) {
        skip_space(&c);
        if (*c.p == '\0')
            return NULL;
        fail(&c, "unexpected text after the value");
    }
    *at = (size_t)(c.p - c.start);
    return c.problem;
}

bool esk__json_valid(const char *text)
{
    size_t at = 0;
    return text != NULL && problem_of(text, false, &at) == NULL;
}

static esk_status validate(const char *text, bool want_object)
{
    if (text == NULL)
        return esk__fail(ESK_EINVAL, "JSON text is NULL");
    size_t at = 0;
    const char *problem = problem_of(text, want_object, &at);
    if (problem == NULL)
        return esk__ok();
    if (want_object && strcmp(problem, "expected a JSON object") == 0)
        return esk__fail(ESK_EINVAL, "expected a JSON object at byte %zu", at);
    return esk__fail(ESK_EINVAL, "invalid JSON at byte %zu: %s", at, problem);
}

esk_status esk_json_validate(const char *text)
{
    return validate(text, false);
}

esk_status esk_json_validate_object(const char *text)
{
    return validate(text, true);
}

bool esk__json_too_deep(const char *text, size_t *offset)
{
    cursor c = {(const unsigned char *)text, (const unsigned char *)text, NULL};
    skip_space(&c);
    if (read_value(&c, 0) || c.problem != too_deep)
        return false;
    *offset = (size_t)(c.p - c.start);
    return true;
}
