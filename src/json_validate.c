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

/*
 * The fast check: the same grammar as read_value() above, in one loop
 * with the position in a local variable and the open containers in a bit
 * stack, instead of a call per value and the cursor in memory. It only
 * says yes or no; read_value() runs again to say what is wrong and where.
 * A value costs about half as much this way, and every append checks one.
 */

/* The first byte from p on that is not plain, four bytes a step: about
 * half the instructions of a byte a step. A byte after one that is not
 * plain (the NUL among them) is never read. */
static const unsigned char *skip_plain(const unsigned char *p)
{
    for (;; p += 4) {
        if (!plain_byte[p[0]])
            return p;
        if (!plain_byte[p[1]])
            return p + 1;
        if (!plain_byte[p[2]])
            return p + 2;
        if (!plain_byte[p[3]])
            return p + 3;
    }
}

/* The end of the string whose opening quote is at p, or NULL. */
static const unsigned char *scan_string(const unsigned char *p)
{
    p++;
    for (;;) {
        p = skip_plain(p);
        unsigned char ch = *p;
        if (ch == '"')
            return p + 1;
        if (ch == '\\') {
            ch = p[1];
            if (ch == 'u') {
                long unit = read_u_escape(p + 1);
                if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                    return NULL;
                p += 6;
                if (unit >= 0xD800 && unit <= 0xDBFF) {
                    long low = p[0] == '\\' ? read_u_escape(p + 1) : -1;
                    if (low < 0xDC00 || low > 0xDFFF)
                        return NULL;
                    p += 6;
                }
            } else if (ch == '"' || ch == '\\' || ch == '/' || ch == 'b' ||
                       ch == 'f' || ch == 'n' || ch == 'r' || ch == 't') {
                p += 2;
            } else {
                return NULL;
            }
        } else if (ch >= 0x80) {
            size_t len = esk__utf8_sequence(p);
            if (len == 0)
                return NULL;
            p += len;
        } else {
            return NULL; /* the end of the text, or a control character */
        }
    }
}

static const unsigned char *scan_digits(const unsigned char *p)
{
    while (is_digit(*p))
        p++;
    return p;
}

/* The end of the number at p, or NULL. */
static const unsigned char *scan_number(const unsigned char *p)
{
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (is_digit(*p))
        p = scan_digits(p + 1);
    else
        return NULL;
    if (*p == '.') {
        if (!is_digit(p[1]))
            return NULL;
        p = scan_digits(p + 2);
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!is_digit(*p))
            return NULL;
        p = scan_digits(p + 1);
    }
    return p;
}

static const unsigned char *scan_space(const unsigned char *p)
{
    if (*p > ' ') /* most often: no space at all */
        return p;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The end of word if p starts with it, else NULL. */
static const unsigned char *scan_word(const unsigned char *p, const char *word)
{
    for (; *word != '\0'; word++, p++)
        if (*p != (unsigned char)*word)
            return NULL;
    return p;
}

static bool scan(const char *text, bool want_object)
{
    /* Bit d of objects: the container open at depth d is an object. */
    uint64_t objects[(ESK_JSON_DEPTH_MAX + 63) / 64] = {0};
    int depth = 0;
    const unsigned char *p = scan_space((const unsigned char *)text);
    if (want_object && *p != '{')
        return false;

    for (;;) {
        /* A value. */
        switch (*p) {
        case '{':
        case '[': {
            if (depth >= ESK_JSON_DEPTH_MAX)
                return false;
            bool object = *p == '{';
            uint64_t bit = UINT64_C(1) << (depth % 64);
            if (object)
                objects[depth / 64] |= bit;
            else
                objects[depth / 64] &= ~bit;
            depth++;
            p = scan_space(p + 1);
            if (*p == (object ? '}' : ']')) {
                p++;
                depth--;
                break;
            }
            if (!object)
                continue; /* the first item */
            goto key;
        }
        case '"':
            p = scan_string(p);
            break;
        case 't':
            p = scan_word(p, "true");
            break;
        case 'f':
            p = scan_word(p, "false");
            break;
        case 'n':
            p = scan_word(p, "null");
            break;
        default:
            p = scan_number(p);
        }
        /* After a value: the end, the next item, or closing brackets. */
        for (;;) {
            if (p == NULL)
                return false;
            p = scan_space(p);
            if (depth == 0)
                return *p == '\0';
            bool in_object =
                objects[(depth - 1) / 64] >> ((depth - 1) % 64) & 1;
            if (*p == ',') {
                p = scan_space(p + 1);
                if (in_object)
                    goto key;
                break;
            }
            if (*p != (in_object ? '}' : ']'))
                return false;
            p++;
            depth--;
        }
        continue;
    key:
        if (*p != '"' || (p = scan_string(p)) == NULL)
            return false;
        p = scan_space(p);
        if (*p != ':')
            return false;
        p = scan_space(p + 1);
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
    return text != NULL && scan(text, false);
}

static esk_status validate(const char *text, bool want_object)
{
    if (text == NULL)
        return esk__fail(ESK_EINVAL, "JSON text is NULL");
    if (scan(text, want_object))
        return esk__ok();
    size_t at = 0;
    const char *problem = problem_of(text, want_object, &at);
    if (problem == NULL)
        /* The two checks disagree: a bug, which the fuzz target looks for
         * (this message is what it finds). */
        return esk__fail(ESK_EINVAL, "invalid JSON (the checks disagree)");
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
