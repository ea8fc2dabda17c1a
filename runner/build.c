/*
 * runner/build.c - building exercise targets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "fs.h"
#include "proc.h"
#include "text.h"

const char *kata_cmake(void)
{
    const char *cmake = getenv("KATA_CMAKE");
    return cmake && cmake[0] ? cmake : "cmake";
}

static long cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 2;
}

/* A lock on a file of the build folder, held while cmake runs: make and
 * ninja do not expect two builds of one folder at once. It is a flock(2)
 * lock, which a shell script can take too (flock(1), or perl's flock):
 * the mutant harness (exercises/tools/mutants.sh) takes the same one.
 * While another build holds it, the wait is said on stderr when say is
 * true, and k->build_tick (when set) may give up: *cancelled is set and
 * -1 returned. */
static int lock_build(const char *build_dir, const kata *k, bool say,
                      bool *cancelled)
{
    char *path = kata_path(build_dir, ".kata-build.lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(path);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0)
        return fd;
    if (errno != EWOULDBLOCK && errno != EINTR)
        return fd; /* no locks on this file system: build without */
    if (say) {
        fputs("\r\033[Kwaiting for another build of this folder to end "
              "(./kata selftest, or a runner in another terminal)...",
              stderr);
        fflush(stderr);
    }
    long long started = kata_now_ms();
    while (flock(fd, k->build_tick ? LOCK_EX | LOCK_NB : LOCK_EX) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            break;
        if (k->build_tick != NULL &&
            !k->build_tick(k->tick_ctx, kata_now_ms() - started)) {
            *cancelled = true;
            close(fd);
            return -1;
        }
        struct timespec nap = {0, 100 * 1000000};
        nanosleep(&nap, NULL);
    }
    return fd;
}

typedef struct build_progress {
    const kata *k;
    const char *target;
    size_t count;
    bool busy_line; /* the progress is shown on stderr */
} build_progress;

/* The build tool's progress ("[ 45%]" from make, "[12/80]" from ninja)
 * after what is being built: a first build compiles the library too, and
 * a minute of a still line looks like a hang. */
static void show_progress(void *ctx, const char *line)
{
    const build_progress *b = ctx;
    if (!b->busy_line || line[0] != '[')
        return;
    const char *end = strchr(line, ']');
    if (end == NULL || end - line > 16)
        return;
    fprintf(stderr, "\r\033[Kbuilding %s%s... %.*s", b->target,
            b->count > 1 ? " and the others" : "", (int)(end - line + 1), line);
    fflush(stderr);
}

static bool build_tick(void *ctx, long long elapsed_ms)
{
    const build_progress *b = ctx;
    return b->k->build_tick(b->k->tick_ctx, elapsed_ms);
}

/* cmake --build DIR --parallel N --target T...; jobs is N's buffer. The
 * caller frees the array (not its strings). */
static const char **build_argv(const char *build_dir,
                               const char *const *targets, size_t count,
                               char jobs[32])
{
    const char **argv = kata_xcalloc(count + 8, sizeof(*argv));
    snprintf(jobs, 32, "%ld", cpu_count());
    size_t n = 0;
    argv[n++] = kata_cmake();
    argv[n++] = "--build";
    argv[n++] = build_dir;
    argv[n++] = "--parallel";
    argv[n++] = jobs;
    argv[n++] = "--target";
    for (size_t i = 0; i < count; i++)
        argv[n++] = targets[i];
    argv[n] = NULL;
    return argv;
}

/* What a finished build leaves in result: its output and the messages
 * the learner needs from it. */
static void keep_output(kata_build_result *result, kata_proc_result *run,
                        const char *root)
{
    result->started = true;
    result->ok = kata_proc_ok(run);
    result->output = run->output ? run->output : kata_xstrdup("");
    run->output = NULL;
    result->diagnostics = kata_filter_diagnostics(result->output, root);
    if (!result->ok && result->diagnostics[0] == '\0') {
        /* Nothing looked like a compiler message: show the end of the
         * output rather than nothing. */
        const char *text = result->output;
        const char *start = text + strlen(text);
        for (int lines = 0; start > text && lines < 30; lines++) {
            start--;
            while (start > text && start[-1] != '\n')
                start--;
        }
        free(result->diagnostics);
        result->diagnostics = kata_xstrdup(start);
    }
}

kata_status kata_build(const kata *k, const char *build_dir,
                       const char *const *targets, size_t count,
                       kata_build_result *result)
{
    memset(result, 0, sizeof(*result));
    char jobs[32];
    const char **argv = build_argv(build_dir, targets, count, jobs);
    kata_cmd cmd = {0};
    cmd.argv = argv;
    cmd.capture = true;
    kata_proc_result run;
    memset(&run, 0, sizeof(run));
    /* The first build compiles the library too and takes a while: say so
     * on a terminal, on a line that is then wiped. */
    const char *term = getenv("TERM");
    bool busy_line = isatty(2) && term != NULL && strcmp(term, "dumb") != 0;
    int lock = lock_build(build_dir, k, busy_line, &result->cancelled);
    build_progress busy = {k, targets[0], count, busy_line};
    cmd.ctx = &busy;
    if (busy_line && !result->cancelled) {
        fprintf(stderr, "\r\033[Kbuilding %s%s...", targets[0],
                count > 1 ? " and the others" : "");
        fflush(stderr);
        cmd.on_line = show_progress;
    }
    if (k->build_tick != NULL)
        cmd.on_tick = build_tick;
    /* A build stopped half-way must not leave half an object file that
     * the next build takes for up to date. */
    cmd.stop_grace_ms = 2000;
    kata_status rc = KATA_OK;
    if (!result->cancelled) {
        rc = kata_run(&cmd, &run);
        result->cancelled = rc == 0 && run.cancelled;
    }
    if (lock >= 0)
        close(lock);
    if (busy_line)
        fputs("\r\033[K", stderr);
    free(argv);
    if (result->cancelled) {
        kata_proc_result_free(&run);
        result->started = true;
        result->output = kata_xstrdup("");
        result->diagnostics = kata_xstrdup("");
        return KATA_OK;
    }
    if (rc != KATA_OK) {
        result->output = kata_format("%s\n", kata_errmsg());
        result->diagnostics = kata_xstrdup(result->output);
        return rc;
    }
    keep_output(result, &run, k->root);
    return KATA_OK;
}

void kata_build_result_free(kata_build_result *result)
{
    free(result->diagnostics);
    free(result->output);
    result->diagnostics = result->output = NULL;
}

/* ---- Filtering ----------------------------------------------------------
 *
 * What a compiler says comes as a diagnostic line ("file:12:5: error:
 * ...") followed by context (the source line, a caret, a fix-it), in the
 * same way for gcc and clang; linkers name the symbol. Around them make
 * and ninja print progress, commands and their own failure notices,
 * which say nothing the learner can act on. */

/* Whether line has one of the count markers: anywhere in it (at_start
 * false) or at its start. */
static bool has_marker(const char *line, const char *const *markers,
                       size_t count, bool at_start)
{
    for (size_t i = 0; i < count; i++)
        if (at_start ? kata_starts_with(line, markers[i])
                     : strstr(line, markers[i]) != NULL)
            return true;
    return false;
}

#define MARKER_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_diagnostic(const char *line)
{
    static const char *const markers[] = {": error:",
                                          ": warning:",
                                          ": note:",
                                          ": fatal error:",
                                          ": In function",
                                          "In file included from",
                                          "undefined reference",
                                          "multiple definition",
                                          "Undefined symbols",
                                          "ld: ",
                                          "CMake Error",
                                          "CMake Warning",
                                          ": undefined symbol:"};
    return has_marker(line, markers, MARKER_COUNT(markers), false);
}

static bool is_build_chatter(const char *line)
{
    static const char *const prefixes[] = {"gmake",
                                           "make:",
                                           "make[",
                                           "ninja:",
                                           "FAILED:",
                                           "Scanning ",
                                           "Consolidate ",
                                           "-- ",
                                           "Built target",
                                           "Building C",
                                           "Linking C",
                                           "Change Dir:",
                                           "Run Build Command",
                                           "collect2: ",
                                           "clang: error: linker"};
    if (line[0] == '[' &&
        (line[1] == ' ' || (line[1] >= '0' && line[1] <= '9')))
        return true; /* "[ 50%]" (make) or "[3/7]" (ninja) */
    if (has_marker(line, prefixes, MARKER_COUNT(prefixes), true))
        return true;
    /* A compiler's command line, as ninja prints it on failure. */
    if ((line[0] == '/' || kata_starts_with(line, "cc ") ||
         kata_starts_with(line, "gcc ") || kata_starts_with(line, "clang ")) &&
        (strstr(line, " -c ") != NULL || strstr(line, " -o ") != NULL))
        return true;
    /* clang's "2 errors generated." */
    if (kata_ends_with(line, " generated.") &&
        (strstr(line, " error") != NULL || strstr(line, " warning") != NULL))
        return true;
    return false;
}

typedef struct filter {
    kata_buf out;
    const char *root;
    bool in_context; /* the lines after a diagnostic belong to it */
} filter;

static void keep(filter *f, const char *line)
{
    char *relative = kata_strip_root(line, f->root);
    kata_buf_puts(&f->out, relative);
    kata_buf_putc(&f->out, '\n');
    free(relative);
}

static void filter_line(void *ctx, const char *line)
{
    filter *f = ctx;
    if (is_build_chatter(line) || line[0] == '\0') {
        f->in_context = false;
    } else if (is_diagnostic(line)) {
        keep(f, line);
        f->in_context = true;
    } else if (f->in_context) {
        keep(f, line);
    }
}

/* The output without terminal escape sequences: a compiler told to colour
 * its messages (CMAKE_COLOR_DIAGNOSTICS) would hide them from the filter. */
static char *without_escapes(const char *text)
{
    kata_buf out = {0};
    for (const char *p = text; *p;) {
        if (p[0] == '\033' && p[1] == '[') {
            p += 2;
            while (*p && !(*p >= '@' && *p <= '~'))
                p++;
            if (*p)
                p++;
            continue;
        }
        const char *next = strchr(p, '\033');
        size_t n = next ? (size_t)(next - p) : strlen(p);
        if (n == 0) {
            /* A lone escape that starts no sequence. */
            p++;
            continue;
        }
        kata_buf_add(&out, p, n);
        p += n;
    }
    return kata_buf_take(&out);
}

/* ---- The learner's line first -------------------------------------------
 *
 * gcc reports a mistake made in a macro's arguments where the macro's
 * body is, in esk's header ("include/esk/codec.h:86:21: error: ..."),
 * once for each use of the argument in the body, and names the learner's
 * line only in a note further down ("events.c:12:5: note: in expansion of
 * macro 'ESK_FIELD_STRING'"). The learner needs their own line: such an
 * error is shown there, once, and the first error in the learner's files
 * comes first. clang already reports it there. */

typedef struct lines {
    char **items;
    size_t count;
} lines;

static void add_line(void *ctx, const char *line)
{
    lines *l = ctx;
    l->items = kata_xrealloc(l->items, (l->count + 1) * sizeof(*l->items));
    l->items[l->count++] = kata_xstrdup(line);
}

/* A diagnostic is one compiler message: its lines [first, end), the line
 * that says what is wrong (or none, for an include chain alone), and the
 * text to show. */
typedef struct diagnostic {
    size_t first, end;
    const char *primary;
    char *shown;
} diagnostic;

static const char *const severities[] = {
    ": error: ", ": fatal error: ", ": warning: "};

/* Where the severity starts in a primary line ("file:1:2: error: ..."),
 * or NULL when the line is not one. */
static const char *severity_of(const char *line)
{
    for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]); i++) {
        const char *at = strstr(line, severities[i]);
        if (at != NULL)
            return at;
    }
    return NULL;
}

