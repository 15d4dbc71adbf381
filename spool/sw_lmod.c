/* Lmod's reverse map (spider -o xalt_rmapT / jsonReverseMapT), read with
 * yajl's event parser (see sw_map.h). The event parser keeps its own
 * bounded state: no tree, so a hostile file cannot make us recurse (yajl's
 * tree free does) or hold every value in memory twice. */
#include "sw_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "spool_err.h"

#define DEPTH_MAX 64

/* Where the parser is: the root object (depth 1), the reverseMapT object
 * (depth 2), the object of one directory in the jsonReverseMapT form
 * (depth 3); everything else is skipped by depth alone. */
struct lm {
    struct sw_map *map;
    int depth;
    int in_rmap;         /* depth 2 is reverseMapT's object */
    int key_rmap;        /* the last root key was "reverseMapT" */
    int seen_rmap;
    int key_pkg;         /* in a directory's object, the last key was "pkg" */
    char *dir;           /* the current reverseMapT key */
    size_t dirlen;
    char *pkg;           /* jsonReverseMapT: the directory's "pkg" */
    size_t pkglen;
    char why[256];
};

/* why = before 'S' after, S shown escaped and cut to 60 bytes. Returns 0
 * (yajl: stop). */
static int fail(struct lm *l, const char *before, const char *s, size_t n, const char *after)
{
    char shown[96];
    size_t k = n > 60 ? 60 : n, j = 0;
    for (size_t i = 0; i < k && j + 5 < sizeof shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            j += (size_t)snprintf(shown + j, sizeof shown - j, "\\x%02x", c);
        else
            shown[j++] = (char)c;
    }
    shown[j] = '\0';
    snprintf(l->why, sizeof l->why, "%s'%s%s'%s", before, shown, n > 60 ? "..." : "", after);
    return 0;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* One directory -> module. Directories are stored without a trailing '/';
 * Lmod writes absolute paths, anything else is refused. */
static int add_dir(struct lm *l, const char *mod, size_t modlen)
{
    size_t n = l->dirlen;
    if (n == 0 || l->dir[0] != '/')
        return fail(l, "reverseMapT: key ", l->dir, n, " is not an absolute path");
    while (n > 1 && l->dir[n - 1] == '/')
        n--;
    if (n > SW_PATH_MAX)
        return fail(l, "reverseMapT: directory ", l->dir, n, " longer than 4095 bytes");
    if (modlen == 0 || modlen > SW_NAME_MAX || memchr(mod, '\0', modlen))
        return fail(l, "reverseMapT: directory ", l->dir, n,
                    " has an empty, too long or NUL-holding module name");
    if (n == 1)
        return 1; /* "/" would claim every path: never what a modulefile meant */
    if (sw_map_add(l->map, SW_PREFIX, SW_LMOD, l->dir, n, mod, modlen, 0) < 0) {
        snprintf(l->why, sizeof l->why, "%s", errno == ERANGE ? "too many directories"
                                                              : strerror(errno));
        return 0;
    }
    if (l->map->n > 4 * (size_t)SW_ENTRIES_MAX)
        return fail(l, "too many directories (last ", l->dir, n, ")");
    return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    struct lm *l = ctx;
    const char *c = (const char *)s;
    if (l->in_rmap && l->depth == 2)
        return add_dir(l, c, n);
    if (l->in_rmap && l->depth == 3 && l->key_pkg) {
        free(l->pkg);
        l->pkg = dupn(c, n);
        l->pkglen = n;
        if (!l->pkg) {
            snprintf(l->why, sizeof l->why, "out of memory");
            return 0;
        }
    }
    return 1;
}

static int on_scalar(void *ctx)
{
    struct lm *l = ctx;
    if (l->in_rmap && l->depth == 2)
        return fail(l, "reverseMapT: directory ", l->dir, l->dirlen,
                    " maps to neither a module name nor an object with \"pkg\"");
    return 1;
}
static int on_null(void *ctx) { return on_scalar(ctx); }
static int on_bool(void *ctx, int b) { (void)b; return on_scalar(ctx); }
static int on_number(void *ctx, const char *s, size_t n) { (void)s; (void)n; return on_scalar(ctx); }

static int open_any(struct lm *l, int is_map)
{
    if (l->depth == 0 && !is_map) {
        snprintf(l->why, sizeof l->why, "not a JSON object (expected spider's xalt_rmapT output)");
        return 0;
    }
    if (l->depth >= DEPTH_MAX) {
        snprintf(l->why, sizeof l->why, "nested deeper than %d", DEPTH_MAX);
        return 0;
    }
    if (l->depth == 1 && l->key_rmap) {
        /* an empty tree gives "reverseMapT":[] */
        l->seen_rmap = 1;
        l->in_rmap = is_map;
        l->key_rmap = 0;
    } else if (l->in_rmap && l->depth == 2) {
        if (!is_map)
            return fail(l, "reverseMapT: directory ", l->dir, l->dirlen, " maps to an array");
        free(l->pkg);
        l->pkg = NULL;
    }
    l->depth++;
    return 1;
}
static int on_start_map(void *ctx) { return open_any(ctx, 1); }
static int on_start_array(void *ctx) { return open_any(ctx, 0); }

static int close_any(void *ctx)
{
    struct lm *l = ctx;
    l->depth--;
    if (l->in_rmap && l->depth == 2) {
        if (!l->pkg)
            return fail(l, "reverseMapT: directory ", l->dir, l->dirlen, " has no \"pkg\"");
        return add_dir(l, l->pkg, l->pkglen);
    }
    if (l->depth == 1)
        l->in_rmap = 0;
    return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    struct lm *l = ctx;
    if (l->depth == 1)
        l->key_rmap = n == 11 && memcmp(s, "reverseMapT", 11) == 0;
    else if (l->in_rmap && l->depth == 2) {
        free(l->dir);
        l->dir = dupn((const char *)s, n);
        l->dirlen = n;
        if (!l->dir) {
            snprintf(l->why, sizeof l->why, "out of memory");
            return 0;
        }
        if (memchr(s, '\0', n))
            return fail(l, "reverseMapT: key ", l->dir, n, " holds a NUL");
    } else if (l->in_rmap && l->depth == 3)
        l->key_pkg = n == 3 && memcmp(s, "pkg", 3) == 0;
    return 1;
}

static const yajl_callbacks callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string,
    on_start_map, on_key, close_any, on_start_array, close_any,
};

