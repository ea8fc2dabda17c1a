/*
 * runner/explore_target.h - what ./kata explore hands to kata-explore: a
 * file, read from the folder ./kata was called from, or a PostgreSQL
 * connection string, handed on as it was typed.
 */
#ifndef KATA_EXPLORE_TARGET_H
#define KATA_EXPLORE_TARGET_H

#include <stdbool.h>

/* Whether given is a libpq connection string rather than a file: a URI
 * (postgres://, postgresql://) or keyword=value pairs (it holds '=' and
 * does not start with '/' or "./"). The same rule as kata-explore's
 * (esk_explore_is_conninfo in web/explore.h). */
bool kata_explore_is_conninfo(const char *given);

/* The argument for kata-explore, a new string: a connection string
 * untouched, an absolute path as it is, a relative one joined to caller
 * (the folder ./kata was called from). */
char *kata_explore_target(const char *caller, const char *given);

#endif
