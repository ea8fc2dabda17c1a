/*
 * runner/help.c - what ./kata help says: every command's usage and help,
 * and the list of commands for a mistyped one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kata.h"
#include "text.h"

typedef struct command_help {
    const char *name;
    const char *usage;
    const char *help;
} command_help;

static const command_help commands[] = {
    {"board", "./kata [board]",
     "Builds every exercise (only what changed since the last time), runs\n"
     "their tests, and shows each exercise with its estimated time and its\n"
     "status (not started, k of n tests passing, done, does not build), the\n"
     "overall progress and the next step. Results are kept in .kata/ and\n"
     "reused until an exercise's program changes, so it stays fast.\n"},
    {"list", "./kata list", "The same as ./kata board.\n"},
    {"run", "./kata run [N]",
     "Builds exercise N and runs its tests. A build error shows the\n"
     "compiler's messages (file:line) and nothing else; otherwise each test\n"
     "passes or fails with what it expected, what came instead, and a HINT.\n"
     "A crash names the test it happened in and the commands to debug it.\n"
     "Without N: the first exercise that is not done.\n"
     "Exit status: 0 only when every test passes.\n"},
    {"watch", "./kata watch [N]",
     "Builds and runs exercise N, then again on every save of its files,\n"
     "showing the first failing test and its hint, the progress and the\n"
     "files to edit. It never moves on by itself. Keys:\n"
     "  n  the next exercise        p  the previous one\n"
     "  h  one more hint            l  the list of exercises (l again: back)\n"
     "  r  run the tests again      q  quit (so does Ctrl-C)\n"
     "Without N: the first exercise that is not done.\n"},
    {"hint", "./kata hint [N]",
     "Reveals the next hint of exercise N, from a nudge to nearly the\n"
     "answer, and shows every hint revealed so far. The hints seen are\n"
     "remembered in .kata/hints.json (watch mode shows them too).\n"
     "Without N: the first exercise that is not done.\n"},
    {"reset", "./kata reset N [--yes | --undo]",
     "Puts the files you edit in exercise N back to the stub, after asking\n"
     "(--yes does not ask). The stub comes from git when HEAD holds it\n"
     "unchanged, otherwise from the copy kept in .kata/pristine/ the first\n"
     "time the runner saw it. Nothing changes if neither has it.\n"
     "Your version is kept first in .kata/backup/NN-topic/ (the last\n"
     "reset's); --undo puts it back.\n"},
    {"solution", "./kata solution N [--yes]",
     "Shows the reference answer of exercise N as a diff against your\n"
     "files (lines with - are yours, + the answer's). Before the exercise\n"
     "passes it asks first (--yes does not ask).\n"},
    {"demo", "./kata demo N",
     "For the trainer: builds exercise N against its reference answer in a\n"
     "folder of its own (build/demo, configured like the dev preset), and\n"
     "runs it with EXERCISE_VERBOSE=1, so that the room sees commands,\n"
     "events and projections go by. Your files and build/dev are not\n"
     "touched.\n"},
    {"report", "./kata report [--json]",
     "Every exercise's and every test's status: a table, or with --json a\n"
     "document for a trainer collecting the room's progress (its shape is\n"
     "described in docs/runner.md; KATA_LEARNER names the learner).\n"},
    {"room",
     "./kata room [--port N] [--lan] [--stuck MINUTES] [--db FILE] "
     "[--rebuild]",
     "For the trainer: starts the room, a page of every attendee's progress\n"
     "(a grid of attendees and exercises, who is stuck, the tests most of\n"
     "the room fails), and prints its address and join code. It listens on\n"
     "this machine only (127.0.0.1) unless --lan; port 8080 unless --port.\n"
     "--stuck: minutes without progress before an attendee is marked stuck\n"
     "(10). Its events are kept in .kata/room.db unless --db; --rebuild\n"
     "rebuilds the page from them. Ctrl-C stops it; started again, it has\n"
     "lost nothing. More in docs/trainer-guide.md.\n"},
    {"join", "./kata join URL CODE",
     "Joins the trainer's room: from now on, each board, run, hint and\n"
     "watch result is sent to it in the background, without slowing you\n"
     "down. When the room does not answer, reports wait in .kata/ and go\n"
     "later; the next command says so in one line. KATA_ROOM_URL and\n"
     "KATA_ROOM_CODE do the same without joining. ./kata leave stops it.\n"},
    {"leave", "./kata leave",
     "Leaves the room: nothing more is sent, and the reports waiting in\n"
     ".kata/ are dropped.\n"},
    {"explore", "./kata explore [FILE | CONNINFO] [--schema NAME] [--port N]",
     "Opens a page in the browser on an esk store, read-only: the\n"
     "streams by category, each stream's events (data, metadata, links to\n"
     "the cause and the correlated events), the global feed by position,\n"
     "every projection's and process manager's checkpoint and lag, and a\n"
     "workshop's state after each of its events (time travel). It\n"
     "refreshes by itself: run the example application in another\n"
     "terminal and watch the events arrive. The page is served on\n"
     "127.0.0.1 only (port 4280, or a free one; --port chooses), until\n"
     "Ctrl-C. FILE defaults to workshop.db (the example application's\n"
     "store), in the current folder or the kit's root. A PostgreSQL\n"
     "connection string instead (postgres://... or \"host=... dbname=...\")\n"
     "shows the store in a schema of that database: --schema NAME, esk by\n"
     "default (where workshop-demo --pg CONNINFO writes).\n"},
    {"help", "./kata help [COMMAND]", "Lists the commands, or explains one.\n"},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* The commands of ./kata itself, so that the runner's help and its
 * "unknown command" list everything a learner can type. */
