/*
 * runner/fs.c - files and paths.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "text.h"

char *kata_path(const char *a, const char *b)
{
    if (kata_ends_with(a, "/"))
        return kata_format("%s%s", a, b);
    return kata_format("%s/%s", a, b);
}

char *kata_absolute(const char *path)
{
    char resolved[PATH_MAX];
    if (realpath(path, resolved) == NULL)
        return NULL;
    return kata_xstrdup(resolved);
}

char *kata_relative(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (strncmp(path, root, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
        return kata_xstrdup(path + n + 1);
    return kata_xstrdup(path);
}

bool kata_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool kata_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool kata_is_executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    kata_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kata_buf_add(&b, chunk, n);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        kata_buf_free(&b);
        errno = saved ? saved : EIO;
        return -1;
    }
    if (len != NULL)
        *len = b.len;
    *out = kata_buf_take(&b);
    return 0;
}

static int make_dirs(const char *path)
{
    char *copy = kata_xstrdup(path);
    int rc = 0;
    for (char *p = copy + 1; rc == 0; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char was = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST)
            rc = -1;
        else if (!kata_is_dir(copy)) {
            errno = ENOTDIR;
            rc = -1;
        }
        *p = was;
        if (was == '\0')
            break;
    }
    free(copy);
    return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes data to a temporary file next to path, with the given mode, and
 * renames it over path. */
static int replace_file(const char *path, const char *data, size_t len,
                        mode_t mode)
{
    char *dir = kata_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        if (make_dirs(dir) != 0) {
            free(dir);
            return -1;
        }
    }
    free(dir);

    char *tmp = kata_format("%s.kata-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = write_all(fd, data, len);
    if (rc == 0)
        rc = fchmod(fd, mode);
    if (close(fd) != 0)
        rc = -1;
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0) {
        int saved = errno;
        unlink(tmp);
        errno = saved;
    }
    free(tmp);
    return rc;
}

/* The last error for a call that failed with errno set: "could not
 * <what> <path>: <reason>." */
static kata_status fail_errno(const char *what, const char *path)
{
    return kata_fail(KATA_EFAIL, "could not %s %s: %s.", what, path,
                     strerror(errno));
}

kata_status kata_read_file(const char *path, char **out, size_t *len)
{
    return read_file(path, out, len) == 0 ? KATA_OK : fail_errno("read", path);
}

kata_status kata_mkdirs(const char *path)
{
    return make_dirs(path) == 0 ? KATA_OK
                                : fail_errno("create the folder", path);
}

kata_status kata_write_file(const char *path, const char *data, size_t len)
{
    struct stat st;
    mode_t mode = 0644;
    if (stat(path, &st) == 0)
        mode = st.st_mode & 07777;
    return replace_file(path, data, len, mode) == 0 ? KATA_OK
                                                    : fail_errno("write", path);
}

kata_status kata_copy_file(const char *from, const char *to)
{
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    if (stat(from, &st) != 0 || read_file(from, &data, &len) != 0)
        return fail_errno("read", from);
    int rc = replace_file(to, data, len, st.st_mode & 07777);
    free(data);
    return rc == 0 ? KATA_OK : fail_errno("write", to);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

kata_status kata_list_dir(const char *path, char ***names, size_t *count)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return fail_errno("read the folder", path);
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            list = kata_xrealloc(list, cap * sizeof(*list));
        }
        list[n++] = kata_xstrdup(entry->d_name);
    }
    closedir(dir);
    if (n > 0)
        qsort(list, n, sizeof(*list), compare_names);
    *names = list;
    *count = n;
    return KATA_OK;
}

void kata_free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

kata_stamp kata_stamp_of(const char *path)
{
    kata_stamp s = {0};
    struct stat st;
    if (stat(path, &st) != 0)
        return s;
    s.exists = true;
    s.seconds = (long long)st.st_mtime;
#if defined(__APPLE__)
    s.nanoseconds = (long)st.st_mtimespec.tv_nsec;
#else
    s.nanoseconds = (long)st.st_mtim.tv_nsec;
#endif
    s.size = (long long)st.st_size;
    s.inode = (unsigned long long)st.st_ino;
    return s;
}

bool kata_stamp_equal(const kata_stamp *a, const kata_stamp *b)
{
    return a->exists == b->exists && a->seconds == b->seconds &&
           a->nanoseconds == b->nanoseconds && a->size == b->size &&
           a->inode == b->inode;
}
