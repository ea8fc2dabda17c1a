/*
 * catch_up.h - a catch-up runner, the part that makes a projection
 * exactly-once. YOU WRITE catch_up.c.
 *
 * A catch-up projection runs after the writes, from where it stopped. Its
 * checkpoint is the position of the last event it has applied, kept in
 * the store as a record (esk/record.h):
 *
 *   kind ESK_RECORD_CHECKPOINT, key projection->name ("seats"),
 *   at = that position, tag = projection->version, value "{}"
 *
 * The read model is a table in the store's own SQLite database, so one
 * transaction holds both a batch's rows and the checkpoint's move:
 *
 *   checkpoint_read ─► @4
 *   esk_store_read_all(after @4, batch_size) ─► @5 @6 @7
 *   esk_store_begin
 *     handle(@5)  handle(@6)  handle(@7)            rows
 *     esk_store_put_record(checkpoint "seats", at 7)  checkpoint
 *   esk_store_commit                                both, or neither
 *
 * If anything inside fails, esk_store_rollback(): the rows and the
 * checkpoint stay as they were, and the next run applies the same events
 * again, once. A crash anywhere is the same rollback, done by SQLite.
 */
#ifndef CATCH_UP_H
#define CATCH_UP_H

#include <stddef.h>
#include <stdint.h>

#include <esk/projection.h>

/*
 * Where a projection stands: the position of the last event it applied,
 * read from its checkpoint record (key projection_name); 0 when it has
 * none, because it never ran. esk_store_get_record() hands the record's
 * strings over in *owned: esk_free() it once you have the position.
 *
 * @param out receives the position; untouched on failure.
 * @return ESK_OK (also when there is no checkpoint yet: *out = 0);
 *         esk_store_get_record()'s other failures (ESK_EINVAL, ESK_EIO,
 *         ...), passed on as they came: a checkpoint that cannot be read
 *         is not 0, and starting again from 0 would apply every event a
 *         second time.
 */
esk_status checkpoint_read(esk_store *store, const char *projection_name,
                           int64_t *out);

/*
 * Apply the next batch: up to batch_size events after the checkpoint,
 * and move the checkpoint to the last of them, in ONE transaction.
 *
 *   1. checkpoint_read()
 *   2. esk_store_read_all(store, checkpoint, batch_size, NULL, &events):
 *      every event after it, whatever its type (projection->handle()
 *      changes nothing for a type it does not count). None: ESK_OK,
 *      *applied = 0, no transaction.
 *   3. esk_store_begin()
 *   4. projection->handle(projection->ctx, store, &event), for each
 *   5. esk_store_put_record(), the checkpoint record of this header, at =
 *      the last event's position
 *   6. esk_store_commit()
 *   If 4 or 5 fails: esk_store_rollback(), and return that failure. Its
 *   reason is in the last error, and the rollback's success would clear
 *   it: copy it first (esk_error saved = *esk_error_last();), and put it
 *   back after (esk_error_set(rc, "%s", saved.message)).
 *   If 6 fails, the store has rolled back already: return the failure.
 *   Release the events on every path (esk_event_list_release()).
 *
 * @param applied receives how many events the batch applied; 0 on
 *                failure (nothing of the batch is kept).
 * @return ESK_OK; the failure of the handler or of any esk call, as it
 *         came, with the rows and the checkpoint as they were.
 */
esk_status catch_up_batch(esk_store *store, const esk_projection *projection,
                          size_t batch_size, size_t *applied);

/*
 * Run the projection until it has caught up: batch after batch, until
 * one applies nothing. Each batch commits on its own, so a failure keeps
 * the batches before it.
 *
 * @param applied optional (NULL): receives how many events the run
 *                applied, in all (the batches that committed; also on
 *                failure).
 * @return ESK_OK; the first failure of catch_up_batch(), as it came.
 */
esk_status catch_up_run(esk_store *store, const esk_projection *projection,
                        size_t batch_size, size_t *applied);

#endif
