/*
 * runner/fs.h - files and paths.
 *
 * Every path the runner handles is a plain C string it owns. Functions
 * that can fail return KATA_OK or KATA_EFAIL, the last error (error.h)
 * then naming the file and the reason ("could not write <path>: No space
 * left on device."); a caller adds what it was doing and what to do.
 */
#ifndef KATA_FS_H
#define KATA_FS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* "a" + "/" + "b"; the caller frees it. */
char *kata_path(const char *a, const char *b);
/* The absolute, resolved form of an existing path, or NULL when it does
 * not exist (a question, not a failure: the last error is left alone). */
char *kata_absolute(const char *path);
/* path relative to root when it is inside it, else path itself; new. */
char *kata_relative(const char *root, const char *path);

bool kata_exists(const char *path);
bool kata_is_dir(const char *path);
bool kata_is_executable(const char *path);

/* The whole file in *out (NUL-terminated, the caller frees it). */
kata_status kata_read_file(const char *path, char **out, size_t *len);
/* Replaces path with data in one step (a temporary file renamed over it),
 * so that a reader never sees half a file; creates the folders above. */
kata_status kata_write_file(const char *path, const char *data, size_t len);
/* Copies a file in one step, keeping its permission bits. */
kata_status kata_copy_file(const char *from, const char *to);
/* mkdir -p. */
kata_status kata_mkdirs(const char *path);
/* The sorted names in a folder (without . and ..): *names is a new array
 * of new strings; free it with kata_free_names(). */
kata_status kata_list_dir(const char *path, char ***names, size_t *count);
void kata_free_names(char **names, size_t count);

/* What changes when a file is saved or rebuilt: editors that write a new
 * file and rename it change the inode, others only the time and size. */
typedef struct kata_stamp {
    bool exists;
    long long seconds;
    long nanoseconds;
    long long size;
    unsigned long long inode;
} kata_stamp;

kata_stamp kata_stamp_of(const char *path);
bool kata_stamp_equal(const kata_stamp *a, const kata_stamp *b);

#endif
