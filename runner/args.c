/*
 * runner/args.c - what the commands share before they start: their
 * arguments, the exercise they name, and the checks that the kit and its
 * build are ready for them.
 */
#include <stdlib.h>
#include <string.h>

#include "evaluate.h"
#include "fs.h"
#include "kata.h"
#include "text.h"

kata_status kata_parse_args(kata *k, int argc, char **argv,
                            const char **positional, bool yes_ok, bool *json)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            kata_print_command_help(argv[0]);
            return KATA_FINISHED;
        }
        if (yes_ok && (strcmp(a, "-y") == 0 || strcmp(a, "--yes") == 0)) {
            k->yes = true;
            continue;
        }
        if (json != NULL && strcmp(a, "--json") == 0) {
            *json = true;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0')
            return kata_fail(KATA_EUSAGE,
                             "%s does not know the option \"%s\".\n"
                             "./kata help %s lists what it takes.",
                             argv[0], a, argv[0]);
        if (positional == NULL || *positional != NULL)
            return kata_fail(KATA_EUSAGE,
                             "%s takes %s, not \"%s\".\n"
                             "./kata help %s says how to call it.",
                             argv[0],
                             positional == NULL ? "no argument"
                                                : "one exercise at a time",
                             a, argv[0]);
        *positional = a;
    }
    return KATA_OK;
}

/* The exercises, one a line, for a message that asks for one of them. */
static void list_exercises(const kata *k, kata_buf *out)
{
    const kata_catalogue *c = &k->catalogue;
    if (c->count == 0) {
        kata_buf_puts(out, "\nThis kit has no exercises yet.");
        return;
    }
    kata_buf_puts(out, "\nThe exercises:");
    for (size_t i = 0; i < c->count; i++)
        kata_buf_printf(out, "\n  %2d  %-18s %s", c->items[i].number,
                        c->items[i].slug, c->items[i].title);
}

kata_status kata_exercise_arg(kata *k, const char *cmd, const char *arg,
                              kata_exercise **out)
{
    *out = kata_catalogue_find(&k->catalogue, arg);
    if (*out != NULL)
        return KATA_OK;
    kata_buf b = {0};
    kata_buf_printf(&b, "there is no exercise \"%s\".", arg);
    if (k->catalogue.count > 0)
        kata_buf_printf(&b,
                        "\nGive its number or its folder, e.g. ./kata %s %d.",
                        cmd, k->catalogue.items[0].number);
    list_exercises(k, &b);
    kata_fail(KATA_EUSAGE, "%s", kata_buf_str(&b));
    kata_buf_free(&b);
    return KATA_EUSAGE;
}

kata_status kata_answers_ready(const kata *k, const kata_exercise *e)
{
    char *folder = kata_path(k->root, "solutions");
    bool kit_has_them = kata_exists(folder);
    bool ready = kit_has_them;
    for (size_t i = 0; ready && i < e->edit_count; i++) {
        char *answer = kata_format("%s/%s/%s", folder, e->slug, e->edit[i]);
        ready = kata_exists(answer);
        free(answer);
    }
    free(folder);
    if (ready)
        return KATA_OK;
    char *what =
        kit_has_them
            ? kata_format("the reference answer of exercise %d is not in this "
                          "copy of the kit (solutions/%s/ is incomplete).",
                          e->number, e->slug)
            : kata_xstrdup("the reference answers are not in this copy of "
                           "the kit (it has no solutions/ folder).");
    kata_fail(KATA_EFAIL,
              "%s\n`./kata hint %d` reveals the hints, up to nearly the "
              "answer. The trainer has the answers; if you deleted "
              "solutions/ from a git clone, `git checkout -- solutions` "
              "brings it back.",
              what, e->number);
    free(what);
    return KATA_EFAIL;
}

kata_status kata_build_ready(const kata *k)
{
    char *cache = kata_path(k->build, "CMakeCache.txt");
    bool ready = kata_exists(cache);
    free(cache);
    if (ready)
        return KATA_OK;
    return kata_fail(KATA_EFAIL,
                     "%s is not a configured build folder yet.\n"
                     "Run ./kata setup, which configures and builds it (or "
                     "give another one with --build DIR).",
                     k->shown_build);
}

kata_status kata_exercise_or_current(kata *k, int argc, char **argv, bool build,
                                     kata_exercise **out)
{
    const char *arg = NULL;
    *out = NULL;
    kata_status rc = kata_parse_args(k, argc, argv, &arg, false, NULL);
    if (rc == KATA_OK && build)
        rc = kata_build_ready(k);
    if (rc != KATA_OK)
        return rc;
    if (arg != NULL)
        return kata_exercise_arg(k, argv[0], arg, out);
    return kata_current_exercise(k, build, out);
}

kata_status kata_exercise_needed(kata *k, int argc, char **argv, bool yes_ok,
                                 const char *what, kata_exercise **out)
{
    const char *arg = NULL;
    *out = NULL;
    kata_status rc = kata_parse_args(k, argc, argv, &arg, yes_ok, NULL);
    if (rc != KATA_OK)
        return rc;
    if (arg != NULL)
        return kata_exercise_arg(k, argv[0], arg, out);
    kata_buf b = {0};
    kata_buf_printf(&b, "%s needs the number of %s.\nFor example: ./kata %s 1",
                    argv[0], what, argv[0]);
    list_exercises(k, &b);
    kata_fail(KATA_EUSAGE, "%s", kata_buf_str(&b));
    kata_buf_free(&b);
    return KATA_EUSAGE;
}

kata_status kata_answer_needed(kata *k, int argc, char **argv, bool yes_ok,
                               const char *what, kata_exercise **out)
{
    kata_status rc = kata_exercise_needed(k, argc, argv, yes_ok, what, out);
    return rc == KATA_OK ? kata_answers_ready(k, *out) : rc;
}
