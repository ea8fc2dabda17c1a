/*
 * support.h - what the provided files share beyond store.h: the columns
 * of a row of events, and reading one as text.
 */
#ifndef SUPPORT_H
#define SUPPORT_H

#include "store.h"

/* The columns of EVENT_COLUMNS, by index. */
enum {
    COL_POSITION,
    COL_EVENT_ID,
    COL_STREAM_ID,
    COL_VERSION,
    COL_TYPE,
    COL_SCHEMA_VERSION,
    COL_DATA,
    COL_METADATA,
    COL_RECORDED_AT
};

const char *column_text(sqlite3_stmt *stmt, int column);

#endif
