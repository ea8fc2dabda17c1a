/*
 * runner/room_cmd.c - the room's commands: `room` for the trainer (starts
 * kata-room), `join` and `leave` for the attendee, and the background
 * sending after board, run and watch (docs/runner.md, "The room").
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "build.h"
#include "client.h"
#include "evaluate.h"
#include "fs.h"
#include "kata.h"
#include "room_send.h"
#include "text.h"

/* The detached process: its own session (a closed terminal does not end
 * it), no terminal, and nobody waits for it. */
static void become_detached(void)
{
    setsid();
    if (fork() != 0)
        _exit(0);
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
    }
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_IGN);
}

void kata_room_notify(kata *k, bool quiet)
{
    kata_room room;
    if (kata_room_config(k, &room) != KATA_OK)
        return;
    kata_room_free(&room);
    char *status = quiet ? NULL : kata_room_status(k);
    fflush(stdout); /* the line comes after the command's own output */
    if (status != NULL)
        fprintf(stderr, "room: %s\n", status);
    free(status);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return; /* no process for it now: the queue goes next time */
    if (pid > 0) {
        waitpid(pid, NULL, 0); /* the middle one, which exits at once */
        return;
    }
    become_detached();
    char *report = NULL;
    /* Without building: the results of what the learner just ran are in
     * .kata/, and the rest is reused or run as it is. */
    if (kata_report_text(k, 0, JSON_COMPACT, &report) == KATA_OK)
        kata_room_send(k, report);
    free(report);
    _exit(0);
}

static bool valid_code(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'A' && code[i] <= 'Z') ||
              (code[i] >= 'a' && code[i] <= 'z') ||
              (code[i] >= '0' && code[i] <= '9')))
            return false;
    return true;
}

/* Whether the room answers now; why not in why. */
static bool room_answers(const char *url, char *why, size_t size)
{
    esk_web_client_url u;
    char error[ESK_WEB_CLIENT_ERROR_MAX] = "";
    esk_web_client_reply reply;
    if (esk_web_client_parse_url(url, &u, error) == 0) {
        char target[600];
        snprintf(target, sizeof(target), "%s/api/room", u.path);
        if (esk_web_client_request(u.host, u.port, "GET", target, NULL, NULL, 0,
                                   2000, &reply, error) == 0) {
            bool ok = reply.status == 200;
            if (!ok)
                snprintf(error, sizeof(error), "it answered HTTP %d",
                         reply.status);
            esk_web_client_reply_free(&reply);
            if (ok)
                return true;
        }
    }
    snprintf(why, size, "%s", error);
    return false;
}

static kata_status join_args(int argc, char **argv, const char **url,
                             const char **code)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            kata_print_command_help("join");
            return KATA_FINISHED;
        }
    if (argc != 3)
        return kata_fail(KATA_EUSAGE,
                         "join needs the room's address and its code, as the "
                         "trainer shows them:\n  ./kata join "
                         "http://192.168.1.20:8080 K7Q2XP");
    esk_web_client_url u;
    char error[ESK_WEB_CLIENT_ERROR_MAX];
    if (esk_web_client_parse_url(argv[1], &u, error) != 0)
        return kata_fail(KATA_EUSAGE, "%s.", error);
    if (!valid_code(argv[2]))
        return kata_fail(KATA_EUSAGE,
                         "\"%s\" is not a join code: letters and digits, as "
                         "the trainer shows it.",
                         argv[2]);
    *url = argv[1];
    *code = argv[2];
    return KATA_OK;
}

kata_status kata_cmd_join(kata *k, int argc, char **argv)
{
    const char *url = NULL, *code = NULL;
    kata_status rc = join_args(argc, argv, &url, &code);
    if (rc != KATA_OK)
        return rc;
    char *name = kata_learner_name(k);
    if (name == NULL)
        return kata_fail(KATA_EFAIL, "the room needs your name: run "
                                     "KATA_LEARNER=yourname ./kata join ...");
    json_t *doc = json_pack("{s:s,s:s}", "url", url, "code", code);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    char *path = kata_path(k->state, "room.json");
    kata_mkdirs(k->state);
    rc = kata_write_file(path, text, strlen(text));
    free(path);
    free(text);
    if (rc == KATA_OK) {
        char why[300] = "";
        printf("Joined the room at %s as %s: your board, runs and watch "
               "results go there\nin the background. ./kata leave stops "
               "it.\n",
               url, name);
        if (!room_answers(url, why, sizeof(why)))
            printf("The room does not answer yet (%s): reports wait in "
                   ".kata/ until it does.\n",
                   why);
        kata_room_notify(k, true);
    }
    free(name);
    return rc;
}

