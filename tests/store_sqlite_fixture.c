/*
 * tests/store_sqlite_fixture.c - a temporary folder, a store on a file,
 * and a plain sqlite3 connection to look at what esk wrote.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/store.h"
#include "store_sqlite_fixture.h"

/* ---- Helpers ----------------------------------------------------------- */

void temp_dir_make(temp_dir *dir)
{
    snprintf(dir->path, sizeof dir->path, "/tmp/esk-sqlite-XXXXXX");
    assert_non_null(mkdtemp(dir->path));
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *entry;
            while ((entry = readdir(d)) != NULL) {
                if (strcmp(entry->d_name, ".") == 0 ||
                    strcmp(entry->d_name, "..") == 0)
                    continue;
                char child[512];
                snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

void temp_dir_remove(temp_dir *dir)
{
    remove_tree(dir->path);
}

/* buf = dir/name */
void path_in(char *buf, size_t size, const temp_dir *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir->path, name);
}

esk_store *open_store(const char *path, const esk_store_options *o)
{
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, o);
    if (rc != ESK_OK)
        fail_msg("opening %s: %s", path, esk_errmsg());
    return store;
}

esk_status append_one(esk_store *store, const char *stream_id, int64_t expected,
                      const char *type, const char *data)
{
    const esk_new_event event = {NULL, type, 1, data, NULL};
    return esk_store_append(store, stream_id, expected, &event, 1, NULL);
}

int64_t head_of(esk_store *store)
{
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    return head;
}

/* A plain sqlite3 connection, to look at the file without esk. */
sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

void raw_exec(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fail_msg("%s: %s", sql, message);
    }
}

/* The first column of the first row of sql, as an integer. */
int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    int64_t value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* The first column of the first row of sql, copied into buf. */
void raw_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    snprintf(buf, size, "%s", text != NULL ? (const char *)text : "(null)");
    sqlite3_finalize(stmt);
}

/* A whole file's bytes, to prove a refused file was left alone. The
 * caller frees *out. */
size_t read_file(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t capacity = 4096, size = 0;
    char *bytes = malloc(capacity);
    assert_non_null(bytes);
    size_t n;
    while ((n = fread(bytes + size, 1, capacity - size, f)) > 0) {
        size += n;
        if (size == capacity) {
            capacity *= 2;
            bytes = realloc(bytes, capacity);
            assert_non_null(bytes);
        }
    }
    fclose(f);
    *out = bytes;
    return size;
}

void assert_file_unchanged(const char *path, const char *before,
                           size_t before_size)
{
    char *after = NULL;
    size_t after_size = read_file(path, &after);
    assert_int_equal(after_size, before_size);
    assert_memory_equal(after, before, before_size);
    free(after);
}

void assert_contains(const char *text, const char *part)
{
    if (strstr(text, part) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, part);
}

/* A clock stuck at one instant, so recorded_at is known. */
esk_time fixed_clock(void *ctx)
{
    return *(const esk_time *)ctx;
}
