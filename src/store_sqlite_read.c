/*
 * src/store_sqlite_read.c - reads: a stream forwards or backwards, the
 * global feed, versions and the head, checking every row read, since
 * SQLite keeps no checksum of a value.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_sqlite_internal.h"

/* What a read was doing, for its failure message: the stream it read, the
 * global feed, or a query. Only failures pay for the formatting. */
typedef struct read_name {
    const char *stream_id; /* NULL for the global feed */
    const char *what;      /* or what else the read reads */
} read_name;

static void describe_read(char *buf, size_t size, const read_name *name)
{
    if (name->what != NULL)
        snprintf(buf, size, "reading %s", name->what);
    else if (name->stream_id != NULL)
        snprintf(buf, size, "reading stream '%s'", name->stream_id);
    else
        snprintf(buf, size, "reading all events");
}

/*
 * The numbers a read must meet in turn: positions have no gaps in the
 * global feed, nor versions in a stream. A read that skips one met a
 * damaged table or index (or rows edited by hand), not the store esk
 * wrote.
 */
typedef struct sequence {
    /* The number the next row must have; 0 when not known yet (a read
     * backward starts wherever the stream ends). */
    int64_t next;
    /* 1 forward, -1 backward. */
    int step;
    /* Whether positions or versions follow each other. */
    bool positions;
} sequence;

/* One row as read: the event (recorded_at not yet parsed) and the text of
 * its recorded_at. */
typedef struct row {
    esk_event event;
    const char *recorded_at;
    esk__sqlite_tags tags;
    /* strlen() of event_id, stream_id, type, data, metadata, measured once
     * for the checks and the copy: a read's time goes mostly into such
     * per-row work. data and metadata are measured only for rows kept. */
    size_t lengths[5];
} row;

/* Take the row's columns. False when one is NULL: the columns are NOT
 * NULL, so that is SQLite running out of memory converting a value, or a
 * table esk did not write. */
static bool take_row(sqlite3_stmt *stmt, row *r)
{
    esk_event *e = &r->event;
    esk__sqlite_column_event(stmt, e);
    r->recorded_at = (const char *)sqlite3_column_text(stmt, COL_RECORDED_AT);
    return e->event_id != NULL && e->stream_id != NULL && e->type != NULL &&
           e->data != NULL && e->metadata != NULL && r->recorded_at != NULL &&
           esk__sqlite_column_tags(stmt, &r->tags, e);
}

/* SQLite keeps no checksum of a value: an envelope that esk cannot have
 * written is a damaged row, not an event. */
static bool envelope_is_sound(row *r)
{
    const esk_event *e = &r->event;
    r->lengths[0] = strlen(e->event_id);
    r->lengths[1] = strlen(e->stream_id);
    r->lengths[2] = strlen(e->type);
    return e->position >= 1 && e->version >= 1 && e->schema_version >= 1 &&
           esk__utf8_valid_len(e->event_id, r->lengths[0], ESK_EVENT_ID_MAX) &&
           esk__utf8_valid_len(e->stream_id, r->lengths[1],
                               ESK_STREAM_ID_MAX) &&
           esk__utf8_valid_len(e->type, r->lengths[2], ESK_TYPE_MAX);
}

/* Whether the row has the number the sequence expects next (and move the
 * sequence on): false means a row is missing or damaged. */
static bool follows(sequence *seq, const esk_event *e, int64_t *n)
{
    *n = seq->positions ? e->position : e->version;
    if (seq->next != 0 && *n != seq->next)
        return false;
    /* Nothing can follow a row at INT64_MAX (a row esk did not write, or
     * the last there can be); backward, n >= 1 here. */
    seq->next = *n == INT64_MAX && seq->step > 0 ? 0 : *n + seq->step;
    return true;
}

/* Check a row taken from a read and parse its recorded_at: ESK_OK, or
 * ESK_ECORRUPT saying what is wrong with it. */
