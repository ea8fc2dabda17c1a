/*
 * src/aggregate_internal.h - what aggregate.c shares with repository.c.
 */
#ifndef ESK_AGGREGATE_INTERNAL_H
#define ESK_AGGREGATE_INTERNAL_H

#include "esk/aggregate.h"
#include "internal.h"

/* The part of an esk_aggregate that esk keeps to itself: the events
 * raised and not saved. Made on the first raise. */
struct esk__aggregate {
    esk__pending *items;
    size_t count;
    size_t capacity;
};

/* Check that an aggregate type is complete enough to be used: ESK_OK, or
 * ESK_EINVAL saying which member is wrong. The snapshot
 * description is the repository's to check. */
esk_status esk__aggregate_type_check(const esk_aggregate_type *type);
/* esk_aggregate_init() for library code: a success leaves the last error
 * as it was (a load that failed gives back an empty aggregate). */
esk_status esk__aggregate_init(void *state, const esk_aggregate_type *type,
                               const char *id);

#endif
