/*
 * test_room.c - the attendee's side of the room: join and leave, reports
 * queued while the room is away and posted when it is back, refusals
 * said once, and a command that never waits for the room. A small fake
 * room (a thread on a loopback port) stands for kata-room.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../proc.h"
#include "harness.h"

static kit the_kit;

static void pause_a_little(void)
{
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* A fake room: answers each request with status, and keeps the bodies. */
typedef struct fake_room {
    int fd;
    int port;
    int status;
    bool silent; /* accept nothing: requests hang */
    pthread_t thread;
    pthread_mutex_t lock;
    int served;
    char bodies[8][8192];
    char codes[8][32];
} fake_room;

static int listen_on_free_port(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    assert_int_equal(listen(fd, 16), 0);
    return fd;
}

/* Reads one request (headers, then Content-Length bytes). */
static void read_request(int c, char *body, size_t size, char *code)
{
    char buf[16384];
    size_t got = 0;
    char *end = NULL;
    while (end == NULL && got < sizeof(buf) - 1) {
        ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0)
            return;
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (end == NULL)
        return;
    const char *cl = strstr(buf, "Content-Length: ");
    size_t want = cl != NULL ? strtoul(cl + 16, NULL, 10) : 0;
    const char *rc = strstr(buf, "X-Room-Code: ");
    if (rc != NULL)
        sscanf(rc + 13, "%31[A-Za-z0-9]", code);
    size_t head = (size_t)(end + 4 - buf);
    while (got - head < want && got < sizeof(buf) - 1) {
        ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    snprintf(body, size, "%s", buf + head);
}

static void *serve(void *arg)
{
    fake_room *r = arg;
    for (;;) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_mutex_lock(&r->lock);
        int i = r->served < 8 ? r->served : 7;
        pthread_mutex_unlock(&r->lock);
        char body[8192] = "", code[32] = "";
        read_request(c, body, sizeof(body), code);
        char answer[256];
        snprintf(answer, sizeof(answer),
                 "HTTP/1.1 %d X\r\nContent-Length: 26\r\nConnection: "
                 "close\r\n\r\n{\"error\":\"wrong code xyz\"}",
                 r->status);
        ssize_t w = write(c, answer, strlen(answer));
        (void)w;
        close(c);
        pthread_mutex_lock(&r->lock);
        memcpy(r->bodies[i], body, sizeof(body));
        memcpy(r->codes[i], code, sizeof(code));
        r->served++;
        pthread_mutex_unlock(&r->lock);
    }
}

static void fake_start(fake_room *r, int status, bool silent)
{
    memset(r, 0, sizeof(*r));
    r->status = status;
    r->silent = silent;
    pthread_mutex_init(&r->lock, NULL);
    r->fd = listen_on_free_port(&r->port);
    if (!silent)
        pthread_create(&r->thread, NULL, serve, r);
}

static void fake_stop(fake_room *r)
{
    shutdown(r->fd, SHUT_RDWR);
    close(r->fd);
    if (!r->silent)
        pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->lock);
}

static int served(fake_room *r)
{
    pthread_mutex_lock(&r->lock);
    int n = r->served;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* The environment of an attendee in the room at port. */
static const char *const *room_env(int port)
{
    static char url[64];
    static const char *env[4];
    snprintf(url, sizeof(url), "KATA_ROOM_URL=http://127.0.0.1:%d", port);
    env[0] = url;
    env[1] = "KATA_ROOM_CODE=K7Q2XP";
    env[2] = "KATA_LEARNER=ada";
    env[3] = NULL;
    return env;
}

static size_t queued(void)
{
    char *text = kit_exists(&the_kit, ".kata/room-queue.jsonl")
                     ? kit_read(&the_kit, ".kata/room-queue.jsonl")
                     : NULL;
    size_t n = 0;
    for (const char *p = text; p != NULL && *p; p++)
        n += *p == '\n';
    free(text);
    return n;
}

static void clean_state(void)
{
    const char *files[] = {".kata/room-queue.jsonl", ".kata/room-status",
                           ".kata/room.json"};
    for (size_t i = 0; i < 3; i++) {
        char *path = NULL;
        if (kit_exists(&the_kit, files[i])) {
            size_t n = strlen(the_kit.root) + strlen(files[i]) + 2;
            path = malloc(n);
            snprintf(path, n, "%s/%s", the_kit.root, files[i]);
            unlink(path);
        }
        free(path);
    }
}

static void join_checks_the_address_and_code_and_leave_forgets_it(void **state)
{
    (void)state;
    clean_state();
    const char *env[] = {"KATA_LEARNER=ada", NULL};
    outcome o = kit_run(&the_kit, NULL, env, "join", "ftp://x", "K7Q2XP", NULL);
    assert_int_equal(o.code, 2);
    assert_true(contains(&o, "http://"));
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, env, "join", "http://127.0.0.1:9", "K<7>",
                NULL);
    assert_int_equal(o.code, 2);
    outcome_free(&o);
    o = kit_run(&the_kit, NULL, env, "join", "http://127.0.0.1:9", "K7Q2XP",
                NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "Joined the room at http://127.0.0.1:9 as ada"));
    assert_true(contains(&o, "does not answer yet"));
    outcome_free(&o);
    assert_true(kit_exists(&the_kit, ".kata/room.json"));
    o = kit_run(&the_kit, NULL, env, "leave", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "Left the room"));
    outcome_free(&o);
    assert_false(kit_exists(&the_kit, ".kata/room.json"));
}

