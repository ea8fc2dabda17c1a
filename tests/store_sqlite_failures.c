/*
 * tests/store_sqlite_failures.c - what a failure says: a full disk, a
 * busy or read-only connection, a trigger, an interrupt, a failed write.
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

/* ---- What a failure says ---------------------------------------------
 *
 * SQLite reports a failure with an extended code; the store keeps its
 * status coarse but says which failure it was, in the user's terms, and
 * what to do about it.
 */

/* Append one event of about size bytes of data. */
static esk_status append_sized(esk_store *store, const char *stream_id,
                               size_t size)
{
    char *data = malloc(size + 3);
    assert_non_null(data);
    data[0] = '"';
    memset(data + 1, 'x', size);
    data[size + 1] = '"';
    data[size + 2] = '\0';
    esk_status rc = append_one(store, stream_id, ESK_ANY, "Big", data);
    free(data);
    return rc;
}

void a_full_disk_is_named_as_such(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    /* The database may not grow: the same failure as a full disk. */
    sqlite3 *db = esk_store_sqlite_db(store);
    int64_t pages = raw_int(db, "PRAGMA page_count");
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", (long long)pages);
    raw_exec(db, sql);

    assert_int_equal(append_sized(store, "s-1", 64 * 1024), ESK_EIO);
    assert_contains(esk_errmsg(), "appending to stream 's-1'");
    assert_contains(esk_errmsg(), "the disk is full");
    assert_contains(esk_errmsg(), "free some space");
    assert_true(head_of(store) == 1);

    esk_store_free(store);
}

void an_open_query_on_the_stores_connection_is_named_when_append_is_busy(
    void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.busy_timeout_ms = 50;
    esk_store *store = open_store(path, &options);
    esk_store *other = open_store(path, &options);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_OK);

    /* A statement stepped but not finished holds its snapshot. */
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(esk_store_sqlite_db(store),
                                        "SELECT position FROM events", -1,
                                        &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(append_one(other, "s-2", ESK_ANY, "T", "3"), ESK_OK);

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_EBUSY);
    const char *message = esk_errmsg();
    assert_contains(message, "appending to stream 's-1'");
    assert_contains(message, "older snapshot");
    assert_contains(message, "finish or reset");
    assert_int_equal(esk_error_last()->ext, ESK_EXT_BUSY_SNAPSHOT);
    /* No other connection held the lock for the busy timeout. */
    if (strstr(message, "more than") != NULL)
        fail_msg("\"%s\" blames the busy timeout", message);

    sqlite3_finalize(stmt);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_OK);
    esk_store_free(other);
    esk_store_free(store);
    temp_dir_remove(&dir);
}

void a_connection_made_read_only_is_named(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    raw_exec(esk_store_sqlite_db(store), "PRAGMA query_only = 1");

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"),
                     ESK_EREADONLY);
    assert_contains(esk_errmsg(), "cannot write");
    assert_contains(esk_errmsg(), "query_only");

    raw_exec(esk_store_sqlite_db(store), "PRAGMA query_only = 0");
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
}

void a_trigger_that_refuses_an_event_is_named(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    esk_store *store = open_store(path, NULL);
    sqlite3 *db = raw_open(path);
    raw_exec(db, "CREATE TRIGGER curfew BEFORE INSERT ON events "
                 "BEGIN SELECT RAISE(ABORT, 'closed for the night'); END");
    sqlite3_close(db);

    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_EIO);
    assert_contains(esk_errmsg(), "a trigger");
    assert_contains(esk_errmsg(), "closed for the night");
    assert_true(head_of(store) == 0);

    esk_store_free(store);
    temp_dir_remove(&dir);
}

static int interrupt_at_once(void *ctx)
{
    (void)ctx;
    return 1;
}

void an_interrupted_operation_is_named(void **state)
{
    (void)state;
    esk_store *store = open_store(":memory:", NULL);
    sqlite3_progress_handler(esk_store_sqlite_db(store), 1, interrupt_at_once,
                             NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_EIO);
    assert_contains(esk_errmsg(), "was interrupted");
    sqlite3_progress_handler(esk_store_sqlite_db(store), 0, NULL, NULL);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);
    esk_store_free(store);
}

