/*
 * test_forgetting.c - personal fields sealed with a key per attendee, and
 * forgotten by deleting the key.
 *
 * Bob and Ada enroll in workshop w-1 (enrollment.h): their names and
 * emails go into the events sealed by your personal_seal(), and the reads,
 * the roster read model and the audit trail open them with your
 * personal_open(). Then Bob asks to be forgotten: your forget_attendee().
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include <esk/store.h>

#include "enrollment.h"
#include "exercise.h"
#include "personal.h"

#define BOB_NAME "Bob Martin"
#define BOB_EMAIL "bob.martin@example.org"
#define ADA_NAME "Ada Lovelace"
#define ADA_EMAIL "ada@example.org"

/* --- The store and a look at its tables, raw ----------------------------- */

static esk_store *open_store(void)
{
    esk_store *store = NULL;
    check_status(enrollment_open(":memory:", &store), ESK_OK,
                 "A SQLite store in memory should always open.");
    exercise_watch_store(store);
    return store;
}

/* Bob and Ada in w-1, the way the application enrolls them. */
static esk_store *open_store_with_bob_and_ada(void)
{
    esk_store *store = open_store();
    check_status(enroll(store, "w-1", "bob", BOB_NAME, BOB_EMAIL, 1, "vegan"),
                 ESK_OK,
                 "enroll() calls personal_seal() for the name, then the "
                 "email, and rebuilds the roster with personal_open(): see "
                 "the message above for which one failed.");
    check_status(enroll(store, "w-1", "ada", ADA_NAME, ADA_EMAIL, 2, "none"),
                 ESK_OK, "Ada enrolls the same way as Bob.");
    return store;
}

