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
    char message[MESSAGE_MAX];
    /* Why the current reaction or tick failed: the last command that
     * failed, or what esk_process_fail() said. */
    char reason[MESSAGE_MAX];
};

struct esk_process_context {
    esk_process_runner *runner;
    /* The event reacted to; NULL in tick(). */
    const esk_event *event;
    /* Commands sent so far in this reaction, for the ids. */
    unsigned sent;
    char correlation_id[ESK_STREAM_ID_MAX + 1];
};

static esk_status set_error(esk_process_runner *r, esk_status status,
                            const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static esk_status set_error(esk_process_runner *r, esk_status status,
                            const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(r->message, sizeof(r->message), format, args);
    va_end(args);
    return status;
}

static esk_status store_error(esk_process_runner *r, esk_status status)
{
    return set_error(r, status, "process '%s': %s", r->process->name,
                     esk_store_errmsg(r->store));
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
        return ESK_EINVAL;
    if (check_process(process, &why) != ESK_OK)
        return esk_store_set_error(
            store, ESK_EINVAL, "process '%s' cannot run: %s",
            process->name != NULL ? process->name : "", why);
    esk_process_runner *r = esk__calloc(1, sizeof(*r));
    if (r == NULL)
        return esk_store_set_error(store, ESK_ENOMEM,
                                   "out of memory creating process '%s'",
                                   process->name);
    r->store = store;
    r->bus = bus;
    r->process = process;
    snprintf(r->checkpoint_key, sizeof(r->checkpoint_key),
             CHECKPOINT_PREFIX "%s", process->name);
    r->batch = (esk_event_list)ESK_EVENT_LIST_INIT;
    *out = r;
    return ESK_OK;
}

void esk_process_runner_free(esk_process_runner *runner)
{
    if (runner == NULL)
        return;
    esk_event_list_free(&runner->batch);
    esk__free(runner);
}

const char *esk_process_runner_errmsg(const esk_process_runner *runner)
{
    return runner == NULL ? "no process runner (NULL handle)" : runner->message;
}

esk_store *esk_process_store(esk_process_context *pc)
{
    return pc == NULL ? NULL : pc->runner->store;
}

/* The command's id, or ESK_EINVAL with reason saying why. */
static esk_status command_id(esk_process_context *pc, const char *key, char *id,
                             size_t size)
{
    esk_process_runner *r = pc->runner;
    const char *name = r->process->name;
    int n;

    if (pc->event == NULL && key == NULL) {
        snprintf(r->reason, sizeof(r->reason),
                 "a command sent from tick needs a key naming the step "
                 "(e.g. \"lapse/<registration>\")");
        return ESK_EINVAL;
    }
    if (pc->event == NULL)
        n = snprintf(id, size, "%s/tick/%s", name, key);
    else if (key != NULL)
        n = snprintf(id, size, "%s/%s/%s", name, pc->event->event_id, key);
    else
        n = snprintf(id, size, "%s/%s/%u", name, pc->event->event_id,
                     ++pc->sent);
    if (n < 0 || (size_t)n >= size) {
        snprintf(r->reason, sizeof(r->reason),
                 "the command id \"%.60s...\" would be longer than %d bytes: "
                 "use a shorter process name or key",
                 id, ESK_COMMAND_ID_MAX);
        return ESK_EINVAL;
    }
    return ESK_OK;
}

esk_status esk_process_send(esk_process_context *pc, const esk_command *command,
                            const char *key, esk_command_result *result)
{
    char id[ESK_COMMAND_ID_MAX + 1];
    esk_command_result local;

    if (pc == NULL)
        return ESK_EINVAL;
    esk_process_runner *r = pc->runner;
    if (command == NULL) {
        snprintf(r->reason, sizeof(r->reason),
                 "esk_process_send: command is NULL");
        return ESK_EINVAL;
    }
    esk_status rc = command_id(pc, key, id, sizeof(id));
    if (rc != ESK_OK)
        return rc;
    esk_command copy = *command;
    copy.id = id;
    copy.correlation_id = pc->event != NULL ? pc->correlation_id : NULL;
    if (result == NULL)
        result = &local;
    rc = esk_bus_dispatch(r->bus, &copy, result);
    if (rc != ESK_OK && rc != ESK_EDOMAIN)
        snprintf(r->reason, sizeof(r->reason), "command %s '%s' failed: %s",
                 command->type != NULL ? command->type : "(no type)", id,
                 result->message[0] != '\0' ? result->message
                                            : esk_status_str(rc));
    return rc;
}

esk_status esk_process_fail(esk_process_context *pc, esk_status status,
                            const char *format, ...)
{
    if (pc == NULL)
        return ESK_EINVAL;
    if (format != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(pc->runner->reason, sizeof(pc->runner->reason), format, args);
        va_end(args);
    }
    return status;
}

/* What a failed reaction or tick says: the status, and the last command
 * that failed, if any. */
static const char *failure_reason(esk_process_runner *r, esk_status rc)
{
    return r->reason[0] != '\0' ? r->reason : esk_status_str(rc);
}

/* One event's reaction and the checkpoint move: one transaction. */
static esk_status react_to(esk_process_runner *r, const esk_event *event)
{
    const esk_process *p = r->process;
    esk_process_context pc = {r, event, 0, {0}};

    esk_status rc =
        esk_metadata_get(event->metadata, "correlationId", pc.correlation_id,
                         sizeof(pc.correlation_id));
    /* Out of memory is not "no correlation id": the commands would carry
     * the wrong one. */
    if (rc == ESK_ENOMEM)
        return set_error(r, rc,
                         "process '%s': out of memory reading the metadata "
                         "of event '%s'",
                         p->name, event->event_id);
    if (rc != ESK_OK)
        snprintf(pc.correlation_id, sizeof(pc.correlation_id), "%s",
                 event->event_id);
    rc = esk_store_begin(r->store);
    if (rc != ESK_OK)
        return store_error(r, rc);
    r->reason[0] = '\0';
    esk_status rrc = p->react(p->ctx, &pc, event);
    if (rrc != ESK_OK && rrc != ESK_EDOMAIN) {
        esk_store_rollback(r->store);
        char where[ESK_STREAM_ID_MAX + ESK_TYPE_MAX + 80];
        esk__describe_event(event, where, sizeof(where));
        return set_error(r, ESK_ECALLBACK,
                         "process '%s' stopped at the event at %s, and what "
                         "it sent is undone: %s. Fix the cause and run "
                         "again: it resumes there",
                         p->name, where, failure_reason(r, rrc));
    }
    rc = esk__checkpoint_put(r->store, r->checkpoint_key, event->position, 1);
    if (rc != ESK_OK) {
        store_error(r, rc);
        esk_store_rollback(r->store);
        return rc;
    }
    rc = esk_store_commit(r->store);
    return rc == ESK_OK ? ESK_OK : store_error(r, rc);
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
        return ESK_EINVAL;
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
        for (size_t i = 0; i < runner->batch.count; i++) {
            const esk_event *event = &runner->batch.events[i];
            if ((rc = react_to(runner, event)) != ESK_OK)
                goto done;
            count++;
            checkpoint = event->position;
        }
        /* Past the events it does not react to, so that it does not read
         * them again. */
        if (next > checkpoint) {
            rc = esk__checkpoint_put(runner->store, runner->checkpoint_key,
                                     next, 1);
            if (rc != ESK_OK) {
                store_error(runner, rc);
                goto done;
            }
            checkpoint = next;
        }
    }
    runner->message[0] = '\0';
done:
    if (reacted != NULL)
        *reacted = count;
    return rc;
}

esk_status esk_process_tick(esk_process_runner *runner)
{
    if (runner == NULL)
        return ESK_EINVAL;
    const esk_process *p = runner->process;
    if (p->tick == NULL) {
        runner->message[0] = '\0';
        return ESK_OK;
    }
    esk_time now = esk_store_now(runner->store);
    esk_process_context pc = {runner, NULL, 0, {0}};
    esk_status rc = esk_store_begin(runner->store);
    if (rc != ESK_OK)
        return store_error(runner, rc);
    runner->reason[0] = '\0';
    esk_status trc = p->tick(p->ctx, &pc, now);
    if (trc != ESK_OK && trc != ESK_EDOMAIN) {
        esk_store_rollback(runner->store);
        char when[ESK_TIME_TEXT_SIZE] = "?";
        esk_time_format(now, when);
        return set_error(runner, ESK_ECALLBACK,
                         "process '%s': tick at %s failed, and what it sent "
                         "is undone: %s",
                         p->name, when, failure_reason(runner, trc));
    }
    rc = esk_store_commit(runner->store);
    if (rc != ESK_OK)
        return store_error(runner, rc);
    runner->message[0] = '\0';
    return ESK_OK;
}
