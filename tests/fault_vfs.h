/*
 * tests/fault_vfs.h - a SQLite VFS that fails the Nth write-path call, the
 * way SQLite's own tests simulate a full disk or a failing device.
 *
 * It sits over the default VFS and, once installed, is itself the default:
 * every database opened afterwards (esk_store_open_sqlite() included)
 * goes through it without any change to the code under test. Nothing
 * fails until it is armed.
 *
 * What is counted, in every file SQLite opens through it (the database,
 * its WAL, journals): xWrite, xSync, xTruncate, and the xFileControl
 * requests that belong to writing (SQLITE_FCNTL_SYNC, _SIZE_HINT,
 * _COMMIT_PHASETWO). The other file controls only ask or configure
 * (lock state, pragmas, the busy handler), so failing them would simulate
 * no real failure. xShmMap and xShmLock are not failed either: the
 * wal-index is shared memory that SQLite rebuilds from the WAL, its
 * failures come at the start of a transaction before anything is written,
 * and a failed xShmLock would test SQLite's lock bookkeeping (it reports
 * SQLITE_BUSY), not whether esk loses or doubles events.
 *
 * Single-threaded, one instance per process: the test programs using it
 * open their stores one at a time.
 */
#ifndef ESK_TESTS_FAULT_VFS_H
#define ESK_TESTS_FAULT_VFS_H

#include <stdbool.h>

/* Register the fault VFS over the current default and make it the
 * default. Returns SQLITE_OK or SQLite's error. Install once. */
int fault_vfs_install(void);

/*
 * Make the nth counted call from now fail (n >= 1), and with persistent
 * every counted call after it too. code is what the failing call returns:
 * SQLITE_FULL, an extended SQLITE_IOERR_... code, or plain SQLITE_IOERR
 * for the code a real VFS gives for that call (IOERR_WRITE from xWrite,
 * IOERR_FSYNC from xSync and SQLITE_FCNTL_SYNC, IOERR_TRUNCATE from
 * xTruncate).
 */
void fault_vfs_arm(long n, int code, bool persistent);

/* Stop failing; the count and fault_vfs_fired() stay as they are. */
void fault_vfs_disarm(void);

/* Whether a call has failed since the last fault_vfs_arm(). */
bool fault_vfs_fired(void);

/* How many counted calls were made since the last fault_vfs_arm(). */
long fault_vfs_calls(void);

/* Unregister the fault VFS and make the VFS it wrapped the default again.
 * Close every database opened through it first. */
void fault_vfs_remove(void);

#endif
