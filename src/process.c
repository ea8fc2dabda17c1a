/*
 * src/process.c - process managers: follow the events from a checkpoint
 * and answer them with commands on the bus.
 *
 * Each event's reaction is one transaction: the commands' events and
 * outcomes (written by the bus, nested) and the checkpoint move commit
 * together or not at all. The command ids derive from the event, so that
 * an event delivered again sends the same ids and the idempotency
 * middleware turns the second sending into a no-op.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "esk/process.h"
#include "esk/store_backend.h"
#include "internal.h"
#include "projection_internal.h"
#include "sha256.h"

enum {
    MESSAGE_MAX = 512,
    /* Events read per batch; each is still its own transaction. */
    PROCESS_BATCH = 100,
    /* Longest process name, so that "<name>/<event id>/<n>" fits in a
     * command id for the generated event ids. */
    PROCESS_NAME_MAX = 64,
};

#define CHECKPOINT_PREFIX ESK__PROCESS_CHECKPOINT_PREFIX

struct esk_process_runner {
    esk_store *store;
    esk_bus *bus;
    const esk_process *process;
    char checkpoint_key[sizeof(CHECKPOINT_PREFIX) + PROCESS_NAME_MAX];
    esk_event_list batch;
    /* Why the current reaction or tick failed, should a later call have
     * replaced the last error: the last command that failed, or what
     * esk_process_fail() said. */
    char reason[MESSAGE_MAX];
};

struct esk_process_context {
    esk_process_runner *runner;
    /* The event reacted to; NULL in tick(). */
    const esk_event *event;
    /* Commands sent so far in this reaction, for the ids. */
    unsigned sent;
    char correlation_id[ESK_COMMAND_ID_MAX + 1];
};

static esk_status store_error(esk_process_runner *r, esk_status status)
{
    return esk__fail_within(status, "process '%s'", r->process->name);
}

/* Roll back every transaction level left open, after a failure that
 * leaves the unit unusable, keeping the failure's message. */
static void unwind(esk_store *store)
{
    esk__store_undo_to(store, 0);
}

static esk_status check_process(const esk_process *p, const char **why)
{
    if (p->name == NULL || !esk__utf8_valid(p->name, PROCESS_NAME_MAX) ||
        strchr(p->name, '/') != NULL)
        *why = "its name must be 1 to 64 bytes of UTF-8 without '/' (it "
               "prefixes the command ids)";
    else if (p->react == NULL)
        *why = "it has no react function";
    else if (p->event_type_count > 0 && p->event_types == NULL)
        *why = "it counts event types but event_types is NULL";
    else
        return ESK_OK;
    return ESK_EINVAL;
}

esk_status esk_process_runner_new(esk_process_runner **out, esk_store *store,
                                  esk_bus *bus, const esk_process *process)
{
    const char *why = NULL;

    if (out == NULL || store == NULL || bus == NULL || process == NULL)
        return esk__fail(ESK_EINVAL, "esk_process_runner_new: the %s is NULL",
                         out == NULL     ? "out"
                         : store == NULL ? "store"
                         : bus == NULL   ? "bus"
                                         : "process");
    if (check_process(process, &why) != ESK_OK)
        return esk__fail(ESK_EINVAL, "process '%s' cannot run: %s",
                         process->name != NULL ? process->name : "", why);
    /* Two handles on one SQLite file are two connections: the runner's
     * transaction would hold the write lock while the bus's handler waits
     * for it on the other, until the busy timeout. */
    if (esk__bus_store(bus) != store)
        return esk__fail(
            ESK_EINVAL,
            "process '%s' cannot run: the bus and the runner must share one "
            "store handle; create the bus over the runner's store",
            process->name);
    esk_process_runner *r = esk__calloc(1, sizeof(*r));
    if (r == NULL)
        return esk__fail(ESK_ENOMEM, "out of memory creating process '%s'",
                         process->name);
    r->store = store;
    r->bus = bus;
    r->process = process;
    snprintf(r->checkpoint_key, sizeof(r->checkpoint_key),
             CHECKPOINT_PREFIX "%s", process->name);
    r->batch = (esk_event_list)ESK_EVENT_LIST_INIT;
    *out = r;
    return esk__ok();
}

void esk_process_runner_free(esk_process_runner *runner)
{
    if (runner == NULL)
        return;
    esk_event_list_release(&runner->batch);
    esk__free(runner);
}

