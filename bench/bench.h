/*
 * bench/bench.h - what the parts of esk-bench share.
 *
 * A workload is measured by a function that sets up its own world (a
 * store file, a memory store, a bus), times only the work itself between
 * bench_start() and bench_stop(), and fills a bench_sample. main.c runs
 * every such function in a child process of its own, so that one
 * measurement's memory (and its peak RSS) cannot leak into the next, and
 * alternates esk and the baseline so that drift on a shared machine hits
 * both sides alike.
 */
#ifndef ESK_BENCH_H
#define ESK_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esk/aggregate.h"
#include "esk/codec.h"

enum { BENCH_PATH_MAX = 1024, BENCH_ERROR_MAX = 256 };

/* How the read workloads fold each event: both sides call the same
 * function, so the fold is the same work on both. */
typedef enum bench_fold_kind {
    /* Count the event and the bytes of its data: what is left is the
     * cost of getting events out of the store. */
    BENCH_FOLD_TRIVIAL,
    /* Decode the data with esk's codec, as an aggregate load does. */
    BENCH_FOLD_CODEC,
} bench_fold_kind;

typedef struct bench_config {
    long events;           /* events per store workload */
    long streams;          /* spread round-robin over this many streams */
    long batch;            /* events per transaction of the batched append */
    long page;             /* events per read of the global feed */
    long passes;           /* times a read workload reads everything */
    int runs;              /* measurements per side of each workload */
    long aggregate_events; /* events of the aggregate that is loaded */
    long loads;            /* loads per measurement, without a snapshot */
    long snapshot_loads;   /* loads per measurement, from a snapshot */
    long commands;         /* commands per bus measurement */
    long max_batch_ms;     /* the catch-up's max_batch_ms */
    bench_fold_kind fold;
    /* The table reports CPU time instead of wall-clock time. */
    bool cpu_clock;
    /* Where every database lives: a fresh folder under --dir. */
    char dir[BENCH_PATH_MAX];
    /* A SQLite store of `events` events written by esk, which both sides
     * of the read workloads read. */
    char fixture[BENCH_PATH_MAX];
    /* The PostgreSQL server of the postgres.* workloads (a libpq conninfo:
     * --pg or ESK_TEST_PG); empty: they are skipped. */
    char pg[BENCH_PATH_MAX];
} bench_config;

/* One measurement, as the child process that made it reports it. */
typedef struct bench_sample {
    double seconds;     /* the timed part only, wall clock */
    double cpu_seconds; /* the same part, CPU time of the process */
    long ops;           /* events, loads or commands done in it */
    long rss_setup_kib; /* peak RSS when the timed part began */
    long rss_peak_kib;  /* peak RSS when it ended */
    long db_bytes;      /* an append's database file when closed, or 0 */
    double started;     /* private: the clocks at bench_start() */
    double cpu_started;
    bool failed;
    char error[BENCH_ERROR_MAX];
} bench_sample;

/* A measuring function: set up, bench_start, work, bench_stop, clean up.
 * arg is the workload's own parameter (a backend name, a variant). It
 * returns false after bench_fail(). */
typedef bool (*bench_fn)(const bench_config *cfg, const char *arg,
                         bench_sample *sample);

/* --- measure.c ------------------------------------------------------------ */

/* A monotonic clock, in seconds. */
double bench_now(void);
/* The CPU time this process has used, in seconds: it leaves out the time
 * the process waited for a core, which on a busy machine is most of the
 * noise (and also the time it waited for the disk). */
