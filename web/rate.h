/*
 * web/rate.h - a rate limit per key (a client address, an attendee): a
 * token bucket each, so that a short burst passes and a flood does not.
 *
 * The caller gives the time, so that tests need no clock. Not thread
 * safe: the server's handlers run on one thread (web/http.h).
 */
#ifndef ESK_WEB_RATE_H
#define ESK_WEB_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include <esk/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esk_web_rate esk_web_rate;

/**
 * A limiter: each key may make burst requests at once, and per_second on
 * average afterwards. It remembers up to 1024 keys; beyond that the key
 * seen longest ago is forgotten (it starts again with a full bucket).
 *
 * @param out receives it, owned by the caller (esk_web_rate_free);
 *            untouched on failure.
 * @return ESK_OK; ESK_EINVAL (NULL, per_second <= 0, burst 0);
 *         ESK_ENOMEM.
 */
esk_status esk_web_rate_new(esk_web_rate **out, double per_second,
                            unsigned burst);

/** Free a limiter. NULL is a no-op. */
void esk_web_rate_free(esk_web_rate *rate);

/**
 * Whether key may make a request at now_ms (milliseconds on any clock
 * that does not go back); a request allowed takes a token. NULL rate or
 * key: false. Keys longer than 127 bytes count by their first 127.
 */
bool esk_web_rate_allow(esk_web_rate *rate, const char *key, int64_t now_ms);

#ifdef __cplusplus
}
#endif

#endif
