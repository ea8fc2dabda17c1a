/*
 * bench/room_load.c - esk-room-bench: a room of simulated attendees
 * (bench/README.md, "The room under a class").
 *
 *   esk-room-bench [--attendees N] [--seconds S] [--every-ms MS] [--dir D]
 *
 * It opens the room (web/room.h) on a file in D, serves it on a loopback
 * port, and starts N attendee threads that each post a full report (21
 * exercises of 20 tests, about 30 KiB) every MS milliseconds, give or
 * take a quarter, for S seconds; each report passes one more test, so
 * each one changes the attendee's stream. A viewer thread asks for the
 * page every second, as the page does. At the end it checks that nothing
 * was lost (every report taken, the page's last cell of each attendee is
 * their last report's) and prints the latencies.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <esk/error.h>

#include "client.h"
#include "room.h"

#define EXERCISES 21
#define TESTS 20
#define MAX_SAMPLES 200000

typedef struct bench {
    int attendees, seconds, every_ms;
    char port[8];
    long long end_ms;
    pthread_mutex_t lock;
    double post_ms[MAX_SAMPLES], page_ms[MAX_SAMPLES];
    size_t posts, pages, refused, failed;
    int *last_passed; /* per attendee: tests passed in the last report */
} bench;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* The report of attendee a after passing `passed` tests in all. */
static char *report_of(int a, int passed)
{
    json_t *exercises = json_array();
    for (int e = 0; e < EXERCISES; e++) {
        int p = passed - e * TESTS;
        p = p < 0 ? 0 : p > TESTS ? TESTS : p;
        json_t *tests = json_array();
        for (int t = 0; t < TESTS; t++) {
            char name[64];
            snprintf(name, sizeof(name), "test_%02d_number_%02d_holds", e + 1,
                     t + 1);
            json_array_append_new(tests,
                                  json_pack("{s:s,s:s}", "name", name, "status",
                                            t < p ? "passed" : "failed"));
        }
        char slug[32], title[64];
        snprintf(slug, sizeof(slug), "%02d-exercise", e + 1);
        snprintf(title, sizeof(title), "Exercise number %d", e + 1);
        const char *status = p == TESTS ? "done"
                             : p > 0    ? "in-progress"
                                        : "not-started";
        json_array_append_new(
            exercises,
            json_pack("{s:i,s:s,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:o}", "number",
                      e + 1, "slug", slug, "title", title, "minutes", 30,
                      "status", status, "passed", p, "total", TESTS,
                      "hints_revealed", 0, "hints_total", 3, "tests", tests));
    }
    char learner[32];
    snprintf(learner, sizeof(learner), "attendee-%02d", a);
    json_t *doc = json_pack("{s:i,s:s,s:s,s:{s:i,s:i,s:i,s:i},s:o}", "version",
                            1, "generated_at", "2026-12-06T10:00:00Z",
                            "learner", learner, "summary", "exercises",
                            EXERCISES, "done", passed / TESTS, "passed", passed,
                            "total", EXERCISES * TESTS, "exercises", exercises);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static int request(bench *b, const char *method, const char *target,
                   const char *body, double *ms)
{
    char error[ESK_WEB_CLIENT_ERROR_MAX];
    esk_web_client_reply r;
    long long start = now_ms();
    int rc = esk_web_client_request("127.0.0.1", b->port, method, target,
                                    "X-Room-Code: BENCH1\r\n", body,
                                    body ? strlen(body) : 0, 10000, &r, error);
    *ms = (double)(now_ms() - start);
    int status = rc == 0 ? r.status : -1;
    esk_web_client_reply_free(&r);
    return status;
}

typedef struct attendee {
    bench *b;
    int index;
} attendee;

static void *attend(void *arg)
{
    attendee *a = arg;
    bench *b = a->b;
    unsigned seed = (unsigned)a->index * 7919u + 1u;
    /* Not all at once: each starts somewhere in the first period. */
    sleep_ms((long long)((unsigned)rand_r(&seed) % (unsigned)b->every_ms));
    for (int passed = 1; now_ms() < b->end_ms; passed++) {
        char *body = report_of(a->index, passed);
        double ms = 0;
        int status = request(b, "POST", "/api/report", body, &ms);
        free(body);
        pthread_mutex_lock(&b->lock);
        if (b->posts < MAX_SAMPLES)
            b->post_ms[b->posts] = ms;
        b->posts++;
        b->refused += status == 429;
        b->failed += status != 200 && status != 429;
        if (status == 200)
            b->last_passed[a->index] = passed;
        pthread_mutex_unlock(&b->lock);
        int jitter = b->every_ms / 4;
        sleep_ms(
            b->every_ms - jitter +
            (long long)((unsigned)rand_r(&seed) % (unsigned)(2 * jitter + 1)));
    }
    return NULL;
}

static void *view(void *arg)
{
    bench *b = arg;
    while (now_ms() < b->end_ms) {
        double ms = 0;
        int status = request(b, "GET", "/api/room", NULL, &ms);
        pthread_mutex_lock(&b->lock);
        if (b->pages < MAX_SAMPLES)
            b->page_ms[b->pages] = ms;
        b->pages++;
        b->failed += status != 200;
        pthread_mutex_unlock(&b->lock);
        sleep_ms(1000);
    }
    return NULL;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void print_latency(const char *what, double *ms, size_t n)
{
    if (n == 0)
        return;
    n = n < MAX_SAMPLES ? n : MAX_SAMPLES;
    qsort(ms, n, sizeof(double), by_value);
    printf("| %s | %zu | %.0f | %.0f | %.0f |\n", what, n, ms[n / 2],
           ms[n * 95 / 100], ms[n - 1]);
}

/* Whether the page shows each attendee's last report taken: the sum of
 * their cells' passed tests. */
static int check_page(room *r, const bench *b)
{
    json_t *page = NULL;
    if (room_query_room(r, &page) != ESK_OK)
        return -1;
    int wrong = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(page, "attendees"), i, a)
    {
        int index = atoi(json_string_value(json_object_get(a, "name")) + 9);
        const char *slug;
        json_t *c;
        long long passed = 0;
        json_object_foreach(json_object_get(a, "cells"), slug, c) passed +=
            json_integer_value(json_object_get(c, "passed"));
        wrong += passed != b->last_passed[index];
    }
    wrong += (int)json_array_size(json_object_get(page, "attendees")) !=
             b->attendees;
    json_decref(page);
    return wrong;
}

static int run(bench *b, const char *dir)
{
    char db[512];
    snprintf(db, sizeof(db), "%s/room-bench.db", dir);
    unlink(db);
    room_options o = {db, "BENCH1", 10, 1.0, 10, NULL, NULL};
    room *r = NULL;
    esk_web *web = NULL;
    esk_web_options w;
    if (room_open(&r, &o) != ESK_OK) {
        fprintf(stderr, "esk-room-bench: %s\n", esk_errmsg());
        return 1;
    }
    room_web_options(r, NULL, 0, &w);
    if (esk_web_start(&web, &w) != ESK_OK) {
        fprintf(stderr, "esk-room-bench: %s\n", esk_errmsg());
        room_close(r);
        return 1;
    }
    snprintf(b->port, sizeof(b->port), "%u", (unsigned)esk_web_port(web));
    b->end_ms = now_ms() + b->seconds * 1000LL;
    pthread_t threads[256], viewer;
    attendee people[256];
    for (int i = 0; i < b->attendees; i++) {
        people[i] = (attendee){b, i};
        pthread_create(&threads[i], NULL, attend, &people[i]);
    }
    pthread_create(&viewer, NULL, view, b);
    for (int i = 0; i < b->attendees; i++)
        pthread_join(threads[i], NULL);
    pthread_join(viewer, NULL);
    esk_web_stop(web);
    int64_t events = 0;
    esk_store_head_position(r->store, &events);
    int wrong = check_page(r, b);
    printf("%d attendees, a report every %d ms (+-25%%) each, for %d s\n\n",
           b->attendees, b->every_ms, b->seconds);
    printf("| request | count | p50 ms | p95 ms | max ms |\n|---|---|---|---|"
           "---|\n");
    print_latency("POST /api/report (30 KiB)", b->post_ms, b->posts);
    print_latency("GET /api/room", b->page_ms, b->pages);
    printf("\nreports: %zu sent, %zu refused (429), %zu failed; events "
           "stored: %lld; attendees whose page cell is not their last "
           "report: %d\n",
           b->posts, b->refused, b->failed, (long long)events, wrong);
    room_close(r);
    unlink(db);
    return wrong == 0 && b->failed == 0 && b->refused == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static bench b;
    b.attendees = 30;
    b.seconds = 60;
    b.every_ms = 3000;
    const char *dir = ".";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--attendees") == 0)
            b.attendees = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--seconds") == 0)
            b.seconds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--every-ms") == 0)
            b.every_ms = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
    }
    if (b.attendees < 1 || b.attendees > 256 || b.seconds < 1 ||
        b.every_ms < 100) {
        fprintf(stderr, "esk-room-bench: --attendees 1..256, --seconds 1 or "
                        "more, --every-ms 100 or more\n");
        return 2;
    }
    pthread_mutex_init(&b.lock, NULL);
    b.last_passed = calloc((size_t)b.attendees, sizeof(int));
    int rc = run(&b, dir);
    free(b.last_passed);
    return rc;
}
