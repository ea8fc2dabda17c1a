/*
 * runner/main.c - kata-runner: the commands behind ./kata, their help,
 * and the options they share.
 *
 *   kata-runner [--root DIR] [--build DIR] [--no-color] [-y] COMMAND [ARGS]
 *
 * ./kata (a POSIX sh script) installs what is missing, configures and
 * builds this program, then hands every exercise command over to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "kata.h"
#include "proc.h"
#include "text.h"

typedef struct command {
    const char *name;
    kata_command_fn *fn;
    const char *usage;
    const char *help;
} command;

static int cmd_help(kata *k, int argc, char **argv);

static const command commands[] = {
    {"board", kata_cmd_board, "./kata [board]",
     "Builds every exercise (only what changed since the last time), runs\n"
     "their tests, and shows each exercise with its estimated time and its\n"
     "status (not started, k of n tests passing, done, does not build), the\n"
     "overall progress and the next step. Results are kept in .kata/ and\n"
     "reused until an exercise's program changes, so it stays fast.\n"},
    {"list", kata_cmd_board, "./kata list", "The same as ./kata board.\n"},
    {"run", kata_cmd_run, "./kata run [N]",
     "Builds exercise N and runs its tests. A build error shows the\n"
     "compiler's messages (file:line) and nothing else; otherwise each test\n"
     "passes or fails with what it expected, what came instead, and a HINT.\n"
     "A crash names the test it happened in and the commands to debug it.\n"
     "Without N: the first exercise that is not done.\n"
     "Exit status: 0 only when every test passes.\n"},
    {"watch", kata_cmd_watch, "./kata watch [N]",
     "Builds and runs exercise N, then again on every save of its files,\n"
     "showing the first failing test and its hint, the progress and the\n"
     "files to edit. It never moves on by itself. Keys:\n"
     "  n  the next exercise        p  the previous one\n"
     "  h  one more hint            l  the list of exercises (l again: back)\n"
     "  r  run the tests again      q  quit (so does Ctrl-C)\n"
     "Without N: the first exercise that is not done.\n"},
    {"hint", kata_cmd_hint, "./kata hint [N]",
     "Reveals the next hint of exercise N, from a nudge to nearly the\n"
     "answer, and shows every hint revealed so far. The hints seen are\n"
     "remembered in .kata/hints.json (watch mode shows them too).\n"
     "Without N: the first exercise that is not done.\n"},
    {"reset", kata_cmd_reset, "./kata reset N [--yes | --undo]",
     "Puts the files you edit in exercise N back to the stub, after asking\n"
     "(--yes does not ask). The stub comes from git when HEAD holds it\n"
     "unchanged, otherwise from the copy kept in .kata/pristine/ the first\n"
     "time the runner saw it. Nothing changes if neither has it.\n"
     "Your version is kept first in .kata/backup/NN-topic/ (the last\n"
     "reset's); --undo puts it back.\n"},
    {"solution", kata_cmd_solution, "./kata solution N [--yes]",
     "Shows the reference answer of exercise N as a diff against your\n"
     "files (lines with - are yours, + the answer's). Before the exercise\n"
     "passes it asks first (--yes does not ask).\n"},
    {"demo", kata_cmd_demo, "./kata demo N",
     "For the trainer: builds exercise N against its reference answer in a\n"
     "folder of its own (build/demo, configured like the dev preset), and\n"
     "runs it with EXERCISE_VERBOSE=1, so that the room sees commands,\n"
     "events and projections go by. Your files and build/dev are not\n"
     "touched.\n"},
    {"report", kata_cmd_report, "./kata report [--json]",
     "Every exercise's and every test's status: a table, or with --json a\n"
     "document for a trainer collecting the room's progress (its shape is\n"
     "described in docs/runner.md; KATA_LEARNER names the learner).\n"},
    {"help", cmd_help, "./kata help [COMMAND]",
     "Lists the commands, or explains one.\n"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* The commands of ./kata itself, so that the runner's help and its
 * "unknown command" list everything a learner can type. */
