/*
 * fuzz/fuzz.h - what the fuzz targets share.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput(), the entry point of
 * libFuzzer. The same file links into a libFuzzer fuzzer (built with clang
 * and -DESK_FUZZ=ON) and into a replay program (replay.c) that ctest runs
 * on the committed corpus and regressions in every build.
 *
 * A target states what must hold with FUZZ_CHECK(): a broken rule prints
 * where and why, then aborts, which libFuzzer reports as a crash and saves
 * the input that caused it.
 */
#ifndef ESK_FUZZ_H
#define ESK_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/status.h>

/* Called by libFuzzer, or by replay.c, with one input. Returns 0. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "file:line: check failed: cond: message" and abort. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn, format(printf, 4, 5)))
#endif
void fuzz_fail(const char *file, int line, const char *cond,
               const char *format, ...);

/* The message is required: it says what the broken rule means. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond))                                                           \
            fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                 \
    } while (0)

/* ---- Choices read from the input ---------------------------------------
 *
 * A target that needs more than one string (the store, upcasters) reads
 * its choices one by one from the input. An exhausted input reads as
 * zeros, so every input is a complete program, and a byte more or less
 * changes one choice rather than the meaning of all the others.
 */
typedef struct fuzz_input {
    const uint8_t *p;
    size_t left;
} fuzz_input;

uint8_t fuzz_byte(fuzz_input *in);
/* A number in [0, n), n >= 1. */
size_t fuzz_below(fuzz_input *in, size_t n);
/* 8 bytes, little end first. */
uint64_t fuzz_u64(fuzz_input *in);
/* A string of up to max bytes (a length byte, then the bytes; a longer
 * one when the length byte is 255), written to buf with a final NUL. buf
 * holds max + 1 bytes. A NUL among the bytes ends the string early. */
char *fuzz_string(fuzz_input *in, char *buf, size_t max);

/* ---- esk's allocator, counted ----------------------------------------
 *
 * Installed with esk_set_allocator() on a target's first input, so that
 * esk's and jansson's blocks are counted: every input must end with as
 * many blocks as it began with (a leak check that also works in the
 * replay build, without a sanitizer). fuzz_alloc_fail_at(k) makes the
 * k-th allocation from now fail (0: none), for out-of-memory paths.
 */
void fuzz_alloc_install(void);
long fuzz_alloc_live(void);
unsigned long fuzz_alloc_count(void);
void fuzz_alloc_fail_at(unsigned long k);

/* Copy data into a fresh NUL-terminated string (malloc; free it). */
char *fuzz_text(const uint8_t *data, size_t size);

#endif
