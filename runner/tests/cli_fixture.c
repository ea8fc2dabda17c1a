/*
 * cli_fixture.c - a copy of the fixture kit for the whole run, and
 * exercise 1 put back as shipped after each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../fs.h"
#include "../text.h"
#include "cli_fixture.h"
#include "harness.h"

kit the_kit;
static char *greet_stub;
char *count_stub;

int make_kit(void **state)
{
    (void)state;
    if (kit_create(&the_kit) != 0)
        return -1;
    greet_stub = kit_read(&the_kit, GREET);
    count_stub = kit_read(&the_kit, COUNT);
    return 0;
}

int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    free(greet_stub);
    free(count_stub);
    return 0;
}

/* Every test leaves exercise 1 as shipped. */
int restore_stub(void **state)
{
    (void)state;
    kit_write(&the_kit, GREET, greet_stub);
    return 0;
}

void write_greet(const char *body)
{
    char *text = kata_format("#include <stdlib.h>\n#include \"greet.h\"\n"
                             "const char *greet(void)\n{\n%s\n}\n",
                             body);
    kit_write(&the_kit, GREET, text);
    free(text);
}
