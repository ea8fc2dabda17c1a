/*
 * tests/crash_checks.c - what the parent knows and finds: the writer's
 * acknowledgements, the file reopened after a kill, and every check of a
 * round.
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

/* ---- What the parent knows and finds ------------------------------------- */

static void log_ack(round_log *log, const ack *a)
{
    if (log->ack_count == log->ack_capacity) {
        log->ack_capacity = log->ack_capacity ? 2 * log->ack_capacity : 256;
        log->acks = realloc(log->acks, log->ack_capacity * sizeof *log->acks);
        assert_non_null(log->acks);
    }
    log->acks[log->ack_count++] = *a;
}

static batch_seen *seen_slot(round_log *log, int batch)
{
    size_t need = (size_t)batch + 1;
    if (need > log->seen_capacity) {
        size_t capacity = log->seen_capacity ? log->seen_capacity : 256;
        while (capacity < need)
            capacity *= 2;
        log->seen = realloc(log->seen, capacity * sizeof *log->seen);
        assert_non_null(log->seen);
        memset(log->seen + log->seen_capacity, 0,
               (capacity - log->seen_capacity) * sizeof *log->seen);
        log->seen_capacity = capacity;
    }
    return &log->seen[batch];
}

void free_logs(round_log *logs, int count)
{
    for (int r = 0; r < count; r++) {
        free(logs[r].acks);
        free(logs[r].seen);
    }
    free(logs);
}

/*
 * Read acknowledgements into log until the deadline (monotonic µs), or
 * until end of file when deadline is 0. Returns false at end of file (or
 * at the marker record, when stop_at_marker).
 */
bool collect_acks(int fd, round_log *log, int64_t deadline, bool stop_at_marker)
{
    for (;;) {
        if (deadline != 0) {
            int64_t left = deadline - process_now_us();
            if (left <= 0)
                return true;
            if (!process_readable(fd, left))
                continue;
        }
        ack a;
        ssize_t n = process_read_record(fd, &a, sizeof a);
        if (n == 0)
            return false;
        if (n != (ssize_t)sizeof a)
            fail_msg("a torn acknowledgement record (%zd bytes)", n);
        if (a.batch == -1) {
            if (stop_at_marker)
                return false;
            continue;
        }
        log_ack(log, &a);
    }
}

/* One event of a writer's, as its id, data and stream say. */
typedef struct entry {
    int round, batch, index, size, unit_first, unit_count, stream;
} entry;

static bool parse_entry(const esk_event *e, entry *out)
{
    int round, batch, index, n = 0;
    if (sscanf(e->event_id, "r%d-b%d-e%d%n", &out->round, &out->batch,
               &out->index, &n) != 3 ||
        e->event_id[n] != '\0')
        return false;
    n = 0;
    if (sscanf(e->data,
               "{\"round\":%d,\"batch\":%d,\"index\":%d,\"size\":%d,"
               "\"unit\":%d,\"unit_batches\":%d}%n",
               &round, &batch, &index, &out->size, &out->unit_first,
               &out->unit_count, &n) != 6 ||
        e->data[n] != '\0')
        return false;
    if (round != out->round || batch != out->batch || index != out->index)
        return false;
    n = 0;
    if (sscanf(e->stream_id, "ledger-%d%n", &out->stream, &n) != 1 ||
        e->stream_id[n] != '\0')
        return false;
    return out->round >= 0 && out->batch >= 0 && out->index >= 0 &&
           out->index < out->size && out->size <= BATCH_MAX &&
           out->stream >= 0 && out->stream < STREAMS &&
           out->unit_first <= out->batch &&
           out->batch < out->unit_first + out->unit_count;
}

/*
 * What the batches of one round must look like once the events are read:
 *   - stored batches are batches 0..P-1 (the writer committed them in
 *     that order, so a later one stored means every earlier one is);
 *   - every transaction is stored whole;
 *   - every acknowledged batch is stored where the writer was told;
 *   - beyond the acknowledged ones, at most one unit is stored: the one
 *     the kill caught after its commit and before its acknowledgement.
 */
static void check_round(round_log *log, int round)
{
    size_t present = 0;
    while (present < log->seen_capacity && log->seen[present].present)
        present++;
    for (size_t b = present; b < log->seen_capacity; b++)
        if (log->seen[b].present)
            fail_msg("round %d: batch %zu is stored but batch %zu, committed "
                     "before it, is not",
                     round, b, present);
    for (size_t b = 0; b < present; b++) {
        const batch_seen *s = &log->seen[b];
        if ((size_t)s->unit_first + (size_t)s->unit_count > present)
            fail_msg("round %d: the transaction of batches %d to %d is "
                     "stored in part: only up to batch %zu",
                     round, s->unit_first, s->unit_first + s->unit_count - 1,
                     present - 1);
    }
    for (size_t i = 0; i < log->ack_count; i++) {
        const ack *a = &log->acks[i];
        assert_int_equal(a->batch, i); /* acknowledged in order */
        if ((size_t)a->batch >= present)
            fail_msg("round %d: batch %d was acknowledged (ledger-%d, version "
                     "%" PRId64 ", position %" PRId64 ") but is not stored",
                     round, a->batch, a->stream, a->version, a->position);
        const batch_seen *s = &log->seen[a->batch];
        if (s->size != a->size || s->stream != a->stream ||
            s->version != a->version || s->position != a->position)
            fail_msg("round %d: batch %d was acknowledged as %d events up to "
                     "ledger-%d version %" PRId64 ", position %" PRId64
                     ", but is stored as %d events up to ledger-%d version "
                     "%" PRId64 ", position %" PRId64,
                     round, a->batch, a->size, a->stream, a->version,
                     a->position, s->size, s->stream, s->version, s->position);
    }
    size_t acked = log->ack_count;
    if (present > acked) {
        const batch_seen *s = &log->seen[acked];
        if ((size_t)s->unit_first != acked ||
            (size_t)(s->unit_first + s->unit_count) != present)
            fail_msg("round %d: batches %zu to %zu are stored but were never "
                     "acknowledged: more than the one unit a kill can catch",
                     round, acked, present - 1);
    }
    log->present = present;
}

