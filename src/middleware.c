/*
 * src/middleware.c - the middleware esk ships: logging, retry on conflict,
 * idempotency by command id.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "esk/command_bus.h"
#include "internal.h"

/* --- Logging -------------------------------------------------------------- */

static void write_to_stderr(void *ctx, const char *line)
{
    (void)ctx;
    fprintf(stderr, "%s\n", line);
}

/*
 * The line is built by hand: snprintf, its "%.2f" above all, cost more
 * than the command's own work. A line takes what fits in its buffer and
 * is cut there, as snprintf would cut it.
 */
typedef struct line_buf {
    char *p;
    char *end; /* the last byte, kept for the NUL */
} line_buf;

static void put(line_buf *b, const char *text)
{
    while (*text != '\0' && b->p < b->end)
        *b->p++ = *text++;
    *b->p = '\0';
}

static void put_number(line_buf *b, int64_t value)
{
    char digits[24];
    char *d = digits + sizeof(digits) - 1;
    *d = '\0';
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        *--d = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        *--d = '-';
    put(b, d);
}

/* The time between start and end in milliseconds with two decimals,
 * rounded to the nearest hundredth. */
static void put_elapsed_ms(line_buf *b, const struct timespec *start,
                           const struct timespec *end)
{
    int64_t ns = (int64_t)(end->tv_sec - start->tv_sec) * 1000000000 +
                 (int64_t)(end->tv_nsec - start->tv_nsec);
    bool negative = ns < 0; /* a clock set back */
    int64_t hundredths = ((negative ? -ns : ns) + 5000) / 10000;
    if (negative)
        put(b, "-");
    put_number(b, hundredths / 100);
    char decimals[4] = {'.', (char)('0' + hundredths % 100 / 10),
                        (char)('0' + hundredths % 10), '\0'};
    put(b, decimals);
}

/* "ok: 1 event, v3 @12", "refused: error 3: ...", "failed: ...: ...": the
 * outcome rc of the chain, whose reason is the last error. */
static void describe_outcome(line_buf *b, esk_status rc,
                             const esk_command_result *r)
{
    const char *again = r->duplicate ? " (duplicate)" : "";
    const esk_error *last = esk_error_last();

    if (rc == ESK_OK) {
        put(b, "ok");
        put(b, again);
        if (r->event_count == 0) {
            put(b, ": no events");
        } else {
            put(b, ": ");
            put_number(b, (int64_t)r->event_count);
            put(b, r->event_count == 1 ? " event, v" : " events, v");
            put_number(b, r->version);
            put(b, " @");
            put_number(b, r->position);
        }
    } else if (rc == ESK_EDOMAIN) {
        put(b, "refused");
        put(b, again);
        put(b, ": error ");
        put_number(b, last->code);
        put(b, ": ");
        put(b, last->message);
    } else {
        put(b, "failed: ");
        put(b, esk_status_str(rc));
        put(b, ": ");
        put(b, last->message);
    }
    if (r->attempts > 1) {
        put(b, ", ");
        put_number(b, r->attempts);
        put(b, " attempts");
    }
}

static esk_status logging_around(void *data, esk_context *context)
{
    const esk_log_sink *sink = data;
    struct timespec start = {0, 0};
    struct timespec end = {0, 0};

    timespec_get(&start, TIME_UTC);
    esk_status rc = esk_next(context);
    timespec_get(&end, TIME_UTC);

    const esk_command *command = esk_context_command(context);
    const esk_metadata *metadata = esk_context_metadata(context);
    char line[ESK_COMMAND_TYPE_MAX + 2 * ESK_COMMAND_ID_MAX +
              ESK_ERROR_MESSAGE_MAX + 192];
    line_buf b = {line, line + sizeof(line) - 1};
    put(&b, command->type);
    put(&b, " id=");
    put(&b, command->id);
    put(&b, " correlation=");
    put(&b, metadata->correlation_id);
    put(&b, " -> ");
    describe_outcome(&b, rc, esk_context_result(context));
    put(&b, " (");
    put_elapsed_ms(&b, &start, &end);
    put(&b, " ms)");
    if (sink != NULL && sink->write != NULL)
        sink->write(sink->ctx, line);
    else
        write_to_stderr(NULL, line);
    return rc;
}

