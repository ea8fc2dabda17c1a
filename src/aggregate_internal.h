/*
 * src/aggregate_internal.h - what aggregate.c shares with repository.c.
 */
#ifndef ESK_AGGREGATE_INTERNAL_H
#define ESK_AGGREGATE_INTERNAL_H

#include "esk/aggregate.h"

/* Check that an aggregate type is complete enough to be used: ESK_OK, or
 * ESK_EINVAL saying which member is wrong. The snapshot
 * description is the repository's to check. */
esk_status esk__aggregate_type_check(const esk_aggregate_type *type);

#endif
