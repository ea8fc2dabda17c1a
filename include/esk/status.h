/*
 * esk/status.h - status codes, the error record and the allocator hook.
 *
 * Every esk function that can fail returns an esk_status. ESK_OK is zero and
 * every failure is negative, so `if (rc < 0)` and `if (rc != ESK_OK)` both
 * work. The message and the finer cause are in the calling thread's last
 * error (esk/error.h).
 */
#ifndef ESK_STATUS_H
#define ESK_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The closed set of outcomes of an esk call. */
typedef enum esk_status {
    ESK_OK = 0,
    /** An argument is invalid: NULL, empty, too long, malformed JSON... */
    ESK_EINVAL = -1,
    /** An allocation failed. Nothing was written. */
    ESK_ENOMEM = -2,
    /** The stream is not at the expected version (optimistic concurrency). */
    ESK_ECONCURRENCY = -3,
    /** The stream, aggregate or record asked for does not exist. */
    ESK_ENOTFOUND = -4,
    /** An event id is already stored somewhere other than this batch. */
    ESK_EDUPLICATE = -5,
    /** Storage failed: an I/O or SQLite error that is not one of the below. */
    ESK_EIO = -6,
    /** Another process held the database lock for longer than the timeout. */
    ESK_EBUSY = -7,
    /** The database file is damaged or is not a database. */
    ESK_ECORRUPT = -8,
    /** The database belongs to another application or a newer esk. */
    ESK_ESCHEMA = -9,
    /** The database or file is read-only. */
    ESK_EREADONLY = -10,
    /** JSON could not be decoded into the typed event. */
    ESK_EDECODE = -11,
    /** Something with this name is already registered. */
    ESK_EEXISTS = -12,
    /** No handler is registered for this command type. */
    ESK_ENOHANDLER = -13,
    /** The domain refused the command (see the domain's own error code). */
    ESK_EDOMAIN = -14,
    /** A user callback (handler, projection, subscriber) failed. */
    ESK_ECALLBACK = -15,
    /** The function is a stub waiting to be written (used by exercises). */
    ESK_ENOTIMPL = -16,
    /** The stream was closed for good (esk_store_close_stream()): it takes
     *  no more events. Its events can still be read. */
    ESK_ECLOSED = -17,
} esk_status;

/**
 * A short, static, English name for a status ("stream is not at the expected
 * version"). Never NULL; unknown values give "unknown status".
 */
const char *esk_status_str(esk_status status);

/**
 * The memory functions esk uses for its own allocations (and, while set,
 * for jansson's). They must behave like the standard ones: realloc(NULL, n)
 * allocates, free(NULL) does nothing.
 *
 * A block refused to jansson while esk parses JSON is taken from the C
 * library instead, because jansson's parser cannot survive the failure
 * safely; the call then fails with ESK_ENOMEM all the same.
 */
typedef struct esk_allocator {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
} esk_allocator;

/**
 * Replace esk's allocator, for leak checks or fault injection.
 *
 * @param allocator the functions to use, copied; NULL restores the standard
 *                  library's. All three members must be set.
 * @return ESK_OK, or ESK_EINVAL when a member is NULL (nothing changes).
 *
 * Call it before creating any esk object, and not while another thread
 * uses esk: memory must be freed by the allocator that allocated it.
 */
esk_status esk_set_allocator(const esk_allocator *allocator);

/** Free memory that an esk function returned as "free with esk_free". */
void esk_free(void *ptr);

/**
 * Allocate with esk's allocator: for a store backend of your own, whose
 * results (a record's memory, say) the caller frees with esk_free().
 * Returns NULL when out of memory; size 0 allocates one byte.
 */
void *esk_malloc(size_t size);

#ifdef __cplusplus
}
#endif

#endif
