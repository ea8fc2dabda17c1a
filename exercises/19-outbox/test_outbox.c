/*
 * test_outbox.c - no email lost, none sent twice.
 *
 * The store is SQLite in memory, its outbox table beside the events. The
 * mail server is a fake with a switchboard: a test scripts what each
 * delivery attempt meets (it succeeds, the server is down, or it delivers
 * and the ack is lost). A "crash" is a SQLite trigger that makes one
 * statement fail, exactly where a process could die.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/decider.h>
#include <esk/error.h>
#include <esk/store.h>

#include "exercise.h"
#include "outbox.h"

/* --- The world around your code ------------------------------------------ */

static esk_store *open_store(void)
{
    esk_store *store = NULL;
    check_status(esk_store_open_sqlite(&store, ":memory:", NULL), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    check_status(outbox_create(store), ESK_OK,
                 "The provided outbox table should be created.");
    return store;
}

static void given_workshop(esk_store *store, const char *workshop_id,
                           int64_t capacity)
{
    workshop_command c = {.kind = SCHEDULE_WORKSHOP, .capacity = capacity};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.title, sizeof(c.title), "%s", "Event Sourcing 101");
    snprintf(c.starts_on, sizeof(c.starts_on), "%s", "2026-12-07");
    check_status(esk_decider_handle(&workshop_decider, store, workshop_id, &c,
                                    NULL, NULL, NULL),
                 ESK_OK, "The test's workshop should be scheduled.");
}

static workshop_command registration(const char *workshop_id,
                                     const char *attendee_id)
{
    workshop_command c = {.kind = REGISTER_ATTENDEE};
    snprintf(c.workshop_id, sizeof(c.workshop_id), "%s", workshop_id);
    snprintf(c.attendee_id, sizeof(c.attendee_id), "%s", attendee_id);
    snprintf(c.name, sizeof(c.name), "%s", attendee_id);
    return c;
}

static int64_t events_of(esk_store *store, const char *workshop_id)
{
    char stream_id[64];
    int64_t version = 0;
    snprintf(stream_id, sizeof(stream_id), "workshop-%s", workshop_id);
    esk_status rc = esk_store_stream_version(store, stream_id, &version);
    return rc == ESK_OK ? version : 0;
}

/* One number from the outbox: "SELECT count(*) FROM outbox WHERE ...". */
static int64_t outbox_count(esk_store *store, const char *where)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM outbox WHERE %s", where);
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    sqlite3 *db = esk_store_sqlite_db(store);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void run_sql(esk_store *store, const char *sql)
{
    char *message = NULL;
    int rc =
        sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        print_message("    the test's SQL failed: %s\n", message);
    sqlite3_free(message);
    check_int(rc, SQLITE_OK, "The test's own SQL should run.");
}

/* The process dies right there: the next INSERT into (or UPDATE of) the
 * outbox fails, as the disk filling up or a kill -9 would make it. */
static void crash_on(esk_store *store, const char *statement)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "CREATE TEMP TRIGGER crash BEFORE %s ON outbox BEGIN "
             "SELECT RAISE(ABORT, 'the process died here'); END",
             statement);
    run_sql(store, sql);
}

static void no_more_crash(esk_store *store)
{
    run_sql(store, "DROP TRIGGER crash");
}

static void registered(esk_store *store, const char *workshop_id,
                       const char *attendee_id, const char *message_id)
{
    workshop_command c = registration(workshop_id, attendee_id);
    esk_status rc = register_with_outbox(store, &c, message_id);
    if (rc != ESK_OK)
        print_message("    register_with_outbox said: %s\n", esk_errmsg());
    check_status(rc, ESK_OK,
                 "A registration in a scheduled workshop with free seats "
                 "should succeed: begin, register_attendee(), INSERT, "
                 "commit.");
}

static outbox_message message(const char *id, const char *attendee_id)
{
    outbox_message m = {.seq = 1};
    snprintf(m.id, sizeof(m.id), "%s", id);
    snprintf(m.attendee_id, sizeof(m.attendee_id), "%s", attendee_id);
    snprintf(m.body, sizeof(m.body), "%s", "Your seat in w-1 is booked.");
    return m;
}

/* --- 1. The outbox, written with the events ------------------------------- */