esk_middleware esk_logging_middleware(const esk_log_sink *sink)
{
    /* data is not const, but the middleware only reads through it. */
    return (esk_middleware){"logging", NULL, logging_around, (void *)sink};
}

/* --- Retry ---------------------------------------------------------------- */

static esk_status retry_around(void *data, esk_context *context)
{
    const esk_retry_policy *policy = data;
    int max_attempts = policy != NULL ? policy->max_attempts : 3;
    int backoff_ms = policy != NULL ? policy->backoff_ms : 0;

    for (int attempt = 1;; attempt++) {
        esk_status rc = esk_next(context);
        if (rc != ESK_ECONCURRENCY || attempt >= max_attempts)
            return rc;
        esk__sleep_ms((long long)backoff_ms * attempt);
    }
}

esk_middleware esk_retry_middleware(const esk_retry_policy *policy)
{
    return (esk_middleware){"retry", NULL, retry_around, (void *)policy};
}

/* --- Idempotency ------------------------------------------------------------
 */

/*
 * The outcome record is written by hand, as jansson wrote it before
 * (JSON_COMPACT, the members in this order, strings escaped as jansson
 * escapes them), so that records stay the same text: building a jansson
 * object and dumping it took a third of the cost of a command.
 */

static char *put_text(char *out, const char *text)
{
    size_t len = strlen(text);
    memcpy(out, text, len);
    return out + len;
}

/* text as a JSON string; NULL when it is not UTF-8 (jansson refused it
 * too). Writes at most 6 bytes per byte of text, plus 2. */
static char *put_string(char *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)text;
    *out++ = '"';
    for (;;) {
        /* Most of the text needs no escape: copy it in a tight loop. */
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
            *out++ = (char)*p++;
        unsigned char ch = *p;
        if (ch == '\0')
            break;
        if (ch >= 0x80) {
            size_t len = esk__utf8_sequence(p);
            if (len == 0)
                return NULL;
            memcpy(out, p, len);
            out += len;
            p += len;
            continue;
        }
        *out++ = '\\';
        switch (ch) {
        case '"':
        case '\\':
            *out++ = (char)ch;
            break;
        case '\b':
            *out++ = 'b';
            break;
        case '\f':
            *out++ = 'f';
            break;
        case '\n':
            *out++ = 'n';
            break;
        case '\r':
            *out++ = 'r';
            break;
        case '\t':
            *out++ = 't';
            break;
        default:
            out = put_text(out, "u00");
            *out++ = hex[ch >> 4];
            *out++ = hex[ch & 0xF];
        }
        p++;
    }
    *out++ = '"';
    return out;
}

