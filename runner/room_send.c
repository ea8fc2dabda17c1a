/*
 * runner/room_send.c - the attendee's side of the room: the room's
 * address kept by ./kata join, a queue of reports in .kata/, and the
 * process that posts it (docs/runner.md, "The room").
 *
 * Every report is queued first (.kata/room-queue.jsonl, one a line) and
 * the queue is posted oldest first; a report leaves the queue once the
 * room took it, or refused it for good (a wrong code, a report it cannot
 * read: sending it again would not help). When the room does not answer,
 * the queue waits for the next command. Two runners at once (watch in
 * one terminal, the board in another) queue under a lock
 * (.kata/room-queue.lock), and only one of them posts at a time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "client.h"
#include "evaluate.h"
#include "fs.h"
#include "kata.h"
#include "room_send.h"
#include "text.h"

/* The room forgets nothing, but an attendee away from it all day should
 * not post a day of reports at once: the oldest go first. */
#define QUEUE_MAX 500
#define POST_TIMEOUT_MS 3000

kata_status kata_room_config(const kata *k, kata_room *out)
{
    memset(out, 0, sizeof(*out));
    const char *url = getenv("KATA_ROOM_URL");
    const char *code = getenv("KATA_ROOM_CODE");
    if (url != NULL && url[0] != '\0' && code != NULL && code[0] != '\0') {
        out->url = kata_xstrdup(url);
        out->code = kata_xstrdup(code);
        return KATA_OK;
    }
    char *path = kata_path(k->state, "room.json");
    json_t *doc = json_load_file(path, 0, NULL);
    free(path);
    const char *u = json_string_value(json_object_get(doc, "url"));
    const char *c = json_string_value(json_object_get(doc, "code"));
    if (u != NULL && c != NULL) {
        out->url = kata_xstrdup(u);
        out->code = kata_xstrdup(c);
    }
    json_decref(doc);
    return out->url != NULL ? KATA_OK : KATA_EFAIL;
}

void kata_room_free(kata_room *room)
{
    free(room->url);
    free(room->code);
    memset(room, 0, sizeof(*room));
}

/* An flock(2) on .kata/NAME; -1 when not taken (busy, with wait false). */
static int take_lock(const kata *k, const char *name, bool wait)
{
    char *path = kata_path(k->state, name);
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    free(path);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void drop_lock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing releases the flock */
}

/* The queue's lines, at most QUEUE_MAX (the newest); a new array of new
 * strings. */
static size_t read_queue(const kata *k, char ***lines)
{
    char *path = kata_path(k->state, "room-queue.jsonl");
    char *text = NULL;
    *lines = NULL;
    size_t n = 0;
    if (kata_read_file(path, &text, NULL) == KATA_OK) {
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
            *lines = kata_xrealloc(*lines, (n + 1) * sizeof(char *));
            (*lines)[n++] = kata_xstrdup(line);
        }
    }
    free(text);
    free(path);
    while (n > QUEUE_MAX) {
        free((*lines)[0]);
        memmove(*lines, *lines + 1, --n * sizeof(char *));
    }
    return n;
}

static void write_queue(const kata *k, char **lines, size_t n)
{
    kata_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        kata_buf_puts(&b, lines[i]);
        kata_buf_putc(&b, '\n');
    }
    char *path = kata_path(k->state, "room-queue.jsonl");
    const char *text = kata_buf_str(&b);
    kata_write_file(path, text, strlen(text));
    free(path);
    kata_buf_free(&b);
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Runs with the queue's lock held. */
static void queue_add(const kata *k, const char *report)
{
    char **lines = NULL;
    size_t n = read_queue(k, &lines);
    lines = kata_xrealloc(lines, (n + 1) * sizeof(char *));
    lines[n++] = kata_xstrdup(report);
    write_queue(k, lines, n);
    free_lines(lines, n);
}

/* The queue without its first line; with the queue's lock held. */
static void queue_drop_first(const kata *k)
{
    char **lines = NULL;
    size_t n = read_queue(k, &lines);
    if (n > 0)
        write_queue(k, lines + 1, n - 1);
    free_lines(lines, n);
}

