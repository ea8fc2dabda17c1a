/*
 * tests/fault_vfs.c - see fault_vfs.h.
 *
 * A shim: each file SQLite opens through the fault VFS is a fault_file
 * followed by the wrapped VFS's own file object, and every method passes
 * the call on to it, except when the counted call is the one that must
 * fail.
 */
#include <stddef.h>

#include <sqlite3.h>

#include "fault_vfs.h"

typedef struct fault_file {
    sqlite3_file base;
    /* The wrapped VFS's file, in the same allocation, just after this. */
    sqlite3_file *real;
} fault_file;

static struct {
    sqlite3_vfs vfs;
    sqlite3_vfs *wrapped;
    bool installed;
    /* Counted calls since fault_vfs_arm(). */
    long calls;
    /* The call that fails, counting from 1; 0 when disarmed. */
    long fail_at;
    bool persistent;
    int code;
    bool fired;
} fault;

/* Count a write-path call; the code it must fail with, or SQLITE_OK.
 * own_code is what a real VFS returns when this call fails. */
static int injected(int own_code)
{
    fault.calls++;
    if (fault.fail_at == 0 ||
        !(fault.calls == fault.fail_at ||
          (fault.persistent && fault.calls > fault.fail_at)))
        return SQLITE_OK;
    fault.fired = true;
    return fault.code == SQLITE_IOERR ? own_code : fault.code;
}

static sqlite3_file *real_of(sqlite3_file *file)
{
    return ((fault_file *)file)->real;
}

/* ---- The file methods --------------------------------------------------- */

static int fault_close(sqlite3_file *file)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods != NULL ? real->pMethods->xClose(real) : SQLITE_OK;
}

static int fault_read(sqlite3_file *file, void *buf, int amount,
                      sqlite3_int64 offset)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xRead(real, buf, amount, offset);
}

static int fault_write(sqlite3_file *file, const void *buf, int amount,
                       sqlite3_int64 offset)
{
    sqlite3_file *real = real_of(file);
    int rc = injected(SQLITE_IOERR_WRITE);
    return rc != SQLITE_OK ? rc
                           : real->pMethods->xWrite(real, buf, amount, offset);
}

static int fault_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    sqlite3_file *real = real_of(file);
    int rc = injected(SQLITE_IOERR_TRUNCATE);
    return rc != SQLITE_OK ? rc : real->pMethods->xTruncate(real, size);
}

static int fault_sync(sqlite3_file *file, int flags)
{
    sqlite3_file *real = real_of(file);
    int rc = injected(SQLITE_IOERR_FSYNC);
    return rc != SQLITE_OK ? rc : real->pMethods->xSync(real, flags);
}

static int fault_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xFileSize(real, size);
}

static int fault_lock(sqlite3_file *file, int level)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xLock(real, level);
}

static int fault_unlock(sqlite3_file *file, int level)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xUnlock(real, level);
}

static int fault_check_reserved_lock(sqlite3_file *file, int *out)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xCheckReservedLock(real, out);
}

/* The file controls that belong to writing; the code a real VFS gives
 * when one fails. 0 for those that only ask or configure. */
static int write_path_control(int op)
{
    switch (op) {
    case SQLITE_FCNTL_SYNC:
        return SQLITE_IOERR_FSYNC;
    case SQLITE_FCNTL_SIZE_HINT:
        return SQLITE_IOERR_WRITE;
    case SQLITE_FCNTL_COMMIT_PHASETWO:
        return SQLITE_IOERR;
    default:
        return 0;
    }
}

static int fault_file_control(sqlite3_file *file, int op, void *arg)
{
    sqlite3_file *real = real_of(file);
    int own_code = write_path_control(op);
    int rc = own_code != 0 ? injected(own_code) : SQLITE_OK;
    return rc != SQLITE_OK ? rc : real->pMethods->xFileControl(real, op, arg);
}

static int fault_sector_size(sqlite3_file *file)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xSectorSize(real);
}

static int fault_device_characteristics(sqlite3_file *file)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xDeviceCharacteristics(real);
}

static int fault_shm_map(sqlite3_file *file, int region, int size, int extend,
                         void volatile **out)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xShmMap(real, region, size, extend, out);
}

static int fault_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xShmLock(real, offset, n, flags);
}

static void fault_shm_barrier(sqlite3_file *file)
{
    sqlite3_file *real = real_of(file);
    real->pMethods->xShmBarrier(real);
}

static int fault_shm_unmap(sqlite3_file *file, int delete_flag)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xShmUnmap(real, delete_flag);
}

static int fault_fetch(sqlite3_file *file, sqlite3_int64 offset, int amount,
                       void **out)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xFetch(real, offset, amount, out);
}

static int fault_unfetch(sqlite3_file *file, sqlite3_int64 offset, void *page)
{
    sqlite3_file *real = real_of(file);
    return real->pMethods->xUnfetch(real, offset, page);
}

/* Version 3, like the files of the unix VFS: fault_open() refuses to wrap
 * a file whose methods are older, so every method here exists below. */
