/*
 * test_build.c - what the runner keeps of a failed build, and in which
 * order: the compiler's words about the learner's file come first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "build.h"

/* gcc on a field table that names a member the struct does not have: the
 * error is reported inside the macro, in esk's header, twice. */
static const char gcc_macro_error[] =
    "[ 50%] Building C object exercises/CMakeFiles/ex01.dir/01-events/"
    "events.c.o\n"
    "In file included from /kit/include/esk/codec.h:41,\n"
    "                 from /kit/exercises/01-events/events.h:14,\n"
    "                 from /kit/exercises/01-events/events.c:8:\n"
    "/kit/include/esk/codec.h:86:21: error: 'workshop_scheduled' has no "
    "member named 'title'\n"
    "   86 |     {(key), (kind), offsetof(type, member), "
    "ESK__MEMBER_SIZE(type, member),    \\\n"
    "      |                     ^~~~~~~~\n"
    "/kit/include/esk/codec.h:91:5: note: in expansion of macro "
    "'ESK__FIELD'\n"
    "   91 |     ESK__FIELD(type, member, key, ESK_KIND_STRING, false)\n"
    "      |     ^~~~~~~~~~\n"
    "/kit/exercises/01-events/events.c:12:5: note: in expansion of macro "
    "'ESK_FIELD_STRING'\n"
    "   12 |     ESK_FIELD_STRING(workshop_scheduled, title, \"title\"),\n"
    "      |     ^~~~~~~~~~~~~~~~\n"
    "/kit/include/esk/codec.h:84:58: error: 'workshop_scheduled' has no "
    "member named 'title'\n"
    "   84 | #define ESK__MEMBER_SIZE(type, member) sizeof(((type *)0)->"
    "member)\n"
    "      |                                                          ^~\n"
    "/kit/include/esk/codec.h:86:45: note: in expansion of macro "
    "'ESK__MEMBER_SIZE'\n"
    "   86 |     {(key), (kind), offsetof(type, member), "
    "ESK__MEMBER_SIZE(type, member),    \\\n"
    "      |                                             ^~~~~~~~~~~~~~~~\n"
    "/kit/exercises/01-events/events.c:12:5: note: in expansion of macro "
    "'ESK_FIELD_STRING'\n"
    "   12 |     ESK_FIELD_STRING(workshop_scheduled, title, \"title\"),\n"
    "      |     ^~~~~~~~~~~~~~~~\n"
    "/kit/exercises/01-events/events.c:20:5: error: expected ';' before "
    "'}' token\n"
    "   20 |     return 0\n"
    "      |             ^\n"
    "gmake[2]: *** [exercises/CMakeFiles/ex01.dir/build.make:76: "
    "events.c.o] Error 1\n";

static void a_macro_error_is_shown_at_the_line_of_the_learner(void **state)
{
    (void)state;
    char *shown = kata_filter_diagnostics(gcc_macro_error, "/kit");
    const char *first = "exercises/01-events/events.c:12:5: error: "
                        "'workshop_scheduled' has no member named 'title'\n"
                        "   12 |     ESK_FIELD_STRING(workshop_scheduled, "
                        "title, \"title\"),\n"
                        "      |     ^~~~~~~~~~~~~~~~\n";
    if (strncmp(shown, first, strlen(first)) != 0)
        print_error("the diagnostics start\n%s\ninstead of\n%s", shown, first);
    assert_true(strncmp(shown, first, strlen(first)) == 0);
    /* The same mistake once, not once per use inside the macro. */
    assert_null(strstr(shown + 1, "exercises/01-events/events.c:12:5: error"));
    /* The next error of the learner's file is still there. */
    assert_non_null(
        strstr(shown, "exercises/01-events/events.c:20:5: error: expected"));
    free(shown);
}

static void an_error_in_the_learners_file_keeps_its_place(void **state)
{
    (void)state;
    const char *output =
        "/kit/exercises/01-events/events.c:20:5: error: expected ';'\n"
        "   20 |     return 0\n"
        "/kit/exercises/01-events/events.c:30:1: warning: unused variable\n";
    char *shown = kata_filter_diagnostics(output, "/kit");
    assert_string_equal(shown,
                        "exercises/01-events/events.c:20:5: error: expected "
                        "';'\n"
                        "   20 |     return 0\n"
                        "exercises/01-events/events.c:30:1: warning: unused "
                        "variable\n");
    free(shown);
}

static void an_error_only_in_a_header_of_esk_is_kept(void **state)
{
    (void)state;
    const char *output = "/kit/include/esk/codec.h:10:1: error: broken\n"
                         "   10 | x\n";
    char *shown = kata_filter_diagnostics(output, "/kit");
    assert_string_equal(shown, "include/esk/codec.h:10:1: error: broken\n"
                               "   10 | x\n");
    free(shown);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_macro_error_is_shown_at_the_line_of_the_learner),
        cmocka_unit_test(an_error_in_the_learners_file_keeps_its_place),
        cmocka_unit_test(an_error_only_in_a_header_of_esk_is_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