kata_status kata_cmd_leave(kata *k, int argc, char **argv)
{
    kata_status rc = kata_parse_args(k, argc, argv, NULL, false, NULL);
    if (rc != KATA_OK)
        return rc;
    const char *files[] = {"room.json", "room-queue.jsonl", "room-status"};
    bool was_in = false;
    for (size_t i = 0; i < 3; i++) {
        char *path = kata_path(k->state, files[i]);
        was_in |= i == 0 && kata_exists(path);
        unlink(path);
        free(path);
    }
    puts(was_in ? "Left the room: nothing more is sent to it."
                : "You were in no room: nothing to stop.");
    if (getenv("KATA_ROOM_URL") != NULL && getenv("KATA_ROOM_CODE") != NULL)
        puts("KATA_ROOM_URL and KATA_ROOM_CODE are still set: unset them "
             "to stop sending.");
    return KATA_OK;
}

/* The options of `room`, passed on to kata-room. */
static kata_status room_args(const kata *k, int argc, char **argv, kata_buf *db,
                             const char **port, const char **stuck, bool *lan,
                             bool *rebuild)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            kata_print_command_help("room");
            return KATA_FINISHED;
        } else if (strcmp(a, "--lan") == 0) {
            *lan = true;
        } else if (strcmp(a, "--rebuild") == 0) {
            *rebuild = true;
        } else if (v != NULL &&
                   (strcmp(a, "--port") == 0 || strcmp(a, "--stuck") == 0 ||
                    strcmp(a, "--db") == 0)) {
            i++;
            if (a[2] == 'p')
                *port = v;
            else if (a[2] == 's')
                *stuck = v;
            else
                kata_buf_puts(db, v);
        } else {
            return kata_fail(KATA_EUSAGE,
                             "room does not take \"%s\".\n./kata help room "
                             "lists its options.",
                             a);
        }
    }
    if (kata_buf_str(db)[0] == '\0') {
        char *path = kata_path(k->state, "room.db");
        kata_buf_puts(db, path);
        free(path);
    }
    return KATA_OK;
}

kata_status kata_cmd_room(kata *k, int argc, char **argv)
{
    kata_buf db = {0};
    const char *port = "8080", *stuck = "10";
    bool lan = false, rebuild = false;
    kata_status rc =
        room_args(k, argc, argv, &db, &port, &stuck, &lan, &rebuild);
    if (rc == KATA_OK)
        rc = kata_build_ready(k);
    const char *target = "kata-room";
    kata_build_result built = {0};
    if (rc == KATA_OK)
        rc = kata_build(k, k->build, &target, 1, &built);
    if (rc == KATA_OK && !built.ok)
        rc = kata_fail(KATA_EFAIL, "the room does not build:\n%s",
                       built.diagnostics);
    kata_build_result_free(&built);
    if (rc != KATA_OK) {
        kata_buf_free(&db);
        return rc;
    }
    kata_mkdirs(k->state);
    char *program = kata_path(k->build, "web/kata-room");
    const char *args[] = {program,
                          "--db",
                          kata_buf_str(&db),
                          "--port",
                          port,
                          "--stuck",
                          stuck,
                          "--address",
                          lan ? "0.0.0.0" : "127.0.0.1",
                          rebuild ? "--rebuild" : NULL,
                          NULL};
    fflush(stdout);
    execv(program, (char *const *)args);
    rc = kata_fail(KATA_EFAIL, "could not start %s.", program);
    free(program);
    kata_buf_free(&db);
    return rc;
}

kata_status kata_cmd_room_send(kata *k, int argc, char **argv)
{
    kata_status rc = kata_parse_args(k, argc, argv, NULL, false, NULL);
    char *report = NULL;
    if (rc == KATA_OK)
        rc = kata_report_text(k, 0, JSON_COMPACT, &report);
    if (rc == KATA_OK)
        kata_room_send(k, report);
    free(report);
    char *status = kata_room_status(k);
    if (status != NULL)
        fprintf(stderr, "room: %s\n", status);
    free(status);
    return rc;
}
