/*
 * personal.c - personal fields sealed with the attendee's key, and the
 * forgetting that deletes the key. YOU EDIT THIS FILE.
 *
 * personal.h says exactly what each function must do; write them in this
 * order. The tools:
 *   esk_store_sqlite_db                                  (esk/store.h)
 *   sqlite3_prepare_v2, sqlite3_bind_text, sqlite3_bind_blob,
 *   sqlite3_step, sqlite3_column_blob, sqlite3_finalize  (sqlite3.h)
 *   crypto_aead_xchacha20poly1305_ietf_keygen, _encrypt, _decrypt,
 *   randombytes_buf, sodium_bin2base64, sodium_base642bin (sodium.h)
 *   esk_error_set                                        (esk/error.h)
 */
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include <esk/error.h>

#include "exercise.h"
#include "personal.h"

esk_status personal_seal(esk_store *store, const char *attendee_id,
                         const char *plain, char *out, size_t out_size)
{
    (void)store, (void)attendee_id, (void)plain, (void)out, (void)out_size;
    /* TODO: the attendee's key from attendee_keys (create and store it
     * the first time), a random nonce, encrypt with the attendee id as
     * associated data, then PERSONAL_PREFIX + base64(nonce + ciphertext). */
    return EXERCISE_TODO("personal_seal");
}

esk_status personal_open(esk_store *store, const char *attendee_id,
                         const char *sealed, char *out, size_t out_size)
{
    (void)store, (void)attendee_id, (void)sealed, (void)out, (void)out_size;
    /* TODO: decode the prefix and the base64; no key means
     * PERSONAL_ERASED; a value that does not authenticate is
     * ESK_EDECODE, never garbage. */
    return EXERCISE_TODO("personal_open");
}

esk_status forget_attendee(esk_store *store, const char *attendee_id)
{
    (void)store, (void)attendee_id;
    /* TODO: delete the attendee's key, and write PERSONAL_ERASED over
     * the name and email of their roster rows. */
    return EXERCISE_TODO("forget_attendee");
}
