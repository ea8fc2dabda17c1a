/*
 * runner/build.h - building exercise targets, and showing the compiler's
 * messages without the build tool's chatter around them.
 */
#ifndef KATA_BUILD_H
#define KATA_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "kata.h"

typedef struct kata_build_result {
    bool ok;           /* every target was built */
    bool started;      /* cmake could be run at all */
    bool cancelled;    /* k->build_tick stopped it before its end */
    char *diagnostics; /* the compiler's errors and warnings with their
                          context, paths relative to the root; "" if none */
    char *output;      /* everything the build printed */
} kata_build_result;

/* Runs `cmake --build DIR --target T... --parallel N` on a configured
 * build folder. Two runners on the same folder (watch in one terminal,
 * the board in another, or the mutant harness of selftest) take turns,
 * through a lock on DIR/.kata-build.lock. While it waits for its turn
 * and while it builds, k->build_tick (when set) is called about every
 * 200 ms; when it returns false, the build's whole process group is
 * stopped (SIGTERM, then SIGKILL) and result->cancelled is set.
 * Returns KATA_OK when cmake ran, result->ok saying whether every
 * target built (a compile error is the learner's news, not a failure of
 * the runner), or when the build was cancelled; KATA_EFAIL when cmake
 * could not be run (result->started is false; the last error and
 * result->diagnostics say why). Free the result with
 * kata_build_result_free(). */
kata_status kata_build(const kata *k, const char *build_dir,
                       const char *const *targets, size_t count,
                       kata_build_result *result);
void kata_build_result_free(kata_build_result *result);

/* The lines of a build's output that a learner needs: the compiler's and
 * the linker's errors, warnings and notes with the source lines and
 * carets under them, and CMake's own errors. Paths under root are made
 * relative to it. A new string ("" when nothing matched). */
char *kata_filter_diagnostics(const char *output, const char *root);

/* The cmake program to use: $KATA_CMAKE, or cmake on PATH. */
const char *kata_cmake(void);

#endif
