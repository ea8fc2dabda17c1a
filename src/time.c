/*
 * src/time.c - the system clock and ISO 8601 text for esk_time.
 *
 * The conversion between days and civil dates is done by hand rather than
 * with gmtime/timegm: timegm is not standard C, gmtime is not thread-safe,
 * and both are slower than the arithmetic on the store's read path.
 */
#include <string.h>
#include <time.h>

#include "internal.h"

#define USEC_PER_SEC INT64_C(1000000)
#define SEC_PER_DAY INT64_C(86400)

esk_time esk_clock_system(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0;
    return (esk_time)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. Eras of 400 years
 * repeat exactly, which makes the count a few divisions. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Write value as exactly n decimal digits; value < 10^n. */
static char *put_digits(char *p, int64_t value, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + n;
}

esk_status esk_time_format(esk_time time, char *buf)
{
    /* Checked first: far outside the range, the arithmetic below would
     * overflow. */
    if (buf == NULL || time < ESK_TIME_MIN || time > ESK_TIME_MAX)
        return ESK_EINVAL;
    int64_t secs = floor_div(time, USEC_PER_SEC);
    int64_t usec = time - secs * USEC_PER_SEC;
    int64_t days = floor_div(secs, SEC_PER_DAY);
    int64_t sod = secs - days * SEC_PER_DAY;
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    /* By hand rather than snprintf: this runs for every appended event. */
    char *p = buf;
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, sod / 3600, 2);
    *p++ = ':';
    p = put_digits(p, sod / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, sod % 60, 2);
    *p++ = '.';
    p = put_digits(p, usec, 6);
    *p++ = 'Z';
    *p = '\0';
    return ESK_OK;
}

/* Read exactly n digits. */
static bool digits(const char **p, int n, int64_t *out)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

static bool is_digit(unsigned char c)
{
    return (unsigned char)(c - '0') <= 9;
}

/* The value of the two digits at t, which are known to be digits. */
static int64_t two_digits(const unsigned char *t)
{
    return (t[0] - '0') * 10 + (t[1] - '0');
}

/*
 * Read exactly the form esk_time_format() writes,
 * "2026-11-27T12:49:00.123456Z", in one straight pass: the SQLite store
 * parses recorded_at for every event it reads, and the general parser's
 * loops cost more than twice as much. Returns false, without reading past
 * the text's end, when the text has another form: the general parser
 * then decides. The fields still have to pass the same range checks.
 */
static bool parse_canonical(const char *text, int64_t f[7])
{
    const unsigned char *t = (const unsigned char *)text;
    /* In order, so that the first NUL fails the test before any byte
     * after it is read. */
    if (!(is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) &&
          is_digit(t[3]) && t[4] == '-' && is_digit(t[5]) && is_digit(t[6]) &&
          t[7] == '-' && is_digit(t[8]) && is_digit(t[9]) && t[10] == 'T' &&
          is_digit(t[11]) && is_digit(t[12]) && t[13] == ':' &&
          is_digit(t[14]) && is_digit(t[15]) && t[16] == ':' &&
          is_digit(t[17]) && is_digit(t[18]) && t[19] == '.' &&
          is_digit(t[20]) && is_digit(t[21]) && is_digit(t[22]) &&
          is_digit(t[23]) && is_digit(t[24]) && is_digit(t[25]) &&
          t[26] == 'Z' && t[27] == '\0'))
        return false;
    f[0] = two_digits(t) * 100 + two_digits(t + 2);
    f[1] = two_digits(t + 5);
    f[2] = two_digits(t + 8);
    f[3] = two_digits(t + 11);
    f[4] = two_digits(t + 14);
    f[5] = two_digits(t + 17);
    f[6] = (two_digits(t + 20) * 100 + two_digits(t + 22)) * 100 +
           two_digits(t + 24);
    return true;
}

/* Read any form esk_time_parse() accepts into the same fields. */
static bool parse_general(const char *text, int64_t f[7])
{
    const char *p = text;
    int64_t frac = 0;
    if (!digits(&p, 4, &f[0]) || !expect(&p, '-') || !digits(&p, 2, &f[1]) ||
        !expect(&p, '-') || !digits(&p, 2, &f[2]) || !expect(&p, 'T') ||
        !digits(&p, 2, &f[3]) || !expect(&p, ':') || !digits(&p, 2, &f[4]) ||
        !expect(&p, ':') || !digits(&p, 2, &f[5]))
        return false;
    if (*p == '.') {
        p++;
        int n = 0;
        while (n < 6 && *p >= '0' && *p <= '9') {
            frac = frac * 10 + (*p++ - '0');
            n++;
        }
        if (n == 0 || (*p >= '0' && *p <= '9'))
            return false;
        for (; n < 6; n++)
            frac *= 10;
    }
    f[6] = frac;
    return strcmp(p, "Z") == 0 || strcmp(p, "+00:00") == 0;
}

/* The time the fields stand for, once they pass the range checks. */
static esk_status from_fields(const int64_t f[7], esk_time *out)
{
    int64_t y = f[0], mo = f[1], d = f[2], h = f[3], mi = f[4], s = f[5];
    static const int month_days[] = {31, 29, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || h > 23 ||
        mi > 59 || s > 59)
        return ESK_EINVAL;
    /* The leap-year test only for the one day that needs it. */
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return ESK_EINVAL;
    int64_t days = days_from_civil(y, mo, d);
    *out =
        ((days * SEC_PER_DAY) + h * 3600 + mi * 60 + s) * USEC_PER_SEC + f[6];
    return ESK_OK;
}

esk_status esk_time_parse(const char *text, esk_time *out)
{
    int64_t f[7];
    if (text == NULL || out == NULL)
        return ESK_EINVAL;
    if (!parse_canonical(text, f) && !parse_general(text, f))
        return ESK_EINVAL;
    return from_fields(f, out);
}

void esk__time_reader_init(esk__time_reader *reader)
{
    reader->valid = false;
    reader->second[0] = '\0';
    reader->base = 0;
}

esk_status esk__time_read(esk__time_reader *reader, const char *text,
                          esk_time *out)
{
    const unsigned char *t = (const unsigned char *)text;
    int64_t f[7];

    /* The same second as the last text: only the fraction is new.
     * strncmp stops at the text's end, so nothing past it is read. */
    if (reader->valid && strncmp(text, reader->second, 19) == 0 &&
        t[19] == '.' && is_digit(t[20]) && is_digit(t[21]) && is_digit(t[22]) &&
        is_digit(t[23]) && is_digit(t[24]) && is_digit(t[25]) && t[26] == 'Z' &&
        t[27] == '\0') {
        *out = reader->base +
               (two_digits(t + 20) * 100 + two_digits(t + 22)) * 100 +
               two_digits(t + 24);
        return ESK_OK;
    }
    if (!parse_canonical(text, f))
        return esk_time_parse(text, out);
    esk_time time;
    esk_status rc = from_fields(f, &time);
    if (rc != ESK_OK)
        return rc;
    memcpy(reader->second, text, 19);
    reader->second[19] = '\0';
    reader->base = time - f[6];
    reader->valid = true;
    *out = time;
    return ESK_OK;
}
