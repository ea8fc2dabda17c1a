/*
 * web/explore_open.c - opening a store for the explorer, read-only: a
 * SQLite file, or a PostgreSQL schema when the argument is a libpq
 * connection string; and saying what to do when it is not a store.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <esk/error.h>
#include <esk/store.h>
#ifdef ESK_HAVE_POSTGRES
#include <esk/store_postgres.h>
#endif

#include "explore.h"
#include "explore_catalog.h"

struct esk_explore {
    esk_store *store;
    /* The file's path or the conninfo, as given: opened again on
     * refresh. */
    char *path;
    /* What the page names: the path, or the database and schema. */
    char *label;
    char schema[64];
    const esk__explore_catalog *catalog;
    bool postgres;
    /* The file opened, to notice another one at the path. */
    dev_t dev;
    ino_t ino;
};

bool esk_explore_is_conninfo(const char *target)
{
    if (target == NULL)
        return false;
    /* libpq's two forms: a URI, or keyword=value pairs. A file name with
     * '=' in it is written "./a=b.db". */
    if (strncmp(target, "postgres://", 11) == 0 ||
        strncmp(target, "postgresql://", 13) == 0)
        return true;
    return strchr(target, '=') != NULL && strncmp(target, "./", 2) != 0 &&
           target[0] != '/';
}

/* What to do about a file the store refused, after esk's own words. */
static const char *advice_for(esk_status status, const char *message)
{
    if (status == ESK_ESCHEMA && strstr(message, "newer esk") != NULL)
        return "update the kit (git pull), rebuild, and explore it again";
    if (status == ESK_ESCHEMA && strstr(message, "older esk") != NULL)
        return "";
    if (status == ESK_ESCHEMA || status == ESK_ECORRUPT)
        return "give ./kata explore the path of an esk store (the example "
               "application's is workshop.db where workshop-demo ran)";
    if (status == ESK_EBUSY)
        return "another program holds the file locked: try again in a "
               "moment";
    return "";
}

