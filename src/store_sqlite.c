/*
 * src/store_sqlite.c - the SQLite backend of the event store.
 *
 * Every event is one row of one table, readable with the sqlite3 shell:
 *
 *   sqlite3 store.db 'select * from events'
 *
 * position is the table's rowid, so reading in global order is a walk of the
 * table's own B-tree, and UNIQUE(stream_id, version) gives the index that
 * stream reads and the stream version use. recorded_at is ISO 8601 text so
 * that a person reading the table sees a date, not a number.
 *
 * Writers serialise on SQLite's write lock: an append runs in BEGIN IMMEDIATE,
 * reads the stream version and the head position inside it, and gives the
 * batch the next versions and positions. Since only one transaction can hold
 * the lock, positions are gap-free and in commit order, also across
 * processes. The database runs in WAL mode, so readers never wait for the
 * writer.
 *
 * The backend's work is spread by concern over store_sqlite_*.c: see
 * store_sqlite_internal.h for which file holds what.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_internal.h"
#include "store_sqlite_internal.h"

static void sqlite_close(void *impl)
{
    sqlite_store *s = impl;
    if (s == NULL)
        return;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    for (int d = 0; d < SAVEPOINT_DEPTH_MAX; d++)
        for (int a = 0; a < SAVEPOINT_ACTIONS; a++)
            sqlite3_finalize(s->savepoint[d][a]);
    /* The store's statements are finalized; one the user prepared on
     * esk_store_sqlite_db() may still be open, and then the connection
     * (and its files) go when that one is finalized. The last connection
     * to a file checkpoints its WAL as it closes. */
    sqlite3_close_v2(s->db);
    esk__free(s);
}

static const esk_store_backend sqlite_backend = {
    .name = "sqlite",
    .append = esk__sqlite_append,
    .read_stream = esk__sqlite_read_stream,
    .read_all = esk__sqlite_read_all,
    .stream_version = esk__sqlite_stream_version,
    .head_position = esk__sqlite_head_position,
    .begin = esk__sqlite_begin,
    .commit = esk__sqlite_commit,
    .rollback = esk__sqlite_rollback,
    .put_record = esk__sqlite_put_record,
    .get_record = esk__sqlite_get_record,
    .check_transaction = esk__sqlite_check_transaction,
    .close = sqlite_close,
    .read_query = esk__sqlite_read_query,
    .stream_closed = esk__sqlite_stream_closed,
};

static esk_status configure(sqlite3 *db, const char *path,
                            const esk_store_options *options)
{
    /* WAL lets readers (other processes too) go on while one writes. The
     * mode is stored in the file; a ":memory:" database stays in "memory"
     * mode, which is fine for a private database. */
    int rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          options->durability == ESK_DURABILITY_FULL
                              ? "PRAGMA synchronous = FULL"
                              : "PRAGMA synchronous = NORMAL",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return esk__sqlite_open_fail(db, rc, path);
    return ESK_OK;
}

/*
 * Wait for a lock another connection holds, up to busy_timeout_ms.
 * SQLite's own busy timeout backs off to 100 ms between tries, so a
 * waiting writer can miss every short window in which another process
 * lets go of the lock: a catch-up runner pausing between batches, a busy
 * writer between appends. This one tries again every millisecond or two,
 * which costs a few wake-ups a millisecond while waiting and nothing
 * otherwise.
 */
static int busy_wait(void *ctx, int tries)
{
    sqlite_store *s = ctx;
    int64_t now = esk__monotonic_us();
    if (tries == 0)
        s->busy_since_us = now;
    int64_t left_ms = s->busy_timeout_ms - (now - s->busy_since_us) / 1000;
    if (left_ms <= 0)
        return 0;
    sqlite3_sleep(tries < 4 || left_ms < 2 ? 1 : 2);
    return 1;
}

