/*
 * exercises/common/exercise.c - stubs' TODO messages, tests' hints, and
 * failures that point at the line to look at: the test's own, or the
 * learner's call that leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <esk/error.h>
#include <esk/store.h>

#include "exercise.h"
#include "where.h"

/* The part of a source path from "exercises/" or "solutions/" on, so that
 * messages name files the way the README does. */
static const char *repo_path(const char *file)
{
    /* The last of them: the kit itself may sit in a folder called
     * "exercises" or "solutions" (~/exercises/esk/exercises/04-decider). */
    const char *roots[] = {"exercises/", "solutions/"};
    const char *last = NULL;
    for (size_t i = 0; i < 2; i++)
        for (const char *at = strstr(file, roots[i]); at != NULL;
             at = strstr(at + 1, roots[i]))
            if ((at == file || at[-1] == '/') && (last == NULL || at > last))
                last = at;
    return last != NULL ? last : file;
}

esk_status exercise_todo(const char *function, const char *file)
{
    /* Once per function: a test may call it many times. */
    static const char *told[64];
    static size_t told_count;
    bool told_already = false;
    for (size_t i = 0; i < told_count && !told_already; i++)
        told_already = told[i] == function;
    if (!told_already) {
        if (told_count < sizeof(told) / sizeof(told[0]))
            told[told_count++] = function;
        print_message("TODO: write %s() in %s\n", function, repo_path(file));
    }
    /* A stub fails as any esk call does: with a message in the last
     * error, which a test or esk itself may print. */
    return esk_error_set(ESK_ENOTIMPL, "%s() is not written yet (%s)", function,
                         repo_path(file));
}

/* --- The running test ----------------------------------------------------- */

/* The group being run, and the test of it that runs now. */
static const struct CMUnitTest *group;
static size_t group_size;
static size_t next_test;
static const struct CMUnitTest *running;

/* A local of the function that runs the current test: stacks are taken
 * up to the test and no further. NULL outside tests. */
static const void *test_frame_top;

/* Whether two paths name the same file (one may be relative). */
static bool same_file(const char *a, const char *b)
{
    const char *base_a = strrchr(a, '/');
    const char *base_b = strrchr(b, '/');
    return strcmp(base_a ? base_a + 1 : a, base_b ? base_b + 1 : b) == 0;
}

/*
 * A check in a helper knows the helper's line; the attendee wants the
 * test's. When the running test did not make the check itself, find the
 * line of the test that called the helper (and the helper's name, for
 * the message). Returns line unchanged when there is nothing better.
 */
static int line_in_test(const char *file, int line, char *helper, size_t size)
{
    void *pc[WHERE_MAX_FRAMES];
    where_place places[2];
    if (running == NULL)
        return line;
    /* pc: line_in_test, report, the check, its caller... the test, and
     * last the function that runs it. */
    int n = where_capture(pc, WHERE_MAX_FRAMES, test_frame_top);
    int test = n - 2;
    if (n == WHERE_MAX_FRAMES || test <= 3)
        return line;
    if (!where_lookup(&pc[test - 1], 2, places) || places[1].line <= 0 ||
        !same_file(places[1].file, file) || places[1].line == line)
        return line;
    snprintf(helper, size, "%s", places[0].function);
    return places[1].line;
}

static void report(const char *hint, const char *file, int line,
                   const char *format, ...)
{
    va_list args;
    char what[1024];
    char helper[128] = "";
    va_start(args, format);
    vsnprintf(what, sizeof(what), format, args);
    va_end(args);
    int test_line = line_in_test(file, line, helper, sizeof(helper));
    print_error("%s\n", what);
    if (test_line != line && helper[0] != '\0')
        print_error("(checked by %s(), line %d)\n", helper, line);
    if (hint != NULL && hint[0] != '\0')
        print_error("HINT: %s\n", hint);
    _fail(repo_path(file), test_line);
}

void exercise_expect_true(bool condition, const char *what, const char *hint,
                          const char *file, int line)
{
    if (!condition)
        report(hint, file, line, "expected %s to be true", what);
}

void exercise_expect_int(int64_t actual, int64_t expected, const char *what,
                         const char *hint, const char *file, int line)
{
    if (actual != expected)
        report(hint, file, line, "%s is %lld, expected %lld", what,
               (long long)actual, (long long)expected);
}

