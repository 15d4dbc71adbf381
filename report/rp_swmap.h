/* rp_swmap: what track-report knows about software before it asks the
 * database: the site's rules file (config `software_map`) and the reverse
 * map Lmod's spider writes for XALT (config `lmod_reverse_map`), both read
 * into one list of entries that rp_swload.c hands to the server
 * (docs/software.md). Nothing here talks to MariaDB.
 *
 * Both inputs are treated as untrusted: every size is bounded and every
 * error is one line naming the file (and line, for the rules). */
#ifndef TRACK_RP_SWMAP_H
#define TRACK_RP_SWMAP_H

#include <stddef.h>

#define RP_SW_FILE_MAX (64u * 1024 * 1024) /* bytes of a rules file or reverse map */
#define RP_SW_ENTRIES_MAX 1000000          /* entries of one file */
#define RP_SW_PATH_MAX 4095                /* a prefix, as track_object.path */
#define RP_SW_NAME_MAX 255                 /* package, version, module, exe pattern */

enum rp_sw_kind {
    RP_SW_PREFIX = 1, /* key: a directory (or file) path, no trailing '/' */
    RP_SW_EXE = 2,    /* key: a glob (* and ?) on an executable's file name */
};

/* Where an entry came from; a larger value wins (rules over Lmod). */
enum rp_sw_src { RP_SW_LMOD = 1, RP_SW_RULE = 2 };

struct rp_sw_entry {
    int kind;        /* enum rp_sw_kind */
    int src;         /* enum rp_sw_src */
    char *key;       /* keylen bytes, NUL-terminated too */
    size_t keylen;
    char *package;   /* NUL-terminated, never empty */
    char *version;   /* NUL-terminated, NULL = no version */
    char *module;    /* Lmod: the module as LOADEDMODULES names it (the map's
                      * value without a "(flavor)" suffix); rules: NULL */
    int line;        /* rules: line in the file; Lmod: 0 */
};

/* A growing list of entries; all memory belongs to the map. Zero it (or use
 * RP_SWMAP_INIT) before the first load; loads append. */
struct rp_swmap {
    struct rp_sw_entry *e;
    size_t n, cap;
};
#define RP_SWMAP_INIT { NULL, 0, 0 }

/* Splits a module or target name into package and version at the last '/'
 * before an optional Lmod flavor suffix "(...)": "fftw/3.3.10" -> "fftw",
 * "3.3.10"; "openblas/0.3(gcc/12)" -> "openblas", "0.3(gcc/12)";
 * "apps/gromacs/2023" -> "apps/gromacs", "2023"; "matlab" -> "matlab", no
 * version. Sets *pkglen (bytes of s that are the package) and *ver (NULL
 * when there is no version; else a pointer into s, running to s + n).
 * Also sets *baselen, when non-NULL: the length without the flavor
 * ("openblas/0.3"). Never fails. */
void rp_sw_split(const char *s, size_t n, size_t *pkglen, const char **ver, size_t *baselen);

/* Parses a rules file's text (len bytes; need not be NUL-terminated) and
 * appends its entries to map. name is the file name for messages. Returns
 * 0, or -1 with "NAME:LINE: reason" (or "NAME: reason") in err; on failure
 * the map holds what it held before. Format: docs/software.md. */
int rp_swrules_parse(const char *name, const char *buf, size_t len, struct rp_swmap *map,
                     char *err, size_t errlen);

/* Parses the JSON Lmod's spider writes with `-o xalt_rmapT` (values are
 * module names) or `-o jsonReverseMapT` (values are objects with "pkg") and
 * appends one RP_SW_PREFIX entry per directory of "reverseMapT". Returns 0,
 * or -1 with "NAME: reason" in err (map unchanged). */
int rp_swlmod_parse(const char *name, const char *buf, size_t len, struct rp_swmap *map,
                    char *err, size_t errlen);

/* Reads the file at path (a regular file, at most RP_SW_FILE_MAX bytes,
 * symlinks to it allowed: these are admin files, not user files) and
 * parses it with rp_swrules_parse (lmod = 0) or rp_swlmod_parse (lmod = 1).
 * 0, or -1 with a reason naming the file in err. */
int rp_swmap_load(const char *path, int lmod, struct rp_swmap *map, char *err, size_t errlen);

/* Appends an entry made of copies of its parts: key (keylen bytes) and
 * target, a "NAME[/VERSION]" or an Lmod module with a flavor (split with
 * rp_sw_split; for RP_SW_LMOD the module is kept too). For the parsers in
 * rp_swrules.c and rp_swlmod.c. 0, or -1 with errno ENOMEM, or ERANGE when
 * the map is full. */
int rp_swmap_add(struct rp_swmap *map, int kind, int src, const char *key, size_t keylen,
                 const char *target, size_t tlen, int line);

/* Frees everything the map owns and zeroes it. */
void rp_swmap_free(struct rp_swmap *map);

/* Frees the entries appended after the first `keep` and forgets them (a
 * parse that failed leaves the map as it was). Never fails. */
void rp_swmap_truncate(struct rp_swmap *map, size_t keep);

#endif
