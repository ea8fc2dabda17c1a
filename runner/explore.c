/*
 * runner/explore.c - ./kata explore [FILE | CONNINFO] [--schema NAME]
 * [--port N]: builds kata-explore (web/explore_main.c) in the learner's
 * build folder and runs it on a store, until Ctrl-C.
 *
 * A relative FILE is read from the folder ./kata was called from
 * ($KATA_CALLER_DIR, which ./kata sets before it moves to the kit's
 * root), so that `./kata explore my.db` means the file beside the learner;
 * a PostgreSQL connection string goes to kata-explore as it was typed
 * (explore_target.c). Without either: the example application's
 * workshop.db, there or in the kit's root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build.h"
#include "explore_target.h"
#include "fs.h"
#include "kata.h"
#include "proc.h"
#include "text.h"

/* Where ./kata was called from: the runner's own folder otherwise. */
static char *caller_dir(void)
{
    const char *dir = getenv("KATA_CALLER_DIR");
    if (dir != NULL && dir[0] == '/')
        return kata_xstrdup(dir);
    char *cwd = kata_absolute(".");
    return cwd != NULL ? cwd : kata_xstrdup(".");
}

/* The file to explore, a new string; NULL after a message when there is
 * none to take by default. */
static char *store_path(const kata *k, const char *given)
{
    char *caller = caller_dir();
    char *path = NULL;
    if (given != NULL) {
        path = kata_explore_target(caller, given);
    } else {
        path = kata_path(caller, "workshop.db");
        if (!kata_exists(path)) {
            free(path);
            path = kata_path(k->root, "workshop.db");
        }
        if (!kata_exists(path)) {
            free(path);
            path = NULL;
            kata_fail(KATA_EFAIL,
                      "there is no store to explore here: no workshop.db "
                      "in %s or in the kit's root.\n"
                      "Run the example application first (%s/examples/"
                      "workshop/workshop-demo demo writes workshop.db), or "
                      "name a store: ./kata explore FILE",
                      caller, k->shown_build);
        }
    }
    free(caller);
    return path;
}

typedef struct explore_args {
    const char *file;
    const char *port;
    const char *schema;
} explore_args;

static kata_status parse(int argc, char **argv, explore_args *a)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            kata_print_command_help(argv[0]);
            return KATA_FINISHED;
        }
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            a->port = argv[++i];
        else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
            a->schema = argv[++i];
        else if (argv[i][0] != '-' && a->file == NULL)
            a->file = argv[i];
        else
            return kata_fail(KATA_EUSAGE,
                             "unexpected '%s'.\n"
                             "Usage: ./kata explore [FILE | CONNINFO] "
                             "[--schema NAME] [--port N]",
                             argv[i]);
    }
    return KATA_OK;
}

/* kata-explore, built now: only what changed since the last time. */
static kata_status build_explorer(const kata *k)
{
    const char *targets[] = {"kata-explore"};
    kata_status rc = kata_build_ready(k);
    if (rc != KATA_OK)
        return rc;
    printf("Building the explorer (kata-explore)...\n");
    fflush(stdout);
    kata_build_result b;
    rc = kata_build(k, k->build, targets, 1, &b);
    if (rc == KATA_OK && !b.ok) {
        fputs(b.diagnostics[0] != '\0' ? b.diagnostics : b.output, stderr);
        rc = kata_fail(KATA_EFAIL,
                       "the explorer (kata-explore) does not build: the "
                       "messages above say why.\n"
                       "If libmicrohttpd is missing, run ./kata deps; "
                       "then ./kata explore again.");
    }
    kata_build_result_free(&b);
    return rc;
}

kata_status kata_cmd_explore(kata *k, int argc, char **argv)
{
    explore_args a = {NULL, NULL, NULL};
    kata_status rc = parse(argc, argv, &a);
    if (rc != KATA_OK)
        return rc;
    char *path = store_path(k, a.file);
    if (path == NULL)
        return KATA_EFAIL;
    rc = build_explorer(k);
    char *program = kata_format("%s/web/kata-explore", k->build);
    const char *argv_out[7] = {program};
    size_t n = 1;
    if (a.port != NULL) {
        argv_out[n++] = "--port";
        argv_out[n++] = a.port;
    }
    if (a.schema != NULL) {
        argv_out[n++] = "--schema";
        argv_out[n++] = a.schema;
    }
    argv_out[n++] = path;
    kata_cmd cmd = {0};
    cmd.argv = argv_out;
    kata_proc_result r = {0};
    if (rc == KATA_OK)
        rc = kata_run(&cmd, &r);
    /* kata-explore said what went wrong itself. */
    if (rc == KATA_OK && !kata_proc_ok(&r) && r.signal == 0)
        rc = kata_not_done();
    kata_proc_result_free(&r);
    free(program);
    free(path);
    return rc;
}