/*
 * A disk that fails on demand: a VFS that hands every call to the default
 * one, except that while `disk_fault` is set, the write or the flush it
 * names fails with that I/O error, as on a failing disk.
 */
static int disk_fault;
static sqlite3_vfs *real_vfs;

typedef struct faulty_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this */
} faulty_file;

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((faulty_file *)f)->real;
}

static int faulty_close(sqlite3_file *f)
{
    return real_of(f)->pMethods->xClose(real_of(f));
}
static int faulty_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 at)
{
    return real_of(f)->pMethods->xRead(real_of(f), buf, n, at);
}
static int faulty_write(sqlite3_file *f, const void *buf, int n,
                        sqlite3_int64 at)
{
    if (disk_fault == SQLITE_IOERR_WRITE)
        return SQLITE_IOERR_WRITE;
    return real_of(f)->pMethods->xWrite(real_of(f), buf, n, at);
}
static int faulty_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
static int faulty_sync(sqlite3_file *f, int flags)
{
    if (disk_fault == SQLITE_IOERR_FSYNC)
        return SQLITE_IOERR_FSYNC;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}
static int faulty_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
static int faulty_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}
static int faulty_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}
static int faulty_check_reserved(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
static int faulty_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
static int faulty_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}
static int faulty_device(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
static int faulty_shm_map(sqlite3_file *f, int region, int size, int extend,
                          void volatile **out)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, out);
}
static int faulty_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
static void faulty_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}
static int faulty_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

/* Version 2: shared memory (WAL), no memory-mapped reads. */
static const sqlite3_io_methods faulty_methods = {
    2,
    faulty_close,
    faulty_read,
    faulty_write,
    faulty_truncate,
    faulty_sync,
    faulty_file_size,
    faulty_lock,
    faulty_unlock,
    faulty_check_reserved,
    faulty_file_control,
    faulty_sector_size,
    faulty_device,
    faulty_shm_map,
    faulty_shm_lock,
    faulty_shm_barrier,
    faulty_shm_unmap,
    NULL,
    NULL,
};

static int faulty_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f,
                       int flags, int *out_flags)
{
    (void)vfs;
    faulty_file *file = (faulty_file *)f;
    file->real = (sqlite3_file *)(file + 1);
    int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
    file->base.pMethods = file->real->pMethods != NULL ? &faulty_methods : NULL;
    return rc;
}

static sqlite3_vfs faulty_vfs;

/* Make the failing disk the default, until faulty_disk_remove(): the
 * test's setup and teardown, so that a failed test removes it too. */
int faulty_disk_install(void **state)
{
    (void)state;
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    faulty_vfs = *real_vfs;
    faulty_vfs.zName = "esk-test-faulty-disk";
    faulty_vfs.szOsFile = (int)sizeof(faulty_file) + real_vfs->szOsFile;
    faulty_vfs.xOpen = faulty_open;
    disk_fault = 0;
    return sqlite3_vfs_register(&faulty_vfs, 1) == SQLITE_OK ? 0 : -1;
}

int faulty_disk_remove(void **state)
{
    (void)state;
    disk_fault = 0;
    if (sqlite3_vfs_unregister(&faulty_vfs) != SQLITE_OK)
        return -1;
    return sqlite3_vfs_register(real_vfs, 1) == SQLITE_OK ? 0 : -1;
}

void a_failed_write_or_flush_says_which(void **state)
{
    (void)state;
    temp_dir dir;
    temp_dir_make(&dir);
    char path[128];
    path_in(path, sizeof path, &dir, "store.db");
    /* FULL flushes the log at every commit. */
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = ESK_DURABILITY_FULL;
    esk_store *store = open_store(path, &options);
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "1"), ESK_OK);

    disk_fault = SQLITE_IOERR_WRITE;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "2"), ESK_EIO);
    assert_contains(esk_errmsg(), "writing to the database file");
    assert_contains(esk_errmsg(), "check the disk");

    disk_fault = SQLITE_IOERR_FSYNC;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "3"), ESK_EIO);
    assert_contains(esk_errmsg(), "flushing");
    assert_contains(esk_errmsg(), "fsync");

    disk_fault = 0;
    assert_int_equal(append_one(store, "s-1", ESK_ANY, "T", "4"), ESK_OK);
    esk_store_free(store);
    temp_dir_remove(&dir);
}