void exercise_expect_string(const char *actual, const char *expected,
                            const char *what, const char *hint,
                            const char *file, int line)
{
    if (actual == NULL || strcmp(actual, expected) != 0)
        report(hint, file, line, "%s is\n    %s%s%s\nexpected\n    \"%s\"",
               what, actual ? "\"" : "", actual ? actual : "NULL",
               actual ? "\"" : "", expected);
}

void exercise_expect_contains(const char *text, const char *part,
                              const char *what, const char *hint,
                              const char *file, int line)
{
    if (text == NULL || strstr(text, part) == NULL)
        report(hint, file, line,
               "%s is\n    \"%s\"\nand does not contain\n"
               "    \"%s\"",
               what, text ? text : "(NULL)", part);
}

void exercise_expect_status(esk_status actual, esk_status expected,
                            const char *what, const char *hint,
                            const char *file, int line)
{
    if (actual == expected)
        return;
    if (actual == ESK_ENOTIMPL)
        report(hint, file, line,
               "%s is ESK_ENOTIMPL: the function is still a stub (see the "
               "TODO above)",
               what);
    else
        report(hint, file, line, "%s is %d (%s), expected %d (%s)", what,
               (int)actual, esk_status_str(actual), (int)expected,
               esk_status_str(expected));
}

void exercise_expect_error_code(int actual, int expected,
                                const char *(*error_name)(int code),
                                const char *what, const char *hint,
                                const char *file, int line)
{
    if (actual == expected)
        return;
    const char *got = error_name != NULL ? error_name(actual) : NULL;
    const char *want = error_name != NULL ? error_name(expected) : NULL;
    report(hint, file, line, "%s is %s (%d), expected %s (%d)", what,
           got != NULL ? got : "a code with no name", actual,
           want != NULL ? want : "a code with no name", expected);
}

/* --- Leaks -----------------------------------------------------------------
 */

/* How far up an allocation's stack is kept: esk's own calls, the
 * exercise's provided files, then the learner's function. */
#define ALLOCATION_FRAMES 16

/*
 * What the kit keeps in front of each block that esk allocates: the stack
 * that allocated it (cmocka would only say "exercise.c:108"), in a list
 * of the blocks not freed yet.
 */
typedef struct block_header {
    struct block_header *prev;
    struct block_header *next;
    unsigned long serial; /* the how-manieth allocation */
    int frames;
    void *pc[ALLOCATION_FRAMES];
} block_header;

/* The header's room, so that the block after it stays aligned. */
typedef union header_room {
    block_header header;
    max_align_t align;
} header_room;

static block_header live = {&live, &live, 0, 0, {0}};
static unsigned long allocations;

static void *track(void *raw)
{
    if (raw == NULL)
        return NULL;
    block_header *h = raw;
    h->serial = ++allocations;
    h->frames = where_capture(h->pc, ALLOCATION_FRAMES, test_frame_top);
    h->next = &live;
    h->prev = live.prev;
    live.prev->next = h;
    live.prev = h;
    return (char *)raw + sizeof(header_room);
}

static block_header *header_of(void *block)
{
    return (block_header *)(void *)((char *)block - sizeof(header_room));
}

static void untrack(block_header *h)
{
    h->prev->next = h->next;
    h->next->prev = h->prev;
}

static void *test_malloc_fn(size_t size)
{
    if (size > SIZE_MAX - sizeof(header_room))
        return NULL;
    return track(test_malloc(size + sizeof(header_room)));
}

static void *test_realloc_fn(void *ptr, size_t size)
{
    if (ptr == NULL)
        return test_malloc_fn(size);
    if (size > SIZE_MAX - sizeof(header_room))
        return NULL;
    block_header *h = header_of(ptr);
    untrack(h);
    void *raw = test_realloc(h, size + sizeof(header_room));
    if (raw == NULL) {
        /* Still the old block, still live. */
        h->next = &live;
        h->prev = live.prev;
        live.prev->next = h;
        live.prev = h;
        return NULL;
    }
    return track(raw);
}

static void test_free_fn(void *ptr)
{
    if (ptr == NULL)
        return;
    block_header *h = header_of(ptr);
    untrack(h);
    test_free(h);
}

