/*
 * runner/catalogue.c - the exercises and their stubs' checksums.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalogue.h"
#include "fs.h"
#include "sha256.h"
#include "term.h"
#include "text.h"

static bool is_exercise_folder(const char *name)
{
    return isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
           name[2] == '-' && name[3] != '\0';
}

static char **string_array(json_t *array, size_t *count)
{
    *count = json_array_size(array);
    char **out = kata_xcalloc(*count ? *count : 1, sizeof(*out));
    for (size_t i = 0; i < *count; i++) {
        const char *s = json_string_value(json_array_get(array, i));
        if (s == NULL) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
        out[i] = kata_xstrdup(s);
    }
    return out;
}

static void free_strings(char **items, size_t count)
{
    if (items == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

static void free_exercise(kata_exercise *e)
{
    free(e->slug);
    free(e->title);
    free(e->dir);
    free(e->shown_dir);
    free_strings(e->edit, e->edit_count);
    free_strings(e->stub_sums, e->edit_count);
    free_strings(e->hints, e->hint_count);
    memset(e, 0, sizeof(*e));
}

/* The checksum recorded for exercises/<slug>/<name> in the text of
 * stubs.sha256 ("<hex>  <path>" lines), or NULL. */
static char *stub_sum(const char *sums, const char *slug, const char *name)
{
    if (sums == NULL)
        return NULL;
    char *path = kata_format("exercises/%s/%s", slug, name);
    char *found = NULL;
    for (const char *line = sums; *line && found == NULL;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        /* sha256sum writes "<hex>  <path>", or "<hex> *<path>" in
         * binary mode. */
        if (n > 66 && (line[64] == ' ') &&
            (line[65] == ' ' || line[65] == '*')) {
            size_t plen = n - 66;
            if (plen > 0 && line[66 + plen - 1] == '\r')
                plen--;
            if (plen == strlen(path) && strncmp(line + 66, path, plen) == 0)
                found = kata_xstrndup(line, 64);
        }
        line += n;
        if (*line == '\n')
            line++;
    }
    free(path);
    return found;
}

/* Fills e's fields from its exercise.json; NULL, or what is wrong with
 * the file (in the words of a note to the author). */
static const char *read_meta(kata_exercise *e, json_t *json)
{
    json_t *number = json_object_get(json, "number");
    json_t *title = json_object_get(json, "title");
    json_t *minutes = json_object_get(json, "minutes");
    json_t *edit = json_object_get(json, "edit");
    json_t *hints = json_object_get(json, "hints");
    const char *problem = NULL;
    if (!json_is_integer(number))
        problem = "\"number\" is not an integer";
    else if (!json_is_string(title))
        problem = "\"title\" is not a string";
    else if (minutes != NULL && !json_is_integer(minutes))
        problem = "\"minutes\" is not an integer";
    else if (!json_is_array(edit) || json_array_size(edit) == 0)
        problem = "\"edit\" is not a list of file names";
    else if (hints != NULL && !json_is_array(hints))
        problem = "\"hints\" is not a list of strings";
    if (problem == NULL) {
        e->edit = string_array(edit, &e->edit_count);
        if (e->edit == NULL)
            problem = "\"edit\" is not a list of file names";
    }
    if (problem == NULL && hints != NULL) {
        e->hints = string_array(hints, &e->hint_count);
        if (e->hints == NULL)
            problem = "\"hints\" is not a list of strings";
    }
    if (problem == NULL)
        for (size_t i = 0; i < e->edit_count; i++)
            if (strchr(e->edit[i], '/') != NULL || e->edit[i][0] == '.')
                problem = "a name in \"edit\" is not a file of the folder";
    if (problem != NULL)
        return problem;
    e->number = (int)json_integer_value(number);
    e->title = kata_xstrdup(json_string_value(title));
    e->minutes = minutes ? (int)json_integer_value(minutes) : 0;
    return NULL;
}

/* Fills e from exercises/<slug>/exercise.json; false, after a note (a
 * warning: the other exercises still work), when it cannot be used. */
