/*
 * web/explore_server.h - the explorer's page and its JSON API, served on
 * the web layer (web/http.h), on loopback.
 *
 *   GET /                    the page (the store's path written in,
 *                            HTML-escaped)
 *   GET /explore.js, .css    the page's script and style (compiled in)
 *   GET /api/streams         streams by category, with versions
 *   GET /api/stream?id=S     a stream's events
 *   GET /api/feed?after=P&limit=N   a page of the global feed
 *   GET /api/event?id=E      one event (a causation link)
 *   GET /api/correlation?id=C       the events of a correlation id
 *   GET /api/checkpoints     projections and process managers, with lag
 *   GET /api/fold?id=S       a stream's state after each event
 *
 * Answers: 200 with the view (web/explore.h), or {"error": "..."} with
 * 400 (a missing or bad parameter), 404 (no such stream, event or fold),
 * 503 (the file is busy) or 500. Only GET is routed: nothing the page
 * sends can write.
 */
#ifndef ESK_WEB_EXPLORE_SERVER_H
#define ESK_WEB_EXPLORE_SERVER_H

#include <stdint.h>

#include <esk/status.h>

#include "explore.h"

typedef struct esk_explore_server esk_explore_server;

/**
 * Serve an explorer on 127.0.0.1.
 *
 * @param out     receives the server, owned by the caller
 *                (esk_explore_server_stop); untouched on failure.
 * @param explore borrowed: it must outlive the server.
 * @param port    0 lets the system pick one (esk_explore_server_port).
 * @return ESK_OK; ESK_EINVAL (NULL); ESK_EIO (the port cannot be bound);
 *         ESK_ENOMEM.
 */
esk_status esk_explore_server_start(esk_explore_server **out,
                                    esk_explore *explore, uint16_t port);

/** The port it listens on; 0 for NULL. */
uint16_t esk_explore_server_port(const esk_explore_server *server);

/** Stop serving and free the server (not the explorer). NULL is a no-op. */
void esk_explore_server_stop(esk_explore_server *server);

#endif
