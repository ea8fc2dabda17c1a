/*
 * web/room_main.c - kata-room, the trainer's room server behind
 * `./kata room` (docs/trainer-guide.md).
 *
 *   kata-room [--db PATH] [--port N] [--address IP] [--code CODE]
 *             [--stuck MINUTES] [--rebuild]
 *
 * It serves until SIGINT or SIGTERM. The join code is kept next to the
 * database (PATH.code), so that a restarted room takes the same code and
 * the attendees' runners need not join again.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <esk/error.h>

#include "room.h"

typedef struct args {
    const char *db;
    const char *address;
    const char *code;
    long port;
    long stuck;
    bool rebuild;
} args;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int usage(const char *why)
{
    fprintf(stderr,
            "kata-room: %s\nUsage: kata-room [--db PATH] [--port N] "
            "[--address IP] [--code CODE] [--stuck MINUTES] [--rebuild]\n",
            why);
    return 2;
}

static bool number(const char *text, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long n = text != NULL ? strtol(text, &end, 10) : 0;
    if (text == NULL || end == text || *end != '\0' || errno != 0 || n < min ||
        n > max)
        return false;
    *out = n;
    return true;
}

static int parse(int argc, char **argv, args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--rebuild") == 0) {
            a->rebuild = true;
            continue;
        }
        if (v == NULL)
            return usage("an option needs a value");
        i++;
        if (strcmp(o, "--db") == 0)
            a->db = v;
        else if (strcmp(o, "--address") == 0)
            a->address = v;
        else if (strcmp(o, "--code") == 0)
            a->code = v;
        else if (strcmp(o, "--port") == 0) {
            if (!number(v, 0, 65535, &a->port))
                return usage("--port takes a number from 0 to 65535");
        } else if (strcmp(o, "--stuck") == 0) {
            if (!number(v, 1, 600, &a->stuck))
                return usage("--stuck takes minutes, from 1 to 600");
        } else
            return usage("unknown option");
    }
    return 0;
}

/* A new code of six letters and digits that cannot be mistaken for one
 * another on a projector (no 0/O, 1/I). */
static bool new_code(char *code)
{
    const char *alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char bytes[6];
    int fd = open("/dev/urandom", O_RDONLY);
    bool ok = fd >= 0 && read(fd, bytes, sizeof(bytes)) == sizeof(bytes);
    if (fd >= 0)
        close(fd);
    for (size_t i = 0; ok && i < 6; i++)
        code[i] = alphabet[bytes[i] % 32];
    code[6] = '\0';
    return ok;
}

/* The code given, else the one kept in PATH.code, else a new one kept
 * there. */
static bool join_code(const args *a, char *code, size_t size)
{
    if (a->code != NULL) {
        snprintf(code, size, "%s", a->code);
        return code[0] != '\0';
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s.code", a->db);
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        bool ok = fgets(code, (int)size, f) != NULL;
        fclose(f);
        code[strcspn(code, "\r\n")] = '\0';
        if (ok && code[0] != '\0')
            return true;
    }
    if (!new_code(code))
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    bool ok = fd >= 0 && write(fd, code, strlen(code)) == (ssize_t)strlen(code);
    if (fd >= 0)
        close(fd);
    return ok;
}

static esk_status serve(room *r, const args *a)
{
    esk_web_options o;
    room_web_options(r, a->address, (uint16_t)a->port, &o);
    esk_web *web = NULL;
    esk_status rc = esk_web_start(&web, &o);
    if (rc != ESK_OK)
        return rc;
    const char *shown = a->address != NULL ? a->address : "127.0.0.1";
    printf("The room is open: http://%s:%u/\nJoin code: %s\n", shown,
           (unsigned)esk_web_port(web), r->code);
    printf("Attendees run: ./kata join http://%s:%u %s\n",
           strcmp(shown, "0.0.0.0") == 0 ? "<this machine's address>" : shown,
           (unsigned)esk_web_port(web), r->code);
    if (strcmp(shown, "127.0.0.1") == 0)
        printf("Only this machine can reach it: ./kata room --lan opens it "
               "to the attendees' machines.\n");
    printf("Events are kept in %s. Stop the room with Ctrl-C.\n", a->db);
    fflush(stdout);
    /* The signals are blocked since before the server's thread started,
     * so they come here, and only between two checks of the flag. */
    sigset_t waiting;
    sigprocmask(SIG_SETMASK, NULL, &waiting);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    while (!stop_requested)
        sigsuspend(&waiting);
    esk_web_stop(web);
    return ESK_OK;
}

int main(int argc, char **argv)
{
    args a = {"room.db", NULL, NULL, 0, 10, false};
    int bad = parse(argc, argv, &a);
    if (bad != 0)
        return bad;
    char code[64];
    if (!join_code(&a, code, sizeof(code))) {
        fprintf(stderr, "kata-room: cannot keep the join code next to %s\n",
                a.db);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);
    room_options ro = {a.db, code, (int)a.stuck, 1.0, 10, NULL, NULL};
    room *r = NULL;
    esk_status rc = room_open(&r, &ro);
    if (rc == ESK_OK && a.rebuild) {
        esk_catchup_status st;
        rc = esk_catchup_rebuild(r->catchup, &st);
        if (rc == ESK_OK)
            printf("Rebuilt the page from %lld events.\n",
                   (long long)st.applied);
    }
    if (rc == ESK_OK)
        rc = serve(r, &a);
    if (rc != ESK_OK)
        fprintf(stderr, "kata-room: %s\n", esk_errmsg());
    room_close(r);
    return rc == ESK_OK ? 0 : 1;
}
