/*
 * src/store_postgres_wait.c - waiting for the appends of other
 * connections: LISTEN to the schema's channel, which every committed
 * append notifies (store_postgres_tx.c), and read the head again at each
 * notice.
 *
 * A notice is only a hint to read the head. It can be missed: the
 * connection may be lost (the store connects again, and a new session
 * has heard nothing), or a writer may not notify (an older esk, a
 * hand-written INSERT). So the waiter also reads the head at least every
 * PG_WAIT_POLL_MS: a missed notice delays the wake, it never strands the
 * waiter.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "store_postgres_internal.h"

enum { PG_WAIT_POLL_MS = 500 };

static esk_status start_listening(pg_store *s)
{
    if (s->listening)
        return ESK_OK;
    char sql[80];
    snprintf(sql, sizeof sql, "LISTEN %s", s->schema);
    PGresult *res = PQexec(s->conn, sql);
    esk_status status = ESK_OK;
    if (esk__pg_ok(res))
        s->listening = true;
    else
        status = esk__pg_fail(s, res, "listening for appends");
    PQclear(res);
    return status;
}

/* Drop the notices received so far; whether there was one. */
static bool drain_notices(pg_store *s)
{
    bool heard = false;
    PGnotify *notice;
    while ((notice = PQnotifies(s->conn)) != NULL) {
        PQfreemem(notice);
        heard = true;
    }
    return heard;
}

/* Wait for a notice, at most pause_ms. A notice may already have come in
 * with the answer to the last query, so look before waiting. A lost
 * connection ends the wait too: PQstatus then says so, and the caller
 * connects again. */
static void await_notice(pg_store *s, int pause_ms)
{
    if (!PQconsumeInput(s->conn) || drain_notices(s))
        return;
    struct pollfd fd = {.fd = PQsocket(s->conn), .events = POLLIN};
    if (fd.fd < 0)
        return;
    int64_t deadline = esk__monotonic_us() + (int64_t)pause_ms * 1000;
    for (;;) {
        int left_ms = (int)((deadline - esk__monotonic_us() + 999) / 1000);
        if (left_ms <= 0)
            return;
        int ready = poll(&fd, 1, left_ms);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0 || !PQconsumeInput(s->conn) || drain_notices(s))
            return;
        /* Bytes that were no notice (a server's parameter status): wait
         * on. */
    }
}

esk_status esk__pg_wait_for(esk_store *store, void *impl,
                            int64_t after_position, int timeout_ms,
                            int64_t *out_head)
{
    pg_store *s = impl;
    int64_t deadline = esk__monotonic_us() + (int64_t)timeout_ms * 1000;
    bool failed_before = false;
    for (;;) {
        /* LISTEN before reading the head: a commit after the read is
         * then heard. */
        esk_status status = esk__pg_connected(s, "waiting for appends");
        if (status == ESK_OK)
            status = start_listening(s);
        if (status == ESK_OK)
            status = esk__pg_head_position(store, impl, out_head);
        if (status == ESK_OK && *out_head > after_position)
            return ESK_OK;
        /* The first failure is often a connection lost while idle, which
         * the next round connects again at once. */
        bool retry_now = status != ESK_OK && !failed_before;
        failed_before = status != ESK_OK;
        int64_t left_ms = (deadline - esk__monotonic_us() + 999) / 1000;
        if (left_ms <= 0)
            return status;
        int pause_ms =
            left_ms < PG_WAIT_POLL_MS ? (int)left_ms : PG_WAIT_POLL_MS;
        if (retry_now)
            continue;
        if (status == ESK_OK)
            await_notice(s, pause_ms);
        else
            esk__sleep_ms(pause_ms);
    }
}