/* Whether a source file is the kit's: its frames are not the answer. */
static bool in_kit(const char *file)
{
    static const char *const kit[] = {"exercises/common/exercise.c",
                                      "exercises/common/where.c"};
    for (size_t i = 0; i < sizeof(kit) / sizeof(kit[0]); i++) {
        size_t n = strlen(file), k = strlen(kit[i]);
        if (n >= k && strcmp(file + n - k, kit[i]) == 0)
            return true;
    }
    return false;
}

/* Whether a source file is esk's own (src/ of this tree), found from
 * where this file is: "<root>/exercises/common/exercise.c". */
static bool in_esk(const char *file)
{
    const char *me = __FILE__;
    const char *common = strstr(me, "exercises/common/exercise.c");
    size_t root = common != NULL ? (size_t)(common - me) : 0;
    return strncmp(file, me, root) == 0 && strncmp(file + root, "src/", 4) == 0;
}

/* The files the learner edits ("handlers.c"), space-separated, or ""
 * when the suite did not say: then any file of the exercise is theirs. */
static const char *edited_files = "";

static bool edited(const char *file)
{
    if (edited_files[0] == '\0')
        return true;
    const char *slash = strrchr(file, '/');
    const char *name = slash ? slash + 1 : file;
    size_t n = strlen(name);
    for (const char *at = edited_files; (at = strstr(at, name)) != NULL;
         at += n) {
        bool starts = at == edited_files || at[-1] == ' ';
        bool ends = at[n] == '\0' || at[n] == ' ';
        if (starts && ends)
            return true;
    }
    return false;
}

/* Where the learner's code called esk for a block: their innermost
 * frame, the esk function that allocated, and the provided function of
 * the exercise in between, if any ("workshop_register"). */
typedef struct leak_origin {
    where_place place;
    char call[128];
    char through[128];
} leak_origin;

static bool find_origin(const block_header *b, leak_origin *origin)
{
    where_place places[ALLOCATION_FRAMES];
    size_t n = (size_t)b->frames;
    const where_place *innermost = NULL;
    memset(origin, 0, sizeof(*origin));
    if (!where_lookup(b->pc, n, places))
        return false;
    for (size_t i = 0; i < n; i++) {
        const where_place *p = &places[i];
        if (p->file[0] == '\0' || p->line <= 0 || in_kit(p->file))
            continue;
        if (in_esk(p->file)) {
            snprintf(origin->call, sizeof(origin->call), "%s", p->function);
            continue;
        }
        if (innermost == NULL)
            innermost = p;
        if (edited(p->file)) {
            origin->place = *p;
            return true;
        }
        snprintf(origin->through, sizeof(origin->through), "%s", p->function);
    }
    /* None of the learner's files: the exercise's innermost frame. */
    if (innermost == NULL)
        return false;
    origin->place = *innermost;
    origin->through[0] = '\0';
    return true;
}

/* The esk function that frees what call gave, for the hint. */
static bool freeing_function(const char *call, char *buf, size_t size)
{
    static const struct {
        const char *prefix;
        const char *frees;
    } known[] = {
        {"esk_store_read", "esk_event_list_release"},
        {"esk_codec_encode", "esk_free"},
        {"esk_repository_load", "esk_aggregate_release"},
        {"esk_aggregate_", "esk_aggregate_release"},
        {"esk_store_open", "esk_store_free"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strncmp(call, known[i].prefix, strlen(known[i].prefix)) == 0) {
            snprintf(buf, size, "%s", known[i].frees);
            return true;
        }
    }
    /* esk_bus_new() gives what esk_bus_free() frees. */
    size_t n = strlen(call);
    if (n > 8 && strcmp(call + n - 4, "_new") == 0) {
        snprintf(buf, size, "%.*s_free", (int)(n - 4), call);
        return true;
    }
    return false;
}

/*
 * After a test body: the blocks it allocated through esk and left. Fail
 * at the line of the exercise that called esk for the first of them;
 * when that cannot be found, say nothing, and cmocka reports the leak in
 * its own words.
 */
