/*
 * web/tests/explore_fixture.h - a store for the explorer's tests, written
 * with esk's own API: a workshop with a waitlist, a stream whose id and
 * data are hostile markup, tagged events, a closed stream, and
 * checkpoints of a projection and a process manager. The same store in a
 * SQLite file, or in a PostgreSQL schema, so that the same test bodies
 * run on both.
 */
#ifndef ESK_WEB_TESTS_EXPLORE_FIXTURE_H
#define ESK_WEB_TESTS_EXPLORE_FIXTURE_H

#include <stddef.h>

/* The stream whose id is markup, and the text in its data. */
#define HOSTILE_STREAM "<script>alert(1)</script>-\"1\""
#define HOSTILE_TEXT "</pre><script>alert(2)</script>"

typedef struct explore_fixture {
    char dir[64];
    char path[128]; /* the store file, in dir (SQLite only) */
    /* What esk_explore_open_in() opens: the file, or the conninfo and the
     * schema (NULL for a file). */
    const char *target;
    const char *schema;
} explore_fixture;

/* From now on, explore_fixture_make() writes the store in this schema of
 * this PostgreSQL database (both borrowed for the program's life), and
 * explore_fixture_remove() drops it. */
void explore_fixture_use_postgres(const char *conninfo, const char *schema);

/* A fresh folder, with the store file in it or the store in a fresh
 * schema; fails the test on error.
 * Six events: workshop-w-1 v1-3 (positions 1-3), the hostile stream v1
 * (4), period-2026 v1-2 (5-6, closed, tagged). Checkpoints: "catalogue"
 * at 2 and "process:waitlist" at 6. */
void explore_fixture_make(explore_fixture *f);

/* A file in the fixture's folder: the path, in buf. */
void explore_fixture_file(const explore_fixture *f, const char *name, char *buf,
                          size_t size);

/* Remove the folder and everything in it, and the schema. */
void explore_fixture_remove(explore_fixture *f);

/* The bytes of a file, malloc'd (free them), and their count. */
size_t explore_fixture_read(const char *path, char **out);

#endif
