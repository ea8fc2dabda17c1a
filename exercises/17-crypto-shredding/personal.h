/*
 * personal.h - personal fields sealed with a key per attendee, and the
 * right to be forgotten as the deletion of that key (crypto-shredding).
 *
 * The events are never rewritten. A personal value (a name, an email) is
 * stored in them sealed:
 *
 *     "enc:v1:" + base64(nonce[24] + ciphertext)
 *
 * with libsodium's crypto_aead_xchacha20poly1305_ietf: a random nonce for
 * every value, the attendee's key, and the attendee id as associated data
 * (a value copied under another attendee does not open). The keys live in
 * the table attendee_keys(attendee_id TEXT PRIMARY KEY, key BLOB NOT NULL)
 * of the store's own SQLite file (esk_store_sqlite_db()), apart from the
 * events. Without the key, the value is noise: the person is forgotten.
 * libsodium is started (sodium_init()) by enrollment_open(), which opens
 * every store of the tests.
 */
#ifndef PERSONAL_H
#define PERSONAL_H

#include <stddef.h>

#include <esk/store.h>

/* What a read shows in place of a value whose key was deleted. */
#define PERSONAL_ERASED "[erased]"
/* The prefix of a sealed value. */
#define PERSONAL_PREFIX "enc:v1:"
/* Room for a plain value (with its NUL), and for a sealed one. */
#define PERSONAL_PLAIN_SIZE 128
#define PERSONAL_SEALED_SIZE 256

/*
 * Seal plain (at most PERSONAL_PLAIN_SIZE - 1 bytes) for attendee_id into
 * out: the attendee's key from attendee_keys, created (crypto_aead_
 * xchacha20poly1305_ietf_keygen) and stored on first use; a fresh random
 * nonce; the attendee id as associated data; out = PERSONAL_PREFIX +
 * base64 (sodium_base64_VARIANT_ORIGINAL) of nonce followed by ciphertext.
 * Sealing the same text twice gives two different values.
 * @return ESK_OK; ESK_EINVAL (NULL, empty id, plain too long, out_size too
 *         small); ESK_EIO (the key table could not be read or written).
 */
esk_status personal_seal(esk_store *store, const char *attendee_id,
                         const char *plain, char *out, size_t out_size);

/*
 * Open a value sealed by personal_seal() for attendee_id into out.
 * @return ESK_OK with the plain text; ESK_OK with PERSONAL_ERASED when the
 *         attendee has no key (forgotten); ESK_EDECODE when the value is
 *         not PERSONAL_PREFIX + valid base64 of a nonce and a ciphertext,
 *         or does not authenticate (tampered, or sealed for another
 *         attendee): never garbage in out; ESK_EINVAL (NULL, out_size too
 *         small for the text); ESK_EIO (the key table could not be read).
 */
esk_status personal_open(esk_store *store, const char *attendee_id,
                         const char *sealed, char *out, size_t out_size);

/*
 * Forget attendee_id: delete the key, and overwrite with PERSONAL_ERASED
 * the personal columns (name, email) of the read model rows that copied
 * them (table roster, see enrollment.h), keeping the rows and their other
 * columns. Forgetting someone already forgotten, or never seen, is ESK_OK.
 * Nobody else is touched.
 * @return ESK_OK; ESK_EINVAL (NULL or empty id); ESK_EIO.
 */
esk_status forget_attendee(esk_store *store, const char *attendee_id);

#endif