static const char *const bootstrap_commands[] = {"setup", "deps", "selftest"};

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void general_help(FILE *f)
{
    fputs(
        "Usage: ./kata [COMMAND] [ARGS]\n"
        "\n"
        "The esk workshop kit: CQRS and Event Sourcing, one exercise at a "
        "time.\n"
        "\n"
        "Working through the exercises:\n"
        "  (none), board     every exercise with its status, the progress, "
        "the next step\n"
        "  run [N]           build exercise N and run its tests, with a hint "
        "per failure\n"
        "  watch [N]         the same again on every save; keys: n next, p "
        "previous,\n"
        "                    h hint, l list, r rerun, q quit\n"
        "  hint [N]          reveal the next hint of exercise N\n"
        "  reset N           put exercise N's files back to the stub (asks "
        "first)\n"
        "  solution N        the reference answer, as a diff against your "
        "files\n"
        "  report [--json]   every exercise's and test's status (JSON for the "
        "trainer)\n"
        "\n"
        "For the trainer:\n"
        "  demo N            exercise N against its reference answer, "
        "narrated\n"
        "\n"
        "Setting up:\n"
        "  setup             check the tools, install what is missing, build\n"
        "  deps [TOOL]       only check the tools and libraries\n"
        "  selftest          build and run the whole test suite (ctest), and "
        "check\n"
        "                    that every catalogued attendee bug is caught\n"
        "  help [COMMAND]    this help, or one command's\n"
        "\n"
        "N is an exercise's number (3 or 03) or folder (03-aggregate); "
        "without it, run,\n"
        "watch and hint take the first exercise that is not done.\n"
        "\n"
        "Options:\n"
        "  -y, --yes         do not ask (reset, solution)\n"
        "  --no-color        plain text (so do NO_COLOR=1 and a pipe)\n"
        "  --root DIR        the kit's folder (default: $KATA_ROOT, else the "
        "current one)\n"
        "  --build DIR       its configured build folder (default: "
        "$KATA_BUILD, else\n"
        "                    build/dev)\n"
        "\n"
        "Exit status: 0 done (for run: every test passes); 1 not done, and "
        "the message\n"
        "says what to do next; 2 the command line was wrong.\n"
        "More in docs/runner.md.\n",
        f);
}

void kata_print_command_help(const char *name)
{
    const command *c = find_command(name);
    if (c == NULL) {
        general_help(stdout);
        return;
    }
    printf("Usage: %s\n\n%s", c->usage, c->help);
}

static void list_commands(FILE *f)
{
    fputs("The commands:", f);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, " %s", commands[i].name);
    for (size_t i = 0; i < sizeof(bootstrap_commands) / sizeof(char *); i++)
        fprintf(f, " %s", bootstrap_commands[i]);
    fputs(".\n       ./kata help explains them.\n", f);
}

static int cmd_help(kata *k, int argc, char **argv)
{
    (void)k;
    if (argc > 2) {
        kata_error("help takes one command at most.");
        kata_advice("For example: ./kata help watch");
        return KATA_EXIT_USAGE;
    }
    if (argc == 2 && strcmp(argv[1], "--help") != 0 &&
        strcmp(argv[1], "-h") != 0) {
        for (size_t i = 0; i < sizeof(bootstrap_commands) / sizeof(char *); i++)
            if (strcmp(argv[1], bootstrap_commands[i]) == 0) {
                printf("%s is a command of ./kata itself: ./kata help %s "
                       "describes it.\n",
                       argv[1], argv[1]);
                return KATA_EXIT_OK;
            }
        if (find_command(argv[1]) == NULL) {
            kata_error("there is no command \"%s\".", argv[1]);
            fputs("       ", stderr);
            list_commands(stderr);
            return KATA_EXIT_USAGE;
        }
        kata_print_command_help(argv[1]);
        return KATA_EXIT_OK;
    }
    general_help(stdout);
    return KATA_EXIT_OK;
}

bool kata_parse_args(kata *k, int argc, char **argv, const char **positional,
                     bool yes_ok, bool *json, int *exit_code)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            kata_print_command_help(argv[0]);
            *exit_code = KATA_EXIT_OK;
            return false;
        }
        if (yes_ok && (strcmp(a, "-y") == 0 || strcmp(a, "--yes") == 0)) {
            k->yes = true;
            continue;
        }
        if (json != NULL && strcmp(a, "--json") == 0) {
            *json = true;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            kata_error("%s does not know the option \"%s\".", argv[0], a);
            kata_advice("./kata help %s lists what it takes.", argv[0]);
            *exit_code = KATA_EXIT_USAGE;
            return false;
        }
        if (positional == NULL || *positional != NULL) {
            kata_error("%s takes %s, not \"%s\".", argv[0],
                       positional == NULL ? "no argument"
                                          : "one exercise at a time",
                       a);
            kata_advice("./kata help %s says how to call it.", argv[0]);
            *exit_code = KATA_EXIT_USAGE;
            return false;
        }
        *positional = a;
    }
    return true;
}