/* The integer the query gives, or -1. */
static long long query_int(esk_store *store, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long value = -1;
    sqlite3_prepare_v2(esk_store_sqlite_db(store), sql, -1, &stmt, NULL);
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* The text the query gives into buf, or "(no row)". */
static void query_text(esk_store *store, const char *sql, char *buf,
                       size_t size)
{
    sqlite3_stmt *stmt = NULL;
    snprintf(buf, size, "(no row)");
    sqlite3_prepare_v2(esk_store_sqlite_db(store), sql, -1, &stmt, NULL);
    if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
}

/* Run a statement of the test's own, such as a key copied by hand. */
static void exec_sql(esk_store *store, const char *sql)
{
    check_int(sqlite3_exec(esk_store_sqlite_db(store), sql, NULL, NULL, NULL),
              SQLITE_OK, "The test's own SQL should run.");
}

/* Every event's data, as the events table holds it. */
static void raw_events(esk_store *store, char *buf, size_t size)
{
    query_text(store,
               "SELECT group_concat(data, char(10)) FROM "
               "(SELECT data FROM events ORDER BY position)",
               buf, size);
}

/* --- Sealing and opening ------------------------------------------------- */

static void a_sealed_value_opens_while_the_key_exists(void **state)
{
    (void)state;
    esk_store *store = open_store();
    char sealed[PERSONAL_SEALED_SIZE];
    char plain[PERSONAL_PLAIN_SIZE];

    check_status(personal_seal(store, "bob", BOB_NAME, sealed, sizeof(sealed)),
                 ESK_OK,
                 "Load bob's key from attendee_keys (esk_store_sqlite_db()), "
                 "create and insert one if there is none, then encrypt.");
    check_true(strncmp(sealed, PERSONAL_PREFIX, strlen(PERSONAL_PREFIX)) == 0,
               "A sealed value starts with PERSONAL_PREFIX, \"enc:v1:\".");
    check_true(strstr(sealed, "Bob") == NULL,
               "The sealed value must not hold the name in clear.");
    check_status(personal_open(store, "bob", sealed, plain, sizeof(plain)),
                 ESK_OK,
                 "Skip the prefix, sodium_base642bin() the rest, split the "
                 "nonce (the first 24 bytes) from the ciphertext, decrypt "
                 "with the same key and the same associated data.");
    check_string(plain, BOB_NAME, "Opening gives back the text sealed.");
    esk_store_free(store);
}

static void the_same_name_sealed_twice_gives_two_values(void **state)
{
    (void)state;
    esk_store *store = open_store();
    char first[PERSONAL_SEALED_SIZE];
    char second[PERSONAL_SEALED_SIZE];
    char plain[PERSONAL_PLAIN_SIZE];

    check_status(personal_seal(store, "bob", BOB_NAME, first, sizeof(first)),
                 ESK_OK, "Sealing bob's name should work.");
    check_status(personal_seal(store, "bob", BOB_NAME, second, sizeof(second)),
                 ESK_OK, "Sealing it again should work too.");
    check_true(strcmp(first, second) != 0,
               "Each value needs a fresh random nonce (randombytes_buf()): "
               "with the same nonce and key, equal names give equal values, "
               "and XChaCha20 leaks the XOR of two texts.");
    check_status(personal_open(store, "bob", first, plain, sizeof(plain)),
                 ESK_OK,
                 "The first value must still open after the second seal: "
                 "reuse the key stored for bob, do not make a new one.");
    check_string(plain, BOB_NAME, "The first value opens to the name.");
    esk_store_free(store);
}

static void each_attendee_gets_one_key_kept_apart_from_the_events(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();

    check_int(query_int(store, "SELECT count(*) FROM attendee_keys"), 2,
              "One row per attendee in attendee_keys, created on the first "
              "seal and reused after (bob's name and email share a key).");
    check_int(query_int(store, "SELECT length(key) FROM attendee_keys "
                               "WHERE attendee_id = 'bob'"),
              32,
              "The key is the 32 bytes of "
              "crypto_aead_xchacha20poly1305_ietf_keygen(), stored as a "
              "blob under the attendee's id.");
    esk_store_free(store);
}

static void the_stored_events_hold_no_name_and_no_email(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char data[4096];
    raw_events(store, data, sizeof(data));
    if (strstr(data, "Bob") || strstr(data, "bob.martin") ||
        strstr(data, "Ada") || strstr(data, "ada@"))
        print_error("the events table holds:\n%s\n", data);

    check_true(strstr(data, "Bob") == NULL &&
                   strstr(data, "bob.martin") == NULL,
               "Bob's name and email must not be in the events in clear: "
               "personal_seal() must encrypt.");
    check_true(strstr(data, "Ada") == NULL && strstr(data, "ada@") == NULL,
               "Nor Ada's.");
    check_contains(data, "\"name\":\"" PERSONAL_PREFIX,
                   "The name is stored sealed, as \"enc:v1:<base64>\".");
    check_contains(data, "\"seats\":2",
                   "The non-personal facts stay in clear (enroll() does it).");
    esk_store_free(store);
}

static void a_value_that_is_not_sealed_is_refused(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char plain[PERSONAL_PLAIN_SIZE] = "untouched";

    check_status(personal_open(store, "bob", BOB_NAME, plain, sizeof(plain)),
                 ESK_EDECODE,
                 "A value without the \"enc:v1:\" prefix was not sealed: "
                 "ESK_EDECODE, not the text as it is.");
    check_status(personal_open(store, "bob", PERSONAL_PREFIX "%%%", plain,
                               sizeof(plain)),
                 ESK_EDECODE,
                 "Base64 that does not decode (sodium_base642bin() fails) "
                 "is ESK_EDECODE.");
    esk_store_free(store);
}

/* --- Values that were moved or changed ----------------------------------- */

static void a_tampered_value_is_refused_not_shown(void **state)
{
    (void)state;
    esk_store *store = open_store();
    char sealed[PERSONAL_SEALED_SIZE];
    char plain[PERSONAL_PLAIN_SIZE] = "untouched";

    check_status(personal_seal(store, "bob", BOB_NAME, sealed, sizeof(sealed)),
                 ESK_OK, "Sealing bob's name should work.");
    /* One character of the ciphertext, past the prefix and the nonce. */
    size_t at = strlen(PERSONAL_PREFIX) + 40;
    sealed[at] = sealed[at] == 'A' ? 'B' : 'A';
    check_status(personal_open(store, "bob", sealed, plain, sizeof(plain)),
                 ESK_EDECODE,
                 "A changed value does not authenticate: when "
                 "crypto_aead_xchacha20poly1305_ietf_decrypt() returns -1, "
                 "return ESK_EDECODE (the key is there: it is not erased).");
    check_true(strcmp(plain, "untouched") == 0 || plain[0] == '\0',
               "Write nothing into out for a value that fails: never "
               "garbage.");
    esk_store_free(store);
}

static void a_value_moved_to_another_attendee_does_not_open(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char sealed[PERSONAL_SEALED_SIZE];
    char plain[PERSONAL_PLAIN_SIZE] = "untouched";

    check_status(personal_seal(store, "bob", BOB_NAME, sealed, sizeof(sealed)),
                 ESK_OK, "Sealing bob's name should work.");
    check_status(personal_open(store, "ada", sealed, plain, sizeof(plain)),
                 ESK_EDECODE,
                 "Bob's value under Ada's id does not authenticate: "
                 "ESK_EDECODE.");
    /* The same key under another id (a restore gone wrong, a shared
     * key): only the associated data still tells them apart. */
    exec_sql(store, "INSERT INTO attendee_keys SELECT 'mallory', key "
                    "FROM attendee_keys WHERE attendee_id = 'bob'");
    check_status(personal_open(store, "mallory", sealed, plain, sizeof(plain)),
                 ESK_EDECODE,
                 "Even with bob's key, a value sealed for bob must not open "
                 "for mallory: pass the attendee id as the associated data "
                 "(ad, adlen) to both encrypt and decrypt.");
    esk_store_free(store);
}

/* --- Forgetting ---------------------------------------------------------- */

static void forgetting_erases_the_name_and_keeps_every_other_fact(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char before[4096], after[4096];
    enrollment_view bob;
    raw_events(store, before, sizeof(before));

    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "Delete bob's row from attendee_keys.");
    check_int(query_int(store, "SELECT count(*) FROM attendee_keys "
                               "WHERE attendee_id = 'bob'"),
              0, "Forgetting bob deletes his key: that is the shredding.");
    check_status(enrollment_read(store, "bob", &bob), ESK_OK,
                 "Without the key, personal_open() gives PERSONAL_ERASED "
                 "and ESK_OK: the event is still there and still read.");
    check_string(bob.name, PERSONAL_ERASED,
                 "A forgotten name reads as PERSONAL_ERASED.");
    check_string(bob.email, PERSONAL_ERASED, "And so does the email.");
    check_string(bob.workshop_id, "w-1", "The workshop is not personal.");
    check_int(bob.seats, 1, "Nor the seats.");
    check_string(bob.dietary, "vegan", "Nor the dietary choice (here).");
    raw_events(store, after, sizeof(after));
    check_string(after, before,
                 "The events are never rewritten: forgetting touches the "
                 "key table and the read model only.");
    esk_store_free(store);
}

