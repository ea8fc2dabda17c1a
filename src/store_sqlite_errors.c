/*
 * src/store_sqlite_errors.c - a SQLite failure in the user's terms: the
 * status, the extended code a caller can act on, and a message that says
 * what happened and what to do.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* The status for a SQLite result code; extended codes map as their base. */
esk_status esk__sqlite_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return ESK_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ESK_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return ESK_ECORRUPT;
    case SQLITE_READONLY:
        return ESK_EREADONLY;
    case SQLITE_NOMEM:
        return ESK_ENOMEM;
    case SQLITE_TOOBIG:
        /* A value beyond SQLITE_LIMIT_LENGTH: the caller's data. */
        return ESK_EINVAL;
    default:
        /* SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN and the rest. */
        return ESK_EIO;
    }
}

/* The finer cause of a failure, for a caller that acts on it: SQLITE_FULL
 * (the disk, or PRAGMA max_page_count) wants space freed; a lock held past
 * the busy timeout may be tried again; a stale snapshot wants the whole
 * unit redone. */
static esk_ext ext_of(int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return ESK_EXT_DISK_FULL;
    if (rc == SQLITE_BUSY_SNAPSHOT)
        return ESK_EXT_BUSY_SNAPSHOT;
    if ((rc & 0xff) == SQLITE_BUSY)
        return ESK_EXT_BUSY_TIMEOUT;
    return ESK_EXT_NONE;
}

/* The status for a failure while creating or checking the schema: SQLite's
 * plain "SQL error" there means the file's tables are not what esk expects. */
esk_status esk__sqlite_schema_status(int rc)
{
    return (rc & 0xff) == SQLITE_ERROR ? ESK_ESCHEMA : esk__sqlite_status(rc);
}

/* What a failure means in the user's terms, and what to do about it. */
typedef struct failure_text {
    int code; /* an extended code, or a primary one for the rest */
    const char *text;
    /* Whether SQLite's own words follow: they name the constraint, the
     * damage or the limit. */
    bool sqlite_words;
} failure_text;

/* Looked up by the extended code first, then by its primary code. Plain
 * SQLITE_BUSY is not here: its text names the busy timeout (explain()). */
static const failure_text failure_texts[] = {
    {SQLITE_FULL,
     "the disk is full, or the database reached its size limit (PRAGMA "
     "max_page_count): free some space, then try again",
     false},

    {SQLITE_IOERR_READ, "reading the database file or its log failed", false},
    {SQLITE_IOERR_SHORT_READ,
     "the database file ended before the page being read: was it truncated?",
     false},
    {SQLITE_IOERR_WRITE, "writing to the database file or its log failed",
     false},
    {SQLITE_IOERR_FSYNC, "flushing the database to the disk (fsync) failed",
     false},
    {SQLITE_IOERR_DIR_FSYNC,
     "flushing the database's folder to the disk (fsync) failed", false},
    {SQLITE_IOERR_TRUNCATE, "truncating the database file or its log failed",
     false},
    {SQLITE_IOERR_FSTAT, "reading the size of a database file (fstat) failed",
     false},
    {SQLITE_IOERR_LOCK, "taking a file lock failed", false},
    {SQLITE_IOERR_RDLOCK, "taking a file lock failed", false},
    {SQLITE_IOERR_UNLOCK, "releasing a file lock failed", false},
    {SQLITE_IOERR_CHECKRESERVEDLOCK, "checking a file lock failed", false},
    {SQLITE_IOERR_DELETE, "deleting a journal file failed", false},
    {SQLITE_IOERR_ACCESS, "checking whether a database file exists failed",
     false},
    {SQLITE_IOERR_SHMOPEN, "opening the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SHMSIZE, "growing the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SHMMAP, "mapping the log's shared-memory file failed", false},
    {SQLITE_IOERR_SHMLOCK, "locking the log's shared-memory file failed",
     false},
    {SQLITE_IOERR_SEEK, "seeking in a database file failed", false},
    {SQLITE_IOERR_MMAP, "memory-mapping the database file failed", false},
    {SQLITE_IOERR_CLOSE, "closing a database file failed", false},
    {SQLITE_IOERR_NOMEM, "out of memory while reading or writing the database",
     false},
    {SQLITE_IOERR, "an input/output error on the database's files", false},

    {SQLITE_BUSY_SNAPSHOT,
     "a statement left open on this store's connection (a query not finished "
     "or reset) reads an older snapshot than the last commit, so the write "
     "lock cannot be taken: finish or reset it, then try again",
     false},
    {SQLITE_BUSY_RECOVERY,
     "another connection holds the lock while it recovers the log after a "
     "crash: try again in a moment",
     false},
    {SQLITE_LOCKED,
     "another statement on this store's connection holds the table (a query "
     "not finished or reset): finish or reset it, then try again",
     false},

    {SQLITE_READONLY_DBMOVED,
     "the database file was moved or deleted while the store was open: "
     "reopen the store",
     false},
    {SQLITE_READONLY_DIRECTORY,
     "the database's folder is read-only, so SQLite cannot create its "
     "journal there: make the folder writable",
     false},
    {SQLITE_READONLY_ROLLBACK,
     "an interrupted write must be undone first, which needs write access: "
     "open the store once with write access",
     false},
    {SQLITE_READONLY_RECOVERY,
     "the log must be recovered first, which needs write access: open the "
     "store once with write access",
     false},
    {SQLITE_READONLY_CANTLOCK,
     "the log's shared-memory file is read-only: make it and its folder "
     "writable",
     false},
    {SQLITE_READONLY,
     "this connection cannot write the database (a store opened read_only, "
     "a read-only file or folder, or PRAGMA query_only): make it writable, "
     "then try again",
     false},

#ifdef SQLITE_CORRUPT_INDEX /* SQLite 3.35 */
    {SQLITE_CORRUPT_INDEX,
     "an index of the database is damaged: REINDEX may repair it", true},
#endif
    {SQLITE_CORRUPT,
     "the database file is damaged: restore it from a backup (PRAGMA "
     "integrity_check shows where)",
     true},
    {SQLITE_NOTADB, "the file is not a SQLite database (or it is encrypted)",
     false},
    {SQLITE_NOMEM, "out of memory", false},

    {SQLITE_CONSTRAINT_TRIGGER, "a trigger on the table refused the change",
     true},
    {SQLITE_CONSTRAINT_NOTNULL, "a value the table requires is missing", true},
    {SQLITE_CONSTRAINT_CHECK, "a CHECK rule of the table refused the row",
     true},
    {SQLITE_CONSTRAINT_FOREIGNKEY, "a foreign key refused the change", true},
    {SQLITE_CONSTRAINT_UNIQUE, "a row with the same key is already stored",
     true},
    {SQLITE_CONSTRAINT_PRIMARYKEY, "a row with the same key is already stored",
     true},
    {SQLITE_CONSTRAINT,
     "a rule of the table refused the change (was the schema edited?)", true},

    {SQLITE_INTERRUPT,
     "the operation was interrupted (sqlite3_interrupt() or a progress "
     "handler on the store's connection): try again",
     false},
    {SQLITE_TOOBIG, "a value is larger than SQLite's length limit", true},
    {SQLITE_CANTOPEN,
     "a file the database needs (its log, its shared memory, a temporary "
     "file) cannot be opened",
     false},
    {SQLITE_PROTOCOL,
     "the log's locks kept changing under other connections: try again", false},
    {SQLITE_SCHEMA,
     "the database schema changed under the statement: try again", false},
    {SQLITE_AUTH,
     "an authorizer set on the store's connection refused the statement", true},
};

