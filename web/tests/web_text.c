/*
 * web/tests/web_text.c - HTML escaping and the rate limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "rate.h"
#include "web_fixture.h"

static void a_script_tag_is_escaped_into_text(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(esk_html_escape(&out, "<script>alert(1)</script>"),
                     ESK_OK);
    assert_string_equal(out, "&lt;script&gt;alert(1)&lt;/script&gt;");
    free(out);
}

static void quotes_and_ampersands_are_escaped_and_emoji_kept(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(esk_html_escape(&out, "O'Hara & \"Bo\" \xF0\x9F\x8E\x89"),
                     ESK_OK);
    assert_string_equal(out,
                        "O&#39;Hara &amp; &quot;Bo&quot; \xF0\x9F\x8E\x89");
    free(out);
    assert_int_equal(esk_html_escape(&out, ""), ESK_OK);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(esk_html_escape(NULL, "x"), ESK_EINVAL);
    assert_int_equal(esk_html_escape(&out, NULL), ESK_EINVAL);
}

static void a_burst_passes_and_a_flood_does_not(void **state)
{
    (void)state;
    esk_web_rate *rate = NULL;
    assert_int_equal(esk_web_rate_new(&rate, 2.0, 5), ESK_OK);
    for (int i = 0; i < 5; i++)
        assert_true(esk_web_rate_allow(rate, "ada", 1000));
    assert_false(esk_web_rate_allow(rate, "ada", 1000));
    /* Another key has a bucket of its own. */
    assert_true(esk_web_rate_allow(rate, "bob", 1000));
    /* Two a second: half a second brings one token back. */
    assert_true(esk_web_rate_allow(rate, "ada", 1500));
    assert_false(esk_web_rate_allow(rate, "ada", 1500));
    /* A long pause refills up to the burst, not beyond. */
    for (int i = 0; i < 5; i++)
        assert_true(esk_web_rate_allow(rate, "ada", 100000));
    assert_false(esk_web_rate_allow(rate, "ada", 100000));
    esk_web_rate_free(rate);
}

static void a_rate_checks_its_arguments(void **state)
{
    (void)state;
    esk_web_rate *rate = NULL;
    assert_int_equal(esk_web_rate_new(&rate, 0.0, 5), ESK_EINVAL);
    assert_int_equal(esk_web_rate_new(&rate, 1.0, 0), ESK_EINVAL);
    assert_int_equal(esk_web_rate_new(NULL, 1.0, 1), ESK_EINVAL);
    assert_null(rate);
    assert_false(esk_web_rate_allow(NULL, "x", 0));
    esk_web_rate_free(NULL);
}

static void a_url_is_split_into_host_port_and_path(void **state)
{
    (void)state;
    esk_web_client_url u;
    char error[ESK_WEB_CLIENT_ERROR_MAX];
    assert_int_equal(
        esk_web_client_parse_url("http://10.0.0.5:8080/", &u, error), 0);
    assert_string_equal(u.host, "10.0.0.5");
    assert_string_equal(u.port, "8080");
    assert_string_equal(u.path, "");
    assert_int_equal(esk_web_client_parse_url("http://room/x", &u, error), 0);
    assert_string_equal(u.port, "80");
    assert_string_equal(u.path, "/x");
    assert_int_equal(esk_web_client_parse_url("https://a", &u, error), -1);
    assert_int_equal(esk_web_client_parse_url("http://a:/", &u, error), -1);
    assert_int_equal(esk_web_client_parse_url("http://:80", &u, error), -1);
}

int run_web_text_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_script_tag_is_escaped_into_text),
        cmocka_unit_test(quotes_and_ampersands_are_escaped_and_emoji_kept),
        cmocka_unit_test(a_burst_passes_and_a_flood_does_not),
        cmocka_unit_test(a_rate_checks_its_arguments),
        cmocka_unit_test(a_url_is_split_into_host_port_and_path),
    };
    return cmocka_run_group_tests_name("web text and limits", tests, NULL,
                                       NULL);
}