/*
 * Open the store again and check everything listed at the top of the
 * file against the logs of rounds 0..rounds-1. Returns the number of
 * events.
 */
int64_t check_store(const char *path, round_log *logs, int rounds,
                    const char *when)
{
    int64_t counted = under_test_count_events(path, when);

    for (int r = 0; r < rounds; r++)
        if (logs[r].seen != NULL)
            memset(logs[r].seen, 0,
                   logs[r].seen_capacity * sizeof *logs[r].seen);

    esk_store *store = NULL;
    if (under_test->open(&store, path, NULL) != ESK_OK)
        fail_msg("%s: reopening the store: %s", when, esk_errmsg());
    esk_event_list list = ESK_EVENT_LIST_INIT;
    int64_t position = 0;
    int64_t versions[STREAMS] = {0};
    entry open = {0, 0, 0, 0, 0, 0, 0};
    int next_index = 0; /* of the open batch; 0 when none is open */

    for (;;) {
        if (esk_store_read_all(store, position, READ_CHUNK, NULL, &list) !=
            ESK_OK)
            fail_msg("%s: reading: %s", when, esk_errmsg());
        if (list.count == 0)
            break;
        for (size_t k = 0; k < list.count; k++) {
            const esk_event *e = &list.events[k];
            entry en;
            if (e->position != position + 1)
                fail_msg("%s: position %" PRId64 " follows %" PRId64, when,
                         e->position, position);
            position = e->position;
            if (!parse_entry(e, &en) || en.round >= rounds)
                fail_msg("%s: the event at position %" PRId64
                         " ('%s' in '%s') was never written by a writer",
                         when, position, e->event_id, e->stream_id);
            if (e->version != versions[en.stream] + 1)
                fail_msg("%s: in ledger-%d, version %" PRId64
                         " follows %" PRId64,
                         when, en.stream, e->version, versions[en.stream]);
            versions[en.stream] = e->version;

            if (next_index > 0 && en.index == 0)
                fail_msg("%s: batch r%d-b%d is cut: %d of its %d events "
                         "are stored",
                         when, open.round, open.batch, next_index, open.size);
            if (en.index == 0) {
                if (seen_slot(&logs[en.round], en.batch)->present)
                    fail_msg("%s: batch r%d-b%d is stored twice", when,
                             en.round, en.batch);
                open = en;
            } else if (en.round != open.round || en.batch != open.batch ||
                       en.index != next_index || en.stream != open.stream ||
                       en.size != open.size ||
                       en.unit_first != open.unit_first ||
                       en.unit_count != open.unit_count) {
                fail_msg("%s: event '%s' at position %" PRId64
                         " is out of its batch's place",
                         when, e->event_id, position);
            }
            next_index = en.index + 1;
            if (next_index == en.size) {
                *seen_slot(&logs[en.round], en.batch) = (batch_seen){
                    true,          en.size,    en.stream, en.unit_first,
                    en.unit_count, e->version, position};
                next_index = 0;
            }
        }
    }
    if (next_index > 0)
        fail_msg("%s: the last batch, r%d-b%d, is cut: %d of its %d events "
                 "are stored",
                 when, open.round, open.batch, next_index, open.size);
    if (position != counted)
        fail_msg("%s: SQL counts %" PRId64 " events, reading finds %" PRId64,
                 when, counted, position);
    int64_t head = -1;
    assert_int_equal(esk_store_head_position(store, &head), ESK_OK);
    assert_true(head == position);
    esk_event_list_release(&list);
    esk_store_free(store);

    for (int r = 0; r < rounds; r++)
        check_round(&logs[r], r);
    return position;
}

/*
 * When to kill: one kill in four comes early, within 3 ms of the fork,
 * while the writer opens (or creates) the file or makes its first
 * appends. The others come while batches stream in: up to KILL_WINDOW_US
 * after the first acknowledgement, so that a busy machine, slow to start
 * the writer, does not turn them all into early kills.
 */
void wait_for_the_kill(int fd, round_log *log, process_rng *rng)
{
    int64_t start = process_now_us();
    if (process_rng_below(rng, 4) == 0) {
        collect_acks(fd, log, start + (int64_t)process_rng_below(rng, 3000),
                     false);
        return;
    }
    int64_t delay = (int64_t)process_rng_below(rng, KILL_WINDOW_US);
    ack a;
    if (process_read_record(fd, &a, sizeof a) != (ssize_t)sizeof a)
        return; /* the writer died: the caller says how */
    log_ack(log, &a);
    collect_acks(fd, log, process_now_us() + delay, false);
}

bool killed_by_sigkill(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}
