/*
 * web/client.c - one HTTP request over a socket (web/client.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* A server that closes early must not kill the client with SIGPIPE:
 * Linux says so per call, macOS per socket (SO_NOSIGPIPE). */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int esk_web_client_parse_url(const char *url, esk_web_client_url *out,
                             char error[ESK_WEB_CLIENT_ERROR_MAX])
{
    const char *scheme = "http://";
    memset(out, 0, sizeof(*out));
    if (url == NULL || strncmp(url, scheme, strlen(scheme)) != 0) {
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                 "the address must start with http:// "
                 "(http://192.168.1.20:8080)");
        return -1;
    }
    const char *host = url + strlen(scheme);
    size_t host_len = strcspn(host, ":/");
    const char *rest = host + host_len;
    size_t port_len = 0;
    if (*rest == ':') {
        rest++;
        port_len = strspn(rest, "0123456789");
    }
    const char *path = rest + port_len;
    if (host_len == 0 || host_len >= sizeof(out->host) ||
        (rest[-1] == ':' && (port_len == 0 || port_len >= sizeof(out->port))) ||
        (*path != '\0' && *path != '/') || strlen(path) >= sizeof(out->path)) {
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                 "'%.100s' is not an address such as http://HOST:PORT", url);
        return -1;
    }
    memcpy(out->host, host, host_len);
    if (port_len > 0)
        memcpy(out->port, rest, port_len);
    else
        strcpy(out->port, "80");
    strcpy(out->path, path);
    size_t n = strlen(out->path);
    while (n > 0 && out->path[n - 1] == '/')
        out->path[--n] = '\0';
    return 0;
}

/* Waits until fd is ready for events, or the deadline; 0 when ready. */
static int wait_for(int fd, short events, long long deadline)
{
    long long left = deadline - now_ms();
    if (left <= 0)
        return -1;
    struct pollfd p = {fd, events, 0};
    int n = poll(&p, 1, (int)left);
    return n == 1 ? 0 : -1;
}

/* A connect that gives up at the deadline (an unreachable address on a
 * LAN would otherwise block for minutes). The socket stays
 * non-blocking: every later read and write waits with poll(). */
static int connect_within(int fd, const struct addrinfo *a, long long deadline)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return -1;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    if (wait_for(fd, POLLOUT, deadline) != 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    int failure = 0;
    socklen_t len = sizeof(failure);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &len) != 0)
        return -1;
    errno = failure;
    return failure == 0 ? 0 : -1;
}

static int connect_to(const char *host, const char *port, long long deadline,
                      char *error)
{
    struct addrinfo hints = {0}, *found = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0) {
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX, "cannot find %s: %s", host,
                 gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = found; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0)
            continue;
#ifdef SO_NOSIGPIPE
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one));
#endif
        if (connect_within(fd, a, deadline) != 0) {
            snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                     "cannot connect to %s:%s: %s", host, port,
                     strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd >= 0 && now_ms() > deadline) {
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX, "%s:%s took too long", host,
                 port);
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *data, size_t size, long long deadline)
{
    while (size > 0) {
        if (wait_for(fd, POLLOUT, deadline) != 0)
            return -1;
        ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Reads until the server closes the connection (the request says
 * "Connection: close"). */
static int read_all(int fd, char **out, size_t *size, long long deadline)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return -1;
    for (;;) {
        if (len + 1024 > cap) {
            char *grown = realloc(buf, cap * 2);
            if (grown == NULL)
                break;
            buf = grown;
            cap *= 2;
        }
        if (wait_for(fd, POLLIN, deadline) != 0)
            break;
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        if (n == 0) {
            buf[len] = '\0';
            *out = buf;
            *size = len;
            return 0;
        }
        len += (size_t)n;
    }
    free(buf);
    return -1;
}

/* Splits a raw answer into status, headers and body (chunked bodies are
 * not expected: the server knows each answer's length). */
static int parse_reply(char *raw, size_t size, esk_web_client_reply *out)
{
    char *end = strstr(raw, "\r\n\r\n");
    int status = 0;
    if (end == NULL || sscanf(raw, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    size_t head = (size_t)(end - raw);
    out->status = status;
    out->headers = malloc(head + 1);
    out->size = size - head - 4;
    out->body = malloc(out->size + 1);
    if (out->headers == NULL || out->body == NULL)
        return -1;
    memcpy(out->headers, raw, head);
    out->headers[head] = '\0';
    memcpy(out->body, end + 4, out->size);
    out->body[out->size] = '\0';
    return 0;
}

int esk_web_client_request(const char *host, const char *port,
                           const char *method, const char *target,
                           const char *headers, const char *body, size_t size,
                           int timeout_ms, esk_web_client_reply *out,
                           char error[ESK_WEB_CLIENT_ERROR_MAX])
{
    memset(out, 0, sizeof(*out));
    long long deadline = now_ms() + timeout_ms;
    int fd = connect_to(host, port, deadline, error);
    if (fd < 0)
        return -1;
    char head[2048];
    int n = snprintf(head, sizeof(head),
                     "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
                     "Content-Length: %zu\r\n%s\r\n",
                     method, target, host, port, size,
                     headers != NULL ? headers : "");
    char *raw = NULL;
    size_t raw_size = 0;
    int rc = -1;
    if (n < 0 || (size_t)n >= sizeof(head))
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX, "the request is too long");
    else if (send_all(fd, head, (size_t)n, deadline) != 0 ||
             (size > 0 && send_all(fd, body, size, deadline) != 0))
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                 "%s:%s did not take the request", host, port);
    else if (read_all(fd, &raw, &raw_size, deadline) != 0)
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                 "%s:%s did not answer in time", host, port);
    else if (parse_reply(raw, raw_size, out) != 0)
        snprintf(error, ESK_WEB_CLIENT_ERROR_MAX,
                 "%s:%s gave an answer that is not HTTP", host, port);
    else
        rc = 0;
    free(raw);
    close(fd);
    return rc;
}

void esk_web_client_reply_free(esk_web_client_reply *reply)
{
    if (reply == NULL)
        return;
    free(reply->headers);
    free(reply->body);
    memset(reply, 0, sizeof(*reply));
}