void kata_list_exercises(const kata *k)
{
    const kata_catalogue *c = &k->catalogue;
    if (c->count == 0) {
        kata_advice("This kit has no exercises yet.");
        return;
    }
    kata_advice("The exercises:");
    for (size_t i = 0; i < c->count; i++)
        kata_advice("  %2d  %-18s %s", c->items[i].number, c->items[i].slug,
                    c->items[i].title);
}

kata_exercise *kata_exercise_arg(kata *k, const char *cmd, const char *arg)
{
    kata_exercise *e = kata_catalogue_find(&k->catalogue, arg);
    if (e != NULL)
        return e;
    kata_error("there is no exercise \"%s\".", arg);
    if (k->catalogue.count > 0)
        kata_advice("Give its number or its folder, e.g. ./kata %s %d.", cmd,
                    k->catalogue.items[0].number);
    kata_list_exercises(k);
    return NULL;
}

bool kata_answers_ready(const kata *k, const kata_exercise *e)
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
        return true;
    if (kit_has_them)
        kata_error("the reference answer of exercise %d is not in this copy "
                   "of the kit (solutions/%s/ is incomplete).",
                   e->number, e->slug);
    else
        kata_error("the reference answers are not in this copy of the kit "
                   "(it has no solutions/ folder).");
    kata_advice("`./kata hint %d` reveals the hints, up to nearly the answer. "
                "The trainer has the answers; if you deleted solutions/ from "
                "a git clone, `git checkout -- solutions` brings it back.",
                e->number);
    return false;
}

bool kata_build_ready(const kata *k)
{
    char *cache = kata_path(k->build, "CMakeCache.txt");
    bool ready = kata_exists(cache);
    free(cache);
    if (!ready) {
        kata_error("%s is not a configured build folder yet.", k->shown_build);
        kata_advice("Run ./kata setup, which configures and builds it (or "
                    "give another one with --build DIR).");
    }
    return ready;
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

static void usage_error(const char *what)
{
    kata_error("%s", what);
    kata_advice("./kata help lists the commands and options.");
}

int main(int argc, char **argv)
{
    kata k;
    memset(&k, 0, sizeof(k));
    const char *root = getenv("KATA_ROOT");
    const char *build = getenv("KATA_BUILD");
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--root") == 0 || strcmp(a, "--build") == 0) &&
            i + 1 >= argc) {
            usage_error("--root and --build need a folder after them.");
            return KATA_EXIT_USAGE;
        }
        if (strcmp(a, "--root") == 0)
            root = argv[++i];
        else if (strcmp(a, "--build") == 0)
            build = argv[++i];
        else if (strcmp(a, "--no-color") == 0 || strcmp(a, "--no-colour") == 0)
            k.plain = true;
        else if (strcmp(a, "-y") == 0 || strcmp(a, "--yes") == 0)
            k.yes = true;
        else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            general_help(stdout);
            return KATA_EXIT_OK;
        } else {
            kata_error("unknown option \"%s\".", a);
            kata_advice("./kata help lists the commands and options.");
            return KATA_EXIT_USAGE;
        }
    }
    const char *name = i < argc ? argv[i] : "board";
    const command *c = find_command(name);
    if (c == NULL) {
        kata_error("unknown command \"%s\".", name);
        fputs("       ", stderr);
        list_commands(stderr);
        return KATA_EXIT_USAGE;
    }
    char *default_argv[] = {(char *)c->name, NULL};
    int cmd_argc = i < argc ? argc - i : 1;
    char **cmd_argv = i < argc ? argv + i : default_argv;
    if (c->fn == cmd_help)
        return cmd_help(&k, cmd_argc, cmd_argv);

    kata_proc_guard();
    kata_term_init(&k.out, 1, k.plain);
    k.root = absolute_dir(root && root[0] ? root : ".");
    k.build = build && build[0] ? absolute_dir(build)
                                : kata_path(k.root, "build/dev");
    k.shown_build = kata_relative(k.root, k.build);
    k.state = kata_path(k.root, ".kata");
    int rc = KATA_EXIT_FAIL;
    if (kata_catalogue_load(&k.catalogue, k.root) == 0) {
        kata_pristine_save(&k);
        rc = c->fn(&k, cmd_argc, cmd_argv);
    }
    fflush(stdout);
    kata_catalogue_free(&k.catalogue);
    free(k.root);
    free(k.build);
    free(k.shown_build);
    free(k.state);
    return rc;
}
