/*
 * web/explore_open.c - opening a store file for the explorer, read-only,
 * and saying what to do when it is not one.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <esk/error.h>
#include <esk/store.h>

#include "explore.h"

struct esk_explore {
    esk_store *store;
    char *path;
    /* The file opened, to notice another one at the path. */
    dev_t dev;
    ino_t ino;
};

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

esk_status esk_explore_open(esk_explore **out, const char *path)
{
    if (out == NULL || path == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_open: %s is NULL",
                             out == NULL ? "out" : "path");
    esk_status status = check_exists(path);
    if (status != ESK_OK)
        return status;
    esk_explore *x = calloc(1, sizeof *x);
    if (x == NULL || (x->path = strdup(path)) == NULL) {
        free(x);
        return esk_error_set(ESK_ENOMEM, "esk_explore_open: out of memory");
    }
    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.read_only = true;
    /* The file's identity first: a file that replaces it between the
     * two steps is then noticed at the next refresh. */
    struct stat st;
    if (stat(path, &st) == 0) {
        x->dev = st.st_dev;
        x->ino = st.st_ino;
    }
    status = esk_store_open_sqlite(&x->store, path, &options);
    if (status != ESK_OK) {
        status = refuse(status, path);
        esk_explore_free(x);
        return status;
    }
    *out = x;
    esk_error_clear();
    return ESK_OK;
}

void esk_explore_free(esk_explore *explore)
{
    if (explore == NULL)
        return;
    esk_store_free(explore->store);
    free(explore->path);
    free(explore);
}

const char *esk_explore_path(const esk_explore *explore)
{
    return explore != NULL ? explore->path : "";
}

esk_store *esk__explore_store(esk_explore *explore)
{
    return explore->store;
}

esk_status esk_explore_refresh(esk_explore *explore)
{
    if (explore == NULL)
        return esk_error_set(ESK_EINVAL, "esk_explore_refresh: NULL");
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
    fresh->store = old;
    esk_explore_free(fresh);
    return ESK_OK;
}