/* What the attendee reads on their next command ("" when all went). */
static void set_status(const kata *k, const char *message)
{
    char *path = kata_path(k->state, "room-status");
    if (message[0] == '\0')
        unlink(path);
    else
        kata_write_file(path, message, strlen(message));
    free(path);
}

typedef enum post_outcome { POST_TAKEN, POST_REFUSED, POST_AWAY } post_outcome;

static post_outcome post(const kata_room *room, const char *report, char *why,
                         size_t size)
{
    esk_web_client_url url;
    char error[ESK_WEB_CLIENT_ERROR_MAX] = "";
    if (esk_web_client_parse_url(room->url, &url, error) != 0) {
        snprintf(why, size, "%s", error);
        return POST_REFUSED;
    }
    char target[600], headers[200];
    snprintf(target, sizeof(target), "%s/api/report", url.path);
    snprintf(headers, sizeof(headers),
             "X-Room-Code: %.64s\r\nContent-Type: application/json\r\n",
             room->code);
    esk_web_client_reply reply;
    int rc = esk_web_client_request(url.host, url.port, "POST", target, headers,
                                    report, strlen(report), POST_TIMEOUT_MS,
                                    &reply, error);
    post_outcome out = POST_TAKEN;
    if (rc != 0) {
        snprintf(why, size, "%s", error);
        out = POST_AWAY;
    } else if (reply.status == 429 || reply.status >= 500) {
        snprintf(why, size, "the room is busy (HTTP %d)", reply.status);
        out = POST_AWAY;
    } else if (reply.status >= 400) {
        json_t *body = json_loads(reply.body, 0, NULL);
        const char *text = json_string_value(json_object_get(body, "error"));
        snprintf(why, size, "the room refused a report: %s",
                 text != NULL ? text : "(no reason given)");
        json_decref(body);
        out = POST_REFUSED;
    }
    esk_web_client_reply_free(&reply);
    return out;
}

#define QUEUE_LOCK "room-queue.lock"
#define SEND_LOCK "room-send.lock"

/* Posts the first report of the queue; false when the room is away and
 * the queue must wait. why keeps the last refusal. */
static bool send_first(const kata *k, const kata_room *room, int sender,
                       char *why, size_t size)
{
    int q = take_lock(k, QUEUE_LOCK, true);
    char **lines = NULL;
    size_t n = read_queue(k, &lines);
    if (n == 0) {
        /* The sender's lock goes first: a report queued from now on
         * finds it free and is posted by its own runner. */
        set_status(k, why);
        drop_lock(sender);
        drop_lock(q);
        free(lines);
        return false;
    }
    char *first = kata_xstrdup(lines[0]);
    free_lines(lines, n);
    drop_lock(q);
    char reason[400] = "";
    post_outcome o = post(room, first, reason, sizeof(reason));
    free(first);
    if (o == POST_AWAY) {
        char *message = kata_format("the room at %s does not answer (%s): %zu "
                                    "report%s wait in .kata/",
                                    room->url, reason, n, n == 1 ? "" : "s");
        set_status(k, message);
        free(message);
        drop_lock(sender);
        return false;
    }
    if (o == POST_REFUSED)
        snprintf(why, size, "%s", reason);
    q = take_lock(k, QUEUE_LOCK, true);
    queue_drop_first(k);
    drop_lock(q);
    return true;
}

void kata_room_send(const kata *k, const char *report)
{
    kata_room room;
    if (kata_room_config(k, &room) != KATA_OK)
        return;
    kata_mkdirs(k->state);
    if (report != NULL) {
        int q = take_lock(k, QUEUE_LOCK, true);
        queue_add(k, report);
        drop_lock(q);
    }
    int sender = take_lock(k, SEND_LOCK, false);
    char why[400] = "";
    if (sender >= 0)
        while (send_first(k, &room, sender, why, sizeof(why)))
            ;
    kata_room_free(&room);
}

char *kata_room_status(const kata *k)
{
    char *path = kata_path(k->state, "room-status");
    char *text = NULL;
    /* Runs after the command: a failed read must not replace the
     * command's own message in the last error. */
    if (!kata_exists(path) || kata_read_file(path, &text, NULL) != KATA_OK ||
        text[0] == '\0') {
        free(text);
        text = NULL;
    }
    free(path);
    return text;
}
