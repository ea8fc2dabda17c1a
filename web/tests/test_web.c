/*
 * web/tests/test_web.c - the web layer: the server (web/http.h), HTML
 * escaping (web/html.h) and the rate limit (web/rate.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web_fixture.h"

void web_request(uint16_t port, const char *method, const char *target,
                 const char *headers, const char *body,
                 esk_web_client_reply *out)
{
    char error[ESK_WEB_CLIENT_ERROR_MAX] = "";
    char port_text[8];
    snprintf(port_text, sizeof(port_text), "%u", (unsigned)port);
    int rc =
        esk_web_client_request("127.0.0.1", port_text, method, target, headers,
                               body, body ? strlen(body) : 0, 5000, out, error);
    if (rc != 0)
        fail_msg("%s %s: %s", method, target, error);
}

void test_assert_header(const char *headers, const char *line)
{
    if (headers == NULL || strstr(headers, line) == NULL)
        fail_msg("no header line '%s' in:\n%s", line,
                 headers ? headers : "(none)");
}

int main(void)
{
    int failed = run_web_http_tests();
    failed += run_web_text_tests();
    return failed;
}