static void a_registration_writes_its_event_and_its_message(void **state)
{
    (void)state;
    esk_store *store = open_store();
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    check_int(events_of(store, "w-1"), 2,
              "WorkshopScheduled, then Bob's AttendeeRegistered: "
              "register_attendee() appends it.");
    check_int(outbox_count(store, "message_id = 'm-1' AND attendee_id = "
                                  "'bob' AND delivered = 0"),
              1,
              "One outbox row: message_id the one given, attendee_id the "
              "command's, delivered left at its default 0.");
    check_int(outbox_count(store, "body = 'Your seat in w-1 is booked.'"), 1,
              "The body is \"Your seat in <workshop_id> is booked.\".");
    check_int(esk_store_transaction_depth(store), 0,
              "Commit the transaction you began.");
    esk_store_free(store);
}

static void a_failing_insert_leaves_neither_event_nor_message(void **state)
{
    (void)state;
    esk_store *store = open_store();
    given_workshop(store, "w-1", 10);
    crash_on(store, "INSERT");
    workshop_command c = registration("w-1", "bob");
    esk_status rc = register_with_outbox(store, &c, "m-1");
    exercise_say("the INSERT into the outbox failed after the append");
    check_status(rc, ESK_EIO,
                 "When the INSERT's sqlite3_step() fails, report ESK_EIO "
                 "with esk_error_set().");
    check_contains(esk_errmsg(), "the process died here",
                   "Say why the message was not written: "
                   "sqlite3_errmsg(db) in your message, after the rollback.");
    check_int(esk_store_transaction_depth(store), 0,
              "A failure rolls back what it began: esk_store_rollback().");
    check_int(events_of(store, "w-1"), 1,
              "Bob's AttendeeRegistered must not stay without its message: "
              "append and INSERT are one transaction, begun before "
              "register_attendee() and committed after the INSERT. A "
              "commit between them is the dual-write bug.");
    check_int(outbox_count(store, "1"), 0, "And no message either.");
    no_more_crash(store);
    registered(store, "w-1", "bob", "m-1");
    check_int(events_of(store, "w-1"), 2,
              "Once the disk is back, the same registration goes through.");
    esk_store_free(store);
}

static void a_refused_registration_writes_no_message(void **state)
{
    (void)state;
    esk_store *store = open_store();
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    workshop_command c = registration("w-1", "bob");
    esk_status rc = register_with_outbox(store, &c, "m-2");
    check_status(rc, ESK_EDOMAIN,
                 "Bob registering twice is refused by the domain: pass "
                 "register_attendee()'s ESK_EDOMAIN on.");
    check_int(esk_error_last()->code, ALREADY_REGISTERED,
              "The reason survives your rollback: save *esk_error_last() "
              "before it and report it again with esk_domain_error().");
    check_int(outbox_count(store, "message_id = 'm-2'"), 0,
              "A refused registration tells nobody: no INSERT when "
              "register_attendee() fails.");
    check_int(esk_store_transaction_depth(store), 0,
              "Roll back on the refusal too.");
    esk_store_free(store);
}

static void a_message_without_an_id_is_refused_before_anything(void **state)
{
    (void)state;
    esk_store *store = open_store();
    given_workshop(store, "w-1", 10);
    workshop_command c = registration("w-1", "bob");
    check_status(register_with_outbox(store, &c, ""), ESK_EINVAL,
                 "An empty message id is no id: the consumer could not tell "
                 "two messages apart. Check the arguments first, ESK_EINVAL.");
    check_int(events_of(store, "w-1"), 1,
              "Refused before anything is begun or appended.");
    check_int(esk_store_transaction_depth(store), 0,
              "And no transaction left open.");
    esk_store_free(store);
}

/* --- 2. The consumer, on the mail server's side --------------------------- */

static void the_consumer_sends_a_message_id_once(void **state)
{
    (void)state;
    mail_consumer consumer = {0};
    outbox_message m = message("m-1", "bob");
    check_status(consumer_receive(&consumer, &m), ESK_OK,
                 "A new message is sent: ESK_OK.");
    check_int(consumer.sent_count, 1,
              "The first time, one email: mail_send_email().");
    check_string(consumer.sent[0].message_id, "m-1",
                 "The email of the message received.");
    check_status(consumer_receive(&consumer, &m), ESK_OK,
                 "The same message again is acked all the same: ESK_OK, or "
                 "the relay would deliver it forever.");
    check_int(consumer.sent_count, 1,
              "The same message id again sends nothing: remember the ids "
              "in consumer->seen and look there first.");
    outbox_message other = message("m-2", "bob");
    check_status(consumer_receive(&consumer, &other), ESK_OK,
                 "Another message of Bob's is new.");
    check_int(consumer.sent_count, 2,
              "De-duplicate by message id, not by attendee: Bob may get "
              "two different emails.");
}

