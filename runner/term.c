/*
 * runner/term.c - colours, symbols and the terminal's modes.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "term.h"

static bool utf8_locale(void)
{
    const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(names[i]);
        if (v != NULL && v[0] != '\0')
            return strstr(v, "UTF-8") != NULL || strstr(v, "utf8") != NULL ||
                   strstr(v, "utf-8") != NULL || strstr(v, "UTF8") != NULL;
    }
    return false;
}

void kata_term_init(kata_term *t, int fd, bool plain)
{
    const char *term = getenv("TERM");
    const char *no_colour = getenv("NO_COLOR");
    t->tty = isatty(fd) && !plain;
    t->colour = t->tty && (no_colour == NULL || no_colour[0] == '\0') &&
                term != NULL && strcmp(term, "dumb") != 0;
    t->unicode = t->tty && utf8_locale();
    if (t->colour) {
        t->bold = "\033[1m";
        t->dim = "\033[2m";
        t->red = "\033[31m";
        t->green = "\033[32m";
        t->yellow = "\033[33m";
        t->cyan = "\033[36m";
        t->reset = "\033[0m";
    } else {
        t->bold = t->dim = t->red = t->green = t->yellow = t->cyan = t->reset =
            "";
    }
    t->pass_mark = t->unicode ? "✓" : "PASS";
    t->fail_mark = t->unicode ? "✗" : "FAIL";
    t->sep = t->unicode ? " · " : " - ";
}

static int env_number(const char *name, int fallback)
{
    const char *v = getenv(name);
    if (v == NULL)
        return fallback;
    long n = strtol(v, NULL, 10);
    return n > 0 && n < 10000 ? (int)n : fallback;
}

int kata_term_width(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return env_number("COLUMNS", 80);
}

int kata_term_height(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
        return ws.ws_row;
    return env_number("LINES", 24);
}

void kata_progress_bar(kata_buf *out, const kata_term *t, size_t done,
                       size_t total, int width)
{
    if (width < 4)
        width = 4;
    size_t cells = (size_t)width;
    size_t full = total ? (done * cells + total / 2) / total : 0;
    if (full > cells)
        full = cells;
    /* A bar that is full while a test still fails would be a lie. */
    if (full == cells && done < total)
        full = cells - 1;
    if (t->unicode) {
        kata_buf_puts(out, t->green);
        for (size_t i = 0; i < full; i++)
            kata_buf_puts(out, "█");
        kata_buf_puts(out, t->reset);
        kata_buf_puts(out, t->dim);
        for (size_t i = full; i < cells; i++)
            kata_buf_puts(out, "░");
        kata_buf_puts(out, t->reset);
    } else {
        kata_buf_putc(out, '[');
        kata_buf_puts(out, t->green);
        for (size_t i = 0; i < full; i++)
            kata_buf_putc(out, '#');
        kata_buf_puts(out, t->reset);
        for (size_t i = full; i < cells; i++)
            kata_buf_putc(out, '-');
        kata_buf_putc(out, ']');
    }
}

static void message(const char *label, const char *colour, const char *format,
                    va_list args)
{
    kata_term t;
    kata_term_init(&t, 2, false);
    fflush(stdout);
    fprintf(stderr, "%s%s%s%s ", t.bold, t.colour ? colour : "", label,
            t.reset);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void kata_note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    message("note:", "\033[33m", format, args);
    va_end(args);
}

static void say(const char *label, const char *colour, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    message(label, colour, format, args);
    va_end(args);
}

void kata_error_show(const char *root)
{
    if (kata_errmsg()[0] == '\0')
        return;
    char *text = root != NULL ? kata_strip_root(kata_errmsg(), root)
                              : kata_xstrdup(kata_errmsg());
    char *next = strchr(text, '\n');
    if (next != NULL)
        *next++ = '\0';
    say("error:", "\033[31m", "%s", text);
    /* What to do next, indented under the error. */
    while (next != NULL && *next != '\0') {
        char *line = next;
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        fprintf(stderr, "       %s\n", line);
    }
    free(text);
}

bool kata_confirm(const char *question)
{
    printf("%s [y/N] ", question);
    fflush(stdout);
    char answer[64];
    if (fgets(answer, sizeof(answer), stdin) == NULL) {
        printf("\n");
        return false;
    }
    /* An answer piped in is not echoed by a terminal: show it, so that a
     * log reads like the conversation. */
    if (!isatty(0))
        printf("%s", answer);
    answer[strcspn(answer, "\r\n")] = '\0';
    return strcmp(answer, "y") == 0 || strcmp(answer, "Y") == 0 ||
           strcmp(answer, "yes") == 0 || strcmp(answer, "Yes") == 0 ||
           strcmp(answer, "YES") == 0;
}

/* ---- Key-at-a-time mode ------------------------------------------------ */

static struct termios saved_mode;
static struct termios raw_mode;
static int raw_fd = -1;
static volatile sig_atomic_t raw_active;
volatile sig_atomic_t kata_redraw_requested;

static void restore(void)
{
    if (raw_active) {
        tcsetattr(raw_fd, TCSAFLUSH, &saved_mode);
        raw_active = 0;
    }
}

void kata_raw_leave(void)
{
    restore();
}

static void install(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* Restore the terminal, then die of the same signal, so that the shell
 * sees how the runner ended. Only async-signal-safe calls here. */
static void on_fatal(int sig)
{
    restore();
    /* Leave the cursor on a fresh line, with the colours reset. */
    static const char tail[] = "\033[0m\n";
    ssize_t ignored = write(1, tail, sizeof(tail) - 1);
    (void)ignored;
    install(sig, SIG_DFL);
    raise(sig);
}

static void on_stop(int sig)
{
    (void)sig;
    restore();
    install(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);
}

static void on_continue(int sig)
{
    (void)sig;
    if (raw_fd >= 0 && tcsetattr(raw_fd, TCSAFLUSH, &raw_mode) == 0)
        raw_active = 1;
    install(SIGTSTP, on_stop);
    kata_redraw_requested = 1;
}

#ifdef SIGWINCH
static void on_resize(int sig)
{
    (void)sig;
    kata_redraw_requested = 1;
}
#endif

bool kata_raw_enter(int fd)
{
    if (!isatty(fd) || tcgetattr(fd, &saved_mode) != 0)
        return false;
    raw_mode = saved_mode;
    /* Keys arrive one at a time and are not echoed. ISIG stays on, so
     * that Ctrl-C still interrupts, and OPOST too, so that "\n" still
     * starts a new line. */
    raw_mode.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
    raw_mode.c_cc[VMIN] = 1;
    raw_mode.c_cc[VTIME] = 0;
    if (tcsetattr(fd, TCSAFLUSH, &raw_mode) != 0)
        return false;
    raw_fd = fd;
    raw_active = 1;
    atexit(restore);
    install(SIGINT, on_fatal);
    install(SIGTERM, on_fatal);
    install(SIGHUP, on_fatal);
    install(SIGQUIT, on_fatal);
    install(SIGTSTP, on_stop);
    install(SIGCONT, on_continue);
#ifdef SIGWINCH
    install(SIGWINCH, on_resize);
#endif
    return true;
}
