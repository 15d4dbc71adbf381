/* sw_map: what track-report and track-ingest know about software before
 * they ask the database: the site's rules file (config `software_map`) and
 * the reverse map Lmod's spider writes for XALT (config
 * `lmod_reverse_map`), both read into one list of entries that
 * report/rp_swload.c and ingest/ingest_sw.c hand to the server
 * (docs/software.md). Nothing here talks to MariaDB.
 *
 * Both inputs are treated as untrusted: every size is bounded and every
 * error is one line naming the file (and line, for the rules). */
#ifndef TRACK_SW_MAP_H
#define TRACK_SW_MAP_H

#include <stddef.h>

#define SW_FILE_MAX (64u * 1024 * 1024) /* bytes of a rules file or reverse map */
#define SW_ENTRIES_MAX 1000000          /* entries of one file */
#define SW_PATH_MAX 4095                /* a prefix, as track_object.path */
#define SW_NAME_MAX 255                 /* package, version, module, exe pattern */

enum sw_kind {
    SW_PREFIX = 1, /* key: a directory (or file) path, no trailing '/' */
    SW_EXE = 2,    /* key: a glob (* and ?) on an executable's file name */
};

/* Where an entry came from; a larger value wins (rules over Lmod). */
enum sw_src { SW_LMOD = 1, SW_RULE = 2 };

struct sw_entry {
    int kind;        /* enum sw_kind */
    int src;         /* enum sw_src */
    char *key;       /* keylen bytes, NUL-terminated too */
    size_t keylen;
    char *package;   /* NUL-terminated, never empty */
    char *version;   /* NUL-terminated, NULL = no version */
    char *module;    /* Lmod: the module as LOADEDMODULES names it (the map's
                      * value without a "(flavor)" suffix); rules: NULL */
    int line;        /* rules: line in the file; Lmod: 0 */
};

/* A growing list of entries; all memory belongs to the map. Zero it (or use
 * SW_MAP_INIT) before the first load; loads append. */
struct sw_map {
    struct sw_entry *e;
    size_t n, cap;
};
#define SW_MAP_INIT { NULL, 0, 0 }

/* Splits a module or target name into package and version at the last '/'
 * before an optional Lmod flavor suffix "(...)": "fftw/3.3.10" -> "fftw",
 * "3.3.10"; "openblas/0.3(gcc/12)" -> "openblas", "0.3(gcc/12)";
 * "apps/gromacs/2023" -> "apps/gromacs", "2023"; "matlab" -> "matlab", no
 * version. Sets *pkglen (bytes of s that are the package) and *ver (NULL
 * when there is no version; else a pointer into s, running to s + n).
 * Also sets *baselen, when non-NULL: the length without the flavor
 * ("openblas/0.3"). Never fails. */
void sw_split(const char *s, size_t n, size_t *pkglen, const char **ver, size_t *baselen);

/* Parses a rules file's text (len bytes; need not be NUL-terminated) and
 * appends its entries to map. name is the file name for messages. Returns
 * 0, or -1 with "NAME:LINE: reason" (or "NAME: reason") in err; on failure
 * the map holds what it held before. Format: docs/software.md. */
int sw_rules_parse(const char *name, const char *buf, size_t len, struct sw_map *map,
                     char *err, size_t errlen);

/* Parses the JSON Lmod's spider writes with `-o xalt_rmapT` (values are
 * module names) or `-o jsonReverseMapT` (values are objects with "pkg") and
 * appends one SW_PREFIX entry per directory of "reverseMapT". Returns 0,
 * or -1 with "NAME: reason" in err (map unchanged). */
int sw_lmod_parse(const char *name, const char *buf, size_t len, struct sw_map *map,
                    char *err, size_t errlen);

/* Reads the file at path (a regular file, at most SW_FILE_MAX bytes,
 * symlinks to it allowed: these are admin files, not user files) and
 * parses it with sw_rules_parse (lmod = 0) or sw_lmod_parse (lmod = 1).
 * 0, or -1 with a reason naming the file in err. */
int sw_map_load(const char *path, int lmod, struct sw_map *map, char *err, size_t errlen);

/* Appends an entry made of copies of its parts: key (keylen bytes) and
 * target, a "NAME[/VERSION]" or an Lmod module with a flavor (split with
 * sw_split; for SW_LMOD the module is kept too). For the parsers in
 * sw_rules.c and sw_lmod.c. 0, or -1 with errno ENOMEM, or ERANGE when
 * the map is full. */
int sw_map_add(struct sw_map *map, int kind, int src, const char *key, size_t keylen,
                 const char *target, size_t tlen, int line);

/* Glob (* and ?) -> LIKE pattern with '|' as the escape character, into a
 * malloc'd buffer (caller frees) of *outlen bytes. NULL on ENOMEM. Both
 * track-report and track-ingest send the name rules so (the software
 * roll-up's fingerprint compares what they sent). */
char *sw_like(const char *glob, size_t n, size_t *outlen);

/* Frees everything the map owns and zeroes it. */
void sw_map_free(struct sw_map *map);

/* Frees the entries appended after the first `keep` and forgets them (a
 * parse that failed leaves the map as it was). Never fails. */
void sw_map_truncate(struct sw_map *map, size_t keep);

#endif