static esk_status refuse(esk_status status, const char *path)
{
    char message[ESK_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s", esk_errmsg());
    const char *advice = advice_for(status, message);
    return esk_error_set(status, "cannot explore '%s': %s%s%s", path, message,
                         advice[0] != '\0' ? "; " : "", advice);
}

/* SQLite's own word for a missing file is "unable to open database file":
 * say it in the explorer's terms, before SQLite is asked. */
static esk_status check_exists(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return ESK_OK;
    if (errno != ENOENT)
        return esk_error_set(ESK_EIO, "cannot explore '%s': %s", path,
                             strerror(errno));
    return esk_error_set(ESK_ENOTFOUND,
                         "cannot explore '%s': there is no such file. Run "
                         "the example application first (workshop-demo "
                         "demo writes workshop.db), or give the path of a "
                         "store: ./kata explore FILE",
                         path);
}

static esk_explore *explore_new(const char *path)
{
    esk_explore *x = calloc(1, sizeof *x);
    if (x == NULL || (x->path = strdup(path)) == NULL) {
        free(x);
        return NULL;
    }
    return x;
}

static esk_status open_file(esk_explore *x)
{
    esk_status status = check_exists(x->path);
    if (status != ESK_OK)
        return status;
    if ((x->label = strdup(x->path)) == NULL)
        return esk_error_set(ESK_ENOMEM, "esk_explore_open: out of memory");
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.read_only = true;
    /* The file's identity first: a file that replaces it between the
     * two steps is then noticed at the next refresh. */
    struct stat st;
    if (stat(x->path, &st) == 0) {
        x->dev = st.st_dev;
        x->ino = st.st_ino;
    }
    x->catalog = &esk__explore_catalog_sqlite;
    status = esk_store_open_sqlite(&x->store, x->path, &options);
    return status == ESK_OK ? ESK_OK : refuse(status, x->path);
}

#ifdef ESK_HAVE_POSTGRES
static esk_status open_postgres(esk_explore *x)
{
    x->postgres = true;
    x->catalog = &esk__explore_catalog_postgres;
    esk_postgres_options options = ESK_POSTGRES_OPTIONS_INIT;
    options.schema = x->schema;
    options.store.read_only = true;
    esk_status status = esk_store_open_postgres(&x->store, x->path, &options);
    if (status != ESK_OK)
        return esk_error_set(
            status, "cannot explore schema '%s' on PostgreSQL: %s%s", x->schema,
            esk_errmsg(),
            status == ESK_EIO ? "; the example application writes one "
                                "with workshop-demo --pg CONNINFO demo "
                                "(schema esk; --schema NAME for another)"
                              : "");
    x->label = esk__explore_postgres_label(x->path, x->schema);
    if (x->label == NULL)
        return esk_error_set(ESK_ENOMEM, "esk_explore_open: out of memory");
    return ESK_OK;
}
#else
static esk_status open_postgres(esk_explore *x)
{
    (void)x;
    return esk_error_set(ESK_EINVAL,
                         "cannot explore a PostgreSQL database: this "
                         "kata-explore was built without PostgreSQL "
                         "(libpq). Install libpq-dev (apt-get install "
                         "libpq-dev), configure the build again (cmake "
                         "--preset dev; ESK_WITH_POSTGRES AUTO or ON), "
                         "and explore it again; or give the path of a "
                         "store file");
}
#endif

esk_status esk_explore_open_in(esk_explore **out, const char *target,
                               const char *schema)
{
    if (out == NULL || target == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_open: %s is NULL",
                             out == NULL ? "out" : "target");
    bool postgres = esk_explore_is_conninfo(target);
    if (schema != NULL && !postgres)
        return esk_error_set(ESK_EINVAL,
                             "cannot explore '%s': a schema names the "
                             "tables of a PostgreSQL store, and this is a "
                             "file name, not a connection string "
                             "(postgres://... or host=... dbname=...)",
                             target);
    if (schema != NULL && strlen(schema) >= 64)
        return esk_error_set(ESK_EINVAL,
                             "cannot explore: schema name '%.80s' is longer "
                             "than 63 bytes",
                             schema);
    esk_explore *x = explore_new(target);
    if (x == NULL)
        return esk_error_set(ESK_ENOMEM, "esk_explore_open: out of memory");
    snprintf(x->schema, sizeof x->schema, "%s",
             schema != NULL ? schema : "esk");
    esk_status status = postgres ? open_postgres(x) : open_file(x);
    if (status != ESK_OK) {
        esk_explore_free(x);
        return status;
    }
    *out = x;
    esk_error_clear();
    return ESK_OK;
}

esk_status esk_explore_open(esk_explore **out, const char *path)
{
    return esk_explore_open_in(out, path, NULL);
}

void esk_explore_free(esk_explore *explore)
{
    if (explore == NULL)
        return;
    esk_store_free(explore->store);
    free(explore->path);
    free(explore->label);
    free(explore);
}

const char *esk_explore_path(const esk_explore *explore)
{
    return explore != NULL && explore->label != NULL ? explore->label : "";
}

esk_store *esk__explore_store(esk_explore *explore)
{
    return explore->store;
}

esk_status esk__explore_each_stream(esk_explore *explore,
                                    esk__explore_row_fn *fn, void *ctx)
{
    return explore->catalog->each_stream(explore->store, explore->schema, fn,
                                         ctx);
}

esk_status esk__explore_each_checkpoint(esk_explore *explore,
                                        esk__explore_row_fn *fn, void *ctx)
{
    return explore->catalog->each_checkpoint(explore->store, explore->schema,
                                             fn, ctx);
}

esk_status esk__explore_locate(esk_explore *explore, const char *event_id,
                               char *stream_id, size_t size, int64_t *version)
{
    return explore->catalog->locate(explore->store, explore->schema, event_id,
                                    stream_id, size, version);
}

esk_status esk__explore_no_event(const char *event_id)
{
    return esk_error_set(ESK_ENOTFOUND,
                         "no event has the id '%s' (a causation id may name "
                         "a command rather than an event)",
                         event_id);
}

/* A PostgreSQL store has no file to look at again: the store connects
 * again by itself after a lost connection, at the call after the one that
 * met the loss. Asking for the head twice makes the first view of a
 * server that came back succeed, rather than the one after. */
static esk_status refresh_postgres(esk_explore *explore)
{
    int64_t head = 0;
    esk_status rc = esk_store_head_position(explore->store, &head);
    if (rc == ESK_EIO)
        rc = esk_store_head_position(explore->store, &head);
    return rc;
}

esk_status esk_explore_refresh(esk_explore *explore)
{
    if (explore == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_refresh: NULL");
    if (explore->postgres)
        return refresh_postgres(explore);
    struct stat st;
    if (stat(explore->path, &st) != 0)
        return check_exists(explore->path);
    if (st.st_dev == explore->dev && st.st_ino == explore->ino)
        return ESK_OK;
    esk_explore *fresh = NULL;
    esk_status rc = esk_explore_open(&fresh, explore->path);
    if (rc != ESK_OK)
        return rc;
    /* Swap the stores: the explorer stays the one the server holds. */
    esk_store *old = explore->store;
    explore->store = fresh->store;
    explore->dev = fresh->dev;
    explore->ino = fresh->ino;
    char *label = explore->label;
    explore->label = fresh->label;
    fresh->label = label;
    fresh->store = old;
    esk_explore_free(fresh);
    return ESK_OK;
}
