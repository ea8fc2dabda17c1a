/*
 * web/rate.c - token buckets per key (web/rate.h).
 */
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>

#include "rate.h"

#define RATE_KEYS 1024
#define RATE_KEY_MAX 128

typedef struct rate_bucket {
    char key[RATE_KEY_MAX];
    double tokens;
    int64_t seen_ms;
} rate_bucket;

struct esk_web_rate {
    double per_ms;
    double burst;
    size_t count;
    rate_bucket buckets[RATE_KEYS];
};

esk_status esk_web_rate_new(esk_web_rate **out, double per_second,
                            unsigned burst)
{
    if (out == NULL)
        return esk_error_set(ESK_EINVAL, "out is NULL");
    if (!(per_second > 0) || burst == 0)
        return esk_error_set(ESK_EINVAL,
                             "a rate limit needs a rate above 0 and a burst "
                             "of 1 or more");
    esk_web_rate *rate = calloc(1, sizeof(*rate));
    if (rate == NULL)
        return esk_error_set(ESK_ENOMEM, "out of memory for a rate limit");
    rate->per_ms = per_second / 1000.0;
    rate->burst = burst;
    *out = rate;
    esk_error_clear();
    return ESK_OK;
}

void esk_web_rate_free(esk_web_rate *rate)
{
    free(rate);
}

/* The bucket of key: found, or a new full one (taking the place of the
 * key seen longest ago when the table is full). */
static rate_bucket *bucket_of(esk_web_rate *rate, const char *key,
                              int64_t now_ms)
{
    size_t oldest = 0;
    for (size_t i = 0; i < rate->count; i++) {
        if (strncmp(rate->buckets[i].key, key, RATE_KEY_MAX - 1) == 0)
            return &rate->buckets[i];
        if (rate->buckets[i].seen_ms < rate->buckets[oldest].seen_ms)
            oldest = i;
    }
    size_t slot = rate->count < RATE_KEYS ? rate->count++ : oldest;
    rate_bucket *b = &rate->buckets[slot];
    memset(b->key, 0, sizeof(b->key));
    strncpy(b->key, key, RATE_KEY_MAX - 1);
    b->tokens = rate->burst;
    b->seen_ms = now_ms;
    return b;
}

bool esk_web_rate_allow(esk_web_rate *rate, const char *key, int64_t now_ms)
{
    if (rate == NULL || key == NULL)
        return false;
    rate_bucket *b = bucket_of(rate, key, now_ms);
    if (now_ms > b->seen_ms) {
        b->tokens += (double)(now_ms - b->seen_ms) * rate->per_ms;
        if (b->tokens > rate->burst)
            b->tokens = rate->burst;
    }
    b->seen_ms = now_ms > b->seen_ms ? now_ms : b->seen_ms;
    if (b->tokens < 1.0)
        return false;
    b->tokens -= 1.0;
    return true;
}