esk_store *esk_process_store(esk_process_context *pc)
{
    return pc == NULL ? NULL : pc->runner->store;
}

/* "#" and the first half of the SHA-256 of a and b joined by '/', in hex:
 * 33 characters, the same for the same input. */
static esk_status digest_id(const char *a, const char *b, char out[34])
{
    size_t len_a = strlen(a);
    size_t len_b = b != NULL ? strlen(b) : 0;
    char *joined = esk__malloc(len_a + len_b + 2);
    if (joined == NULL)
        return ESK_ENOMEM;
    memcpy(joined, a, len_a);
    size_t size = len_a;
    if (b != NULL) {
        joined[size++] = '/';
        memcpy(joined + size, b, len_b);
        size += len_b;
    }
    unsigned char digest[32];
    esk__sha256(joined, size, digest);
    esk__free(joined);
    out[0] = '#';
    for (int i = 0; i < 16; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", digest[i]);
    return ESK_OK;
}

/*
 * The command's id: "<process>/<event id>/<n or key>" from react,
 * "<process>/tick/<key>" from tick. When that would pass the bus's limit
 * (a long event id or key), "<process>/#<digest of the rest>" instead:
 * still the same for the same event and key, so a redelivered event sends
 * the same ids, and never too long, so no valid event can stop the
 * process. ESK_EINVAL or ESK_ENOMEM with reason saying why.
 */
static esk_status command_id(esk_process_context *pc, const char *key, char *id,
                             size_t size)
{
    esk_process_runner *r = pc->runner;
    const char *name = r->process->name;
    char counter[16];

    if (pc->event == NULL && key == NULL)
        return esk_process_fail(pc, ESK_EINVAL,
                                "a command sent from tick needs a key naming "
                                "the step (e.g. \"lapse/<registration>\")");
    const char *first = pc->event != NULL ? pc->event->event_id : "tick";
    if (key == NULL) {
        snprintf(counter, sizeof(counter), "%u", ++pc->sent);
        key = counter;
    }
    int n = snprintf(id, size, "%s/%s/%s", name, first, key);
    if (n >= 0 && (size_t)n < size)
        return ESK_OK;
    char digest[34];
    if (digest_id(first, key, digest) != ESK_OK)
        return esk_process_fail(pc, ESK_ENOMEM,
                                "out of memory deriving a command id");
    /* The name is at most PROCESS_NAME_MAX bytes: this always fits. */
    snprintf(id, size, "%s/%s", name, digest);
    return ESK_OK;
}

esk_status esk_process_send(esk_process_context *pc, const esk_command *command,
                            const char *key, esk_command_result *result)
{
    char id[ESK_COMMAND_ID_MAX + 1];
    esk_command_result local;

    if (pc == NULL)
        return esk__fail(ESK_EINVAL, "esk_process_send: the context is NULL");
    esk_process_runner *r = pc->runner;
    if (command == NULL)
        return esk_process_fail(pc, ESK_EINVAL,
                                "esk_process_send: command is NULL");
    esk_status rc = command_id(pc, key, id, sizeof(id));
    if (rc != ESK_OK)
        return rc;
    esk_command copy = *command;
    copy.id = id;
    copy.correlation_id = pc->event != NULL ? pc->correlation_id : NULL;
    if (result == NULL)
        result = &local;
    rc = esk_bus_dispatch(r->bus, &copy, result);
    if (rc != ESK_OK && rc != ESK_EDOMAIN) {
        esk__fail_within(rc, "command %s '%s' failed",
                         command->type != NULL ? command->type : "(no type)",
                         id);
        snprintf(r->reason, sizeof(r->reason), "%s", esk_errmsg());
    }
    return rc;
}

esk_status esk_process_fail(esk_process_context *pc, esk_status status,
                            const char *format, ...)
{
    if (pc == NULL)
        return esk__fail(ESK_EINVAL, "esk_process_fail: the context is NULL");
    if (format != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(pc->runner->reason, sizeof(pc->runner->reason), format, args);
        va_end(args);
        esk__fail(status, "%s", pc->runner->reason);
    }
    return status;
}

/* What a failed reaction or tick says: its own message, else the last
 * command that failed, else the status. */
static const char *failure_reason(esk_process_runner *r, esk_status rc)
{
    const esk_error *last = esk_error_last();
    if (last->status == rc && last->message[0] != '\0')
        return last->message;
    return r->reason[0] != '\0' ? r->reason : esk_status_str(rc);
}

/*
 * The correlation id of the commands sent for an event: the event's
 * correlationId metadata, or its own id when it has none. One longer than
 * a command's correlation id may be (an id from another system) becomes
 * its digest: the commands of one conversation still share it, and the
 * bus never refuses it. ESK_OK or ESK_ENOMEM.
 */
static esk_status correlation_of(const esk_event *event,
                                 char out[ESK_COMMAND_ID_MAX + 1])
{
    /* The value cannot be longer than the metadata that holds it. */
    size_t size = strlen(event->metadata) + 1;
    char *value = esk__malloc(size);
    if (value == NULL)
        return ESK_ENOMEM;
    esk_status rc =
        esk_metadata_get(event->metadata, "correlationId", value, size);
    if (rc == ESK_OK && value[0] != '\0' &&
        strlen(value) <= ESK_COMMAND_ID_MAX &&
        esk__utf8_valid(value, ESK_COMMAND_ID_MAX))
        memcpy(out, value, strlen(value) + 1);
    else if (rc == ESK_OK && value[0] != '\0')
        rc = digest_id(value, NULL, out);
    else if (rc != ESK_ENOMEM) {
        snprintf(out, ESK_COMMAND_ID_MAX + 1, "%s", event->event_id);
        rc = ESK_OK;
    }
    esk__free(value);
    return rc;
}

/* Roll back what a failed reaction or tick sent: ESK_ECALLBACK with its
 * message, or the rollback's own failure. */
static esk_status undo(esk_process_runner *r)
{
    esk_status rc = esk__store_rollback(r->store);
    if (rc != ESK_OK)
        return store_error(r, rc);
    return ESK_ECALLBACK;
}

/* Call react() inside the event's transaction: ESK_OK to keep what it
 * did (a refusal is an answer), else ESK_ECALLBACK with what it did
 * undone. */
static esk_status call_react(esk_process_runner *r, esk_process_context *pc,
                             const esk_event *event)
{
    const esk_process *p = r->process;
    char where[ESK_STREAM_ID_MAX + ESK_TYPE_MAX + 80];
    r->reason[0] = '\0';
    esk_error_clear();
    esk_status rc = p->react(p->ctx, pc, event);
    if (esk_store_transaction_depth(r->store) != 1) {
        esk__describe_event(event, where, sizeof(where));
        unwind(r->store);
        return esk__fail(ESK_ECALLBACK,
                         "process '%s': react() to the event at %s began or "
                         "ended a transaction it did not close, so nothing "
                         "of it is kept: react() must commit or roll back "
                         "what it begins",
                         p->name, where);
    }
    if (rc == ESK_OK || rc == ESK_EDOMAIN)
        return ESK_OK;
    esk__describe_event(event, where, sizeof(where));
    esk__fail(ESK_ECALLBACK,
              "process '%s' stopped at the event at %s, and what it sent is "
              "undone: %s. Fix the cause and run again: it resumes there",
              p->name, where, failure_reason(r, rc));
    return undo(r);
}

/* One event's reaction and the checkpoint move: one transaction. Does
 * nothing when another runner has reacted to the event already: then
 * *done is where that runner's checkpoint stands, else the event's
 * position. */
static esk_status react_to(esk_process_runner *r, const esk_event *event,
                           int64_t *done, bool *reacted)
{
    *reacted = false;
    const esk_process *p = r->process;
    esk_process_context pc = {r, event, 0, {0}};

    esk_status rc = correlation_of(event, pc.correlation_id);
    /* Out of memory is not "no correlation id": the commands would carry
     * the wrong one. */
    if (rc != ESK_OK)
        return esk__fail(rc,
                         "process '%s': out of memory reading the metadata "
                         "of event '%s'",
                         p->name, event->event_id);
    rc = esk__store_begin(r->store);
    if (rc != ESK_OK)
        return store_error(r, rc);
    /* Under the write lock: another runner of this process (another
     * process, another handle) may have reacted to it already. */
    int version = 0;
    bool found = false;
    rc = esk__checkpoint_get(r->store, r->checkpoint_key, done, &version,
                             &found);
    if (rc != ESK_OK || *done >= event->position) {
        if (rc != ESK_OK)
            store_error(r, rc);
        unwind(r->store);
        return rc;
    }
    rc = call_react(r, &pc, event);
    if (rc != ESK_OK)
        return rc;
    rc = esk__checkpoint_put(r->store, r->checkpoint_key, event->position, 1);
    if (rc != ESK_OK) {
        store_error(r, rc);
        unwind(r->store);
        return rc;
    }
    rc = esk__store_commit(r->store);
    if (rc != ESK_OK)
        return store_error(r, rc);
    *done = event->position;
    *reacted = true;
    return ESK_OK;
}

/* Move the checkpoint to next if it is not already there or further, in
 * a transaction of its own: another runner may have gone further. */
static esk_status skip_to(esk_process_runner *r, int64_t next)
{
    int64_t done = 0;
    int version = 0;
    bool found = false;
    esk_status rc = esk__store_begin(r->store);
    if (rc == ESK_OK)
        rc = esk__checkpoint_get(r->store, r->checkpoint_key, &done, &version,
                                 &found);
    if (rc == ESK_OK && done < next)
        rc = esk__checkpoint_put(r->store, r->checkpoint_key, next, 1);
    if (rc == ESK_OK)
        rc = esk__store_commit(r->store);
    if (rc != ESK_OK) {
        store_error(r, rc);
        unwind(r->store);
    }
    return rc;
}

esk_status esk_process_run(esk_process_runner *runner, size_t *reacted)
{
    const esk_process *p = NULL;
    esk_status rc;
    int64_t checkpoint = 0;
    int64_t head = 0;
    int version = 0;
    bool found = false;
    size_t count = 0;

    if (reacted != NULL)
        *reacted = 0;
    if (runner == NULL)
        return esk__fail(ESK_EINVAL, "esk_process_run: the runner is NULL");
    p = runner->process;
    rc = esk__checkpoint_get(runner->store, runner->checkpoint_key, &checkpoint,
                             &version, &found);
    if (rc == ESK_OK)
        rc = esk_store_head_position(runner->store, &head);
    if (rc != ESK_OK) {
        store_error(runner, rc);
        goto done;
    }
    while (checkpoint < head) {
        int64_t next = 0;
        rc = esk__read_batch(runner->store, p->event_types, p->event_type_count,
                             checkpoint, head, PROCESS_BATCH, &runner->batch,
                             &next);
        if (rc != ESK_OK) {
            store_error(runner, rc);
            goto done;
        }
        bool overtaken = false;
        for (size_t i = 0; i < runner->batch.count && !overtaken; i++) {
            const esk_event *event = &runner->batch.events[i];
            int64_t done = 0;
            bool this_one = false;
            if ((rc = react_to(runner, event, &done, &this_one)) != ESK_OK)
                goto done;
            count += this_one;
            /* Another runner went further: read on from where it is. */
            overtaken = done > event->position;
            checkpoint = done;
        }
        if (overtaken)
            continue;
        /* Past the events it does not react to, so that it does not read
         * them again. */
        if (next > checkpoint) {
            if ((rc = skip_to(runner, next)) != ESK_OK)
                goto done;
            checkpoint = next;
        }
    }
    rc = esk__ok();
done:
    if (reacted != NULL)
        *reacted = count;
    return rc;
}

esk_status esk_process_tick(esk_process_runner *runner)
{
    if (runner == NULL)
        return esk__fail(ESK_EINVAL, "esk_process_tick: the runner is NULL");
    const esk_process *p = runner->process;
    if (p->tick == NULL)
        return esk__ok();
    esk_time now = esk_store_now(runner->store);
    esk_process_context pc = {runner, NULL, 0, {0}};
    esk_status rc = esk__store_begin(runner->store);
    if (rc != ESK_OK)
        return store_error(runner, rc);
    runner->reason[0] = '\0';
    esk_error_clear();
    esk_status trc = p->tick(p->ctx, &pc, now);
    if (esk_store_transaction_depth(runner->store) != 1) {
        unwind(runner->store);
        return esk__fail(ESK_ECALLBACK,
                         "process '%s': tick() began or ended a transaction "
                         "it did not close, so nothing of it is kept: "
                         "tick() must commit or roll back what it begins",
                         p->name);
    }
    if (trc != ESK_OK && trc != ESK_EDOMAIN) {
        char when[ESK_TIME_TEXT_SIZE] = "?";
        esk_time_format(now, when);
        esk__fail(ESK_ECALLBACK,
                  "process '%s': tick at %s failed, and what it sent "
                  "is undone: %s",
                  p->name, when, failure_reason(runner, trc));
        return undo(runner);
    }
    rc = esk__store_commit(runner->store);
    if (rc != ESK_OK)
        return store_error(runner, rc);
    return esk__ok();
}