static void check_leaks_since(unsigned long mark)
{
    size_t leaked = 0;
    const block_header *first = NULL;
    for (const block_header *h = live.next; h != &live; h = h->next) {
        if (h->serial > mark) {
            leaked++;
            if (first == NULL || h->serial < first->serial)
                first = h;
        }
    }
    leak_origin origin;
    if (first == NULL || !find_origin(first, &origin))
        return;
    const char *call = origin.call[0] != '\0' ? origin.call : "esk";
    char by[300];
    if (origin.through[0] != '\0')
        snprintf(by, sizeof(by), "%s() (through %s())", call, origin.through);
    else
        snprintf(by, sizeof(by), "%s()", call);
    if (leaked == 1)
        print_error("1 block allocated by %s, called in %s(), was never "
                    "freed\n",
                    by, origin.place.function);
    else
        print_error("%zu blocks were never freed; the first was allocated by "
                    "%s, called in %s()\n",
                    leaked, by, origin.place.function);
    char frees[128];
    if (freeing_function(call, frees, sizeof(frees)))
        print_error("HINT: What esk hands your code is yours to free when you "
                    "are done with it, on every way out of %s(), the "
                    "refusals and errors too: free what %s() gave with "
                    "%s().\n",
                    origin.place.function, call, frees);
    else
        print_error("HINT: What esk hands your code is yours to free when you "
                    "are done with it, on every way out of %s(), the "
                    "refusals and errors too: the header of %s() says what "
                    "frees what it gives.\n",
                    origin.place.function, call);
    /* As cmocka does with a leak it reports: else the group, which counts
     * every block at its end, would stop there. */
    for (block_header *h = live.next; h != &live;) {
        block_header *next = h->next;
        if (h->serial > mark)
            test_free_fn((char *)h + sizeof(header_room));
        h = next;
    }
    _fail(repo_path(origin.place.file), origin.place.line);
}

/* --- Running a group --------------------------------------------------------
 */

static int setup_running(void **state)
{
    /* A test that failed left through a long jump, with these set. */
    test_frame_top = NULL;
    running = next_test < group_size ? &group[next_test] : NULL;
    next_test++;
    if (running != NULL && running->setup_func != NULL)
        return running->setup_func(state);
    return 0;
}

static void run_running(void **state)
{
    const struct CMUnitTest *test = running;
    if (test == NULL)
        return;
    unsigned long mark = allocations;
    /* A local of this function: the test's frames are all below it. */
    char top = 0;
    test_frame_top = &top;
    test->test_func(state);
    test_frame_top = NULL;
    /* A teardown may free what the body left for it: cmocka counts. */
    if (test->teardown_func == NULL)
        check_leaks_since(mark);
    running = NULL;
}

int exercise_run_tests(const char *name, const struct CMUnitTest *tests,
                       size_t count, CMFixtureFunction group_setup,
                       CMFixtureFunction group_teardown, const char *edit)
{
    edited_files = edit != NULL ? edit : "";
    struct CMUnitTest *wrapped = malloc(count * sizeof(*wrapped));
    if (wrapped == NULL)
        return _cmocka_run_group_tests(name, tests, count, group_setup,
                                       group_teardown);
    for (size_t i = 0; i < count; i++) {
        wrapped[i] = tests[i];
        wrapped[i].setup_func = setup_running;
        wrapped[i].test_func = run_running;
    }
    group = tests;
    group_size = count;
    next_test = 0;
    int failed = _cmocka_run_group_tests(name, wrapped, count, group_setup,
                                         group_teardown);
    free(wrapped);
    group = NULL;
    group_size = 0;
    return failed;
}

void exercise_check_leaks(void)
{
    const esk_allocator checked = {test_malloc_fn, test_realloc_fn,
                                   test_free_fn};
    esk_set_allocator(&checked);
}

static bool verbose(void)
{
    const char *v = getenv("EXERCISE_VERBOSE");
    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

static void print_events(void *ctx, const esk_event *events, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        printf("    event  %s v%lld @%lld %s %s\n", events[i].stream_id,
               (long long)events[i].version, (long long)events[i].position,
               events[i].type, events[i].data);
}

void exercise_watch_store(struct esk_store *store)
{
    if (verbose() && store != NULL)
        esk_store_subscribe(store, print_events, NULL);
}

void exercise_say(const char *format, ...)
{
    if (!verbose())
        return;
    va_list args;
    va_start(args, format);
    printf("    ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
}
