/*
 * runner/main.c - kata-runner: the options before the command, the
 * command, and the one place where a failure is printed.
 *
 *   kata-runner [--root DIR] [--build DIR] [--no-color] [-y] COMMAND [ARGS]
 *
 * ./kata (a POSIX sh script) installs what is missing, configures and
 * builds this program, then hands every exercise command over to it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "kata.h"
#include "proc.h"
#include "text.h"

typedef struct command {
    const char *name;
    kata_command_fn *fn;
} command;

/* Their usage and help are in help.c. */
static const command commands[] = {
    {"board", kata_cmd_board},       {"list", kata_cmd_board},
    {"run", kata_cmd_run},           {"watch", kata_cmd_watch},
    {"hint", kata_cmd_hint},         {"reset", kata_cmd_reset},
    {"solution", kata_cmd_solution}, {"demo", kata_cmd_demo},
    {"report", kata_cmd_report},     {"help", kata_cmd_help},
    {"room", kata_cmd_room},         {"join", kata_cmd_join},
    {"leave", kata_cmd_leave},       {"room-send", kata_cmd_room_send},
    {"explore", kata_cmd_explore},
};

/* After these, a learner in a room sends it the new report. */
static bool reports_to_room(const command *c)
{
    return c->fn == kata_cmd_board || c->fn == kata_cmd_run ||
           c->fn == kata_cmd_hint;
}

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* A folder given on the command line or in the environment, made
 * absolute against the current folder; it need not exist yet. */
static char *absolute_dir(const char *dir)
{
    char *abs = kata_absolute(dir);
    if (abs != NULL)
        return abs;
    if (dir[0] == '/')
        return kata_xstrdup(dir);
    char *cwd = kata_absolute(".");
    char *joined = kata_path(cwd ? cwd : ".", dir);
    free(cwd);
    return joined;
}

/* The options before the command. KATA_OK and *next the index of the
 * command, KATA_FINISHED (the help was shown) or KATA_EUSAGE. */
static kata_status global_options(kata *k, int argc, char **argv,
                                  const char **root, const char **build,
                                  int *next)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--root") == 0 || strcmp(a, "--build") == 0) &&
            i + 1 >= argc)
            return kata_fail(KATA_EUSAGE,
                             "--root and --build need a folder after them.\n"
                             "./kata help lists the commands and options.");
        if (strcmp(a, "--root") == 0)
            *root = argv[++i];
        else if (strcmp(a, "--build") == 0)
            *build = argv[++i];
        else if (strcmp(a, "--no-color") == 0 || strcmp(a, "--no-colour") == 0)
            k->plain = true;
        else if (strcmp(a, "-y") == 0 || strcmp(a, "--yes") == 0)
            k->yes = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            kata_print_command_help(NULL);
            return KATA_FINISHED;
        } else
            return kata_fail(KATA_EUSAGE,
                             "unknown option \"%s\".\n"
                             "./kata help lists the commands and options.",
                             a);
    }
    *next = i;
    return KATA_OK;
}

static kata_status run_command(kata *k, int argc, char **argv)
{
    const char *root = getenv("KATA_ROOT");
    const char *build = getenv("KATA_BUILD");
    int i = 1;
    kata_status rc = global_options(k, argc, argv, &root, &build, &i);
    if (rc != KATA_OK)
        return rc;
    const char *name = i < argc ? argv[i] : "board";
    const command *c = find_command(name);
    if (c == NULL) {
        char *list = kata_command_list();
        kata_fail(KATA_EUSAGE, "unknown command \"%s\".\n%s", name, list);
        free(list);
        return KATA_EUSAGE;
    }
    char *default_argv[] = {(char *)c->name, NULL};
    int cmd_argc = i < argc ? argc - i : 1;
    char **cmd_argv = i < argc ? argv + i : default_argv;
    if (c->fn == kata_cmd_help)
        return kata_cmd_help(k, cmd_argc, cmd_argv);

    kata_proc_guard();
    kata_term_init(&k->out, 1, k->plain);
    k->root = absolute_dir(root && root[0] ? root : ".");
    k->build = build && build[0] ? absolute_dir(build)
                                 : kata_path(k->root, "build/dev");
    k->shown_build = kata_relative(k->root, k->build);
    k->state = kata_path(k->root, ".kata");
    rc = kata_catalogue_load(&k->catalogue, k->root);
    if (rc != KATA_OK)
        return rc;
    kata_pristine_save(k);
    rc = c->fn(k, cmd_argc, cmd_argv);
    if (reports_to_room(c) && rc != KATA_FINISHED && rc != KATA_EUSAGE)
        kata_room_notify(k, false);
    return rc;
}

int main(int argc, char **argv)
{
    kata k;
    memset(&k, 0, sizeof(k));
    kata_status rc = run_command(&k, argc, argv);
    fflush(stdout);
    /* The one place an error is printed (error.h); paths in it read from
     * the kit's root. */
    if (rc < 0)
        kata_error_show(k.root);
    kata_error_clear();
    kata_catalogue_free(&k.catalogue);
    free(k.root);
    free(k.build);
    free(k.shown_build);
    free(k.state);
    return kata_exit_code(rc);
}