static void
reports_wait_while_the_room_is_away_and_go_in_order_later(void **state)
{
    (void)state;
    clean_state();
    fake_room r;
    fake_start(&r, 200, false);
    int port = r.port;
    fake_stop(&r); /* nobody listens there now */
    outcome o = kit_run(&the_kit, NULL, room_env(port), "room-send", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "does not answer"));
    assert_true(contains(&o, "1 report wait"));
    outcome_free(&o);
    assert_int_equal(queued(), 1);
    o = kit_run(&the_kit, NULL, room_env(port), "hint", "1", NULL);
    outcome_free(&o);

    /* The room is back on the same port. */
    fake_room back;
    memset(&back, 0, sizeof(back));
    back.status = 200;
    pthread_mutex_init(&back.lock, NULL);
    back.fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(back.fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(back.fd, (struct sockaddr *)&a, sizeof(a)), 0);
    listen(back.fd, 16);
    pthread_create(&back.thread, NULL, serve, &back);
    /* hint's own sending may still be running: wait for both. */
    for (int i = 0; i < 100 && queued() > 0 && served(&back) < 2; i++)
        pause_a_little();
    o = kit_run(&the_kit, NULL, room_env(port), "room-send", NULL);
    assert_int_equal(o.code, 0);
    assert_false(contains(&o, "room:"));
    outcome_free(&o);
    assert_int_equal(queued(), 0);
    assert_true(served(&back) >= 3);
    /* The first one sent is the first one queued: no hint seen yet. */
    json_t *first = json_loads(back.bodies[0], 0, NULL);
    assert_non_null(first);
    assert_string_equal(json_string_value(json_object_get(first, "learner")),
                        "ada");
    json_t *ex = json_array_get(json_object_get(first, "exercises"), 0);
    assert_int_equal(json_integer_value(json_object_get(ex, "hints_revealed")),
                     0);
    json_decref(first);
    assert_string_equal(back.codes[0], "K7Q2XP");
    fake_stop(&back);
    assert_false(kit_exists(&the_kit, ".kata/room-status"));
}

static void a_refused_report_is_dropped_and_said_in_one_line(void **state)
{
    (void)state;
    clean_state();
    fake_room r;
    fake_start(&r, 401, false);
    outcome o = kit_run(&the_kit, NULL, room_env(r.port), "room-send", NULL);
    assert_int_equal(o.code, 0);
    assert_true(contains(&o, "room: the room refused a report: wrong code"));
    outcome_free(&o);
    assert_int_equal(queued(), 0);
    fake_stop(&r);
}

/* The room takes the connection and never answers: the learner's
 * command must not wait for it. */
static void a_command_never_waits_for_the_room(void **state)
{
    (void)state;
    clean_state();
    fake_room r;
    fake_start(&r, 200, true);
    long long start = kata_now_ms();
    outcome o = kit_run(&the_kit, NULL, room_env(r.port), "hint", "1", NULL);
    long long took = kata_now_ms() - start;
    assert_int_equal(o.code, 0);
    outcome_free(&o);
    /* The post gives up after 3 s; the command ends well before. */
    assert_true(took < 1500);
    /* The report went to the queue all the same. */
    for (int i = 0; i < 100 && queued() == 0; i++)
        pause_a_little();
    assert_int_equal(queued(), 1);
    fake_stop(&r);
    /* Let the sender give up before the kit goes. */
    for (int i = 0; i < 100 && !kit_exists(&the_kit, ".kata/room-status"); i++)
        pause_a_little();
}

/* Joined, with nothing wrong to say: a failing run says what it says,
 * and nothing about the room's files. */
static void a_failing_run_says_nothing_about_the_room(void **state)
{
    (void)state;
    clean_state();
    fake_room r;
    fake_start(&r, 200, false);
    outcome o = kit_run(&the_kit, NULL, room_env(r.port), "run", "1", NULL);
    assert_int_equal(o.code, 1);
    assert_false(contains(&o, "room"));
    outcome_free(&o);
    for (int i = 0; i < 100 && served(&r) == 0; i++)
        pause_a_little();
    fake_stop(&r);
}

static int make_kit(void **state)
{
    (void)state;
    return kit_create(&the_kit);
}

static int remove_kit(void **state)
{
    (void)state;
    kit_destroy(&the_kit);
    return 0;
}

int main(int argc, char **argv)
{
    harness_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_checks_the_address_and_code_and_leave_forgets_it),
        cmocka_unit_test(
            reports_wait_while_the_room_is_away_and_go_in_order_later),
        cmocka_unit_test(a_refused_report_is_dropped_and_said_in_one_line),
        cmocka_unit_test(a_command_never_waits_for_the_room),
        cmocka_unit_test(a_failing_run_says_nothing_about_the_room),
    };
    return cmocka_run_group_tests_name("runner room", tests, make_kit,
                                       remove_kit);
}