static void forgetting_cleans_the_read_model_that_copied_the_name(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char text[256];

    query_text(store, "SELECT name FROM roster WHERE attendee_id = 'bob'", text,
               sizeof(text));
    check_string(text, BOB_NAME, "The roster copied bob's name in clear.");
    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "forget_attendee should succeed.");
    query_text(store,
               "SELECT name || ' ' || email FROM roster "
               "WHERE attendee_id = 'bob'",
               text, sizeof(text));
    check_string(text, PERSONAL_ERASED " " PERSONAL_ERASED,
                 "UPDATE roster SET name and email to PERSONAL_ERASED for "
                 "the attendee: a copy in a read model outlives the key "
                 "otherwise (and keep the row: see the next check).");
    check_int(query_int(store, "SELECT seats FROM roster "
                               "WHERE attendee_id = 'bob'"),
              1,
              "Keep bob's row and its seats: w-1 still has his seat taken, "
              "a fact that is not personal.");
    check_status(roster_rebuild(store), ESK_OK,
                 "Replaying the events after forgetting must work.");
    query_text(store, "SELECT name FROM roster WHERE attendee_id = 'bob'", text,
               sizeof(text));
    check_string(text, PERSONAL_ERASED,
                 "A replay of the roster shows the erased marker too.");
    esk_store_free(store);
}