static bool load_exercise(kata_exercise *e, const char *root, const char *slug,
                          const char *sums)
{
    memset(e, 0, sizeof(*e));
    char *exercises = kata_path(root, "exercises");
    e->dir = kata_path(exercises, slug);
    free(exercises);
    e->slug = kata_xstrdup(slug);
    e->shown_dir = kata_format("exercises/%s", slug);

    char *meta = kata_path(e->dir, "exercise.json");
    json_error_t err;
    json_t *json = json_load_file(meta, 0, &err);
    bool ok = false;
    if (json == NULL) {
        if (!kata_exists(meta))
            kata_note("%s/exercise.json is missing: exercise %s is left out.",
                      e->shown_dir, slug);
        else
            kata_note("%s/exercise.json, line %d, column %d: %s; exercise %s "
                      "is left out until the file is fixed.",
                      e->shown_dir, err.line, err.column, err.text, slug);
        goto done;
    }
    const char *problem = read_meta(e, json);
    if (problem != NULL) {
        kata_note("%s/exercise.json: %s; exercise %s is left out until the "
                  "file is fixed.",
                  e->shown_dir, problem, slug);
        goto done;
    }
    e->stub_sums = kata_xcalloc(e->edit_count, sizeof(*e->stub_sums));
    for (size_t i = 0; i < e->edit_count; i++)
        e->stub_sums[i] = stub_sum(sums, slug, e->edit[i]);
    ok = true;
done:
    json_decref(json);
    free(meta);
    if (!ok)
        free_exercise(e);
    return ok;
}

static int compare_exercises(const void *a, const void *b)
{
    const kata_exercise *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->slug, y->slug);
}

kata_status kata_catalogue_load(kata_catalogue *c, const char *root)
{
    memset(c, 0, sizeof(*c));
    char *exercises = kata_path(root, "exercises");
    char **names = NULL;
    size_t count = 0;
    if (kata_list_dir(exercises, &names, &count) != KATA_OK) {
        free(exercises);
        return kata_fail(KATA_EFAIL,
                         "%s has no exercises folder: %s\n"
                         "Run ./kata from the root of the esk kit, or give "
                         "the kit's folder with --root DIR.",
                         root, kata_errmsg());
    }
    char *sums_path = kata_path(exercises, "stubs.sha256");
    char *sums = NULL;
    if (kata_read_file(sums_path, &sums, NULL) != 0)
        sums = NULL;
    c->items = kata_xcalloc(count ? count : 1, sizeof(*c->items));
    for (size_t i = 0; i < count; i++) {
        char *dir = kata_path(exercises, names[i]);
        bool usable = is_exercise_folder(names[i]) && kata_is_dir(dir);
        free(dir);
        if (usable && load_exercise(&c->items[c->count], root, names[i], sums))
            c->count++;
    }
    if (c->count > 1)
        qsort(c->items, c->count, sizeof(*c->items), compare_exercises);
    free(sums);
    free(sums_path);
    kata_free_names(names, count);
    free(exercises);
    return 0;
}

void kata_catalogue_free(kata_catalogue *c)
{
    for (size_t i = 0; i < c->count; i++)
        free_exercise(&c->items[i]);
    free(c->items);
    c->items = NULL;
    c->count = 0;
}

kata_exercise *kata_catalogue_find(const kata_catalogue *c, const char *arg)
{
    if (arg == NULL || arg[0] == '\0')
        return NULL;
    /* "exercises/03-aggregate/" as a shell completes it. */
    char *name = kata_xstrdup(arg);
    size_t n = strlen(name);
    while (n > 1 && name[n - 1] == '/')
        name[--n] = '\0';
    const char *base = name;
    if (kata_starts_with(base, "./"))
        base += 2;
    if (kata_starts_with(base, "exercises/"))
        base += strlen("exercises/");

    kata_exercise *found = NULL;
    char *end = NULL;
    errno = 0;
    long number = strtol(base, &end, 10);
    bool numeric = end != base && *end == '\0' && errno == 0;
    for (size_t i = 0; i < c->count && found == NULL; i++) {
        kata_exercise *e = &c->items[i];
        if (numeric ? e->number == number : strcmp(e->slug, base) == 0)
            found = e;
    }
    free(name);
    return found;
}

size_t kata_catalogue_index(const kata_catalogue *c, const kata_exercise *e)
{
    return (size_t)(e - c->items);
}

char *kata_exercise_target(const kata_exercise *e)
{
    return kata_format("ex%.2s", e->slug);
}

char *kata_exercise_file(const kata_exercise *e, size_t edit_index)
{
    return kata_path(e->dir, e->edit[edit_index]);
}

char *kata_exercise_shown_file(const kata_exercise *e, size_t edit_index)
{
    return kata_path(e->shown_dir, e->edit[edit_index]);
}

bool kata_exercise_file_is_stub(const kata_exercise *e, size_t edit_index)
{
    if (e->stub_sums[edit_index] == NULL)
        return false;
    char *path = kata_exercise_file(e, edit_index);
    char hex[65];
    bool same = kata_sha256_file(path, hex) &&
                strcmp(hex, e->stub_sums[edit_index]) == 0;
    free(path);
    return same;
}

bool kata_exercise_untouched(const kata_exercise *e)
{
    for (size_t i = 0; i < e->edit_count; i++)
        if (!kata_exercise_file_is_stub(e, i))
            return false;
    return true;
}
