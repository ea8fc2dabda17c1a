/*
 * fuzz/replay.c - run a fuzz target on saved inputs, without libFuzzer.
 *
 *   fuzz_replay_codec FILE_OR_DIR...
 *
 * Every file named, and every file in a folder named (not in its
 * subfolders; names starting with '.' are skipped), is given to the
 * target's LLVMFuzzerTestOneInput() in name order. A broken check aborts,
 * so the exit status is 0 only when every input passed. This is how the
 * committed corpus and the regressions run as ctest tests in every build,
 * with gcc as well as clang.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Read a whole file into a malloc'd buffer; false (and a message) when it
 * cannot be read. */
static bool read_file(const char *path, uint8_t **out, size_t *out_size)
{
    FILE *file = fopen(path, "rb");
    uint8_t *data = NULL;
    size_t size = 0, capacity = 0;
    bool ok = false;

    if (file == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    for (;;) {
        if (size == capacity) {
            capacity = capacity == 0 ? 4096 : capacity * 2;
            uint8_t *grown = realloc(data, capacity);
            if (grown == NULL) {
                fprintf(stderr, "%s: out of memory\n", path);
                goto done;
            }
            data = grown;
        }
        size_t n = fread(data + size, 1, capacity - size, file);
        size += n;
        if (n == 0)
            break;
    }
    if (ferror(file)) {
        fprintf(stderr, "%s: read error\n", path);
        goto done;
    }
    *out = data;
    *out_size = size;
    data = NULL;
    ok = true;
done:
    free(data);
    fclose(file);
    return ok;
}

static bool run_file(const char *path, size_t *runs)
{
    uint8_t *data = NULL;
    size_t size = 0;
    if (!read_file(path, &data, &size))
        return false;
    /* Said before the run: when a check aborts, the log names the input. */
    printf("%s (%zu bytes)\n", path, size);
    fflush(stdout);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    (*runs)++;
    return true;
}

static int skip_hidden(const struct dirent *entry)
{
    return entry->d_name[0] != '.';
}

static bool run_path(const char *path, size_t *runs)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path, runs);

    struct dirent **entries = NULL;
    int n = scandir(path, &entries, skip_hidden, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(path) + strlen(entries[i]->d_name) + 2;
        char *file = malloc(len);
        if (file == NULL) {
            ok = false;
        } else {
            snprintf(file, len, "%s/%s", path, entries[i]->d_name);
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
                ok = run_file(file, runs) && ok;
        }
        free(file);
        free(entries[i]);
    }
    free(entries);
    return ok;
}

int main(int argc, char **argv)
{
    size_t runs = 0;
    bool ok = true;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        ok = run_path(argv[i], &runs) && ok;
    printf("%zu inputs passed\n", runs);
    return ok ? 0 : 1;
}