static const failure_text *failure_text_of(int rc)
{
    size_t n = sizeof failure_texts / sizeof failure_texts[0];
    for (size_t i = 0; i < n; i++)
        if (failure_texts[i].code == rc)
            return &failure_texts[i];
    for (size_t i = 0; i < n; i++)
        if (failure_texts[i].code == (rc & 0xff))
            return &failure_texts[i];
    return NULL;
}

/* Explain the failure rc into buf, from what SQLite says about it now. */
static void explain(char *buf, size_t size, const sqlite_store *s, int rc)
{
    const failure_text *t = failure_text_of(rc);
    if (t == NULL && (rc & 0xff) == SQLITE_BUSY) {
        snprintf(buf, size,
                 "the database is locked: another connection held the write "
                 "lock for more than %d ms; try again, or raise "
                 "busy_timeout_ms",
                 s->busy_timeout_ms);
        return;
    }
    if (t == NULL) {
        snprintf(buf, size, "%s", sqlite3_errmsg(s->db));
        return;
    }
    /* Every I/O text says what failed; what to do is the same for all. */
    const char *then = (rc & 0xff) == SQLITE_IOERR && rc != SQLITE_IOERR_NOMEM
                           ? ": check the disk and its file system, then try "
                             "again"
                           : "";
    if (t->sqlite_words)
        snprintf(buf, size, "%s%s (SQLite: %s)", t->text, then,
                 sqlite3_errmsg(s->db));
    else
        snprintf(buf, size, "%s%s", t->text, then);
}

/*
 * Record the SQLite failure rc on the store as "<what esk was doing>: <what
 * happened and what to do>", e.g. "appending to stream 'x': the disk is
 * full...". Call it before anything else touches the connection, which
 * would replace sqlite3_errmsg().
 */
esk_status esk__sqlite_fail(const sqlite_store *s, int rc,
                            const char *doing_format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

esk_status esk__sqlite_fail(const sqlite_store *s, int rc,
                            const char *doing_format, ...)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    char what[ESK_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, doing_format);
    vsnprintf(doing, sizeof doing, doing_format, args);
    va_end(args);

    explain(what, sizeof what, s, rc);
    return esk__fail_ext(esk__sqlite_status(rc), ext_of(rc), "%s: %s", doing,
                         what);
}

/* An open-time failure: "opening '<path>': <SQLite's words>". */
esk_status esk__sqlite_open_fail(sqlite3 *db, int rc, const char *path)
{
    return esk__fail_ext(esk__sqlite_status(rc), ext_of(rc), "opening '%s': %s",
                         path, sqlite3_errmsg(db));
}
