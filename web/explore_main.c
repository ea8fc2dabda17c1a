/*
 * web/explore_main.c - kata-explore: the explorer's page on a store, until
 * Ctrl-C.
 *
 *   kata-explore [--port N] [--schema NAME] [FILE | CONNINFO]
 *
 * FILE defaults to workshop.db, where the example application
 * (workshop-demo) keeps its store; a libpq connection string opens the
 * store in a PostgreSQL schema instead. ./kata explore starts it
 * (runner/).
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>

#include "explore.h"
#include "explore_server.h"

/* A port the trainer can write on the board; another is picked when it
 * is taken. */
#define DEFAULT_PORT 4280

static int usage(FILE *to, int status)
{
    fprintf(to,
            "usage: kata-explore [--port N] [--schema NAME] [FILE | CONNINFO]\n"
            "\n"
            "Shows an esk store in the browser, read-only: streams, events,\n"
            "the global feed, checkpoints and their lag, a workshop's state "
            "after\n"
            "each event. FILE defaults to workshop.db (the example "
            "application's).\n"
            "CONNINFO, a libpq connection string (postgres://... or "
            "host=... dbname=...),\n"
            "opens the store in a PostgreSQL schema instead: --schema NAME, "
            "esk by\n"
            "default (workshop-demo --pg CONNINFO writes there).\n"
            "The page is served on 127.0.0.1 only and refreshes by itself.\n");
    return status;
}

typedef struct args {
    const char *path;
    const char *schema; /* NULL: the store's default */
    long port;          /* -1: the default */
} args;

static int parse(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return usage(stdout, 0) + 1;
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            char *end = NULL;
            a->port = strtol(argv[++i], &end, 10);
            if (*end != '\0' || a->port < 0 || a->port > 65535) {
                fprintf(stderr, "kata-explore: --port takes 0 to 65535 (0: "
                                "any free port)\n");
                return 2;
            }
        } else if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc) {
            a->schema = argv[++i];
        } else if (argv[i][0] == '-' || a->path != NULL) {
            fprintf(stderr, "kata-explore: unexpected '%s'\n\n", argv[i]);
            return usage(stderr, 2);
        } else {
            a->path = argv[i];
        }
    }
    return 0;
}

static esk_status serve(esk_explore *x, long port, esk_explore_server **out)
{
    if (port >= 0)
        return esk_explore_server_start(out, x, (uint16_t)port);
    esk_status rc = esk_explore_server_start(out, x, DEFAULT_PORT);
    if (rc == ESK_EIO)
        rc = esk_explore_server_start(out, x, 0);
    return rc;
}

/* Until Ctrl-C, or a terminal that goes away. */
static void wait_for_the_end(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    int sig = 0;
    sigwait(&set, &sig);
}

int main(int argc, char **argv)
{
    args a = {NULL, NULL, -1};
    int rc = parse(argc, argv, &a);
    if (rc != 0)
        return rc == 1 ? 0 : rc;
    const char *path = a.path != NULL ? a.path : "workshop.db";

    /* Blocked before the server's thread starts, so that it inherits the
     * mask and the signals reach sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    esk_explore *x = NULL;
    esk_explore_server *server = NULL;
    if (esk_explore_open_in(&x, path, a.schema) != ESK_OK ||
        serve(x, a.port, &server) != ESK_OK) {
        fprintf(stderr, "kata-explore: %s\n", esk_errmsg());
        esk_explore_free(x);
        return 1;
    }
    printf("Exploring %s, read-only.\n"
           "Open http://127.0.0.1:%u/ (this machine only). Ctrl-C stops.\n",
           esk_explore_path(x), (unsigned)esk_explore_server_port(server));
    fflush(stdout);
    wait_for_the_end();
    esk_explore_server_stop(server);
    esk_explore_free(x);
    return 0;
}
