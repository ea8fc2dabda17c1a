/*
 * tests/store_sqlite_sharing.c - several handles and processes on one
 * file, locking, and closing without leaking a file.
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
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "esk/store.h"
#include "store_sqlite_fixture.h"

/* ---- Sharing a file ---------------------------------------------------- */

void two_handles_on_one_file_see_each_others_appends(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store *a = open_store(path, NULL);
    esk_store *b = open_store(path, NULL);
    assert_int_equal(append_one(a, "room-1", ESK_NO_STREAM, "Booked", "1"),
                     ESK_OK);
    int64_t version = 0;
    assert_int_equal(esk_store_stream_version(b, "room-1", &version), ESK_OK);
    assert_true(version == 1);
    assert_int_equal(append_one(b, "room-1", 1, "Cancelled", "2"), ESK_OK);

    /* a still believes the stream is at version 1. */
    assert_int_equal(append_one(a, "room-1", 1, "Cancelled", "3"),
                     ESK_ECONCURRENCY);
    assert_contains(esk_errmsg(), "is at version 2, expected 1");
    assert_true(head_of(a) == 2);

    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_stream(a, "room-1", 1, 0, &list), ESK_OK);
    assert_int_equal(list.count, 2);
    assert_string_equal(list.events[1].data, "2");

    esk_event_list_release(&list);
    esk_store_free(a);
    esk_store_free(b);
    temp_dir_remove(&dir);
}

void a_held_write_lock_makes_append_busy_and_writes_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 50;
    esk_store *store = open_store(path, &options);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "BEGIN IMMEDIATE");

    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "1"),
                     ESK_EBUSY);
    assert_contains(esk_errmsg(), "desk-1");
    assert_contains(esk_errmsg(), "locked");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_TIMEOUT);
    /* Reads go on while another connection writes. */
    assert_true(head_of(store) == 0);

    raw_exec(db, "ROLLBACK");
    sqlite3_close(db);
    assert_int_equal(append_one(store, "desk-1", ESK_ANY, "Taken", "1"),
                     ESK_OK);
    assert_true(head_of(store) == 1);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

enum { WRITERS = 4, APPENDS_PER_WRITER = 200, SHARED_STREAMS = 5 };

/* One writer process: waits for the start signal (start_fd reaching end of
 * file), then makes APPENDS_PER_WRITER appends, each to a stream whose
 * version it has just read, retried when another writer got there first.
 * Writes the number of appends the store acknowledged to report_fd. */
static int writer_main(const char *path, int writer, int start_fd,
                       int report_fd)
{
    char go;
    if (read(start_fd, &go, 1) != 0)
        return 1;

    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK) {
        fprintf(stderr, "writer %d: %s\n", writer, esk_errmsg());
        return 1;
    }
    long acknowledged = 0;
    int code = 0;
    for (int i = 0; i < APPENDS_PER_WRITER && code == 0; i++) {
        /* Every writer walks the streams in the same order, so that they
         * meet on the same stream as often as possible. */
        char stream[32], data[64];
        snprintf(stream, sizeof stream, "counter-%d", i % SHARED_STREAMS);
        snprintf(data, sizeof data, "{\"writer\":%d,\"n\":%d}", writer, i);
        esk_status rc = ESK_ECONCURRENCY;
        for (int attempt = 0; attempt < 1000; attempt++) {
            int64_t version = 0;
            rc = esk_store_stream_version(store, stream, &version);
            if (rc == ESK_OK)
                rc = append_one(store, stream, version, "Counted", data);
            if (rc != ESK_ECONCURRENCY && rc != ESK_EBUSY)
                break;
        }
        if (rc == ESK_OK) {
            acknowledged++;
        } else {
            fprintf(stderr, "writer %d: %s\n", writer, esk_errmsg());
            code = 1;
        }
    }
    esk_store_free(store);
    if (write(report_fd, &acknowledged, sizeof acknowledged) !=
        (ssize_t)sizeof acknowledged)
        code = 1;
    return code;
}

/* ---- Waiting for another process ---------------------------------------- */

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The writer: once the reader waits, an append rolled back, then one
 * committed, whose time it reports. */