static esk_status check_row(row *r, sequence *seq, esk__time_reader *times,
                            const read_name *name)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    const char *damage = NULL;
    int64_t n = 0;
    if (!envelope_is_sound(r))
        damage = "has a damaged envelope (its id, stream, type or version)";
    else if (seq != NULL && !follows(seq, &r->event, &n)) {
        describe_read(doing, sizeof doing, name);
        return esk__fail(ESK_ECORRUPT,
                         "%s: %s %" PRId64 " comes where %" PRId64
                         " was expected: an event is missing or damaged",
                         doing, seq->positions ? "position" : "version", n,
                         seq->next);
    } else if (esk__time_read(times, r->recorded_at, &r->event.recorded_at) !=
               ESK_OK) {
        describe_read(doing, sizeof doing, name);
        return esk__fail(ESK_ECORRUPT,
                         "%s: the event at position %" PRId64
                         " has an unreadable recorded_at '%s'",
                         doing, r->event.position, r->recorded_at);
    }
    if (damage == NULL)
        return ESK_OK;
    describe_read(doing, sizeof doing, name);
    return esk__fail(ESK_ECORRUPT, "%s: the event at position %" PRId64 " %s",
                     doing, r->event.position, damage);
}

/* Push a checked row into out, unless the filter (NULL for none) leaves
 * it out. */
static esk_status keep_row(row *r, const esk_filter *filter,
                           esk_event_list *out, const read_name *name)
{
    const esk_event *e = &r->event;
    if (filter != NULL &&
        (!esk_stream_in_category(e->stream_id, filter->category) ||
         !esk_filter_has_type(filter, e->type)))
        return ESK_OK;
    r->lengths[3] = strlen(e->data);
    r->lengths[4] = strlen(e->metadata);
    esk_status status = esk__event_list_push_sized(out, e, r->lengths);
    if (status == ESK_OK)
        return ESK_OK;
    char doing[ESK_ERROR_MESSAGE_MAX];
    describe_read(doing, sizeof doing, name);
    return esk__fail(status, "%s: out of memory", doing);
}

/* A row that take_row() refused: out of memory, or an empty column (or
 * tags that esk did not write). */
static esk_status refuse_row(sqlite_store *s, const row *r,
                             const read_name *name)
{
    char doing[ESK_ERROR_MESSAGE_MAX];
    describe_read(doing, sizeof doing, name);
    if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
        return esk__sqlite_fail(s, SQLITE_NOMEM, "%s", doing);
    return esk__fail(ESK_ECORRUPT,
                     "%s: the event at position %" PRId64
                     " has an empty column or damaged tags",
                     doing, r->event.position);
}

/*
 * Step a read statement (already bound) and push up to max_count rows that
 * pass the filter (NULL for none) into out. name only names the read in
 * messages; seq (NULL for none) is checked on
 * every row read, filtered or not. The statement is reset and its bindings
 * cleared on every path; on failure out is left empty.
 */
static esk_status read_rows(sqlite_store *s, sqlite3_stmt *stmt,
                            size_t max_count, const esk_filter *filter,
                            sequence *seq, esk_event_list *out,
                            const read_name *name)
{
    esk_status status = ESK_OK;
    /* Rows come in the order they were recorded: most recorded_at texts
     * share their second with the row before, and are read faster so. */
    esk__time_reader times;
    esk__time_reader_init(&times);

    while (status == ESK_OK && out->count < max_count) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            char doing[ESK_ERROR_MESSAGE_MAX];
            describe_read(doing, sizeof doing, name);
            status = esk__sqlite_fail(s, rc, "%s", doing);
            break;
        }
        row r;
        if (!take_row(stmt, &r))
            status = refuse_row(s, &r, name);
        else if ((status = check_row(&r, seq, &times, name)) == ESK_OK)
            status = keep_row(&r, filter, out, name);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (status != ESK_OK)
        esk_event_list_clear(out);
    return status;
}

