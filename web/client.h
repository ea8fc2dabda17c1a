/*
 * web/client.h - a small blocking HTTP/1.1 client for loopback and LAN
 * servers: one request on its own connection, with a deadline.
 *
 * It depends on nothing but POSIX, so that the kata runner (which does
 * not link the library) can send reports to the room with it, and the
 * web layer's tests can talk to the server with the same code. Errors are
 * a negative return and a message in the caller's buffer, like curl's
 * error buffer; it does not touch esk's last error.
 */
#ifndef ESK_WEB_CLIENT_H
#define ESK_WEB_CLIENT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ESK_WEB_CLIENT_ERROR_MAX 256

/** A server's answer. */
typedef struct esk_web_client_reply {
    int status;    /**< 200, 404... */
    char *headers; /**< the header lines, as received */
    char *body;    /**< NUL-terminated; size bytes before the NUL */
    size_t size;
} esk_web_client_reply;

/** A URL of the form http://HOST[:PORT][/PATH], split. */
typedef struct esk_web_client_url {
    char host[256];
    char port[8];   /**< "80" when the URL names none */
    char path[512]; /**< "" or "/room" (no trailing slash) */
} esk_web_client_url;

/**
 * Split url. Returns 0, or -1 when it is not http://HOST[:PORT][/PATH]
 * (https is not spoken), with the reason in error.
 */
int esk_web_client_parse_url(const char *url, esk_web_client_url *out,
                             char error[ESK_WEB_CLIENT_ERROR_MAX]);

/**
 * Send one request and read the whole answer, within timeout_ms.
 *
 * @param host, port   where to connect ("127.0.0.1", "8080").
 * @param method       "GET", "POST"...
 * @param target       the path and query: "/api/report?x=1".
 * @param headers      extra header lines, each ending with "\r\n"; NULL
 *                     for none.
 * @param body, size   the body (NULL/0 for none); sent with its
 *                     Content-Length.
 * @param out          receives the answer; free it with
 *                     esk_web_client_reply_free() (also after a failure).
 * @return 0; -1 when nothing could be sent or no complete answer came
 *         (no server, a timeout, a malformed answer), with the reason in
 *         error.
 */
int esk_web_client_request(const char *host, const char *port,
                           const char *method, const char *target,
                           const char *headers, const char *body, size_t size,
                           int timeout_ms, esk_web_client_reply *out,
                           char error[ESK_WEB_CLIENT_ERROR_MAX]);

/** Free what a reply holds and empty it. NULL is a no-op. */
void esk_web_client_reply_free(esk_web_client_reply *reply);

#ifdef __cplusplus
}
#endif

#endif
