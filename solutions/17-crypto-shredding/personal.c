/*
 * personal.c - personal fields sealed with the attendee's key, and the
 * forgetting that deletes the key. The reference answer.
 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include <esk/error.h>

#include "personal.h"

#define KEY_SIZE crypto_aead_xchacha20poly1305_ietf_KEYBYTES
#define NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_SIZE crypto_aead_xchacha20poly1305_ietf_ABYTES
#define BOX_MAX (NONCE_SIZE + PERSONAL_PLAIN_SIZE + TAG_SIZE)

/* The attendee's key into key; *found tells whether there is one. */
static esk_status load_key(sqlite3 *db, const char *attendee_id,
                           unsigned char key[KEY_SIZE], bool *found)
{
    sqlite3_stmt *stmt = NULL;
    *found = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT key FROM attendee_keys WHERE attendee_id=?",
                           -1, &stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "cannot read the key table: %s",
                             sqlite3_errmsg(db));
    sqlite3_bind_text(stmt, 1, attendee_id, -1, SQLITE_STATIC);
    esk_status rc = ESK_OK;
    int step = sqlite3_step(stmt);
    if (step == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == KEY_SIZE) {
        memcpy(key, sqlite3_column_blob(stmt, 0), KEY_SIZE);
        *found = true;
    } else if (step != SQLITE_DONE) {
        rc = esk_error_set(ESK_EIO, "the key of %s cannot be read: %s",
                           attendee_id, sqlite3_errmsg(db));
    }
    sqlite3_finalize(stmt);
    return rc;
}

static esk_status store_key(sqlite3 *db, const char *attendee_id,
                            const unsigned char key[KEY_SIZE])
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = ESK_OK;
    if (sqlite3_prepare_v2(db, "INSERT INTO attendee_keys VALUES(?, ?)", -1,
                           &stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "cannot write the key table: %s",
                             sqlite3_errmsg(db));
    sqlite3_bind_text(stmt, 1, attendee_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(stmt, 2, key, KEY_SIZE, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = esk_error_set(ESK_EIO, "the key of %s cannot be stored: %s",
                           attendee_id, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return rc;
}

esk_status personal_seal(esk_store *store, const char *attendee_id,
                         const char *plain, char *out, size_t out_size)
{
    if (!store || !attendee_id || !*attendee_id || !plain || !out)
        return esk_error_set(ESK_EINVAL, "personal_seal needs a store, an "
                                         "attendee id, a value and a buffer");
    size_t len = strlen(plain);
    size_t b64 = sodium_base64_ENCODED_LEN(NONCE_SIZE + len + TAG_SIZE,
                                           sodium_base64_VARIANT_ORIGINAL);
    if (len >= PERSONAL_PLAIN_SIZE || out_size < strlen(PERSONAL_PREFIX) + b64)
        return esk_error_set(ESK_EINVAL,
                             "a personal value of %zu bytes is "
                             "too long to seal here",
                             len);

    sqlite3 *db = esk_store_sqlite_db(store);
    unsigned char key[KEY_SIZE];
    bool found;
    esk_status rc = load_key(db, attendee_id, key, &found);
    if (rc == ESK_OK && !found) {
        crypto_aead_xchacha20poly1305_ietf_keygen(key);
        rc = store_key(db, attendee_id, key);
    }
    if (rc != ESK_OK)
        return rc;

    unsigned char box[BOX_MAX];
    randombytes_buf(box, NONCE_SIZE);
    unsigned long long sealed_len = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        box + NONCE_SIZE, &sealed_len, (const unsigned char *)plain, len,
        (const unsigned char *)attendee_id, strlen(attendee_id), NULL, box,
        key);
    sodium_memzero(key, sizeof(key));
    strcpy(out, PERSONAL_PREFIX);
    sodium_bin2base64(
        out + strlen(PERSONAL_PREFIX), out_size - strlen(PERSONAL_PREFIX), box,
        NONCE_SIZE + (size_t)sealed_len, sodium_base64_VARIANT_ORIGINAL);
    return ESK_OK;
}

esk_status personal_open(esk_store *store, const char *attendee_id,
                         const char *sealed, char *out, size_t out_size)
{
    if (!store || !attendee_id || !sealed || !out ||
        out_size < sizeof(PERSONAL_ERASED))
        return esk_error_set(ESK_EINVAL, "personal_open needs a store, an "
                                         "attendee id, a value and a buffer");
    size_t prefix = strlen(PERSONAL_PREFIX);
    unsigned char box[BOX_MAX];
    size_t box_len = 0;
    if (strncmp(sealed, PERSONAL_PREFIX, prefix) != 0 ||
        sodium_base642bin(box, sizeof(box), sealed + prefix,
                          strlen(sealed + prefix), NULL, &box_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        box_len < NONCE_SIZE + TAG_SIZE)
        return esk_error_set(ESK_EDECODE, "this is not a sealed value of %s",
                             attendee_id);

    unsigned char key[KEY_SIZE];
    bool found;
    esk_status rc =
        load_key(esk_store_sqlite_db(store), attendee_id, key, &found);
    if (rc != ESK_OK)
        return rc;
    if (!found) {
        strcpy(out, PERSONAL_ERASED);
        return ESK_OK;
    }

    unsigned char plain[PERSONAL_PLAIN_SIZE + TAG_SIZE];
    unsigned long long plain_len = 0;
    int failed = crypto_aead_xchacha20poly1305_ietf_decrypt(
        plain, &plain_len, NULL, box + NONCE_SIZE, box_len - NONCE_SIZE,
        (const unsigned char *)attendee_id, strlen(attendee_id), box, key);
    sodium_memzero(key, sizeof(key));
    if (failed)
        return esk_error_set(ESK_EDECODE,
                             "a personal value of %s does not authenticate: "
                             "it was changed, or sealed for someone else",
                             attendee_id);
    if (plain_len >= out_size)
        return esk_error_set(ESK_EINVAL, "the value needs %llu bytes",
                             plain_len + 1);
    memcpy(out, plain, (size_t)plain_len);
    out[plain_len] = '\0';
    sodium_memzero(plain, sizeof(plain));
    return ESK_OK;
}

/* Run one statement with the attendee id bound to its ?1. */
static esk_status run_for(sqlite3 *db, const char *sql, const char *attendee_id)
{
    sqlite3_stmt *stmt = NULL;
    esk_status rc = ESK_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return esk_error_set(ESK_EIO, "cannot forget: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(stmt, 1, attendee_id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = esk_error_set(ESK_EIO, "cannot forget %s: %s", attendee_id,
                           sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return rc;
}

esk_status forget_attendee(esk_store *store, const char *attendee_id)
{
    if (!store || !attendee_id || !*attendee_id)
        return esk_error_set(ESK_EINVAL,
                             "forget_attendee needs a store and an id");
    sqlite3 *db = esk_store_sqlite_db(store);
    esk_status rc = run_for(
        db, "DELETE FROM attendee_keys WHERE attendee_id=?1", attendee_id);
    if (rc == ESK_OK)
        rc = run_for(db,
                     "UPDATE roster SET name='" PERSONAL_ERASED
                     "', email='" PERSONAL_ERASED "' WHERE attendee_id=?1",
                     attendee_id);
    return rc;
}
