/*
 * outbox.c - the outbox written with the events, the relay that delivers
 * it at least once, and the consumer that sends each email once.
 * YOU EDIT THIS FILE.
 *
 * outbox.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_begin, esk_store_commit, esk_store_rollback,
 *   esk_store_sqlite_db                              (esk/store.h)
 *   sqlite3_prepare_v2, sqlite3_bind_text, sqlite3_bind_int64,
 *   sqlite3_step, sqlite3_column_*, sqlite3_finalize (sqlite3.h)
 *   esk_error_set, esk_error_last                    (esk/error.h)
 *   register_attendee, mail_server_deliver, mail_send_email (outbox.h)
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/error.h>

#include "exercise.h"
#include "outbox.h"

esk_status register_with_outbox(esk_store *store,
                                const workshop_command *command,
                                const char *message_id)
{
    (void)store, (void)command, (void)message_id;
    /* TODO: begin; register_attendee(); INSERT the message into outbox on
     * esk_store_sqlite_db(store); commit. On any failure, roll back and
     * return the failure. */
    return EXERCISE_TODO("register_with_outbox");
}

esk_status relay_run(esk_store *store, mail_server *server, size_t *delivered)
{
    (void)store, (void)server, (void)delivered;
    /* TODO: read the undelivered messages ORDER BY seq (finalize the
     * SELECT before delivering); for each, mail_server_deliver(), and
     * only after ESK_OK mark it delivered. No ack: stop, return the
     * failure. */
    return EXERCISE_TODO("relay_run");
}

esk_status consumer_receive(mail_consumer *consumer,
                            const outbox_message *message)
{
    (void)consumer, (void)message;
    /* TODO: an id in consumer->seen: ESK_OK and nothing else. Otherwise
     * mail_send_email(), then remember the id. */
    return EXERCISE_TODO("consumer_receive");
}