double bench_cpu_now(void);
/* This process's peak resident set size so far, in KiB. */
long bench_peak_rss_kib(void);
void bench_start(bench_sample *sample);
void bench_stop(bench_sample *sample, long ops);
/* Mark the sample failed with a message; returns false. */
bool bench_fail(bench_sample *sample, const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Run fn in a child process and bring its sample back through a pipe. */
bool bench_in_child(bench_fn fn, const bench_config *cfg, const char *arg,
                    bench_sample *sample);
/* A path in the bench folder: dir/name. */
void bench_path(const bench_config *cfg, char *buf, size_t size,
                const char *name);
/* The size of a SQLite database and its -wal file, in bytes. */
long bench_db_bytes(const char *path);
/* Delete a SQLite database and its -wal and -shm files. */
void bench_remove_db(const char *path);
/* Copy a file (a checkpointed database: no WAL beside it). */
bool bench_copy_file(const char *from, const char *to, bench_sample *sample);

/* --- domain.c: the events, streams and aggregate every workload uses ----- */

/* {"workshopId":"w-17","seats":1} */
typedef struct bench_registered {
    char workshop_id[32];
    int64_t seats;
} bench_registered;

extern const esk_event_type bench_registered_type;
#define BENCH_EVENT_TYPE "AttendeeRegistered"

/* The aggregate of the load workloads: a workshop that counts seats. */
typedef struct bench_workshop {
    esk_aggregate base;
    int64_t seats_taken;
    int64_t registrations;
} bench_workshop;

extern const esk_aggregate_type bench_workshop_type;
extern const esk_aggregate_type bench_workshop_type_no_snapshot;

/* The stream ids ("workshop-17") and event data of every stream, made
 * before the clock starts so that neither side times any formatting. */
typedef struct bench_streams {
    long count;
    char (*ids)[32];
    char (*data)[64];
} bench_streams;

bool bench_streams_make(bench_streams *s, long count, bench_sample *sample);
void bench_streams_free(bench_streams *s);

/* What the read workloads fold the events into. */
typedef struct bench_fold {
    bench_fold_kind kind;
    long events;
    long bytes;
    long seats;
    long errors;
} bench_fold;

/* Fold one event: the same function for esk and the baseline. Kept out of
 * line on purpose, so that neither side's compiler can specialise it. */
void bench_fold_event(bench_fold *fold, const char *data, int64_t version);
/* Check that a read saw every event once and decoded each. */
bool bench_fold_check(const bench_fold *fold, long expected,
                      bench_sample *sample);

/* --- store_esk.c: the store workloads through esk's API ------------------ */

/* arg is "sqlite", "memory" or "postgres". */
bool esk_append_one(const bench_config *cfg, const char *arg,
                    bench_sample *sample);
bool esk_append_batch(const bench_config *cfg, const char *arg,
                      bench_sample *sample);
bool esk_read_streams(const bench_config *cfg, const char *arg,
                      bench_sample *sample);
bool esk_read_all(const bench_config *cfg, const char *arg,
                  bench_sample *sample);
/* Write cfg->events events to a new SQLite store at path, in batches. */
bool esk_write_fixture(const bench_config *cfg, const char *path,
                       bench_sample *sample);

/* --- store_raw.c: the same work with raw SQLite, the limit --------------- */

/* The appends' arg is the kind of event ids: "sequential" (also NULL) or
 * "random" (UUID v4). */
bool raw_append_one(const bench_config *cfg, const char *arg,
                    bench_sample *sample);
bool raw_append_batch(const bench_config *cfg, const char *arg,
                      bench_sample *sample);
bool raw_read_streams(const bench_config *cfg, const char *arg,
                      bench_sample *sample);
bool raw_read_all(const bench_config *cfg, const char *arg,
                  bench_sample *sample);
bool raw_catchup_rebuild(const bench_config *cfg, const char *arg,
                         bench_sample *sample);

/* --- store_pg.c: PostgreSQL's schemas and its limit (a build with libpq) -- */

/* The schema of the read fixture on PostgreSQL, written by esk. */
#define BENCH_PG_FIXTURE "bench_fixture"

#ifdef ESK_HAVE_POSTGRES
#include "esk/store.h"
/* Open an esk store on cfg->pg in schema. */
bool bench_pg_open(const bench_config *cfg, const char *schema, esk_store **out,
                   bench_sample *sample);
/* The same, in a schema dropped first: empty tables. */
bool bench_pg_open_fresh(const bench_config *cfg, const char *schema,
                         esk_store **out, bench_sample *sample);
bool pg_raw_append_one(const bench_config *cfg, const char *arg,
                       bench_sample *sample);
bool pg_raw_append_batch(const bench_config *cfg, const char *arg,
                         bench_sample *sample);
bool pg_raw_read_streams(const bench_config *cfg, const char *arg,
                         bench_sample *sample);
bool pg_raw_read_all(const bench_config *cfg, const char *arg,
                     bench_sample *sample);
/* A query of a read model: esk's query handle (esk/read_model_postgres.h)
 * against the same prepared query sent with libpq, cfg->events / 10
 * queries each. */
bool esk_pg_query(const bench_config *cfg, const char *arg,
                  bench_sample *sample);
bool pg_raw_query(const bench_config *cfg, const char *arg,
                  bench_sample *sample);
/* Write cfg->events events to schema BENCH_PG_FIXTURE, as
 * esk_write_fixture does on SQLite. */
bool esk_write_pg_fixture(const bench_config *cfg, const char *arg,
                          bench_sample *sample);
#endif

/* --- app.c: projections, aggregates and the command bus ------------------ */

bool esk_catchup_rebuild_bench(const bench_config *cfg, const char *arg,
                               bench_sample *sample);
/* arg is "sqlite" or "memory". */
bool esk_load_replay(const bench_config *cfg, const char *arg,
                     bench_sample *sample);
bool esk_load_snapshot(const bench_config *cfg, const char *arg,
                       bench_sample *sample);
/* arg is "direct", "bare" or "middleware". */
bool esk_bus_bench(const bench_config *cfg, const char *arg,
                   bench_sample *sample);

/* The read model of the catch-up workloads, the same on both sides. */
#define BENCH_READ_MODEL_SQL                                                   \
    "CREATE TABLE IF NOT EXISTS workshop_seats("                               \
    "workshop TEXT PRIMARY KEY, events INTEGER NOT NULL, "                     \
    "last_position INTEGER NOT NULL)"
#define BENCH_READ_MODEL_UPSERT                                                \
    "INSERT OR REPLACE INTO workshop_seats(workshop, events, last_position) "  \
    "VALUES(?1, ?2, ?3)"
#define BENCH_PROJECTION_NAME "workshop_seats"

#endif