/* --- 3. The relay ----------------------------------------------------------
 */

static void the_relay_marks_a_message_after_its_ack(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {0};
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    size_t delivered = 99;
    check_status(relay_run(store, &server, &delivered), ESK_OK,
                 "A server that answers: the run ends ESK_OK.");
    check_int(server.consumer.sent_count, 1,
              "Bob gets his email: mail_server_deliver() for each "
              "undelivered message.");
    check_int(delivered, 1, "*delivered counts the messages marked.");
    check_int(outbox_count(store, "delivered = 1"), 1,
              "After the ack: UPDATE outbox SET delivered = 1 WHERE seq = ?.");
    esk_store_free(store);
}

static void a_delivered_message_is_not_delivered_again(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {0};
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    check_status(relay_run(store, &server, NULL), ESK_OK,
                 "The first run delivers (delivered may be NULL).");
    check_status(relay_run(store, &server, NULL), ESK_OK,
                 "A run with nothing to do is ESK_OK.");
    check_int(server.attempts, 1,
              "The second run finds nothing: read only the rows WHERE "
              "delivered = 0.");
    esk_store_free(store);
}

static void a_failing_server_leaves_the_message_for_the_next_run(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {.script = {MAIL_FAILS}, .script_count = 1};
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    exercise_say("the mail server is down for the first attempt");
    check_status(relay_run(store, &server, NULL), ESK_EIO,
                 "No ack: return mail_server_deliver()'s ESK_EIO, so that "
                 "whoever runs the relay knows to run it again.");
    check_int(outbox_count(store, "delivered = 0"), 1,
              "No ack, no mark: mark delivered only after ESK_OK from "
              "mail_server_deliver(), never before it.");
    check_status(relay_run(store, &server, NULL), ESK_OK,
                 "The next run, with the server back, delivers.");
    check_int(server.consumer.sent_count, 1, "Bob's email, once, at last.");
    check_int(outbox_count(store, "delivered = 0"), 0, "And it is marked.");
    esk_store_free(store);
}

static void a_lost_ack_redelivers_and_the_consumer_sends_once(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {.script = {MAIL_TIMES_OUT}, .script_count = 1};
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    exercise_say("the server delivers, and its ack is lost");
    check_status(relay_run(store, &server, NULL), ESK_EIO,
                 "A timeout is no ack: the relay cannot know it arrived.");
    check_int(outbox_count(store, "delivered = 0"), 1,
              "So the message stays undelivered.");
    check_status(relay_run(store, &server, NULL), ESK_OK,
                 "The next run delivers it again.");
    check_int(server.handed_on, 2,
              "The consumer received it twice: at least once, not once.");
    check_int(server.consumer.sent_count, 1,
              "And Bob gets one email: consumer_receive() de-duplicates by "
              "message id.");
    esk_store_free(store);
}

static void a_relay_crash_before_marking_redelivers_and_sends_once(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {0};
    given_workshop(store, "w-1", 10);
    registered(store, "w-1", "bob", "m-1");
    crash_on(store, "UPDATE");
    exercise_say("the relay dies after the ack, before marking");
    check_status(relay_run(store, &server, NULL), ESK_EIO,
                 "When the UPDATE's sqlite3_step() fails, report ESK_EIO.");
    check_int(server.consumer.sent_count, 1, "Bob's email went out.");
    no_more_crash(store);
    check_status(relay_run(store, &server, NULL), ESK_OK,
                 "The relay, restarted, finds the message unmarked.");
    check_int(server.attempts, 2, "So it delivers it again...");
    check_int(server.consumer.sent_count, 1,
              "...and the consumer sends nothing the second time.");
    check_int(outbox_count(store, "delivered = 0"), 0, "Now it is marked.");
    esk_store_free(store);
}

