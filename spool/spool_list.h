/* spool_list: comma-separated glob lists from the config (include, exclude,
 * env, system_prefixes).
 *
 * A list is compiled once (spool_globs_compile) and matched many times:
 * libtrack checks every environment variable of every process against the
 * env allow-list, so items without glob characters are compared directly
 * and "PREFIX*" items by prefix; only other items go to fnmatch. */
#ifndef TRACK_SPOOL_LIST_H
#define TRACK_SPOOL_LIST_H

#include <stddef.h>

#include "spool_config.h"

#define SPOOL_GLOBS_MAX 64      /* items beyond this are ignored */

enum spool_glob_kind { SPOOL_GLOB_EXACT, SPOOL_GLOB_PREFIX, SPOOL_GLOB_FULL };

/* The items stay in the list's own bytes (no copy): libtrack keeps its
 * three compiled lists in static storage, where every page they span costs
 * a page fault in every tracked process (docs/performance.md). */
struct spool_globs {
    unsigned n;
    const char *base;   /* the compiled list; items at base + off */
    struct { unsigned short off, len; unsigned char kind; } item[SPOOL_GLOBS_MAX];
};

/* Splits list into trimmed, non-empty items, in place: each kept item is
 * NUL-terminated where it ends (on its comma or trailing blank), so list
 * is modified and must outlive g. NULL is the empty list. Does not
 * allocate. Returns the number of items kept (items over 1023 bytes,
 * beyond SPOOL_GLOBS_MAX or starting past 65535 bytes are dropped: they
 * never match). */
unsigned spool_globs_compile(struct spool_globs *g, char *list);

/* Returns 1 if the n bytes at s match an item, else 0. fnm_flags go to
 * fnmatch for items with glob characters: pass 0 for paths so that a
 * trailing star covers everything below a directory. Does not allocate;
 * strings over 4095 bytes only match exact and prefix items. */
int spool_globs_match(const struct spool_globs *g, const char *s, size_t n, int fnm_flags);

/* One-shot forms (compile + match) for the tools. */
int spool_list_match(const char *list, const char *s, int fnm_flags);

/* For an environment entry "NAME=value": 1 if NAME (the bytes before the
 * first '=') matches a glob of the list, else 0. */
int spool_list_match_env(const char *list, const char *entry);

/* Returns 1 if `path` starts with one of the comma-separated prefixes of
 * `list` at a path-component boundary ("/usr" covers "/usr/bin/x", not
 * "/usrx"). */
int spool_list_prefix(const char *list, const char *path);

#endif
