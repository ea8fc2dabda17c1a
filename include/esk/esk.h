/*
 * esk/esk.h - every public header of esk in one include.
 *
 *   #include <esk/esk.h>
 *
 * Each module's header opens with an overview of the module; start with
 * store.h (the event store), then aggregate.h or decider.h (the write
 * side), command_bus.h, projection.h and process.h. testing.h is not here:
 * it needs cmocka and belongs in test programs only.
 */
#ifndef ESK_ESK_H
#define ESK_ESK_H

#include "aggregate.h"
#include "codec.h"
#include "command_bus.h"
#include "decider.h"
#include "error.h"
#include "event.h"
#include "process.h"
#include "projection.h"
#include "query.h"
#include "record.h"
#include "status.h"
#include "store.h"
#include "store_backend.h"
#include "upcast.h"

#endif
