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
    if (buf == NULL)
        return ESK_EINVAL;
    int64_t secs = floor_div(time, USEC_PER_SEC);
    int64_t usec = time - secs * USEC_PER_SEC;
    int64_t days = floor_div(secs, SEC_PER_DAY);
    int64_t sod = secs - days * SEC_PER_DAY;
    int64_t y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return ESK_EINVAL;
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

esk_status esk_time_parse(const char *text, esk_time *out)
{
    if (text == NULL || out == NULL)
        return ESK_EINVAL;
    const char *p = text;
    int64_t y, mo, d, h, mi, s, frac = 0;
    if (!digits(&p, 4, &y) || !expect(&p, '-') || !digits(&p, 2, &mo) ||
        !expect(&p, '-') || !digits(&p, 2, &d) || !expect(&p, 'T') ||
        !digits(&p, 2, &h) || !expect(&p, ':') || !digits(&p, 2, &mi) ||
        !expect(&p, ':') || !digits(&p, 2, &s))
        return ESK_EINVAL;
    if (*p == '.') {
        p++;
        int n = 0;
        while (n < 6 && *p >= '0' && *p <= '9') {
            frac = frac * 10 + (*p++ - '0');
            n++;
        }
        if (n == 0 || (*p >= '0' && *p <= '9'))
            return ESK_EINVAL;
        for (; n < 6; n++)
            frac *= 10;
    }
    if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
        return ESK_EINVAL;
    static const int month_days[] = {31, 29, 31, 30, 31, 30,
                                     31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > month_days[mo - 1] || h > 23 ||
        mi > 59 || s > 59)
        return ESK_EINVAL;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return ESK_EINVAL;
    int64_t days = days_from_civil(y, mo, d);
    *out =
        ((days * SEC_PER_DAY) + h * 3600 + mi * 60 + s) * USEC_PER_SEC + frac;
    return ESK_OK;
}
