/*
 * mail.c - what is provided: the outbox table, the registration command,
 * and a fake mail server whose faults a test switches on.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/decider.h>
#include <esk/error.h>

#include "outbox.h"

esk_status outbox_create(esk_store *store)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    if (db == NULL)
        return esk_error_set(ESK_EINVAL,
                             "outbox_create: the outbox lives beside the "
                             "events, so it needs a SQLite store");
    const char *sql =
        "CREATE TABLE IF NOT EXISTS outbox("
        "seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        "message_id TEXT NOT NULL UNIQUE, attendee_id TEXT NOT NULL,"
        "body TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0)";
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "outbox_create: %s", sqlite3_errmsg(db));
    return ESK_OK;
}

esk_status register_attendee(esk_store *store, const workshop_command *command)
{
    if (store == NULL || command == NULL)
        return esk_error_set(ESK_EINVAL, "register_attendee: NULL argument");
    workshop_command c = *command;
    c.kind = REGISTER_ATTENDEE;
    return esk_decider_handle(&workshop_decider, store, c.workshop_id, &c, NULL,
                              NULL, NULL);
}

/* A small generator of our own, so that a seed gives the same faults on
 * every platform. */
static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fffu;
}

static mail_fault next_fault(mail_server *server)
{
    if (server->script_next < server->script_count)
        return server->script[server->script_next++];
    if (server->fault_rate > 0 &&
        (int)(next_random(&server->seed) % 100) < server->fault_rate)
        return next_random(&server->seed) % 2 ? MAIL_FAILS : MAIL_TIMES_OUT;
    return MAIL_SUCCEEDS;
}

esk_status mail_server_deliver(mail_server *server,
                               const outbox_message *message)
{
    if (server == NULL || message == NULL)
        return esk_error_set(ESK_EINVAL, "mail_server_deliver: NULL argument");
    server->attempts++;
    mail_fault fault = next_fault(server);
    if (fault == MAIL_FAILS)
        return esk_error_set(ESK_EIO,
                             "the mail server is down: message %s was not "
                             "delivered; try again later",
                             message->id);
    server->handed_on++;
    esk_status rc = consumer_receive(&server->consumer, message);
    if (rc != ESK_OK)
        return rc;
    if (fault == MAIL_TIMES_OUT)
        return esk_error_set(ESK_EIO,
                             "the mail server did not answer in time: "
                             "message %s may or may not have arrived",
                             message->id);
    return ESK_OK;
}

esk_status mail_send_email(mail_consumer *consumer,
                           const outbox_message *message)
{
    if (consumer == NULL || message == NULL)
        return esk_error_set(ESK_EINVAL, "mail_send_email: NULL argument");
    if (consumer->sent_count >= MAIL_MAX)
        return esk_error_set(ESK_ENOMEM,
                             "mail_send_email: the fake server keeps %d "
                             "emails at most",
                             MAIL_MAX);
    mail_email *e = &consumer->sent[consumer->sent_count++];
    snprintf(e->message_id, sizeof(e->message_id), "%s", message->id);
    snprintf(e->attendee_id, sizeof(e->attendee_id), "%s",
             message->attendee_id);
    snprintf(e->body, sizeof(e->body), "%s", message->body);
    return ESK_OK;
}
