/*
 * runner/tests/harness.h - a throwaway copy of the fixture kit, and
 * kata-runner run on it as a learner would run ./kata.
 *
 * Every test program is called as
 *   test_runner_X RUNNER FIXTURE GENERATOR C_COMPILER
 * by ctest: the runner to drive, the kit to copy, and how to configure
 * the copy (the same generator and compiler as the project's build).
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kit {
    char *dir;   /* the temporary folder, removed at the end */
    char *root;  /* dir/kit: the copy of the fixture */
    char *build; /* root/build/dev: its configured build folder */
} kit;

typedef struct outcome {
    int code;  /* the exit status, or 128 + the signal */
    char *out; /* stdout and stderr, merged */
} outcome;

/* Reads the command line of the test program; exits when it is wrong. */
void harness_init(int argc, char **argv);
const char *harness_runner(void);

/* Copies the fixture to a new temporary folder and configures it;
 * returns 0, or -1 with a message on stderr. */
int kit_create(kit *k);
/* The same, with a file or folder of the fixture (its path inside the
 * kit) removed before configuring: a kit handed out without solutions/. */
int kit_create_without(kit *k, const char *removed);
void kit_destroy(kit *k);

/* Runs kata-runner --root ROOT --build BUILD ARGS... with input on its
 * stdin (NULL: none) and env ("NAME=value", NULL-terminated, or NULL)
 * added to NO_COLOR=1. The argument list ends with NULL. */
outcome kit_run(const kit *k, const char *input, const char *const *env, ...);
void outcome_free(outcome *o);

/* Files of the kit, by their path inside it. */
void kit_write(const kit *k, const char *path, const char *text);
char *kit_read(const kit *k, const char *path);
void kit_copy(const kit *k, const char *from, const char *to);
bool kit_exists(const kit *k, const char *path);

/* Runs a program to its end with its output discarded; its exit status
 * (or -1). */
int harness_system(const char *const *argv, const char *cwd);

/* Prints the output of a failed expectation, so that ctest's log shows
 * what the runner said. */
bool contains(const outcome *o, const char *text);

#endif