static bool opens_chain(const char *line)
{
    return kata_starts_with(line, "In file included from") ||
           strstr(line, ": In function") != NULL;
}

/* Whether a location ("exercises/01-events/events.c:12:5") is in the
 * learner's files rather than esk's or the system's. */
static bool in_exercise(const char *location)
{
    return kata_starts_with(location, "exercises/");
}

/* The text of d, at the learner's line when the compiler put it in a
 * macro's body and a note names the learner's use of the macro. */
static char *shown_text(const lines *l, const diagnostic *d)
{
    kata_buf out = {0};
    const char *severity = d->primary ? severity_of(d->primary) : NULL;
    if (severity != NULL && !in_exercise(d->primary)) {
        for (size_t i = d->first; i < d->end; i++) {
            const char *line = l->items[i];
            const char *note = strstr(line, ": note: in expansion of macro");
            if (note == NULL || !in_exercise(line))
                continue;
            kata_buf_add(&out, line, (size_t)(note - line));
            kata_buf_puts(&out, severity);
            kata_buf_putc(&out, '\n');
            for (size_t j = i + 1; j < d->end && l->items[j][0] == ' ' &&
                                   !kata_starts_with(l->items[j], "  from");
                 j++) {
                kata_buf_puts(&out, l->items[j]);
                kata_buf_putc(&out, '\n');
            }
            return kata_buf_take(&out);
        }
    }
    for (size_t i = d->first; i < d->end; i++) {
        kata_buf_puts(&out, l->items[i]);
        kata_buf_putc(&out, '\n');
    }
    return kata_buf_take(&out);
}

