/*
 * runner/room_send.h - the attendee's side of the trainer's room: the
 * room an attendee joined, and the queue of reports sent to it
 * (room_send.c; the commands are in room_cmd.c).
 */
#ifndef KATA_ROOM_SEND_H
#define KATA_ROOM_SEND_H

#include "kata.h"

typedef struct kata_room {
    char *url;  /* http://HOST:PORT */
    char *code; /* the join code */
} kata_room;

/* The room joined: $KATA_ROOM_URL and $KATA_ROOM_CODE when both are set,
 * else .kata/room.json (./kata join). KATA_OK, or KATA_EFAIL when the
 * learner is in no room (no message). Free it with kata_room_free(). */
kata_status kata_room_config(const kata *k, kata_room *out);
void kata_room_free(kata_room *room);

/* Queues report (a compact JSON line; NULL: nothing new) and posts the
 * queue, unless another runner is posting it already. What went wrong
 * is kept in .kata/room-status for kata_room_notify() to say. */
void kata_room_send(const kata *k, const char *report);

/* The last sending's failure in one line, or NULL when all went; a new
 * string. */
char *kata_room_status(const kata *k);

#endif
