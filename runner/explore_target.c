/*
 * runner/explore_target.c - a FILE or a CONNINFO for ./kata explore.
 *
 * ./kata moves to the kit's root before the runner starts, so a relative
 * FILE must be read from where the learner typed it; a connection string
 * is no path, and joining it to a folder would make it one.
 */
#include <string.h>

#include "explore_target.h"
#include "fs.h"
#include "text.h"

bool kata_explore_is_conninfo(const char *given)
{
    if (given == NULL)
        return false;
    if (strncmp(given, "postgres://", 11) == 0 ||
        strncmp(given, "postgresql://", 13) == 0)
        return true;
    return strchr(given, '=') != NULL && strncmp(given, "./", 2) != 0 &&
           given[0] != '/';
}

char *kata_explore_target(const char *caller, const char *given)
{
    if (given[0] == '/' || kata_explore_is_conninfo(given))
        return kata_xstrdup(given);
    return kata_path(caller, given);
}