static void the_order_per_attendee_is_kept(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {.script = {MAIL_FAILS}, .script_count = 1};
    given_workshop(store, "w-1", 10);
    given_workshop(store, "w-2", 10);
    registered(store, "w-1", "bob", "m-bob-w-1");
    registered(store, "w-2", "bob", "m-bob-w-2");
    exercise_say("the server is down for Bob's first message");
    check_status(relay_run(store, &server, NULL), ESK_EIO,
                 "The first delivery fails.");
    check_int(server.consumer.sent_count, 0,
              "Stop the run at the first message without an ack: the "
              "second must not overtake it.");
    check_status(relay_run(store, &server, NULL), ESK_OK, "The next run.");
    check_int(server.consumer.sent_count, 2, "Both emails now.");
    check_string(server.consumer.sent[0].message_id, "m-bob-w-1",
                 "In the order they were written: SELECT ... ORDER BY seq.");
    check_string(server.consumer.sent[1].message_id, "m-bob-w-2",
                 "w-2's email second.");
    esk_store_free(store);
}

/* --- 4. Everything at once, with faults ------------------------------------
 */

#define REGISTRATIONS 60

static unsigned test_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fffu;
}

static void relay_maybe_crashing(esk_store *store, mail_server *server,
                                 unsigned *seed)
{
    bool crash = test_random(seed) % 4 == 0;
    if (crash)
        crash_on(store, "UPDATE");
    esk_status rc = relay_run(store, server, NULL);
    if (crash)
        no_more_crash(store);
    check_true(rc == ESK_OK || rc == ESK_EIO,
               "relay_run() returns ESK_OK, or ESK_EIO when a delivery or "
               "a mark failed.");
}

static void n_registrations_with_random_faults_send_n_emails(void **state)
{
    (void)state;
    esk_store *store = open_store();
    mail_server server = {.seed = 19, .fault_rate = 40};
    unsigned seed = 2026;
    given_workshop(store, "w-1", REGISTRATIONS);
    given_workshop(store, "w-2", REGISTRATIONS);
    for (int i = 0; i < REGISTRATIONS; i++) {
        char attendee[32], id[32];
        snprintf(attendee, sizeof(attendee), "a-%d", i / 2);
        snprintf(id, sizeof(id), "m-%d", i);
        registered(store, i % 2 ? "w-2" : "w-1", attendee, id);
        if (test_random(&seed) % 3 == 0)
            relay_maybe_crashing(store, &server, &seed);
    }
    for (int run = 0; run < 200 && outbox_count(store, "delivered = 0") > 0;
         run++)
        relay_maybe_crashing(store, &server, &seed);
    exercise_say("%zu attempts, %zu handed on, %zu emails", server.attempts,
                 server.handed_on, server.consumer.sent_count);
    check_int(outbox_count(store, "delivered = 0"), 0,
              "Every message is delivered in the end: none lost.");
    check_true(server.handed_on > REGISTRATIONS,
               "With these faults some messages arrive twice.");
    check_int(server.consumer.sent_count, REGISTRATIONS,
              "Exactly one email per registration: none lost, none twice.");
    for (int i = 0; i < REGISTRATIONS; i++) {
        char id[32];
        snprintf(id, sizeof(id), "m-%d", i);
        check_string(server.consumer.sent[i].message_id, id,
                     "The emails in the order of the registrations: the "
                     "relay stops at a failure and resumes there.");
    }
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_registration_writes_its_event_and_its_message),
        cmocka_unit_test(a_failing_insert_leaves_neither_event_nor_message),
        cmocka_unit_test(a_refused_registration_writes_no_message),
        cmocka_unit_test(a_message_without_an_id_is_refused_before_anything),
        cmocka_unit_test(the_consumer_sends_a_message_id_once),
        cmocka_unit_test(the_relay_marks_a_message_after_its_ack),
        cmocka_unit_test(a_delivered_message_is_not_delivered_again),
        cmocka_unit_test(a_failing_server_leaves_the_message_for_the_next_run),
        cmocka_unit_test(a_lost_ack_redelivers_and_the_consumer_sends_once),
        cmocka_unit_test(
            a_relay_crash_before_marking_redelivers_and_sends_once),
        cmocka_unit_test(the_order_per_attendee_is_kept),
        cmocka_unit_test(n_registrations_with_random_faults_send_n_emails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
