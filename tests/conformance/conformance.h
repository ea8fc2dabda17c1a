/*
 * tests/conformance/conformance.h - the store rules, run against a backend.
 *
 * The suite is written once and run against every backend (memory, SQLite
 * in memory, SQLite on a file), and against any store a learner builds:
 * a backend is only a way to open a fresh, empty store.
 */
#ifndef ESK_CONFORMANCE_H
#define ESK_CONFORMANCE_H

#include <esk/store.h>

typedef struct esk_conformance_backend {
    /** Shown as the cmocka group name. */
    const char *name;
    /** Open a new, empty store with these options. */
    esk_status (*open)(esk_store **out, const esk_store_options *options,
                       void *ctx);
    void *ctx;
} esk_conformance_backend;

/** Run every rule against the backend; returns the number of failures. */
int esk_conformance_run(const esk_conformance_backend *backend);

/** Run the rules of tags, query reads and append conditions
 *  (conformance_dcb.c) against a backend that keeps tags; returns the
 *  number of failures. */
int esk_conformance_run_tags(const esk_conformance_backend *backend);

/** Run the rules of closed streams (conformance_closed.c) against a
 *  backend that can close streams; returns the number of failures. */
int esk_conformance_run_closed(const esk_conformance_backend *backend);

#endif