static const sqlite3_io_methods fault_methods = {
    3,
    fault_close,
    fault_read,
    fault_write,
    fault_truncate,
    fault_sync,
    fault_file_size,
    fault_lock,
    fault_unlock,
    fault_check_reserved_lock,
    fault_file_control,
    fault_sector_size,
    fault_device_characteristics,
    fault_shm_map,
    fault_shm_lock,
    fault_shm_barrier,
    fault_shm_unmap,
    fault_fetch,
    fault_unfetch,
};

/* ---- The VFS methods: all but xOpen go straight to the wrapped VFS ------ */

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
                      int flags, int *out_flags)
{
    (void)vfs;
    fault_file *f = (fault_file *)file;
    f->real = (sqlite3_file *)(f + 1);
    f->real->pMethods = NULL;
    int rc =
        fault.wrapped->xOpen(fault.wrapped, name, f->real, flags, out_flags);
    /* SQLite closes a file that has methods, even after a failed open. */
    f->base.pMethods = f->real->pMethods != NULL ? &fault_methods : NULL;
    if (rc == SQLITE_OK && f->real->pMethods->iVersion < 3) {
        f->real->pMethods->xClose(f->real);
        f->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    return rc;
}

static int fault_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return fault.wrapped->xDelete(fault.wrapped, name, sync_dir);
}

static int fault_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return fault.wrapped->xAccess(fault.wrapped, name, flags, out);
}

static int fault_full_pathname(sqlite3_vfs *vfs, const char *name, int size,
                               char *out)
{
    (void)vfs;
    return fault.wrapped->xFullPathname(fault.wrapped, name, size, out);
}

static void *fault_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return fault.wrapped->xDlOpen(fault.wrapped, name);
}

static void fault_dl_error(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    fault.wrapped->xDlError(fault.wrapped, size, out);
}

static void (*fault_dl_sym(sqlite3_vfs *vfs, void *handle,
                           const char *symbol))(void)
{
    (void)vfs;
    return fault.wrapped->xDlSym(fault.wrapped, handle, symbol);
}

static void fault_dl_close(sqlite3_vfs *vfs, void *handle)
{
    (void)vfs;
    fault.wrapped->xDlClose(fault.wrapped, handle);
}

static int fault_randomness(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    return fault.wrapped->xRandomness(fault.wrapped, size, out);
}

static int fault_sleep(sqlite3_vfs *vfs, int microseconds)
{
    (void)vfs;
    return fault.wrapped->xSleep(fault.wrapped, microseconds);
}

static int fault_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return fault.wrapped->xCurrentTime(fault.wrapped, out);
}

static int fault_get_last_error(sqlite3_vfs *vfs, int size, char *out)
{
    (void)vfs;
    return fault.wrapped->xGetLastError(fault.wrapped, size, out);
}

static int fault_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return fault.wrapped->xCurrentTimeInt64(fault.wrapped, out);
}

/* ---- The interface ------------------------------------------------------ */

int fault_vfs_install(void)
{
    if (fault.installed)
        return SQLITE_MISUSE;
    int rc = sqlite3_initialize();
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vfs *wrapped = sqlite3_vfs_find(NULL);
    /* Version 2 brings xCurrentTimeInt64, which this VFS passes on. */
    if (wrapped == NULL || wrapped->iVersion < 2)
        return SQLITE_ERROR;
    fault.wrapped = wrapped;
    fault.vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(fault_file) + wrapped->szOsFile,
        .mxPathname = wrapped->mxPathname,
        .zName = "esk-fault",
        .xOpen = fault_open,
        .xDelete = fault_delete,
        .xAccess = fault_access,
        .xFullPathname = fault_full_pathname,
        .xDlOpen = fault_dl_open,
        .xDlError = fault_dl_error,
        .xDlSym = fault_dl_sym,
        .xDlClose = fault_dl_close,
        .xRandomness = fault_randomness,
        .xSleep = fault_sleep,
        .xCurrentTime = fault_current_time,
        .xGetLastError = fault_get_last_error,
        .xCurrentTimeInt64 = fault_current_time_int64,
    };
    rc = sqlite3_vfs_register(&fault.vfs, 1);
    if (rc == SQLITE_OK)
        fault.installed = true;
    return rc;
}

void fault_vfs_arm(long n, int code, bool persistent)
{
    fault.calls = 0;
    fault.fired = false;
    fault.fail_at = n > 0 ? n : 0;
    fault.persistent = persistent;
    fault.code = code;
}

void fault_vfs_disarm(void)
{
    fault.fail_at = 0;
}

bool fault_vfs_fired(void)
{
    return fault.fired;
}

long fault_vfs_calls(void)
{
    return fault.calls;
}

void fault_vfs_remove(void)
{
    if (!fault.installed)
        return;
    sqlite3_vfs_unregister(&fault.vfs);
    /* Unregistering the default leaves SQLite to pick any VFS: give the
     * default back to the one that had it. */
    sqlite3_vfs_register(fault.wrapped, 1);
    fault.installed = false;
    fault.fail_at = 0;
}
