/* The map both software inputs fill: entries, their names split into
 * package and version (see sw_map.h). */
#include "sw_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sw_split(const char *s, size_t n, size_t *pkglen, const char **ver, size_t *baselen)
{
    size_t base = n, slash;
    const char *paren = n ? memchr(s, '(', n) : NULL;
    /* Lmod writes a hierarchy's flavor as a suffix: "openblas/0.3(gcc/12)" */
    if (paren && paren > s && s[n - 1] == ')')
        base = (size_t)(paren - s);
    if (baselen)
        *baselen = base;
    for (slash = base; slash > 0 && s[slash - 1] != '/'; slash--)
        ;
    if (slash > 1 && slash < base) {
        *pkglen = slash - 1;
        *ver = s + slash;
    } else {
        *pkglen = n;
        *ver = NULL;
    }
}

void sw_map_free(struct sw_map *map)
{
    for (size_t i = 0; i < map->n; i++) {
        free(map->e[i].key);
        free(map->e[i].package);
        free(map->e[i].version);
        free(map->e[i].module);
    }
    free(map->e);
    memset(map, 0, sizeof *map);
}

void sw_map_truncate(struct sw_map *map, size_t keep)
{
    for (size_t i = keep; i < map->n; i++) {
        free(map->e[i].key);
        free(map->e[i].package);
        free(map->e[i].version);
        free(map->e[i].module);
    }
    map->n = keep;
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

int sw_map_add(struct sw_map *map, int kind, int src, const char *key, size_t keylen,
                 const char *target, size_t tlen, int line)
{
    struct sw_entry *e;
    const char *ver;
    size_t pkglen, baselen;
    if (map->n >= map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 64;
        struct sw_entry *ne;
        if (map->n >= 4 * (size_t)SW_ENTRIES_MAX) {
            errno = ERANGE;
            return -1;
        }
        ne = realloc(map->e, cap * sizeof *ne);
        if (!ne)
            return -1;
        map->e = ne;
        map->cap = cap;
    }
    e = &map->e[map->n];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->src = src;
    e->line = line;
    e->keylen = keylen;
    sw_split(target, tlen, &pkglen, &ver, &baselen);
    e->key = dupn(key, keylen);
    e->package = dupn(target, pkglen);
    if (ver)
        e->version = dupn(ver, tlen - (size_t)(ver - target));
    if (src == SW_LMOD)
        e->module = dupn(target, baselen);
    if (!e->key || !e->package || (ver && !e->version) || (src == SW_LMOD && !e->module)) {
        free(e->key);
        free(e->package);
        free(e->version);
        free(e->module);
        errno = ENOMEM;
        return -1;
    }
    map->n++;
    return 0;
}

char *sw_like(const char *glob, size_t n, size_t *outlen)
{
    char *out = malloc(2 * n + 1), *p = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = glob[i];
        if (c == '|' || c == '%' || c == '_') {
            *p++ = '|';
            *p++ = c;
        } else
            *p++ = c == '*' ? '%' : c == '?' ? '_' : c;
    }
    *p = '\0';
    *outlen = (size_t)(p - out);
    return out;
}
