/*
 * web/http.h - a small HTTP server for the kit's local web pages (the
 * trainer's room, the explorer), on GNU libmicrohttpd.
 *
 * What it is for: a page on the machine in front of the learner or the
 * projector, and the reports of a room of attendees on the same network.
 * It listens on 127.0.0.1 unless told another address, answers from one
 * thread of its own (handlers never run at the same time, so the state
 * they share needs no lock), and routes each request by method and exact
 * path (or path prefix) to a handler. Nothing from a request reaches the
 * file system here: pages are compiled-in assets (esk_web_asset).
 *
 * Life cycle: esk_web_start() returns a running server; esk_web_stop()
 * stops it and frees it, waiting for the handler that runs, if any.
 *
 * Errors follow esk's convention (esk/error.h): a status, and the
 * message in the calling thread's last error.
 */
#ifndef ESK_WEB_HTTP_H
#define ESK_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <esk/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct esk_web esk_web;
typedef struct esk_web_response esk_web_response;

/** One request, as a handler sees it. Everything in it is borrowed and
 *  valid during the handler's call only. */
typedef struct esk_web_request {
    const char *method; /**< "GET", "POST"... */
    const char *path;   /**< the path, without the query: "/api/report" */
    /** The body, NUL-terminated (body[body_size] == '\0'), "" when none.
     *  It holds at most the server's max_body bytes: a longer body never
     *  reaches a handler (the server answers 413). */
    const char *body;
    size_t body_size;
    /** The client's address as text ("127.0.0.1"), "" when unknown. */
    const char *client;
    void *internal_; /**< the server's; do not touch */
} esk_web_request;

/**
 * A query argument ("name" in "/x?name=ada"), decoded; NULL when absent.
 * Borrowed, valid during the handler's call.
 */
const char *esk_web_query(const esk_web_request *request, const char *key);

/** A request header, by case-insensitive name; NULL when absent. Borrowed,
 *  valid during the handler's call. */
const char *esk_web_header(const esk_web_request *request, const char *name);

/**
 * A route's handler: answer through one of the esk_web_reply_* calls.
 * A handler that answers nothing (or whose reply call failed) gets a 500
 * JSON error sent for it.
 */
typedef void esk_web_handler(void *ctx, const esk_web_request *request,
                             esk_web_response *response);

typedef struct esk_web_route {
    const char *method; /**< "GET", "POST"...; exact */
    /** The path: exact, or, when prefix is true, any path that starts
     *  with it. The first matching route of the table wins. */
    const char *path;
    bool prefix;
    esk_web_handler *handler;
    void *ctx; /**< passed to handler */
} esk_web_route;

/**
 * Called before each request's handler, after its body was read; false
 * refuses it with 429 Too Many Requests (a rate limit of the whole
 * server, by client address for example; see esk_web_rate).
 */
typedef bool esk_web_admit_fn(void *ctx, const esk_web_request *request);

#define ESK_WEB_OPTIONS_VERSION 1

typedef struct esk_web_options {
    int version; /**< ESK_WEB_OPTIONS_VERSION */
    /** The IPv4 address to listen on, as text; NULL is "127.0.0.1"
     *  (loopback only: other machines cannot connect). */
    const char *address;
    /** The port; 0 lets the system pick a free one (esk_web_port()). */
    uint16_t port;
    /** The routes; borrowed, must outlive the server. */
    const esk_web_route *routes;
    size_t route_count;
    /** The largest body accepted, in bytes (1 or more); a longer one is
     *  answered 413 without calling a handler. */
    size_t max_body;
    /** Optional admission hook (NULL: every request is admitted). */
    esk_web_admit_fn *admit;
    void *admit_ctx;
} esk_web_options;

/* clang-format off */
#define ESK_WEB_OPTIONS_INIT {ESK_WEB_OPTIONS_VERSION, NULL, 0, NULL, 0, 65536, NULL, NULL}
/* clang-format on */

/**
 * Start a server: it listens at once, and answers from a thread of its
 * own until esk_web_stop().
 *
 * An unknown path is answered 404, a known path with another method 405,
 * both as JSON errors ({"error": "..."}).
 *
 * @param out     receives the server, owned by the caller (esk_web_stop);
 *                untouched on failure.
 * @param options required; copied (routes are borrowed).
 * @return ESK_OK; ESK_EINVAL (NULL, a wrong version, no routes, a route
 *         without method, path or handler, max_body 0, an address that
 *         is not IPv4); ESK_EIO (the port cannot be bound: in use, or
 *         not allowed; the message names it); ESK_ENOMEM.
 */
esk_status esk_web_start(esk_web **out, const esk_web_options *options);

/** The port the server listens on (the one picked when asked for 0);
 *  0 for NULL. */
uint16_t esk_web_port(const esk_web *web);

/** Stop the server (waits for a running handler) and free it. NULL is a
 *  no-op. */
void esk_web_stop(esk_web *web);

/**
 * Answer with a body, copied.
 *
 * @param status       the HTTP status (100 to 599).
 * @param content_type required, e.g. "text/plain; charset=utf-8".
 * @param body         size bytes; may be NULL when size is 0.
 * @return ESK_OK; ESK_EINVAL (NULL response or content type, a status out
 *         of range, NULL body with size > 0, already answered);
 *         ESK_ENOMEM.
 */
esk_status esk_web_reply(esk_web_response *response, unsigned status,
                         const char *content_type, const void *body,
                         size_t size);

/**
 * Answer with JSON (application/json). Takes over the reference to body
 * (decref'd here, also on failure), so that
 * esk_web_reply_json(res, 200, json_pack(...)) leaks nothing.
 *
 * @return ESK_OK; ESK_EINVAL (NULL response or body, a status out of
 *         range, already answered); ESK_ENOMEM.
 */
esk_status esk_web_reply_json(esk_web_response *response, unsigned status,
                              json_t *body);

/**
 * Answer with a JSON error, {"error": "<message>"}, from a printf-style
 * message in the client's terms ("the join code is wrong").
 *
 * @return as esk_web_reply_json().
 */
esk_status esk_web_reply_error(esk_web_response *response, unsigned status,
                               const char *format, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** A file of a page, compiled into the program. */
typedef struct esk_web_asset {
    const char *path;         /**< the URL path it is served at: "/room.js" */
    const char *content_type; /**< "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t size;
} esk_web_asset;

/**
 * The asset of a table whose path is exactly path; NULL when none. Only
 * an exact match counts: "/../x" or "/room.js/" find nothing.
 */
const esk_web_asset *esk_web_asset_find(const esk_web_asset *assets,
                                        size_t count, const char *path);

/**
 * Answer 200 with an asset (not copied: it must outlive the server, as
 * compiled-in data does).
 *
 * @return ESK_OK; ESK_EINVAL (NULL, already answered); ESK_ENOMEM.
 */
esk_status esk_web_reply_asset(esk_web_response *response,
                               const esk_web_asset *asset);

#ifdef __cplusplus
}
#endif

#endif