static const char *const bootstrap_commands[] = {"setup", "deps", "selftest"};

static const command_help *find_command(const char *name)
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
        "  join URL CODE     send your progress to the trainer's room; leave "
        "stops it\n"
        "\n"
        "For the trainer:\n"
        "  demo N            exercise N against its reference answer, "
        "narrated\n"
        "  room              the room: a live page of every attendee's "
        "progress\n"
        "  explore [FILE]    a live, read-only page on a store's events "
        "(attendees too)\n"
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
    const command_help *c = name != NULL ? find_command(name) : NULL;
    if (c == NULL) {
        general_help(stdout);
        return;
    }
    printf("Usage: %s\n\n%s", c->usage, c->help);
}

char *kata_command_list(void)
{
    kata_buf b = {0};
    kata_buf_puts(&b, "The commands:");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        kata_buf_printf(&b, " %s", commands[i].name);
    for (size_t i = 0; i < sizeof(bootstrap_commands) / sizeof(char *); i++)
        kata_buf_printf(&b, " %s", bootstrap_commands[i]);
    kata_buf_puts(&b, ".\n./kata help explains them.");
    return kata_buf_take(&b);
}

kata_status kata_cmd_help(kata *k, int argc, char **argv)
{
    (void)k;
    if (argc > 2)
        return kata_fail(KATA_EUSAGE, "help takes one command at most.\n"
                                      "For example: ./kata help watch");
    if (argc == 2 && strcmp(argv[1], "--help") != 0 &&
        strcmp(argv[1], "-h") != 0) {
        for (size_t i = 0; i < sizeof(bootstrap_commands) / sizeof(char *); i++)
            if (strcmp(argv[1], bootstrap_commands[i]) == 0) {
                printf("%s is a command of ./kata itself: ./kata help %s "
                       "describes it.\n",
                       argv[1], argv[1]);
                return KATA_OK;
            }
        if (find_command(argv[1]) == NULL) {
            char *list = kata_command_list();
            kata_fail(KATA_EUSAGE, "there is no command \"%s\".\n%s", argv[1],
                      list);
            free(list);
            return KATA_EUSAGE;
        }
        kata_print_command_help(argv[1]);
        return KATA_OK;
    }
    general_help(stdout);
    return KATA_OK;
}
