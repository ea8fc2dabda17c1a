/*
 * web/tests/web_fixture.h - the web layer's test groups, and a request
 * helper for them.
 */
#ifndef WEB_FIXTURE_H
#define WEB_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

/* One request to 127.0.0.1:port; fails the test when no answer comes. */
void web_request(uint16_t port, const char *method, const char *target,
                 const char *headers, const char *body,
                 esk_web_client_reply *out);

/* Fail the test unless the header lines hold line (exactly, up to its
 * end or a following character). */
void test_assert_header(const char *headers, const char *line);

int run_web_http_tests(void);
int run_web_text_tests(void);

#endif