/* The first line of a shown text, which names the place and the error. */
static size_t head_length(const char *shown)
{
    const char *end = strchr(shown, '\n');
    return end ? (size_t)(end - shown) : strlen(shown);
}

static bool same_head(const char *a, const char *b)
{
    size_t n = head_length(a);
    return n == head_length(b) && strncmp(a, b, n) == 0;
}

static char *learner_first(const char *filtered)
{
    lines l = {NULL, 0};
    kata_each_line(filtered, add_line, &l);
    diagnostic *d = kata_xcalloc(l.count + 1, sizeof(*d));
    size_t n = 0;
    for (size_t i = 0; i < l.count; i++) {
        const char *line = l.items[i];
        bool primary = severity_of(line) != NULL && line[0] != ' ';
        bool starts =
            primary ? n == 0 || d[n - 1].primary != NULL
                    : opens_chain(line) && (n == 0 || d[n - 1].primary != NULL);
        if (starts || n == 0)
            d[n++] = (diagnostic){i, i, NULL, NULL};
        if (primary && d[n - 1].primary == NULL)
            d[n - 1].primary = line;
        d[n - 1].end = i + 1;
    }

    kata_buf out = {0};
    size_t lead = n;
    for (size_t i = 0; i < n; i++) {
        d[i].shown = shown_text(&l, &d[i]);
        bool mine = in_exercise(d[i].shown) ||
                    (d[i].primary != NULL && in_exercise(d[i].primary));
        if (lead == n && mine && strstr(d[i].shown, ": error: ") != NULL)
            lead = i;
    }
    if (lead < n)
        kata_buf_puts(&out, d[lead].shown);
    for (size_t i = 0; i < n; i++) {
        bool repeated = i == lead;
        for (size_t j = 0; j < i && !repeated; j++)
            repeated = same_head(d[j].shown, d[i].shown);
        if (lead < n && !repeated)
            repeated = same_head(d[lead].shown, d[i].shown);
        if (!repeated)
            kata_buf_puts(&out, d[i].shown);
    }
    for (size_t i = 0; i < n; i++)
        free(d[i].shown);
    free(d);
    for (size_t i = 0; i < l.count; i++)
        free(l.items[i]);
    free(l.items);
    char *text = kata_buf_take(&out);
    return text ? text : kata_xstrdup("");
}

char *kata_filter_diagnostics(const char *output, const char *root)
{
    filter f = {{0}, root, false};
    char *plain = without_escapes(output);
    kata_each_line(plain, filter_line, &f);
    free(plain);
    char *filtered = kata_buf_take(&f.out);
    char *shown = learner_first(filtered ? filtered : "");
    free(filtered);
    return shown;
}
