/*
 * src/store_replay.c - the replay rule: whether an append whose ids the
 * caller chose is a retry of one stored append, and what differs when it
 * is not.
 *
 * Every backend walks its stored events through esk_store_check_replay(),
 * so that all of them accept the same retries and refuse every other
 * reuse of an id with the same status and the same words. The walk starts
 * at the stored event that has the batch's first id and goes on in
 * position order: an append's events have consecutive positions, since it
 * was written in one transaction under the write lock.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "esk/store_backend.h"
#include "internal.h"

/* How much of a stored or sent value a message shows, and how much of it
 * before the first byte where the two differ. */
enum { EXCERPT_MAX = 40, EXCERPT_LEAD = 12 };
_Static_assert(EXCERPT_MAX + 7 <= ESK__EXCERPT_SIZE,
               "an excerpt and its two \"...\" fit");

/* The stored event that has the batch's first id. Copied: the walk's
 * strings die at its next step. A longer stream id (not written by esk)
 * is cut, for messages only. */
typedef struct first_event {
    char stream_id[ESK_STREAM_ID_MAX + 1];
    int64_t version;
    int64_t position;
    int64_t batch_start;
} first_event;

/* "event id 'A' is already stored in stream 's-1' at version 3" and the
 * clause that says what differs (printf-style, starting with " " or ";"). */
