/*
 * tests/store_sqlite_foreign_files.c - files that are not ours, or not
 * for this esk, or not files at all: refused and left unchanged.
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

/* ---- Files that are not ours ------------------------------------------ */

void a_database_of_another_application_is_refused_and_left_unchanged(
    void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "accounts.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT);"
                 "INSERT INTO accounts(name) VALUES('Ada'), ('Grace');");
    sqlite3_close(db);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_null(store);
    assert_int_equal(esk_error_last()->status, ESK_ESCHEMA);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "not an esk event store");
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

void an_empty_database_stamped_by_another_application_is_refused(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "other.db");
    sqlite3 *db = raw_open(path);
    raw_exec(db, "PRAGMA application_id = 42");
    sqlite3_close(db);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_contains(esk_errmsg(), "not an esk event store");
    db = raw_open(path);
    assert_true(raw_int(db, "PRAGMA application_id") == 42);
    assert_true(raw_int(db, "SELECT count(*) FROM sqlite_master") == 0);
    sqlite3_close(db);

    temp_dir_remove(&dir);
}

void a_store_of_a_newer_esk_is_refused_and_left_unchanged(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "PRAGMA user_version = 99");
    sqlite3_close(db);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ESCHEMA);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_contains(esk_errmsg(), "newer esk");
    assert_contains(esk_errmsg(), "schema 99");
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

void a_text_file_is_refused_as_corrupt_and_left_unchanged(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "notes.txt");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("These are my notes, not a database.\n", f);
    fclose(f);
    char *before = NULL;
    size_t before_size = read_file(path, &before);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_ECORRUPT);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    assert_file_unchanged(path, before, before_size);

    free(before);
    temp_dir_remove(&dir);
}

void a_directory_is_refused_with_its_path_in_the_message(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, dir.path, NULL), ESK_EIO);
    assert_null(store);
    assert_contains(esk_errmsg(), dir.path);

    temp_dir_remove(&dir);
}

void a_missing_folder_is_refused_and_not_created(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char folder[128], path[160];
    path_in(folder, sizeof folder, &dir, "missing");
    snprintf(path, sizeof path, "%s/store.db", folder);

    esk_store *store = NULL;
    assert_int_equal(esk_store_open_sqlite(&store, path, NULL), ESK_EIO);
    assert_null(store);
    assert_contains(esk_errmsg(), path);
    struct stat st;
    assert_int_not_equal(stat(folder, &st), 0);

    temp_dir_remove(&dir);
}

/* The check of a_read_only_file_is_refused, run in a child process so that
 * it can give up root's right to write any file. Exit codes: 0 passed,
 * 77 could not drop privileges, other failed. */
enum { CHILD_PASSED = 0, CHILD_SKIPPED = 77, CHILD_FAILED = 1 };

static int open_read_only_in_child(const char *path)
{
    if (geteuid() == 0) {
        /* 65534 is "nobody" on Linux and macOS alike. */
        if (setgid(65534) != 0 || setuid(65534) != 0)
            return CHILD_SKIPPED;
    }
    if (access(path, W_OK) == 0)
        return CHILD_SKIPPED; /* this user can write it anyway */
    esk_store *store = NULL;
    esk_status rc = esk_store_open_sqlite(&store, path, NULL);
    if (rc != ESK_EREADONLY || store != NULL ||
        strstr(esk_errmsg(), path) == NULL) {
        fprintf(stderr, "read-only open gave %d: %s\n", (int)rc,
                rc == ESK_OK ? "" : esk_errmsg());
        esk_store_free(store);
        return CHILD_FAILED;
    }
    return CHILD_PASSED;
}

void a_read_only_file_is_refused(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
    assert_int_equal(chmod(path, 0444), 0);
    /* The unprivileged user must reach the file, not write the folder. */
    assert_int_equal(chmod(dir.path, 0555), 0);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(open_read_only_in_child(path));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    int code = WEXITSTATUS(status);

    temp_dir_remove(&dir);
    if (code == CHILD_SKIPPED) {
        print_message("cannot test: this user writes read-only files and "
                      "cannot become another user\n");
        skip();
    }
    assert_int_equal(code, CHILD_PASSED);
}