int sw_lmod_parse(const char *name, const char *buf, size_t len, struct sw_map *map,
                    char *err, size_t errlen)
{
    struct lm l;
    size_t keep = map->n;
    yajl_handle h;
    int rc = -1;
    memset(&l, 0, sizeof l);
    l.map = map;
    if (len > SW_FILE_MAX) {
        spool_seterr(err, errlen, "%s: larger than %u bytes", name, SW_FILE_MAX);
        return -1;
    }
    h = yajl_alloc(&callbacks, NULL, &l);
    if (!h) {
        spool_seterr(err, errlen, "%s: out of memory", name);
        return -1;
    }
    if (yajl_parse(h, (const unsigned char *)buf, len) != yajl_status_ok ||
        yajl_complete_parse(h) != yajl_status_ok) {
        if (l.why[0])
            spool_seterr(err, errlen, "%s: %s", name, l.why);
        else {
            unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)buf, len);
            size_t ml = m ? strlen((char *)m) : 0;
            /* yajl ends its message with a newline: keep the error one line */
            for (size_t i = 0; i < ml; i++)
                if (m[i] < 0x20)
                    m[i] = ' ';
            while (ml && m[ml - 1] == ' ')
                m[--ml] = '\0';
            spool_seterr(err, errlen, "%s: not valid JSON: %s", name, m ? (char *)m : "?");
            if (m)
                yajl_free_error(h, m);
        }
        goto out;
    }
    if (!l.seen_rmap) {
        spool_seterr(err, errlen, "%s: no \"reverseMapT\" (expected the output of Lmod's "
                     "spider -o xalt_rmapT)", name);
        goto out;
    }
    rc = 0;
out:
    if (rc < 0)
        sw_map_truncate(map, keep);
    free(l.dir);
    free(l.pkg);
    yajl_free(h);
    return rc;
}
