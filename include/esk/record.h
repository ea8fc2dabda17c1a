/*
 * esk/record.h - the small records a store keeps beside the events:
 * checkpoints of projections and process managers, the outcomes of
 * commands, snapshots. Each kind has its own namespace of keys (and its
 * own SQLite table), and a record is written in the same transactions as
 * the events. esk_store_put_record() and esk_store_get_record()
 * (esk/store.h) write and read them.
 */
#ifndef ESK_RECORD_H
#define ESK_RECORD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of record, each in its own namespace (and SQLite table). */
typedef enum esk_record_kind {
    ESK_RECORD_CHECKPOINT = 0, /**< table checkpoints */
    ESK_RECORD_COMMAND = 1,    /**< table commands */
    ESK_RECORD_SNAPSHOT = 2,   /**< table snapshots */
} esk_record_kind;

/**
 * A record. The store keeps its fields as they are and reads none of them
 * but the key; each field holds one kind of thing for every kind of record:
 *
 *   kind        key             at                  tag
 *   checkpoint  projection      last position done  projection's version
 *   command     command id      last position       command's status
 *                               written
 *   snapshot    stream id       stream version      state layout version
 *
 * value is JSON: "{}" or a projection's notes, a command's outcome, a
 * snapshot's state.
 */
typedef struct esk_record {
    const char *key;
    /** Where in the events the record stands: a global position for
     *  checkpoints and commands, a stream version for snapshots. */
    int64_t at;
    /** A small number the writer keeps with the record (a version of its
     *  own code or layout, a status), never compared by the store. */
    int tag;
    const char *value;
} esk_record;

#ifdef __cplusplus
}
#endif

#endif