static void the_audit_trail_shows_the_erased_marker(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    char trail[512];

    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "forget_attendee should succeed.");
    check_status(audit_trail(store, "bob", trail, sizeof(trail)), ESK_OK,
                 "The audit trail reads bob's events and opens the name.");
    check_string(trail,
                 "enrollment-bob v1 AttendeeEnrolled workshop=w-1 seats=1 "
                 "name=" PERSONAL_ERASED "\n",
                 "Every fact of the trail stays; only the name is erased.");
    esk_store_free(store);
}

static void forgetting_one_attendee_leaves_the_others_alone(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    enrollment_view ada;
    char text[256];

    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "forget_attendee should succeed.");
    check_int(query_int(store, "SELECT count(*) FROM attendee_keys "
                               "WHERE attendee_id = 'ada'"),
              1, "Delete bob's key only: WHERE attendee_id = ?.");
    check_status(enrollment_read(store, "ada", &ada), ESK_OK,
                 "Ada's enrollment still reads.");
    check_string(ada.name, ADA_NAME, "Ada's name still opens.");
    check_string(ada.email, ADA_EMAIL, "Ada's email still opens.");
    query_text(store, "SELECT name FROM roster WHERE attendee_id = 'ada'", text,
               sizeof(text));
    check_string(text, ADA_NAME,
                 "Clean bob's roster rows only: WHERE attendee_id = ?.");
    esk_store_free(store);
}

static void forgetting_twice_or_a_stranger_is_fine(void **state)
{
    (void)state;
    esk_store *store = open_store_with_bob_and_ada();
    enrollment_view bob;

    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "forget_attendee should succeed.");
    check_status(forget_attendee(store, "bob"), ESK_OK,
                 "A request repeated (a retry, a second email) finds no key "
                 "left: that is done, not an error.");
    check_status(forget_attendee(store, "zoe"), ESK_OK,
                 "Someone never seen has nothing to forget: ESK_OK.");
    check_status(enrollment_read(store, "bob", &bob), ESK_OK,
                 "Bob's enrollment still reads.");
    check_string(bob.name, PERSONAL_ERASED, "Still erased.");
    esk_store_free(store);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    esk_store *store = open_store();
    char out[PERSONAL_SEALED_SIZE];
    char long_name[PERSONAL_PLAIN_SIZE + 10];
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';

    check_status(personal_seal(store, "", BOB_NAME, out, sizeof(out)),
                 ESK_EINVAL, "An empty attendee id is ESK_EINVAL.");
    check_status(personal_seal(store, "bob", long_name, out, sizeof(out)),
                 ESK_EINVAL,
                 "A value of PERSONAL_PLAIN_SIZE bytes or more is "
                 "ESK_EINVAL.");
    check_status(personal_seal(store, "bob", BOB_NAME, out, 10), ESK_EINVAL,
                 "An out buffer too small for the sealed text is "
                 "ESK_EINVAL (sodium_base64_ENCODED_LEN() says how much "
                 "base64 needs).");
    check_status(forget_attendee(store, NULL), ESK_EINVAL,
                 "A NULL attendee id is ESK_EINVAL.");
    esk_store_free(store);
}

int main(void)
{
    exercise_check_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sealed_value_opens_while_the_key_exists),
        cmocka_unit_test(the_same_name_sealed_twice_gives_two_values),
        cmocka_unit_test(each_attendee_gets_one_key_kept_apart_from_the_events),
        cmocka_unit_test(the_stored_events_hold_no_name_and_no_email),
        cmocka_unit_test(a_value_that_is_not_sealed_is_refused),
        cmocka_unit_test(a_tampered_value_is_refused_not_shown),
        cmocka_unit_test(a_value_moved_to_another_attendee_does_not_open),
        cmocka_unit_test(forgetting_erases_the_name_and_keeps_every_other_fact),
        cmocka_unit_test(forgetting_cleans_the_read_model_that_copied_the_name),
        cmocka_unit_test(the_audit_trail_shows_the_erased_marker),
        cmocka_unit_test(forgetting_one_attendee_leaves_the_others_alone),
        cmocka_unit_test(forgetting_twice_or_a_stranger_is_fine),
        cmocka_unit_test(bad_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
