/* Comma-separated glob lists. Compiled into a flat struct with no
 * allocation, so libtrack can keep its lists in static storage. */
#include "spool_list.h"

#include <fnmatch.h>
#include <limits.h>
#include <string.h>

#define ITEM_MAX 1024
#define MATCH_MAX 4096

unsigned spool_globs_compile(struct spool_globs *g, char *list)
{
    size_t pos = 0;

    g->n = 0;
    g->base = list;
    while (list && list[pos]) {
        size_t n = strcspn(list + pos, ",");
        /* the next item's start, before a NUL may replace the comma */
        size_t next = pos + n + (list[pos + n] == ',');
        size_t a = pos, b = pos + n;
        while (a < b && (list[a] == ' ' || list[a] == '\t'))
            a++;
        while (b > a && (list[b - 1] == ' ' || list[b - 1] == '\t'))
            b--;
        if (b > a && b - a < ITEM_MAX && g->n < SPOOL_GLOBS_MAX && a <= USHRT_MAX) {
            size_t len = b - a;
            char *item = list + a;
            size_t meta;
            item[len] = '\0';
            meta = strcspn(item, "*?[\\");
            g->item[g->n].off = (unsigned short)a;
            g->item[g->n].len = (unsigned short)len;
            if (meta == len)
                g->item[g->n].kind = SPOOL_GLOB_EXACT;
            else if (meta == len - 1 && item[meta] == '*')
                g->item[g->n].kind = SPOOL_GLOB_PREFIX;
            else
                g->item[g->n].kind = SPOOL_GLOB_FULL;
            g->n++;
        }
        pos = next;
    }
    return g->n;
}

int spool_globs_match(const struct spool_globs *g, const char *s, size_t n, int fnm_flags)
{
    char copy[MATCH_MAX];
    int have_copy = 0;

    for (unsigned i = 0; i < g->n; i++) {
        const char *item = g->base + g->item[i].off;
        size_t len = g->item[i].len;
        switch (g->item[i].kind) {
        case SPOOL_GLOB_EXACT:
            if (n == len && memcmp(s, item, n) == 0)
                return 1;
            break;
        case SPOOL_GLOB_PREFIX:
            /* "/usr/<star>" without FNM_PATHNAME: a star spans '/' too. With
             * FNM_PATHNAME (or FNM_PERIOD) fall back to fnmatch's rules. */
            if (!(fnm_flags & (FNM_PATHNAME | FNM_PERIOD))) {
                if (n >= len - 1 && memcmp(s, item, len - 1) == 0)
                    return 1;
                break;
            }
            /* fall through */
        default:
            if (n >= sizeof copy)
                break;
            if (!have_copy) {
                memcpy(copy, s, n);
                copy[n] = '\0';
                have_copy = 1;
            }
            if (fnmatch(item, copy, fnm_flags) == 0)
                return 1;
        }
    }
    return 0;
}

/* The one-shot forms compile a copy of the list (at most
 * SPOOL_CONF_LIST_MAX - 1 bytes, a config list's limit). */
static void compile_copy(struct spool_globs *g, char *copy, const char *list)
{
    size_t n = list ? strnlen(list, SPOOL_CONF_LIST_MAX - 1) : 0;

    memcpy(copy, list ? list : "", n);
    copy[n] = '\0';
    spool_globs_compile(g, copy);
}

int spool_list_match(const char *list, const char *s, int fnm_flags)
{
    struct spool_globs g;
    char copy[SPOOL_CONF_LIST_MAX];
    compile_copy(&g, copy, list);
    return spool_globs_match(&g, s, strlen(s), fnm_flags);
}

int spool_list_match_env(const char *list, const char *entry)
{
    struct spool_globs g;
    char copy[SPOOL_CONF_LIST_MAX];
    const char *eq = strchr(entry, '=');
    size_t n = eq ? (size_t)(eq - entry) : strlen(entry);
    if (n == 0)
        return 0;
    compile_copy(&g, copy, list);
    return spool_globs_match(&g, entry, n, 0);
}

int spool_list_prefix(const char *list, const char *path)
{
    struct spool_globs g;
    char copy[SPOOL_CONF_LIST_MAX];
    compile_copy(&g, copy, list);
    for (unsigned i = 0; i < g.n; i++) {
        const char *item = g.base + g.item[i].off;
        size_t n = g.item[i].len;
        while (n > 1 && item[n - 1] == '/')
            n--;
        if (strncmp(path, item, n) == 0 &&
            (path[n] == '\0' || path[n] == '/' || item[n - 1] == '/'))
            return 1;
    }
    return 0;
}
