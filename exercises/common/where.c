/*
 * exercises/common/where.c - addresses of the stack, in source terms.
 *
 * Linux, unoptimised builds only: elsewhere where_capture() gives an empty
 * stack, and messages fall back to what the check itself knows.
 */
#define _GNU_SOURCE /* dladdr */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "where.h"

/* Frame pointers are kept by an unoptimised build (the kit's Debug
 * presets), where the walk below is sound; an optimised one may use the
 * register for anything, so it takes no stack there. */
#if defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) &&         \
    !defined(__OPTIMIZE__)
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#define WHERE_WORKS 1
/* Where the linker put this executable's code. */
extern char __executable_start[];
extern char etext[];
#else
#define WHERE_WORKS 0
#endif

int where_capture(void **pcs, int max, const void *top)
{
    int count = 0;
#if WHERE_WORKS
    /* A frame record is the caller's frame pointer, then the return
     * address (x86-64 and AArch64 alike). */
    void *const *frame = __builtin_frame_address(0);
    while (count < max && top != NULL && (const void *)frame < top &&
           (uintptr_t)frame % sizeof(void *) == 0) {
        char *pc = frame[1];
        /* A call from a library (jansson calling esk's allocator) is
         * passed over: the frames around it are esk's and the learner's. */
        if (pc >= __executable_start && pc < etext)
            pcs[count++] = pc;
        void *const *outer = frame[0];
        if (outer <= frame)
            break;
        frame = outer;
    }
#else
    (void)pcs;
    (void)max;
    (void)top;
#endif
    return count;
}

#if WHERE_WORKS
/* The address addr2line knows pc by, or 0 when pc is not in this
 * executable (a shared library: libc, cmocka). A position-independent
 * executable is looked up by offsets from where it was loaded. */
static uintptr_t file_address(const void *pc)
{
    /* Any object of this executable tells where it was loaded. */
    static const char anchor = 0;
    Dl_info self, at;
    if (dladdr(&anchor, &self) == 0 || dladdr(pc, &at) == 0 ||
        at.dli_fbase != self.dli_fbase)
        return 0;
    /* A return address is the instruction after the call: step back into
     * the call, whose line is the one wanted. */
    uintptr_t address = (uintptr_t)pc - 1;
    const unsigned char *header = self.dli_fbase;
    bool position_independent = header[16] == 3; /* e_type ET_DYN */
    return position_independent ? address - (uintptr_t)self.dli_fbase : address;
}

/* One addr2line for the whole run, asked one address at a time: it
 * reads the debug information once, which is most of its time. */
static int symbolizer = -1;
static FILE *answers;
static bool symbolizer_failed;

static bool start_symbolizer(void)
{
    char exe[1024];
    int ends[2];
    if (symbolizer >= 0 || symbolizer_failed)
        return symbolizer >= 0;
    symbolizer_failed = true;
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return false;
    exe[len] = '\0';
    /* A socket, so that a write to an addr2line that died fails with
     * EPIPE (MSG_NOSIGNAL) instead of killing the test. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0) {
        close(ends[0]);
        close(ends[1]);
        return false;
    }
    if (pid == 0) {
        int quiet = open("/dev/null", O_WRONLY);
        dup2(ends[1], 0);
        dup2(ends[1], 1);
        if (quiet >= 0)
            dup2(quiet, 2);
        execlp("addr2line", "addr2line", "-f", "-e", exe, (char *)NULL);
        _exit(127);
    }
    close(ends[1]);
    answers = fdopen(fcntl(ends[0], F_DUPFD_CLOEXEC, 0), "r");
    if (answers == NULL) {
        close(ends[0]);
        return false;
    }
    symbolizer = ends[0];
    symbolizer_failed = false;
    return true;
}

/* Read "name\nfile:line\n", addr2line's answer for one address. */
static bool read_place(FILE *answer, where_place *place)
{
    char line[sizeof(place->file) + 32];
    if (fgets(line, sizeof(line), answer) == NULL)
        return false;
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, "??") != 0)
        snprintf(place->function, sizeof(place->function), "%.*s",
                 (int)sizeof(place->function) - 1, line);
    if (fgets(line, sizeof(line), answer) == NULL)
        return false;
    line[strcspn(line, "\n")] = '\0';
    /* "file:12 (discriminator 3)" */
    char *extra = strstr(line, " (");
    if (extra != NULL)
        *extra = '\0';
    char *colon = strrchr(line, ':');
    if (colon != NULL && strncmp(line, "??", 2) != 0) {
        *colon = '\0';
        place->line = atoi(colon + 1);
        snprintf(place->file, sizeof(place->file), "%.*s",
                 (int)sizeof(place->file) - 1, line);
    }
    return true;
}

static bool look_up(uintptr_t address, where_place *place)
{
    char request[32];
    int n = snprintf(request, sizeof(request), "%#jx\n", (uintmax_t)address);
    if (send(symbolizer, request, (size_t)n, MSG_NOSIGNAL) != n ||
        !read_place(answers, place)) {
        /* It died: stop asking. */
        fclose(answers);
        close(symbolizer);
        answers = NULL;
        symbolizer = -1;
        symbolizer_failed = true;
        return false;
    }
    return true;
}
#endif

bool where_lookup(void *const *pcs, size_t n, where_place *places)
{
    memset(places, 0, n * sizeof(*places));
#if WHERE_WORKS
    bool found = false;
    if (!start_symbolizer())
        return false;
    for (size_t i = 0; i < n; i++) {
        uintptr_t address = file_address(pcs[i]);
        if (address == 0)
            continue;
        if (!look_up(address, &places[i]))
            return false;
        found = found || places[i].line > 0;
    }
    return found;
#else
    (void)pcs;
    return false;
#endif
}

bool where_works(void)
{
    void *pc[1];
    where_place place;
    char here = 0;
    return where_capture(pc, 1, &here) == 1 && where_lookup(pc, 1, &place);
}
