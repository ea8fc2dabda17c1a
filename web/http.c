/*
 * web/http.c - the server of web/http.h: libmicrohttpd's daemon, the
 * body of each request read up to a limit, and the route table.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include <esk/error.h>

#include "http_internal.h"

struct esk_web {
    struct MHD_Daemon *daemon;
    esk_web_options options;
    uint16_t port;
};

/* What one request gathers between libmicrohttpd's calls. */
typedef struct web_call {
    char *body;
    size_t size;
    bool too_large;
} web_call;

const char *esk_web_query(const esk_web_request *request, const char *key)
{
    if (request == NULL || request->internal_ == NULL || key == NULL)
        return NULL;
    return MHD_lookup_connection_value(request->internal_,
                                       MHD_GET_ARGUMENT_KIND, key);
}

const char *esk_web_header(const esk_web_request *request, const char *name)
{
    if (request == NULL || request->internal_ == NULL || name == NULL)
        return NULL;
    return MHD_lookup_connection_value(request->internal_, MHD_HEADER_KIND,
                                       name);
}

/* Headers every answer carries: the pages run no inline script, so a
 * name that slipped through unescaped still could not run. */
static void add_safety_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'");
}

static enum MHD_Result send_response(struct MHD_Connection *conn,
                                     const esk_web_response *response)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        response->size, (void *)response->body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", response->content_type);
    add_safety_headers(r);
    enum MHD_Result rc = MHD_queue_response(conn, response->status, r);
    MHD_destroy_response(r);
    return rc;
}

/* An answer the server gives itself (404, 413...). */
static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status,
                                  const char *message)
{
    esk_web_response response = {0};
    enum MHD_Result rc = MHD_NO;
    if (esk_web_reply_error(&response, status, "%s", message) == ESK_OK)
        rc = send_response(conn, &response);
    esk__web_response_clear(&response);
    return rc;
}

static bool path_matches(const esk_web_route *route, const char *path)
{
    if (route->prefix)
        return strncmp(path, route->path, strlen(route->path)) == 0;
    return strcmp(path, route->path) == 0;
}

/* The route for method and path; *path_known says whether some route
 * has that path with another method (405 rather than 404). */
static const esk_web_route *find_route(const esk_web *web, const char *method,
                                       const char *path, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < web->options.route_count; i++) {
        const esk_web_route *route = &web->options.routes[i];
        if (!path_matches(route, path))
            continue;
        if (strcmp(route->method, method) == 0)
            return route;
        *path_known = true;
    }
    return NULL;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *addr = info->client_addr;
    if (addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, out,
                  (socklen_t)size);
    else if (addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr,
                  out, (socklen_t)size);
}

static enum MHD_Result dispatch(esk_web *web, struct MHD_Connection *conn,
                                const char *path, const char *method,
                                web_call *call)
{
    if (call->too_large)
        return send_error(conn, 413, "the body is too large");
    char client[64];
    client_address(conn, client, sizeof(client));
    esk_web_request request = {method,     path,   call->body ? call->body : "",
                               call->size, client, conn};
    if (web->options.admit != NULL &&
        !web->options.admit(web->options.admit_ctx, &request))
        return send_error(conn, 429, "too many requests: slow down");
    bool path_known = false;
    const esk_web_route *route = find_route(web, method, path, &path_known);
    if (route == NULL)
        return send_error(conn, path_known ? 405 : 404,
                          path_known ? "this method is not allowed here"
                                     : "there is nothing at this path");
    esk_web_response response = {0};
    route->handler(route->ctx, &request, &response);
    enum MHD_Result rc =
        response.answered
            ? send_response(conn, &response)
            : send_error(conn, 500, "the server could not answer this");
    esk__web_response_clear(&response);
    return rc;
}

/* Appends a chunk of the body, or marks the body too large (the rest is
 * read and dropped, so that the answer reaches the client). */
