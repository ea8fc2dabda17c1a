/*
 * tests/crash_writer.c - the writer, a child process: random batches and
 * transactions, each acknowledged to the parent through a pipe, until it
 * is killed.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_fixture.h"
#include "esk/store.h"
#include "process_fixture.h"

/* ---- The writer (a child process) ---------------------------------------- */

/*
 * Append batch `batch` of the round (1 to BATCH_MAX events) to a random
 * stream, expecting the version read just before. Each event's id and
 * data say which batch it belongs to, where it sits in it, and which unit
 * of work (transaction) the batch is part of, so that the parent can tell
 * whole batches and whole transactions from cut ones.
 */
static esk_status append_batch(esk_store *store, const writer *w,
                               process_rng *rng, int batch, int unit_first,
                               int unit_count, ack *out)
{
    int stream = (int)process_rng_below(rng, STREAMS);
    int size = 1 + (int)process_rng_below(rng, BATCH_MAX);
    char stream_id[32];
    char ids[BATCH_MAX][48];
    char data[BATCH_MAX][160];
    esk_new_event events[BATCH_MAX];

    snprintf(stream_id, sizeof stream_id, "ledger-%d", stream);
    for (int i = 0; i < size; i++) {
        snprintf(ids[i], sizeof ids[i], "r%d-b%d-e%d", w->round, batch, i);
        snprintf(data[i], sizeof data[i],
                 "{\"round\":%d,\"batch\":%d,\"index\":%d,\"size\":%d,"
                 "\"unit\":%d,\"unit_batches\":%d}",
                 w->round, batch, i, size, unit_first, unit_count);
        events[i] = (esk_new_event){ids[i], "Entered", 1, data[i], NULL};
    }
    int64_t version = 0;
    esk_status rc = esk_store_stream_version(store, stream_id, &version);
    if (rc != ESK_OK)
        return rc;
    esk_append_result result;
    rc = esk_store_append(store, stream_id, version, events, (size_t)size,
                          &result);
    if (rc == ESK_OK)
        *out = (ack){w->round, batch,          size,
                     stream,   result.version, result.position};
    return rc;
}

/* One unit of work: a single append, or count appends in one transaction
 * (committed unless leave_open). Acknowledged once committed. */
static esk_status write_unit(esk_store *store, const writer *w,
                             process_rng *rng, int first, int count,
                             bool leave_open)
{
    ack acks[UNIT_MAX];
    bool transaction = count > 1 || leave_open;
    esk_status rc = transaction ? esk_store_begin(store) : ESK_OK;
    for (int j = 0; j < count && rc == ESK_OK; j++)
        rc = append_batch(store, w, rng, first + j, first, count, &acks[j]);
    if (rc != ESK_OK || leave_open)
        return rc;
    if (transaction && (rc = esk_store_commit(store)) != ESK_OK)
        return rc;
    if (!process_write_all(w->ack_fd, acks, (size_t)count * sizeof acks[0]))
        return ESK_EIO;
    return ESK_OK;
}

int writer_main(void *ctx)
{
    const writer *w = ctx;
    close(w->parent_fd);
    process_rng rng;
    process_rng_init(&rng, w->seed);

    esk_store_options options = ESK_STORE_OPTIONS_INIT;
    options.durability = w->durability;
    esk_store *store = NULL;
    if (under_test->open(&store, w->path, &options) != ESK_OK) {
        fprintf(stderr, "writer of round %d: %s\n", w->round, esk_errmsg());
        return 2;
    }

    esk_status rc = ESK_OK;
    if (w->plan == PLAN_UNTIL_KILLED) {
        for (int batch = 0; batch < BATCHES_PER_WRITER_MAX && rc == ESK_OK;) {
            /* One unit in four is a transaction of 2 to UNIT_MAX appends. */
            int count = 1;
            if (process_rng_below(&rng, 4) == 0)
                count = 2 + (int)process_rng_below(&rng, UNIT_MAX - 1);
            rc = write_unit(store, w, &rng, batch, count, false);
            batch += count;
        }
    } else {
        rc = write_unit(store, w, &rng, 0, 1, false);
        if (rc == ESK_OK)
            rc = write_unit(store, w, &rng, 1, 3,
                            w->plan == PLAN_HOLD_OPEN_TRANSACTION);
        if (rc == ESK_OK) {
            const ack marker = {w->round, -1, 0, 0, 0, 0};
            if (!process_write_all(w->ack_fd, &marker, sizeof marker))
                return 4;
            for (;;) /* until killed (or the alarm rings) */
                process_sleep_us(1000000);
        }
    }
    if (rc != ESK_OK) {
        fprintf(stderr, "writer of round %d: %s: %s\n", w->round,
                esk_status_str(rc), esk_errmsg());
        return 3;
    }
    esk_store_free(store);
    return 0;
}
