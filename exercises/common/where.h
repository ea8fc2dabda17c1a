/*
 * exercises/common/where.h - which line of the exercise a failure comes
 * from. Internal to exercises/common.
 *
 * A check inside a helper, or a block that esk allocated for the
 * attendee's code, is noticed far from the line that matters: the test's
 * own line, the attendee's call. The stack at that moment says where it
 * is; the executable's debug information turns it into file:line.
 */
#ifndef EXERCISE_WHERE_H
#define EXERCISE_WHERE_H

#include <stdbool.h>
#include <stddef.h>

#define WHERE_MAX_FRAMES 32

/* One of those calls in source terms; "" and 0 for what is not known. */
typedef struct where_place {
    char function[128];
    char file[512];
    int line;
} where_place;

/*
 * Take up to max return addresses of the calls under way in this
 * executable: pcs[0] is in the function that called where_capture,
 * pcs[1] in its caller, and so on outwards, up to the frame top; calls
 * from a library (jansson, for esk) are passed over. Fast enough for every
 * allocation: it follows the frame pointers, each checked to lie on the stack
 * between here and top, rather than unwinding. Linux, unoptimised builds
 * only (elsewhere it takes nothing, and messages say less).
 *
 * @param top the address of a local of a function outside every frame
 *            wanted (the one that runs the tests); NULL takes nothing.
 * @return how many were taken (0 where the platform cannot).
 */
int where_capture(void **pcs, int max, const void *top);

/*
 * The function, file and line of each of n addresses of a stack. Asks
 * the system's addr2line, so it is slow (tens of milliseconds): only
 * for a failure being reported.
 *
 * @return whether any of them was found; places are always filled.
 */
bool where_lookup(void *const *pcs, size_t n, where_place *places);

/* Whether this platform and machine can look addresses up (Linux, with
 * binutils' addr2line): when not, messages say less, and tests of them
 * skip. */
bool where_works(void);

#endif
