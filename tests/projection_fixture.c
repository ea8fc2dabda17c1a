/*
 * tests/projection_fixture.c - a fresh store of the test's backend with an
 * agenda kept beside it, and a catch-up runner over it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agenda_read_model.h"
#include "esk/projection.h"
#include "projection_fixture.h"
#include "registration_fixture.h"

/* A fresh store of the test's backend, and an agenda kept beside it. */
void open_store(fixture *f, agenda *a, void **state)
{
    fixture_open(f, *state);
    memset(a, 0, sizeof(*a));
    a->in_sql = f->backend->sqlite;
}

void assert_agenda(agenda *a, fixture *f, const char *expected)
{
    char text[TEXT_MAX];
    agenda_render(a, f->store, text, sizeof(text));
    if (strcmp(text, expected) != 0)
        fail_msg("agenda on %s is\n%s\nexpected\n%s", f->backend->name, text,
                 expected);
}

esk_catchup *new_catchup(fixture *f, const esk_projection *p)
{
    esk_catchup *c = NULL;
    if (esk_catchup_new(&c, f->store, p, NULL) != ESK_OK)
        fail_msg("esk_catchup_new: %s", esk_errmsg());
    return c;
}

void run_ok(esk_catchup *c, esk_catchup_status *st)
{
    esk_status rc = esk_catchup_run(c, st);
    if (rc != ESK_OK)
        fail_msg("esk_catchup_run: %s", esk_errmsg());
}