/* Writes at most 20 bytes. */
static char *put_integer(char *out, int64_t value)
{
    char digits[20];
    int n = 0;
    /* Negated as unsigned, so that INT64_MIN needs no special case. */
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[n++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        *out++ = '-';
    while (n > 0)
        *out++ = digits[--n];
    return out;
}

/* The outcome as the record's JSON value; NULL when out of memory (or
 * when a text is not UTF-8, which the bus's checks leave impossible). */
static char *encode_outcome(const esk_command *command,
                            const esk_command_result *r, esk_status rc)
{
    const esk_error *last = esk_error_last();
    int code = rc == ESK_EDOMAIN ? last->code : 0;
    const char *message = rc == ESK_OK ? "" : last->message;
    const char *payload = command->payload_json;
    size_t payload_len = payload != NULL ? strlen(payload) : 0;
    size_t size = 6 * (strlen(command->type) + payload_len + strlen(message)) +
                  4 * 20 + 128;
    char *text = esk__malloc(size);
    if (text == NULL)
        return NULL;
    /* The payload is kept as text, not as parsed JSON, so that a command
     * sent again is compared with it byte for byte; null when none. */
    char *out = put_text(text, "{\"type\":");
    out = put_string(out, command->type);
    if (out != NULL) {
        out = put_text(out, ",\"payloadJson\":");
        out =
            payload != NULL ? put_string(out, payload) : put_text(out, "null");
    }
    if (out != NULL) {
        out = put_text(out, ",\"domainCode\":");
        out = put_integer(out, code);
        out = put_text(out, ",\"message\":");
        out = put_string(out, message);
    }
    if (out == NULL) {
        esk__free(text);
        return NULL;
    }
    out = put_text(out, ",\"eventCount\":");
    out = put_integer(out, (int64_t)r->event_count);
    out = put_text(out, ",\"version\":");
    out = put_integer(out, r->version);
    out = put_text(out, ",\"position\":");
    out = put_integer(out, r->position);
    out = put_text(out, "}");
    *out = '\0';
    return text;
}

/* An integer member of a JSON object; json_unpack would allocate. */
static bool get_integer(const json_t *object, const char *key, json_int_t *out)
{
    const json_t *value = json_object_get(object, key);
    if (!json_is_integer(value))
        return false;
    *out = json_integer_value(value);
    return true;
}

static const char *get_string(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

/* 'excerpt', or none when the command had no payload_json. */
static void show_payload(char *buf, size_t size, const char *text,
                         const char *excerpt)
{
    if (text == NULL)
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, "'%s'", excerpt);
}

/*
 * Whether the recorded outcome belongs to a command with this content:
 * ESK_OK, or ESK_EDUPLICATE (another type or payload_json) or
 * ESK_ECORRUPT with the context's message set. Outcomes recorded before
 * esk kept the payload ("payloadJson" absent) are compared by type.
 */
static esk_status check_same_command(esk_context *context,
                                     const json_t *outcome, const char *type)
{
    const esk_command *command = esk_context_command(context);
    if (strcmp(type, command->type) != 0)
        return esk_context_fail(context, ESK_EDUPLICATE, 0,
                                "command id '%s' was already used by a %s "
                                "command: give each command its own id",
                                command->id, type);
    const json_t *stored = json_object_get(outcome, "payloadJson");
    if (stored == NULL)
        return ESK_OK;
    if (!json_is_null(stored) && !json_is_string(stored))
        return esk_context_fail(context, ESK_ECORRUPT, 0,
                                "the recorded outcome of command '%s' is not "
                                "one esk wrote: its payloadJson is neither "
                                "text nor null",
                                command->id);
    const char *stored_text = json_string_value(stored);
    const char *sent_text = command->payload_json;
    /* A "\u0000" inside the stored text makes it longer than what a C
     * string can send. */
    bool same = stored_text == NULL || sent_text == NULL
                    ? stored_text == sent_text
                    : json_string_length(stored) == strlen(sent_text) &&
                          strcmp(stored_text, sent_text) == 0;
    if (same)
        return ESK_OK;
    /* A missing payload_json shows as none, and as "" in the excerpts. */
    char stored_part[ESK__EXCERPT_SIZE];
    char sent_part[ESK__EXCERPT_SIZE];
    esk__excerpt_difference(stored_text != NULL ? stored_text : "",
                            sent_text != NULL ? sent_text : "", stored_part,
                            sent_part, sizeof stored_part);
    char stored_shown[ESK__EXCERPT_SIZE + 2];
    char sent_shown[ESK__EXCERPT_SIZE + 2];
    show_payload(stored_shown, sizeof stored_shown, stored_text, stored_part);
    show_payload(sent_shown, sizeof sent_shown, sent_text, sent_part);
    return esk_context_fail(context, ESK_EDUPLICATE, 0,
                            "command id '%s' was already used by a %s "
                            "command with another payload_json (stored %s, "
                            "sent %s): give each command its own id",
                            command->id, type, stored_shown, sent_shown);
}

static esk_status answer_from_record(esk_context *context,
                                     const esk_record *record)
{
    const esk_command *command = esk_context_command(context);
    esk_command_result *result = esk_context_result(context);
    esk_status rc = ESK_OK;
    json_t *outcome = NULL;
    json_int_t code = 0, count = 0, version = 0, position = 0;

    bool out_of_memory = false;
    outcome = esk__json_loads(record->value, 0, NULL, &out_of_memory);
    if (out_of_memory) {
        rc = esk_context_fail(context, ESK_ENOMEM, 0,
                              "out of memory reading the outcome of command "
                              "'%s'",
                              command->id);
        goto done;
    }
    const char *type = get_string(outcome, "type");
    const char *message = get_string(outcome, "message");
    if (type == NULL || message == NULL ||
        !get_integer(outcome, "domainCode", &code) ||
        !get_integer(outcome, "eventCount", &count) ||
        !get_integer(outcome, "version", &version) ||
        !get_integer(outcome, "position", &position) ||
        (record->tag != ESK_OK && record->tag != ESK_EDOMAIN) || count < 0 ||
        code < INT_MIN || code > INT_MAX) {
        rc = esk_context_fail(context, ESK_ECORRUPT, 0,
                              "the recorded outcome of command '%s' is not "
                              "one esk wrote: %.100s",
                              command->id, record->value);
        goto done;
    }
    rc = check_same_command(context, outcome, type);
    if (rc != ESK_OK)
        goto done;
    rc = (esk_status)record->tag;
    if (rc == ESK_EDOMAIN)
        esk_domain_error((int)code, "%s", message);
    else
        esk__ok();
    result->event_count = (size_t)count;
    result->version = (int64_t)version;
    result->position = (int64_t)position;
    result->duplicate = true;
done:
    json_decref(outcome);
    return rc;
}

/* Roll back the transaction this middleware began, after a failure whose
 * message stays the caller's. */
static void undo_own_unit(esk_store *store)
{
    esk__store_undo_to(store, esk_store_transaction_depth(store) - 1);
}

/* Record the outcome and commit, with the handler's events. The last
 * error holds the outcome's reason (a refusal's), kept when all goes
 * well. */
static esk_status record_outcome(esk_context *context, esk_status outcome)
{
    esk_store *store = esk_context_store(context);
    const esk_command *command = esk_context_command(context);
    esk_command_result *result = esk_context_result(context);
    char *value = encode_outcome(command, result, outcome);
    esk_status rc = ESK_OK;

    if (value == NULL) {
        undo_own_unit(store);
        rc = esk__fail(ESK_ENOMEM,
                       "out of memory recording the outcome of command '%s'",
                       command->id);
    } else {
        esk_record record = {command->id, result->position, (int)outcome,
                             value};
        /* JSON by construction: see encode_outcome(). */
        rc = esk__store_put_own_record(store, ESK_RECORD_COMMAND, &record);
        bool committing = rc == ESK_OK;
        if (committing) /* a failed commit rolls back */
            rc = esk__store_commit(store);
        if (rc != ESK_OK)
            esk__fail_within(rc,
                             "the outcome of command '%s' could not be "
                             "recorded, so nothing of it was written",
                             command->id);
        if (rc != ESK_OK && !committing)
            undo_own_unit(store);
    }
    esk__free(value);
    /* The last error is the outcome's reason, which the quiet calls above
     * left alone, or the failure to record it. */
    if (rc != ESK_OK)
        *result = (esk_command_result){.attempts = result->attempts};
    return rc == ESK_OK ? outcome : rc;
}

static esk_status idempotency_around(void *data, esk_context *context)
{
    (void)data;
    esk_store *store = esk_context_store(context);
    const esk_command *command = esk_context_command(context);
    esk_record record;
    char *owned = NULL;

    esk_status rc = esk__store_begin(store);
    if (rc != ESK_OK)
        return esk__fail_within(rc,
                                "checking whether command '%s' was handled "
                                "before",
                                command->id);
    rc = esk__store_find_record(store, ESK_RECORD_COMMAND, command->id, &record,
                                &owned);
    if (rc == ESK_OK) {
        rc = answer_from_record(context, &record);
        esk_free(owned);
        esk_status rolled_back = esk__store_rollback(store);
        if (rolled_back != ESK_OK)
            return esk__fail_within(
                rolled_back, "ending the look-up of command '%s'", command->id);
        return rc;
    }
    if (rc != ESK_ENOTFOUND) {
        esk__fail_within(rc, "checking whether command '%s' was handled before",
                         command->id);
        undo_own_unit(store);
        return rc;
    }
    rc = esk_next(context);
    if (rc != ESK_OK && rc != ESK_EDOMAIN) {
        /* Technical failures are not outcomes: the command may be sent
         * again, so nothing of this run may stay. */
        undo_own_unit(store);
        esk_command_result *result = esk_context_result(context);
        result->event_count = 0;
        result->version = 0;
        result->position = 0;
        return rc;
    }
    return record_outcome(context, rc);
}

esk_middleware esk_idempotency_middleware(void)
{
    return (esk_middleware){"idempotency", NULL, idempotency_around, NULL};
}
