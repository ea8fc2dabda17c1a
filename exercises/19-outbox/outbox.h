/*
 * outbox.h - telling the world that a seat was booked: an outbox written
 * with the events, a relay that delivers it at least once, and a consumer
 * that makes "at least once" send one email.
 *
 *   register ──► one transaction: AttendeeRegistered + outbox row
 *   relay    ──► undelivered rows, in order ──► mail server ──► consumer
 *                mark a row delivered only after the server's ack
 *   consumer ──► a message id seen before sends nothing again
 *
 * You write the three functions marked "YOU WRITE" in outbox.c; the rest
 * (the outbox table, the registration, the fake mail server and its
 * faults) is provided in mail.c.
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <esk/store.h>

#include "workshop.h"

#define MESSAGE_ID_SIZE 64
#define MESSAGE_BODY_SIZE 160

/* One integration message: what the world is told, not a domain event. */
typedef struct outbox_message {
    int64_t seq;                  /* the outbox's order, from 1 */
    char id[MESSAGE_ID_SIZE];     /* the message id the consumer keys on */
    char attendee_id[ID_SIZE];    /* whose email it is */
    char body[MESSAGE_BODY_SIZE]; /* "Your seat in w-1 is booked." */
} outbox_message;

/* --- Provided (mail.c) ---------------------------------------------------- */

/*
 * The outbox table, in the store's own SQLite database:
 *
 *   CREATE TABLE outbox(seq INTEGER PRIMARY KEY AUTOINCREMENT,
 *                       message_id TEXT NOT NULL UNIQUE,
 *                       attendee_id TEXT NOT NULL,
 *                       body TEXT NOT NULL,
 *                       delivered INTEGER NOT NULL DEFAULT 0);
 *
 * @return ESK_OK; ESK_EINVAL (not a SQLite store); ESK_EIO.
 */
esk_status outbox_create(esk_store *store);

/*
 * The registration command of the domain: load the stream
 * "workshop-<command->workshop_id>", decide, append (esk_decider_handle
 * with workshop_decider). It opens no transaction of its own: inside
 * yours, its append is part of it.
 *
 * @return ESK_OK; ESK_EDOMAIN (refused: the last error says why); the
 *         store's errors.
 */
esk_status register_attendee(esk_store *store, const workshop_command *command);

/* What a delivery attempt meets, decided by the server's switchboard. */
typedef enum mail_fault {
    MAIL_SUCCEEDS = 0, /* delivers, hands the message on, acks */
    MAIL_FAILS,        /* down: nothing delivered, no ack */
    MAIL_TIMES_OUT,    /* delivers, hands it on, and the ack is lost */
} mail_fault;

#define MAIL_MAX 256

/* One email sent to an attendee. */
typedef struct mail_email {
    char message_id[MESSAGE_ID_SIZE];
    char attendee_id[ID_SIZE];
    char body[MESSAGE_BODY_SIZE];
} mail_email;

/*
 * The consumer on the mail server's side: the emails it sent and the
 * message ids it has already handled. Start from (mail_consumer){0}.
 */
typedef struct mail_consumer {
    char seen[MAIL_MAX][MESSAGE_ID_SIZE];
    size_t seen_count;
    mail_email sent[MAIL_MAX];
    size_t sent_count;
} mail_consumer;

/*
 * The external system: a fake mail server and its fault switchboard.
 * Faults come from the script first (faults[0], faults[1]...), then, when
 * fault_rate > 0, at random from the seed (the same seed, the same run),
 * then MAIL_SUCCEEDS. Start from (mail_server){0} and set what you need.
 */
typedef struct mail_server {
    mail_consumer consumer;
    mail_fault script[16];
    size_t script_count, script_next;
    unsigned seed;    /* the random faults' seed */
    int fault_rate;   /* percent of attempts that fail or time out */
    size_t attempts;  /* delivery attempts seen */
    size_t handed_on; /* messages handed to the consumer */
} mail_server;

/*
 * Deliver one message. On MAIL_SUCCEEDS and MAIL_TIMES_OUT the server
 * hands it to consumer_receive() (which you write) on its own consumer.
 *
 * @return ESK_OK: the ack, the message was received; ESK_EIO: no ack
 *         (the server is down, or timed out: the message may or may not
 *         have arrived); consumer_receive()'s failure.
 */
esk_status mail_server_deliver(mail_server *server,
                               const outbox_message *message);

/* Send one email (remember it in consumer->sent). @return ESK_OK;
 * ESK_ENOMEM (MAIL_MAX emails already). */
esk_status mail_send_email(mail_consumer *consumer,
                           const outbox_message *message);

/* --- YOU WRITE (outbox.c) ------------------------------------------------- */

/*
 * Register command->attendee_id on command->workshop_id and write its
 * integration message in the same transaction:
 *
 *   esk_store_begin(store);
 *   register_attendee(store, command);
 *   INSERT INTO outbox(message_id, attendee_id, body)
 *       on esk_store_sqlite_db(store), body
 *       "Your seat in <workshop_id> is booked.";
 *   esk_store_commit(store);
 *
 * Any failure rolls the transaction back: then neither the event nor the
 * message exists, and no transaction is left open.
 *
 * @param message_id 1 to MESSAGE_ID_SIZE - 1 bytes, unique per message.
 * @return ESK_OK; ESK_EDOMAIN (refused, nothing written); ESK_EINVAL
 *         (NULL, bad message_id); ESK_EIO (the INSERT failed); the
 *         store's errors.
 */
esk_status register_with_outbox(esk_store *store,
                                const workshop_command *command,
                                const char *message_id);

/* The most messages one relay run reads and delivers. */
#define RELAY_BATCH 32

/*
 * One run of the relay: read the RELAY_BATCH oldest undelivered messages
 * (ORDER BY seq), and for each, mail_server_deliver(); after its ack
 * (ESK_OK) mark it delivered (UPDATE outbox SET delivered = 1 WHERE
 * seq = ?). Without an ack, stop the run: the message stays undelivered
 * for the next run, and no later message overtakes it. Reading the
 * batch into an array first (and finalizing the SELECT) keeps no
 * statement open on the store's connection while the server runs.
 *
 * @param delivered optional: how many messages this run marked.
 * @return ESK_OK: every message read was delivered and marked (more may
 *         wait beyond the batch: run again); ESK_EIO: a delivery or the
 *         marking failed, the rest waits for the next run; ESK_EINVAL
 *         (NULL store or server, not a SQLite store).
 */
esk_status relay_run(esk_store *store, mail_server *server, size_t *delivered);

/*
 * The consumer, called by the mail server for each message it receives:
 * the first time a message id is seen, send one email
 * (mail_send_email) and remember the id in consumer->seen; a message id
 * seen before sends nothing and is acked all the same.
 *
 * @return ESK_OK (sent, or already sent); ESK_ENOMEM (MAIL_MAX ids);
 *         mail_send_email()'s failure.
 */
esk_status consumer_receive(mail_consumer *consumer,
                            const outbox_message *message);

#endif