static void gather(const esk_web *web, web_call *call, const char *data,
                   size_t size)
{
    if (call->too_large)
        return;
    if (size > web->options.max_body - call->size) {
        call->too_large = true;
        free(call->body);
        call->body = NULL;
        call->size = 0;
        return;
    }
    char *grown = realloc(call->body, call->size + size + 1);
    if (grown == NULL) {
        call->too_large = true; /* no memory for it is as good as too big */
        return;
    }
    memcpy(grown + call->size, data, size);
    call->size += size;
    grown[call->size] = '\0';
    call->body = grown;
}

/* A Content-Length above the limit is refused before the body is read. */
static bool announced_too_large(const esk_web *web, struct MHD_Connection *conn)
{
    const char *length =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (length == NULL)
        return false;
    char *end = NULL;
    unsigned long long n = strtoull(length, &end, 10);
    return end == length || *end != '\0' || n > web->options.max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **state)
{
    (void)version;
    esk_web *web = cls;
    web_call *call = *state;
    if (call == NULL) {
        call = calloc(1, sizeof(*call));
        if (call == NULL)
            return MHD_NO;
        *state = call;
        if (announced_too_large(web, conn)) {
            call->too_large = true;
            return send_error(conn, 413, "the body is too large");
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        gather(web, call, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(web, conn, url, method, call);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    web_call *call = *state;
    if (call != NULL) {
        free(call->body);
        free(call);
    }
    *state = NULL;
}

static esk_status check_options(const esk_web_options *o)
{
    if (o == NULL)
        return esk_error_set(ESK_EINVAL, "the server options are NULL");
    if (o->version != ESK_WEB_OPTIONS_VERSION)
        return esk_error_set(ESK_EINVAL,
                             "server options of version %d: this build "
                             "knows version %d (ESK_WEB_OPTIONS_INIT)",
                             o->version, ESK_WEB_OPTIONS_VERSION);
    if (o->routes == NULL || o->route_count == 0)
        return esk_error_set(ESK_EINVAL, "the server has no routes");
    for (size_t i = 0; i < o->route_count; i++) {
        const esk_web_route *r = &o->routes[i];
        if (r->method == NULL || r->path == NULL || r->handler == NULL)
            return esk_error_set(ESK_EINVAL,
                                 "route %zu has no method, path or handler", i);
    }
    if (o->max_body == 0)
        return esk_error_set(ESK_EINVAL, "max_body is 0: give the largest "
                                         "body accepted, in bytes");
    return ESK_OK;
}

static esk_status listen_address(const esk_web_options *o,
                                 struct sockaddr_in *addr)
{
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons(o->port);
    const char *text = o->address != NULL ? o->address : "127.0.0.1";
    if (inet_pton(AF_INET, text, &addr->sin_addr) != 1)
        return esk_error_set(ESK_EINVAL,
                             "'%s' is not an IPv4 address such as "
                             "127.0.0.1",
                             text);
    return ESK_OK;
}

esk_status esk_web_start(esk_web **out, const esk_web_options *options)
{
    if (out == NULL)
        return esk_error_set(ESK_EINVAL, "out is NULL");
    esk_status rc = check_options(options);
    struct sockaddr_in addr;
    if (rc == ESK_OK)
        rc = listen_address(options, &addr);
    if (rc != ESK_OK)
        return rc;
    esk_web *web = calloc(1, sizeof(*web));
    if (web == NULL)
        return esk_error_set(ESK_ENOMEM, "out of memory for a server");
    web->options = *options;
    web->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, options->port, NULL, NULL, on_request,
        web, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, web,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256, MHD_OPTION_END);
    if (web->daemon == NULL) {
        free(web);
        return esk_error_set(ESK_EIO,
                             "cannot listen on %s:%u: the port is in use or "
                             "not allowed; pick another one",
                             options->address ? options->address : "127.0.0.1",
                             (unsigned)options->port);
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(web->daemon, MHD_DAEMON_INFO_BIND_PORT);
    web->port = info != NULL ? info->port : options->port;
    *out = web;
    esk_error_clear();
    return ESK_OK;
}

uint16_t esk_web_port(const esk_web *web)
{
    return web != NULL ? web->port : 0;
}

void esk_web_stop(esk_web *web)
{
    if (web == NULL)
        return;
    MHD_stop_daemon(web->daemon);
    free(web);
}
