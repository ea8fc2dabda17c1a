/*
 * esk/error.h - where a failing call leaves its message: the calling
 * thread's last error.
 *
 * Every esk function that can fail returns an esk_status and records its
 * outcome in the last error of the calling thread: a failure fills it
 * (status, extended code, the domain's code, a message in the caller's
 * terms); a success clears it. Read it right after the call:
 *
 *   if (esk_store_append(store, "workshop-42", 7, events, 2, NULL) != ESK_OK)
 *       fprintf(stderr, "append: %s\n", esk_errmsg());
 *
 * Functions that cannot fail (those returning void, counts or names) leave
 * it alone, so a cleanup such as esk_store_free() between the failure and
 * the report keeps the message; a call that can fail (a rollback, say)
 * replaces it. Each thread has its own: esk handles are not shared between
 * threads anyway.
 *
 * Code of yours that esk calls (a handler, an upcaster, a decide function)
 * reports the same way: return a status, after esk_error_set() or
 * esk_domain_error() to say why. A status passed on from an esk call needs
 * nothing more: that call has filled the last error already, and esk adds
 * where it happened ("projection 'seats' stopped at the event at
 * position 12 (...): <your message>").
 */
#ifndef ESK_ERROR_H
#define ESK_ERROR_H

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Finer causes of a status, for callers that act differently on them.
 * ESK_EXT_NONE when the status says all there is to know.
 */
typedef enum esk_ext {
    ESK_EXT_NONE = 0,
    /** ESK_EIO: the disk (or a size limit of the database) is full. Free
     *  space; nothing was written. */
    ESK_EXT_DISK_FULL = 1,
    /** ESK_EBUSY: another connection held the write lock for longer than
     *  the busy timeout. Retrying the same call later may succeed. */
    ESK_EXT_BUSY_TIMEOUT = 2,
    /** ESK_EBUSY: a transaction that read first cannot write, because
     *  another connection wrote since its reads. Retrying the call alone
     *  fails again: roll back, and redo the whole unit of work. */
    ESK_EXT_BUSY_SNAPSHOT = 3,
    /** The backend ended the caller's transaction by itself (a full disk,
     *  a conflict clause); every call in it fails until the outermost
     *  rollback. Nothing of the unit is stored. */
    ESK_EXT_TRANSACTION_LOST = 4,
} esk_ext;

/** A short, static, English name for an extended code ("disk full"). */
const char *esk_ext_str(esk_ext ext);

/** The longest message an esk_error holds, including the final NUL. */
#define ESK_ERROR_MESSAGE_MAX 1024

/** The outcome of the last call of this thread that could fail. */
typedef struct esk_error {
    esk_status status;
    esk_ext ext;
    /** The domain's own error code when status is ESK_EDOMAIN, else 0. */
    int code;
    /** "" after a success (but see the calls documented to leave a note). */
    char message[ESK_ERROR_MESSAGE_MAX];
} esk_error;

/**
 * The calling thread's last error. Never NULL; borrowed, and overwritten by
 * the thread's next call that can fail: copy it to keep it.
 */
const esk_error *esk_error_last(void);

/** esk_error_last()->message: never NULL, "" when the last call succeeded. */
const char *esk_errmsg(void);

/** Forget the calling thread's last error (status ESK_OK, no message). */
void esk_error_clear(void);

/**
 * For code that esk calls: record a failure with a printf-style message as
 * the thread's last error, and return status, so a handler can write
 *
 *   return esk_error_set(ESK_EDECODE, "'%s' has no first name", name);
 *
 * A status of ESK_OK clears the last error instead. For refusals in the
 * domain's terms use esk_domain_error().
 */
esk_status esk_error_set(esk_status status, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/**
 * esk_error_set() with an extended code: for code that knows the finer
 * cause of its failure, such as a store backend of one's own
 * (esk/store_backend.h) whose lock was held past its timeout
 * (ESK_EBUSY, ESK_EXT_BUSY_TIMEOUT), so that callers can act on it as
 * they do on esk's own backends. ESK_OK clears the last error instead.
 */
esk_status esk_error_set_ext(esk_status status, esk_ext ext, const char *format,
                             ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * Refuse a command in the domain's terms: record ESK_EDOMAIN with the
 * domain's code and a printf-style message, and return ESK_EDOMAIN, so a
 * behaviour can write
 *
 *   if (w->seats_taken == w->capacity)
 *       return esk_domain_error(WORKSHOP_FULL, "workshop '%s' is full",
 *                               w->base.id);
 */
esk_status esk_domain_error(int code, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#endif
