/*
 * outbox.c - the outbox written with the events, the relay that delivers
 * it at least once, and the consumer that sends each email once.
 * YOU EDIT THIS FILE.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/error.h>

#include "exercise.h"
#include "outbox.h"

/* The message row, on the store's connection: inside the caller's
 * transaction, so it commits or rolls back with the events. */
static esk_status insert_message(esk_store *store,
                                 const workshop_command *command,
                                 const char *message_id)
{
    sqlite3 *db = esk_store_sqlite_db(store);
    char body[MESSAGE_BODY_SIZE];
    snprintf(body, sizeof(body), "Your seat in %s is booked.",
             command->workshop_id);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT INTO outbox(message_id, attendee_id, "
                                "body) VALUES (?, ?, ?)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, message_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, command->attendee_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return esk_error_set(ESK_EIO,
                             "the outbox message %s was not written: %s",
                             message_id, sqlite3_errmsg(db));
    return ESK_OK;
}

esk_status register_with_outbox(esk_store *store,
                                const workshop_command *command,
                                const char *message_id)
{
    if (store == NULL || command == NULL || message_id == NULL ||
        message_id[0] == '\0' || strlen(message_id) >= MESSAGE_ID_SIZE)
        return esk_error_set(ESK_EINVAL,
                             "register_with_outbox: a store, a command and a "
                             "message id of 1 to %d bytes, please",
                             MESSAGE_ID_SIZE - 1);
    esk_status rc = esk_store_begin(store);
    if (rc != ESK_OK)
        return rc;
    rc = register_attendee(store, command);
    if (rc == ESK_OK)
        rc = insert_message(store, command, message_id);
    if (rc != ESK_OK) {
        /* The rollback's success would clear the failure's message. */
        esk_error saved = *esk_error_last();
        esk_store_rollback(store);
        if (rc == ESK_EDOMAIN)
            return esk_domain_error(saved.code, "%s", saved.message);
        return esk_error_set(rc, "%s", saved.message);
    }
    return esk_store_commit(store);
}

/* The undelivered messages, oldest first, read before any is delivered:
 * no statement stays open on the store's connection while the server
 * (and the marking) run. */
static esk_status read_undelivered(sqlite3 *db, outbox_message *batch,
                                   size_t cap, size_t *count)
{
    sqlite3_stmt *st = NULL;
    *count = 0;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT seq, message_id, attendee_id, body "
                                "FROM outbox WHERE delivered = 0 "
                                "ORDER BY seq LIMIT ?",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)cap);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            outbox_message *m = &batch[(*count)++];
            m->seq = sqlite3_column_int64(st, 0);
            snprintf(m->id, sizeof(m->id), "%s",
                     (const char *)sqlite3_column_text(st, 1));
            snprintf(m->attendee_id, sizeof(m->attendee_id), "%s",
                     (const char *)sqlite3_column_text(st, 2));
            snprintf(m->body, sizeof(m->body), "%s",
                     (const char *)sqlite3_column_text(st, 3));
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return esk_error_set(ESK_EIO, "the relay could not read the outbox: %s",
                             sqlite3_errmsg(db));
    return ESK_OK;
}

static esk_status mark_delivered(sqlite3 *db, int64_t seq)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        db, "UPDATE outbox SET delivered = 1 WHERE seq = ?", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return esk_error_set(ESK_EIO,
                             "message %lld was delivered but not marked (%s): "
                             "the next run delivers it again",
                             (long long)seq, sqlite3_errmsg(db));
    return ESK_OK;
}

esk_status relay_run(esk_store *store, mail_server *server, size_t *delivered)
{
    if (delivered != NULL)
        *delivered = 0;
    if (store == NULL || server == NULL || esk_store_sqlite_db(store) == NULL)
        return esk_error_set(ESK_EINVAL,
                             "relay_run: a SQLite store and a server, please");
    sqlite3 *db = esk_store_sqlite_db(store);
    outbox_message batch[RELAY_BATCH];
    size_t count = 0;
    esk_status rc = read_undelivered(db, batch, RELAY_BATCH, &count);
    for (size_t i = 0; rc == ESK_OK && i < count; i++) {
        rc = mail_server_deliver(server, &batch[i]);
        if (rc == ESK_OK)
            rc = mark_delivered(db, batch[i].seq);
        if (rc == ESK_OK && delivered != NULL)
            (*delivered)++;
    }
    return rc;
}

static bool seen_before(const mail_consumer *consumer, const char *id)
{
    for (size_t i = 0; i < consumer->seen_count; i++)
        if (strcmp(consumer->seen[i], id) == 0)
            return true;
    return false;
}

esk_status consumer_receive(mail_consumer *consumer,
                            const outbox_message *message)
{
    if (consumer == NULL || message == NULL)
        return esk_error_set(ESK_EINVAL, "consumer_receive: NULL argument");
    if (seen_before(consumer, message->id))
        return ESK_OK;
    if (consumer->seen_count >= MAIL_MAX)
        return esk_error_set(
            ESK_ENOMEM, "consumer_receive: %d message ids at most", MAIL_MAX);
    esk_status rc = mail_send_email(consumer, message);
    if (rc != ESK_OK)
        return rc;
    snprintf(consumer->seen[consumer->seen_count++], MESSAGE_ID_SIZE, "%s",
             message->id);
    return ESK_OK;
}
