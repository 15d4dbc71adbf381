/* spool_list: comma-separated glob lists from the config (include, exclude,
 * env, system_prefixes). */
#ifndef TRACK_SPOOL_LIST_H
#define TRACK_SPOOL_LIST_H

#include <stddef.h>

/* Returns 1 if `s` matches any glob of the comma-separated `list` (items are
 * trimmed of blanks; empty items ignored), else 0. fnm_flags go to fnmatch:
 * pass 0 for paths so that "/usr/bin/<star>" covers everything below it.
 * Items longer than 1023 bytes never match. Does not allocate. */
int spool_list_match(const char *list, const char *s, int fnm_flags);

/* For an environment entry "NAME=value": returns 1 if NAME (the bytes before
 * the first '=') matches a glob of the list, else 0. Does not allocate. */
int spool_list_match_env(const char *list, const char *entry);

/* Returns 1 if `path` starts with one of the comma-separated prefixes of
 * `list` at a path-component boundary ("/usr" covers "/usr/bin/x", not
 * "/usrx"). */
int spool_list_prefix(const char *list, const char *path);

#endif