static esk_status open_database(sqlite_store *s, const char *path,
                                const esk_store_options *options)
{
    /* One thread at a time uses a store, so SQLite's own mutex is not
     * needed. A viewer's store must never create the file it looks at. */
    int flags = options->read_only ? SQLITE_OPEN_READONLY
                                   : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (s->db == NULL)
        return esk__fail(ESK_ENOMEM, "opening '%s': out of memory", path);
    sqlite3_extended_result_codes(s->db, 1);
    if (rc != SQLITE_OK) {
        /* Name the system's reason: "Is a directory", "No such file or
         * directory"... */
        int sys = sqlite3_system_errno(s->db);
        if (sys != 0)
            return esk__fail(esk__sqlite_status(rc), "opening '%s': %s (%s)",
                             path, sqlite3_errmsg(s->db), strerror(sys));
        return esk__sqlite_open_fail(s->db, rc, path);
    }

    /* SQLite falls back to read-only when the file cannot be written. A
     * store must append, so say so now rather than at the first append. */
    if (!options->read_only && sqlite3_db_readonly(s->db, "main") == 1)
        return esk__fail(ESK_EREADONLY,
                         "opening '%s': the file is read-only and an "
                         "event store must be able to write to it",
                         path);

    rc = sqlite3_busy_handler(s->db, busy_wait, s);
    if (rc != SQLITE_OK)
        return esk__sqlite_open_fail(s->db, rc, path);

    /* Processes creating one file at the same moment can meet a lock that
     * SQLite's busy handler does not wait for (it refuses to wait where
     * waiting could deadlock, and switching to WAL needs the file to
     * itself). Such a failure is transient: try again, within the same
     * busy timeout the caller chose. */
    esk_status status = ESK_OK;
    for (int waited_ms = 0;; waited_ms += 10) {
        status = esk__sqlite_check_schema(s->db, path, options->read_only);
        /* The journal mode is stored in the file: a reader leaves it. */
        if (status == ESK_OK && !options->read_only)
            status = configure(s->db, path, options);
        if (status != ESK_EBUSY || waited_ms >= options->busy_timeout_ms)
            break;
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_sleep(10);
    }
    if (status == ESK_OK)
        status = esk__sqlite_prepare(s, path);
    return status;
}

/* The path must name a file, and nothing else. */
static esk_status check_path(const char *path)
{
    if (path[0] == '\0')
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: the path is empty");
    /* SQLite built with URI support (as Debian's is) reads such a name as
     * a URI whatever the open flags say, and a URI's options can turn off
     * locking or share one database between handles. */
    if (strncmp(path, "file:", 5) == 0)
        return esk__fail(
            ESK_EINVAL,
            "esk_store_open_sqlite: '%s' is a SQLite URI; esk takes file "
            "names only (URI options can turn off locking): write './%s' "
            "for a file of that name",
            path, path);
    return ESK_OK;
}

/* Checked here as well as by esk_store_new(): they are needed before the
 * file is touched. */
static esk_status check_options(const esk_store_options *options)
{
    if (options->version < 1 || options->version > ESK_STORE_OPTIONS_VERSION)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: options version %d is "
                         "not one this build knows (1 to %d)",
                         options->version, ESK_STORE_OPTIONS_VERSION);
    if (options->durability != ESK_DURABILITY_NORMAL &&
        options->durability != ESK_DURABILITY_FULL)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: durability %d is "
                         "neither NORMAL nor FULL",
                         (int)options->durability);
    if (options->busy_timeout_ms < 0)
        return esk__fail(ESK_EINVAL,
                         "esk_store_open_sqlite: busy_timeout_ms %d is "
                         "negative",
                         options->busy_timeout_ms);
    return ESK_OK;
}

esk_status esk_store_open_sqlite(esk_store **out, const char *path,
                                 const esk_store_options *options)
{
    static const esk_store_options defaults = ESK_STORE_OPTIONS_INIT;

    if (out == NULL || path == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_open_sqlite: %s is NULL",
                         out == NULL ? "out" : "path");
    if (options == NULL)
        options = &defaults;
    esk_status status = check_path(path);
    if (status == ESK_OK)
        status = check_options(options);
    if (status != ESK_OK)
        return status;

    sqlite_store *s = esk__calloc(1, sizeof *s);
    if (s == NULL)
        return esk__fail(ESK_ENOMEM, "opening '%s': out of memory", path);
    s->busy_timeout_ms = options->busy_timeout_ms;
    status = open_database(s, path, options);
    if (status != ESK_OK) {
        sqlite_close(s);
        return status;
    }

    /* From here the store owns s, and closes it on failure too. */
    esk_store *store = NULL;
    status = esk_store_new(&store, &sqlite_backend, s, options);
    if (status != ESK_OK)
        return esk__fail_within(status, "opening '%s'", path);
    *out = store;
    return esk__ok();
}

struct sqlite3 *esk_store_sqlite_db(esk_store *store)
{
    if (store == NULL || esk__store_backend(store) != &sqlite_backend)
        return NULL;
    return ((sqlite_store *)esk_store_impl(store))->db;
}
