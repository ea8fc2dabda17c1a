/*
 * tests/vfs_faults_fixture.h - what the I/O fault sweep (test_vfs_faults.c)
 * shares with its operations: the fault mode, the world an operation runs
 * in, its steps, reading the file back and the checks of every run.
 */
#ifndef ESK_TESTS_VFS_FAULTS_FIXTURE_H
#define ESK_TESTS_VFS_FAULTS_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/command_bus.h"
#include "esk/process.h"
#include "esk/projection.h"
#include "esk/store.h"

enum {
    MESSAGES_MAX = 8,
    MESSAGE_SIZE = 640,
    BATCH = 5,
    /* Far more than any operation here makes: a sweep that gets there is
     * not converging. */
    CALLS_MAX = 5000,
    /* Pages in the store connection's cache. */
    CACHE_PAGES = 4,
};

/* How the fault is injected, and how large the events around it are. */
typedef struct mode {
    char name[64];
    int code;
    bool persistent;
    esk_durability durability;
    size_t pad;
} mode;

/* Adds a line to what the current run did wrong (problems). */
void problem(const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- The world: a store in a file, and what an operation needs ---------- */

typedef struct world {
    const mode *mode;
    char path[128];
    esk_store *store;
    esk_bus *bus;
    esk_catchup *catchup;
    esk_process_runner *runner;
    /* The data of every event and record: {"pad":"xxx..."}. */
    char *data;

    /* What the operation said: its first failure, and the message of
     * every step that failed. */
    esk_status rc;
    char messages[MESSAGES_MAX][MESSAGE_SIZE];
    /* For a step of the store itself, the extended code it gave (-1 for
     * the steps of other modules). */
    int exts[MESSAGES_MAX];
    int failures;
    /* For a transaction that goes on after a failed step: which parts
     * the store said it kept, and whether the outermost commit
     * succeeded. */
    bool kept[3];
    bool committed;
    /* Whether the fault had fired before that commit began. Only a fault
     * inside a commit can leave it in the file yet reported as failed: one
     * that fired before is spent (once) or fails all of the commit's
     * writes (from then on). */
    bool fired_before_commit;
    esk_command_result result;
} world;

/* A unit of work: the streams it writes and how many events each gets. */
typedef struct part {
    const char *stream;
    int64_t events;
} part;

/* vfs_faults_fixture.c */
extern char where[256];
extern char temp_dir[64];
extern int next_file;
extern char problems[4096];
void remove_files(const char *path);
void sql(world *w, const char *statement);
int64_t sql_number(world *w, const char *query);
char *padded_data(size_t pad);
void world_init(world *w, const mode *m);
void world_reopen(world *w);
void world_free(world *w);
esk_status step(world *w, esk_status rc, const char *doing,
                const char *message);
esk_status store_step(world *w, esk_status rc, const char *doing);
esk_status append_typed(esk_store *store, const char *stream, const char *type,
                        size_t n, const char *data);
esk_status append(world *w, const char *stream, size_t n);
void seed(world *w, const char *stream, const char *type, size_t n);
void roll_back_open(world *w);
int64_t count_of(world *w, const char *stream);
int64_t record_number(world *w, esk_record_kind kind, const char *key,
                      bool *same_data);
int64_t checkpoint_of(world *w, const char *key);
bool read_everything(world *w, esk_event_list *list);
void expect_whole_or_none(world *w, const part *parts, size_t n);
void check_reported(world *w, bool fired);
void check_left_clean(world *w);
void probe(world *w);
void check_file(world *w);

/* vfs_faults_store.c */
void append_one(world *w);
void check_one(world *w);
void append_a_batch(world *w);
void check_batch(world *w);
void with_a_tagged_order(world *w);
void append_tagged_on_a_condition(world *w);
void check_tagged(world *w);
void check_two_appends(world *w);
void append_in_a_transaction(world *w);
void append_in_nested_units(world *w);
void go_on_after_a_failed_inner_step(world *w);
void check_what_was_kept(world *w);
void put_checkpoint(world *w);
void put_command(world *w);
void put_snapshot(world *w);
void with_a_snapshot(world *w);
void check_checkpoint(world *w);
void check_command(world *w);
void check_snapshot(world *w);

/* vfs_faults_runners.c */
void with_orders_to_project(world *w);
void run_the_catchup(world *w);
void check_catchup(world *w);
void open_bus(world *w);
extern const esk_command deposit;
void dispatch_a_deposit(world *w);
void check_deposit(world *w);
void with_orders_to_ship(world *w);
void run_the_process(world *w);
void check_shipping(world *w);

#endif