static int waker_main(const char *path, int report)
{
    esk_store *store = NULL;
    if (esk_store_open_sqlite(&store, path, NULL) != ESK_OK)
        return 1;
    const esk_new_event e = {NULL, "Booked", 1, "{}", NULL};
    struct timespec pause = {0, 150 * 1000000L};
    nanosleep(&pause, NULL);
    int code = esk_store_begin(store) == ESK_OK &&
                       esk_store_append(store, "undone", ESK_ANY, &e, 1,
                                        NULL) == ESK_OK &&
                       esk_store_rollback(store) == ESK_OK
                   ? 0
                   : 1;
    nanosleep(&pause, NULL);
    if (esk_store_append(store, "kept", ESK_ANY, &e, 1, NULL) != ESK_OK)
        code = 1;
    int64_t committed = monotonic_ms();
    if (write(report, &committed, sizeof committed) != sizeof committed)
        code = 1;
    esk_store_free(store);
    return code;
}

void a_waiting_reader_wakes_soon_after_another_process_commits(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *reader = open_store(path, NULL);
    int report[2];
    assert_int_equal(pipe(report), 0);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(report[0]);
        _exit(waker_main(path, report[1]));
    }
    close(report[1]);
    /* The rolled-back append never shows: the wake is the commit's. */
    int64_t head = -1;
    assert_int_equal(esk_store_wait_for(reader, 0, 20000, &head), ESK_OK);
    int64_t woke = monotonic_ms();
    assert_int_equal(head, 1);
    esk_event_list list = ESK_EVENT_LIST_INIT;
    assert_int_equal(esk_store_read_all(reader, 0, 0, NULL, &list), ESK_OK);
    assert_int_equal(list.count, 1);
    assert_string_equal(list.events[0].stream_id, "kept");
    esk_event_list_release(&list);

    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    int64_t committed = 0;
    assert_int_equal(read(report[0], &committed, sizeof committed),
                     (ssize_t)sizeof committed);
    close(report[0]);
    /* Reads of the head 20 ms apart at most: well under 200 ms even on a
     * loaded machine. */
    if (woke - committed >= 200)
        fail_msg("woke %lld ms after the commit",
                 (long long)(woke - committed));

    esk_store_free(reader);
    temp_dir_remove(&dir);
}

void concurrent_writer_processes_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    int start[2], report[2];
    assert_int_equal(pipe(start), 0);
    assert_int_equal(pipe(report), 0);

    fflush(NULL);
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0) {
            close(start[1]);
            close(report[0]);
            _exit(writer_main(path, w, start[0], report[1]));
        }
    }
    /* Start them together: they race to create the file, then to write. */
    close(start[0]);
    close(start[1]);
    close(report[1]);
    for (int w = 0; w < WRITERS; w++) {
        int status = 0;
        assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    long acknowledged = 0, one;
    while (read(report[0], &one, sizeof one) == (ssize_t)sizeof one)
        acknowledged += one;
    close(report[0]);
    assert_int_equal(acknowledged, WRITERS * APPENDS_PER_WRITER);

    sqlite3 *db = raw_open(path);
    int64_t count = raw_int(db, "SELECT count(*) FROM events");
    assert_true(count == acknowledged);
    assert_true(raw_int(db, "SELECT count(DISTINCT event_id) FROM events") ==
                count);
    assert_true(raw_int(db, "SELECT min(position) FROM events") == 1);
    assert_true(raw_int(db, "SELECT max(position) FROM events") == count);
    /* Every stream holds versions 1..n: its count equals its top version
     * (UNIQUE(stream_id, version) rules out repeats). */
    assert_true(raw_int(db, "SELECT count(*) FROM (SELECT stream_id FROM "
                            "events GROUP BY stream_id HAVING min(version) "
                            "!= 1 OR max(version) != count(*))") == 0);
    assert_true(raw_int(db, "SELECT count(DISTINCT stream_id) FROM events") ==
                SHARED_STREAMS);
    char check[64];
    raw_text(db, "PRAGMA integrity_check", check, sizeof check);
    assert_string_equal(check, "ok");
    sqlite3_close(db);

    temp_dir_remove(&dir);
}

/* ---- Closing ---------------------------------------------------------- */

/* How many file descriptors this process has open. */
static int open_descriptors(void)
{
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

void closing_with_a_statement_open_leaks_no_file(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    int before = open_descriptors();
    esk_store *store = open_store(path, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_OK);
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                        "SELECT position FROM events", -1,
                                        &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);

    /* The statement keeps the connection until it is finalized, and no
     * longer. */
    esk_store_free(store);
    sqlite3_finalize(stmt);
    assert_int_equal(open_descriptors(), before);
    temp_dir_remove(&dir);
}