esk_status esk__sqlite_read_rows(sqlite_store *s, sqlite3_stmt *stmt,
                                 size_t max_count, esk_event_list *out,
                                 const char *what)
{
    const read_name name = {NULL, what};
    return read_rows(s, stmt, max_count, NULL, NULL, out, &name);
}

/* A LIMIT for max_count: SIZE_MAX (no limit) and anything SQLite cannot
 * hold become -1, which SQLite reads as no limit. */
static int64_t limit_of(size_t max_count)
{
    return (uint64_t)max_count > (uint64_t)INT64_MAX ? -1 : (int64_t)max_count;
}

esk_status esk__sqlite_read_stream(esk_store *store, void *impl,
                                   const char *stream_id, int64_t from_version,
                                   size_t max_count, bool backward,
                                   esk_event_list *out)
{
    (void)store;
    sqlite_store *s = impl;
    sqlite3_stmt *stmt =
        s->stmt[backward ? STMT_READ_BACKWARD : STMT_READ_FORWARD];
    if (backward && from_version == ESK_END)
        from_version = INT64_MAX;

    int rc = esk__sqlite_bind_text(stmt, 1, stream_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 2, from_version);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 3, limit_of(max_count));
    if (rc != SQLITE_OK) {
        esk_status status =
            esk__sqlite_fail(s, rc, "reading stream '%s'", stream_id);
        sqlite3_clear_bindings(stmt);
        esk_event_list_clear(out);
        return status;
    }
    sequence seq = {backward ? 0 : from_version, backward ? -1 : 1, false};
    const read_name name = {stream_id, NULL};
    return read_rows(s, stmt, max_count, NULL, &seq, out, &name);
}

esk_status esk__sqlite_read_all(esk_store *store, void *impl,
                                int64_t after_position, size_t max_count,
                                const esk_filter *filter, esk_event_list *out)
{
    (void)store;
    sqlite_store *s = impl;
    bool by_category = filter->category != NULL;
    sqlite3_stmt *stmt =
        s->stmt[by_category ? STMT_READ_CATEGORY : STMT_READ_ALL];
    int rc = sqlite3_bind_int64(stmt, 1, after_position);
    if (rc == SQLITE_OK && by_category)
        rc = esk__sqlite_bind_text(stmt, 2, filter->category);
    if (rc != SQLITE_OK) {
        esk_status status = esk__sqlite_fail(s, rc, "reading all events");
        sqlite3_clear_bindings(stmt);
        esk_event_list_clear(out);
        return status;
    }

    /* Checking rows in C is only needed when a filter is set. */
    bool filtered = by_category || filter->type_count > 0;
    /* The category is filtered by SQL, so only the whole feed can be
     * checked for gaps. */
    sequence seq = {after_position + 1, 1, true};
    const read_name name = {NULL, NULL};
    return read_rows(s, stmt, max_count, filtered ? filter : NULL,
                     by_category ? NULL : &seq, out, &name);
}

esk_status esk__sqlite_stream_version(esk_store *store, void *impl,
                                      const char *stream_id,
                                      int64_t *out_version)
{
    (void)store;
    sqlite_store *s = impl;
    int64_t version = 0;
    int rc = esk__sqlite_query_int(s->stmt[STMT_STREAM_VERSION], stream_id,
                                   &version);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "reading the version of stream '%s'",
                                stream_id);
    *out_version = version;
    return ESK_OK;
}

esk_status esk__sqlite_head_position(esk_store *store, void *impl,
                                     int64_t *out_position)
{
    (void)store;
    sqlite_store *s = impl;
    int64_t head = 0;
    int rc = esk__sqlite_query_int(s->stmt[STMT_HEAD], NULL, &head);
    if (rc != SQLITE_OK)
        return esk__sqlite_fail(s, rc, "reading the head position");
    *out_position = head;
    return ESK_OK;
}