static esk_status refuse(const char *event_id, const char *stream_id,
                         int64_t version, const char *why_format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static esk_status refuse(const char *event_id, const char *stream_id,
                         int64_t version, const char *why_format, ...)
{
    char why[ESK_ERROR_MESSAGE_MAX * 2];
    va_list args;
    va_start(args, why_format);
    vsnprintf(why, sizeof why, why_format, args);
    va_end(args);
    return esk__fail(ESK_EDUPLICATE,
                     "event id '%s' is already stored in stream "
                     "'%s' at version %" PRId64 "%s",
                     event_id, stream_id, version, why);
}

static bool utf8_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/*
 * Up to EXCERPT_MAX bytes of text from byte start, cut between characters,
 * with "..." where something was left out. start must lie between
 * characters of text.
 */
static void excerpt(char *buf, size_t size, const char *text, size_t start)
{
    size_t left = strlen(text + start);
    size_t take = left < EXCERPT_MAX ? left : EXCERPT_MAX;
    while (take > 0 && take < left && utf8_continuation(text[start + take]))
        take--;
    snprintf(buf, size, "%s%.*s%s", start > 0 ? "..." : "", (int)take,
             text + start, take < left ? "..." : "");
}

void esk__excerpt_difference(const char *a, const char *b, char *a_out,
                             char *b_out, size_t size)
{
    size_t diff = 0;
    while (a[diff] != '\0' && a[diff] == b[diff])
        diff++;
    /* Short texts are shown whole. The bytes before diff are the same in
     * both: a character boundary in one is one in the other. */
    size_t longer = strlen(a) > strlen(b) ? strlen(a) : strlen(b);
    size_t start =
        longer > EXCERPT_MAX && diff > EXCERPT_LEAD ? diff - EXCERPT_LEAD : 0;
    while (start > 0 && utf8_continuation(a[start]))
        start--;
    excerpt(a_out, size, a, start);
    excerpt(b_out, size, b, start);
}

/* " with other data (stored '...', sent '...')". */
static esk_status refuse_value(const char *event_id, const first_event *where,
                               int64_t version, const char *what,
                               const char *stored, const char *sent)
{
    char stored_part[ESK__EXCERPT_SIZE];
    char sent_part[ESK__EXCERPT_SIZE];
    esk__excerpt_difference(stored, sent, stored_part, sent_part,
                            sizeof stored_part);
    return refuse(event_id, where->stream_id, version,
                  " with other %s (stored '%s', sent '%s')", what, stored_part,
                  sent_part);
}

static bool same_tags(const esk_event *a, const esk_event *b)
{
    if (a->tag_count != b->tag_count)
        return false;
    for (size_t i = 0; i < a->tag_count; i++)
        if (strcmp(a->tags[i], b->tags[i]) != 0)
            return false;
    return true;
}

/* " with other tags (stored 'a', 'b'; sent 'c')". */
static esk_status refuse_tags(const esk_event *stored, const esk_event *sent,
                              const first_event *where)
{
    char stored_tags[ESK_ERROR_MESSAGE_MAX / 4];
    char sent_tags[ESK_ERROR_MESSAGE_MAX / 4];
    esk__describe_tags(stored_tags, sizeof stored_tags, stored);
    esk__describe_tags(sent_tags, sizeof sent_tags, sent);
    return refuse(sent->event_id, where->stream_id, stored->version,
                  " with other tags (stored %s; sent %s)", stored_tags,
                  sent_tags);
}

/* Whether an append that began at first_version (the version of its first
 * event) passed a check against expected. */
static bool passes_expected(int64_t expected, int64_t first_version)
{
    if (expected >= 0) /* first_version >= 1: no overflow this way */
        return first_version - 1 == expected;
    if (expected == ESK_NO_STREAM)
        return first_version == 1;
    if (expected == ESK_STREAM_EXISTS)
        return first_version > 1;
    return true; /* ESK_ANY */
}

static void describe_expected(char *buf, size_t size, int64_t expected)
{
    if (expected >= 0)
        snprintf(buf, size, "version %" PRId64, expected);
    else if (expected == ESK_NO_STREAM)
        snprintf(buf, size, "no stream");
    else
        snprintf(buf, size, "an existing stream");
}

/*
 * Step on to the end of the stored append that began at batch_start,
 * counting its events: *count comes in as the number already seen (the
 * one the walk stands on included) and goes out as the append's size.
 */
static esk_status count_rest(esk_stored_next_fn next, void *ctx,
                             int64_t batch_start, int64_t *count)
{
    esk_stored_event row;
    esk_status rc;
    while ((rc = next(ctx, &row)) == ESK_OK && row.batch_start == batch_start)
        ++*count;
    return rc == ESK_ENOTFOUND ? ESK_OK : rc;
}

/* The first id is stored, but not at the start of its append: "as event 2
 * of a batch of 2 events". */
static esk_status refuse_not_first(const char *event_id,
                                   const first_event *where,
                                   esk_stored_next_fn next, void *ctx)
{
    int64_t index = where->position - where->batch_start + 1;
    int64_t size = index;
    esk_status rc = count_rest(next, ctx, where->batch_start, &size);
    if (rc != ESK_OK)
        return rc;
    return refuse(event_id, where->stream_id, where->version,
                  " as event %" PRId64 " of a batch of %" PRId64
                  " events; this batch sends it as event 1",
                  index, size);
}

/* The stored append that holds the first id ends before event i of the
 * batch. */
static esk_status refuse_shorter(const esk_append_request *request,
                                 const first_event *where, size_t i)
{
    const char *first_id = request->events[0].event_id;
    if (where->batch_start != 0)
        return refuse(first_id, where->stream_id, where->version,
                      " as part of a batch of %zu event%s; this batch has %zu",
                      i, i == 1 ? "" : "s", request->count);
    return refuse(first_id, where->stream_id, where->version,
                  " by an append that ends before this batch's event %zu "
                  "('%s')",
                  i + 1, request->events[i].event_id);
}

/*
 * Compare event i of the batch with the stored event the walk gave for
 * it. ESK_OK when they are the same, else the refusal.
 */
static esk_status compare_event(const esk_append_request *request,
                                const first_event *where, size_t i,
                                const esk_stored_event *row)
{
    const esk_event *sent = &request->events[i];
    const esk_event *stored = &row->event;
    const char *first_id = request->events[0].event_id;

    if (strcmp(stored->event_id, sent->event_id) != 0) {
        if (where->batch_start != 0)
            return refuse(first_id, where->stream_id, where->version,
                          " in a batch whose event %zu is '%s'; this batch "
                          "has '%s' there",
                          i + 1, stored->event_id, sent->event_id);
        return refuse(first_id, where->stream_id, where->version,
                      "; the event stored after it at position %" PRId64
                      " is '%s', where this batch has '%s'",
                      stored->position, stored->event_id, sent->event_id);
    }
    /* Within one append these follow from the ids; they are checked for
     * events of unknown boundaries, and for tables changed by hand. */
    if (strcmp(stored->stream_id, request->stream_id) != 0 ||
        stored->version != where->version + (int64_t)i ||
        stored->position != where->position + (int64_t)i)
        return refuse(sent->event_id, stored->stream_id, stored->version,
                      ", not in the batch stored with event id '%s'", first_id);

    if (strcmp(stored->type, sent->type) != 0)
        return refuse(sent->event_id, where->stream_id, stored->version,
                      " with another type (stored '%s', sent '%s')",
                      stored->type, sent->type);
    if (stored->schema_version != sent->schema_version)
        return refuse(sent->event_id, where->stream_id, stored->version,
                      " with schema version %d; this batch sends %d",
                      stored->schema_version, sent->schema_version);
    if (strcmp(stored->data, sent->data) != 0)
        return refuse_value(sent->event_id, where, stored->version, "data",
                            stored->data, sent->data);
    if (strcmp(stored->metadata, sent->metadata) != 0)
        return refuse_value(sent->event_id, where, stored->version, "metadata",
                            stored->metadata, sent->metadata);
    if (!same_tags(stored, sent))
        return refuse_tags(stored, sent, where);
    return ESK_OK;
}

/* Event by event, the batch against the stored events from the first one
 * (row, where the walk stands) on. */
static esk_status compare_batch(const esk_append_request *request,
                                const first_event *where, esk_stored_event *row,
                                esk_stored_next_fn next, void *ctx)
{
    for (size_t i = 0; i < request->count; i++) {
        if (i > 0) {
            esk_status rc = next(ctx, row);
            if (rc != ESK_OK && rc != ESK_ENOTFOUND)
                return rc;
            /* Unknown boundaries end where known ones begin. */
            if (rc == ESK_ENOTFOUND || row->batch_start != where->batch_start)
                return refuse_shorter(request, where, i);
        }
        esk_status rc = compare_event(request, where, i, row);
        if (rc != ESK_OK)
            return rc;
    }
    return ESK_OK;
}

/* The whole batch matched the start of the stored append: it must end
 * there too. */
static esk_status check_batch_ends(const esk_append_request *request,
                                   const first_event *where,
                                   esk_stored_next_fn next, void *ctx)
{
    esk_stored_event row;
    esk_status rc = next(ctx, &row);
    if (rc == ESK_ENOTFOUND ||
        (rc == ESK_OK && row.batch_start != where->batch_start))
        return ESK_OK;
    if (rc != ESK_OK)
        return rc;
    int64_t size = (int64_t)request->count + 1;
    rc = count_rest(next, ctx, where->batch_start, &size);
    if (rc != ESK_OK)
        return rc;
    return refuse(request->events[0].event_id, where->stream_id, where->version,
                  " as part of a batch of %" PRId64
                  " events; this batch has %zu",
                  size, request->count);
}

/* What the first stored event alone decides: the stream, where it sits in
 * its append, the expected version. */
static esk_status check_first(const esk_append_request *request,
                              const esk_stored_event *row,
                              const first_event *where, esk_stored_next_fn next,
                              void *ctx)
{
    const char *first_id = request->events[0].event_id;
    if (strcmp(row->event.stream_id, request->stream_id) != 0)
        return refuse(first_id, where->stream_id, where->version,
                      "; this batch is for stream '%s'", request->stream_id);
    if (where->batch_start != 0 && where->batch_start != where->position)
        return refuse_not_first(first_id, where, next, ctx);
    if (!passes_expected(request->expected, where->version)) {
        char expected[48];
        describe_expected(expected, sizeof expected, request->expected);
        return refuse(first_id, where->stream_id, where->version,
                      ", appended after version %" PRId64
                      "; this batch expects %s",
                      where->version - 1, expected);
    }
    return ESK_OK;
}

esk_status esk_store_check_replay(esk_store *store, esk_append_request *request,
                                  esk_stored_next_fn next, void *ctx)
{
    if (store == NULL)
        return esk__fail(ESK_EINVAL, "esk_store_check_replay: the store is "
                                     "NULL");
    if (request == NULL || next == NULL || request->events == NULL ||
        request->count == 0)
        return esk__fail(ESK_EINVAL, "esk_store_check_replay: %s",
                         request == NULL || request->events == NULL
                             ? "no batch to check"
                         : next == NULL ? "next is NULL"
                                        : "the batch is empty");

    esk_stored_event row;
    esk_status rc = next(ctx, &row);
    if (rc == ESK_ENOTFOUND)
        return esk__ok(); /* a new batch */
    if (rc != ESK_OK)
        return rc;
    first_event where;
    snprintf(where.stream_id, sizeof where.stream_id, "%s",
             row.event.stream_id);
    where.version = row.event.version;
    where.position = row.event.position;
    where.batch_start = row.batch_start;
    rc = check_first(request, &row, &where, next, ctx);
    if (rc != ESK_OK)
        return rc;

    rc = compare_batch(request, &where, &row, next, ctx);
    if (rc == ESK_OK && where.batch_start != 0)
        rc = check_batch_ends(request, &where, next, ctx);
    if (rc != ESK_OK)
        return rc;

    for (size_t i = 0; i < request->count; i++) {
        request->events[i].version = where.version + (int64_t)i;
        request->events[i].position = where.position + (int64_t)i;
    }
    request->result.version = where.version + (int64_t)request->count - 1;
    request->result.position = where.position + (int64_t)request->count - 1;
    request->replayed = true;
    return esk__ok();
}

esk_status esk__store_reused_id(esk_store *store, const char *event_id,
                                const char *stored_stream_id,
                                int64_t stored_version, const char *first_id)
{
    (void)store;
    return refuse(event_id, stored_stream_id, stored_version,
                  "; this batch is a new one (its first event id '%s' is "
                  "not stored) and cannot reuse it",
                  first_id);
}
